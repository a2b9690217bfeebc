"""The published hook, run by the real pre-commit against this repository (``pre-commit try-repo``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.slow

FAILING = """apiVersion: v1
kind: Pod
metadata:
  name: bad
spec:
  containers:
    - name: app
      image: busybox:1.36
      securityContext:
        privileged: true
"""
PASSING = """apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - port: 80
      targetPort: http
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def work_repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "t@example.com")
    _git(repo, "config", "user.name", "t")
    (repo / "bad.yaml").write_text(FAILING)
    (repo / "service.yaml").write_text(PASSING)
    (repo / "values.yaml").write_text("replicaCount: 1\n")
    _git(repo, "add", ".")
    return repo


def _env(tmp_path: Path) -> dict[str, str]:
    """The test's environment, with the running interpreter's folder taken off PATH: the test runs the
    pre-commit installed next to it (the test extra), never whichever one PATH would find."""
    own_bin = os.path.dirname(sys.executable)
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != own_bin)
    return {**os.environ, "PATH": path, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1"}


def _try_repo(repo: Path, tmp_path: Path, *files: str, hook: str = "guardlint") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--verbose", "--files", *files],
        cwd=repo, env=_env(tmp_path), capture_output=True, text=True, timeout=900, check=False,
    )


def test_hook_fails_on_a_bad_manifest_and_passes_a_good_one(work_repo: Path, tmp_path: Path) -> None:
    failing = _try_repo(work_repo, tmp_path, "bad.yaml", "values.yaml")
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "bad.yaml:10:9: error privileged-container" in failing.stdout
    # The Service's pods live in files pre-commit did not pass: no "selects no pods" report.
    passing = _try_repo(work_repo, tmp_path, "service.yaml", "values.yaml")
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "Passed" in passing.stdout
