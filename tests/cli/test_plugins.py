"""Third-party rule packs through the ``guardlint.rules`` entry-point group, and their failures."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from guardlint.api import make_registry, resolve_settings
from guardlint.errors import RuleLoadError
from guardlint.rules.registry import load_plugin_packs

PLUGIN = '''
from guardlint import Severity, Violation, rule


@rule(code="ACME001", name="team-label-missing", title="Object has no team label", severity=Severity.WARNING,
      pack="acme", remediation="Add a metadata.labels.team label.")
def team_label_missing(resource, params, ctx):
    """## What it does
    Reports objects without a team label.

    ## Why is this bad?
    Nobody is paged.
    """
    if "team" not in resource.labels:
        yield Violation(("metadata", "labels", "team"), "object has no team label")


def rules():
    return [team_label_missing]
'''


def _install(site: Path, module: str, body: str, target: str) -> None:
    (site / f"{module}.py").write_text(body)
    info = site / f"{module}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[console_scripts]\nx = y:z\n\n[guardlint.rules]\nacme = {target}\n")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [m for m in sys.modules if m.startswith("acme_")]:
        del sys.modules[name]


def test_entry_point_pack_is_registered_and_runs(site: Path) -> None:
    _install(site, "acme_rules", PLUGIN, "acme_rules:rules")
    packs = load_plugin_packs()
    assert [r.name for pack in packs for r in pack] == ["team-label-missing"]
    assert make_registry().get("ACME001") is not None
    import guardlint

    settings = resolve_settings(use_config_file=False, select=["acme"])
    from guardlint.engine import lint_loaded
    from guardlint.source.loader import load_text

    report = lint_loaded([load_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", "x.yaml")],
                         settings.plan)
    assert [(f.rule, f.line, f.column) for f in report.active] == [("team-label-missing", 3, 1)]
    assert guardlint.Severity.WARNING is report.active[0].severity


def test_broken_plugin_is_named(site: Path) -> None:
    _install(site, "acme_broken", "raise RuntimeError('boom')\n", "acme_broken:rules")
    with pytest.raises(RuleLoadError, match=r"plugin 'acme' from package 'acme_broken'.*RuntimeError: boom"):
        load_plugin_packs()


def test_plugin_with_a_malformed_rule_is_rejected(site: Path) -> None:
    _install(site, "acme_bad", PLUGIN.replace('code="ACME001"', 'code="acme-1"'), "acme_bad:rules")
    with pytest.raises(RuleLoadError, match="code 'acme-1'"):
        load_plugin_packs()
