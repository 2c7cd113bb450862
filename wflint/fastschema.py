"""A yes/no validator compiled from wflint's schemas into Python closures.

Nearly every document is valid, and asking jsonschema only "is it valid?"
still costs its full generic machinery (about 0.4 ms a document). The
schemas use a small subset of JSON Schema (type, properties,
additionalProperties, required, items, enum, const, pattern, $ref), which
compiles into a few closures per definition that check a valid document in a
fraction of that. Only documents that fail go through jsonschema, for its
detailed errors; so a mistake here can cost speed, never correctness, as
long as this never calls an invalid document valid. A test compares the two
on every fixture and example.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict

Check = Callable[[Any], bool]


def _type_check(names) -> Check:
    if isinstance(names, str):
        names = [names]
    tests = []
    for name in names:
        if name == "object":
            tests.append(lambda x: type(x) is dict)
        elif name == "array":
            tests.append(lambda x: type(x) is list)
        elif name == "string":
            tests.append(lambda x: type(x) is str)
        elif name == "boolean":
            tests.append(lambda x: type(x) is bool)
        elif name == "integer":
            tests.append(lambda x: (type(x) is int) or (type(x) is float and x.is_integer()))
        elif name == "number":
            tests.append(lambda x: type(x) in (int, float))
        elif name == "null":
            tests.append(lambda x: x is None)
        else:
            raise ValueError(f"unsupported type {name!r}")
    if len(tests) == 1:
        return tests[0]
    return lambda x: any(test(x) for test in tests)


class Compiler:
    def __init__(self, definitions: Dict[str, dict]):
        self.definitions = definitions
        self.compiled: Dict[str, Check] = {}

    def ref(self, ref: str) -> Check:
        name = ref.rsplit("/", 1)[-1]
        if name not in self.definitions:
            raise ValueError(f"unresolvable $ref {ref!r}")
        compiled = self.compiled

        def check(x, name=name):
            return compiled[name](x)
        if name not in compiled:
            compiled[name] = check  # placeholder: recursion through refs resolves lazily
            compiled[name] = self.compile(self.definitions[name])
        return check

    def compile(self, schema: Any) -> Check:
        if schema is True or schema == {}:
            return lambda x: True
        if schema is False:
            return lambda x: False
        known = {"type", "properties", "additionalProperties", "required", "items", "enum", "const",
                 "pattern", "$ref", "format", "description", "title", "default"}
        unknown = set(schema) - known
        if unknown:
            raise ValueError(f"unsupported keywords {sorted(unknown)}")
        checks = []
        if "$ref" in schema:
            checks.append(self.ref(schema["$ref"]))
        properties = schema.get("properties")
        additional = schema.get("additionalProperties", True)
        required = tuple(schema.get("required", ()))
        type_names = schema.get("type")
        if properties is not None or additional is not True or required:
            checks.append(self._object(properties or {}, additional, required, type_names == "object"))
            if type_names == "object":
                type_names = None
        if type_names is not None:
            checks.insert(0, _type_check(type_names))
        if "items" in schema:
            item = self.compile(schema["items"])
            checks.append(lambda x: type(x) is not list or all(item(i) for i in x))
        if "enum" in schema:
            options = schema["enum"]
            checks.append(lambda x: any(x == o and type(x) is type(o) for o in options))
        if "const" in schema:
            const = schema["const"]
            checks.append(lambda x: x == const and type(x) is type(const))
        if "pattern" in schema:
            search = re.compile(schema["pattern"]).search
            checks.append(lambda x: type(x) is not str or search(x) is not None)
        if not checks:
            return lambda x: True
        if len(checks) == 1:
            return checks[0]
        if len(checks) == 2:
            first, second = checks
            return lambda x: first(x) and second(x)
        return lambda x: all(check(x) for check in checks)

    def _object(self, properties: dict, additional, required: tuple, must_be_object: bool) -> Check:
        props = {name: self.compile(sub) for name, sub in properties.items()}
        closed = additional is False
        extra = None if isinstance(additional, bool) else self.compile(additional)

        def check(x):
            if type(x) is not dict:
                return not must_be_object
            get = props.get
            for key, value in x.items():
                sub = get(key)
                if sub is None:
                    if closed:
                        return False
                    if extra is not None and not extra(value):
                        return False
                elif not sub(value):
                    return False
            for name in required:
                if name not in x:
                    return False
            return True
        return check


def compile_kinds(schema: dict) -> Dict[str, Check]:
    """kind -> is_valid(data), for every kind the schema file declares."""
    compiler = Compiler(schema["definitions"])
    return {kind: compiler.ref(ref) for kind, ref in schema["kinds"].items()}
