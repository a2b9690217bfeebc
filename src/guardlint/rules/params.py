"""Rule parameters declared once: a NamedTuple whose fields carry their documentation and constraints.

::

    class Params(NamedTuple):
        min_replicas: Annotated[int, param("Smallest allowed replica count.", minimum=1)] = 2
        kinds: Annotated[tuple[str, ...], param("Workload kinds to check.", unique_items=True,
                                                items={"minLength": 1})] = ("Deployment", "StatefulSet")

The JSON Schema that validates a configuration's ``params`` (and that the generated docs show) is derived
from that one declaration: the property is the field name in kebab case, its type comes from the annotation
(``bool``, ``int``, ``float``, ``str``, ``None``, ``Literal[...]``, ``tuple[X, ...]``, ``Mapping[str, X]``,
unions of those such as ``int | None``, ``Any``), its default from the field's default, its description and
constraints from ``param``.

Nothing is derived at import: rule modules use ``from __future__ import annotations``, so the annotations stay
strings until ``ParamsSchema`` is first read (configuration validation, ``guardlint docs``, ``explain``); a
run without rule parameters in its configuration never evaluates them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint._record import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Param", "ParamsSchema", "derive_params_schema", "param"]

_KEYWORDS = {
    "minimum": "minimum",
    "maximum": "maximum",
    "exclusive_minimum": "exclusiveMinimum",
    "exclusive_maximum": "exclusiveMaximum",
    "min_length": "minLength",
    "max_length": "maxLength",
    "pattern": "pattern",
    "min_items": "minItems",
    "max_items": "maxItems",
    "unique_items": "uniqueItems",
    "min_properties": "minProperties",
    "max_properties": "maxProperties",
}
"""The JSON Schema keywords ``param`` takes, by their Python spelling."""


class Param(NamedTuple):
    """A parameter's description and JSON Schema constraints (made by ``param``)."""

    description: str
    keywords: tuple[tuple[str, Any], ...] = ()
    """JSON Schema keywords of the parameter itself (``minimum``, ``uniqueItems``, ...)."""
    items: Mapping[str, Any] | None = None
    """Keywords added to the schema of each item of a list parameter."""
    values: Mapping[str, Any] | None = None
    """Keywords added to the schema of each value of a map parameter."""
    keys: Mapping[str, Any] | None = None
    """The schema of each key of a map parameter (``propertyNames``)."""


def param(
    description: str,
    *,
    items: Mapping[str, Any] | None = None,
    values: Mapping[str, Any] | None = None,
    keys: Mapping[str, Any] | None = None,
    **keywords: Any,
) -> Param:
    """Document a parameter and constrain it: ``minimum``, ``maximum``, ``exclusive_minimum``,
    ``exclusive_maximum``, ``min_length``, ``max_length``, ``pattern``, ``min_items``, ``max_items``,
    ``unique_items``, ``min_properties``, ``max_properties``; ``items``, ``values`` and ``keys`` add JSON
    Schema keywords to a list's items, a map's values and a map's keys. An unknown keyword is a TypeError
    when the rule module is imported."""
    unknown = sorted(set(keywords) - set(_KEYWORDS))
    if unknown:
        raise TypeError(f"param() got unknown constraint(s): {', '.join(unknown)}")
    return Param(description, tuple((_KEYWORDS[k], v) for k, v in keywords.items()), items, values, keys)


class ParamsSchema(Mapping[str, "Any"]):
    """The JSON Schema of a params NamedTuple, derived on first read (see the module documentation)."""

    __slots__ = ("_namespace", "_params_type", "_schema")

    def __init__(self, params_type: type[Any], namespace: Mapping[str, Any] | None = None) -> None:
        self._params_type = params_type
        self._namespace = namespace
        self._schema: dict[str, Any] | None = None

    def _derived(self) -> dict[str, Any]:
        if self._schema is None:
            self._schema = derive_params_schema(self._params_type, self._namespace)
        return self._schema

    def __getitem__(self, key: str) -> Any:
        return self._derived()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._derived())

    def __len__(self) -> int:
        return len(self._derived())

    def __repr__(self) -> str:
        return f"ParamsSchema({self._params_type.__qualname__})"


def derive_params_schema(params_type: type[Any], namespace: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON Schema (an object without additional properties) of a params NamedTuple.

    The field annotations are resolved in the params' module, or in ``namespace`` (the rule's module globals)
    when that module is not in ``sys.modules``: a local plugin file is executed without being registered there,
    and its ``Annotated`` would otherwise be an unknown name.

    A name found nowhere else is looked up among ``typing``'s public names last: guardlint's own modules import
    ``Annotated``, ``Literal`` and ``Any`` for type checkers only (``if TYPE_CHECKING:``), since importing
    ``typing`` costs about 2 ms of every start-up. Otherwise the names are looked up where and in the order
    ``get_type_hints`` looks without namespaces: the module's names before the class's, or with ``namespace``
    the class's before it."""
    import sys
    import typing

    module = sys.modules.get(params_type.__module__)
    typing_names = {name: getattr(typing, name) for name in typing.__all__}
    class_names = dict(vars(params_type))
    if module is not None:
        globalns, localns = {**typing_names, **class_names}, dict(vars(module))
    elif namespace is not None:
        globalns, localns = {**typing_names, **namespace}, class_names
    else:
        globalns, localns = {**typing_names, **class_names}, {}
    hints = typing.get_type_hints(params_type, globalns=globalns, localns=localns, include_extras=True)
    defaults: Mapping[str, Any] = getattr(params_type, "_field_defaults", {})
    properties: dict[str, Any] = {}
    for name in params_type._fields:
        hint = hints[name]
        meta: Param | None = None
        if typing.get_origin(hint) is typing.Annotated:
            hint, *extras = typing.get_args(hint)
            found = [x for x in extras if isinstance(x, Param)]
            meta = found[0] if found else None
        where = f"{params_type.__module__}.{params_type.__qualname__}.{name}"
        prop = _schema_of(hint, where)
        if meta is not None:
            prop.update(meta.keywords)
            if meta.items is not None:
                prop["items"] = {**prop.get("items", {}), **meta.items}
            if meta.values is not None:
                prop["additionalProperties"] = {**prop.get("additionalProperties", {}), **meta.values}
            if meta.keys is not None:
                prop["propertyNames"] = dict(meta.keys)
        if name in defaults:
            prop["default"] = _json_value(defaults[name])
        if meta is not None:
            prop["description"] = meta.description
        properties[name.replace("_", "-")] = prop
    return {"type": "object", "additionalProperties": False, "properties": properties}


_SCALARS = {bool: "boolean", int: "integer", float: "number", str: "string"}


def _schema_of(hint: Any, where: str) -> dict[str, Any]:
    import types
    import typing

    if hint is typing.Any:
        return {}
    if hint in _SCALARS:
        return {"type": _SCALARS[hint]}
    if hint is type(None):  # ``int | None``, ``Optional[int]``: a parameter that may be null
        return {"type": "null"}
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal:
        return {"enum": list(args)}
    if origin in (typing.Union, types.UnionType):
        parts = [_schema_of(a, where) for a in args]
        if all(set(p) == {"type"} and isinstance(p["type"], str) for p in parts):
            return {"type": [p["type"] for p in parts]}
        return {"anyOf": parts}
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return {"type": "array", "items": _schema_of(args[0], where)}
    if origin is not None and isinstance(origin, type) and issubclass(origin, Mapping) and len(args) == 2:
        if args[0] is not str:
            raise TypeError(f"{where}: map parameters have string keys, not {args[0]!r}")
        return {"type": "object", "additionalProperties": _schema_of(args[1], where)}
    raise TypeError(f"{where}: no JSON Schema for the parameter type {hint!r}")


def _json_value(value: Any) -> Any:
    """A default as JSON data: tuples become lists, mappings dicts."""
    if isinstance(value, (tuple, list)):
        return [_json_value(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _json_value(v) for k, v in value.items()}
    return value
