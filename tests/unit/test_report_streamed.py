"""The machine reports are written a finding at a time, and the text is exactly what rendering it whole gives."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

import guardlint
from guardlint import cli
from guardlint._atomic import atomic_file
from guardlint._printable import printable
from guardlint.findings import Report
from guardlint.report import RenderOptions, render, write_report
from guardlint.report import json as json_report
from guardlint.report.json import Streamed, dumps, write_document
from tests.helpers import registry

TEXT = """\
apiVersion: v1
kind: Pod
metadata:
  name: web-{n}
  namespace: prod
spec:
  containers:
    - name: app
      image: nginx:1.27
      securityContext:
        privileged: true
"""


def _whole(doc: Any, ensure_ascii: bool) -> str:
    """The layout ``dumps`` promises, made the simple way (every item encoded, then joined): the oracle."""
    encode = json.JSONEncoder(ensure_ascii=ensure_ascii, allow_nan=False, separators=(", ", ": ")).encode
    if not isinstance(doc, dict) or not doc:
        return encode(doc) + "\n"
    lines = []
    for key, value in doc.items():
        if isinstance(value, list) and value:
            inner = ",\n    ".join(encode(item) for item in value)
            lines.append(f"  {encode(key)}: [\n    {inner}\n  ]")
        else:
            lines.append(f"  {encode(key)}: {encode(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def _spelled(value: Any) -> Any:
    """``value`` with every lone surrogate of its strings (keys included) spelled as ``printable`` spells it."""
    if isinstance(value, str):
        return "".join(printable(c) if "\ud800" <= c <= "\udfff" else c for c in value)
    if isinstance(value, dict):
        return {_spelled(k): _spelled(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_spelled(v) for v in value]
    return value


def _oracle(doc: Any) -> str:
    return _whole(_spelled(doc), ensure_ascii=False)


def _streamed(doc: Any) -> Any:
    """``doc`` with its top-level lists, and lists in dicts that are items of those, as one-shot ``Streamed``."""
    if not isinstance(doc, dict):
        return doc
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if isinstance(value, list):
            out[key] = Streamed(iter([
                {k: Streamed(iter(v)) if isinstance(v, list) else v for k, v in item.items()}
                if isinstance(item, dict) else item for item in value]))
        else:
            out[key] = value
    return out


DOCS: list[Any] = [
    {},
    [],
    "text",
    {"a": [], "b": [1, 2], "c": {"d": [3]}, "e": None, "f": 1.5, "g": "x"},
    {"version": 1, "runs": [{"tool": {"x": [1]}, "results": [], "n": 2}]},
    {"version": 1, "runs": [{"tool": {"x": [1]}, "results": [{"a": 1}, {"b": [2, 3]}], "n": 2}]},
    {"findings": [{"m": "naïve ‘quote’ \x7f"}, {"m": "plain"}], "tail": "é"},
    {"findings": [{"m": "plain"}, {"m": "é then"}, {"m": "a lone \ud800 later"}], "tail": "🙂 \x7f"},
    {"findings": [{"m": "\udcff first"}, {"m": "astral 🙂 and é"}]},
    {"findings": [{"m": "only DEL \x7f"}]},
    {"k\u00e9y": [{"\ud83d": 1}]},
]


@pytest.mark.parametrize("doc", DOCS)
def test_pieces_are_exactly_the_whole_text(doc: Any) -> None:
    expected = _oracle(doc)
    assert dumps(doc) == expected
    written: list[str] = []
    write_document(_streamed(doc), written.append)
    assert "".join(written) == expected
    expected.encode("utf-8")  # lone surrogates are spelled out: nothing UTF-8 cannot write


def _report(n: int) -> Report:
    text = "---\n".join(TEXT.format(n=i) for i in range(n))
    return guardlint.lint_text(text, "pods.yaml", select=["privileged-container", "unpinned-image"])


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_machine_reports_are_written_before_the_last_finding_is_made(fmt: str, monkeypatch: pytest.MonkeyPatch
                                                                     ) -> None:
    """Counts, not times: the first write happens when only part of the findings have been turned into
    records, so the report's text never exists whole (a rendering that joins everything first fails this)."""
    report = _report(800)
    assert len(report.findings) == 800
    options = RenderOptions(registry(), tool_version="1")
    module: Any = json_report if fmt == "json" else __import__("guardlint.report.sarif", fromlist=["x"])
    name = "_finding" if fmt == "json" else "_finding_result"
    made = 0
    original = getattr(module, name)

    def counting(*args: Any) -> Any:
        nonlocal made
        made += 1
        return original(*args)

    monkeypatch.setattr(module, name, counting)
    at_write: list[int] = []
    chunks: list[str] = []

    def write(text: str) -> None:
        at_write.append(made)
        chunks.append(text)

    write_report(report, fmt, options, write)
    assert made == 800
    assert len(at_write) > 2
    assert at_write[0] < 200
    assert "".join(chunks) == render(report, fmt, options)


def test_cli_streams_the_same_bytes_to_stdout_and_to_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pods.yaml").write_text("---\n".join(TEXT.format(n=i) for i in range(50)), encoding="utf-8")
    for fmt in ("json", "sarif"):
        out = io.StringIO()
        argv = ["check", "pods.yaml", "--no-config", "--fail-on", "never", "--format", fmt]
        assert cli.main(argv, out=out, err=io.StringIO()) == 0
        assert cli.main([*argv, "--output", f"r.{fmt}", "--output-file", f"{fmt}:s.{fmt}"], out=io.StringIO(),
                        err=io.StringIO()) == 0
        assert (tmp_path / f"r.{fmt}").read_text(encoding="utf-8") == out.getvalue()
        assert (tmp_path / f"s.{fmt}").read_text(encoding="utf-8") == out.getvalue()
        assert json.loads(out.getvalue())


def test_a_report_that_fails_half_written_leaves_the_target_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_file(str(target)) as fh:
        fh.write(b"{\n  \"findings\": [\n")
        raise RuntimeError("stopped half way")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(os.listdir(tmp_path)) == ["report.json"]


def test_dotted_paths_memo_renders_as_to_dotted_and_keeps_bools_apart() -> None:
    from guardlint.model.paths import to_dotted
    from guardlint.report.json import DottedPaths

    dotted = DottedPaths()
    paths: list[tuple[Any, ...]] = [(), ("spec", "containers", 0, "image"), ("metadata", "annotations", "a.b/c"),
                                    ("data", 1), ("data", True), ("data", 1), ("data", False), ("data", 0),
                                    ("x", 'say "hi"\\'), ("spec", "containers", 0, "image")]
    for path in paths:
        assert dotted(path) == to_dotted(path)
    assert dotted(("data", True)) == "data[True]" and dotted(("data", 1)) == "data[1]"


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_each_distinct_path_is_rendered_once_per_report(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Counts: the same field paths recur on every object, and a rendering used to turn each finding's path
    into text several times (sorting, the record, a SARIF result's locations and its fingerprint)."""
    from guardlint.model import paths
    from guardlint.report import sarif

    report = _report(300)
    distinct = {f.path for f in report.findings} | {e.path for f in report.findings if f.fix is not None
                                                   for e in f.fix.edits}
    calls = 0
    original = paths.to_dotted

    def counting(path: Any) -> str:
        nonlocal calls
        calls += 1
        return original(path)

    expected = render(report, fmt, RenderOptions(registry(), tool_version="1"))
    for module in (json_report, sarif):
        monkeypatch.setattr(module, "to_dotted", counting)
    written: list[str] = []
    write_report(report, fmt, RenderOptions(registry(), tool_version="1"), written.append)
    assert "".join(written) == expected
    assert 0 < calls <= len(distinct) < len(report.findings)


@pytest.mark.parametrize("value", [
    *DOCS, None, True, 0, -3, 1.5, 1e300, -0.0, "a \"quoted\" \\ line\n", "é 🙂 \ud800", ["x", {"y": [None, False]}],
    {"nested": {"deeper": [1, {"k": "v"}]}, "n": 2**70}, (1, "tuple"),
    {2: "int key", True: "bool key", None: "none", 1.5: "float key"},
])
def test_the_encoder_made_once_encodes_as_json_encoder_does(value: Any) -> None:
    """``write_document``'s encoder (the C encoder made once per report) gives ``JSONEncoder.encode``'s text
    for every value, one call after another (its circular-reference bookkeeping starts empty each time)."""
    from guardlint.report.json import _encoder

    reference = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(", ", ": ")).encode
    encode = _encoder()
    for _ in range(2):
        assert encode(value) == reference(value)


def test_the_encoder_made_once_fails_as_json_encoder_does() -> None:
    from guardlint.report.json import _encoder

    reference = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(", ", ": ")).encode
    encode = _encoder()
    loop: list[Any] = []
    loop.append(loop)
    for bad in (float("nan"), float("inf"), {"a": [float("-inf")]}, loop, {"set": {1}}, {(1, 2): "key"}):
        with pytest.raises((ValueError, TypeError)) as ours:
            encode(bad)
        with pytest.raises((ValueError, TypeError)) as theirs:
            reference(bad)
        assert type(ours.value) is type(theirs.value) and str(ours.value) == str(theirs.value)
        assert encode({"after": [1, "ok"]}) == reference({"after": [1, "ok"]})  # nothing left over from the error
    # A container the failed call left open is not taken for a circular reference later.
    inner: list[Any] = [1, float("nan")]
    with pytest.raises(ValueError):
        encode({"k": [inner]})
    inner[1] = 2
    assert encode({"k": [inner]}) == reference({"k": [inner]})
