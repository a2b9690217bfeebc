"""Find the source span of a field path in a composed YAML document."""

from __future__ import annotations

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from guardlint.findings import Location
from guardlint.model.paths import FieldPath

_MERGE = "tag:yaml.org,2002:merge"


def _lookup(node: MappingNode, key: str) -> tuple[Node, Node] | None:
    """The (key, value) nodes that give ``key`` its value, as the loader's data has it: an explicit key
    (the last duplicate) wins; otherwise merge sources are searched depth first, in order. Iterative, so
    a long chain of merges cannot exhaust the stack."""
    stack: list[MappingNode] = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        found: tuple[Node, Node] | None = None
        sources: list[MappingNode] = []
        for k, v in current.value:
            if k.tag == _MERGE:
                items = v.value if isinstance(v, SequenceNode) else [v]
                sources.extend(item for item in items if isinstance(item, MappingNode))
            elif isinstance(k, ScalarNode) and k.value == key:
                found = (k, v)  # the last duplicate wins, as in the data
        if found is not None:
            return found
        stack.extend(reversed(sources))
    return None


def locate(root: Node | None, path: FieldPath, line_offset: int, *, at_value: bool = False) -> tuple[Location, bool]:
    """Return the location of ``path`` and whether it exists.

    An existing mapping entry is located at its key (the field), a sequence item at the item. A missing
    field is located at its nearest existing parent: the mapping or item that should contain it.
    """
    if root is None:
        return Location(line_offset + 1, 1, line_offset + 1, 1), False
    key_node: Node | None = None
    node: Node = root
    for part in path:
        child: Node | None = None
        child_key: Node | None = None
        if isinstance(part, int) and isinstance(node, SequenceNode):
            if 0 <= part < len(node.value):
                child = node.value[part]
        elif isinstance(part, str) and isinstance(node, MappingNode):
            hit = _lookup(node, part)
            if hit is not None:
                child_key, child = hit
        if child is None:
            return _loc(key_node or node, node, line_offset), False
        node, key_node = child, child_key
    start = node if (at_value or key_node is None) else key_node
    return _loc(start, node, line_offset), True


def node_at(root: Node | None, path: FieldPath) -> Node | None:
    """The YAML node at ``path`` (a scalar's ``value`` is its source text), or None when it does not exist."""
    node: Node | None = root
    for part in path:
        if isinstance(part, int) and isinstance(node, SequenceNode) and 0 <= part < len(node.value):
            node = node.value[part]
        elif isinstance(part, str) and isinstance(node, MappingNode):
            hit = _lookup(node, part)
            node = hit[1] if hit is not None else None
        else:
            return None
    return node


def _loc(start: Node, end: Node, line_offset: int) -> Location:
    s, e = start.start_mark, end.end_mark
    return Location(line_offset + s.line + 1, s.column + 1, line_offset + e.line + 1, e.column + 1)


def scalar_span(root: Node | None, path: FieldPath) -> tuple[int, int] | None:
    """Character offsets (start, end) of the scalar value at ``path`` within its document, or None when the
    path does not lead to a scalar (for fixes, which replace exactly that text)."""
    node: Node | None = root
    for part in path:
        if isinstance(part, int) and isinstance(node, SequenceNode) and 0 <= part < len(node.value):
            node = node.value[part]
        elif isinstance(part, str) and isinstance(node, MappingNode):
            hit = _lookup(node, part)
            node = hit[1] if hit is not None else None
        else:
            return None
    if not isinstance(node, ScalarNode):
        return None
    return node.start_mark.index, node.end_mark.index
