"""A policy file outside the repository (--policy, GUARDLINT_POLICY): it overrides the repository's
configuration, and the rules it locks cannot be turned off, weakened or suppressed by the repository."""

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
  annotations:
    ignore.guardlint.dev/privileged-container: "needed"
spec:
  containers:
    - name: web
      image: nginx:1.27
      securityContext:
        privileged: true # guardlint: ignore privileged-container -- make CI green
---
apiVersion: v1
kind: Pod
metadata:
  name: agent
  namespace: prod-eu
spec:
  hostNetwork: true # guardlint: ignore shared-host-namespace -- node agent
  containers:
    - name: agent
      image: nginx:1.27
---
apiVersion: v1
kind: Pod
metadata:
  name: agent
  namespace: staging
spec:
  hostNetwork: true # guardlint: ignore shared-host-namespace -- node agent
  containers:
    - name: agent
      image: nginx:1.27
"""

REPO_CONFIG = """select: [privileged-container, shared-host-namespace, host-port]
ignore: [privileged-container]
rules:
  privileged-container: {enabled: false, severity: info}
  host-port: {severity: info}
exemptions:
  - reason: legacy
    rules: [privileged-container]
"""

POLICY = """locked:
  - privileged-container
  - rules: [shared-host-namespace]
    namespaces: [prod-*]
"""


def run(args: list[str]) -> tuple[int, dict[str, object] | str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(args, out=out, err=err)
    text = out.getvalue()
    return code, (json.loads(text) if "json" in args and text else text), err.getvalue()


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "pod.yaml").write_text(POD)
    (repo / ".guardlint.yaml").write_text(REPO_CONFIG)
    platform = tmp_path / "platform"
    platform.mkdir()
    (platform / "policy.yaml").write_text(POLICY)
    monkeypatch.chdir(repo)
    monkeypatch.delenv("GUARDLINT_POLICY", raising=False)
    return repo, platform / "policy.yaml"


def _active(report: object, rule: str) -> list[dict[str, object]]:
    assert isinstance(report, dict)
    findings = report["findings"]
    assert isinstance(findings, list)
    return [f for f in findings if f["rule"] == rule and not f["suppressed"]]


def test_without_the_policy_the_repository_switches_everything_off(setup: tuple[Path, Path]) -> None:
    code, report, _ = run(["check", "pod.yaml", "-f", "json"])
    assert code == 0
    assert not _active(report, "privileged-container") and not _active(report, "suppression-not-allowed")


def test_config_annotation_comment_and_exemption_are_all_refused_and_reported(setup: tuple[Path, Path]) -> None:
    _, policy = setup
    code, report, err = run(["check", "pod.yaml", "-f", "json", "--policy", str(policy)])
    assert code == 1, err
    privileged = _active(report, "privileged-container")
    assert [(f["line"], f["severity"]) for f in privileged] == [(12, "error")]  # runs, at its own severity
    refused = {(f["file"], f["line"], f["path"]) for f in _active(report, "suppression-not-allowed")}
    assert refused == {
        (".guardlint.yaml", 2, "ignore[0]"),
        (".guardlint.yaml", 4, "rules.privileged-container.enabled"),
        (".guardlint.yaml", 4, "rules.privileged-container.severity"),
        (".guardlint.yaml", 7, "exemptions[0]"),
        ("pod.yaml", 6, 'metadata.annotations["ignore.guardlint.dev/privileged-container"]'),
        ("pod.yaml", 12, ""),  # the comment
        ("pod.yaml", 20, ""),  # the comment in a locked namespace
    }
    for f in _active(report, "suppression-not-allowed"):
        assert f"locked by the policy {policy}" in str(f["message"]), f["message"]
    # locked only in prod-*: the staging object's comment still suppresses
    hostnet = _active(report, "shared-host-namespace")
    assert [f["line"] for f in hostnet] == [20]
    assert not _active(report, "unused-suppression")


def test_the_environment_variable_names_the_policy(setup: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    _, policy = setup
    monkeypatch.setenv("GUARDLINT_POLICY", str(policy))
    code, report, _ = run(["check", "pod.yaml", "-f", "json"])
    assert code == 1
    assert len(_active(report, "suppression-not-allowed")) == 7
    # --no-config skips the repository's file, never the policy
    code, report, _ = run(["check", "pod.yaml", "-f", "json", "--no-config"])
    assert code == 1 and len(_active(report, "suppression-not-allowed")) == 3


def test_the_repository_cannot_turn_off_the_rule_that_reports_refusals(setup: tuple[Path, Path]) -> None:
    repo, policy = setup
    text = REPO_CONFIG.replace("rules:\n", "rules:\n  suppression-not-allowed: {enabled: false}\n")
    (repo / ".guardlint.yaml").write_text(text + "  - reason: x\n    rules: [suppression-not-allowed]\n")
    code, report, _ = run(["check", "pod.yaml", "-f", "json", "--policy", str(policy)])
    assert code == 1
    paths = {f["path"] for f in _active(report, "suppression-not-allowed")}
    assert "rules.suppression-not-allowed.enabled" in paths
    assert len(_active(report, "suppression-not-allowed")) >= 7
    # The policy has no entry naming the rule: the message says why it is locked, and names a real entry.
    own = [f for f in _active(report, "suppression-not-allowed")
           if "'suppression-not-allowed' is locked" in f["message"]]
    assert own and all("locked: 'suppression-not-allowed'" not in f["message"] for f in own)
    assert all("(locked with the rules it guards: the policy locks 'privileged-container')" in f["message"]
               for f in own)


def test_a_policy_exemption_is_honoured_and_policy_settings_win(setup: tuple[Path, Path]) -> None:
    _, policy = setup
    policy.write_text(POLICY + "fail-on: never\nexemptions:\n  - reason: PLAT-12 reviewed\n"
                      "    rules: [privileged-container]\n    names: [web]\n")
    code, report, _ = run(["check", "pod.yaml", "-f", "json", "--policy", str(policy)])
    assert code == 0  # the policy's fail-on wins
    assert not _active(report, "privileged-container")
    assert isinstance(report, dict)
    suppressed = [f for f in report["findings"] if f["rule"] == "privileged-container" and f["suppressed"]]
    assert [f["suppressionReason"] for f in suppressed] == ["exemption: PLAT-12 reviewed"]


def test_only_a_policy_can_lock_and_its_problems_are_located(setup: tuple[Path, Path]) -> None:
    repo, policy = setup
    (repo / ".guardlint.yaml").write_text("locked: [privileged-container]\n")
    code, _, err = run(["check", "pod.yaml"])
    assert code == 2
    assert ".guardlint.yaml:1:1: at locked: only a policy file can lock rules" in err
    policy.write_text("locked: [privileged-contaner]\n")
    code, _, err = run(["check", "pod.yaml", "--no-config", "--policy", str(policy)])
    assert code == 2
    assert f"{policy}:1:10: at locked[0]: 'privileged-contaner' names no rule" in err
    assert "did you mean 'privileged-container'?" in err
    code, _, err = run(["check", "pod.yaml", "--policy", str(policy.parent / "missing.yaml")])
    assert code == 2 and "policy file not found" in err


def test_the_policy_is_read_with_the_bounded_regular_file_reader(setup: tuple[Path, Path]) -> None:
    _, policy = setup
    folder = policy.parent / "dir.yaml"
    folder.mkdir()
    code, _, err = run(["check", "pod.yaml", "--policy", str(folder)])
    assert code == 2 and "cannot read configuration" in err


def test_the_command_line_cannot_turn_off_a_locked_rule(setup: tuple[Path, Path]) -> None:
    _, policy = setup
    code, report, _ = run(["check", "pod.yaml", "-f", "json", "--no-config", "--policy", str(policy),
                           "--ignore", "privileged-container", "--select", "host-port"])
    assert code == 1
    assert [f["line"] for f in _active(report, "privileged-container")] == [12]


def test_locks_and_severities_come_through_the_policys_extends(setup: tuple[Path, Path]) -> None:
    repo, policy = setup
    (policy.parent / "base.yaml").write_text(POLICY + "rules:\n  privileged-container: {severity: warning}\n")
    policy.write_text("extends: base.yaml\n")
    # the policy's severity wins; the repository's lower one is refused and reported
    (repo / ".guardlint.yaml").write_text("rules:\n  privileged-container: {severity: info}\n")
    code, report, _ = run(["check", "pod.yaml", "-f", "json", "--policy", str(policy)])
    assert code == 1
    assert [f["severity"] for f in _active(report, "privileged-container")] == ["warning"]
    refused = _active(report, "suppression-not-allowed")
    assert ("rules.privileged-container.severity", 2) in {(f["path"], f["line"]) for f in refused}
    assert all(f"locked by the policy {policy.parent / 'base.yaml'}" in str(f["message"]) for f in refused)
    (repo / ".guardlint.yaml").write_text("rules:\n  privileged-container: {severity: error}\n")
    code, report, _ = run(["check", "pod.yaml", "-f", "json", "--policy", str(policy)])
    assert code == 1
    assert [f["severity"] for f in _active(report, "privileged-container")] == ["warning"]  # the policy wins
    assert not any(f["file"] == ".guardlint.yaml" for f in _active(report, "suppression-not-allowed"))


def test_a_policy_naming_local_plugins_needs_the_same_opt_in(setup: tuple[Path, Path]) -> None:
    _, policy = setup
    policy.write_text(POLICY + "plugins: [rules.py]\n")
    code, _, err = run(["check", "pod.yaml", "--policy", str(policy)])
    assert code == 2 and "local Python plugins" in err


def test_the_agent_page_policy_refuses_an_agents_suppressions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/agents.md: its policy locks the baseline rules and privileged-container, and asks for a ticket."""
    import re

    page = (Path(__file__).parents[2] / "docs" / "agents.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", page, re.S)
    assert block is not None
    (tmp_path / "policy.yaml").write_text(block.group(1))
    (tmp_path / "pod.yaml").write_text(POD.replace("node agent", "make CI green"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GUARDLINT_POLICY", raising=False)
    code, report, _ = run(["check", "pod.yaml", "-f", "json", "--policy", "policy.yaml",
                           "--select", "privileged-container,shared-host-namespace"])
    assert code == 1
    assert {(f["line"]) for f in _active(report, "suppression-not-allowed")} == {6, 12, 20, 31}
    assert {f["line"] for f in _active(report, "shared-host-namespace")} == {20, 31}  # a baseline rule
    for f in _active(report, "privileged-container"):
        assert f["remediation"] and f["fix"]["safety"] == "unsafe"  # removing privileged changes the workload
