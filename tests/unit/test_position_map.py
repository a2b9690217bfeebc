"""The compact position map (``load_text(..., nodes=False)``) locates every path exactly as the node tree does."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from guardlint.model.paths import FieldPath
from guardlint.source.loader import Document, load_text
from guardlint.source.sourcemap import locate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

EDGE_CASES = {
    "duplicate keys": "a: 1\nb: {x: 1}\na: [2, 3]\nb: {y: 2}\n",
    "complex keys": "? [a, b]\n: 1\nplain: 2\n? {c: d}\n: {e: f}\n",
    "a complex key then its stand-in text": "? [a]\n: 1\n'<complex key at line 1>': 2\n",
    "the stand-in text then a complex key": "'<complex key at line 2>': 2\n? [a]\n: 1\n",
    "flow and block": "spec: {containers: [{name: a, image: 'x:1'}, {name: b}]}\nlist:\n- - 1\n  - [2, {k: v}]\n",
    "block scalars": "a: |\n  line one\n  line two\nb: >-\n  folded\nc: end\n",
    "unicode columns": "name: 'é€😀'\nnext: {k: 'ü', j: 2}\n",
    "YAML-only line breaks": "a: 'x\u2028y'\nb:\n  c: 1\u2029\n",
    "scalar document": "just text\n",
    "empty containers": "a: {}\nb: []\nc: null\nd:\n",
    "non-string scalars": "1: one\ntrue: yes\n~: x\n1.5: [a]\n",
    "a List": "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n",
    "several documents": "a: 1\n---\n# comment\nb:\n  c: [1, 2]\n...\n---\nd: e\n",
    "anchors (node tree kept)": "a: &x {b: 1}\nc: *x\nd:\n  <<: *x\n  e: 2\n",
    "an ampersand that is not an anchor": "url: 'https://x?a=1&b=2'\nk: {v: 1}\n",
}


def _paths(data: Any, prefix: FieldPath = ()) -> Iterator[FieldPath]:
    """Every path of the data, and for each container a missing child (a key, an index past the end, and a
    part of the wrong type)."""
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
        yield (*prefix, "no-such-key")
        yield (*prefix, 0)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _paths(value, (*prefix, i))
        yield (*prefix, len(data))
        yield (*prefix, -1)
        yield (*prefix, "key")
    else:
        yield (*prefix, "below-a-scalar")
        yield (*prefix, 0)


def _compare(text: str, name: str) -> int:
    compact = load_text(text, name, nodes=False)
    full = load_text(text, name)
    assert compact.errors == full.errors
    assert len(compact.documents) == len(full.documents)
    checked = 0
    for small, big in zip(compact.documents, full.documents, strict=True):
        assert small.data == big.data
        assert big.root is not None and big.positions is None
        assert (small.positions is None) == (small.root is not None)
        for path in _paths(small.data):
            for at_value in (False, True):
                expected = locate(big.root, path, big.line_offset, at_value=at_value, aliases=big.aliases)
                assert small.locate(path, at_value=at_value) == expected, (name, path, at_value)
                assert big.locate(path, at_value=at_value) == expected
                checked += 1
    return checked


@pytest.mark.parametrize("name", sorted(EDGE_CASES))
def test_edge_cases_locate_as_the_node_tree(name: str) -> None:
    assert _compare(EDGE_CASES[name], "edge.yaml") > 0


def test_fixtures_locate_as_the_node_tree() -> None:
    files = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
    assert len(files) > 100
    checked = sum(_compare(p.read_text(encoding="utf-8", errors="replace"), p.name) for p in files)
    assert checked > 10_000


def test_compact_documents_keep_no_node_tree() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  k: v\n"
    doc: Document = load_text(text, "m.yaml", nodes=False).documents[0]
    assert doc.root is None and doc.positions is not None
    assert len(doc.positions) == 7 * 7  # the root and six values (apiVersion ... k): seven words each
    anchored = load_text("a: &x 1\nb: *x\n", "a.yaml", nodes=False).documents[0]
    assert anchored.root is not None and anchored.positions is None  # the bounded walk keeps its nodes


def test_loading_leaves_no_garbage_cycles() -> None:
    """A run pauses the collector: loading must not leave reference cycles (the builder's recursive walk
    once kept its closure, its position list and the file's tag memo alive)."""
    text = "a: {b: [1, 2, {c: d}]}\ne: f\n"
    gc.collect()
    gc.disable()
    try:
        for nodes in (False, True):
            load_text(text, "x.yaml", nodes=nodes)
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_duplicate_keys_match_the_bounded_walk() -> None:
    """The fast walk finds the paths of duplicate keys after the walk; the bounded walk carries them."""
    from guardlint.source.loader import LoadMemo, _compose

    text = "a: 1\nb:\n  c: [1, {d: 1, d: 2}]\n  c: 3\nb: {e: {f: 1, f: 2}}\n? [x]\n: {g: 1, g: 1}\n"
    root = _compose(text, {})
    assert root is not None
    fast = LoadMemo().build(root, 10_000, may_alias=False, positions=True)
    bounded = LoadMemo()._build_bounded(root, 10_000)
    assert fast[1] == bounded[1] and fast[0] == bounded[0]
    assert [d[0] for d in fast[1]] == [("b", "c", 1, "d"), ("b", "c"), ("b",), ("b", "e", "f"),
                                       ("<complex key at line 6>", "g")]
