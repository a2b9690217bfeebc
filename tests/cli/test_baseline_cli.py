"""Baselines from the command line and the library: rooted at the configuration root, loud when stale,
and written with the permissions any new file gets."""

from __future__ import annotations

import io
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

import guardlint
from guardlint.cli import main

POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  containers:
    - name: web
      image: nginx:1.27
      resources: {limits: {memory: 64Mi}}
      securityContext:
        privileged: true
"""


def run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(args, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    (root / "deploy" / "shop").mkdir(parents=True)
    (root / "deploy" / "shop" / "pod.yaml").write_text(POD)
    (root / ".guardlint.yaml").write_text("select: [privileged-container]\n")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def umask_027() -> Iterator[None]:
    old = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(old)


def test_baseline_is_keyed_relative_to_the_config_root(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run(["deploy/", "--write-baseline", "baseline.json"])
    assert code == 0
    entries = json.loads((repo / "baseline.json").read_text())["findings"]
    assert [e["file"] for e in entries] == ["deploy/shop/pod.yaml"]
    assert f"wrote 1 finding to the baseline baseline.json (file paths relative to {repo})" in err
    # The same baseline matches from a sub-folder, where the file's display path is "shop/pod.yaml" ...
    monkeypatch.chdir(repo / "deploy")
    code, out, err = run(["shop/", "--baseline", "../baseline.json"])
    assert code == 0, out + err
    assert "1 in the baseline" in out and "warning" not in err
    # ... and through the library, from anywhere, with the config named explicitly.
    monkeypatch.chdir(repo.parent)
    report = guardlint.lint_paths(["repo/deploy"], config="repo/.guardlint.yaml", baseline="repo/baseline.json")
    assert (report.active, report.baselined, report.warnings) == ((), 1, ())


def test_without_a_config_the_repository_root_is_the_root(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / ".guardlint.yaml").unlink()
    (repo / ".git").mkdir()
    monkeypatch.chdir(repo / "deploy" / "shop")
    assert run(["pod.yaml", "--select", "privileged-container", "--write-baseline", "../../b.json"])[0] == 0
    assert json.loads((repo / "b.json").read_text())["findings"][0]["file"] == "deploy/shop/pod.yaml"
    monkeypatch.chdir(repo)
    code, out, _ = run(["deploy", "--select", "privileged-container", "--baseline", "b.json"])
    assert code == 0 and "1 in the baseline" in out


def test_a_baseline_that_matches_nothing_says_so(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "stale.json").write_text(json.dumps({"version": 1, "findings": [
        {"file": "elsewhere/pod.yaml", "apiVersion": "v1", "kind": "Pod", "namespace": "shop", "name": "web",
         "rule": "privileged-container", "path": "spec.containers[0].securityContext.privileged", "count": 1},
    ]}))
    code, out, err = run(["deploy/", "--baseline", "stale.json", "--format", "json"])
    assert code == 1
    assert "guardlint: warning: stale.json matches none of the 1 findings" in err
    assert f"relative to {repo}" in err
    warnings = json.loads(out)["warnings"]
    assert len(warnings) == 1 and warnings[0].startswith("stale.json matches none")
    # An empty baseline (written when there was nothing to record) is not stale, nor is a clean run.
    (repo / "empty.json").write_text('{"version": 1, "findings": []}')
    assert "warning" not in run(["deploy/", "--baseline", "empty.json"])[2]
    assert "warnings" not in json.loads(run(["deploy/", "--baseline", "empty.json", "-f", "json"])[1])


@pytest.mark.usefixtures("umask_027")
def test_written_files_get_the_umask_mode(repo: Path) -> None:
    assert run(["deploy/", "--write-baseline", "b.json", "--output", "report.txt"])[0] == 0
    for name in ("b.json", "report.txt"):
        assert stat.S_IMODE(os.stat(repo / name).st_mode) == 0o640, name
    os.chmod(repo / "report.txt", 0o604)  # an existing file keeps its own mode
    assert run(["deploy/", "--output", "report.txt"])[0] == 1
    assert stat.S_IMODE(os.stat(repo / "report.txt").st_mode) == 0o604
    assert sorted(p.name for p in repo.iterdir()) == [".guardlint.yaml", "b.json", "deploy", "report.txt"]
