"""guardlint's own configuration files are never linted as manifests, and ``--show-files`` says what ``check``
does with them and with the other YAML files of a repository that hold no Kubernetes objects."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from guardlint.cli import main

POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: app
      image: nginx:1.27
      securityContext:
        privileged: true
"""


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "deploy").mkdir()
    (root / "deploy" / "pod.yaml").write_text(POD)
    (root / "policy").mkdir()
    (root / "policy" / "base.yaml").write_text("select: [privileged-container]\n")
    (root / ".guardlint.yaml").write_text("extends: policy/base.yaml\n# guardlint: ignore nothing-here -- x\n")
    (root / "tools").mkdir()
    (root / "tools" / ".guardlint.yml").write_text("select: [all]\n")  # another project's configuration
    (root / ".pre-commit-config.yaml").write_text("repos: []\n")
    (root / "values.yaml").write_text("replicas: 2\n")
    monkeypatch.chdir(root)
    return root


def test_check_passes_over_the_configuration_files(repo: Path) -> None:
    code, out, err = run("check", ".", "--format", "json", "--fail-on", "never", "--verbose")
    assert code == 0, err
    report = json.loads(out)
    skipped = {s["file"]: s["reason"] for s in report["skipped"]}
    assert ".guardlint.yaml" not in skipped and "policy/base.yaml" not in skipped
    assert "tools/.guardlint.yml" not in skipped
    # Files that are data, not objects, are read and skipped, as --show-files and --verbose say.
    assert skipped == {".pre-commit-config.yaml": "no apiVersion or kind (not a Kubernetes object)",
                       "values.yaml": "no apiVersion or kind (not a Kubernetes object)"}
    assert report["summary"]["files"] == 3
    # the configuration's comment is not read as a suppression comment of a manifest
    assert [f["rule"] for f in report["findings"]] == ["privileged-container"]


def test_show_files_agrees_with_check(repo: Path) -> None:
    code, out, _ = run("check", ".", "--show-files")
    assert code == 0
    lines = out.splitlines()
    config = "(a guardlint configuration file, not a manifest ('guardlint config validate' checks it))"
    assert f"skip  .guardlint.yaml  {config}" in lines
    assert f"skip  tools/.guardlint.yml  {config}" in lines
    extended = "(read as guardlint's configuration (extended by it, or the policy), not a manifest)"
    assert f"skip  policy/base.yaml  {extended}" in lines
    assert sorted(line for line in lines if line.startswith("lint")) == [
        "lint  .pre-commit-config.yaml", "lint  deploy/pod.yaml", "lint  values.yaml"]
    assert lines[-1] == "3 files to lint, 4 passed over."  # with .git/


def test_named_explicitly_as_pre_commit_does(repo: Path) -> None:
    code, out, err = run("check", "--partial", "--allow-no-objects", ".guardlint.yaml", "policy/base.yaml",
                         "deploy/pod.yaml")
    assert code == 1, err
    assert ".guardlint.yaml:1: note: a guardlint configuration file, not a manifest" in out
    assert "policy/base.yaml:1: note: read as guardlint's configuration" in out
    assert "in 1 of 1 file checked" in out
    code, out, err = run("check", "--partial", "--allow-no-objects", ".guardlint.yaml")
    assert code == 0, out + err
    code, out, _ = run("check", ".guardlint.yaml", "deploy/pod.yaml", "--show-files")
    assert "skip  .guardlint.yaml  (named on the command line but a guardlint configuration file" in out
    assert "lint  deploy/pod.yaml" in out


def test_a_policy_in_the_tree_is_not_linted(repo: Path) -> None:
    (repo / "policy" / "org.yaml").write_text("fail-on: error\n")
    _, out, _ = run("check", ".", "--policy", "policy/org.yaml", "--show-files")
    assert "skip  policy/org.yaml  (read as guardlint's configuration" in out
