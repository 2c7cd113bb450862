"""wflint.slots and wflint.lazyre: what replaced dataclasses and module-level
re.compile for start-up must behave as they did."""

from __future__ import annotations

import copy
import pickle
import re

import pytest

from wflint.argo.callgraph import Target
from wflint.argo.index import IndexEntry
from wflint.argo.permissions import Need, Reason
from wflint.lang.tags import Tag, scan
from wflint.lazyre import LazyPattern, lazy_compile
from wflint.run.config import Config
from wflint.slots import FrozenRecord, Record


class Point(FrozenRecord):
    __slots__ = ("x", "y")

    def __init__(self, x, y=0):
        self.x, self.y = x, y


class Box(Record):
    __slots__ = ("items", "label", "__dict__")
    _FIELDS = ("items",)

    def __init__(self, items=None, label=""):
        self.items = [] if items is None else items
        self.label = label


def test_records_compare_hash_and_show_their_fields_as_dataclasses_did():
    assert Point(1, 2) == Point(1, 2) and Point(1, 2) != Point(2, 1)
    assert hash(Point(1, 2)) == hash(Point(1, 2)) and len({Point(1), Point(1), Point(2)}) == 2
    assert repr(Point(1, "a")) == "Point(x=1, y='a')"
    assert Point(1) != (1, 0) and Point(1).__eq__((1, 0)) is NotImplemented
    with pytest.raises(TypeError):
        hash(Box())   # mutable: unhashable, like a dataclass that is not frozen
    # _FIELDS: only the fields compared and shown; a __dict__ slot for memos.
    assert Box([1], "a") == Box([1], "b") and repr(Box([1], "a")) == "Box(items=[1])"
    box = Box()
    box.memo = 1
    assert box.memo == 1


def test_replace_copies_with_changes():
    point = Point(1, 2)
    assert point.replace(y=5) == Point(1, 5) and point == Point(1, 2)
    with pytest.raises(TypeError):
        point.replace(z=1)
    box = Box([1], "a")
    box.memo = 1
    other = box.replace(label="b")
    assert other.items is box.items and other.label == "b" and not hasattr(other, "memo")


def test_records_pickle_and_copy():
    # Index entries travel between worker processes as pickles.
    entry = IndexEntry(kind="WorkflowTemplate", name="t", namespace=None, path="a.yaml", document=0, line=1,
                       data={"spec": {"templates": [{"name": "main"}]}})
    back = pickle.loads(pickle.dumps([entry], pickle.HIGHEST_PROTOCOL))[0]
    assert back == entry and back.template("main") == (0, {"name": "main"}) and back.stub is False
    assert copy.deepcopy(Point(1, [2])) == Point(1, [2])
    target = Target("template", ("spec",), name="main")
    assert pickle.loads(pickle.dumps(target, pickle.HIGHEST_PROTOCOL)) == target and {target: 1}[target] == 1


def test_converted_classes_keep_their_defaults():
    assert Config().rules == {} and Config().rules is not Config().rules and Config().root == "."
    need = Need("sa", None, "", "pods", ("get",))
    assert need.reasons == [] and need.purposes == {} and need.category == "resource"
    reason = Reason(("spec",), "template `a`")
    assert reason.replace(template="b").template == "b" and reason.detail == "" and reason.own
    tag = scan("x {{ inputs.parameters.a }}").tags[0]
    assert tag == Tag(2, tag.end, tag.text) and tag.key == "inputs.parameters.a" and tag.kind == "simple"
    assert "key" not in repr(tag)


def test_a_lazy_pattern_compiles_on_first_use_and_answers_as_re_does():
    lazy = lazy_compile(r"(?P<word>[a-z]+)-(\d+)", re.I)
    assert isinstance(lazy, LazyPattern) and "match" not in vars(lazy)
    compiled = re.compile(r"(?P<word>[a-z]+)-(\d+)", re.I)
    text = "Ab-1 cd-22 x"
    assert lazy.search(text).group("word") == compiled.search(text).group("word") == "Ab"
    assert "match" in vars(lazy)   # compiled once, its methods kept on the object
    assert lazy.findall(text) == compiled.findall(text)
    assert lazy.sub("_", text) == compiled.sub("_", text)
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in compiled.finditer(text)]
    assert lazy.fullmatch("ab-3") and not lazy.match("--")
    assert (lazy.pattern, lazy.flags, lazy.groups, lazy.groupindex) == \
        (compiled.pattern, compiled.flags, compiled.groups, compiled.groupindex)
    with pytest.raises(AttributeError):
        lazy.no_such_method


def test_a_bad_lazy_pattern_fails_when_used():
    lazy = lazy_compile("(")
    with pytest.raises(re.error):
        lazy.match("x")
