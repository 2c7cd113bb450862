"""The tasks of a DAG do not depend on each other in a cycle."""

from collections import deque

from wflint import model
from wflint.depends import is_dynamic, references
from wflint.finding import finding

ID = "dag-cycle"
SEVERITY = "error"
SUMMARY = "The tasks of a DAG do not depend on each other in a cycle."

_MORE = 5  # how many other tasks of a tangle to name


def check(document, context):
    for at in model.all_templates(document):
        if isinstance(at.template.get("dag"), dict):
            yield from _check_dag(list(model.tasks(at)))


def _dependencies(call, index):
    """The tasks (node numbers) this one waits for, as Argo reads them:
    `depends` when set, else `dependencies`. Unknown and dynamic names are
    dag-dependency's business."""
    depends = call.body.get("depends")
    if isinstance(depends, str) and depends != "":
        if is_dynamic(depends):
            return ()
        return {index[ref.task] for ref in references(depends) if ref.task in index}
    return {index[dep] for dep in model.as_list(call.body.get("dependencies"))
            if isinstance(dep, str) and dep in index}


def _where(call, target):
    """(path, span) of the first place where ``call`` names task ``target``."""
    depends = call.body.get("depends")
    if isinstance(depends, str) and depends != "":
        for ref in references(depends):
            if ref.task == target:
                return call.path + ("depends",), (ref.start, ref.task_end)
    for j, dep in enumerate(model.as_list(call.body.get("dependencies"))):
        if dep == target:
            return call.path + ("dependencies", j), None
    return call.path, None


def _check_dag(tasks):
    # Nodes are task names, numbered in file order (a repeated name is one node).
    index, calls = {}, []
    for call in tasks:
        name = call.name
        if name and not is_dynamic(name) and name not in index:
            index[name] = len(calls)
            calls.append(call)
    if not calls:
        return
    n = len(calls)
    deps = [_dependencies(call, index) for call in calls]     # node -> the nodes it waits for

    for i, targets in enumerate(deps):
        if i in targets:
            name = calls[i].name
            path, span = _where(calls[i], name)
            yield finding(path, f"dependency cycle `{name} -> {name}`: `{name}` waits for itself, so it "
                                "can never start", span=span, hint="remove the dependency on itself")

    # Kahn: peel off every task whose dependencies can all finish; what is
    # left is in a cycle or waits for one. Most DAGs stop here.
    pending = [len(t) for t in deps]
    after = [[] for _ in range(n)]                      # node -> tasks that wait for it
    for i, targets in enumerate(deps):
        for j in targets:
            after[j].append(i)
    ready = [i for i in range(n) if pending[i] == 0]
    while ready:
        j = ready.pop()
        for i in after[j]:
            pending[i] -= 1
            if pending[i] == 0:
                ready.append(i)
    stuck = [i for i in range(n) if pending[i] > 0]
    if not stuck:
        return

    for component in _strongly_connected(stuck, after, n):
        if len(component) < 2:
            continue
        yield _report(component, calls, deps, after)


def _strongly_connected(nodes, after, n):
    """Tarjan's algorithm without recursion, over ``nodes`` (of 0..n-1) only."""
    allowed = [False] * n
    for node in nodes:
        allowed[node] = True
    number = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack, components = [], []
    counter = 0
    for root in nodes:
        if number[root] >= 0:
            continue
        work = [(root, 0)]
        while work:
            node, k = work.pop()
            if k == 0:
                number[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack[node] = True
            successors = after[node]
            descended = False
            while k < len(successors):
                nxt = successors[k]
                k += 1
                if not allowed[nxt]:
                    continue
                if number[nxt] < 0:
                    work.append((node, k))
                    work.append((nxt, 0))
                    descended = True
                    break
                if on_stack[nxt] and number[nxt] < low[node]:
                    low[node] = number[nxt]
            if descended:
                continue
            if low[node] == number[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack[member] = False
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
            if work:
                parent = work[-1][0]
                if low[node] < low[parent]:
                    low[parent] = low[node]
    components.sort()
    return components


def _report(component, calls, deps, after):
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
    where, span = _where(calls[start], calls[last].name)
    return finding(where, message, span=span,
                   hint="remove one dependency of the cycle; `a -> b` means `b` runs after `a`")
