"""Two different plugin files defining a rule of the same name (or code), or a plugin rule with a built-in rule's
name or code, is a configuration problem located at the entry of the plugin named later (exit code 2), naming
the entry of the plugin named first, instead of the registry's unlocated "two rules are named ..."."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from guardlint.cli import main

TEMPLATE = '''
from guardlint import Severity, rule


@rule(code="{code}", name="{name}", title="Probe", severity=Severity.WARNING, pack="dup",
      remediation="Do nothing.")
def probe(resource, params, ctx):
    """## What it does
    Nothing.

    ## Why is this bad?
    It is not.
    """
    return ()


RULES = [probe]
'''


def plugin(name: str, code: str) -> str:
    return TEMPLATE.format(name=name, code=code)


def run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(args, out=out, err=err), out.getvalue(), err.getvalue()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    (tmp_path / ".git").mkdir()
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    (tmp_path / "a.py").write_text(plugin("dup-probe", "DUP001"))
    (tmp_path / "b.py").write_text(plugin("dup-probe", "DUP002"))
    (tmp_path / "c.py").write_text(plugin("other-probe", "DUP001"))
    (tmp_path / "d.py").write_text(plugin("other-probe", "DUP003"))
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    for name in [m for m in sys.modules if m.startswith("guardlint_local_")]:
        del sys.modules[name]


def check(repo: Path) -> tuple[int, str]:
    code, _out, err = run(["check", "cm.yaml", "--allow-local-plugins"])
    assert "two rules are named" not in err and "two rules have code" not in err
    return code, err


def test_different_rules_load(repo: Path) -> None:
    (repo / ".guardlint.yaml").write_text("plugins: [a.py, d.py]\n")
    code, _out, err = run(["check", "cm.yaml", "--allow-local-plugins", "--select", "dup", "--format", "json"])
    assert (code, err) == (0, "")


@pytest.mark.parametrize(
    ("second", "column", "reason"),
    [
        ("b.py", 17, "its rule 'dup-probe' (DUP002) has the name of the rule 'dup-probe' (DUP001)"),
        ("c.py", 17, "its rule 'other-probe' (DUP001) has the code of the rule 'dup-probe' (DUP001)"),
    ],
)
def test_a_clash_is_located_at_the_second_plugin(repo: Path, second: str, column: int, reason: str) -> None:
    (repo / ".guardlint.yaml").write_text(f"plugins: [a.py, {second}]\n")
    code, err = check(repo)
    assert code == 2
    assert (f".guardlint.yaml:1:{column}: at plugins[1]: the plugin '{second}' ({repo / second}): {reason} of the "
            f"plugin 'a.py' named at {repo}/.guardlint.yaml:1:11 ({repo / 'a.py'}); ") in err


def test_a_clash_along_extends(repo: Path) -> None:
    (repo / "base.yaml").write_text("plugins:\n  - a.py\n")
    (repo / ".guardlint.yaml").write_text("extends: base.yaml\nplugins:\n  - b.py\n")
    code, err = check(repo)
    assert code == 2
    assert f".guardlint.yaml:3:5: at plugins[0]: the plugin 'b.py' ({repo / 'b.py'}): " in err
    assert f"of the plugin 'a.py' named at {repo}/base.yaml:2:5 ({repo / 'a.py'}); rule names are unique" in err


def test_a_plugin_rule_with_a_built_in_name_or_code(repo: Path) -> None:
    (repo / "e.py").write_text(plugin("privileged-container", "DUP009"))
    (repo / ".guardlint.yaml").write_text("plugins: [e.py]\n")
    code, err = check(repo)
    assert code == 2
    assert (".guardlint.yaml:1:11: at plugins[0]: the plugin 'e.py' " in err
            and "its rule 'privileged-container' (DUP009) has the name of the rule 'privileged-container' (SEC003)"
            in err)
    (repo / "e.py").write_text(plugin("my-probe", "SEC003"))
    code, err = check(repo)
    assert code == 2
    assert "its rule 'my-probe' (SEC003) has the code of the rule 'privileged-container' (SEC003)" in err


def test_two_rules_of_one_plugin(repo: Path) -> None:
    (repo / "f.py").write_text(plugin("dup-probe", "DUP001") + "\n" + plugin("dup-probe", "DUP005").replace(
        "def probe(", "def probe2(").replace("RULES = [probe]", "RULES = [probe, probe2]"))
    (repo / ".guardlint.yaml").write_text("plugins: [f.py]\n")
    code, err = check(repo)
    assert code == 2
    assert (".guardlint.yaml:1:11: at plugins[0]: the plugin 'f.py' "
            f"({repo / 'f.py'}): its rules 'dup-probe' (DUP001) and 'dup-probe' (DUP005) have the same name; "
            "rule names are unique: rename one") in err
