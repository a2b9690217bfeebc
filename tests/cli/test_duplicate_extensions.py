"""A plugin or rule folder named twice in the configuration (in one file or along its ``extends`` chain) is a
located configuration problem at the second entry (exit code 2), not an unlocated "two rules are named ..."."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from guardlint.cli import main

PLUGIN = '''
from guardlint import Severity, Violation, rule


@rule(code="DUP001", name="dup-probe", title="Probe", severity=Severity.WARNING, pack="dup",
      remediation="Do nothing.")
def dup_probe(resource, params, ctx):
    """## What it does
    Nothing.

    ## Why is this bad?
    It is not.
    """
    return ()


RULES = [dup_probe]
'''

RULE_FILE = """rules:
  - name: dup-declared
    code: DUP002
    title: Declared probe
    severity: info
    pack: dup
    match:
      objects: [{kind: ConfigMap}]
    path: data
    schema: false
    when-missing: pass
    message: "{where} has data"
    remediation: Remove the data.
"""


def run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(args, out=out, err=err), out.getvalue(), err.getvalue()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    (tmp_path / "probe.py").write_text(PLUGIN)
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "dup.yaml").write_text(RULE_FILE)
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    for name in [m for m in sys.modules if m.startswith("guardlint_local_probe")]:
        del sys.modules[name]


def test_each_extension_named_once_loads(repo: Path) -> None:
    (repo / ".guardlint.yaml").write_text("plugins: [probe.py]\nrule-dirs: [rules]\n")
    code, _out, err = run(["check", "cm.yaml", "--allow-local-plugins", "--select", "dup"])
    assert (code, err) == (0, "")


@pytest.mark.parametrize(
    ("config", "line", "column", "path", "entry", "first"),
    [
        ("plugins:\n  - probe.py\n  - ./probe.py\n", 3, 5, "plugins[1]", "'./probe.py'", ".guardlint.yaml:2:5"),
        ("plugins: [probe.py, probe.py]\n", 1, 21, "plugins[1]", "'probe.py'", ".guardlint.yaml:1:11"),
        ("rule-dirs: [rules, ./rules/]\n", 1, 20, "rule-dirs[1]", "'./rules/'", ".guardlint.yaml:1:13"),
    ],
)
def test_a_second_entry_is_a_located_problem(
    repo: Path, config: str, line: int, column: int, path: str, entry: str, first: str
) -> None:
    (repo / ".guardlint.yaml").write_text(config)
    code, _out, err = run(["check", "cm.yaml", "--allow-local-plugins"])
    assert code == 2
    assert "two rules are named" not in err
    assert f".guardlint.yaml:{line}:{column}: at {path}: " in err
    assert f"{entry} is already named at {repo / first}" in err
    assert "remove this entry" in err


def test_a_plugin_named_again_by_an_extending_file(repo: Path) -> None:
    (repo / "base.yaml").write_text("plugins: [probe.py]\n")
    (repo / ".guardlint.yaml").write_text("extends: base.yaml\nplugins: [probe.py]\n")
    code, _out, err = run(["check", "cm.yaml", "--allow-local-plugins"])
    assert code == 2
    first = f"{repo}/base.yaml:1:11"
    assert f".guardlint.yaml:2:11: at plugins[0]: the plugin 'probe.py' is already named at {first}" in err


def test_without_the_flag_the_plugins_are_refused_before_anything_else(repo: Path) -> None:
    (repo / ".guardlint.yaml").write_text("plugins: [probe.py, probe.py]\n")
    code, _out, err = run(["check", "cm.yaml"])
    assert code == 2
    assert "not imported unless" in err
    assert "guardlint_local_probe" not in sys.modules
