#!/usr/bin/env python3
"""Validate Argo manifests against a generated wflint schema.

    python3 scripts/check_schemas.py [--schema schemas/argo-4.1.json] PATH...
    python3 scripts/check_schemas.py --probes

Every YAML document under PATH (files or folders, searched recursively for
*.yaml / *.yml) whose apiVersion starts with ``argoproj.io/`` and whose kind is
one of the schema's kinds is validated with jsonschema's Draft7Validator, after
the same preparation wflint's loader does: timestamps stay strings and
null-valued mapping keys are dropped recursively.  Every error is printed with
its file, document index and JSON path.  Exit status 1 if any document fails.

--probes validates small broken manifests that the strict schema must catch,
each with exactly one error at an expected path.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import jsonschema
import yaml

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SCHEMA = REPO / "schemas" / "argo-4.1.json"

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Loader(_BaseLoader):
    """Safe loader that keeps dates and timestamps as strings."""


Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


def drop_nulls(value):
    if isinstance(value, dict):
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_nulls(v) for v in value]
    return value


def validators(schema_path):
    schema = json.loads(Path(schema_path).read_text(encoding="utf-8"))
    out = {}
    for kind, ref in schema["kinds"].items():
        root = {"$ref": ref, "definitions": schema["definitions"]}
        jsonschema.Draft7Validator.check_schema(root)
        out[kind] = jsonschema.Draft7Validator(root)
    return out


def json_path(error):
    path = "$"
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def describe(error):
    if error.validator == "additionalProperties":
        return error.message
    if error.validator in ("anyOf", "oneOf") and error.context:
        best = jsonschema.exceptions.best_match(error.context)
        return f"{error.message} (closest: {best.message})"
    return error.message


def argo_documents(text):
    for index, doc in enumerate(yaml.load_all(text, Loader=Loader)):
        if not isinstance(doc, dict):
            continue
        api = doc.get("apiVersion")
        if isinstance(api, str) and api.startswith("argoproj.io/"):
            yield index, drop_nulls(doc)


def check_doc(vals, doc):
    validator = vals.get(doc.get("kind"))
    if validator is None:
        return None
    return sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))


def yaml_files(paths):
    for p in map(Path, paths):
        if p.is_dir():
            yield from sorted(x for x in p.rglob("*") if x.suffix in (".yaml", ".yml") and x.is_file())
        else:
            yield p


def check_paths(vals, paths):
    checked = failed = skipped = 0
    for f in yaml_files(paths):
        try:
            docs = list(argo_documents(f.read_text(encoding="utf-8")))
        except yaml.YAMLError as exc:
            print(f"{f}: YAML error: {exc}")
            failed += 1
            continue
        for index, doc in docs:
            errors = check_doc(vals, doc)
            if errors is None:
                skipped += 1
                continue
            checked += 1
            if errors:
                failed += 1
                for e in errors:
                    print(f"{f}#{index} ({doc.get('kind')}): {json_path(e)}: {describe(e)}")
    print(f"{checked - failed} passed, {failed} failed ({skipped} argoproj.io documents of other kinds skipped)")
    return failed == 0


BASE = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: probe-
spec:
  entrypoint: main
  templates:
  - name: main
    inputs:
      parameters:
      - name: p
    dag:
      tasks:
      - name: a
        template: echo
      - name: b
        template: echo
        dependencies: [a]
  - name: echo
    container:
      image: alpine:3.23
      command: [echo, hi]
"""

# (name, text replacement on BASE, expected JSON path, expected validator)
PROBES = [
    ("misspelt serviceAccountName", ("  entrypoint: main\n", "  entrypoint: main\n  serviceAcountName: x\n"),
     "$.spec", "additionalProperties"),
    ("misspelt dependencies", ("dependencies: [a]", "dependancies: [a]"),
     "$.spec.templates[0].dag.tasks[1]", "additionalProperties"),
    ("misspelt parameters", ("    inputs:\n      parameters:", "    inputs:\n      parmeters:"),
     "$.spec.templates[0].inputs", "additionalProperties"),
    ("parallelism not a number", ("  entrypoint: main\n", "  entrypoint: main\n  parallelism: two\n"),
     "$.spec.parallelism", "type"),
    ("command as a string", ("command: [echo, hi]", "command: echo hi"),
     "$.spec.templates[1].container.command", "type"),
]


def run_probes(vals):
    ok = True
    base = yaml.load(BASE, Loader=Loader)
    base_errors = list(vals["Workflow"].iter_errors(base))
    if base_errors:
        print("probe base manifest is invalid:", [e.message for e in base_errors])
        return False
    for name, (old, new), want_path, want_validator in PROBES:
        if old not in BASE:
            raise SystemExit(f"probe {name}: {old!r} not in the base manifest")
        doc = drop_nulls(yaml.load(BASE.replace(old, new, 1), Loader=Loader))
        errors = list(vals["Workflow"].iter_errors(doc))
        got = [(json_path(e), e.validator, describe(e)) for e in errors]
        good = len(errors) == 1 and got[0][0] == want_path and got[0][1] == want_validator
        ok &= good
        print(f"{'PASS' if good else 'FAIL'} {name}: {len(errors)} error(s)")
        for path, validator, message in got:
            print(f"    {path} [{validator}]: {message}")
    return ok


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", help="YAML files or folders")
    ap.add_argument("--schema", default=DEFAULT_SCHEMA, help="schema file (default %(default)s)")
    ap.add_argument("--probes", action="store_true", help="run the strictness probes")
    args = ap.parse_args(argv)
    if not args.paths and not args.probes:
        ap.error("give PATHs and/or --probes")
    vals = validators(args.schema)
    ok = True
    if args.probes:
        ok &= run_probes(vals)
    if args.paths:
        ok &= check_paths(vals, args.paths)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
