"""The note pull-request mode gives when the base version of the configuration cannot be read names the options
as the caller gave them: the flag on the command line, the parameter for a library call."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

import guardlint
from guardlint.cli import main
from tests.cli.test_diff_base import git, pod, write

PLUGIN = (
    "from guardlint.plugin import Severity, Violation, rule\n"
    "@rule(code='NOTE001', name='note-probe', title='Probe', severity=Severity.INFO, pack='notes',"
    " remediation='None.')\n"
    "def note_probe(resource, params, ctx):\n"
    "    '''## What it does\\nx\\n\\n## Why is this bad?\\ny'''\n"
    "    yield from ()\n"
    "RULES = [note_probe]\n"
)


@pytest.fixture
def plugin_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose configuration names a local plugin at the base (``main``) and on ``feature``."""
    if shutil.which("git") is None:
        pytest.skip("needs git")
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, "probe.py", PLUGIN)
    write(root, ".guardlint.yaml", "plugins: [probe.py]\n")
    write(root, "pod.yaml", pod("a"))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "feature")
    write(root, "pod.yaml", pod("a", privileged=True))
    git(root, "commit", "-qam", "change")
    monkeypatch.chdir(root)
    return root


def _unread_base_notes(lines: list[str]) -> list[str]:
    return [line for line in lines if "the base version of .guardlint.yaml could not be read" in line]


def test_the_command_line_note_names_the_flag(plugin_repo: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    main(["check", ".", "--allow-local-plugins", "--diff-base", "main", "--fail-on", "never"], out=out, err=err)
    notes = _unread_base_notes(err.getvalue().splitlines())
    assert notes, err.getvalue()
    assert "--allow-local-plugins" in notes[0] and "allow_local_plugins=True" not in notes[0], notes[0]


def test_the_library_note_names_the_parameter(plugin_repo: Path) -> None:
    report = guardlint.lint_paths(["."], allow_local_plugins=True, diff_base="main")
    notes = _unread_base_notes(list(report.warnings))
    assert notes, report.warnings
    assert "allow_local_plugins=True" in notes[0] and "--allow-local-plugins" not in notes[0], notes[0]
