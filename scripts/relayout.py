#!/usr/bin/env python3
"""Move wflint's flat modules into layered packages, and rewrite every reference.

Run it from the repository root, on a clean work tree, after merging:

    python3 scripts/relayout.py --dry-run     # the plan: moves, rewrites, unknown modules
    python3 scripts/relayout.py               # do it (git mv, then rewrite in place)

then reinstall (`pip install -e .`), run the tests and commit. Running it again
changes nothing (it prints "nothing to do").

What it does:

* ``git mv wflint/<name>.py wflint/<package>/<new>.py`` for each module of
  ``MOVES``, so history follows (``git log --follow``); creates each package's
  ``__init__.py`` (a docstring saying what the layer knows);
* rewrites references to a moved module in every tracked ``.py`` file of
  wflint/, rules/, tests/, bench/ and scripts/, and in README.md,
  CONTRIBUTING.md, rules/*.md and pyproject.toml:
  - ``from wflint import model`` and relative imports (``from .model import x``,
    ``from . import source as sources``, function-level ones too), read with the
    ``ast`` module, re-written relative to the module's new place;
  - every dotted name ``wflint.<module>...`` anywhere in the text: absolute
    imports, ``import wflint.x`` and its uses, strings such as
    ``mock.patch("wflint.x.y")``, ``-m wflint.x``, entry points
    (``wflint.cli:main``), docstrings and comments;
  - paths ``wflint/<module>.py`` in text, and bare ``<module>.py`` in the
    Markdown files;
* rewrites ``[tool.setuptools] packages`` in pyproject.toml to the package list.

A reference is rewritten only while its old module is stale: the old file
still exists when the run starts (it is about to move), or the old name
resolves to no module any more. So a second run is a no-op, and a later run
still fixes old-style references merged in the meantime, except for
``wflint.source`` and ``wflint.cli``, which became the packages of the same
name (those must be fixed by hand after the first run).

Modules it does not know (a flat ``wflint/<name>.py`` in neither ``MOVES`` nor
``STAY``): mapped by a ``GUESSES`` pattern if one fits (printed as "guessed"),
or ``--map name=package.module``; otherwise left where they are, with their
imports rewritten, and listed under "UNKNOWN" in the output; the exit status
is then 1 (``tests/test_architecture.py`` also fails until they have a layer).
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import subprocess
import sys
from typing import Dict, List, Optional, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Each package, what it knows, and (in the order of the layers) who may import it
# (tests/test_architecture.py holds the allowed directions).
PACKAGES = {
    "source": "Files to documents with positions: reading, discovery, YAML loading, scalars.\n\n"
              "Knows YAML and the Kubernetes document header (kind, apiVersion, metadata), not Argo's\n"
              "fields. Imports nothing of wflint but `finding` and `suggest`.",
    "lang": "Argo's small languages: template tags, expressions, `when`, `depends`, cron schedules,\n"
            "durations and label selectors. Each parses text and reports offsets; none knows a\n"
            "document. Imports only `source`, `finding` and `suggest`.",
    "k8s": "Kubernetes facts: resource kinds and scopes, and the RBAC authorizer. Imports only\n"
           "`source`, `lang` and the top-level core modules.",
    "argo": "Argo Workflows: the model of a workflow (templates, calls), the project index,\n"
            "variable scopes, the schema, the permissions a workflow needs, and Argo versions.\n"
            "Imports `source`, `lang`, `k8s` and the core modules.",
    "run": "One run of wflint: the engine (phases, parallel workers), options and config, the\n"
           "rule registry, results cache, suppressions and baseline. May import every layer\n"
           "below it, never `cli`.",
    "cli": "The command line: `wflint check`, `wflint rbac`, and the other commands. The top layer.",
}

# Old flat module (wflint/<name>.py) -> new dotted place under wflint.
MOVES: Dict[str, str] = {
    # source: files -> documents with positions
    "source": "source.files",
    "loader": "source.loader",
    "document": "source.document",
    "scalars": "source.scalars",
    "discovery": "source.discovery",
    "cachefile": "source.cachefile",
    "coerce": "source.coerce",
    "globmatch": "source.globmatch",
    "textedit": "source.textedit",   # a fix's edits by node path -> text edits (autofix)
    # lang: Argo's small languages
    "tags": "lang.tags",
    "expr": "lang.expr",
    "when": "lang.when",
    "depends": "lang.depends",
    "cron": "lang.cron",
    "durations": "lang.durations",
    "selector": "lang.selector",
    # k8s: Kubernetes facts
    "kinds": "k8s.kinds",
    "rbac": "k8s.rbac",
    "embedded": "k8s.embedded",
    "nearmiss": "k8s.nearmiss",
    "kustomize": "k8s.kustomize",
    # argo: the Argo model and what is derived from it
    "model": "argo.model",
    "index": "argo.index",
    "project": "argo.project",
    "scope": "argo.scope",
    "schema": "argo.schema",
    "fastschema": "argo.fastschema",
    "permissions": "argo.permissions",
    "argo_version": "argo.version",
    "callgraph": "argo.callgraph",
    "pods": "argo.pods",
    "taint": "argo.taint",
    "schema_export": "argo.schema_export",
    "helm": "argo.helm",
    "graph_build": "argo.graph",
    "documents": "argo.documents",
    # run: one run
    "engine": "run.engine",
    "fixer": "run.fixer",            # check --fix / --diff: applies fixes, writes files (autofix)
    "pipeline": "run.pipeline",
    "options": "run.options",
    "workspace": "run.workspace",
    "parallel": "run.parallel",
    "forked": "run.forked",
    "config": "run.config",
    "registry": "run.registry",
    "results": "run.results",
    "suppress": "run.suppress",
    "baseline": "run.baseline",
    "safewrite": "run.safewrite",
    # cli
    "cli": "cli.main",
    "rbac_command": "cli.rbac",
    "graph_command": "cli.graph",
    "graph_render": "cli.graph_format",
    "syspath": "cli.syspath",
}

# Top-level modules that stay: the package, `python -m wflint`, and the public
# API that rules and plugins import (finding, rule, suggest, testing, api).
STAY = {"__init__", "__main__", "finding", "rule", "suggest", "testing", "api", "escape",
        "fix", "ruleids",  # the fix model rules attach to findings: core, beside finding
        "slots",   # plain value classes (dataclasses' equality and repr without their import cost)
        "lazyre"}  # regular expressions compiled on first use

# Modules added after this table was written (e.g. by a branch merged later):
# (pattern on the module name, new place with {name}). Printed as "guessed".
GUESSES: List[Tuple[str, str]] = [
    (r"^(.+)_command$", "cli.{1}"),                       # wflint <x>: graph_command -> cli/graph.py
    (r"^(call_?graph|task_?graph|graphs?)$", "argo.{0}"),  # the Argo call graph
    (r"^(pipeline|options|phases|record|records)$", "run.{0}"),
    (r"^(autofix|fix|fixes)$", "run.{0}"),
]

TEXT_DIRS = ("wflint", "rules", "tests", "bench", "scripts")
DOCS = ("README.md", "CONTRIBUTING.md")
SKIP = {"scripts/relayout.py", "tests/test_architecture.py", "tests/test_relayout.py"}  # old names on purpose
IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def git(*args: str, capture: bool = True) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, text=True,
                          capture_output=capture).stdout


# --- names and files -------------------------------------------------------

def module_of(path: str) -> str:
    """The dotted module of a repository path (rules/ installs as wflint.rules)."""
    parts = path[:-3].split("/")
    if parts[0] == "rules":
        parts = ["wflint", "rules"] + parts[1:]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def path_of(module: str) -> str:
    return module.replace(".", "/") + ".py"


def resolves(module: str) -> bool:
    """Is there such a module or package in the work tree (as it is now)?"""
    parts = module.split(".")
    if parts[:2] == ["wflint", "rules"]:
        parts = ["rules"] + parts[2:]
    base = os.path.join(ROOT, *parts)
    return os.path.isfile(base + ".py") or os.path.isfile(os.path.join(base, "__init__.py"))


class Plan:
    def __init__(self, extra: Dict[str, str]):
        self.moves: Dict[str, str] = {}       # old flat name -> new dotted place (under wflint)
        self.guessed: Dict[str, str] = {}
        self.unknown: List[str] = []
        flat = sorted(f[:-3] for f in os.listdir(os.path.join(ROOT, "wflint")) if f.endswith(".py"))
        table = {**MOVES, **extra}
        for name in flat:
            if name in STAY:
                continue
            if name in table:
                continue
            for pattern, place in GUESSES:
                match = re.match(pattern, name)
                if match:
                    self.guessed[name] = place.format(*([match.group(0)] + list(match.groups())))
                    break
            else:
                self.unknown.append(name)
        table.update(self.guessed)
        self.table = table
        self.packages_dirs = sorted(d for d in os.listdir(os.path.join(ROOT, "wflint"))
                                    if os.path.isdir(os.path.join(ROOT, "wflint", d)) and not d.startswith("__"))
        for name, place in table.items():
            if os.path.isfile(os.path.join(ROOT, "wflint", name + ".py")):
                self.moves[name] = place
        # stale: the old name still has its file (it moves now) or resolves to nothing
        self.stale = {name: "wflint." + place for name, place in table.items()
                      if name in self.moves or not resolves("wflint." + name)}
        for name, place in table.items():
            if place.split(".")[0] not in PACKAGES or len(place.split(".")) != 2:
                raise SystemExit(f"relayout: {name} -> {place}: the place must be PACKAGE.MODULE, "
                                 f"PACKAGE one of {', '.join(PACKAGES)}")

    def new_module(self, module: str) -> Optional[str]:
        """The new name of a dotted module reference, or None if it stays."""
        parts = module.split(".")
        if len(parts) >= 2 and parts[0] == "wflint" and parts[1] in self.stale:
            return ".".join([self.stale[parts[1]]] + parts[2:])
        return None

    def where(self, path: str) -> str:
        """A file's path once moved."""
        if path.startswith("wflint/") and path.count("/") == 1:
            name = path[len("wflint/"):-3]
            if name in self.moves:
                return path_of("wflint." + self.moves[name])
        return path


# --- rewriting --------------------------------------------------------------

def _relative(from_module: str, is_package: bool, target: str) -> str:
    """``target`` as a relative import base from ``from_module``."""
    package = from_module.split(".") if is_package else from_module.split(".")[:-1]
    parts = target.split(".")
    common = 0
    while common < min(len(package), len(parts)) and package[common] == parts[common]:
        common += 1
    level = len(package) - common + 1
    return "." * level + ".".join(parts[common:])


def _format(base: str, names: List[Tuple[str, Optional[str]]], indent: int) -> str:
    shown = [f"{n} as {a}" if a and a != n else n for n, a in names]
    line = f"from {base} import {', '.join(shown)}"
    if indent + len(line) <= 110:
        return line
    head = f"from {base} import ("
    out, current = [], head
    for i, item in enumerate(shown):
        piece = item + (", " if i < len(shown) - 1 else ")")
        if len(current) + len(piece.rstrip()) + indent > 110 and current.strip() != head.strip():
            out.append(current.rstrip())
            current = " " * len(head)
        current += piece
    out.append(current)
    return ("\n" + " " * indent).join(out)


def rewrite_imports(text: str, path: str, plan: Plan) -> str:
    """``from wflint import x`` and relative imports, by the AST."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return text
    old_module = module_of(path)
    is_package = path.endswith("__init__.py")
    new_path = plan.where(path)
    new_module = module_of(new_path)
    moved = new_path != path
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    edits = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level == 0 and node.module != "wflint":
            continue  # absolute `from wflint.x import`: the dotted-name pass
        if node.level:
            if not (path.startswith("wflint/") or path.startswith("rules/")):
                continue
            package = old_module.split(".") if is_package else old_module.split(".")[:-1]
            base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
        else:
            base = "wflint"
        groups: Dict[str, List[Tuple[str, Optional[str]]]] = {}
        changed = False
        for alias in node.names:
            if base == "wflint" and alias.name in plan.stale:  # a module: `from wflint import model`
                target_base, last = plan.stale[alias.name].rsplit(".", 1)
                groups.setdefault(target_base, []).append((last, alias.asname or (alias.name if last != alias.name
                                                                                  else None)))
                changed = True
            else:
                target = plan.new_module(base) or base
                changed = changed or target != base
                groups.setdefault(target, []).append((alias.name, alias.asname))
        if not changed and not (node.level and moved):
            continue
        statements = []
        for target, names in groups.items():
            shown = _relative(new_module, is_package, target) if node.level else target
            statements.append(_format(shown, names, node.col_offset))
        start = offsets[node.lineno - 1] + node.col_offset
        end = offsets[node.end_lineno - 1] + node.end_col_offset
        edits.append((start, end, ("\n" + " " * node.col_offset).join(statements)))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


DOTTED = re.compile(r"(?<![\w./-])wflint\.(" + IDENT + r")")
PATHS = re.compile(r"(?<![\w./-])wflint/(" + IDENT + r")\.py\b")
BARE = re.compile(r"(?<![\w./-])(" + IDENT + r")\.py\b(─*)")  # ─: keep a diagram's arrows aligned


FROM_WFLINT = re.compile(r"(?m)^([ \t]*)from wflint import (" + IDENT + r"(?: as " + IDENT + r")?"
                         r"(?:, *" + IDENT + r"(?: as " + IDENT + r")?)*)[ \t]*$")


def rewrite_from_wflint_lines(text: str, plan: Plan) -> str:
    """``from wflint import model`` as text: in Markdown code, and in Python
    strings (a plugin a test writes out); the AST pass has done the real ones."""
    def line(match):
        indent, names = match.group(1), [n.strip() for n in match.group(2).split(",")]
        groups: Dict[str, List[Tuple[str, Optional[str]]]] = {}
        for item in names:
            name, _, alias = item.partition(" as ")
            if name in plan.stale:
                base, last = plan.stale[name].rsplit(".", 1)
                groups.setdefault(base, []).append((last, alias or (name if last != name else None)))
            else:
                groups.setdefault("wflint", []).append((name, alias or None))
        if list(groups) == ["wflint"]:
            return match.group(0)
        return "\n".join(indent + _format(base, names, len(indent)) for base, names in groups.items())
    return FROM_WFLINT.sub(line, text)


def rewrite_names(text: str, plan: Plan, markdown: bool = False) -> str:
    def dotted(match):
        new = plan.stale.get(match.group(1))
        return new if new else match.group(0)

    def slashed(match):
        new = plan.stale.get(match.group(1))
        return path_of(new) if new else match.group(0)

    text = DOTTED.sub(dotted, text)
    text = PATHS.sub(slashed, text)
    if markdown:
        def bare(match):
            new = plan.stale.get(match.group(1))
            if not new:
                return match.group(0)
            shown = path_of(new)[len("wflint/"):]
            dashes = match.group(2)
            if dashes:  # `──engine.py────>` becomes `──run/engine.py>` rather than a longer arrow
                dashes = "─" * max(2, len(dashes) - (len(shown) - len(match.group(1) + ".py")))
            return shown + dashes
        text = BARE.sub(bare, text)
    return text


COMPAT_MARK = "# Modules that moved into packages (scripts/relayout.py)"


def add_compat(text: str, plan: Plan) -> str:
    """Plugins written before the move say ``from wflint import model``: the
    package answers those old names (PEP 562), with no module left behind. Old
    names that are now packages themselves (source, cli) are left out."""
    moved = {name: "wflint." + place for name, place in sorted(plan.table.items())
             if not resolves("wflint." + name) or name in plan.moves}
    moved = {name: where for name, where in moved.items() if name not in PACKAGES}
    if COMPAT_MARK in text:
        return text
    rows = "".join(f'\n    "{name}": "{where}",' for name, where in moved.items())
    return text.rstrip("\n") + f'''


{COMPAT_MARK}: plugins written before import them
# from here (`from wflint import model`); new code imports them from their
# package, or the plugin API from wflint.api.
_MOVED = {{{rows}
}}


def __getattr__(name):
    if name in _MOVED:
        import importlib
        return importlib.import_module(_MOVED[name])
    raise AttributeError(f"module {{__name__!r}} has no attribute {{name!r}}")
'''


def rewrite_pyproject(text: str, plan: Plan) -> str:
    text = rewrite_names(text, plan)
    packages = {"wflint", "wflint.rules", "wflint.schemas", "wflint.render"}
    packages |= {"wflint." + d for d in plan.packages_dirs}
    packages |= {"wflint." + place.split(".")[0] for place in plan.table.values() if "." in place}
    shown = "".join(f'\n    "{p}",' for p in sorted(packages))
    return re.sub(r'(?m)^packages = \[[^\]]*\]', f"packages = [{shown}\n]", text)


# --- the run ----------------------------------------------------------------

def tracked(plan: Plan) -> List[str]:
    files = git("ls-files", *TEXT_DIRS).split("\n")
    out = [f for f in files if f.endswith(".py") and f not in SKIP and not f.startswith("tests/fixtures/")]
    out += [f for f in files if f.startswith("rules/") and f.endswith(".md")]
    out += [d for d in DOCS if os.path.isfile(os.path.join(ROOT, d))]
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="print the plan and change nothing")
    parser.add_argument("--map", action="append", default=[], metavar="NAME=PACKAGE.MODULE",
                        help="place a module the table does not know, e.g. --map graph_cmd=cli.graph")
    parser.add_argument("--allow-dirty", action="store_true", help="run on a work tree with uncommitted changes")
    args = parser.parse_args(argv)
    extra = {}
    for item in args.map:
        name, _, place = item.partition("=")
        if not place or place.split(".")[0] not in PACKAGES:
            parser.error(f"--map {item}: write NAME=PACKAGE.MODULE with PACKAGE one of {', '.join(PACKAGES)}")
        extra[name] = place
    os.chdir(ROOT)
    if not args.dry_run and not args.allow_dirty and git("status", "--porcelain", "--untracked-files=no").strip():
        print("relayout: the work tree has uncommitted changes; commit them first (or --allow-dirty)",
              file=sys.stderr)
        return 2
    plan = Plan(extra)

    rewrites: Dict[str, str] = {}
    for path in tracked(plan):
        with open(path, encoding="utf-8") as handle:
            old = handle.read()
        if path.endswith(".md"):
            new = rewrite_from_wflint_lines(rewrite_names(old, plan, markdown=path in DOCS), plan)
        else:
            new = rewrite_from_wflint_lines(rewrite_imports(rewrite_names(old, plan), path, plan), plan)
        if new != old:
            rewrites[path] = new
    with open("pyproject.toml", encoding="utf-8") as handle:
        old = handle.read()
    new = rewrite_pyproject(old, plan)
    if new != old:
        rewrites["pyproject.toml"] = new
    with open("wflint/__init__.py", encoding="utf-8") as handle:
        old = rewrites.get("wflint/__init__.py", handle.read())
    new = add_compat(old, plan)
    if new != old:
        rewrites["wflint/__init__.py"] = new
    inits = [f"wflint/{p}/__init__.py" for p in sorted({place.split(".")[0] for place in plan.moves.values()})
             if not os.path.isfile(f"wflint/{p}/__init__.py")]

    for name, place in sorted(plan.moves.items(), key=lambda item: item[1]):
        print(f"move    wflint/{name}.py -> {path_of('wflint.' + place)}"
              + ("   (guessed)" if name in plan.guessed else ""))
    for init in inits:
        print(f"create  {init}")
    for path in sorted(rewrites):
        print(f"rewrite {plan.where(path)}")
    if plan.unknown:
        print("\nUNKNOWN modules (left in place, imports rewritten; give each a layer with "
              "--map NAME=PACKAGE.MODULE and run again):")
        for name in plan.unknown:
            print(f"  wflint/{name}.py")
    if not (plan.moves or inits or rewrites):
        print("nothing to do: the layout is already in packages")
    if args.dry_run:
        return 1 if plan.unknown else 0

    for name, place in sorted(plan.moves.items()):
        target = path_of("wflint." + place)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        git("mv", f"wflint/{name}.py", target)
    for init in inits:
        package = init.split("/")[1]
        with open(init, "w", encoding="utf-8") as handle:
            handle.write('"""' + PACKAGES[package] + '\n"""\n')
        git("add", init)
    for path, text in rewrites.items():
        with open(plan.where(path), "w", encoding="utf-8") as handle:
            handle.write(text)
    return 1 if plan.unknown else 0


if __name__ == "__main__":
    sys.exit(main())
