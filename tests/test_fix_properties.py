"""Property tests for `--fix`: on random valid manifests with comments, in
every layout (2 or 4 spaces, indented or flush sequences, flow lists, CRLF,
a BOM, several documents), a run with nothing to fix leaves the bytes as they
were; with a misspelt key, only that key changes, and a second run is a no-op."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings, strategies as st

from wflint.run import fixer
from wflint.run.engine import Engine, Options

from conftest import examples

SETTINGS = dict(deadline=None, max_examples=examples(25),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# Valid names: not words YAML 1.1 reads as booleans or null (those are fixable, on purpose).
NAMES = st.text(alphabet=string.ascii_lowercase, min_size=3, max_size=8).filter(
    lambda s: s not in ("yes", "off", "true", "false", "null"))
COMMENTS = st.text(alphabet=string.ascii_letters + string.digits + " -_.:'\"#", max_size=20)


@st.composite
def manifests(draw, typo=False):
    step = draw(st.sampled_from([2, 4]))
    flush = draw(st.booleans())
    flow_command = draw(st.booleans())
    names = draw(st.lists(NAMES, min_size=1, max_size=4, unique=True))
    comments = draw(st.lists(COMMENTS, min_size=12, max_size=12))
    blank = draw(st.booleans())
    i = " " * step

    def note(n):
        return f"  # {comments[n]}" if comments[n].strip() else ""

    seq = "" if flush else i
    item = seq + "- "
    under = seq + " " * 2   # the content of a list item
    account = "serviceAcountName" if typo else "serviceAccountName"
    lines = [f"# {comments[0]}", "apiVersion: argoproj.io/v1alpha1", "kind: Workflow" + note(1), "metadata:",
             f"{i}generateName: gen-{names[0]}-" + note(2), "spec:", f"{i}entrypoint: {names[0]}" + note(3),
             f"{i}{account}: runner" + note(4)]
    if blank:
        lines.append("")
    lines.append(f"{i}templates:" + note(5))
    for n, name in enumerate(names):
        lines.append(f"{i}{item}name: {name}" + note(6 + n % 4))
        lines.append(f"{i}{under}container:")
        lines.append(f"{i}{under}{i}image: alpine:3.19")
        if flow_command:
            lines.append(f"{i}{under}{i}command: [echo, \"{name}\"]" + note(10))
        else:
            lines.append(f"{i}{under}{i}command:")
            lines.append(f"{i}{under}{i}{seq}- echo" + note(10))
            lines.append(f"{i}{under}{i}{seq}- '{name}'")
    text = "\n".join(lines) + "\n"
    if len(names) > 1:   # the entrypoint runs the others, so none is unused
        body = [f"{i}{item}name: runner-{names[0]}", f"{i}{under}steps:"]
        for other in names[1:]:
            body.append(f"{i}{under}{seq}- - name: s-{other}")
            body.append(f"{i}{under}{seq}    template: {other}")
        text = text.replace(f"{i}entrypoint: {names[0]}", f"{i}entrypoint: runner-{names[0]}")
        text += "\n".join(body) + "\n"
    if draw(st.booleans()):
        text = text + "---\n# another document\n" + text.replace("generateName: gen-", "generateName: two-")
    crlf = draw(st.booleans())
    bom = draw(st.booleans())
    return text, crlf, bom


def _bytes(text, crlf, bom):
    if crlf:
        text = text.replace("\n", "\r\n")
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


def _fix(path):
    return fixer.run(Engine(Options(use_cache=False)), [str(path)])


@settings(**SETTINGS)
@given(manifests())
def test_nothing_to_fix_leaves_the_bytes_as_they_were(tmp_path_factory, made):
    text, crlf, bom = made
    path = tmp_path_factory.mktemp("p") / "wf.yaml"
    data = _bytes(text, crlf, bom)
    path.write_bytes(data)
    outcome = _fix(path)
    assert not outcome.changed
    assert path.read_bytes() == data


@settings(**SETTINGS)
@given(manifests(typo=True))
def test_a_typo_changes_only_its_key_and_a_second_run_is_a_no_op(tmp_path_factory, made):
    text, crlf, bom = made
    path = tmp_path_factory.mktemp("p") / "wf.yaml"
    path.write_bytes(_bytes(text, crlf, bom))
    _fix(path)
    expected = _bytes(text.replace("serviceAcountName", "serviceAccountName"), crlf, bom)
    assert path.read_bytes() == expected
    assert not _fix(path).changed
    assert path.read_bytes() == expected
