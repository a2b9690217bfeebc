"""Compile the ``openAPIV3Schema`` of a CustomResourceDefinition into schema nodes, with the semantics the API
server gives a structural schema:

* unknown fields are errors (strict field validation; the server would prune them) unless
  ``x-kubernetes-preserve-unknown-fields: true``; ``additionalProperties`` gives a map's values;
* ``x-kubernetes-int-or-string: true`` accepts an integer or a string;
* ``x-kubernetes-embedded-resource: true`` allows ``apiVersion``, ``kind`` and ``metadata``;
* ``nullable`` needs no handling: a null is accepted (kept, or pruned before validation);
* the root implies ``apiVersion``, ``kind`` and ``metadata`` (``ObjectMeta``) even when the schema omits them;
* patterns are Go (RE2) regular expressions: a global flag group that is not at the start (``^(?i)...``) is
  moved to the front and ``\\z`` becomes ``\\Z``; a pattern Python still cannot compile is not checked;
* ``anyOf``/``oneOf`` are value alternatives (at least one must hold); alternatives that use ``not``,
  ``allOf`` or nested alternatives, and CEL rules (``x-kubernetes-validations``), are not checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from guardlint.apischema.node import (
    ARRAY,
    BOOLEAN,
    INT_OR_STRING,
    INTEGER,
    NUMBER,
    OBJECT,
    STRING,
    Node,
    seal,
)

_TYPES = {"string": STRING, "integer": INTEGER, "number": NUMBER, "boolean": BOOLEAN, "object": OBJECT,
          "array": ARRAY}
_FORMATS = frozenset({"int32", "int64", "byte", "date-time"})
_LEADING_FLAGS = re.compile(r"^\^\(\?([a-zA-Z]+)\)")
_MAX_DEPTH = 200


def go_pattern(pattern: str) -> re.Pattern[str] | None:
    """A Go regular expression as a compiled Python pattern, or None when Python cannot express it."""
    text = _LEADING_FLAGS.sub(lambda m: f"(?{m.group(1)})^", pattern)
    text = text.replace("\\z", "\\Z")
    try:
        return re.compile(text)
    except (re.error, OverflowError, RecursionError):
        return None


def _kind_type(schema: Mapping[str, Any]) -> str | None:
    if schema.get("x-kubernetes-int-or-string"):
        return INT_OR_STRING
    t = schema.get("type")
    if isinstance(t, list):  # a JSON schema file: ["string", "null"]
        t = next((x for x in t if x != "null"), None)
    return _TYPES.get(t) if isinstance(t, str) else None


class _LazyProperties(Mapping[str, Node]):
    """The properties of a CRD schema node, each compiled the first time it is looked up: CRD schemas run to
    tens of thousands of nodes (Argo, Istio) and an object uses a small part of them."""

    __slots__ = ("_branch", "_depth", "_done", "_raw", "_structural")

    def __init__(self, raw: Mapping[str, Any], branch: bool, depth: int, structural: bool) -> None:
        self._raw = raw
        self._branch = branch
        self._depth = depth
        self._structural = structural
        self._done: dict[str, Node] = {}

    def __getitem__(self, key: str) -> Node:
        node = self._done.get(key)
        if node is None:
            node = compile_schema(self._raw[key], branch=self._branch, depth=self._depth, structural=self._structural)
            self._done[key] = node
        return node

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


def compile_schema(schema: Any, *, branch: bool = False, depth: int = 0, structural: bool = True) -> Node:
    """One node of a structural schema. ``branch``: inside anyOf/oneOf, where fields are governed by the
    enclosing schema (no unknown-field checks). ``structural=False`` reads a plain JSON schema (a schema
    catalog file): an object is closed only where it says ``additionalProperties: false``."""
    node = Node()
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return seal(node)
    node.type = _kind_type(schema)
    preserve = bool(schema.get("x-kubernetes-preserve-unknown-fields"))
    node.embedded = bool(schema.get("x-kubernetes-embedded-resource"))
    props = schema.get("properties")
    if isinstance(props, dict):
        node.properties = _LazyProperties({str(k): v for k, v in props.items()}, branch, depth + 1, structural)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        node.values = compile_schema(extra, branch=branch, depth=depth + 1, structural=structural)
    if structural:
        node.closed = (node.type == OBJECT and not branch and not preserve and extra is not True
                       and node.values is None)
    else:
        node.closed = extra is False and not branch and not preserve
    items = schema.get("items")
    if isinstance(items, dict):
        node.items = compile_schema(items, branch=branch, depth=depth + 1, structural=structural)
    required = schema.get("required")
    if isinstance(required, list):
        node.required = tuple(str(r) for r in required)
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        node.enum = tuple(e for e in enum if e is not None) or None
    fmt = schema.get("format")
    if fmt in _FORMATS:
        node.format = fmt
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        node.pattern = go_pattern(pattern)
    for key, attr in (("minimum", "minimum"), ("maximum", "maximum")):
        value = schema.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            setattr(node, attr, value)
    node.exclusive_minimum = schema.get("exclusiveMinimum") is True
    node.exclusive_maximum = schema.get("exclusiveMaximum") is True
    for key, attr in (("minLength", "min_length"), ("maxLength", "max_length"), ("minItems", "min_items"),
                      ("maxItems", "max_items")):
        value = schema.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            setattr(node, attr, value)
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options and not any(_unsupported(o) for o in options):
            node.any_of = tuple(compile_schema(o, branch=True, depth=depth + 1, structural=structural)
                                for o in options)
            break
    return seal(node)


def _unsupported(schema: Any) -> bool:
    """Whether an alternative uses keywords the walker does not evaluate (then the alternatives are skipped:
    checking them without those keywords could reject a valid value)."""
    return not isinstance(schema, dict) or any(k in schema for k in ("not", "allOf", "anyOf", "oneOf"))


def compile_root(schema: Any, object_meta: Node | None, *, structural: bool = True) -> Node:
    """The node of a custom resource: the CRD's schema with the implied ``apiVersion``/``kind``/``metadata``."""
    node = compile_schema(schema, structural=structural)
    if node.type is None:
        node.type = OBJECT
        if structural:
            node.closed = not (isinstance(schema, dict) and schema.get("x-kubernetes-preserve-unknown-fields"))
    props = dict(node.properties or {})
    for key in ("apiVersion", "kind"):
        if key not in props:
            implied = Node()
            implied.type = STRING
            props[key] = seal(implied)
    meta = props.get("metadata")
    if object_meta is not None and (meta is None or not meta.properties):
        props["metadata"] = object_meta
    elif meta is None:
        free = Node()
        free.type = OBJECT
        props["metadata"] = seal(free)
    node.properties = props
    return seal(node)  # again: the root's type, closure and properties changed above


def crd_versions(crd: Mapping[str, Any]) -> list[tuple[str, str, Any]]:
    """``(apiVersion, kind, openAPIV3Schema)`` for each version a CustomResourceDefinition defines."""
    spec = crd.get("spec")
    if not isinstance(spec, dict):
        return []
    group = spec.get("group")
    names = spec.get("names")
    kind = names.get("kind") if isinstance(names, dict) else None
    if not isinstance(group, str) or not isinstance(kind, str):
        return []
    out: list[tuple[str, str, Any]] = []
    shared = spec.get("validation")  # apiextensions.k8s.io/v1beta1: one schema for every version
    shared_schema = shared.get("openAPIV3Schema") if isinstance(shared, dict) else None
    versions = spec.get("versions")
    if isinstance(versions, list) and versions:
        for v in versions:
            if not isinstance(v, dict) or not isinstance(v.get("name"), str):
                continue
            schema = v.get("schema")
            own = schema.get("openAPIV3Schema") if isinstance(schema, dict) else None
            chosen = own if own is not None else shared_schema
            if chosen is not None:
                out.append((f"{group}/{v['name']}", kind, chosen))
    elif isinstance(spec.get("version"), str) and shared_schema is not None:
        out.append((f"{group}/{spec['version']}", kind, shared_schema))
    return out
