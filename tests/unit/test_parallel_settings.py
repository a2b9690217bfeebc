"""``--jobs 2`` reports what ``--jobs 1`` reports, byte for byte, under settings that change what is reported
after the rules ran: a configuration that ignores and disables rules, sets a rule's parameters, exempts
objects and excludes files, and a baseline that hides some findings and not others."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from guardlint.cli import main
from tests.unit.test_parallel import MIXED

CONFIG = """ignore: [missing-memory-limit]
rules:
  missing-cpu-request:
    enabled: false
  missing-liveness-probe:
    severity: error
exemptions:
  - rules: [privileged-container]
    namespaces: [prod]
    kinds: [SparkApplication]
    reason: driver needs it
exclude: ["jobs/ignored/**"]
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    for name, text in MIXED.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "jobs" / "ignored").mkdir()
    (root / "jobs" / "ignored" / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: ignored}\nspec: {containers: [{name: c, image: nginx}]}\n"
    )
    (root / ".guardlint.yaml").write_text(CONFIG)
    return root


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", *args], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("fmt", ["json", "sarif", "text"])
def test_configuration_and_baseline_same_report(
    tree: Path, tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tree)  # exclude patterns are matched against paths relative to the working folder
    config = ".guardlint.yaml"
    baseline = tmp_path / "baseline.json"
    _cli(".", "--config", config, "--select", "all", "--write-baseline", str(baseline))
    recorded = json.loads(baseline.read_text())
    entries = next(k for k, v in recorded.items() if isinstance(v, list) and len(v) > 2)
    recorded[entries] = recorded[entries][::2]  # a baseline that hides half the findings
    baseline.write_text(json.dumps(recorded))
    for extra in ([], ["--baseline", str(baseline)]):
        args = [".", "--config", config, "--select", "all", "--format", fmt, "--fail-on", "never", *extra]
        serial = _cli(*args, "--jobs", "1")
        pooled = _cli(*args, "--jobs", "2")
        assert pooled == serial
        assert serial[1]
    plain = _cli(".", "--config", config, "--select", "all", "--format", "json", "--fail-on", "never")[1]
    hidden = _cli(".", "--config", config, "--select", "all", "--format", "json", "--fail-on", "never",
                  "--baseline", str(baseline))[1]
    rules = {f["rule"] for f in json.loads(plain)["findings"]}
    # the settings took effect: ignored and disabled rules are gone, the excluded file is not linted,
    # the baseline hid findings, and something is still reported
    assert rules and not rules & {"missing-memory-limit", "missing-cpu-request"}
    assert "ignored/pod.yaml" not in plain
    assert len(json.loads(hidden)["findings"]) < len(json.loads(plain)["findings"])
