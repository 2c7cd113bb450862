"""The shape of the code: layers, import directions, no cycles, rules apart, real dependencies.

Read from the source with ``ast`` (every import, function-level ones too), so
it holds for modules added later. A module's layer is its package
(``wflint/argo/...`` is in ``argo``). While the modules are still flat
(``wflint/model.py``), the layer is the package ``scripts/relayout.py`` will
move them to, so this test holds before and after the relayout; a flat module
that table does not know fails here, with what to do.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
from pathlib import Path
from typing import Dict, Iterable, List, Set

import pytest

ROOT = Path(__file__).resolve().parent.parent
PKG = "wflint"

# Package (under wflint) -> layer. Top-level modules are listed one by one.
PACKAGE_LAYERS = {"source": "source", "lang": "lang", "k8s": "k8s", "argo": "argo", "run": "run",
                  "render": "render", "cli": "cli", "lsp": "cli", "rules": "rules", "schemas": "data"}
TOP_LEVEL = {"": "core", "finding": "core", "suggest": "core", "escape": "core", "ruleids": "core", "fix": "core",      # wflint itself: __version__
             "slots": "core", "lazyre": "core",
             "rule": "plugin", "api": "plugin",                     # what rules and plugins import
             "testing": "testing", "__main__": "cli"}

BELOW_ARGO = {"core", "source", "lang", "k8s"}
# Layer -> the layers it may import (its own included).
ALLOWED: Dict[str, Set[str]] = {
    "core": {"core"},
    "source": {"core", "source"},
    "lang": {"core", "source", "lang"},
    "k8s": BELOW_ARGO,
    "argo": BELOW_ARGO | {"argo"},
    "plugin": BELOW_ARGO | {"argo", "plugin"},
    "rules": BELOW_ARGO | {"argo", "plugin", "rules"},
    "render": {"core", "plugin", "render"},
    "run": BELOW_ARGO | {"argo", "plugin", "rules", "render", "run", "data"},
    "testing": BELOW_ARGO | {"argo", "plugin", "rules", "render", "run", "testing"},
    "cli": BELOW_ARGO | {"argo", "plugin", "rules", "render", "run", "testing", "cli"},
    "data": set(),
}
# Imports that break the table today, each with why and what fixes it. The
# test fails when one of them is gone, so the list only shrinks.
KNOWN_EXCEPTIONS: Dict = {}

# Runtime dependencies -> the module that uses them (when it is not the same name).
IMPORT_NAME = {"pyyaml": "yaml", "tzdata": "zoneinfo"}  # tzdata is data for the standard zoneinfo
# Declared for work under way: xfail while nothing imports them, then this test holds them.
EXPECTED_LATER = {"networkx": "`wflint graph` (issue 16 item 6) builds its graphs with networkx",
                  "ruamel.yaml": "autofix rewrites YAML with ruamel.yaml (the autofix issue)"}


def _relayout_table() -> Dict[str, str]:
    script = ROOT / "scripts" / "relayout.py"
    if not script.is_file():
        return {}
    spec = importlib.util.spec_from_file_location("_relayout", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.MOVES)


def _files() -> Dict[str, Path]:
    """Module name -> file, for wflint/ and rules/ (installed as wflint.rules)."""
    found = {}
    for path in sorted((ROOT / PKG).rglob("*.py")) + sorted((ROOT / "rules").rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("").parts
        parts = [PKG, "rules", *rel[1:]] if rel[0] == "rules" else list(rel)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


FILES = _files()
MOVES = _relayout_table()


def _imports(module: str, path: Path) -> Set[str]:
    """The wflint modules ``module`` imports, anywhere in it."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = ".".join(base[:len(base) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in FILES else base for alias in node.names]
        else:
            continue
        for name in names:
            while name and name not in FILES:  # `import wflint.a.b` imports wflint.a.b; an attribute its module
                name = name.rpartition(".")[0]
            if name.startswith(PKG) and name != module:
                out.add(name)
    return out


GRAPH = {module: _imports(module, path) for module, path in FILES.items()}


def layer_of(module: str) -> str:
    parts = module.split(".")[1:]
    if not parts or (len(parts) == 1 and parts[0] in TOP_LEVEL):
        return TOP_LEVEL["" if not parts else parts[0]]
    flat = len(parts) == 1 and FILES.get(module, Path()).name != "__init__.py"
    if flat and parts[0] in MOVES:  # still flat: where the relayout puts it
        return PACKAGE_LAYERS[MOVES[parts[0]].split(".")[0]]
    if not flat and parts[0] in PACKAGE_LAYERS:
        return PACKAGE_LAYERS[parts[0]]
    return "?"


def strongly_connected(graph: Dict[str, Iterable[str]]) -> List[List[str]]:
    """Tarjan's components, iteratively."""
    index, low, on_stack, stack, out, counter = {}, {}, set(), [], [], 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    out.append(sorted(component))
    return out


def test_the_component_finder_finds_cycles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert sorted(map(sorted, strongly_connected(graph))) == [["a", "b", "c"], ["d"], ["e"]]
    deep = {str(i): {str(i + 1)} for i in range(5000)}
    deep["5000"] = {"0"}
    assert len(strongly_connected(deep)[0]) == 5001  # no recursion limit


def test_the_import_graph_is_read():
    assert len(FILES) > 40
    assert any(GRAPH.values()) and any(layer_of(m) == "rules" for m in FILES)


def test_no_import_cycle():
    cycles = [c for c in strongly_connected(GRAPH) if len(c) > 1]
    assert not cycles, "import cycles (a module reaches itself through these): " + "; ".join(
        " <-> ".join(c) for c in cycles)


def test_every_module_has_a_layer():
    unknown = sorted(m for m in FILES if layer_of(m) == "?")
    assert not unknown, (f"{unknown} belong to no layer: put each in a package (source, lang, k8s, argo, run, "
                         "render, cli), or, before the relayout, give it a place in MOVES of scripts/relayout.py")


def test_imports_go_down_the_layers():
    wrong, used = [], set()
    for module, targets in GRAPH.items():
        mine = layer_of(module)
        for target in targets:
            theirs = layer_of(target)
            if "?" in (mine, theirs) or theirs in ALLOWED[mine]:
                continue
            if (mine, theirs) in KNOWN_EXCEPTIONS:
                used.add((mine, theirs))
                continue
            wrong.append(f"{module} ({mine}) imports {target} ({theirs})")
    assert not wrong, "imports against the layers:\n" + "\n".join(sorted(wrong))
    gone = set(KNOWN_EXCEPTIONS) - used
    assert not gone, f"no longer needed, remove from KNOWN_EXCEPTIONS: {sorted(gone)}"


def test_no_rule_module_imports_another_rule_module():
    rules = {m for m in FILES if m.startswith(PKG + ".rules.")}
    shared = {m for m in rules if m.rpartition(".")[2].startswith("_")}  # rules/_helpers.py and the like
    wrong = sorted(f"{m} imports {t}" for m in rules - shared for t in GRAPH[m] if t in rules - shared)
    assert not wrong, ("a rule module imports another; move what they share to rules/_helpers.py:\n"
                       + "\n".join(wrong))


def _declared() -> List[str]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0].strip().lower() for spec in project["dependencies"]]


def _imported_third_party() -> Set[str]:
    names = set()
    for path in FILES.values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names.add(node.module)
    return {n for n in names if n.split(".")[0] != PKG}


IMPORTED = _imported_third_party()


@pytest.mark.parametrize("dependency", _declared())
def test_every_declared_dependency_is_imported(dependency):
    module = IMPORT_NAME.get(dependency, dependency)
    found = any(name == module or name.startswith(module + ".") for name in IMPORTED)
    if not found and dependency in EXPECTED_LATER:
        pytest.xfail(f"{dependency} is declared but not imported yet: {EXPECTED_LATER[dependency]}")
    assert found, f"{dependency} is declared in pyproject.toml but nothing imports {module}: use it or drop it"


def _declared_extra(extra: str) -> List[str]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    return [re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0].strip().lower() for spec in extras.get(extra, [])]


def test_every_imported_package_is_declared():
    # The language server's libraries are an extra (`wflint[lsp]`), imported only by `wflint lsp`.
    declared = ({IMPORT_NAME.get(d, d).split(".")[0] for d in _declared() + _declared_extra("lsp")}
                | {"tomllib", "tomli"})
    stdlib = set(getattr(sys, "stdlib_module_names", ())) or pytest.skip("needs Python 3.10+")
    missing = sorted({n.split(".")[0] for n in IMPORTED} - declared - stdlib - {"__future__", "_yaml"})
    assert not missing, f"imported but not declared in pyproject.toml's dependencies: {missing}"
