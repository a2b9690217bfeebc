"""``exclude`` patterns are relative to the folder of the configuration file in effect, wherever guardlint runs."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from guardlint.cli import main
from guardlint.source.files import Excludes, discover_all

POD = """apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  containers:
    - name: app
      image: nginx:1.27
      securityContext:
        privileged: true
"""


def run(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out=out, err=err)
    return code, out.getvalue() + err.getvalue()


def linted(*args: str) -> list[str]:
    """The files with findings of ``check --format json`` over ``args``, and the excluded-file notes."""
    code, out = run("check", "--format", "json", "--select", "privileged-container", "--fail-on", "never", *args)
    assert code == 0, out
    files = sorted({f["file"] for f in json.loads(out)["findings"]})
    code, out = run("check", "--select", "privileged-container", "--fail-on", "never", *args)
    assert code == 0, out
    notes = [line.split(":", 1)[0] for line in out.splitlines() if "note: excluded by the configuration" in line]
    return files + [f"note {n}" for n in sorted(notes)]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for folder, name in (("jobs/ignored", "ignored"), ("jobs/kept", "kept"), ("apps", "app")):
        (root / folder).mkdir(parents=True)
        (root / folder / "pod.yaml").write_text(POD.format(name=name))
    (root / ".guardlint.yaml").write_text('exclude: ["jobs/ignored/**"]\n')
    return root


def test_from_the_configuration_folder(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    assert linted(".") == ["apps/pod.yaml", "jobs/kept/pod.yaml"]


def test_from_a_subfolder(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "jobs")
    assert linted(".") == ["kept/pod.yaml"]
    assert linted("ignored", "kept") == ["kept/pod.yaml"]
    # named explicitly (as pre-commit does): not linted, and said so
    assert linted("ignored/pod.yaml", "kept/pod.yaml") == ["kept/pod.yaml", "note ignored/pod.yaml"]


def test_from_the_parent_with_config(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.parent)
    assert linted("repo", "--config", "repo/.guardlint.yaml") == ["repo/apps/pod.yaml", "repo/jobs/kept/pod.yaml"]
    assert linted("repo/jobs/ignored/pod.yaml", "repo/apps/pod.yaml", "--config", "repo/.guardlint.yaml") == [
        "repo/apps/pod.yaml", "note repo/jobs/ignored/pod.yaml"]
    # an absolute --config path, files named absolutely
    assert linted(str(repo / "jobs"), "--config", str(repo / ".guardlint.yaml")) == ["repo/jobs/kept/pod.yaml"]


def test_with_jobs(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "jobs")
    assert linted(".", "--jobs", "2") == ["kept/pod.yaml"]
    assert linted("ignored/pod.yaml", "kept/pod.yaml", "--jobs", "2") == ["kept/pod.yaml", "note ignored/pod.yaml"]


def test_show_files(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "jobs")
    code, out = run("check", ".", "ignored/pod.yaml", "--show-files")
    assert code == 0
    assert "lint  kept/pod.yaml" in out
    assert "skip  ignored/pod.yaml  (matches the exclude pattern 'jobs/ignored/**' in " in out
    assert "skip  ignored/pod.yaml  (named on the command line but matches the exclude pattern" in out
    assert "lint  ignored/pod.yaml" not in out


def test_context_honours_the_same_patterns(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--context`` files are read for cross-object rules; an excluded one is not read at all."""
    labelled = POD.format(name="ctx").replace("metadata:\n", "metadata:\n  labels: {app: ctx}\n")
    (repo / "jobs" / "ignored" / "pod.yaml").write_text(labelled)
    (repo / "jobs" / "kept" / "pod.yaml").write_text(labelled)
    (repo / "apps" / "pdb.yaml").write_text(
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: p\nspec:\n"
        "  maxUnavailable: 1\n  selector:\n    matchLabels: {app: ctx}\n")
    monkeypatch.chdir(repo / "apps")

    def selects_no_pods(context: str) -> bool:
        code, out = run("check", "pdb.yaml", "pod.yaml", "--context", context, "--format", "json", "--fail-on", "never",
                        "--select", "pdb-selects-no-pods")
        assert code == 0, out
        return bool(json.loads(out)["findings"])

    assert not selects_no_pods("../jobs/kept")
    assert selects_no_pods("../jobs/ignored")
    assert selects_no_pods(str(repo / "jobs" / "ignored"))


def test_files_outside_the_configuration_folder(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pattern with ``/`` cannot reach a file outside the configuration's folder; one without ``/`` matches
    any part of the path the report shows."""
    other = repo.parent / "other" / "jobs" / "ignored"
    other.mkdir(parents=True)
    (other / "pod.yaml").write_text(POD.format(name="other"))
    monkeypatch.chdir(repo.parent)
    assert linted("other", "--config", "repo/.guardlint.yaml") == ["other/jobs/ignored/pod.yaml"]
    (repo / ".guardlint.yaml").write_text('exclude: ["jobs/ignored/**", "other"]\n')
    assert linted("other", "repo/apps", "--config", "repo/.guardlint.yaml") == ["repo/apps/pod.yaml"]


def test_extended_and_policy_patterns_are_relative_to_the_repository_configuration(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = repo.parent / "shared"
    shared.mkdir()
    (shared / "base.yaml").write_text('exclude: ["apps/**"]\n')
    (shared / "policy.yaml").write_text('exclude: ["jobs/kept/**"]\n')
    (repo / ".guardlint.yaml").write_text("extends: ../shared/base.yaml\n")
    monkeypatch.chdir(repo / "jobs")
    assert linted(str(repo)) == ["ignored/pod.yaml", "kept/pod.yaml"]
    assert linted(str(repo), "--policy", str(shared / "policy.yaml")) == ["ignored/pod.yaml"]
    # With no configuration file, the policy's patterns are relative to the working directory.
    assert linted(".", "--no-config", "--policy", str(shared / "policy.yaml")) == [
        "ignored/pod.yaml", "kept/pod.yaml"]
    (shared / "policy.yaml").write_text('exclude: ["kept/**"]\n')
    assert linted(".", "--no-config", "--policy", str(shared / "policy.yaml")) == ["ignored/pod.yaml"]


def test_excludes_match_through_a_symbolic_link_to_the_folder(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    link = repo.parent / "link"
    link.symlink_to(repo, target_is_directory=True)
    monkeypatch.chdir(repo.parent)
    excludes = Excludes.at(["jobs/ignored/**"], str(link))
    assert excludes.pattern_for("repo/jobs/ignored/pod.yaml", "repo/jobs/ignored/pod.yaml") == "jobs/ignored/**"
    assert excludes.pattern_for("link/jobs/kept/pod.yaml", "link/jobs/kept/pod.yaml") is None
    found = discover_all(["repo"], excludes)
    # (the configuration file is never an input: see tests/cli/test_own_files.py)
    assert sorted(i.display for i in found.inputs) == ["repo/apps/pod.yaml", "repo/jobs/kept/pod.yaml"]
    # Plain patterns keep their meaning: relative to the working directory.
    assert [i.display for i in discover_all(["repo"], ["repo/jobs/**"]).inputs] == ["repo/apps/pod.yaml"]
    assert os.path.realpath(excludes.folder) == excludes.real
