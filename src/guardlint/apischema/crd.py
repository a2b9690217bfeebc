"""Compile the ``openAPIV3Schema`` of a CustomResourceDefinition into schema nodes, with the semantics the API
server gives a structural schema:

* unknown fields are errors (strict field validation; the server would prune them) unless
  ``x-kubernetes-preserve-unknown-fields: true``, or unless the CRD preserves unknown fields everywhere
  (``spec.preserveUnknownFields: true``, the default of ``apiextensions.k8s.io/v1beta1``: nothing is pruned,
  so strict field validation reports nothing); ``additionalProperties`` gives a map's values;
* ``x-kubernetes-int-or-string: true`` accepts an integer or a string;
* ``x-kubernetes-embedded-resource: true`` allows ``apiVersion``, ``kind`` and ``metadata``;
* ``nullable`` needs no handling: a null is accepted (kept, or pruned before validation);
* the root implies ``apiVersion``, ``kind`` and ``metadata`` even when the schema omits them; the ``metadata``
  of the root and of an embedded resource is always an ``ObjectMeta`` (the server validates and prunes it
  as such, whatever the schema says; at the root a CRD may only add constraints on ``name`` and
  ``generateName``, which are kept);
* patterns are Go (RE2) regular expressions: a global flag group that is not at the start (``^(?i)...``) is
  moved to the front and ``\\z`` becomes ``\\Z``; a pattern Python still cannot compile is not checked;
* ``anyOf``/``oneOf`` are value alternatives (at least one must hold); alternatives that use ``not``,
  ``allOf`` or nested alternatives, and CEL rules (``x-kubernetes-validations``), are not checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cmp_to_key

from guardlint._lazyre import lazy
from guardlint._record import NamedTuple
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

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint._linear_re import LinearPattern

_TYPES = {"string": STRING, "integer": INTEGER, "number": NUMBER, "boolean": BOOLEAN, "object": OBJECT,
          "array": ARRAY}
_FORMATS = frozenset({"int32", "int64", "byte", "date-time"})
_LEADING_FLAGS = lazy(r"^\^\(\?([a-zA-Z]+)\)")  # compiled on first use: most runs have no CRD pattern
_MAX_DEPTH = 200


def go_pattern(pattern: str) -> LinearPattern | None:
    """A Go regular expression as a compiled Python pattern searched in linear time, as Go's RE2 searches it (a
    CRD's pattern is repository data: under ``re``'s backtracking ``^(a+)+$`` took hours on a 40-character
    value), or None when Python cannot express it or only backtracking could search it (lookaround and
    backreferences, which RE2 refuses too)."""
    from guardlint._linear_re import compile_linear

    text = _LEADING_FLAGS.sub(lambda m: f"(?{m.group(1)})^", pattern)
    text = text.replace("\\z", "\\Z")
    try:
        return compile_linear(text)
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

    __slots__ = ("_branch", "_depth", "_done", "_options", "_raw")

    def __init__(
        self, raw: Mapping[str, Any], branch: bool, depth: int, options: _Options, fixed: Mapping[str, Node]
    ) -> None:
        self._raw = raw
        self._branch = branch
        self._depth = depth
        self._options = options
        self._done: dict[str, Node] = dict(fixed)
        """Compiled properties; ``fixed`` ones (an embedded resource's ``metadata``) are not compiled from ``raw``."""

    def __getitem__(self, key: str) -> Node:
        node = self._done.get(key)
        if node is None:
            node = _compile(self._raw[key], self._branch, self._depth, self._options)
            self._done[key] = node
        return node

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


class _Options(NamedTuple):
    """What holds for every node of one schema (see ``compile_schema``)."""

    structural: bool
    preserve_unknown: bool
    object_meta: Node | None


def compile_schema(
    schema: Any, *, branch: bool = False, depth: int = 0, structural: bool = True, preserve_unknown: bool = False,
    object_meta: Node | None = None,
) -> Node:
    """One node of a structural schema. ``branch``: inside anyOf/oneOf, where fields are governed by the
    enclosing schema (no unknown-field checks). ``structural=False`` reads a plain JSON schema (a schema
    catalog file): an object is closed only where it says ``additionalProperties: false``.
    ``preserve_unknown``: the CRD keeps unknown fields everywhere (``spec.preserveUnknownFields``), so no object
    is closed. ``object_meta``: the ``ObjectMeta`` node that an embedded resource's ``metadata`` is."""
    return _compile(schema, branch, depth, _Options(structural, preserve_unknown, object_meta))


def _compile(schema: Any, branch: bool, depth: int, options: _Options) -> Node:
    node = Node()
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return seal(node)
    node.type = _kind_type(schema)
    preserve = options.preserve_unknown or bool(schema.get("x-kubernetes-preserve-unknown-fields"))
    node.embedded = bool(schema.get("x-kubernetes-embedded-resource"))
    props = schema.get("properties")
    if isinstance(props, dict):
        raw = {str(k): v for k, v in props.items()}
        # An embedded resource's metadata is an ObjectMeta for the API server, which validates and prunes it
        # as one whatever the schema says (controller-gen often writes it as a bare ``type: object``).
        meta = options.object_meta
        fixed = {"metadata": meta} if node.embedded and meta is not None and "metadata" in raw else {}
        node.properties = _LazyProperties(raw, branch, depth + 1, options, fixed)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        node.values = _compile(extra, branch, depth + 1, options)
    if options.structural:
        node.closed = (node.type == OBJECT and not branch and not preserve and extra is not True
                       and node.values is None)
    else:
        node.closed = extra is False and not branch and not preserve
    items = schema.get("items")
    if isinstance(items, dict):
        node.items = _compile(items, branch, depth + 1, options)
        list_type = schema.get("x-kubernetes-list-type")
        if list_type == "set":
            node.list_type = "set"
        elif list_type == "map":
            keys = schema.get("x-kubernetes-list-map-keys")
            item_props = items.get("properties")
            if isinstance(keys, list) and keys and all(isinstance(k, str) for k in keys):
                node.list_type = "map"
                node.list_keys = tuple(
                    (k, item_props[k].get("default") if isinstance(item_props, dict)
                     and isinstance(item_props.get(k), dict) else None)
                    for k in keys
                )
    required = schema.get("required")
    if isinstance(required, list):
        node.required = tuple(str(r) for r in required)
    if node.embedded and options.structural and not branch:
        # The API server requires an embedded resource's apiVersion and kind whatever the schema lists.
        node.required = (*node.required, *(k for k in ("apiVersion", "kind") if k not in node.required))
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
        alternatives = schema.get(key)
        if isinstance(alternatives, list) and alternatives and not any(_unsupported(o) for o in alternatives):
            node.any_of = tuple(_compile(o, True, depth + 1, options) for o in alternatives)
            break
    return seal(node)


def _unsupported(schema: Any) -> bool:
    """Whether an alternative uses keywords the walker does not evaluate (then the alternatives are skipped:
    checking them without those keywords could reject a valid value)."""
    return not isinstance(schema, dict) or any(k in schema for k in ("not", "allOf", "anyOf", "oneOf"))


def compile_root(
    schema: Any, object_meta: Node | None, *, structural: bool = True, preserve_unknown: bool = False
) -> Node:
    """The node of a custom resource: the CRD's schema with the implied ``apiVersion``/``kind``/``metadata``.
    ``metadata`` is ``object_meta`` (the built-in ``ObjectMeta``) whatever the schema says, but for the
    constraints a CRD may put on ``name`` and ``generateName``; without ``object_meta`` it is not checked."""
    node = compile_schema(schema, structural=structural, preserve_unknown=preserve_unknown, object_meta=object_meta)
    if node.type is None:
        node.type = OBJECT
        if structural:
            node.closed = not (preserve_unknown or (
                isinstance(schema, dict) and schema.get("x-kubernetes-preserve-unknown-fields")))
    props = dict(node.properties or {})
    for key in ("apiVersion", "kind"):
        if key not in props:
            implied = Node()
            implied.type = STRING
            props[key] = seal(implied)
    props["metadata"] = _root_metadata(props.get("metadata"), object_meta)
    node.properties = props
    return seal(node)  # again: the root's type, closure and properties changed above


def _root_metadata(declared: Node | None, object_meta: Node | None) -> Node:
    """The root's ``metadata``: the API server validates it as ``ObjectMeta`` and lets a CRD schema restrict
    only ``metadata.name`` and ``metadata.generateName`` (a schema that lists other fields, or writes
    ``type: object`` with no properties, does not close it)."""
    if object_meta is None:
        free = Node()
        free.type = OBJECT
        return seal(free)
    own = {k: v for k, v in (declared.properties or {}).items() if k in ("name", "generateName")} if declared else {}
    if not own:
        return object_meta
    merged = Node(object_meta.title)
    for slot in Node.__slots__:
        setattr(merged, slot, getattr(object_meta, slot))
    merged.properties = {**(object_meta.properties or {}), **own}
    return seal(merged)


class CrdVersion(NamedTuple):
    """One version of a custom resource kind as its CustomResourceDefinition defines it."""

    api_version: str
    kind: str
    schema: Any
    """The ``openAPIV3Schema``."""
    preserve_unknown: bool = False
    """Unknown fields are kept everywhere, not pruned (``spec.preserveUnknownFields``)."""


def preserves_unknown_fields(crd: Mapping[str, Any]) -> bool:
    """Whether the CRD keeps unknown fields in every object instead of pruning them: ``spec.preserveUnknownFields``,
    which ``apiextensions.k8s.io/v1beta1`` defaults to true (``v1`` to false). The API server then prunes nothing,
    so strict field validation reports no unknown field (types and required fields are still checked)."""
    spec = crd.get("spec")
    explicit = spec.get("preserveUnknownFields") if isinstance(spec, dict) else None
    if isinstance(explicit, bool):
        return explicit
    return crd.get("apiVersion") == "apiextensions.k8s.io/v1beta1"


def _group_kind(crd: Mapping[str, Any]) -> tuple[Mapping[str, Any], str, str] | None:
    spec = crd.get("spec")
    if not isinstance(spec, dict):
        return None
    group = spec.get("group")
    names = spec.get("names")
    kind = names.get("kind") if isinstance(names, dict) else None
    if not isinstance(group, str) or not isinstance(kind, str):
        return None
    return spec, group, kind


class ServedVersion(NamedTuple):
    """How a CustomResourceDefinition serves one version of its kind."""

    api_version: str
    kind: str
    served: bool
    """True only for ``served: true``: otherwise the API server does not serve the version (a request for it is
    answered ``no matches for kind``), so its objects cannot be applied and its schema validates nothing.
    ``served`` is a required boolean of CustomResourceDefinitionVersion (apiextensions.k8s.io/v1 and v1beta1):
    a version without it is decoded with Go's zero value, false (and the CRD itself is reported by
    ``missing-required-field``); one that is not a boolean makes the API server reject the whole CRD (reported by
    ``wrong-field-type``), so its kind is not served at all."""
    deprecation: str | None = None
    """For ``deprecated: true``: the warning the API server returns with every request for the version (the
    CRD's ``deprecationWarning``, or the server's default wording)."""
    storage: bool = False
    """``storage: true``: the version the API server persists the kind's objects in (exactly one per CRD)."""
    unserved: str = ""
    """For a version that is not served, how the CRD says so, for messages: "with served: false", "without
    served (...)" or "with served: 'yes' (...)"."""


def _unserved(version: Mapping[str, Any]) -> str:
    """How a version that is not ``served: true`` is listed ("" for a served one; see ``ServedVersion``)."""
    if "served" not in version:
        return "without served (a required field: the API server reads a missing one as false)"
    value = version["served"]
    if value is True:
        return ""
    if value is False:
        return "with served: false"
    return f"with served: {value!r}, not a boolean (the API server rejects the CustomResourceDefinition)"


_KUBE_VERSION = lazy(r"v([0-9]+)(?:(alpha|beta)([0-9]+))?")  # compiled on first use
_STABILITY = {"alpha": 0, "beta": 1, None: 2}


def compare_kube_versions(a: str, b: str) -> int:
    """The order Kubernetes gives the version names of an API group (negative when ``a`` comes before ``b``):
    stable above beta above alpha, then by major and minor number (``v2 > v1 > v1beta2 > v1beta1 > v1alpha1``);
    a name of another shape is below every Kubernetes-like one, and such names are in reverse alphabetical
    order among themselves. It is how the API server picks the version its default deprecation warning
    recommends, and how discovery orders a CRD's versions (apimachinery's CompareKubeAwareVersionStrings)."""
    if a == b:
        return 0
    ma, mb = _KUBE_VERSION.fullmatch(a), _KUBE_VERSION.fullmatch(b)
    if ma is None or mb is None:
        if ma is None and mb is None:
            return (a < b) - (a > b)
        return -1 if ma is None else 1
    ka = (_STABILITY[ma.group(2)], int(ma.group(1)), int(ma.group(3) or 0))
    kb = (_STABILITY[mb.group(2)], int(mb.group(1)), int(mb.group(3) or 0))
    return (ka > kb) - (ka < kb)


def version_serving(crd: Mapping[str, Any]) -> list[ServedVersion]:
    """A ``ServedVersion`` for each version the CustomResourceDefinition lists."""
    found = _group_kind(crd)
    if found is None:
        return []
    spec, group, kind = found
    versions = spec.get("versions")
    if isinstance(versions, list) and versions:
        listed = [v for v in versions if isinstance(v, dict) and isinstance(v.get("name"), str)]
        out: list[ServedVersion] = []
        for v in listed:
            api_version = f"{group}/{v['name']}"
            warning = v.get("deprecationWarning")
            deprecation = None
            if v.get("deprecated") is True:
                deprecation = (warning if isinstance(warning, str) and warning
                               else _default_deprecation_warning(v["name"], group, kind, listed))
            unserved = _unserved(v)
            out.append(ServedVersion(api_version, kind, not unserved, deprecation, v.get("storage") is True,
                                     unserved))
        return out
    version = spec.get("version")  # apiextensions.k8s.io/v1beta1 with one version: served and stored
    return [ServedVersion(f"{group}/{version}", kind, True, storage=True)] if isinstance(version, str) else []


def _default_deprecation_warning(name: str, group: str, kind: str, versions: list[dict[str, Any]]) -> str:
    """The API server's warning for a deprecated version without ``deprecationWarning``: "<group>/<version>
    <Kind> is deprecated", followed by "; use <group>/<newer> <Kind>" naming the newest version of the CRD that
    is served, not deprecated and after the deprecated one in ``compare_kube_versions`` order, if there is one."""
    newer = [v["name"] for v in versions if v.get("served") is True and v.get("deprecated") is not True
             and compare_kube_versions(name, v["name"]) < 0]
    warning = f"{group}/{name} {kind} is deprecated"
    if not newer:
        return warning
    newest = max(newer, key=cmp_to_key(compare_kube_versions))
    return f"{warning}; use {group}/{newest} {kind}"


def crd_versions(crd: Mapping[str, Any]) -> list[CrdVersion]:
    """A ``CrdVersion`` (apiVersion, kind, openAPIV3Schema, ...) for each version a CustomResourceDefinition
    defines and serves: a version that is not ``served: true`` is left out (``ServedVersion.served``)."""
    found = _group_kind(crd)
    if found is None:
        return []
    spec, group, kind = found
    preserve = preserves_unknown_fields(crd)
    out: list[CrdVersion] = []
    shared = spec.get("validation")  # apiextensions.k8s.io/v1beta1: one schema for every version
    shared_schema = shared.get("openAPIV3Schema") if isinstance(shared, dict) else None
    versions = spec.get("versions")
    if isinstance(versions, list) and versions:
        for v in versions:
            if not isinstance(v, dict) or not isinstance(v.get("name"), str) or v.get("served") is not True:
                continue
            schema = v.get("schema")
            own = schema.get("openAPIV3Schema") if isinstance(schema, dict) else None
            chosen = own if own is not None else shared_schema
            if chosen is not None:
                out.append(CrdVersion(f"{group}/{v['name']}", kind, chosen, preserve))
    elif isinstance(spec.get("version"), str) and shared_schema is not None:
        out.append(CrdVersion(f"{group}/{spec['version']}", kind, shared_schema, preserve))
    return out
