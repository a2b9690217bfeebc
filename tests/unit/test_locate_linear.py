"""Locating findings stays linear: a key's entry in a large mapping of the position map is found through a
per-document table built once, not by a scan of the mapping's keys per lookup."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from yaml.nodes import MappingNode

from guardlint.source import loader, sourcemap
from guardlint.source.loader import SMALL_MAPPING, KeySlots, load_text, locate_in_map
from guardlint.source.sourcemap import locate


class _CountingDict(dict[str, Any]):
    """A mapping that counts the keys iterated over (``list(d)`` and ``enumerate(d)`` go through ``__iter__``)."""

    visited = 0

    def __iter__(self) -> Iterator[str]:
        for key in super().__iter__():
            type(self).visited += 1
            yield key


def _big(n: int) -> str:
    return "".join(f"k{i}: {i}\n" for i in range(n))


def test_every_key_of_a_20000_key_mapping_costs_linear_work() -> None:
    n = 20_000
    doc = load_text(_big(n), "big.yaml", nodes=False).documents[0]
    assert doc.positions is not None
    data = _CountingDict(doc.data)
    _CountingDict.visited = 0
    memo: KeySlots = {}
    builds = 0

    def slots() -> KeySlots:
        nonlocal builds
        builds += 1
        return memo

    for i in range(n):
        location, exists = locate_in_map(doc.positions, data, (f"k{i}",), 0, key_slots=slots)
        assert exists and (location.line, location.column) == (i + 1, 1)
    assert _CountingDict.visited == n  # one table of the keys, not a scan per lookup (n * n / 2 before)
    assert builds == n  # the memo is asked for once per lookup ...
    assert list(memo) == [doc.positions[6]]  # ... and holds one table: this mapping's, keyed by its children
    assert len(memo[doc.positions[6]]) == n


def test_document_memo_is_built_once_and_only_for_large_mappings() -> None:
    small = load_text("a: {b: 1}\nc: 2\n", "small.yaml", nodes=False).documents[0]
    assert small.locate(("a", "b"))[1]
    assert small.key_slots is None  # an ordinary document carries no table

    n = 5_000
    text = "metadata: {name: x}\ndata:\n" + "".join(f"  k{i}: v\n" for i in range(n))
    doc = load_text(text, "cm.yaml", nodes=False).documents[0]
    assert doc.key_slots is None
    doc.locate(("data", "k0"))
    assert doc.key_slots is not None
    tables = dict(doc.key_slots)
    assert len(tables) == 1
    for i in range(n):
        location, exists = doc.locate(("data", f"k{i}"))
        assert exists and location.line == i + 3
    assert doc.key_slots == tables  # no rebuild: the same single table
    assert all(doc.key_slots[c] is t for c, t in tables.items())
    assert doc.locate(("data", "missing"))[1] is False
    assert doc.locate(("metadata", "name"))[1]


def test_small_mappings_still_scan(monkeypatch: Any) -> None:
    calls = []
    real = loader._key_index

    def counting(mapping: dict[str, Any], key: str) -> int:
        calls.append(len(mapping))
        return real(mapping, key)

    monkeypatch.setattr(loader, "_key_index", counting)
    doc = load_text(_big(SMALL_MAPPING) + "x: {y: 1}\n", "f.yaml", nodes=False).documents[0]
    doc.locate(("k3",))
    assert calls == []  # SMALL_MAPPING + 1 keys: a table
    doc.locate(("x", "y"))
    assert calls == [1] and doc.key_slots is not None and len(doc.key_slots) == 1


def test_large_mappings_locate_as_the_node_tree_does() -> None:
    """Duplicate keys (the first key's place, the last key's value), a non-scalar key (not locatable), nested
    large mappings inside a sequence, and missing keys: the table gives what the node tree gives."""
    n = 3 * SMALL_MAPPING
    inner = "".join(f"      p{i}: {{type: string}}\n" for i in range(n))
    text = (
        "? [complex]\n: 0\n"
        + _big(n)
        + "k5: dup\nk7: {again: 1}\n"
        + "items:\n- properties:\n"
        + inner
        + "- properties:\n"
        + inner
    )
    compact = load_text(text, "f.yaml", nodes=False).documents[0]
    tree = load_text(text, "f.yaml").documents[0]
    assert compact.positions is not None and tree.root is not None
    paths: list[tuple[str | int, ...]] = [(k,) for k in compact.data] + [("missing",), ("k7", "again")]
    for item in (0, 1):
        paths += [("items", item, "properties", f"p{i}") for i in range(n)]
        paths += [("items", item, "properties", f"p{i}", "type") for i in range(0, n, 7)]
        paths += [("items", item, "properties", "nope")]
    for path in paths:
        for at_value in (False, True):
            expected = locate(tree.root, path, tree.line_offset, at_value=at_value)
            assert compact.locate(path, at_value=at_value) == expected, path
    assert compact.key_slots is not None and len(compact.key_slots) == 3


class _CountingList(list[Any]):
    """A node's pairs that count how many are iterated over."""

    visited = 0

    def __iter__(self) -> Iterator[Any]:
        for pair in super().__iter__():
            type(self).visited += 1
            yield pair


def test_composed_document_locates_every_key_of_a_large_mapping_with_linear_work() -> None:
    """A document with an anchor keeps its node tree (``sourcemap.locate``): its large mappings are searched
    through a table built once per node, not by a scan of the pairs per lookup."""
    n = 5_000
    text = "base: &b {inherited: 1}\ndata:\n  <<: *b\n" + "".join(f"  k{i}: v\n" for i in range(n))
    doc = load_text(text, "cm.yaml", nodes=False).documents[0]
    assert doc.root is not None and doc.positions is None
    data_node = sourcemap.node_at(doc.root, ("data",))
    assert isinstance(data_node, MappingNode)
    data_node.value = _CountingList(data_node.value)
    _CountingList.visited = 0
    for i in range(n):
        location, exists = doc.locate(("data", f"k{i}"))
        assert exists and location.line == i + 4
    assert doc.locate(("data", "inherited"))[1]  # through the merge key: at the alias
    assert doc.locate(("data", "missing"))[1] is False
    assert _CountingList.visited == n + 1  # one table of the pairs (n keys and the merge key), n * n / 2 before
    assert doc.node_keys is not None and list(doc.node_keys) == [id(data_node)]

    small = load_text("a: &x {b: 1}\nc: *x\n", "s.yaml", nodes=False).documents[0]
    assert small.root is not None and small.locate(("c", "b"))[1]
    assert small.node_keys is None  # an ordinary document carries no table


def test_composed_large_mappings_locate_as_without_the_memo() -> None:
    """Duplicate keys, merge keys (a list of sources, a nested merge), explicit keys that override merged
    ones, a non-scalar key, and missing keys: the tables give what the scan of the pairs gives."""
    n = 2 * SMALL_MAPPING
    many = "".join(f"  k{i}: {i}\n" for i in range(n))
    text = (
        f"one: &one\n{many}  shared: one\n"
        "two: &two\n  <<: *one\n  extra: 2\n" + "".join(f"  t{i}: {i}\n" for i in range(n))
        + "obj:\n  <<: [*two, {inline: 1}]\n  k3: own\n  ? [complex]\n  : 0\n"
        + "".join(f"  o{i}: {{v: {i}}}\n" for i in range(n))
        + "  o5: dup\n"
    )
    doc = load_text(text, "f.yaml", nodes=False).documents[0]
    assert doc.root is not None
    paths: list[tuple[str | int, ...]] = [("obj", k) for k in doc.data["obj"]] + [("obj", "o7", "v")]
    paths += [("obj", "missing"), ("one", "k1"), ("two", "k2"), ("two", "nope"), ("obj", "<<")]
    for path in paths:
        for at_value in (False, True):
            expected = sourcemap.locate(doc.root, path, doc.line_offset, at_value=at_value, aliases=doc.aliases)
            assert doc.locate(path, at_value=at_value) == expected, path
    assert doc.node_keys is not None and len(doc.node_keys) >= 2
