"""JSON Schema checks with a fast path.

Importing jsonschema costs about 100-180 ms, more than a whole pre-commit run of guardlint on one file
should take. Every schema guardlint validates on the plain path (the config file, rule parameters,
declarative rules) is therefore first checked by ``is_valid``: an exact implementation of the common
Draft 2020-12 vocabulary (the keywords listed in ``_SUPPORTED``). Only when that says "invalid", or a
schema uses a keyword outside that set, is jsonschema imported, to decide and to explain with located
error paths. The test suite checks the fast path against jsonschema on a corpus of schema/instance pairs.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from guardlint._record import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint._linear_re import LinearPattern

__all__ = ["SchemaError", "Unsupported", "ValidationIssue", "is_valid", "iter_issues", "matches"]

_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$comment", "title", "description", "default", "examples", "format", "deprecated",
     "readOnly", "writeOnly", "$anchor", "contentMediaType", "contentEncoding", "markdownDescription"}
)
_SUPPORTED = frozenset(
    {"type", "enum", "const", "properties", "required", "additionalProperties", "patternProperties",
     "items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains", "minContains", "maxContains",
     "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength",
     "pattern", "anyOf", "allOf", "oneOf", "not", "if", "then", "else", "minProperties", "maxProperties",
     "propertyNames", "dependentRequired", "$ref", "$defs", "definitions"}
)


class Unsupported(Exception):
    """The schema uses something the fast path does not implement; use jsonschema."""


class SchemaError(Exception):
    """The schema itself is invalid."""


class ValidationIssue(NamedTuple):
    path: tuple[str | int, ...]
    message: str
    validator: str
    schema_path: tuple[str | int, ...]


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _type_ok(instance: Any, name: str) -> bool:
    if name == "object":
        return isinstance(instance, dict)
    if name == "array":
        return isinstance(instance, list)
    if name == "string":
        return isinstance(instance, str)
    if name == "boolean":
        return isinstance(instance, bool)
    if name == "null":
        return instance is None
    if name == "number":
        return _is_number(instance)
    if name == "integer":
        if isinstance(instance, bool):
            return False
        return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())
    raise SchemaError(f"unknown type {name!r}")


def _equal(a: Any, b: Any) -> bool:
    """JSON equality: 1 == 1.0, but true != 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if a is None or b is None:
        return a is None and b is None
    return bool(a == b)


@lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern[str] | LinearPattern:
    """``pattern`` searched in time linear in the text (a declarative rule's schema is repository data, and
    ``re``'s backtracking took hours for ``^(a+)+$``: ``guardlint._linear_re``); a pattern only backtracking can
    search (lookaround, backreferences) is ``re``'s: a declarative rule file holding one is refused when it is
    loaded (``rules.declarative.backtracking_patterns``), so only guardlint's own schemas reach this with one."""
    if _one_plain_repeat(pattern):
        return re.compile(pattern)
    from guardlint._linear_re import compile_linear

    linear = compile_linear(pattern)
    return linear if linear is not None else re.compile(pattern)


def _one_plain_repeat(pattern: str) -> bool:
    """Whether ``re`` searches ``pattern`` without bad backtracking, told from its text alone (no import, no
    parse: the patterns of the shipped rules are all like this): anchored with ``^``, no ``(?`` (flags,
    lookaround) and no backreference, at most one group, no ``|`` outside it, and at most one repeat, of one
    character or class (not of the group). Such a pattern is tried once, at the start: the alternatives of its
    one group and its one repeat backtrack at most once per alternative and character (two groups of
    alternatives would multiply: ``^(a|a)(a|a)...`` is exponential in the pattern's length). Answers False when
    unsure: then the linear search decides (the same answers)."""
    if not pattern.startswith("^") or "(?" in pattern:
        return False
    repeats, groups, depth, i, in_class, last = 0, 0, 0, 1, False, "^"
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            if pattern[i + 1:i + 2].isdigit():  # a backreference
                return False
            i, last = i + 2, "x"
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch in "*+?{":
            repeats += 1
            if repeats > 1 or last == ")":
                return False
        elif ch == "(":
            groups, depth = groups + 1, depth + 1
            if groups > 1:
                return False
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return False
        last = ch
        i += 1
    return True


_LITERAL_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_/:"
"""Characters that stand for themselves in a pattern (outside a character class)."""


def _search(pattern: str, text: str) -> bool:
    """``re.search(pattern, text)`` as a truth value. A pattern that is ``^`` and then only literal characters
    and escaped dots (``^failure-domain\\.beta\\.kubernetes\\.io/``, as the shipped declarative rules write
    a label prefix) matches exactly the texts that start with that literal (``^`` matches only at the start
    without MULTILINE), so it is answered by ``str.startswith`` and never compiled; any other pattern is
    compiled and searched. ``tests/unit/test_startup_shortcuts.py`` compares both."""
    if pattern.startswith("^") and not pattern[1:].replace("\\.", "").strip(_LITERAL_CHARS):
        return text.startswith(pattern[1:].replace("\\.", "."))
    return _regex(pattern).search(text) is not None


def _resolve(root: Mapping[str, Any], ref: Any) -> Any:
    # Only plain local JSON pointers into mappings; anything else (other documents, anchors,
    # percent-encoding, array indexes, a pointer that does not resolve) is left to jsonschema.
    if not isinstance(ref, str) or not ref.startswith("#/") or "%" in ref:
        raise Unsupported(f"$ref {ref!r}")
    node: Any = root
    for raw in ref[2:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            raise Unsupported(f"$ref {ref!r}")
        node = node[part]
    return node


def _valid(schema: Any, instance: Any, root: Mapping[str, Any]) -> bool:
    if schema is True:
        return True
    if schema is False:
        return False
    if not isinstance(schema, dict):
        raise SchemaError("a schema must be an object or a boolean")
    for key in schema:
        if key not in _SUPPORTED and key not in _ANNOTATIONS:
            raise Unsupported(key)
    if "$id" in schema and schema is not root:
        raise Unsupported("$id below the root changes how $ref resolves")
    if "$ref" in schema and not _valid(_resolve(root, schema["$ref"]), instance, root):
        return False
    t = schema.get("type")
    if t is not None:
        names = [t] if isinstance(t, str) else t
        if not any(_type_ok(instance, n) for n in names):
            return False
    if "enum" in schema and not any(_equal(instance, e) for e in schema["enum"]):
        return False
    if "const" in schema and not _equal(instance, schema["const"]):
        return False
    if _is_number(instance) and not _number_ok(schema, instance):
        return False
    if isinstance(instance, str) and not _string_ok(schema, instance):
        return False
    if isinstance(instance, list) and not _array_ok(schema, instance, root):
        return False
    if isinstance(instance, dict) and not _object_ok(schema, instance, root):
        return False
    if "allOf" in schema and not all(_valid(s, instance, root) for s in schema["allOf"]):
        return False
    if "anyOf" in schema and not any(_valid(s, instance, root) for s in schema["anyOf"]):
        return False
    if "oneOf" in schema and sum(1 for s in schema["oneOf"] if _valid(s, instance, root)) != 1:
        return False
    if "not" in schema and _valid(schema["not"], instance, root):
        return False
    if "if" in schema:
        if _valid(schema["if"], instance, root):
            if "then" in schema and not _valid(schema["then"], instance, root):
                return False
        elif "else" in schema and not _valid(schema["else"], instance, root):
            return False
    return True


def _number_ok(schema: Mapping[str, Any], x: Any) -> bool:
    if "minimum" in schema and x < schema["minimum"]:
        return False
    if "maximum" in schema and x > schema["maximum"]:
        return False
    if "exclusiveMinimum" in schema and x <= schema["exclusiveMinimum"]:
        return False
    if "exclusiveMaximum" in schema and x >= schema["exclusiveMaximum"]:
        return False
    if "multipleOf" in schema:
        # Exactly jsonschema's arithmetic: a float divisor divides in floats (falling back to exact
        # fractions when the quotient overflows), any other divisor takes the remainder, so that
        # ``1e300`` is not a multiple of ``7`` although ``1e300 / 7`` is a whole float.
        d = schema["multipleOf"]
        if isinstance(d, float):
            q = x / d
            try:
                failed = int(q) != q
            except OverflowError:  # rare: fractions is imported here only
                from fractions import Fraction

                failed = (Fraction(x) / Fraction(d)).denominator != 1
            if failed:
                return False
        elif x % d:
            return False
    return True


class _Bool:
    """Stands in for a boolean while sorting, as jsonschema's ``unbool`` does (true is not 1)."""

    __slots__ = ("value",)

    def __init__(self, value: bool) -> None:
        self.value = value


def _unbool(x: Any) -> Any:
    return _Bool(x) if isinstance(x, bool) else x


def _unique(items: Sequence[Any]) -> bool:
    """jsonschema's ``uniq``, step for step: sort and compare neighbours when the items sort, else compare
    every pair. (Sorting compares ``[0]`` and ``[False]`` as equal, so ``[[0], [False], [0]]`` counts as
    unique there; agreeing with jsonschema matters more than that corner.)"""
    try:
        ordered = sorted(_unbool(i) for i in items)
        neighbours = zip(ordered, itertools.islice(ordered, 1, None), strict=False)
        return not any(_equal_unbooled(a, b) for a, b in neighbours)
    except TypeError:
        seen: list[Any] = []
        for item in items:
            e = _unbool(item)
            if any(_equal_unbooled(s, e) for s in seen):
                return False
            seen.append(e)
        return True


def _equal_unbooled(a: Any, b: Any) -> bool:
    if isinstance(a, _Bool) or isinstance(b, _Bool):
        return isinstance(a, _Bool) and isinstance(b, _Bool) and a.value == b.value
    return _equal(a, b)


def _string_ok(schema: Mapping[str, Any], s: str) -> bool:
    if "minLength" in schema and len(s) < schema["minLength"]:
        return False
    if "maxLength" in schema and len(s) > schema["maxLength"]:
        return False
    return not ("pattern" in schema and not _search(schema["pattern"], s))


def _array_ok(schema: Mapping[str, Any], items: Sequence[Any], root: Mapping[str, Any]) -> bool:
    if "minItems" in schema and len(items) < schema["minItems"]:
        return False
    if "maxItems" in schema and len(items) > schema["maxItems"]:
        return False
    if schema.get("uniqueItems") and not _unique(items):
        return False
    prefix = schema.get("prefixItems", [])
    for sub, item in zip(prefix, items, strict=False):
        if not _valid(sub, item, root):
            return False
    if "items" in schema:
        sub = schema["items"]
        if isinstance(sub, list):
            raise Unsupported("items as an array")
        for item in items[len(prefix):]:
            if not _valid(sub, item, root):
                return False
    if "contains" in schema:
        hits = sum(1 for item in items if _valid(schema["contains"], item, root))
        low = schema.get("minContains", 1)
        if hits < low:
            return False
        if "maxContains" in schema and hits > schema["maxContains"]:
            return False
    return True


def _object_ok(schema: Mapping[str, Any], obj: Mapping[str, Any], root: Mapping[str, Any]) -> bool:
    if "required" in schema and any(k not in obj for k in schema["required"]):
        return False
    if "minProperties" in schema and len(obj) < schema["minProperties"]:
        return False
    if "maxProperties" in schema and len(obj) > schema["maxProperties"]:
        return False
    props = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    extra = schema.get("additionalProperties", True)
    for key, value in obj.items():
        matched = False
        if key in props:
            matched = True
            if not _valid(props[key], value, root):
                return False
        for pattern, sub in patterns.items():
            if _search(pattern, key):
                matched = True
                if not _valid(sub, value, root):
                    return False
        if not matched and not _valid(extra, value, root):
            return False
    if "propertyNames" in schema and not all(_valid(schema["propertyNames"], k, root) for k in obj):
        return False
    for key, needed in schema.get("dependentRequired", {}).items():
        if key in obj and any(n not in obj for n in needed):
            return False
    return True


def _fallback_valid(schema: Any, instance: Any) -> bool:
    import jsonschema

    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return bool(cls(schema).is_valid(instance))


def is_valid(schema: Any, instance: Any) -> bool:
    """Whether ``instance`` satisfies ``schema`` (Draft 2020-12 unless the schema says otherwise)."""
    if isinstance(schema, dict) and "$schema" in schema:
        dialect = schema["$schema"]
        if not isinstance(dialect, str):
            raise SchemaError(f"'$schema' must be a URI string, not {dialect!r}")
        if "2020-12" not in dialect:
            return _fallback_valid(schema, instance)
    try:
        return _valid(schema, instance, schema if isinstance(schema, dict) else {})
    except Unsupported:
        return _fallback_valid(schema, instance)


matches = is_valid


def iter_issues(schema: Mapping[str, Any], instance: Any) -> list[ValidationIssue]:
    """Every validation error with its instance path, from jsonschema (the slow, explaining path)."""
    import jsonschema

    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    validator = cls(schema)
    out = []
    for err in sorted(validator.iter_errors(instance), key=lambda e: (list(map(str, e.absolute_path)), e.message)):
        out.append(
            ValidationIssue(
                tuple(err.absolute_path), err.message, str(err.validator), tuple(err.absolute_schema_path)
            )
        )
    return out


def check_schema(schema: dict[str, Any]) -> str | None:
    """None when ``schema`` is a valid JSON Schema, else the reason."""
    import jsonschema

    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        return exc.message
    return None
