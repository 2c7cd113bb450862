"""The `depends` grammar (wflint.lang.depends), and the two DAG rules built on it."""

import random

import pytest

from wflint.lang.depends import (RESULTS, BinOp, DependsSyntaxError, Not, Ref, analyze, parse, references,
                            tokenize)
from wflint.testing import lint_text


def show(node):
    """A fully parenthesised rendering of a tree, to check precedence."""
    if isinstance(node, Ref):
        return node.text
    if isinstance(node, Not):
        return f"!{show(node.operand)}"
    return f"({show(node.left)} {node.op} {show(node.right)})"


def error(text):
    with pytest.raises(DependsSyntaxError) as caught:
        parse(text)
    return caught.value.message, caught.value.start, caught.value.end


# -- operands and results ---------------------------------------------------

@pytest.mark.parametrize("result", RESULTS)
def test_every_result_name_parses(result):
    expression = parse(f"my-task.{result}")
    assert expression.tree == Ref("my-task", result, 0, 8 + len(result), 8)
    assert expression.refs == (expression.tree,)


def test_result_names_are_what_argo_accepts():
    assert RESULTS == ("Succeeded", "Failed", "Errored", "Skipped", "Omitted", "Daemoned",
                       "AnySucceeded", "AllFailed")


def test_lower_case_result_is_an_operand_with_that_result():
    # The grammar takes any word as a result; the rule says which exist.
    ref = parse("A.succeeded").tree
    assert (ref.task, ref.result, ref.start, ref.task_end, ref.result_start, ref.end) == \
        ("A", "succeeded", 0, 1, 2, 11)


def test_offsets_of_every_operand():
    refs = parse("  build-1 && (test.Failed || !lint)").refs
    assert [(r.task, r.result, r.start, r.end) for r in refs] == [
        ("build-1", None, 2, 9), ("test", "Failed", 14, 25), ("lint", None, 30, 34)]


def test_names_may_hold_digits_dashes_and_start_with_a_digit():
    assert [r.task for r in parse("5a && a-b-c2 || x--y").refs] == ["5a", "a-b-c2", "x--y"]


def test_multi_line_expression():
    expression = parse("(a &&\n  b)\n|| c\n")
    assert show(expression.tree) == "((a && b) || c)"
    assert expression.refs[2].start == 14


# -- precedence ---------------------------------------------------------------

@pytest.mark.parametrize("text,tree", [
    ("a || b && c", "(a || (b && c))"),
    ("a && b || c", "((a && b) || c)"),
    ("a && b && c", "((a && b) && c)"),
    ("a || b || c", "((a || b) || c)"),
    ("!a && b", "(!a && b)"),
    ("!(a && b)", "!(a && b)"),
    ("!!a", "!!a"),
    ("(a || b) && c", "((a || b) && c)"),
    ("a.Failed || !b.Succeeded && (c || d.Skipped)", "(a.Failed || (!b.Succeeded && (c || d.Skipped)))"),
    ("((((a))))", "a"),
])
def test_precedence(text, tree):
    assert show(parse(text).tree) == tree


def test_word_operators_parse_like_expr_lang_and_are_recorded():
    expression = parse("a and b or not c")
    assert show(expression.tree) == "((a && b) || !c)"
    assert expression.words == (("and", 2, 5), ("or", 8, 10), ("not", 11, 14))
    assert isinstance(expression.tree, BinOp) and expression.tree.word == "or"
    # Argo's validator reads each of them as a task name.
    assert [r.task for r in references("a and b or not c")] == ["a", "and", "b", "or", "not", "c"]


def test_a_word_operator_where_an_operand_belongs_is_a_name():
    assert parse("and").tree == Ref("and", None, 0, 3)
    assert show(parse("a && not").tree) == "(a && not)"
    assert parse("true || a").refs[0].task == "true"


# -- syntax errors, with their positions --------------------------------------

@pytest.mark.parametrize("text,message,start,end", [
    ("(a && b", "`(` is never closed", 0, 1),
    ("a && (b || (c)", "`(` is never closed", 5, 6),
    ("a && (", "`(` is never closed", 5, 6),
    ("a && b)", "`)` has no matching `(`", 6, 7),
    (")", "expected a task, found `)`", 0, 1),
    ("a &&", "expected a task after `&&`", 2, 4),
    ("a ||  ", "expected a task after `||`", 2, 4),
    ("!", "expected a task after `!`", 0, 1),
    ("a and", "expected a task after `and`", 2, 5),
    ("a && && b", "expected a task after `&&`, found `&&`", 5, 7),
    ("a || && b", "expected a task after `||`, found `&&`", 5, 7),
    ("&& a", "expected a task, found `&&`", 0, 2),
    ("(|| a)", "expected a task after `(`, found `||`", 1, 3),
    ("a && ()", "empty parentheses `()`", 5, 7),
    ("a b", "expected `&&` or `||` before `b`", 2, 3),
    ("a (b)", "expected `&&` or `||` before `(`", 2, 3),
    ("(a b)", "expected `&&` or `||` before `b`", 3, 4),
    ("a & b", "`&` is not an operator; did you mean `&&`?", 2, 3),
    ("a | b", "`|` is not an operator; did you mean `||`?", 2, 3),
    ("a.", "expected a result name after `a.`, such as `a.Succeeded`", 1, 2),
    ("a. Succeeded", "expected a result name after `a.`, such as `a.Succeeded`", 1, 2),
    ("a .Succeeded", "no space is allowed before `.`: write `task.Result`", 2, 3),
    (".Succeeded", "expected a task name before `.`", 0, 1),
    ("a.Succeeded.Failed", "unexpected `.`: a result follows its task directly, as in `task.Succeeded`",
     11, 12),
    ("a == b", "unexpected character `=`: `depends` combines tasks with `&&`, `||`, `!` and parentheses",
     2, 3),
    ("'a' && b", "quotes are not allowed in `depends`: write task names bare", 0, 1),
    ("", "the expression is empty", 0, 1),
    ("   ", "the expression is empty", 0, 3),
])
def test_syntax_error_position(text, message, start, end):
    assert error(text) == (message, start, end)


def test_the_first_error_from_the_left_wins():
    assert error("a && = || (")[1:] == (5, 6)


def test_deep_nesting_is_an_error_not_a_crash():
    text = "(" * 5000 + "a" + ")" * 5000
    message, start, _ = error(text)
    assert message == "parentheses are nested too deeply" and start == 200
    node, depth = parse("!" * 5000 + "a").tree, 0
    while isinstance(node, Not):
        node, depth = node.operand, depth + 1
    assert depth == 5000 and node.task == "a"


def test_references_survive_syntax_errors():
    analysis = analyze("(a && b.Failed ||")
    assert analysis.error is not None
    assert [(r.task, r.result) for r in analysis.refs] == [("a", None), ("b", "Failed")]


@pytest.mark.parametrize("text", [
    "a", " a ", "a && b", "a.Succeeded||b.Failed", "a\n&& b-c.AllFailed ||d", "and", "a.succeeded",
    "x_y && 5a", "a.b && c",
])
def test_the_quick_path_agrees_with_the_parser(text):
    from wflint.lang.depends import _SIMPLE
    assert _SIMPLE.fullmatch(text)
    assert analyze(text) == (parse(text).refs, None)


def test_tokens():
    assert [(t.kind, t.text, t.start) for t in tokenize(" a.X&&!(b)")] == [
        ("name", "a", 1), ("dot", ".", 2), ("name", "X", 3), ("op", "&&", 4), ("op", "!", 6),
        ("op", "(", 7), ("name", "b", 8), ("op", ")", 9)]


# -- the rules on top of it ---------------------------------------------------

WORKFLOW = """\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: t-
spec:
  entrypoint: main
  templates:
    - name: main
      dag:
        tasks:
{tasks}
    - name: work
      container:
        image: alpine:3.20
"""


def dag(tasks):
    return WORKFLOW.format(tasks="".join(
        f"          - name: {name}\n            template: work\n" + "".join(
            f"            {key}: {value}\n" for key, value in fields.items())
        for name, fields in tasks))


def findings(text, *rules):
    return [(f.rule, f.line, f.column, f.severity) for f in lint_text(text).findings if f.rule in rules]


def test_a_self_dependency_is_reported_once_by_dag_cycle():
    text = dag([("a", {"depends": "a.AnySucceeded || a"}), ("b", {"depends": "a && !b"})])
    got = findings(text, "dag-dependency", "dag-cycle")
    assert got == [("dag-cycle", 13, 22, "error"), ("dag-cycle", 16, 28, "error")]
    text = dag([("a", {"dependencies": "[a]"})])
    assert findings(text, "dag-dependency", "dag-cycle") == [("dag-cycle", 13, 28, "error")]


def test_cycles_only_among_known_tasks():
    text = dag([("a", {"depends": "ghost"}), ("ghost-2", {"depends": "a"})])
    assert findings(text, "dag-cycle") == []
    assert findings(text, "dag-dependency") == [("dag-dependency", 13, 22, "error")]


def big_dag(n, cyclic=False, seed=7):
    rng = random.Random(seed)
    tasks = []
    for i in range(1, n + 1):
        earlier = rng.sample(range(i - 1), min(2, i - 1)) if i > 1 else []
        fields = {}
        if len(earlier) == 2:
            a, b = (f"t{j + 1}" for j in earlier)
            fields = {"depends": f'"{a} && {b}"'} if i % 2 else {"dependencies": f"[{a}, {b}]"}
        elif earlier:
            fields = {"depends": f"t{earlier[0] + 1}"}
        tasks.append((f"t{i}", fields))
    if cyclic:  # t1 waits for the last task, which (through others) waits for t1
        tasks[0] = ("t1", {"depends": f"t{n}"})
    return dag(tasks)


def test_five_thousand_tasks_are_quick():
    import wflint.rules.dag_cycle as dag_cycle
    import wflint.rules.dag_dependency as dag_dependency

    # The file mixes `depends` and `dependencies` on purpose (half each), so
    # dag-dependency reports that once; there must be no cycle.
    text = big_dag(5000)
    report = lint_text(text, select=["dag-cycle", "dag-dependency"])
    assert [f.rule for f in report.findings] == ["dag-dependency"]
    cyclic = lint_text(big_dag(5000, cyclic=True), select=["dag-cycle"])
    assert len(cyclic.findings) == 1 and cyclic.findings[0].message.startswith("dependency cycle `t1 -> ")



def load_document(text):
    from wflint.source import loader
    from wflint.source.files import SourceFile

    documents, _ = loader.load(SourceFile(path="big.yaml", text=text))
    loader.convert(documents[0])
    return documents[0]
