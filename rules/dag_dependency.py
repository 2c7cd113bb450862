"""DAG dependencies and depends expressions name tasks of the same DAG and parse."""

import functools

from wflint.argo import callgraph, model
from wflint.lang.depends import ITEM_RESULTS, RESULTS, analyze, is_dynamic
from wflint.finding import WARNING, finding
from wflint import fix as fixes
from wflint.suggest import closest, did_you_mean

ID = "dag-dependency"
SEVERITY = "error"
SUMMARY = "DAG dependencies and depends expressions name tasks of the same DAG and parse."

_WORDS = {
    "and": "use `&&` to require both (Argo reads `and` as a task name)",
    "or": "use `||` for either (Argo reads `or` as a task name)",
    "not": "use `!` to negate (Argo reads `not` as a task name)",
    "true": "`depends` has no boolean literals (Argo reads `true` as a task name)",
    "false": "`depends` has no boolean literals (Argo reads `false` as a task name)",
}
# Results people write for the ones Argo has.
_ALIASES = {"success": "Succeeded", "successful": "Succeeded", "succeed": "Succeeded", "sucess": "Succeeded",
            "succes": "Succeeded", "passed": "Succeeded", "fail": "Failed", "failure": "Failed",
            "error": "Errored", "skip": "Skipped", "omit": "Omitted", "daemon": "Daemoned"}
_LOOPS = "withItems, withParam or withSequence"
# Words expr-lang (v1.17.8, the version Argo 4.1.2 builds with) does not read as names: the lexer's
# operator words (parser/lexer/state.go `identifier`, `not`) and the parser's literals (parser.go
# `parseSecondary`). A task with one of these names breaks the expression Argo builds from `depends`
# (or `dependencies`): `in.Succeeded` does not parse. Builtins (`len`, `split`, ...) are fine: the task
# results are in the environment under the task's name.
EXPR_WORDS = frozenset({"not", "in", "or", "and", "matches", "contains", "startsWith", "endsWith", "let",
                        "if", "else", "true", "false", "nil"})


def check(document, context):
    dags = callgraph.dags(document)
    if not dags:
        return        # (most documents)
    dags = [(at, model.tasks(at)) for at in dags]
    elsewhere = None
    for at, tasks in dags:
        names = {}
        for call in tasks:
            name = call.body.get("name")      # (Call.name, read directly: this runs for every task)
            if type(name) is str and name and name not in names:
                names[name] = call
        problems = list(_check_dag(at, tasks, names))
        for item in problems:
            if isinstance(item, tuple):  # an unknown task name: see whether another DAG has it
                if elsewhere is None:
                    elsewhere = _task_homes(dags)
                yield _unknown(*item, names, elsewhere, at)
            else:
                yield item


def _task_homes(dags):
    homes = {}
    for at, tasks in dags:
        for call in tasks:
            if call.name and call.name not in homes:
                homes[call.name] = (at.path, at.name)
    return homes


def _unknown(path, field, name, span, me, names, elsewhere, at):
    message = f"`{field}` names unknown task `{name}`"
    hint = None
    if name in _WORDS and field == "depends":
        return finding(path, f"{message}; {_WORDS[name]}", span=span,
                       hint="combine tasks with `&&`, `||`, `!` and parentheses")
    if field == "dependencies" and "." in name:
        hint = f"`dependencies` lists task names only; for a result write `depends: \"{name}\"`"
    home = elsewhere.get(name)
    if home is not None and home[0] != at.path:
        where = f"template `{home[1]}`" if home[1] else "another DAG"
        hint = f"`{name}` is a task of {where}; a task can only wait for tasks of its own DAG"
    others = [n for n in names if n != me]
    match = closest(name, others)
    fix = None
    if match and home is None:
        fix = fixes.rename_reference(f"wait for `{match}` instead", path, match,
                                     span=span)
    return finding(path, message + did_you_mean(name, others), span=span, hint=hint, fix=fix)


def _expr_word(path, field, name, span):
    return finding(path, f"task `{name}` cannot be waited for: Argo evaluates `{field}` as an expr-lang "
                         f"expression, where `{name}` is a keyword, so `{name}.Succeeded` does not parse; "
                         f"`argo lint` accepts it, but the task errors when it is about to run",
                   hint=f"rename task `{name}` (for example `{name}-task`) and the references to it",
                   span=span)


def _check_dag(at, tasks, names):
    uses_depends = None        # the first task with a `depends`
    uses_dependencies = False  # some task has a non-empty `dependencies`
    continue_on = []
    for call in tasks:
        body = call.body
        if "continueOn" in body:
            continue_on.append(call)
        # `dependencies: [a, b]`
        dependencies = body.get("dependencies")
        if isinstance(dependencies, list) and dependencies:
            uses_dependencies = True
            for dep in dependencies:     # (usually each a task of the DAG: nothing to report)
                if type(dep) is not str or dep not in names or dep in EXPR_WORDS:
                    break
            else:
                dependencies = ()
            if dependencies:
                me = _name(call)
                for j, dep in enumerate(dependencies):
                    if isinstance(dep, str) and dep not in names and not is_dynamic(dep):
                        yield (call.path + ("dependencies", j), "dependencies", dep, None, me)
                    elif isinstance(dep, str) and dep in EXPR_WORDS:
                        yield _expr_word(call.path + ("dependencies", j), "dependencies", dep, None)
        # `depends: "a && b.Failed"`
        text = body.get("depends")
        if not isinstance(text, str) or text == "":
            continue
        if uses_depends is None:
            uses_depends = call
        if "{{" in text:      # (is_dynamic)
            continue
        tasks_named, plain = _operands(text)
        if plain and names.keys() >= tasks_named:
            continue      # no syntax error, known tasks, plain results, no keyword: nothing below to report
        me = _name(call)
        analysis = analyze(text)
        if analysis.error is not None:
            error = analysis.error
            yield finding(call.path + ("depends",), f"syntax error in `depends`: {error.message}",
                          span=(error.start, error.end), severity=WARNING,
                          hint="Argo accepts it, but the expression fails when the task is about to run")
        seen = set()
        for ref in analysis.refs:
            task = ref.task
            if task not in names:
                if task not in seen:
                    seen.add(task)
                    yield (call.path + ("depends",), "depends", task, (ref.start, ref.task_end), me)
                continue
            if task in EXPR_WORDS and task not in seen:
                seen.add(task)
                yield _expr_word(call.path + ("depends",), "depends", task, (ref.start, ref.task_end))
            if ref.result is not None:
                problem = _result_problem(ref, me, names)
                if problem is not None:
                    message, hint, span = problem
                    yield finding(call.path + ("depends",), message, hint=hint, span=span)

    if uses_depends is not None:
        # `depends` and `dependencies` in one DAG.
        if uses_dependencies:
            mixed = _mixed(tasks)
            if mixed is not None:
                yield mixed
        # `continueOn` where `depends` is used.
        for call in continue_on:
            name = call.name or "task"
            yield finding(call.path + ("continueOn",),
                          f"`continueOn` cannot be used in a DAG that uses `depends` "
                          f"({_label(uses_depends)}); Argo rejects it",
                          on_key=True,
                          hint=f"drop it and let the tasks after `{name}` wait for `{name}.Failed` or "
                               f"`{name}.Errored` in their `depends`")

    # `target: "a b"`: space-separated task names.
    target = model.as_str(at.template["dag"].get("target"))     # (a mapping: see callgraph.dags)
    if target:
        path = at.path + ("dag", "target")
        offset, empty = 0, False
        for piece in target.split(" "):
            start, offset = offset, offset + len(piece) + 1
            if is_dynamic(piece):
                continue
            if piece == "":
                if empty:  # one is enough
                    continue
                empty = True
                yield finding(path, "`target` has an empty task name (two spaces in a row, or a space at "
                                    "either end); Argo splits it on single spaces and rejects the empty name",
                              span=(start, start + 1),
                              hint="separate task names with exactly one space")
            elif piece not in names:
                yield (path, "target", piece, (start, start + len(piece)), None)


def _name(call):
    """A task's name (Call.name), read directly."""
    name = call.body.get("name")
    return name if type(name) is str else None


@functools.lru_cache(maxsize=8192)
def _operands(text: str):
    """(the tasks `depends` names, whether it parses, names no expr-lang keyword,
    and every result it asks for is one that needs nothing of the task), once per expression."""
    analysis = analyze(text)
    tasks = frozenset(ref.task for ref in analysis.refs)
    plain = analysis.error is None and EXPR_WORDS.isdisjoint(tasks) and all(
        ref.result is None or (ref.result in RESULTS and ref.result not in ITEM_RESULTS) for ref in analysis.refs)
    return tasks, plain


def _result_problem(ref, me, names):
    """(message, hint, span) for a result that is wrong, or None."""
    if ref.result not in RESULTS:
        close = _ALIASES.get(ref.result.lower()) or closest(ref.result, RESULTS)
        if close:
            case = " (results are case-sensitive)" if close.lower() == ref.result.lower() else ""
            message = (f"unknown task result `{ref.result}` for task `{ref.task}`{case}; "
                       f"did you mean `{close}`?")
        else:
            message = (f"unknown task result `{ref.result}` for task `{ref.task}`: use one of "
                       + ", ".join(RESULTS))
        return message, None, (ref.result_start, ref.end)
    if ref.result in ITEM_RESULTS and ref.task != me and not _loops(names[ref.task].body):
        return (f"`{ref.text}` needs task `{ref.task}` to loop ({_LOOPS}), but `{ref.task}` runs once",
                f"use `{ref.task}.Succeeded` / `{ref.task}.Failed`, or give `{ref.task}` a loop",
                (ref.start, ref.end))
    return None


def _mixed(tasks):
    hint = "`dependencies: [a, b]` is `depends: \"a && b\"`"
    for call in tasks:
        if _depends(call) is not None and model.as_list(call.body.get("dependencies")):
            return finding(call.path + ("dependencies",),
                           f"{_label(call)} has both `depends` and `dependencies`; Argo rejects "
                           "a DAG that uses both: move its `dependencies` into `depends`",
                           on_key=True, hint=hint)
    first = None
    for call in tasks:
        style = "depends" if _depends(call) is not None else \
            "dependencies" if model.as_list(call.body.get("dependencies")) else None
        if style is None:
            continue
        if first is None:
            first = (style, call)
        elif style != first[0]:
            return finding(call.path + (style,),
                           f"{_label(call)} uses `{style}` but {_label(first[1])} uses "
                           f"`{first[0]}`; Argo rejects a DAG that uses both: use `depends` throughout",
                           on_key=True, hint=hint)
    return None


def _label(call):
    return f"task `{call.name}`" if call.name else "a task without a name"


def _depends(call):
    text = call.body.get("depends")
    return text if isinstance(text, str) and text != "" else None


def _loops(task):
    items = task.get("withItems")
    param = task.get("withParam")
    return (items is not None and items != []) or (param is not None and param != "") \
        or task.get("withSequence") is not None
