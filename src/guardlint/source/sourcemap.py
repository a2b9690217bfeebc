"""Find the source span of a field path in a composed YAML document."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from guardlint._record import NamedTuple
from guardlint.findings import Location
from guardlint.model.paths import FieldPath

_MERGE = "tag:yaml.org,2002:merge"


SMALL_MAPPING = 32
"""A mapping node of at most this many pairs is searched by a scan of its pairs; a larger one through a
``NodeKeys`` table built once per node and kept in the caller's memo (``Document.node_keys``)."""


class NodeKeys(NamedTuple):
    """What ``_lookup`` and ``_merge_origin`` scan a mapping node for, gathered in one pass."""

    explicit: dict[str, tuple[Node, Node]]
    """Each scalar key that is not a merge key -> its (key, value) nodes; the last duplicate wins."""
    merges: list[Node]
    """The values of the node's merge keys, in order."""


NodeMemo = dict[int, NodeKeys]
"""Per document: ``id`` of a large mapping node of its tree -> its ``NodeKeys`` (the tree outlives the memo)."""


def _node_keys(node: MappingNode) -> NodeKeys:
    explicit: dict[str, tuple[Node, Node]] = {}
    merges: list[Node] = []
    for k, v in node.value:
        if k.tag == _MERGE:
            merges.append(v)
        elif isinstance(k, ScalarNode):
            explicit[k.value] = (k, v)  # the last duplicate wins, as in the data
    return NodeKeys(explicit, merges)


def _keys_of(node: MappingNode, memo: Callable[[], NodeMemo] | None) -> NodeKeys | None:
    """The node's table when it is large and there is a memo to keep it in, else None (scan the pairs).
    The memo is asked for only here, so a document without a large mapping never gets one."""
    if memo is None or len(node.value) <= SMALL_MAPPING:
        return None
    tables = memo()
    keys = tables.get(id(node))
    if keys is None:
        keys = tables[id(node)] = _node_keys(node)
    return keys


def _lookup(node: MappingNode, key: str, memo: Callable[[], NodeMemo] | None = None) -> tuple[Node, Node] | None:
    """The (key, value) nodes that give ``key`` its value, as the loader's data has it: an explicit key
    (the last duplicate) wins; otherwise merge sources are searched depth first, in order. Iterative, so
    a long chain of merges cannot exhaust the stack. With a ``memo``, a large mapping is searched through
    its ``NodeKeys`` (the same answer: the same explicit keys, the same merge values in the same order)."""
    stack: list[MappingNode] = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        found: tuple[Node, Node] | None = None
        merges: list[Node] = []
        keys = _keys_of(current, memo)
        if keys is not None:
            found = keys.explicit.get(key)
            merges = keys.merges
        else:
            for k, v in current.value:
                if k.tag == _MERGE:
                    merges.append(v)
                elif isinstance(k, ScalarNode) and k.value == key:
                    found = (k, v)  # the last duplicate wins, as in the data
        if found is not None:
            return found
        sources: list[MappingNode] = []
        for v in merges:
            items = v.value if isinstance(v, SequenceNode) else [v]
            sources.extend(item for item in items if isinstance(item, MappingNode))
        stack.extend(reversed(sources))
    return None


def _merge_origin(node: MappingNode, key: str, memo: Callable[[], NodeMemo] | None = None) -> int | None:
    """When ``key`` of ``node`` has its value from a merge key (not from an explicit key): the index of the
    item of the ``<<`` value it comes through (-1: the ``<<`` value is that mapping itself). Else None."""
    keys = _keys_of(node, memo)
    if keys is not None:
        if key in keys.explicit:
            return None
        merges = keys.merges
    else:
        for k, _ in node.value:
            if isinstance(k, ScalarNode) and k.tag != _MERGE and k.value == key:
                return None
        merges = [v for k, v in node.value if k.tag == _MERGE]
    for v in merges:
        items = list(enumerate(v.value)) if isinstance(v, SequenceNode) else [(-1, v)]
        for i, item in items:
            if isinstance(item, MappingNode) and _lookup(item, key, memo) is not None:
                return i
    return None


def locate(
    root: Node | None,
    path: FieldPath,
    line_offset: int,
    *,
    at_value: bool = False,
    aliases: Mapping[FieldPath, Location] | None = None,
    memo: Callable[[], NodeMemo] | None = None,
) -> tuple[Location, bool]:
    """Return the location of ``path`` and whether it exists.

    An existing mapping entry is located at its key (the field), a sequence item at the item. A missing
    field is located at its nearest existing parent: the mapping or item that should contain it.

    ``aliases`` (``Document.aliases``) says where the text uses each alias. A value the path reaches through
    an alias (``securityContext: *sc``, or a key a merge ``<<: *base`` brings) is shared with the anchor, so
    its node lies at the anchor, maybe in another object: it is located at the alias instead, the place in
    this object where the shared value is used (an aliased value's own field stays at its key, which is this
    object's, and ends where the alias ends).
    """
    if root is None:
        return Location(line_offset + 1, 1, line_offset + 1, 1), False
    key_node: Node | None = None
    node: Node = root
    via: Location | None = None  # the alias the walk went through, first one
    key_is_own = False  # the alias is the value of an explicit key of this object: that key is located as is
    via_step = 0
    steps = 0
    for part in path:
        child: Node | None = None
        child_key: Node | None = None
        if isinstance(part, int) and isinstance(node, SequenceNode):
            if 0 <= part < len(node.value):
                child = node.value[part]
        elif isinstance(part, str) and isinstance(node, MappingNode):
            hit = _lookup(node, part, memo)
            if hit is not None:
                child_key, child = hit
        if child is None:
            break
        steps += 1
        if aliases and via is None:
            prefix = path[:steps]
            if isinstance(part, str) and isinstance(node, MappingNode):
                origin = _merge_origin(node, part, memo)
                if origin is not None:
                    merge = (*path[: steps - 1], "<<")
                    via = aliases.get(merge) or aliases.get((*merge, origin))
                    if via is None:
                        aliases = None  # an inline merge source: the text's paths and the data's part here
            if via is None and aliases and prefix in aliases:
                via = aliases[prefix]
                key_is_own = True
            if via is not None:
                via_step = steps
        node, key_node = child, child_key
    exists = steps == len(path)
    own = not exists or not at_value
    if via is not None:
        if key_is_own and via_step == steps and own and key_node is not None:
            s = key_node.start_mark
            return Location(line_offset + s.line + 1, s.column + 1, via.end_line, via.end_column), exists
        return via, exists
    if not exists:
        return _loc(key_node or node, node, line_offset), False
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
