"""The loader's composer remembers scalar tags per file; the nodes must be exactly PyYAML's, but for the tags of
plain scalars, which are Kubernetes' (``guardlint.source.scalars``)."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from guardlint.source.loader import _compose, yaml_loader
from guardlint.source.scalars import FLOAT, resolve_plain

TEXT = """\
plain: [true, "true", 'true', True, yes, on, 1, "1", 1.5, .inf, ~, null, "", 0x1F, 0o17, 1e3, 2024-01-01]
again: [true, "true", 1, "1", ~, null, 1.5, "", text, 'text', "text", !!str 1, !!int "2"]
nested: {a: {b: [1, two, {c: false}]}, d: "false"}
long: %s
same-long: %s
block: |
  true
folded: >
  1
"""


def _shape(node: Node | None) -> Any:
    if node is None:
        return None
    if isinstance(node, MappingNode):
        return (node.tag, [(_shape(k), _shape(v)) for k, v in node.value])
    if isinstance(node, SequenceNode):
        return (node.tag, [_shape(v) for v in node.value])
    return (node.tag, node.value, node.style, node.start_mark.index, node.end_mark.index)


class _KubernetesTags(yaml_loader()):  # type: ignore[misc]
    """PyYAML's loader with Kubernetes' tags for plain scalars."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode and implicit[0]:
            return resolve_plain(value)[0]
        return super().resolve(kind, value, implicit)


def test_tags_and_positions_match_pyyaml() -> None:
    text = TEXT % ("x" * 100, "x" * 100)
    memo: dict[tuple[str, Any], str] = {}
    for _ in range(2):  # the second pass answers from the memo
        assert _shape(_compose(text, memo)) == _shape(yaml.compose(text, Loader=_KubernetesTags))
    assert memo[("1e3", (True, False))] == FLOAT  # a string to PyYAML
    assert memo  # short plain scalars were remembered
    assert all(len(value) <= 64 for value, _ in memo)
