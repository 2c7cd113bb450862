"""Plain-scalar typing as Kubernetes reads YAML.

kubectl, the Argo CLI and Argo CD read manifests with sigs.k8s.io/yaml, which
uses go-yaml v2's YAML 1.1 rules. PyYAML's own resolver is YAML 1.1 too but
differs in ways that change values: it reads ``1:30`` as the base-60 integer
90, ``1e3`` as a string, and dates as ``datetime``. This module mirrors go-yaml
v2 instead, so wflint sees the same values the cluster will.
"""

from __future__ import annotations

import math

from ..lazyre import lazy_compile

_BOOL_NULL = {
    "y": True, "Y": True, "yes": True, "Yes": True, "YES": True,
    "true": True, "True": True, "TRUE": True,
    "on": True, "On": True, "ON": True,
    "n": False, "N": False, "no": False, "No": False, "NO": False,
    "false": False, "False": False, "FALSE": False,
    "off": False, "Off": False, "OFF": False,
    "": None, "~": None, "null": None, "Null": None, "NULL": None,
    ".nan": math.nan, ".NaN": math.nan, ".NAN": math.nan,
    ".inf": math.inf, ".Inf": math.inf, ".INF": math.inf,
    "+.inf": math.inf, "+.Inf": math.inf, "+.INF": math.inf,
    "-.inf": -math.inf, "-.Inf": -math.inf, "-.INF": -math.inf,
}

# go-yaml looks at the first character to decide what a plain scalar may be.
_NUMERIC_START = frozenset("0123456789+-.")

_FLOAT = lazy_compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
# Go's strconv.ParseInt with base 0: optional sign, then 0x / 0o / 0b / 0 prefix.
_GO_INT = lazy_compile(r"([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)\Z")
_INT64_MIN, _UINT64_MAX = -(1 << 63), (1 << 64) - 1

MERGE = object()  # the `<<` merge key


def _go_int(text: str):
    m = _GO_INT.match(text)
    if not m:
        return None
    sign, digits = m.groups()
    low = digits[:2].lower()
    if low == "0x":
        value = int(digits[2:], 16)
    elif low == "0o":
        value = int(digits[2:], 8)
    elif low == "0b":
        value = int(digits[2:], 2)
    elif digits.startswith("0") and len(digits) > 1:
        value = int(digits[1:], 8)
    else:
        value = int(digits)
    if sign == "-":
        value = -value
    if _INT64_MIN <= value <= _UINT64_MAX:
        return value
    return None


def resolve_plain(text: str):
    """The value go-yaml v2 gives an untagged plain scalar."""
    if not text:
        return None
    if text in _BOOL_NULL:
        return _BOOL_NULL[text]
    if text == "<<":
        return MERGE
    first = text[0]
    if first not in _NUMERIC_START:
        return text
    if first == ".":
        return float(text) if _FLOAT.match(text) else text
    # Digits or sign: timestamps stay strings (go-yaml hands them to
    # interface{} targets as strings), then int, then float.
    plain = text.replace("_", "")
    value = _go_int(plain)
    if value is not None:
        return value
    if _FLOAT.match(plain):
        try:
            return float(plain)
        except ValueError:  # pragma: no cover - the regex admits only valid floats
            return text
    if plain.startswith("-0b") or plain.startswith("+0b"):
        try:
            return int(plain[0] + plain[3:], 2)
        except ValueError:
            return text
    return text


def resolve_tagged(tag: str, text: str):
    """The value of a scalar with an explicit standard tag; ``text`` when the
    tag is unknown or does not fit (go-yaml keeps such values as strings)."""
    short = tag.rsplit(":", 1)[-1] if tag.startswith("tag:yaml.org,2002:") else None
    if short in (None, "str", "binary", "timestamp"):
        return text
    value = resolve_plain(text)
    if short == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if short == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if short == "bool" and isinstance(value, bool):
        return value
    if short == "null" and value is None:
        return None
    return text


def key_text(value) -> str:
    """A mapping key as sigs.k8s.io/yaml turns it into a JSON object key."""
    if isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)
