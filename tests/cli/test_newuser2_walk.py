"""What a new user and a library user meet in a second walk (GitOps repository, library, formats as
consumed): each test failed before its fix."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

PRIVILEGED_POD = """apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
    - name: web
      image: nginx:1.27
      securityContext: {privileged: true}
"""


def _checkout(tmp_path: Path) -> Path:
    """A git checkout (a ``.git`` folder is what marks one) with manifests in two subfolders."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "deploy").mkdir()
    (repo / "deploy" / "pod.yaml").write_text(PRIVILEGED_POD)
    (repo / "other").mkdir()
    (repo / "other" / "pod.yaml").write_text(PRIVILEGED_POD.replace("name: web}", "name: other}"))
    return repo


def _run(args: list[str]) -> str:
    from guardlint.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = main([*args, "--no-config", "--select", "privileged-container"], out=out, err=err)
    assert code == 1, err.getvalue()
    return out.getvalue()


@pytest.mark.parametrize("where", ["deploy", "."])
def test_github_formats_name_files_from_the_checkout_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """GitHub resolves the paths of annotations and of SARIF results from the repository's root: a run in a
    subfolder (``working-directory: deploy``) wrote ``file=pod.yaml`` (a file that does not exist at the root),
    and an absolute name for a file above the working directory, so the alerts were not shown on the diff."""
    repo = _checkout(tmp_path)
    monkeypatch.chdir(repo / where)
    paths = ["pod.yaml", "../other"] if where == "deploy" else ["deploy/pod.yaml", "other"]
    github = _run([*paths, "--format", "github"])
    assert "file=deploy/pod.yaml,line=8" in github and "file=other/pod.yaml,line=8" in github, github
    sarif = json.loads(_run([*paths, "--format", "sarif"]))
    uris = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"])
    assert uris == ["deploy/pod.yaml", "other/pod.yaml"]
    # the text report keeps the names the user typed, relative to the working directory
    text = _run([*paths, "--format", "concise"])
    assert f"{paths[0]}:8:25:" in text


def test_github_formats_outside_a_checkout_keep_names_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "pod.yaml").write_text(PRIVILEGED_POD)
    monkeypatch.chdir(tmp_path / "deploy")
    assert "file=pod.yaml,line=8" in _run(["pod.yaml", "--format", "github"])
    sarif = json.loads(_run(["pod.yaml", "--format", "sarif"]))
    assert sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "pod.yaml", "uriBaseId": "%SRCROOT%"}
    assert os.getcwd() == str(tmp_path / "deploy")
