"""Text from the input (file names, object names, values, messages) cannot forge output lines or inject
CI workflow commands in any human-readable format."""

from __future__ import annotations

import io
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from guardlint._printable import printable, printable_lines
from guardlint.cli import main

INJECTION = "x\n::error file=app.py,line=1::pwned\r\x1b[2K"
POD = (
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"web\\n::warning::forged\\u202e\"\n  namespace: shop\n"
    "spec:\n  containers:\n    - name: app\n      image: nginx:1.27\n      securityContext: {privileged: true}\n"
)


def run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(args, out=out, err=err), out.getvalue(), err.getvalue()


def _no_forged_lines(text: str) -> None:
    for line in text.splitlines():
        assert not line.lstrip().startswith("::"), line
        assert "\x1b" not in line and "\r" not in line and "\u202e" not in line


@pytest.mark.skipif(os.name == "nt", reason="file names with line breaks")
@pytest.mark.parametrize("fmt", ["text", "junit", "github"])
def test_a_hostile_file_name_and_object_name_stay_on_their_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / f"{INJECTION}.yaml").write_text(POD)
    (tmp_path / f"{INJECTION}-broken.yaml").write_text("a: [\n")
    code, out, _ = run([".", "--no-config", "--format", fmt, "--select", "privileged-container"])
    assert code == 2  # the broken file
    if fmt == "github":  # commands are meant here: the name spelled as in the text format, then the runner's escapes
        lines = out.splitlines()
        assert len(lines) == 3 and lines[-1].startswith("guardlint: ")
        name = "x\\n%3A%3Aerror file=app.py%2Cline=1%3A%3Apwned\\r\\x1b[2K"
        assert lines[0].startswith(f"::error file={name}-broken.yaml,line=2,")
        assert lines[1].startswith(f"::error file={name}.yaml,line=10,")
        assert all("\x1b" not in line and "\u202e" not in line for line in lines)
        return
    _no_forged_lines(out)
    if fmt == "text":
        assert "x\\n::error file=app.py,line=1::pwned\\r\\x1b[2K.yaml:10:" in out
        assert 'in Pod shop/web\\n::warning::forged\\u202e' in out
    if fmt == "junit":
        root = ET.fromstring(out.split("\n", 1)[1])
        for element in root.iter():
            for key, value in element.attrib.items():
                assert "\n" not in value and "\x1b" not in value, (key, value)
        names = {s.attrib["name"] for s in root.iter("testsuite")}
        assert "x\\n::error file=app.py,line=1::pwned\\r\\x1b[2K.yaml" in names


def test_verbose_skipped_entries_are_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if os.name == "nt":
        pytest.skip("file names with line breaks")
    monkeypatch.chdir(tmp_path)
    (tmp_path / f"{INJECTION}.yaml").write_text("just: data\n")
    code, out, _ = run([".", "--no-config", "--verbose", "--allow-no-objects"])
    assert code == 0
    _no_forged_lines(out)


def test_an_extends_path_with_a_line_break_is_refused_and_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pod.yaml").write_text(POD)
    (tmp_path / ".guardlint.yaml").write_text('extends: "base\\n::error::pwned.yaml"\n')
    code, _, err = run(["pod.yaml"])
    assert code == 2 and "a path or preset name cannot hold control characters" in err
    _no_forged_lines(err)


@pytest.mark.skipif(os.name == "nt", reason="file names with line breaks")
def test_a_rule_file_name_with_a_line_break_is_escaped_in_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pod.yaml").write_text(POD)
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / f"{INJECTION}.yaml").write_text("rules: [\n")
    (tmp_path / ".guardlint.yaml").write_text("rule-dirs: [rules]\n")
    code, _, err = run(["pod.yaml"])
    assert code == 2 and "cannot read declarative rules" in err
    _no_forged_lines(err)


def test_printable() -> None:
    assert printable("plain/ascii.yaml é 日本") == "plain/ascii.yaml é 日本"
    assert printable("a\nb\rc\td\x00e\x1bf\x7fg\x85h") == "a\\nb\\rc\\td\\x00e\\x1bf\\x7fg\\x85h"
    assert printable("\u2028\u202e\u2066\ufeff\ud800") == "\\u2028\\u202e\\u2066\\ufeff\\ud800"
    assert printable_lines("one\x1b\n  two\r") == "one\\x1b\n  two\\r"


NAMES = {"a\x1bb.yaml": "a\\x1bb.yaml", "c\td.yaml": "c\\td.yaml", "m\u202en.yaml": "m\\u202en.yaml"}


@pytest.mark.skipif(os.name == "nt", reason="file names with control characters and bytes that are not UTF-8")
def test_file_names_are_spelled_alike_in_every_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A name's control characters, bidirectional overrides and bytes that are not UTF-8 (``\\xff``) read the
    same in the text, JUnit and GitHub formats; the JSON formats spell the bytes that are not UTF-8 alike and
    escape the rest as JSON does; SARIF percent-encodes the name's bytes in its URI.
    Before, ``--format github`` wrote them raw in ``file=`` and the JSON formats wrote lone surrogates
    (``"\\udcff"``), which strict JSON parsers reject."""
    import json

    monkeypatch.chdir(tmp_path)
    pod = POD.replace("web\\n::warning::forged\\u202e", "web")
    for name in NAMES:
        (tmp_path / name).write_text(pod)
    with open(os.path.join(os.fsencode(tmp_path), b"g\xffh.yaml"), "w") as fh:
        fh.write(pod)
    names = {**NAMES, os.fsdecode(b"g\xffh.yaml"): "g\\xffh.yaml"}
    args = [".", "--no-config", "--select", "privileged-container", "--format"]
    outputs = {fmt: run([*args, fmt])[1] for fmt in ("text", "junit", "github", "json", "gitlab", "sarif")}
    for spelled in names.values():
        assert f"{spelled}:10:" in outputs["text"]
        assert f'file="{spelled}"' in outputs["junit"]
        assert f"::error file={spelled},line=10," in outputs["github"]
    # JSON escapes control characters itself (losslessly: a program can open the file); only the byte that is
    # not UTF-8 is spelled out.
    in_json = sorted([*NAMES, "g\\xffh.yaml"])
    for fmt in ("json", "gitlab"):
        outputs[fmt].encode("utf-8")
        assert "\\ud" not in outputs[fmt]
    assert sorted(f["file"] for f in json.loads(outputs["json"])["findings"]) == in_json
    assert sorted(i["location"]["path"] for i in json.loads(outputs["gitlab"])) == in_json
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(outputs["sarif"])["runs"][0]["results"]}
    assert uris == {"a%1Bb.yaml", "c%09d.yaml", "m%E2%80%AEn.yaml", "g%FFh.yaml"}
    for fmt in ("text", "junit", "github"):
        assert not any(c in outputs[fmt] for c in "\x1b\u202e\udcff"), fmt
