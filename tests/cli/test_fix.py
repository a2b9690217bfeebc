"""--fix: value replacements by source span, written atomically, only for what the report shows."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from guardlint.cli import main

POD = """# the pod under test
apiVersion: v1
kind: Pod
metadata:
  name: web  # ünïcode before the fixed value
  labels: {app: web}
spec:
  containers:
    - name: web
      image: nginx:1.27
      securityContext:
        allowPrivilegeEscalation: true   # keep this comment
        runAsNonRoot: true
    - name: gpu
      image: vllm/vllm-openai:v0.6.3
      resources:
        requests: {nvidia.com/gpu: 1}
        limits: {nvidia.com/gpu: "2"}
"""
SELECT = ["--select", "privilege-escalation-allowed,gpu-request-limit-mismatch", "--no-config"]


def run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(args, out=out, err=err), out.getvalue(), err.getvalue()


@pytest.fixture
def pod(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "pod.yaml"
    target.write_text(POD, encoding="utf-8")
    target.chmod(0o640)
    return target


def test_fix_replaces_only_the_reported_values(pod: Path) -> None:
    code, out, err = run(["pod.yaml", *SELECT, "--fix"])
    assert code == 0  # what is left is a warning (the gpu container does not set the field)
    assert "pod.yaml:12:9: fixed privilege-escalation-allowed: set allowPrivilegeEscalation to false" in err
    assert "pod.yaml:17:20: fixed gpu-request-limit-mismatch:" in err
    assert "applied 2 fixes" in err
    expected = POD.replace("allowPrivilegeEscalation: true", "allowPrivilegeEscalation: false").replace(
        "requests: {nvidia.com/gpu: 1}", "requests: {nvidia.com/gpu: 2}"
    )
    assert pod.read_text(encoding="utf-8") == expected
    assert stat.S_IMODE(os.stat(pod).st_mode) == 0o640
    # The report is the one after fixing: the gpu container still does not set the field at all.
    assert "privilege-escalation-allowed" in out and "gpu-request-limit-mismatch" not in out
    assert not [p for p in pod.parent.iterdir() if p.name.startswith(".guardlint-fix-")]
    # A second run has nothing left to fix and changes nothing.
    before = pod.read_bytes()
    _, _, err = run(["pod.yaml", *SELECT, "--fix"])
    assert "applied 0 fixes" in err and pod.read_bytes() == before


def test_without_fix_nothing_changes(pod: Path) -> None:
    run(["pod.yaml", *SELECT])
    assert pod.read_text(encoding="utf-8") == POD


def test_suppressed_findings_are_not_fixed(pod: Path) -> None:
    pod.write_text(POD.replace("allowPrivilegeEscalation: true   # keep this comment",
                               "allowPrivilegeEscalation: true  # guardlint: ignore privilege-escalation-allowed -- "
                               "legacy entrypoint"), encoding="utf-8")
    before = pod.read_text(encoding="utf-8")
    run(["pod.yaml", *SELECT, "--fix"])
    after = pod.read_text(encoding="utf-8")
    assert "allowPrivilegeEscalation: true" in after
    assert after == before.replace("requests: {nvidia.com/gpu: 1}", "requests: {nvidia.com/gpu: 2}")


def test_helm_output_is_never_rewritten(pod: Path) -> None:
    pod.write_text("---\n# Source: chart/templates/pod.yaml\n" + POD, encoding="utf-8")
    before = pod.read_bytes()
    _, _, err = run(["pod.yaml", *SELECT, "--fix"])
    assert pod.read_bytes() == before and "applied 0 fixes" in err


def test_crlf_files_are_left_alone(pod: Path) -> None:
    pod.write_bytes(POD.replace("\n", "\r\n").encode())
    before = pod.read_bytes()
    _, _, err = run(["pod.yaml", *SELECT, "--fix"])
    assert pod.read_bytes() == before
    assert "pod.yaml: not fixed: its line endings" in err


def test_json_report_carries_the_fix(pod: Path) -> None:
    import json

    _, out, _ = run(["pod.yaml", *SELECT, "--format", "json"])
    fixes = {f["rule"]: f["fix"] for f in json.loads(out)["findings"] if f["fix"] is not None}
    assert fixes == {
        "privilege-escalation-allowed": {
            "replacement": "false", "description": "set allowPrivilegeEscalation to false",
        },
        "gpu-request-limit-mismatch": {
            "replacement": "2", "description": "set the nvidia.com/gpu request to the limit, 2",
        },
    }
