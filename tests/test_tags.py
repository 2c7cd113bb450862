"""Finding `{{...}}` tags the way Argo's fasttemplate does (wflint.lang.tags)."""

import pytest

from wflint.lang.tags import EXPRESSION, SIMPLE, scan, substitute


def keys(text):
    return [(t.kind, t.key, t.start, t.end) for t in scan(text).tags]


def test_no_tags():
    assert scan("plain text").tags == ()
    assert scan("").unclosed is None
    assert scan("a } b }} c").tags == ()


def test_simple_tags_with_offsets():
    text = "echo {{inputs.parameters.x}} and {{workflow.name}}"
    assert keys(text) == [(SIMPLE, "inputs.parameters.x", 5, 28), (SIMPLE, "workflow.name", 33, 50)]
    tag = scan(text).tags[0]
    assert text[tag.key_start:tag.key_end] == "inputs.parameters.x"


def test_whitespace_is_trimmed_for_the_key():
    tag = scan("x {{  workflow.name }} y").tags[0]
    assert tag.kind == SIMPLE and tag.key == "workflow.name" and tag.padded
    assert (tag.key_start, tag.key_end) == (6, 19)
    assert not scan("{{workflow.name}}").tags[0].padded


def test_expression_tags():
    tag = scan("a {{=inputs.parameters['x'] + 1}}").tags[0]
    assert tag.kind == EXPRESSION
    assert tag.expression == "inputs.parameters['x'] + 1"
    assert tag.expression_start == 5
    assert not tag.spaced_expression


def test_a_space_before_the_equals_sign_makes_a_simple_tag():
    tag = scan("{{ =inputs.parameters.x}}").tags[0]
    assert tag.kind == SIMPLE and tag.key == "=inputs.parameters.x"
    assert tag.spaced_expression
    assert tag.expression == "inputs.parameters.x" and tag.expression_start == 4


def test_first_closing_braces_end_the_tag():
    # fasttemplate does not balance braces: the first `}}` closes
    assert keys("{{=toJson({a: {b: 1}})}}") == [(EXPRESSION, "=toJson({a: {b: 1", 0, 21)]
    assert keys("{{{x}}}") == [(SIMPLE, "{x", 0, 6)]


def test_braces_of_predicates_do_not_close_early_when_separated():
    assert keys("{{=toJson(filter([1, 3], {# > 1}))}}")[0][1] == "=toJson(filter([1, 3], {# > 1}))"


def test_unclosed_tag():
    result = scan("ok {{a}} then {{broken")
    assert [t.key for t in result.tags] == ["a"]
    assert result.unclosed == 14


def test_nested_tag_hack():
    text = "{{steps.run-{{inputs.parameters.d}}.status}} == ok"
    outer, inner = scan(text).tags
    assert outer.nested and outer.start == 0 and outer.end == text.index(" ==")
    assert not inner.nested and inner.key == "inputs.parameters.d"
    assert text[inner.start:inner.end] == "{{inputs.parameters.d}}"


def test_nested_hack_needs_text_before_the_inner_tag():
    # `{{{{x}}`: the outer prefix is empty, so Argo does not try the inner tag
    assert keys("{{{{x}}") == [(SIMPLE, "{{x", 0, 7)]


def test_expressions_are_never_split_as_nested():
    assert [t.kind for t in scan('{{= "{{" }}').tags] == [EXPRESSION]


@pytest.mark.parametrize("text", ["{{a}} == {{b}}", "x{{a}}y", "{{a}}"])
def test_substitute_keeps_offsets(text):
    result = scan(text)
    out = substitute(text, result.tags, "_")
    assert len(out) == len(text) and "{{" not in out


def test_substitute_with_nested_tags():
    text = "{{steps.run-{{inputs.parameters.d}}.status}} x"
    out = substitute(text, scan(text).tags, "_")
    assert out == "_" * (len(text) - 2) + " x"
