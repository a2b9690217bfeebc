"""``--fix --unsafe-fixes`` with two fixes that add to one container's ``capabilities.drop``: ``"ALL"``
(unrestricted-capabilities) and ``"NET_RAW"`` (net-raw-not-dropped). ``drop: [ALL]`` already drops NET_RAW, so the
file gets ``[ALL]`` alone and the report says that ALL carries out the NET_RAW fix: the fix writes nothing it does
not report, and a second run changes nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from guardlint.cli import main

BOTH = "unrestricted-capabilities,net-raw-not-dropped"
POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: app
      image: example.com/app:1.0.0
      securityContext:
        allowPrivilegeEscalation: false
    - name: side
      image: example.com/side:1.0.0
      securityContext:
        allowPrivilegeEscalation: false
        capabilities:
          drop: [SYS_ADMIN]
"""


def run(path: Path, select: str, *more: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", str(path), "--no-config", "--select", select, *more], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def pod(tmp_path: Path) -> Path:
    path = tmp_path / "pod.yaml"
    path.write_text(POD)
    return path


def test_all_carries_out_the_net_raw_fix(pod: Path) -> None:
    _, _, err = run(pod, BOTH, "--fix", "--unsafe-fixes")
    text = pod.read_text()
    assert "NET_RAW" not in text, text
    assert text.count("ALL") == 2 and "drop: [SYS_ADMIN, ALL]" in text, text
    said = [line for line in err.splitlines() if ": fixed " in line]
    assert sorted(line.split(": fixed ", 1)[1] for line in said) == sorted([
        'unrestricted-capabilities: add "ALL" to capabilities.drop',
        'unrestricted-capabilities: add "ALL" to capabilities.drop',
        'net-raw-not-dropped: "ALL" added to capabilities.drop for unrestricted-capabilities drops NET_RAW too',
        'net-raw-not-dropped: "ALL" added to capabilities.drop for unrestricted-capabilities drops NET_RAW too',
    ]), err
    assert "applied 4 fixes" in err
    # idempotent: nothing is left to fix or to report
    code, out, err = run(pod, BOTH, "--fix", "--unsafe-fixes")
    assert (code, pod.read_text()) == (0, text), err
    assert "applied 0 fixes" in err and "No problems found" in out, (out, err)


def test_diff_shows_the_same_change(pod: Path) -> None:
    _, diff, err = run(pod, BOTH, "--diff", "--unsafe-fixes")
    assert "+            - ALL\n" in diff and "NET_RAW" not in diff, diff
    assert "would apply 4 fixes" in err, err


def test_net_raw_alone_is_added_when_nothing_adds_all(pod: Path) -> None:
    run(pod, "net-raw-not-dropped", "--fix", "--unsafe-fixes")
    text = pod.read_text()
    assert "drop: [SYS_ADMIN, NET_RAW]" in text and "- NET_RAW" in text and "ALL" not in text, text


def test_each_fixs_own_patch_still_adds_its_own_value(pod: Path) -> None:
    """The JSON report's patch of a finding is that fix alone: NET_RAW's adds NET_RAW."""
    import json

    _, out, _ = run(pod, BOTH, "--format", "json", "--fail-on", "never")
    patches = {f["rule"]: f["fix"]["patch"] for f in json.loads(out)["findings"]}
    assert "NET_RAW" in patches["net-raw-not-dropped"] and "ALL" not in patches["net-raw-not-dropped"]
    assert "ALL" in patches["unrestricted-capabilities"]
