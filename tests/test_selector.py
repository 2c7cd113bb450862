"""Label-selector parsing for resource conditions, as Kubernetes' labels.Parse reads them."""

import pytest

from wflint.lang import selector


def parsed(text):
    requirements, error = selector.parse(text)
    assert error is None, error
    return [(r.key, r.operator, r.values) for r in requirements]


def error_of(text):
    requirements, error = selector.parse(text)
    assert error is not None, f"{text!r} parsed as {requirements}"
    return error


def test_the_operators_argo_users_write():
    assert parsed("status.phase == Succeeded") == [("status.phase", "==", ("Succeeded",))]
    assert parsed("status.phase=Running") == [("status.phase", "=", ("Running",))]
    assert parsed("status.phase != Failed") == [("status.phase", "!=", ("Failed",))]
    assert parsed("status.phase in (Failed, Error)") == [("status.phase", "in", ("Failed", "Error"))]
    assert parsed("status.phase notin (Pending)") == [("status.phase", "notin", ("Pending",))]
    assert parsed("status.succeeded > 2, status.failed < 1") == [
        ("status.succeeded", ">", ("2",)), ("status.failed", "<", ("1",))]
    assert parsed("status.readyReplicas") == [("status.readyReplicas", "exists", ())]
    assert parsed("!status.failed") == [("status.failed", "!", ())]


def test_whitespace_and_empty_selectors():
    assert parsed("") == []
    assert parsed("  \t ") == []
    assert parsed("a=b,c!=d") == [("a", "=", ("b",)), ("c", "!=", ("d",))]
    assert parsed("a=") == [("a", "=", ("",))]          # the empty value
    assert parsed("a in ()") == [("a", "in", ("",))]
    assert parsed("a in (b,,c)") == [("a", "in", ("b", "c"))]


def test_keys_are_label_keys_read_as_json_paths():
    assert parsed("status.containerStatuses.0.ready == true")
    assert parsed("metadata.labels.app_kubernetes_io-name = web")
    assert parsed("example.com/name = v")  # a DNS prefix
    assert "not a valid key" in error_of("{.status.phase} == Running").message
    assert "DNS subdomain" in error_of("Status.Foo/x = y").message
    assert "at most one `/`" in error_of("a/b/c = d").message
    assert "63" in error_of("k" * 64 + " = v").message
    assert parsed("k" * 63 + " = v")


def test_values_are_label_values():
    assert "not a valid value" in error_of("a = -b").message
    assert "63" in error_of("a = " + "v" * 64).message
    assert parsed("a = " + "v" * 63)


def test_integer_comparisons():
    assert "integers only" in error_of("status.x > 1.5").message
    assert "integers only" in error_of("status.x > ten").message
    assert "sign" in error_of("status.x > -1").message   # not a label value
    assert "64-bit" in error_of("status.x < 99999999999999999999").message
    assert "needs an integer" in error_of("status.x >").message


@pytest.mark.parametrize("text,start,end,words", [
    ("status.phase == Succeeded || status.phase == Failed", 26, 28, "has no `or`"),
    ("status.x >= 1", 9, 11, "no `>=` operator"),
    ("status.phase == Succeeded and status.failed > 0", 26, 29, "found `and`"),
    ("a in (b c)", 8, 9, "between values"),
    ("a in (b,", 5, 6, "never closed"),
    ("a in b", 5, 6, "expected `(`"),
    ("!a=b", 2, 3, "expected `,`"),
    ("a,", 2, 3, "after `,`"),
    (",a", 0, 1, "expected a key"),
    ("a b", 2, 3, "expected an operator"),
    ("a = (b)", 4, 5, "expected a value"),
    ("a==b==c", 4, 6, "expected `,`"),
    ("! = x", 2, 3, "after `!`"),
])
def test_errors_point_at_the_offending_token(text, start, end, words):
    error = error_of(text)
    assert (error.start, error.end) == (start, end)
    assert words in error.message


def test_in_and_notin_are_words_outside_the_operator_position():
    assert parsed("in = notin") == [("in", "=", ("notin",))]
    assert parsed("a in (in, notin)") == [("a", "in", ("in", "notin"))]


def test_longest_symbol_wins():
    tokens = [t.kind for t in selector.tokenize("a!=b==c=(d")]
    assert tokens == ["word", "!=", "word", "==", "word", "=", "(", "word", "end"]


def test_placeholders_are_opaque_words():
    assert parsed("status.succeeded > {{inputs.parameters.count}}")
    assert parsed("{{ inputs.parameters.path }} == done")
    assert parsed("status.phase in ({{inputs.parameters.phases}})")
    assert parsed("status.{{inputs.parameters.field}} = x")
    # without placeholder handling the tag is read as Kubernetes would read it
    assert selector.parse("a = {{x}}", placeholders=False)[1] is not None
