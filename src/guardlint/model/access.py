"""Typed accessors: read a field of plain manifest data, or None when it is missing or of another type."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from guardlint.model.paths import FieldPath

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def get(data: Any, path: FieldPath) -> Any:
    """The value at ``path`` or None. Integer parts index lists (from 0: a negative index is no item, as
    for ``has`` and for source positions), string parts index mappings."""
    node = data
    for part in path:
        if isinstance(part, int):
            if isinstance(node, list) and 0 <= part < len(node):
                node = node[part]
            else:
                return None
        elif isinstance(node, dict):
            node = node.get(part)
            if node is None:
                return None
        else:
            return None
    return node


def has(data: Any, path: FieldPath) -> bool:
    """Whether every key on ``path`` exists (an explicit null counts as present)."""
    node = data
    for part in path:
        if isinstance(part, int):
            if isinstance(node, list) and 0 <= part < len(node):
                node = node[part]
            else:
                return False
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return False
    return True


def get_map(data: Any, path: FieldPath = ()) -> Mapping[str, Any] | None:
    value = get(data, path) if path else data
    return value if isinstance(value, dict) else None


def get_list(data: Any, path: FieldPath = ()) -> Sequence[Any] | None:
    value = get(data, path) if path else data
    return value if isinstance(value, list) else None


def get_str(data: Any, path: FieldPath) -> str | None:
    value = get(data, path)
    return value if isinstance(value, str) else None


def get_bool(data: Any, path: FieldPath) -> bool | None:
    """A boolean field. Strings are not booleans: ``"false"`` is a type error the API rejects."""
    value = get(data, path)
    return value if isinstance(value, bool) else None


def get_int(data: Any, path: FieldPath) -> int | None:
    value = get(data, path)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def iter_maps(data: Any, path: FieldPath) -> list[tuple[int, Mapping[str, Any]]]:
    """(index, item) for the mapping items of the list at ``path``."""
    items = get_list(data, path)
    if not items:
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]
