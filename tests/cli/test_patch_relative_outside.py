"""A file outside the working directory named by a relative path (``../deploy/pod.yaml``): the JSON ``fix.patch``
and ``--diff`` name it from the root of its git checkout, as for an absolute path (docs/agents.md), since
``git apply`` refuses a header that climbs out with ``..`` ("invalid path")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_newuser3_walk import _git_apply_check, _git_repo, _main


@pytest.mark.parametrize("where", ["a sibling folder of the checkout", "outside the checkout"])
def test_a_relative_name_outside_the_working_directory_is_named_from_its_checkout(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    repo = _git_repo(tmp_path)
    if where == "outside the checkout":
        cwd, target = tmp_path / "agent", "../repo/deploy/pod.yaml"
    else:
        cwd, target = repo / "tools", "../deploy/pod.yaml"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    code, out = _main(["check", target, "-f", "json"])
    assert code == 1
    (finding,) = json.loads(out)["findings"]
    assert finding["file"] == target  # the report names the file as given
    patch = finding["fix"]["patch"]
    assert patch.startswith("--- a/deploy/pod.yaml\n+++ b/deploy/pod.yaml\n"), patch
    applied = _git_apply_check(patch, repo)
    assert applied.returncode == 0, applied.stderr
    _code, diff = _main(["check", target, "--diff"])
    assert diff == patch
