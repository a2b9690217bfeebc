"""Validate an object against a compiled schema (``Node``), as the API server's decoder and strict field
validation would: one problem per unknown field, wrong type, missing required field or unsupported value,
at the exact path, with a message a person can act on.

This is a walker for the OpenAPI subset Kubernetes uses, not a general JSON Schema validator: it follows
Kubernetes' rules where they differ from JSON Schema (``null`` is accepted everywhere and means "unset",
a number with no fraction is an integer, quantities and int-or-string values are decoded as the API
decodes them), and it reports an unrendered template placeholder (``${PORT}``, ``$(PORT)``) in a typed
field as such rather than as a type error.
"""

from __future__ import annotations

import math

from guardlint._lazyre import LazyPattern
from guardlint._record import NamedTuple
from guardlint.apischema.node import (
    ARRAY,
    BOOLEAN,
    INT_OR_STRING,
    INTEGER,
    NUMBER,
    OBJECT,
    QUANTITY,
    STRING,
    Node,
)
from guardlint.model.paths import FieldPath
from guardlint.model.quantity import is_quantity  # (imported by the resources pack's rules of a default run anyway)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

UNKNOWN_FIELD, WRONG_TYPE, MISSING_REQUIRED, BAD_VALUE, PLACEHOLDER = (
    "unknown-field", "wrong-type", "missing-required", "bad-value", "placeholder",
)

_PLACEHOLDER = LazyPattern(r"\$\{[^}\n]*\}|\$\([A-Za-z_][A-Za-z0-9_]*\)")
_NUMERIC = LazyPattern(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DATE_TIME = LazyPattern(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"
)
_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_EXPECTED = {
    STRING: "a string", INTEGER: "an integer", NUMBER: "a number", BOOLEAN: "a boolean (true or false)",
    OBJECT: "a mapping", ARRAY: "a list", QUANTITY: "a quantity (such as 500m, 2 or 1Gi)",
    INT_OR_STRING: "an integer or a string",
}
_EMBEDDED = ("apiVersion", "kind", "metadata")


class Problem(NamedTuple):
    """One reason the API server would reject the object; ``path`` is relative to the validated value."""

    kind: str
    path: FieldPath
    message: str
    at_value: bool = True


def placeholder_in(value: str) -> str | None:
    """The first unrendered template placeholder in ``value`` (``${VAR}``, ``${VAR:-1}``, ``$(VAR)``)."""
    m = _PLACEHOLDER.search(value)
    return m.group(0) if m else None


def describe(value: Any) -> str:
    """A value as a message names it: ``the string '8080'``, ``the number 1.5``, ``a mapping``."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {shown!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def _is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value) and value.is_integer()


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def validate(value: Any, node: Node, path: FieldPath = ()) -> list[Problem]:
    """Every problem of ``value`` against ``node``, in document order."""
    out: list[Problem] = []
    _check(value, node, path, out)
    return out


def _type_problem(value: Any, node: Node, path: FieldPath, out: list[Problem]) -> None:
    expected = node.type or "value"
    if isinstance(value, str):
        found = placeholder_in(value)
        if found is not None:
            out.append(Problem(
                PLACEHOLDER, path,
                f"unrendered placeholder {found} where the API expects {_EXPECTED.get(expected, expected)}; "
                "render the template (or substitute the variable) before applying",
            ))
            return
    message = f"expected {_EXPECTED.get(expected, expected)}, got {describe(value)}"
    quoted_number = expected in (INTEGER, NUMBER) and isinstance(value, str) and _NUMERIC.fullmatch(value.strip())
    quoted_bool = expected == BOOLEAN and isinstance(value, str) and value.lower() in ("true", "false")
    if quoted_number or quoted_bool:
        message += "; remove the quotes"
    elif expected == STRING and (_is_number(value) or isinstance(value, bool)):
        message += "; quote the value"
    elif expected == STRING and isinstance(value, dict) and len(value) == 1 and next(iter(value.values())) is None:
        message += f" ({{{next(iter(value))}}} is a YAML flow mapping); quote the value"
    out.append(Problem(WRONG_TYPE, path, message))


def _check(value: Any, node: Node, path: FieldPath, out: list[Problem]) -> None:
    if value is None:
        return  # null means "unset" for the API (built-in fields are nullable; CRDs prune nulls)
    if node.any_of:
        _check_alternatives(value, node, path, out)
    t = node.type
    if t is None:
        if node.enum is not None:
            _check_enum(value, node, path, out)
        if isinstance(value, dict) and (node.properties is not None or node.required):
            _check_object(value, node, path, out)
        return
    if t == STRING:
        if not isinstance(value, str):
            _type_problem(value, node, path, out)
            return
        _check_string(value, node, path, out)
        return
    if t == OBJECT:
        if not isinstance(value, dict):
            _type_problem(value, node, path, out)
            return
        _check_object(value, node, path, out)
    elif t == ARRAY:
        if not isinstance(value, list):
            _type_problem(value, node, path, out)
            return
        items = node.items
        if items is not None:
            free, mapping = items.free, items.mapping
            for i, item in enumerate(value):
                if isinstance(item, free):  # a value of ``free`` passes ``items`` (see ``node.seal``)
                    continue
                if mapping and isinstance(item, dict):  # all ``_check`` would do (see ``node.seal``)
                    _check_object(item, items, path + (i,), out)
                else:
                    _check(item, items, path + (i,), out)
        if node.list_type is not None:
            _check_unique(value, node, path, out)
        if node.min_items is not None and len(value) < node.min_items:
            out.append(Problem(BAD_VALUE, path, f"has {len(value)} items; at least {node.min_items} required"))
        if node.max_items is not None and len(value) > node.max_items:
            out.append(Problem(BAD_VALUE, path, f"has {len(value)} items; at most {node.max_items} allowed"))
    elif t == INTEGER:
        if not _is_int(value):
            _type_problem(value, node, path, out)
            return
        limits = _RANGES.get(node.format or "")
        if limits is not None and not limits[0] <= value <= limits[1]:
            out.append(Problem(BAD_VALUE, path, f"{int(value)} is out of range for an {node.format} field"))
            return
        _check_number(value, node, path, out)
    elif t == NUMBER:
        if not _is_number(value):
            _type_problem(value, node, path, out)
            return
        _check_number(value, node, path, out)
    elif t == BOOLEAN:
        if not isinstance(value, bool):
            _type_problem(value, node, path, out)
            return
    elif t == QUANTITY:
        _check_quantity(value, node, path, out)
        return
    elif t == INT_OR_STRING:
        if not (isinstance(value, str) or _is_int(value)):
            _type_problem(value, node, path, out)
            return
        if isinstance(value, str):
            _check_string(value, node, path, out)
            return
    if node.enum is not None:
        _check_enum(value, node, path, out)


def _identity(value: Any) -> Any:
    """What the API server compares list items by: the JSON value, with a number that has no fraction an
    integer (a YAML ``1.0`` reaches the server as the JSON ``1``), a boolean never equal to a number, and a
    mapping or list by its JSON text (Go's encoder sorts mapping keys, as ``sort_keys`` does)."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return ("number", int(value))
    if isinstance(value, (int, float)):
        return ("number", value)
    if isinstance(value, (dict, list)):
        import json

        return ("json", json.dumps(value, sort_keys=True, separators=(",", ":"), default=str))
    return (type(value).__name__, value)


def _check_unique(value: list[Any], node: Node, path: FieldPath, out: list[Problem]) -> None:
    """``x-kubernetes-list-type: set`` and ``map``: each value (``set``) or key (``map``, the values of the
    ``x-kubernetes-list-map-keys`` fields, defaults filled in) may appear once. The API server reports each
    duplicated value once (``Duplicate value``); the problem is placed at its second occurrence."""
    first: dict[Any, int] = {}
    reported: set[Any] = set()
    keys = node.list_keys
    for i, item in enumerate(value):
        if node.list_type == "map":
            if not isinstance(item, dict):
                continue  # null items are skipped; other types are the item schema's problem
            key_values = [item.get(k) if item.get(k) is not None else default for k, default in keys]
            identity: Any = tuple(_identity(v) for v in key_values)
        else:
            identity = _identity(item)
        seen = first.get(identity)
        if seen is None:
            first[identity] = i
            continue
        if identity in reported:
            continue
        reported.add(identity)
        if node.list_type == "map":
            shown = ", ".join(f"{k}={v!r}" for (k, _), v in zip(keys, key_values, strict=True))
            names = " and ".join(k for k, _ in keys)
            message = (f"duplicate entry {shown} (also item {seen}): the list is a map keyed by {names} "
                       "(x-kubernetes-list-type: map), so each key may appear once")
        else:
            message = (f"duplicate value {item!r} (also item {seen}): the list is a set (x-kubernetes-list-type: "
                       "set), so each value may appear once")
        out.append(Problem(BAD_VALUE, path + (i,), message))


def _check_alternatives(value: Any, node: Node, path: FieldPath, out: list[Problem]) -> None:
    """``anyOf``/``oneOf``: at least one alternative must hold. (That no more than one holds for ``oneOf`` is
    not checked: alternatives often use ``not``, which is not evaluated, so a count could be wrong.)"""
    results = []
    for alternative in node.any_of:
        found: list[Problem] = []
        _check(value, alternative, path, found)
        if not found:
            return
        results.append(found)
    if len(results) == 1:
        out.extend(results[0])
        return
    first = min(results, key=len)[0]
    out.append(Problem(
        first.kind if first.kind == PLACEHOLDER else BAD_VALUE, path,
        f"matches none of the {len(results)} forms the schema allows (closest: {first.message})",
    ))


def _check_string(value: str, node: Node, path: FieldPath, out: list[Problem]) -> None:
    fmt = node.format
    if fmt == "byte":
        import base64
        import binascii

        try:
            # Go's decoder (the API's) skips line breaks: a multi-line base64 block is valid.
            base64.b64decode(value.replace("\r", "").replace("\n", "").encode("ascii", "strict"), validate=True)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            out.append(Problem(
                BAD_VALUE, path,
                "the value is not valid base64; encode it (or put the plain text under stringData)",
            ))
            return
    elif fmt == "date-time" and not _DATE_TIME.fullmatch(value):
        out.append(Problem(BAD_VALUE, path, f"{value!r} is not an RFC 3339 date-time (such as 2024-01-31T12:00:00Z)"))
        return
    if node.pattern is not None and node.pattern.search(value) is None:
        out.append(Problem(BAD_VALUE, path, f"{value!r} does not match the pattern {node.pattern.pattern!r}"))
    if node.min_length is not None and len(value) < node.min_length:
        out.append(Problem(BAD_VALUE, path, f"{value!r} is shorter than {node.min_length} characters"))
    if node.max_length is not None and len(value) > node.max_length:
        out.append(Problem(BAD_VALUE, path, f"the value is longer than {node.max_length} characters"))
    if node.enum is not None:
        _check_enum(value, node, path, out)


def _check_enum(value: Any, node: Node, path: FieldPath, out: list[Problem]) -> None:
    enum = node.enum
    assert enum is not None
    if isinstance(value, str):
        if value in enum:  # (a string equals no boolean: for one, the test below is containment)
            return
    elif any(e == value and isinstance(e, bool) == isinstance(value, bool) for e in enum):
        return
    if value == "" and node.empty_ok:
        return
    if isinstance(value, str) and placeholder_in(value) is not None:
        out.append(Problem(PLACEHOLDER, path, f"unrendered placeholder {placeholder_in(value)} where the API "
                                              f"expects one of {_choices(enum)}; render it before applying"))
        return
    hint = ""
    if isinstance(value, str):
        folded = [e for e in enum if isinstance(e, str) and e.lower() == value.lower()]
        if folded:
            hint = f"; did you mean {folded[0]!r}? (values are case-sensitive)"
    out.append(Problem(BAD_VALUE, path, f"unsupported value {value!r}: must be one of {_choices(enum)}{hint}"))


def _choices(enum: tuple[Any, ...]) -> str:
    return ", ".join(repr(e) if isinstance(e, str) else str(e) for e in enum)


def _check_number(value: float, node: Node, path: FieldPath, out: list[Problem]) -> None:
    if node.minimum is not None and (value < node.minimum or (node.exclusive_minimum and value == node.minimum)):
        bound = "greater than" if node.exclusive_minimum else "at least"
        out.append(Problem(BAD_VALUE, path, f"{value} is too small: must be {bound} {_num(node.minimum)}"))
    if node.maximum is not None and (value > node.maximum or (node.exclusive_maximum and value == node.maximum)):
        bound = "less than" if node.exclusive_maximum else "at most"
        out.append(Problem(BAD_VALUE, path, f"{value} is too large: must be {bound} {_num(node.maximum)}"))
    if node.enum is not None:
        _check_enum(value, node, path, out)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _check_quantity(value: Any, node: Node, path: FieldPath, out: list[Problem]) -> None:
    if _is_number(value):
        if isinstance(value, float) and not math.isfinite(value):
            out.append(Problem(BAD_VALUE, path, f"{value} is not a valid quantity"))
        return
    if not isinstance(value, str):
        _type_problem(value, node, path, out)
        return
    if is_quantity(value):  # ``parse_quantity(value) is not None``, without the value
        return
    found = placeholder_in(value)
    if found is not None:
        out.append(Problem(PLACEHOLDER, path, f"unrendered placeholder {found} where the API expects a quantity; "
                                              "render the template (or substitute the variable) before applying"))
        return
    out.append(Problem(
        BAD_VALUE, path,
        f"{value!r} is not a valid quantity: write a number with an optional suffix, such as 500m, 2, 128Mi or 1Gi "
        "(suffixes are case-sensitive)",
    ))


def _suggest(key: str, candidates: list[str]) -> str | None:
    lowered = {c.lower(): c for c in candidates}
    if key.lower() in lowered:
        return lowered[key.lower()]
    from guardlint._similar import close_matches  # difflib's answer, importing it only when one may be close

    close = close_matches(key, candidates, n=1, cutoff=0.7)
    return close[0] if close else None


def _check_object(value: dict[str, Any], node: Node, path: FieldPath, out: list[Problem]) -> None:
    props = node.properties
    values = node.values
    # A value of ``child.free`` passes ``child`` with no problem (see ``node.seal``): most values are plain
    # strings, and most of a walk's calls would be spent confirming that. A mapping under a ``child.mapping``
    # node goes straight to its properties: that is all ``_check`` would do with it.
    if props is None:
        if values is None:
            if node.closed:
                for key in value:
                    if not (node.embedded and key in _EMBEDDED):
                        _unknown_field(value, node, path, key, out)
        else:
            free, mapping = values.free, values.mapping
            for key, item in value.items():
                if isinstance(item, free):
                    continue
                if mapping and isinstance(item, dict):
                    _check_object(item, values, path + (key,), out)
                else:
                    _check(item, values, path + (key,), out)
    else:
        for key, item in value.items():
            child = props.get(key)
            if child is None:
                child = values
                if child is None:
                    if node.closed and not (node.embedded and key in _EMBEDDED):
                        _unknown_field(value, node, path, key, out)
                    continue
            if isinstance(item, child.free):
                continue
            if child.mapping and isinstance(item, dict):
                _check_object(item, child, path + (key,), out)
            elif child.listing and isinstance(item, list):
                items = child.items
                if items is not None:
                    at = path + (key,)
                    free, mapping = items.free, items.mapping
                    for i, element in enumerate(item):
                        if isinstance(element, free):
                            continue
                        if mapping and isinstance(element, dict):
                            _check_object(element, items, at + (i,), out)
                        else:
                            _check(element, items, at + (i,), out)
            else:
                _check(item, child, path + (key,), out)
    if node.required:
        for key in node.required:
            if value.get(key) is None:
                where = f" of {node.title}" if node.title else ""
                out.append(Problem(MISSING_REQUIRED, path + (key,), f"missing required field {key!r}{where}",
                                   at_value=False))


def _unknown_field(value: dict[str, Any], node: Node, path: FieldPath, key: str, out: list[Problem]) -> None:
    """The problem of a key that ``node`` (closed) does not define, with the closest defined one as a hint."""
    where = f" in {node.title}" if node.title else ""
    candidates = list(node.properties or ())
    if node.embedded:
        candidates.extend(_EMBEDDED)
    suggestion = _suggest(key, candidates)
    if suggestion is not None:
        hint = f"; did you mean {suggestion!r}?" + (" (it is also set here)" if suggestion in value else "")
    elif not candidates:
        hint = "; this object takes no fields"
    else:
        hint = ""
    out.append(Problem(UNKNOWN_FIELD, path + (key,), f"unknown field {key!r}{where}{hint}", at_value=False))
