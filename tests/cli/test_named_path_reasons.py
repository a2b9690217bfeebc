"""A named path that cannot be read says why: a file named with a trailing slash (``a.yaml/``) or as a folder
(``a.yaml/b.yaml``) is "not a directory" (the system's ENOTDIR), not "no such file or directory"; the kind
(``path-not-found``, GL009) and the exit code (2) stay those of a missing path."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from guardlint.cli import main

POD = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(["check", "--no-config", *args], out=out, err=err), out.getvalue(), err.getvalue()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "a.yaml").write_text(POD)
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "b.yaml").write_text(POD)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("named", "message"),
    [
        ("a.yaml/", "not a directory: a.yaml is a file, not a folder (the name ends with '/')"),
        ("a.yaml//", "not a directory: a.yaml is a file, not a folder (the name ends with '/')"),
        ("a.yaml/b.yaml", "not a directory: a.yaml is a file, not a folder that could hold b.yaml"),
        ("dir/b.yaml/c/", "not a directory: dir/b.yaml is a file, not a folder that could hold c/"),
        ("missing.yaml", "no such file or directory"),
        ("missing/", "no such file or directory"),
        ("dir/missing.yaml/", "no such file or directory"),
    ],
)
def test_the_true_reason(repo: Path, named: str, message: str) -> None:
    code, out, _ = run(named, "--format", "json")
    errors = json.loads(out)["errors"]
    assert code == 2
    assert [(e["kind"], e["code"], e["message"]) for e in errors] == [("path-not-found", "GL009", message)]


def test_the_other_paths_are_still_linted(repo: Path) -> None:
    code, out, _ = run("a.yaml/", "dir/", "--format", "json")
    report = json.loads(out)
    assert code == 2 and len(report["errors"]) == 1
    assert (report["summary"]["resources"], report["summary"]["errors"]) == (1, 1)


def test_a_folder_with_a_trailing_slash_is_a_folder(repo: Path) -> None:
    code, out, _ = run("dir/")
    assert code == 0 and "1 file checked" in out
