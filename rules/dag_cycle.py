"""The tasks of a DAG do not depend on each other in a cycle."""

from collections import deque

from wflint.argo import callgraph
from wflint.finding import finding

ID = "dag-cycle"
SEVERITY = "error"
SUMMARY = "The tasks of a DAG do not depend on each other in a cycle."

_MORE = 5  # how many other tasks of a tangle to name


def check(document, context):
    for at in callgraph.dags(document):
        yield from _check_dag(callgraph.task_graph(at))


def _check_dag(graph):
    if not len(graph):
        return
    calls, deps = graph.calls, graph.deps
    # Most DAGs list each task after the tasks it waits for: then no task can be
    # in a cycle (nor wait for itself), and there is nothing more to look at.
    for i, targets in enumerate(deps):
        if targets and max(targets) >= i:
            break
    else:
        return
    for i, targets in enumerate(deps):
        if i in targets:
            name = calls[i].name
            path, span = graph.where(i, name)
            yield finding(path, f"dependency cycle `{name} -> {name}`: `{name}` waits for itself, so it "
                                "can never start", span=span, hint="remove the dependency on itself")

    # Kahn: peel off every task whose dependencies can all finish; what is
    # left is in a cycle or waits for one. Most DAGs stop here.
    stuck = graph.topological()[1]
    if not stuck:
        return

    for component in graph.strongly_connected(stuck):
        if len(component) < 2:
            continue
        yield _report(component, graph)


def _report(component, graph):
    calls, deps, after = graph.calls, graph.deps, graph.after
    """One finding per tangle: the shortest cycle through its first task (in
    file order), shown in the order the tasks would run, reported at the
    first task's dependency that closes it."""
    members = set(component)
    start = component[0]
    closing = set(deps[start]) & members
    closing.discard(start)
    parent = {start: None}
    queue = deque([start])
    last = None
    while queue:
        node = queue.popleft()
        if node != start and node in closing:
            last = node
            break
        for nxt in after[node]:
            if nxt in members and nxt not in parent:
                parent[nxt] = node
                queue.append(nxt)
    path = []
    node = last
    while node is not None:
        path.append(node)
        node = parent[node]
    path.reverse()
    names = [calls[i].name for i in path]
    first, back = names[0], names[-1]
    shown = " -> ".join(names + [first])
    message = (f"dependency cycle `{shown}`: `{first}` waits for `{back}`, which itself waits for "
               f"`{first}`, so none of them can start")
    on_path = set(path)
    others = [calls[i].name for i in component if i not in on_path]
    if others:
        listed = ", ".join(f"`{name}`" for name in others[:_MORE])
        if len(others) > _MORE:
            listed += f" and {len(others) - _MORE} more"
        message += f" ({listed} {'is' if len(others) == 1 else 'are'} caught in it too)"
    where, span = graph.where(start, calls[last].name)
    return finding(where, message, span=span,
                   hint="remove one dependency of the cycle; `a -> b` means `b` runs after `a`")
