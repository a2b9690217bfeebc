"""Pull-request mode on kustomize overlays: the base revision's overlays are built in the mirror too, so a
finding the change brings in through a patch is new, and the findings both revisions render are unchanged."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from guardlint.cli import main
from tests.render.conftest import write
from tests.render.test_kustomize import BASE, DEPLOY, DEV, PROD, SMP

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or (shutil.which("kustomize") is None and shutil.which("kubectl") is None),
    reason="needs git, and 'kustomize' or 'kubectl' on PATH to build overlays",
)


def git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def test_a_patch_added_by_the_change_is_the_only_new_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "gitops"
    root.mkdir()
    monkeypatch.chdir(root)
    git(root, "init", "-q", "-b", "main")
    prod_before = PROD.replace("  - path: privileged.yaml\n", "")
    write(root, {"base/kustomization.yaml": BASE, "base/deploy.yaml": DEPLOY,
                 "overlays/prod/kustomization.yaml": prod_before, "overlays/dev/kustomization.yaml": DEV})
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    write(root, {"overlays/prod/kustomization.yaml": PROD, "overlays/prod/privileged.yaml": SMP})
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", ".", "--no-config", "--select", "security", "--diff-base", "main", "-f", "json"],
                out=out, err=err)
    report = json.loads(out.getvalue())
    assert code == 1, err.getvalue()
    assert [(f["file"], f["line"], f["rule"]) for f in report["findings"]] == [
        ("overlays/prod/privileged.yaml", 11, "privileged-container")]
    assert report["diff"]["new"] == 1 and report["diff"]["fixed"] == 0
    assert report["diff"]["unchanged"] >= 1  # the hostPID patch renders at both revisions
