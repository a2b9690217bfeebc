"""A file option named with a trailing slash (``--config a.yaml/``) is refused as discovery refuses such a path
("not a directory: a.yaml is a file, ..."), exit code 2, and the file is never read: pathlib drops the slash, so
these options used to read ``a.yaml`` without a word. Covers --config (check, rules, explain, config validate),
--policy, --baseline and ``extends:``; a missing file keeps its "not found" message."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from guardlint.cli import main

OBJECT = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
SLASH = "not a directory: {name} is a file, not a folder (the name ends with '/')"


def run(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(args), out=out, err=err), out.getvalue() + err.getvalue()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "a.yaml").write_text(OBJECT)
    # read as written, each of these would fail the run differently: an unknown key, a JSON that is no baseline
    (tmp_path / "cfg.yaml").write_text("no-such-key: 1\n")
    (tmp_path / "b.json").write_text("[]\n")
    (tmp_path / "good.yaml").write_text("fail-on: never\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("check", "a.yaml", "--config", "cfg.yaml/"),
         "cfg.yaml/: cannot read the configuration file: " + SLASH.format(name="cfg.yaml")),
        (("check", "a.yaml", "--config", "cfg.yaml//"),
         "cfg.yaml//: cannot read the configuration file: " + SLASH.format(name="cfg.yaml")),
        (("check", "a.yaml", "--no-config", "--policy", "cfg.yaml/"),
         "cfg.yaml/: cannot read the policy file: " + SLASH.format(name="cfg.yaml")),
        (("check", "a.yaml", "--no-config", "--baseline", "b.json/"),
         "b.json/: cannot read baseline: " + SLASH.format(name="b.json")),
        (("rules", "--config", "cfg.yaml/"),
         "cfg.yaml/: cannot read the configuration file: " + SLASH.format(name="cfg.yaml")),
        (("explain", "privileged-container", "--config", "cfg.yaml/"),
         "cfg.yaml/: cannot read the configuration file: " + SLASH.format(name="cfg.yaml")),
        (("config", "validate", "cfg.yaml/"),
         "cfg.yaml/: cannot read the configuration file: " + SLASH.format(name="cfg.yaml")),
        (("check", "a.yaml", "--config", "a.yaml/b.yaml"),
         ("a.yaml/b.yaml: cannot read the configuration file: not a directory: a.yaml is a file, not a folder "
          "that could hold b.yaml")),
    ],
)
def test_a_file_named_as_a_folder_is_refused(repo: Path, args: tuple[str, ...], expected: str) -> None:
    code, text = run(*args)
    assert code == 2
    assert f"guardlint: error: {expected}\n" in text
    assert "no-such-key" not in text and "not a guardlint baseline" not in text  # the file was not read


def test_extends_a_file_named_as_a_folder(repo: Path) -> None:
    (repo / "top.yaml").write_text("extends: good.yaml/\n")
    code, text = run("check", "a.yaml", "--config", "top.yaml")
    assert code == 2
    assert f"top.yaml:1:10: at extends: extends 'good.yaml/': {SLASH.format(name='./good.yaml')}" in text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("check", "a.yaml", "--config", "nope.yaml"), "nope.yaml: configuration file not found"),
        (("check", "a.yaml", "--config", "nope/"), "nope/: configuration file not found"),
        (("check", "a.yaml", "--no-config", "--policy", "nope.yaml"), "nope.yaml: policy file not found"),
        (("check", "a.yaml", "--no-config", "--baseline", "nope.json"), "nope.json: baseline file not found"),
    ],
)
def test_a_missing_file_is_still_not_found(repo: Path, args: tuple[str, ...], expected: str) -> None:
    code, text = run(*args)
    assert code == 2 and f"guardlint: error: {expected}\n" in text


def test_the_files_named_plainly_are_read(repo: Path) -> None:
    (repo / "top.yaml").write_text("extends: good.yaml\n")
    assert run("check", "a.yaml", "--config", "good.yaml")[0] == 0
    assert run("check", "a.yaml", "--config", "top.yaml")[0] == 0
    assert run("check", "a.yaml", "--no-config", "--policy", "good.yaml")[0] == 0
    code, text = run("check", "a.yaml", "--config", "cfg.yaml")
    assert code == 2 and "no-such-key" in text
