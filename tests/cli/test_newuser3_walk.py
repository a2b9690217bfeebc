"""What a new user meets in a third walk (pre-commit for real, an agent's loop, GPU workloads): each test failed
before its fix."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

PRIVILEGED_POD = """apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
    - name: web
      image: nginx:1.27
      securityContext:
        privileged: true   # keep this comment
"""


def _git_repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    (repo / "deploy").mkdir(parents=True)
    (repo / "deploy" / "pod.yaml").write_text(PRIVILEGED_POD)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    return repo


def _main(args: list[str]) -> tuple[int, str]:
    from guardlint.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = main([*args, "--no-config", "--select", "privileged-container", "--unsafe-fixes"], out=out, err=err)
    return code, out.getvalue()


def _git_apply_check(patch: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "apply", "--check", "-"], cwd=cwd, input=patch, capture_output=True, text=True,
                          check=False)


@pytest.mark.parametrize("where", ["elsewhere", "inside"])
def test_json_patch_and_diff_of_a_file_outside_the_working_directory_apply_with_git(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """docs/agents.md: ``patch`` is a diff ``git apply`` takes as it is. An agent checks a repository from
    elsewhere (its own folder): the report names the file by its absolute path, and the header was
    ``a//tmp/.../pod.yaml``, which git refuses ("invalid path") wherever it runs. It names the file from the
    root of its checkout now, where ``git apply`` takes it; a file inside the working directory is unchanged."""
    repo = _git_repo(tmp_path)
    cwd = tmp_path / "agent" if where == "elsewhere" else repo
    cwd.mkdir(exist_ok=True)
    monkeypatch.chdir(cwd)
    target = str(repo / "deploy" / "pod.yaml")
    code, out = _main(["check", target, "-f", "json"])
    assert code == 1
    (finding,) = json.loads(out)["findings"]
    assert finding["file"] == (target if where == "elsewhere" else "deploy/pod.yaml")
    patch = finding["fix"]["patch"]
    assert patch.startswith("--- a/deploy/pod.yaml\n+++ b/deploy/pod.yaml\n"), patch
    applied = _git_apply_check(patch, repo)
    assert applied.returncode == 0, applied.stderr
    code, diff = _main(["check", target, "--diff"])
    assert diff == patch


def test_patch_of_a_file_in_no_checkout_keeps_its_absolute_name(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "loose"
    folder.mkdir()
    (folder / "pod.yaml").write_text(PRIVILEGED_POD)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    target = str(folder / "pod.yaml")
    code, out = _main(["check", target, "-f", "json"])
    assert code == 1
    (finding,) = json.loads(out)["findings"]
    assert finding["fix"]["patch"].startswith(f"--- a/{target}\n")


VOLCANO_GPU_JOB = """apiVersion: batch.volcano.sh/v1alpha1
kind: Job
metadata: {name: mpi, namespace: ml}
spec:
  schedulerName: volcano
  tasks:
    - name: worker
      replicas: 2
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: worker
              image: example/mpi:1.0
              resources:
                limits: {nvidia.com/gpu: 4}
"""


def test_job_without_deadline_help_says_where_a_volcano_job_sets_it() -> None:
    """The message on a Volcano Job names the pod template's deadline; the help listed every other kind's
    place and not this one."""
    from guardlint.api import lint_text

    report = lint_text(VOLCANO_GPU_JOB, select=["gpu-job-without-deadline"])
    (finding,) = report.findings
    assert finding.path == ("spec", "tasks", 0, "template", "spec", "activeDeadlineSeconds")
    assert "activeDeadlineSeconds in each task of a Volcano Job" in finding.remediation
