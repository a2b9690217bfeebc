"""Pull-request mode in a repository whose configuration names a local Python plugin: both revisions are linted
with the working tree's rules (its plugins imported only with ``--allow-local-plugins``), and the base version of
the configuration is read as data, with the working tree's plugin rules standing in for its ``plugins:``: its
exemptions (so an exemption the change adds is listed) and the rules it ran (so a rule the change turns off is
named). No plugin of the base revision is ever imported."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

import guardlint
from guardlint.cli import main
from tests.cli.test_diff_base import git, pod, write

PLUGIN = (
    "from guardlint.plugin import Severity, Violation, rule\n"
    "@rule(code='NOTE001', name='note-probe', title='Probe', severity=Severity.ERROR, pack='notes',"
    " remediation='None.')\n"
    "def note_probe(resource, params, ctx):\n"
    "    '''## What it does\\nx\\n\\n## Why is this bad?\\ny'''\n"
    "    if resource.kind == 'Pod':\n"
    "        yield Violation(('metadata', 'name'), 'probe ' + str(resource.name))\n"
    "RULES = [note_probe]\n"
)
EXEMPT_B = "plugins: [probe.py]\nexemptions:\n  - rules: [note-probe]\n    paths: [b.yaml]\n    reason: legacy\n"


@pytest.fixture
def plugin_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``main`` names a local plugin whose rule reports every Pod and exempts ``b.yaml``; ``feature`` (checked
    out) adds ``c.yaml``."""
    if shutil.which("git") is None:
        pytest.skip("needs git")
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, "probe.py", PLUGIN)
    write(root, ".guardlint.yaml", EXEMPT_B)
    write(root, "a.yaml", pod("a"))
    write(root, "b.yaml", pod("b"))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "feature")
    write(root, "c.yaml", pod("c"))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "change")
    monkeypatch.chdir(root)
    return root


def _check(*args: str) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", ".", "--diff-base", "main", "-f", "json", "--select", "notes", *args], out=out, err=err)
    return code, json.loads(out.getvalue()) if out.getvalue() else {}, err.getvalue()


def _seen(report: dict) -> list[tuple[str, bool]]:  # type: ignore[type-arg]
    return sorted((f["resource"]["name"], f["suppressed"]) for f in report["findings"])


def test_the_base_configuration_is_read_with_the_working_trees_plugin_rules(plugin_repo: Path) -> None:
    code, report, err = _check("--allow-local-plugins")
    assert code == 1 and "could not be read" not in err, err
    assert _seen(report) == [("c", False)]  # a's finding is unchanged, b's exempt at both revisions
    assert (report["diff"]["new"], report["diff"]["unchanged"], report["diff"]["suppressionsAdded"]) == (1, 1, 0)


def test_an_exemption_the_change_adds_is_listed(plugin_repo: Path) -> None:
    """It was not: the base configuration could not be read (its plugins were refused even with the flag), so
    the working tree's exemptions were taken for the base's and the new one went unseen."""
    write(plugin_repo, ".guardlint.yaml", EXEMPT_B.replace("[b.yaml]", "[b.yaml, a.yaml]"))
    code, report, err = _check("--allow-local-plugins")
    assert _seen(report) == [("a", True), ("c", False)], err
    assert report["diff"]["suppressionsAdded"] == 1 and code == 1


def test_a_plugin_rule_the_change_turns_off_is_named(plugin_repo: Path) -> None:
    write(plugin_repo, ".guardlint.yaml", EXEMPT_B + "rules:\n  note-probe: {enabled: false}\n")
    code, report, err = _check("--allow-local-plugins", "--fail-on", "never")
    assert code == 0 and report["findings"] == [], err
    assert "this change turns off 1 rule that ran at the base (note-probe)" in err, err


def test_the_library_reads_the_base_configuration_the_same_way(plugin_repo: Path) -> None:
    write(plugin_repo, ".guardlint.yaml", EXEMPT_B.replace("[b.yaml]", "[b.yaml, a.yaml]"))
    report = guardlint.lint_paths(["."], allow_local_plugins=True, select=["notes"], diff_base="main")
    assert not [w for w in report.warnings if "could not be read" in w], report.warnings
    assert report.diff is not None and report.diff.suppressions_added == 1


@pytest.mark.parametrize("allow", [True, False])
def test_no_plugin_of_the_base_revision_is_imported(plugin_repo: Path, allow: bool) -> None:
    """The change drops the plugin: the base version still names it, and its code (which would leave a file
    behind) is never run, with or without the opt-in; the base configuration is still read (its exemption
    applies) and a note says that the base's plugins were not imported."""
    git(plugin_repo, "checkout", "-q", "main")
    write(plugin_repo, "probe.py", PLUGIN + "open('IMPORTED', 'w').close()\n")
    write(plugin_repo, ".guardlint.yaml", "plugins: [probe.py]\n")
    git(plugin_repo, "commit", "-qam", "a plugin that leaves a trace")
    git(plugin_repo, "checkout", "-q", "feature")
    git(plugin_repo, "rebase", "-q", "main")
    git(plugin_repo, "rm", "-q", "probe.py")
    write(plugin_repo, ".guardlint.yaml", "exemptions:\n  - rules: [privileged-container]\n    paths: [b.yaml]\n"
                                          "    reason: legacy\n")
    write(plugin_repo, "b.yaml", pod("b", privileged=True))
    out, err = io.StringIO(), io.StringIO()
    args = ["check", ".", "--diff-base", "main", "--select", "privileged-container", "-f", "json"]
    code = main([*args, *(["--allow-local-plugins"] if allow else [])], out=out, err=err)
    assert not (plugin_repo / "IMPORTED").exists()
    assert not Path("IMPORTED").exists()
    assert code == 0, err.getvalue()
    assert ("the base version names local plugins the working tree's does not (probe.py); plugins are never "
            "imported from the base revision") in err.getvalue(), err.getvalue()
    # b's new finding is exempt at the working tree, by an exemption the change added
    report = json.loads(out.getvalue())
    assert report["diff"]["suppressionsAdded"] == 1, report


def test_without_the_opt_in_the_working_trees_plugins_are_refused_as_before(plugin_repo: Path) -> None:
    code, _, err = _check()
    assert code == 2 and "names local Python plugins" in err and "--allow-local-plugins" in err, err


def _removed_plugin_repo(root: Path, base_config: str, head_config: str) -> None:
    """A second history in ``root``: ``main`` names the plugin and ``base_config``; ``feature`` removes the plugin
    and writes ``head_config``. Every Pod is privileged."""
    git(root, "checkout", "-q", "main")
    write(root, ".guardlint.yaml", base_config)
    for name in ("a", "b"):
        write(root, f"{name}.yaml", pod(name, privileged=True))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "privileged pods")
    git(root, "checkout", "-q", "-B", "feature")
    git(root, "rm", "-q", "probe.py")
    write(root, ".guardlint.yaml", head_config)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "drop the plugin")


def _privileged(*args: str) -> tuple[dict, str]:  # type: ignore[type-arg]
    out, err = io.StringIO(), io.StringIO()
    main(["check", ".", "--diff-base", "main", "-f", "json", "--select", "privileged-container", "--fail-on",
          "never", *args], out=out, err=err)
    return json.loads(out.getvalue()), err.getvalue()


BASE_EXEMPTS_BOTH = EXEMPT_B + "  - rules: [privileged-container]\n    paths: [b.yaml]\n    reason: legacy too\n"


def test_a_base_configuration_naming_rules_of_its_own_removed_plugin_is_still_read(plugin_repo: Path) -> None:
    """The change drops the plugin, whose rule the base version's exemption names. That name no longer names a
    rule, but it stands for one the base's plugin defined: the base version is read with an inert stand-in for it
    (it was not: the working tree's exemptions were taken for the base's, with a note), so the built-in rule's
    exemption the change removed counts: b.yaml's finding is new, not unchanged."""
    _removed_plugin_repo(plugin_repo, BASE_EXEMPTS_BOTH, "{}\n")
    report, err = _privileged()
    assert "could not be read" not in err, err
    assert [(f["resource"]["name"], f["suppressed"]) for f in report["findings"]] == [("b", False)], err
    assert (report["diff"]["new"], report["diff"]["unchanged"], report["diff"]["fixed"]) == (1, 1, 0)


def test_an_exemption_added_while_removing_the_plugin_is_listed(plugin_repo: Path) -> None:
    _removed_plugin_repo(plugin_repo, EXEMPT_B + "rules:\n  note-probe: {severity: warning}\n",
                         "exemptions:\n  - rules: [privileged-container]\n    paths: [a.yaml]\n    reason: new\n")
    report, err = _privileged()
    assert "could not be read" not in err, err
    assert [(f["resource"]["name"], f["suppressed"]) for f in report["findings"]] == [("a", True)], err
    assert report["diff"]["suppressionsAdded"] == 1


def test_a_removed_plugin_rule_the_base_selected_is_named_as_turned_off(plugin_repo: Path) -> None:
    _removed_plugin_repo(plugin_repo, "plugins: [probe.py]\nextend-select: [note-probe]\n", "{}\n")
    _, err = _privileged("--allow-local-plugins")
    assert "could not be read" not in err, err
    assert "this change turns off 1 rule that ran at the base (note-probe)" in err, err
    # also without the opt-in: the base version's plugins are never imported either way
    _, err = _privileged()
    assert "could not be read" not in err and "turns off 1 rule" in err, err


def test_other_problems_of_the_base_configuration_still_fall_back_with_a_note(plugin_repo: Path) -> None:
    _removed_plugin_repo(plugin_repo, EXEMPT_B + "fail-on: warnings\n", "{}\n")
    _, err = _privileged()
    assert "the base version of .guardlint.yaml could not be read (" in err, err
    assert "taken to be the working tree's" in err
