"""The expr-lang tokenizer and parser (wflint.lang.expr): what parses, where
errors are reported, and which variables an expression reads."""

import pytest

from wflint.lang.expr import (Binary, Call, Conditional, ExprSyntaxError, Ident, Literal, Member, Unary, check,
                         parse, reads, tokenize)


def error(source):
    with pytest.raises(ExprSyntaxError) as caught:
        parse(source)
    return caught.value.message, caught.value.start, caught.value.end


def refs(source):
    return [r.names for r in reads(source).references]


# -- tokens -------------------------------------------------------------------

def test_tokens_and_offsets():
    tokens = tokenize("a.b >= 'x' && not c")
    assert [(t.kind, t.value, t.start, t.end) for t in tokens] == [
        ("ident", "a", 0, 1), ("op", ".", 1, 2), ("ident", "b", 2, 3), ("op", ">=", 4, 6),
        ("string", "x", 7, 10), ("op", "&&", 11, 13), ("op", "not", 14, 17), ("ident", "c", 18, 19),
        ("eof", "", 19, 19)]


@pytest.mark.parametrize("source, value", [
    ("'it\\'s'", "it's"), ('"a\\"b"', 'a"b'), ("'\\n'", "\n"), ("'\\u0041'", "A"), ("'\\x41'", "A"),
    ("`raw \\n`", "raw \\n"), ("\"'\"", "'"),
])
def test_strings_in_both_quote_styles_and_escapes(source, value):
    assert tokenize(source)[0].value == value


@pytest.mark.parametrize("source", ["1", "1.5", ".5", "1e3", "1_000", "0x1F", "0o17", "0b101", "2.5e-3"])
def test_numbers(source):
    assert isinstance(parse(source), Literal)


def test_range_after_a_number():
    assert parse("1..3").op == ".."


@pytest.mark.parametrize("source, message, start", [
    ("'abc", "string literal not terminated", 0),
    ("x == 'a\nb'", "string literal not terminated", 5),
    ("'\\q'", "invalid escape `\\q` in string", 1),
    ("1a", "bad number `1a`", 0),
    ("a @ b", "unexpected character `@`", 2),
    ("/* open", "comment not closed", 0),
])
def test_lexer_errors(source, message, start):
    got = error(source)
    assert got[0] == message and got[1] == start


def test_comments_are_skipped():
    assert refs("a // the rest\n + b /* c */") == [("b",), ("a",)]


# -- grammar ------------------------------------------------------------------

def show(node):
    if isinstance(node, Binary):
        return f"({show(node.left)} {node.op} {show(node.right)})"
    if isinstance(node, Unary):
        return f"({node.op} {show(node.operand)})"
    if isinstance(node, Ident):
        return node.name
    if isinstance(node, Literal):
        return str(node.value)
    if isinstance(node, Conditional):
        return f"({show(node.cond)} ? {show(node.then)} : {show(node.other)})"
    if isinstance(node, Member):
        return f"{show(node.obj)}.{show(node.prop)}"
    if isinstance(node, Call):
        return f"{show(node.callee)}({', '.join(show(a) for a in node.args)})"
    return type(node).__name__


@pytest.mark.parametrize("source, tree", [
    ("a + b * c", "(a + (b * c))"),
    ("a - b - c", "((a - b) - c)"),
    ("a ** b ** c", "(a ** (b ** c))"),
    ("a || b && c", "(a || (b && c))"),
    ("a or b and not c", "(a or (b and (not c)))"),
    ("!a == b", "((! a) == b)"),
    ("-a ** 2", "(- (a ** 2))"),
    ("a < b < c", "((a < b) && (b < c))"),
    ("a ? b : c ? d : e", "(a ? b : (c ? d : e))"),
    ("a ?: b", "(a ? a : b)"),
    ("a not in b", "(not (a in b))"),
    ("a ?? b ?? c", "((a ?? b) ?? c)"),
    ("x.y.z", "x.y.z"),
    ("f(a, b)", "f(a, b)"),
    ("a contains 'x' and b matches '^y'", "((a contains x) and (b matches ^y))"),
    ("a .. b", "(a .. b)"),
])
def test_precedence(source, tree):
    assert show(parse(source)) == tree


@pytest.mark.parametrize("source", [
    "inputs.parameters['my-param'] == 'true'",
    "steps['flip-coin'].outputs.result",
    "a?.b?.c ?? 'default'",
    "a?.[0]",
    "list[1:2] + list[:1] + list[1:] + list[:]",
    "[1, 2, 3,]",
    "{a: 1, 'b': 2, 3: c, (x): y,}",
    "filter([1, 2, 3], # > 1)",
    "map(items, {.name})",
    "map(items, #index)",
    "reduce(items, #acc + #, 0)",
    "sortBy(items, .age, 'desc')",
    "count(items)",
    "items | filter(# > 1) | map(# * 2)",
    "let x = 1; x + 1",
    "if a { b } else if c { d } else { e }",
    "sprig.add(1, 2)",
    "(now() - date('2024-01-01')).Hours() > 1",
    "a.not",
    "len([]) == 0 && {} != nil",
    "toJson({avg: sprig.add(1, 2) / 5})",
])
def test_valid_expressions(source):
    assert check(source) is None


@pytest.mark.parametrize("source, message, start", [
    ("1 +", "unexpected end of expression", 3),
    ("(a", "unexpected end of expression: expected `)` to close the parenthesis", 2),
    ("a b", "unexpected `b`", 2),
    ("a ? b", "unexpected end of expression: expected `:` of the `? :` operator", 5),
    ("f(a b)", "unexpected `b`: expected `,` or `)`", 4),
    ("[1, 2", "unexpected end of expression: expected `,` or `]`", 5),
    ("{a 1}", "unexpected the string '1'" if False else "unexpected `1`: expected `:` after the map key", 3),
    ("a.", "unexpected end of expression", 2),
    ("a.1", "unexpected `.1`", 1),
    ("a.not", None, None),
    ("# > 1", "`#` and `.field` are only allowed inside a predicate such as `filter(list, # > 1)`", 0),
    ("a ?? b + c", "`+` and `??` cannot be mixed: wrap one of them in parentheses", 7),
    ("filter(x)", "`filter` expects at least 2 arguments", 8),
    ("a not b", "unexpected `b`", 6),
    ("x | 1", "unexpected `1`: expected a function name after `|`", 4),
    (")", "unexpected `)`", 0),
    ("a[1", "unexpected end of expression: expected `]` to close the index", 3),
])
def test_syntax_errors_and_where(source, message, start):
    if message is None:
        assert check(source) is None
        return
    got = error(source)
    assert got[0] == message
    assert got[1] == start


def test_deep_nesting_is_refused_not_crashing():
    assert check("(" * 500 + "1" + ")" * 500) is not None


# -- what it reads -------------------------------------------------------------

def test_member_chains_with_dots_and_brackets():
    assert refs("inputs.parameters['a-b'] + inputs.parameters.c") == [
        ("inputs", "parameters", "c"), ("inputs", "parameters", "a-b")]
    reference = reads("steps['x'].outputs.result").references[0]
    assert [p.dotted for p in reference.parts] == [True, False, True, True]
    assert (reference.start, reference.end) == (0, 25)


def test_computed_index_keeps_only_the_root():
    found = reads("steps[name].id").references
    assert [r.names for r in found] == [("steps",), ("name",)] or [r.names for r in found] == [("name",), ("steps",)]
    assert {r.complete for r in found if r.names == ("steps",)} == {False}


def test_guards():
    guarded = {r.names: r.guarded for r in reads("a.b ?? c.d").references}
    assert guarded == {("a", "b"): True, ("c", "d"): False}
    assert reads("x?.y.z").references[0].guarded


def test_locals_and_predicates_are_not_variables():
    assert refs("let n = 2; n * k") == [("k",)]
    assert refs("filter(items, # > limit)") == [("limit",), ("items",)]
    assert refs("map(items, .name)") == [("items",)]


def test_functions():
    found = [(f.namespace, f.name) for f in reads("sprig.upper(asInt(x)) + len(y) + now().Unix()").functions]
    assert sorted(found, key=str) == sorted([("sprig", "upper"), (None, "asInt"), (None, "len"), (None, "now")],
                                            key=str)


def test_method_calls_on_values_are_not_functions():
    assert [f.name for f in reads("(now() - t).Seconds()").functions] == ["now"]


@pytest.mark.parametrize("source, written, bracketed", [
    ("inputs.parameters.my-param", "inputs.parameters.my-param", "inputs.parameters['my-param']"),
    ("steps.flip-coin.outputs.result == 'heads'", "steps.flip-coin.outputs.result",
     "steps['flip-coin'].outputs.result"),
    ("inputs.parameters.a-b-c", "inputs.parameters.a-b-c", "inputs.parameters['a-b-c']"),
    ("tasks.t-a.outputs.parameters.p-2", "tasks.t-a.outputs.parameters.p-2",
     "tasks['t-a'].outputs.parameters['p-2']"),
])
def test_hyphenated_names_read_with_dots(source, written, bracketed):
    hyphen, = reads(source).hyphens
    assert hyphen.written == written and hyphen.bracketed == bracketed
    assert hyphen.start == 0 and hyphen.end == len(written)


@pytest.mark.parametrize("source", ["a.b - c", "a.b -c", "a - b", "inputs.parameters.x-1.5", "x-y"])
def test_real_subtractions_are_not_hyphens(source):
    assert reads(source).hyphens == []


def test_a_digit_after_a_hyphen_is_a_bad_number_to_expr():
    assert error("tasks.t-1.outputs.result")[0] == "bad number `1.o`"


def test_hyphenated_names_in_sources_that_do_not_parse():
    from wflint.lang.expr import hyphenated_names
    assert hyphenated_names("tasks.t-1.outputs.result == 'x'") == [
        ("tasks.t-1.outputs.result", "tasks['t-1'].outputs.result")]
    assert hyphenated_names("'inputs.parameters.a-b'") == []
