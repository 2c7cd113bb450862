"""`when` as govaluate reads it (wflint.lang.when)."""

import pytest

from wflint.lang import when
from wflint.lang.tags import scan


def problems(text, bare_words=True):
    outer = []
    for t in scan(text).tags:
        if not any(o.nested and o.start < t.start < o.end for o in scan(text).tags):
            outer.append((t.start, t.end))
    return [(p.kind, p.message, p.start, p.end) for p in when.check(text, outer, bare_words)]


@pytest.mark.parametrize("text", [
    "{{steps.flip.outputs.result}} == heads",
    "'{{steps.flip.outputs.result}}' == 'heads-up'",
    "{{x}} != Succeeded && {{y}} == 'a b'",
    "({{a}} == x || {{b}} == y) && !({{c}} == z)",
    "{{x}} > 5",
    "{{x}} =~ '^v[0-9]+'",
    "{{x}} in (a, b, 'c-d')",
    "true",
    "{{=inputs.parameters.x == 'a'}}",
    "{{steps.run-{{inputs.parameters.d}}.status}} != Succeeded",
    "-1 < {{x}}",
    "{{x}} ? true : false",
    "[odd name] == x",
])
def test_conditions_that_work(text):
    assert problems(text) == []


@pytest.mark.parametrize("text, message, start, end", [
    ("{{x}} == a b", "`b` cannot follow `a`", 11, 12),
    ("{{x}} ==", "the condition ends with `==`", 6, 8),
    ("({{x}} == a", "`(` is never closed", 0, 1),
    ("{{x}} == a)", "`)` has no matching `(`", 10, 11),
    ("{{x}} == 'a", "string is never closed", 9, 11),
    ("{{x}} == 1.2.3", "govaluate cannot read `1.2.3` as a number", 9, 14),
    ("{{x}} == a{b", "`{` is not an operator govaluate knows", 10, 11),
    ("{{x}} === a", "`===` is not an operator govaluate knows", 6, 9),
    ("{{x}} == foo.bar", "govaluate reads `foo.bar` as a field access, and cannot access `bar`", 9, 16),
    ("{{x}} == foo.", "govaluate cannot read `foo.`: it ends with a dot", 9, 13),
    ("", "the condition is empty", 0, 1),
    ("{{x}} == f(1)", "`f(` looks like a function call; `when` has no functions", 9, 11),
    ("{{x}} == [a", "`[` is never closed (govaluate reads `[...]` as a variable name)", 9, 11),
])
def test_syntax_errors_and_where(text, message, start, end):
    found = problems(text)
    assert found[-1] == ("syntax", message, start, end)


@pytest.mark.parametrize("text, word, start", [
    ("{{x}} == heads-up", "heads-up", 9),
    ("{{x}} != a/b", "a/b", 9),
    ("{{x}}-done == y", "{{x}}-done", 0),
    ("{{x}} == v1-rc", "v1-rc", 9),
])
def test_bare_words_govaluate_splits(text, word, start):
    kind, message, got_start, got_end = problems(text)[0]
    assert kind == "trap" and f"`{word}`" in message
    assert (got_start, got_end) == (start, start + len(word))


def test_arithmetic_on_numbers_is_not_a_trap():
    assert problems("{{x}} - 1 > 2") == []
    assert problems("{{x}}-1 > 2") == []


@pytest.mark.parametrize("text, message", [
    ("heads", "the condition is not a boolean: govaluate would return a value, and Argo expects true or false"),
    ("{{x}} == a || b", "`b` is not a boolean, so it cannot be used with `||`"),
    ("a < 5", "`<` compares two numbers or two strings, not `a` and `5`"),
    ("!{{x}} == a", None),
    ("!a", "`!` needs a boolean, not `a`"),
    ("{{x}} in a", "the right side of `in` must be a list in parentheses, like ('a', 'b')"),
    ("{{x}} * 2 == b * 1", "`b` is not a number, so it cannot be used with `*`"),
])
def test_type_errors(text, message):
    found = [p for p in problems(text) if p[0] == "type"]
    if message is None:
        assert found == []
    else:
        assert found and found[0][1] == message


def test_cron_when_has_no_bare_word_conversion():
    found = problems("{{=cronworkflow.failed < 3}} == true && ready", bare_words=False)
    assert [(k, s, e) for k, _, s, e in found] == [("type", 40, 45)]
    assert problems("{{=cronworkflow.failed < 3}}", bare_words=False) == []


@pytest.mark.parametrize("value, word", [
    ("heads", True), ("42", True), ("true", True), ("3.5", True), ("hello world", False), ("my-value", False),
    ("a/b", False), ("10.0.0.1", False), ("", False), ("2024-01-01T00:00:00Z", False), ("v1.beta", False),
])
def test_value_is_word(value, word):
    assert when.value_is_word(value) is word


def test_tokens_of_a_quoted_tag_are_a_string():
    text = "'{{x}}' == a"
    holes = [(1, 6)]
    kinds = [t.kind for t in when.tokenize(text, holes)]
    assert kinds == [when.STRING, when.COMPARATOR, when.VARIABLE]
    kinds = [t.kind for t in when.tokenize("{{x}} == a", [(0, 5)])]
    assert kinds == [when.PLACEHOLDER, when.COMPARATOR, when.VARIABLE]


def test_answers_are_kept_but_each_caller_gets_its_own_list():
    first = when.check("a ==", [])
    first.append("mine")
    assert "mine" not in when.check("a ==", [])
