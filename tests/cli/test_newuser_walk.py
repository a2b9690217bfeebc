"""What a new user meets walking through the README and docs: each test failed before its fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PRIVILEGED_POD = """apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
    - name: web
      image: nginx:1.27
      securityContext: {privileged: true}
"""


def test_fix_of_standard_input_reports_what_is_left_in_the_text_it_writes(tmp_path: Path) -> None:
    """README: ``--fix`` applies the fixes, "then report[s] what is left"; with standard input the fixed text
    goes to standard output and the report to standard error. The report (and the exit code) used to be the
    one of the text before the fixes: the fixed finding was listed and failed the run."""
    args = [sys.executable, "-m", "guardlint", "check", "-", "--no-config", "--select",
            "privileged-container,missing-liveness-probe", "--fix", "--unsafe-fixes"]
    proc = subprocess.run(args, input=PRIVILEGED_POD.encode(), capture_output=True, cwd=tmp_path, check=False)
    stderr = proc.stderr.decode()
    assert proc.stdout.decode() == PRIVILEGED_POD.replace("{privileged: true}", "{}")
    assert "-:8:25: fixed privileged-container" in stderr
    report = stderr.split("guardlint: applied 1 fix\n", 1)[1]
    assert "privileged-container" not in report and "missing-liveness-probe" in report  # what is left
    assert "Found 1 problem (1 info)" in report
    assert proc.returncode == 0  # the error was fixed: only an info is left
    # Nothing to fix (the fix is unsafe and --unsafe-fixes is not given): the report is the input's, exit 1.
    proc = subprocess.run(args[:-1], input=PRIVILEGED_POD.encode(), capture_output=True, cwd=tmp_path, check=False)
    assert proc.stdout.decode() == PRIVILEGED_POD
    assert "error privileged-container" in proc.stderr.decode() and proc.returncode == 1
