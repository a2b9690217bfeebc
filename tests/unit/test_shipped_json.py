"""``guardlint.data.parse_shipped_json`` is ``json.loads`` without the ``json`` package: the same values (types
and key order included) or the same error, on every JSON file guardlint ships and on generated texts; and a plain
check no longer imports ``json``."""

from __future__ import annotations

import ast
import json
import math
import os
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guardlint import data
from guardlint.data import parse_shipped_json
from guardlint.rules.catalog import CATALOG_PATH

SCHEMAS = Path(data.__file__).parent / "_data" / "k8s-schemas"


def _same(text: str | bytes) -> None:
    """Both parse to the same value (``repr``: types, key order, NaN), or both raise the same error."""
    expected: Any
    try:
        expected = json.loads(text)
    except (ValueError, RecursionError) as error:
        expected = error
    if isinstance(expected, BaseException):
        with pytest.raises(type(expected)) as raised:
            parse_shipped_json(text)
        assert str(raised.value) == str(expected)
    else:
        assert repr(parse_shipped_json(text)) == repr(expected)


def test_the_catalog_and_the_served_versions_read_as_json_reads_them() -> None:
    for path in (CATALOG_PATH, SCHEMAS / "served.json"):
        text = Path(path).read_text(encoding="utf-8")
        assert repr(parse_shipped_json(text)) == repr(json.loads(text))


def test_every_schema_index_and_definition_reads_as_json_reads_it() -> None:
    indexes = sorted(SCHEMAS.glob("v1.*.json.gz"))
    assert indexes
    for path in indexes:
        raw = zlib.decompress(path.read_bytes(), wbits=31)
        assert repr(parse_shipped_json(raw)) == repr(json.loads(raw))
    lines = (SCHEMAS / "definitions.txt").read_bytes().split(b"\n")
    decoded = 0
    for line in lines:
        definition = line.partition(b"\t")[2]  # the line starts with the definition's id
        if definition:
            assert repr(parse_shipped_json(definition)) == repr(json.loads(definition))
            decoded += 1
    assert decoded > 100


EDGE_CASES = [
    "{}", "[]", ' \t\n\r{"a": 1} \n', '{"a": 1}x', '{"a": 1} {"b": 2}', "", "   ", "\ufeff{}", '{"a": NaN}',
    '[Infinity, -Infinity, 1e400, -0.0, 0, 1.5, 12345678901234567890]', '{"a": "\\ud800"}', '{"a": "\t"}',
    '{"a": 1, "a": 2}', "[1,]", "{'a': 1}", '"text"', "1", "true", "null", "[" * 5 + "]" * 5, '{"a": [1, {"b": null}]}',
    '{"\\u00e9": "\\n"}', "\u3000{}", "{}\u3000", "[1] \x00",
]
EDGE_BYTES = [
    b'{"a": 1}', b'[1, 2]\n', b'\xef\xbb\xbf{"a": 1}', '{"a": 1}'.encode("utf-16-le"), '{"a": 1}'.encode("utf-16"),
    '[1]'.encode("utf-32"), b'{"\xed\xa0\x80": 1}', b'{"a": "\xff"}', b"{", b"[", b" []", b"", b"1", b'"x"',
    b'{\x00}', '{"é": "ü"}'.encode(), b"[1]\n\n", b"[1] 2",
]


@pytest.mark.parametrize("text", EDGE_CASES + EDGE_BYTES)
def test_edge_cases_read_or_fail_as_json(text: str | bytes) -> None:
    _same(text)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)
_whitespace = st.text(alphabet=" \t\n\r\x0b\x0c\u00a0", max_size=3)


@settings(max_examples=400, deadline=None)
@given(_json_values, _whitespace, _whitespace, st.text(max_size=3), st.booleans(), st.booleans())
def test_generated_texts_read_or_fail_as_json(value: Any, before: str, after: str, tail: str, as_bytes: bool,
                                              indent: bool) -> None:
    text = before + json.dumps(value, indent=2 if indent else None, ensure_ascii=False) + after
    for candidate in (text, text + tail, text[: len(text) // 2]):
        _same(candidate.encode("utf-8", "surrogatepass") if as_bytes else candidate)


def test_without_the_c_scanner_json_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data, "_SCAN_JSON", None)
    for text in EDGE_CASES[:6] + EDGE_BYTES[:4]:
        _same(text)


def test_nan_and_the_infinities_are_floats_as_json_makes_them() -> None:
    value = parse_shipped_json("[NaN, Infinity, -Infinity]")
    assert math.isnan(value[0]) and value[1:] == [math.inf, -math.inf]


def test_a_plain_check_imports_no_json(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n"
        "  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n"
        "        - {name: web, image: 'nginx:1.27', resources: {requests: {cpu: 100m, memory: 64Mi}}}\n",
        encoding="utf-8",
    )
    code = (
        "import io, sys\n"
        "from guardlint.cli import main\n"
        "code = main(['check', 'm.yaml', '--no-config'], out=io.StringIO(), err=io.StringIO())\n"
        "print(repr([code, sorted(m for m in sys.modules if m == 'json' or m.startswith('json.'))]))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path,
                          env=env)
    exit_code, json_modules = ast.literal_eval(done.stdout.strip())
    assert exit_code in (0, 1)
    assert json_modules == [], "a plain check imported json (the shipped data is read by parse_shipped_json)"
