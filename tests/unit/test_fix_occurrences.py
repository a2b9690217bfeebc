"""The occurrence tree ``--fix`` follows: which scalars sit inside a flow collection (they are rendered in flow
style), at any depth."""

from __future__ import annotations

from typing import Any

from guardlint import fix


def _scalars(occ: Any) -> list[tuple[str, bool]]:
    if occ.kind == "scalar":
        return [(occ.value, occ.flow)]
    out: list[tuple[str, bool]] = []
    for item in occ.items:
        for part in item if isinstance(item, tuple) else (item,):
            out.extend(_scalars(part))
    return out


def test_flow_marks_every_scalar_inside_a_flow_collection_at_any_depth() -> None:
    text = "a:\n  b: {c: [d, {e: [f]}], g: h}\n  i: [j]\n  m:\n    - n\n    - [o, {p: q}]\nk: l\n"
    root = fix._occurrences(text)
    assert root is not None
    inside = set("cdefghjopq")
    assert _scalars(root) == [(v, v in inside) for v in "abcdefghijmnopqkl"]


def test_deep_flow_nesting_is_followed() -> None:
    depth = 200
    root = fix._occurrences("a: " + "[" * depth + "x" + "]" * depth + "\nb: y\n")
    assert root is not None
    assert _scalars(root) == [("a", False), ("x", True), ("b", False), ("y", False)]
