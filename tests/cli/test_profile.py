"""--profile-rules: the time each rule took, on stderr, without changing the report."""

from __future__ import annotations

import io
import re
from pathlib import Path

from guardlint.cli import main

MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - {name: web, image: nginx}
"""


def _run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_profile_rules_lists_every_rule_that_ran_slowest_first(tmp_path: Path) -> None:
    path = tmp_path / "web.yaml"
    path.write_text(MANIFEST)
    plain = _run("check", str(path), "--no-config", "--format", "json", "--fail-on", "never")
    code, _, err = _run("check", str(path), "--no-config", "--format", "json", "--fail-on", "never",
                          "--profile-rules", "--select", "unpinned-image,missing-cpu-request,privileged-container")
    assert code == 0
    rows = re.findall(r"^\s+([\d.]+) ms\s+[\d.]+%\s+(\S+)$", err, re.MULTILINE)
    assert {name for _, name in rows} >= {"unpinned-image", "missing-cpu-request", "privileged-container"}
    times = [float(ms) for ms, _ in rows]
    assert times == sorted(times, reverse=True)
    assert err.startswith("guardlint: time per rule")
    # The report itself is unchanged by profiling.
    code, profiled, _ = _run("check", str(path), "--no-config", "--format", "json", "--fail-on", "never",
                             "--profile-rules")
    assert profiled == plain[1]
