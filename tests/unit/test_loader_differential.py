"""Differential test of the two ways a document is loaded (``guardlint.source.events`` and the composing
way): hand-written edge cases of YAML's syntax, each loaded both ways with every path located (keys and
values), and ``Document.dollar`` checked against the data: it may say True without need, never False when a
key starts with ``$``. ``scripts/loader_differential.py`` runs the same comparison over a folder of
manifests (the shared corpus) and over random texts."""

from __future__ import annotations

from typing import Any

import pytest

from guardlint.source.loader import LoadMemo, load_text
from tests.unit.test_event_loader import _fields, _same, assert_same_load

CASES: dict[str, str] = {
    # Text beyond ASCII (libyaml counts code points, as str does), tabs, a BOM, and texts whose last line has
    # no line break (libyaml closes that line at the end of the stream without reading a character, so the
    # marks made there share their index with the end of the text): a position map that kept libyaml's
    # character indexes would have to place all of these as the marks' lines and columns do (see
    # docs/performance.md, "The load stage in one process").
    "non_ascii": "é: ünïcode\nb: [ß, 'ç']\nc:\n  d: \"ñ\"\n",
    "astral": "a: \U0001F600\U0001F600 x\nb: ['\U0001F680', \"\U0001F680\"]\nc: {d: \U00010348}\n",
    "astral_keys": "\U0001F600: 1\n\U0001F601:\n  - \U0001F602\n",
    "tabs_quoted_and_flow": "a: \"x\ty\"\nb:\t1\nc: 'p\tq'  \t# c\nd: [1,\t2]\n",
    "bom_nested": "\ufeffa: 1\nb:\n  c: 2\n",
    "bom_crlf_astral": "\ufeffa: \U0001F600\r\nb:\r\n  c: 2\r\n",
    "end_block_mapping": "a:\n  b: 1",
    "end_block_sequence": "a:\n- 1\n- [2]",
    "end_empty_value": "a:\n  b:",
    "end_flow": "a: [1, {b: 2}]",
    "end_flow_root": "{a: [1, 2]}",
    "end_block_scalar": "a: |\n  x\n  y",
    "end_folded_strip": "a:\n  b: >-\n    x",
    "end_quoted": "a:\n- 'x'",
    "end_comment": "a:\n  b: 1\n# done",
    "end_blank_lines": "a:\n  b: 1\n\n  ",
    "end_astral": "a:\n  b: \U0001F600",
    "end_scalar_root": "just text",
    "end_second_document": "a: 1\n---\nb:\n  c: 2",
    "crlf": "a: 1\r\nb:\r\n  c: 2\r\n",
    "cr": "a: 1\rb: 2\r",
    "nel": "a: x\x85y\nb: 1\n",
    "nel_plain_break": "a: 1\x85b: 2\n",
    "ls": "a: 'x\u2028y'\nb: 1\n",
    "ps": "a: x\u2029y\n",
    "bom": "\ufeffa: 1\nb: 2\n",
    "bom_mid": "a: 1\n---\n\ufeffb: 2\n",
    "tabs": "a:\t1\nb: \"x\ty\"\nc:\n\t- 1\n",
    "tab_after": "a: 1\t\nb: [1,\t2]\n",
    "flow_multi": "a: [1,\n  2,\n  {b: c,\n   d: [e]}]\nf: {g: 1,\n h: 2}\n",
    "flow_trailing": "a: [1, 2, ]\nb: {c: 1, }\n",
    "empty_values": "a:\nb: \nc: ''\nd: []\ne:\n  -\n  - \n",
    "empty_key": ": 1\n",
    "complex_key": "? a\n: 1\n? b\nc: 2\n",
    "complex_key_scalar_only": "? x\n",
    "tags": "a: !!str 1\nb: !!int '2'\nc: !!float 3\nd: !!bool yes\n",
    "merge": "b: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n",
    "anchor_scalar": "a: &x 1\nb: 2\n",
    "anchor_scalar_alias": "a: &x 1\nb: *x\n",
    "doc_end": "a: 1\n...\n---\nb: 2\n...\n",
    "doc_end_comment": "a: 1\n... # end\n",
    "directive": "%YAML 1.1\n---\na: 1\n",
    "directive12": "%YAML 1.2\n---\na: 1\n",
    "tag_directive": "%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n",
    "comments": "a: 1\n# c\n  # d\nb: 2 # e\n# f\nc:\n  # g\n  d: 3\n",
    "long": "a: " + "x" * 20000 + "\nb: 1\n",
    "longkey": "k" * 2000 + ": 1\n",
    "keys_bool": "yes: 1\non: 2\n~: 3\nnull: 4\n0x1F: 5\n1_000: 6\n.inf: 7\nNo: 8\n",
    "values": "a: [yes, on, ~, null, 0x1F, 1_000, .inf, -.inf, .NaN, 0o17, 017, 0b101, +12, 1:30, 1_0.5,"
              " 6.8523015e+5, 685.230_15e+03, 190:20:30.15]\n",
    "timestamps": "a: 2001-12-14\nb: 2001-12-14t21:59:43.10-05:00\nc: 2001-12-14 21:59:43.10\n"
                   "d: 2002-1-1\ne: 2001-12-14T21:59:43Z\nf: 2001-13-45\n",
    "strnums": "a: '1'\nb: \"0x1F\"\nc: '1e3'\nd: 1e3\ne: 1.0e3\nf: '~'\n",
    "unicode_esc": "a: \"\\u00e9\\x41\\U0001F600\\N\\_\\L\\P\"\n\"\\x24patch\": delete\n'$x': 1\n",
    "unicode_esc_key": "\"\\u0024patch\": delete\n",
    "multi_fallback": "a: 1\n---\nb: &x 2\nc: *x\n---\nd: 3\n---\ne: !!str 4\n---\nf: [1\n---\ng: 5\n",
    "dup": "a: 1\na: 2\n---\nb: 1\n",
    "dup_quoted": "a: 1\n'a': 2\n",
    "dup_keys_diff_resolve": "1: a\n'1': b\n",
    "dup_null": "~: 1\nnull: 2\n",
    "block": "a: |\n  x\n  y\nb: >-\n  z\n\n  w\nc: |+\n  k\n\nd: |2\n    indented\n",
    "block_keep_end": "a: |+\n  x\n\n\n",
    "quoted_multi": "a: 'x\n  y'\nb: \"p\\\n  q\"\n",
    "plain_multi": "a: x\n  y\n  z\nb: 1\n",
    "seq_root": "- a\n- b: 1\n  c: 2\n- - x\n  - y\n",
    "scalar_root": "hello\n",
    "int_root": "12\n",
    "empty": "",
    "only_comment": "# x\n",
    "only_dashes": "---\n",
    "dashes_twice": "---\n---\n",
    "null_root": "---\n~\n",
    "explicit_doc_start_inline": "--- a: 1\n",
    "doc_start_scalar": "--- |\n  x\n",
    "ellipsis_only": "...\n",
    "tab_indent_err": "a:\n\tb: 1\n",
    "json": '{"a": 1, "b": [true, null, 1.5, "x"], "c": {"d": "e"}}\n',
    "json_tabs": '{\n\t"a": 1,\n\t"b": "x\ty"\n}\n',
    "nul": "a: \x00\n",
    "control": "a: \x01\n",
    "del": "a: \x7f\n",
    "high_unicode": "a: \U0001F600\nb: é\n",
    "surrogate": "a: \ud800\n",
    "key_with_colon": "'a:b': 1\n\"c: d\": 2\n",
    "key_dollar_plain": "$patch: replace\n",
    "dollar_in_value": "a: $x\n",
    "hash_in_plain": "a: b#c\nd: e # f\n",
    "anchor_in_quote": "a: '&x'\nb: \"!y\"\nc: x&y\n",
    "ampersand_plain": "a: x & y\n",
    "deep": "a:\n" + "".join("  " * i + "- b:\n" for i in range(1, 120)) + "  " * 120 + "- 1\n",
    "merge_quoted": "'<<': 1\n",
    "merge_in_seq": "- <<\n- a: <<\n",
    "merge_value": "a: <<\n",
    "merge_flow": "a: {<<: {b: 1}}\n",
    "seq_of_empty": "- \n-\n- ~\n",
    "indent_seq": "a:\n- 1\n- 2\nb:\n  - 3\n",
    "windows_mixed": "a: 1\r\nb: 2\nc: 3\r\n",
    "cr_in_quoted": "a: 'x\ry'\n",
    "crlf_block": "a: |\r\n  x\r\n  y\r\nb: 1\r\n",
    "unicode_key": "é: 1\n\U0001F600: 2\n",
    "wide_cols": "é: [é, é, {é: é}]\n",
    "nonascii_before": "# é é é\na: {b: c}\n",
    "flow_key_empty": "{: 1}\n",
    "flow_seq_pair": "[a: 1, b]\n",
    "flow_implicit_null": "{a, b: 1}\n",
    "question_flow": "{? a: 1}\n",
    "bool_variants": "a: [True, TRUE, y, Y, n, N, off, Off]\n",
    "octal_like": "a: [0755, 0o755, 08, 09, 0.5, .5, 5., -0]\n",
    "sexagesimal": "a: [1:20, 1:20.5, -1:20]\n",
    "version_like": "a: 1.10\nb: 1.2.3\n",
    "explicit_null_tag": "a: !!null ''\n",
    "percent_in_value": "a: '%x'\nb: 50%\n",
    "at_backtick_err": "a: @x\n",
    "guardlint_comment": "a: 1 # guardlint: ignore r -- x\nb: 'guardlint'\n",
    "guardlint_block_crlf": "a: |\r\n  # guardlint: ignore r -- x\r\nb: 1 # guardlint: ignore q -- y\r\n",
}


def _has_dollar_key(data: Any) -> bool:
    if isinstance(data, dict):
        return any((isinstance(k, str) and k.startswith("$")) or _has_dollar_key(v) for k, v in data.items())
    if isinstance(data, list):
        return any(_has_dollar_key(v) for v in data)
    return False


def assert_loads_alike(text: str, name: str = "x.yaml") -> None:
    for doc in assert_same_load(text, name).documents:
        assert doc.dollar or not _has_dollar_key(doc.data), (name, doc.index)


def assert_run_memo_alike(texts: list[tuple[str, str]]) -> None:
    """Loading ``texts`` (name, text) one after the other with one ``LoadMemo``, as a lint run does, gives each
    the documents it gets loaded alone (data with its types, every field, position maps, errors)."""
    memo = LoadMemo()
    for name, text in texts:
        shared = load_text(text, name, nodes=False, memo=memo)
        alone = load_text(text, name, nodes=False)
        assert shared.errors == alone.errors, name
        assert len(shared.documents) == len(alone.documents), name
        for a, b in zip(shared.documents, alone.documents, strict=True):
            assert _same(a.data, b.data), (name, a.index)
            assert _fields(a) == _fields(b) and a.positions == b.positions and a.dollar == b.dollar, (name, a.index)


@pytest.mark.parametrize("text", list(CASES.values()), ids=list(CASES))
def test_edge_cases_load_the_same_both_ways(text: str) -> None:
    assert_loads_alike(text)


def test_edge_cases_load_alike_with_one_memo_for_all() -> None:
    """Every edge case after every other with one run-wide memo (the same texts resolve in many of them: ``1``,
    ``yes``, ``~``, ``0755``, timestamps, numbers spelled many ways), in both orders."""
    cases = list(CASES.items())
    assert_run_memo_alike(cases)
    assert_run_memo_alike(cases[::-1])


def test_a_dollar_key_spelled_with_an_escape_is_seen() -> None:
    for text in ('"\\x24patch": delete\n', '"\\u0024patch": delete\n', "a: {$patch: replace}\n"):
        assert assert_same_load(text).documents[0].dollar, text
