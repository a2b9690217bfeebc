"""Defects found by the session's adversarial review (review6), each pinned by a test that failed before its fix."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from guardlint.cli import main

POD = b"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - {name: c, image: nginx}\n"


def _run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("refresh", [(), ("--baseline", ".guardlint-baseline.json")])
def test_a_baseline_inside_the_linted_folder_can_be_refreshed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refresh: tuple[str, ...]
) -> None:
    """``check . --write-baseline .guardlint-baseline.json`` run a second time: the baseline is then one of the
    files the run lints (a JSON file without objects), and --write-baseline refused it as "an input of this run"
    (exit 2), with or without ``--baseline`` naming it. A file that is a guardlint baseline may be rewritten."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "pod.yaml").write_bytes(POD)
    monkeypatch.chdir(tmp_path)
    code, _, err = _run("check", ".", "--no-config", "--write-baseline", ".guardlint-baseline.json")
    assert code == 0, err
    code, _, err = _run("check", ".", "--no-config", *refresh, "--write-baseline", ".guardlint-baseline.json")
    assert code == 0, err
    assert "wrote" in err and "refusing" not in err
    assert (tmp_path / "pod.yaml").read_bytes() == POD


def test_write_baseline_still_refuses_a_linted_file_that_is_no_baseline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The exception is for baselines only: a linted JSON file that is not one (a manifest, other data) is refused."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "pod.yaml").write_bytes(POD)
    other = b'{"version": 2, "findings": []}\n'
    (tmp_path / "data.json").write_bytes(other)
    monkeypatch.chdir(tmp_path)
    for target, before in (("data.json", other), ("pod.yaml", POD)):
        code, _, err = _run("check", ".", "--no-config", "--write-baseline", target)
        assert code == 2 and "an input of this run" in err, err
        assert (tmp_path / target).read_bytes() == before
