"""Exemption ``paths`` are relative to the folder of the configuration file in effect, wherever guardlint runs,
and match as ``exclude`` patterns do (one matcher)."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from guardlint.cli import main
from guardlint.config.model import Exemption

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

EXEMPT = """exemptions:
  - reason: legacy jobs
    rules: [privileged-container]
    paths: [{pattern}]
"""


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def outcome(*args: str) -> list[tuple[str, str, bool]]:
    """(file, rule, suppressed) of every finding of ``check --format json`` over ``args``."""
    code, out, err = run("check", "--format", "json", "--select", "privileged-container", "--fail-on", "never",
                         *args)
    assert code == 0, out + err
    return sorted((f["file"], f["rule"], f["suppressed"]) for f in json.loads(out)["findings"])


def suppressed(*args: str) -> list[str]:
    """The files whose finding is suppressed; fails on any finding of another rule (an unused exemption)."""
    found = outcome(*args)
    assert {rule for _, rule, _ in found} == {"privileged-container"}, found
    return [file for file, _, quiet in found if quiet]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for folder, name in (("jobs/legacy", "legacy"), ("jobs/kept", "kept"), ("apps", "app")):
        (root / folder).mkdir(parents=True)
        (root / folder / "pod.yaml").write_text(POD.format(name=name))
    (root / ".guardlint.yaml").write_text(EXEMPT.format(pattern='"jobs/legacy/*"'))
    return root


def test_from_the_configuration_folder(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    assert suppressed(".") == ["jobs/legacy/pod.yaml"]


def test_from_a_subfolder(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "jobs")
    assert suppressed(".") == ["legacy/pod.yaml"]
    assert suppressed("legacy/pod.yaml", "kept/pod.yaml") == ["legacy/pod.yaml"]  # named explicitly (pre-commit)
    assert suppressed(".", "--jobs", "2") == ["legacy/pod.yaml"]
    # A pattern relative to the subfolder does not match (it did when paths were relative to the working
    # directory), and the exemption is reported unused at its line.
    (repo / ".guardlint.yaml").write_text(EXEMPT.format(pattern='"legacy/*"'))
    found = outcome(".")
    assert any(rule == "unused-suppression" for _, rule, _ in found)
    assert not any(quiet for _, _, quiet in found)


def test_from_the_parent_with_config(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.parent)
    assert suppressed("repo", "--config", "repo/.guardlint.yaml") == ["repo/jobs/legacy/pod.yaml"]
    assert suppressed(str(repo / "jobs"), "--config", str(repo / ".guardlint.yaml")) == ["repo/jobs/legacy/pod.yaml"]


def test_folder_patterns_and_patterns_without_a_slash(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "apps")
    (repo / ".guardlint.yaml").write_text(EXEMPT.format(pattern="jobs/legacy"))  # a folder covers what is below
    assert suppressed("..") == ["../jobs/legacy/pod.yaml"]
    (repo / ".guardlint.yaml").write_text(EXEMPT.format(pattern="kept"))  # no '/': any part of the path
    assert suppressed("..") == ["../jobs/kept/pod.yaml"]


def test_files_outside_the_configuration_folder(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = repo.parent / "other" / "jobs" / "legacy"
    other.mkdir(parents=True)
    (other / "pod.yaml").write_text(POD.format(name="other"))
    monkeypatch.chdir(repo.parent)
    # 'jobs/legacy/*' is relative to repo/: it cannot reach other/jobs/legacy, wherever guardlint runs
    found = outcome("other", "repo/jobs", "--config", "repo/.guardlint.yaml")
    assert ("other/jobs/legacy/pod.yaml", "privileged-container", False) in found
    assert ("repo/jobs/legacy/pod.yaml", "privileged-container", True) in found
    (repo / ".guardlint.yaml").write_text(EXEMPT.format(pattern="other"))
    assert suppressed("other", "repo/apps", "--config", "repo/.guardlint.yaml") == ["other/jobs/legacy/pod.yaml"]


def test_extended_and_policy_exemptions_are_relative_to_the_repository_configuration(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = repo.parent / "shared"
    shared.mkdir()
    (shared / "base.yaml").write_text(EXEMPT.format(pattern='"apps/*"'))
    (shared / "policy.yaml").write_text(EXEMPT.format(pattern='"jobs/kept/*"'))
    (repo / ".guardlint.yaml").write_text("extends: ../shared/base.yaml\n")
    monkeypatch.chdir(repo / "jobs")
    assert suppressed("..") == ["../apps/pod.yaml"]
    assert suppressed("..", "--policy", str(shared / "policy.yaml")) == ["../apps/pod.yaml", "kept/pod.yaml"]
    # With no configuration file, the policy's paths are relative to the working directory.
    (shared / "policy.yaml").write_text(EXEMPT.format(pattern='"kept/*"'))
    assert suppressed(".", "--no-config", "--policy", str(shared / "policy.yaml")) == ["kept/pod.yaml"]


def test_through_a_symbolic_link_to_the_configuration_folder(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    link = repo.parent / "link"
    link.symlink_to(repo, target_is_directory=True)
    monkeypatch.chdir(repo.parent)
    assert suppressed("repo/jobs", "--config", "link/.guardlint.yaml") == ["repo/jobs/legacy/pod.yaml"]
    assert suppressed("link/jobs", "--config", "repo/.guardlint.yaml") == ["link/jobs/legacy/pod.yaml"]


def test_library_exemptions_without_a_folder_are_relative_to_the_working_directory(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from guardlint.api import resolve_settings
    from guardlint.api import run as lint_run

    monkeypatch.chdir(repo / "jobs")
    settings = resolve_settings(use_config_file=False, select=("privileged-container",))
    exemption = Exemption("code", paths=("legacy/*",))
    settings = settings._replace(plan=settings.plan._replace(exemptions=(exemption,)))
    report = lint_run(["."], settings)
    assert sorted((f.file, f.suppressed) for f in report.findings) == [
        ("kept/pod.yaml", False), ("legacy/pod.yaml", True)]
    # given a folder, relative to it
    anchored = exemption._replace(paths=("jobs/legacy/*",), base=str(repo))
    report = lint_run(["."], settings._replace(plan=settings.plan._replace(exemptions=(anchored,))))
    assert sorted((f.file, f.suppressed) for f in report.findings) == [
        ("kept/pod.yaml", False), ("legacy/pod.yaml", True)]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_diff_base_from_a_subfolder(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """At the base revision (linted in a mirror) the exemption is relative to the mirror's configuration
    folder: nothing is reported as new."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1"}
    for args in (("init", "-q", "-b", "main"), ("add", "."), ("commit", "-qm", "base")):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)
    monkeypatch.chdir(repo / "jobs")
    code, out, err = run("check", ".", "--select", "privileged-container", "--diff-base", "main", "-f", "json")
    assert code == 0, out + err
    assert json.loads(out)["findings"] == []


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_diff_base_with_the_working_tree_exemptions(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the base version of the configuration cannot be read, the working tree's exemptions apply at the
    base, relative to the same folder of the mirror."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1"}
    good = (repo / ".guardlint.yaml").read_text()
    (repo / ".guardlint.yaml").write_text("exemptions: [\n")
    for args in (("init", "-q", "-b", "main"), ("add", "."), ("commit", "-qm", "base")):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)
    (repo / ".guardlint.yaml").write_text(good)
    monkeypatch.chdir(repo / "jobs")
    code, out, err = run("check", ".", "--select", "privileged-container", "--diff-base", "main", "-f", "json")
    assert code == 0, out + err
    assert "could not be read" in err
    assert json.loads(out)["findings"] == []


RULE_FILE = """rules:
  - name: acme-host-network
    code: ACME010
    title: Pod uses the host network
    severity: error
    pack: acme
    match:
      pod-specs: true
    path: hostNetwork
    schema: {const: true}
    expect: violates
    when-missing: pass
    message: "{where} sets hostNetwork to {value}"
    remediation: Remove hostNetwork.
    why: The pod shares the node's network stack.
"""


def test_rule_dirs_are_relative_to_the_file_that_names_them(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unlike ``exclude``, ``exemptions`` and ``charts`` (places in the repository, relative to the configuration
    in effect), ``extends``, ``rule-dirs``, ``schemas`` and ``plugins`` name files that come with the file that
    names them: relative to that file, wherever guardlint runs."""
    (repo / "config" / "acme").mkdir(parents=True)
    (repo / "config" / "acme" / "host.yaml").write_text(RULE_FILE)
    (repo / "config" / "base.yaml").write_text("rule-dirs: [acme]\n")
    (repo / ".guardlint.yaml").write_text("extends: config/base.yaml\n")
    (repo / "apps" / "pod.yaml").write_text(POD.format(name="app").replace("spec:\n", "spec:\n  hostNetwork: true\n"))
    for where, target in ((repo, "apps"), (repo / "jobs", "../apps"), (repo.parent, f"{repo.name}/apps")):
        monkeypatch.chdir(where)
        args = ("--config", f"{repo.name}/.guardlint.yaml") if where == repo.parent else ()
        code, out, err = run("check", target, "--select", "acme", "--format", "json", "--fail-on", "never", *args)
        assert code == 0, out + err
        assert [f["rule"] for f in json.loads(out)["findings"]] == ["acme-host-network"]
