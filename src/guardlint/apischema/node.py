"""Compiled schema nodes: the part of an OpenAPI schema that validation reads, as plain slotted objects.

Built-in schemas (``store.py``) and CustomResourceDefinition schemas (``crd.py``) compile to the same
``Node`` so one walker (``validate.py``) checks both. Nodes are built once and never changed after their
builder returns (a recursive schema, such as ``JSONSchemaProps``, refers to itself through the same node); the
builder's last step on each node is ``seal``, which records what the walker may skip.
"""

from __future__ import annotations

from collections.abc import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

STRING, INTEGER, NUMBER, BOOLEAN, OBJECT, ARRAY = "string", "integer", "number", "boolean", "object", "array"
QUANTITY, INT_OR_STRING = "quantity", "int-or-string"


class Node:
    """One schema node. ``type`` None with no ``properties`` accepts any value."""

    __slots__ = (
        "any_of", "closed", "embedded", "empty_ok", "enum", "exclusive_maximum", "exclusive_minimum", "format", "free",
        "items", "list_keys", "list_type", "listing", "mapping",
        "max_items", "max_length", "maximum", "min_items", "min_length", "minimum",
        "pattern", "properties", "required", "source", "title", "type", "values",
    )

    source: Any
    """What a definition of the shipped schemas is compiled from until its first read (``store._Definition``);
    None once compiled, and never set on other nodes (nothing else reads it)."""

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
        self.list_type: str | None = None
        """``set`` or ``map`` (a CRD's ``x-kubernetes-list-type``): the API rejects duplicate items (``set``) or
        items with the same key (``map``). None otherwise (``atomic``, or unset)."""
        self.list_keys: tuple[tuple[str, Any], ...] = ()
        """The key fields of a ``map`` list (``x-kubernetes-list-map-keys``), each with its default (None: none),
        which the API server fills in before it compares keys."""
        self.any_of: tuple[Node, ...] = ()
        """Alternatives (``anyOf`` and ``oneOf`` of a CRD schema): the value must satisfy one."""
        self.embedded = False
        """An embedded Kubernetes object (``x-kubernetes-embedded-resource``): apiVersion, kind, metadata allowed."""
        self.free: type = _NONE
        """Every value of this type (``isinstance``) passes the node with no problem, so the walker need not
        visit it. ``None`` always does (it means unset); ``seal`` widens it from the node's constraints."""
        self.mapping = False
        """A mapping value is checked by its properties alone (type object, no enum, no alternatives), so the
        walker goes straight to them; set by ``seal``."""
        self.listing = False
        """A list value is checked item by item against ``items`` alone (type array, no enum, no alternatives,
        no list type, no bounds on its length), so the walker goes straight to its items; set by ``seal``."""

    def __repr__(self) -> str:
        return f"Node({self.title or self.type or 'any'})"


_NONE = type(None)


def seal(node: Node) -> Node:
    """Record in ``node.free`` the values that pass ``node`` without a walk; call it when the node is complete
    (and again if a builder changes it afterwards). Exact by construction, mirroring ``validate._check``:

    * no type, no properties (not even an empty set), no required fields, no enum, no alternatives: every
      value passes;
    * a string with no format, pattern, length bounds, enum or alternatives: every string passes;
    * a boolean with no enum or alternatives: every boolean passes (``isinstance`` of ``bool`` is only a bool);
    * an object with no properties, no map values, no required fields, not closed (a free-form object, such as
      ``x-kubernetes-preserve-unknown-fields`` without properties), no enum or alternatives: every mapping
      passes (its keys are neither checked nor reported).

    Anything else keeps ``None`` only: integers (a bool is an ``int`` to ``isinstance``, and most have a
    range), numbers, lists, quantities and int-or-string values are walked.
    """
    free: type = _NONE
    t = node.type
    if node.any_of or node.enum is not None:
        pass
    elif t is None:
        if node.properties is None and not node.required:  # (an empty mapping still checks map values)
            free = object
    elif t == STRING:
        if node.format is None and node.pattern is None and node.min_length is None and node.max_length is None:
            free = str
    elif t == BOOLEAN:
        free = bool
    elif t == OBJECT and not node.properties and node.values is None and not node.required and not node.closed:
        free = dict
    node.free = free
    # What ``validate._check`` does with a mapping for such a node is ``_check_object`` and nothing else.
    node.mapping = t == OBJECT and not node.any_of and node.enum is None
    # And what it does with a list for such a node is to check each item against ``node.items``.
    node.listing = (t == ARRAY and not node.any_of and node.enum is None and node.list_type is None
                    and node.min_items is None and node.max_items is None)
    return node


ANY = seal(Node())
"""Accepts every value."""
