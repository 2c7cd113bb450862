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
from typing import Any, Callable, Dict, Optional

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
    if "integer" not in names:
        # Several types none of which is `integer` (a float that is whole): one tuple test
        # (`AnyString` is a string, a number or a flag, and is common).
        kinds = tuple(k for name in names for k in _TYPES[name])
        return lambda x: type(x) in kinds
    return lambda x: any(test(x) for test in tests)


# The Python types of each JSON type, for the types an exact type test decides.
_TYPES = {"object": (dict,), "array": (list,), "string": (str,), "boolean": (bool,), "number": (int, float),
          "null": (type(None),)}


# A schema that is only a type among these: checked inline as `type(x) is T`.
_PLAIN_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool}
_NOTES = frozenset({"description", "title", "default", "format"})
_NOTE_LIST = tuple(_NOTES)
# The keywords of a definition that is a closed object and nothing more.
_CLOSED_OBJECT = frozenset({"type", "properties", "additionalProperties", "required"}) | _NOTES
_KNOWN = frozenset({"type", "properties", "additionalProperties", "required", "items", "enum", "const",
                    "pattern", "$ref"}) | _NOTES


class Compiler:
    def __init__(self, definitions: Dict[str, dict]):
        self.definitions = definitions
        self.compiled: Dict[str, Check] = {}
        self.compiling: set = set()
        # definition name -> (fields table, required names) of a closed object, for lists of it
        self.tables: Dict[str, tuple] = {}

    def ref(self, ref: str) -> Check:
        name = ref.rsplit("/", 1)[-1]
        if name not in self.definitions:
            raise ValueError(f"unresolvable $ref {ref!r}")
        compiled = self.compiled
        if name in compiled and name not in self.compiling:
            return compiled[name]

        def check(x, name=name):
            return compiled[name](x)
        if name not in compiled:
            compiled[name] = check  # placeholder: recursion through refs resolves lazily
            self.compiling.add(name)
            compiled[name] = self.compile(self.definitions[name])
            self.compiling.discard(name)
            return compiled[name]
        return check

    def _deferred(self, ref: str, holder: Dict[str, Check], field: str) -> Check:
        """The check of definition ``ref``, compiled on its first call, which
        then puts the compiled check in its own place, ``holder[field]``. A
        field's definition is compiled only when a document has the field:
        compiling every definition up front (most are Kubernetes types few
        workflows use: volume sources, probes...) cost more than checking a
        few hundred documents. (Not for several threads at once: a process
        checks documents on one thread; the language server lints under its
        workspace's lock.)"""
        def check(x):
            compiled = holder[field] = self.ref(ref)
            return compiled(x)
        return check

    def plain_type(self, schema: Any):
        """The Python type T when ``schema`` (or the definition it only refers
        to) checks nothing but `type(x) is T`; else None."""
        for _ in range(8):
            if not isinstance(schema, dict):
                return None
            # how many keys say something (not a note); every compile asks this of each property
            said = len(schema)
            for note in _NOTE_LIST:
                if note in schema:
                    said -= 1
            if said != 1:
                return None
            if "$ref" in schema:
                name = schema["$ref"].rsplit("/", 1)[-1]
                if name not in self.definitions:
                    return None
                schema = self.definitions[name]
                continue
            if isinstance(schema.get("type"), str):
                return _PLAIN_TYPES.get(schema["type"])
            return None
        return None

    def compile(self, schema: Any) -> Check:
        if schema is True or schema == {}:
            return lambda x: True
        if schema is False:
            return lambda x: False
        if not _KNOWN.issuperset(schema):
            raise ValueError(f"unsupported keywords {sorted(set(schema) - _KNOWN)}")
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
        if "items" in schema:
            # `type: array` with `items` (the usual list): one closure tests both
            must_be_list = type_names == "array"
            if must_be_list:
                type_names = None
            checks.append(self._items(schema["items"], must_be_list))
        if type_names is not None:
            checks.insert(0, _type_check(type_names))
        if "enum" in schema:
            options = schema["enum"]
            checks.append(lambda x: any(x == o and type(x) is type(o) for o in options))
        if "const" in schema:
            const = schema["const"]
            checks.append(lambda x: x == const and type(x) is type(const))
        if "pattern" in schema:
            prefix = _literal_prefix(schema["pattern"])
            if prefix is not None:
                # `^argoproj\.io/`: a fixed start, tested without compiling a regular expression
                # (compiling one costs more than checking every document of a run)
                checks.append(lambda x: type(x) is not str or x.startswith(prefix))
            else:
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

    def _items(self, schema: Any, must_be_list: bool = False) -> Check:
        plain = self.plain_type(schema)
        if plain is not None:
            def check(x):
                if type(x) is not list:
                    return not must_be_list
                for i in x:
                    if type(i) is not plain:
                        return False
                return True
            return check
        closed = self._closed_object(schema)
        if closed is not None:
            # A list of closed objects (parameters, env vars, tasks...): each item's fields are
            # checked here, as _object's check does, without a call per item.
            fields, required = closed

            def check(x):
                if type(x) is not list:
                    return not must_be_list
                for item in x:
                    if type(item) is not dict:
                        return False
                    for key, value in item.items():
                        try:
                            want = fields[key]
                        except KeyError:
                            return False
                        if want is not type(value):
                            if want.__class__ is type or not want(value):
                                return False
                    for name in required:
                        if name not in item:
                            return False
                return True
            return check
        item = self.compile(schema)

        def check(x):
            if type(x) is not list:
                return not must_be_list
            for i in x:
                if not item(i):
                    return False
            return True
        return check

    def _fields(self, properties: dict, fields: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """An object's table (filled in ``fields`` when given): each field's type
        when a type test settles it, else its check."""
        if fields is None:
            fields = {}
        for name, sub in properties.items():
            kind = self.plain_type(sub)
            if kind is not None:
                fields[name] = kind
                continue
            ref = _only_ref(sub)
            if ref is not None and ref.rsplit("/", 1)[-1] not in self.compiled:
                fields[name] = self._deferred(ref, fields, name)
            else:
                fields[name] = self.compile(sub)
        return fields

    def _closed_object(self, schema: Any):
        """(fields table, required names) when ``schema`` refers to a definition
        that is a closed object and nothing more (a parameter, an env var, a
        task...), else None."""
        ref = _only_ref(schema)
        name = ref.rsplit("/", 1)[-1] if ref is not None else None
        if name in self.tables:
            return self.tables[name]      # one table per definition, for every list of it
        definition = self.definitions.get(name) if name is not None else None
        if not isinstance(definition, dict) or definition.get("type") != "object" \
                or definition.get("additionalProperties") is not False \
                or not isinstance(definition.get("properties"), dict):
            return None
        for key in definition:
            if key not in _CLOSED_OBJECT:
                return None
        # (kept before it is filled: a list of the same definition below it gets this table)
        table = self.tables[name] = {}, tuple(definition.get("required", ()))
        self._fields(definition["properties"], table[0])
        return table

    def _object(self, properties: dict, additional, required: tuple, must_be_object: bool) -> Check:
        # Most properties only need `type(value) is T` (a string, a flag, a list of strings...):
        # `fields` maps those to T, so the loop below settles each of them with one lookup and
        # one `is`; it maps the others to their check. A key it does not hold is an unknown
        # field (or goes to the extra-properties check when the object is open), and a plain
        # field of the wrong type (its T is a type, not a check) fails.
        fields = self._fields(properties)
        if additional is False:
            extra = None
        elif additional is True:
            extra = _accept
        else:
            extra = self.compile(additional)
        required = tuple(required)
        if not properties and extra is not None and not required:
            return self._map(additional, extra, must_be_object)

        if extra is None and not required:
            def check(x):
                if type(x) is not dict:
                    return not must_be_object
                for key, value in x.items():
                    try:
                        want = fields[key]    # (a subscript costs less than a call of .get)
                    except KeyError:
                        return False          # an unknown field
                    if want is not type(value):
                        if want.__class__ is type or not want(value):
                            return False
                return True
        elif extra is None:
            def check(x):
                if type(x) is not dict:
                    return not must_be_object
                for key, value in x.items():
                    try:
                        want = fields[key]    # (a subscript costs less than a call of .get)
                    except KeyError:
                        return False          # an unknown field
                    if want is not type(value):
                        if want.__class__ is type or not want(value):
                            return False
                for name in required:
                    if name not in x:
                        return False
                return True
        else:
            def check(x):
                if type(x) is not dict:
                    return not must_be_object
                for key, value in x.items():
                    try:
                        want = fields[key]
                    except KeyError:
                        want = extra
                    if want is not type(value):
                        if want.__class__ is type or not want(value):
                            return False
                for name in required:
                    if name not in x:
                        return False
                return True
        return check

    def _map(self, additional, extra: Check, must_be_object: bool) -> Check:
        """An object without named properties: each value matches ``additional``
        (`labels`, `nodeSelector`: a map of strings)."""
        kind = self.plain_type(additional)
        type_ = type
        if kind is not None:
            def check(x):
                if type_(x) is not dict:
                    return not must_be_object
                for value in x.values():
                    if type_(value) is not kind:
                        return False
                return True
        elif extra is _accept:
            def check(x):
                return type_(x) is dict or not must_be_object
        else:
            def check(x):
                if type_(x) is not dict:
                    return not must_be_object
                for value in x.values():
                    if not extra(value):
                        return False
                return True
        return check


def _literal_prefix(pattern: str):
    """The text a pattern `^text` (letters, digits, `/`, `-`, `_`, escaped
    dots) requires at the start of a string, else None."""
    if not pattern.startswith("^"):
        return None
    text = pattern[1:].replace("\\.", ".")
    if not all(c.isalnum() or c in "/-_." for c in text) or "." in pattern[1:].replace("\\.", ""):
        return None
    return text


def _only_ref(schema: Any):
    """The `$ref` of a schema that is only a reference (and notes), else None."""
    if not isinstance(schema, dict) or "$ref" not in schema:
        return None
    for key in schema:
        if key != "$ref" and key not in _NOTES:
            return None
    return schema["$ref"]


def _accept(x) -> bool:
    return True


def _is(kind: type) -> Check:
    return lambda x: type(x) is kind


def compile_kinds(schema: dict) -> Dict[str, Check]:
    """kind -> is_valid(data), for every kind the schema file declares."""
    compiler = Compiler(schema["definitions"])
    return {kind: compiler.ref(ref) for kind, ref in schema["kinds"].items()}
