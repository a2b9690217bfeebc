"""Suppressions with an expiry (``until``) and a policy's reason pattern: an expired suppression, or one whose
reason the pattern refuses, suppresses nothing and is reported as invalid-suppression. The date is injected
(``resolve_settings(today=...)``); by default it is the system clock's."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from guardlint.api import resolve_settings, run
from guardlint.errors import ConfigError
from guardlint.findings import Report

POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
  annotations:
    ignore.guardlint.dev/privileged-container: "until 2027-03-31 PLAT-3 legacy CNI"
spec:
  hostNetwork: true # guardlint: ignore shared-host-namespace -- until 2027-03-31 OPS-7 node agent
  containers:
    - name: web
      image: nginx:1.27
      securityContext:
        privileged: true
      ports:
        - containerPort: 80
          hostPort: 80
"""

CONFIG = """select: [privileged-container, shared-host-namespace, host-port]
exemptions:
  - reason: OPS-9 ingress controller
    until: 2027-03-31
    rules: [host-port]
"""

DAY = datetime.date(2027, 3, 31)
AFTER = datetime.date(2027, 4, 1)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pod.yaml").write_text(POD)
    (tmp_path / ".guardlint.yaml").write_text(CONFIG)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def lint(today: datetime.date, policy: Path | None = None) -> Report:
    settings = resolve_settings(config=".guardlint.yaml", entry_points=False, policy=policy, today=today)
    return run(["pod.yaml"], settings)


def _active(report: Report, rule: str) -> list[tuple[str, int, str]]:
    return [(f.file, f.line, f.message) for f in report.active if f.rule == rule]


def test_until_the_day_itself_everything_suppresses(repo: Path) -> None:
    report = lint(DAY)
    assert not report.active, [f.message for f in report.active]
    assert sorted(f.rule for f in report.findings if f.suppressed) == [
        "host-port", "privileged-container", "shared-host-namespace"]


def test_the_day_after_each_expired_suppression_stops_and_is_reported(repo: Path) -> None:
    report = lint(AFTER)
    assert {f.rule for f in report.active} == {
        "host-port", "privileged-container", "shared-host-namespace", "invalid-suppression"}
    invalid = _active(report, "invalid-suppression")
    assert [(file, line) for file, line, _ in invalid] == [(".guardlint.yaml", 3), ("pod.yaml", 6), ("pod.yaml", 8)]
    assert all("expired on 2027-03-31" in message for _, _, message in invalid)
    assert not _active(report, "unused-suppression")


def test_the_system_clock_is_the_default(repo: Path) -> None:
    settings = resolve_settings(config=".guardlint.yaml", entry_points=False)
    report = run(["pod.yaml"], settings)
    expired = datetime.date.today() > DAY
    assert bool(_active(report, "invalid-suppression")) == expired


def test_a_reason_the_policy_pattern_refuses_suppresses_nothing(repo: Path) -> None:
    policy = repo.parent / "policy.yaml"
    policy.write_text("suppression-reason-pattern: 'PLAT-[0-9]+'\n")
    report = lint(DAY, policy)
    invalid = _active(report, "invalid-suppression")
    assert [(file, line) for file, line, _ in invalid] == [(".guardlint.yaml", 3), ("pod.yaml", 8)]
    assert all(f"does not match the policy's suppression-reason-pattern 'PLAT-[0-9]+' ({policy})" in m
               for _, _, m in invalid)
    assert {f.rule for f in report.active} == {"host-port", "shared-host-namespace", "invalid-suppression"}


def test_expiry_and_pattern_problems_in_the_configuration(repo: Path) -> None:
    (repo / ".guardlint.yaml").write_text(CONFIG.replace("2027-03-31", "2027-02-30")
                                          + "suppression-reason-pattern: 'X-[0-9]+'\n")
    with pytest.raises(ConfigError) as caught:
        lint(DAY)
    text = str(caught.value)
    assert ".guardlint.yaml:4:12: at exemptions[0].until: '2027-02-30' is not a date; write YYYY-MM-DD" in text
    assert "only a policy file can set the reason pattern" in text
    policy = repo.parent / "policy.yaml"
    policy.write_text("suppression-reason-pattern: '[A-Z'\n")
    (repo / ".guardlint.yaml").write_text(CONFIG)
    with pytest.raises(ConfigError, match="suppression-reason-pattern: not a regular expression"):
        lint(DAY, policy)


def test_a_malformed_expiry_in_a_comment_is_invalid(repo: Path) -> None:
    (repo / "pod.yaml").write_text(POD.replace("until 2027-03-31 OPS-7", "until 2027-13-01 OPS-7"))
    invalid = _active(lint(DAY), "invalid-suppression")
    assert [(line, "invalid expiry '2027-13-01'" in m) for _, line, m in invalid] == [(8, True)]
