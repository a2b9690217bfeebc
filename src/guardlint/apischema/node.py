"""Compiled schema nodes: the part of an OpenAPI schema that validation reads, as plain slotted objects.

Built-in schemas (``store.py``) and CustomResourceDefinition schemas (``crd.py``) compile to the same
``Node`` so one walker (``validate.py``) checks both. Nodes are built once and never changed after their
builder returns (a recursive schema, such as ``JSONSchemaProps``, refers to itself through the same node).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

STRING, INTEGER, NUMBER, BOOLEAN, OBJECT, ARRAY = "string", "integer", "number", "boolean", "object", "array"
QUANTITY, INT_OR_STRING = "quantity", "int-or-string"


class Node:
    """One schema node. ``type`` None with no ``properties`` accepts any value."""

    __slots__ = (
        "any_of", "closed", "embedded", "empty_ok", "enum", "exclusive_maximum", "exclusive_minimum", "format", "items",
        "max_items", "max_length", "maximum", "min_items", "min_length", "minimum",
        "pattern", "properties", "required", "title", "type", "values",
    )

    def __init__(self, title: str = "") -> None:
        self.title = title
        """The definition name shown in messages (``Container``), or empty."""
        self.type: str | None = None
        self.properties: Mapping[str, Node] | None = None
        self.required: tuple[str, ...] = ()
        self.closed = False
        """Unknown fields are errors (strict field validation)."""
        self.values: Node | None = None
        """The schema of a map's values."""
        self.items: Node | None = None
        self.enum: tuple[Any, ...] | None = None
        self.empty_ok = False
        """An empty string passes the enum: the API treats it as unset and applies the default (built-ins)."""
        self.format: str | None = None
        self.pattern: Any = None
        """A compiled regular expression, or None."""
        self.minimum: float | None = None
        self.maximum: float | None = None
        self.exclusive_minimum = False
        self.exclusive_maximum = False
        self.min_length: int | None = None
        self.max_length: int | None = None
        self.min_items: int | None = None
        self.max_items: int | None = None
        self.any_of: tuple[Node, ...] = ()
        """Alternatives (``anyOf`` and ``oneOf`` of a CRD schema): the value must satisfy one."""
        self.embedded = False
        """An embedded Kubernetes object (``x-kubernetes-embedded-resource``): apiVersion, kind, metadata allowed."""

    def __repr__(self) -> str:
        return f"Node({self.title or self.type or 'any'})"


ANY = Node()
"""Accepts every value."""
