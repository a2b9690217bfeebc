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


LAZY_PLUGIN = '''
from typing import Annotated, NamedTuple

from guardlint.plugin import Rule, RuleInfo, Severity, Violation, param, rule


class Params(NamedTuple):
    ids: Annotated[PARAM_TYPE, param("Identifiers.")] = DEFAULT


def _load():
    @rule(code="ACME005", name=LOADED_NAME, title="Lazy probe", severity=Severity.WARNING, pack="acme",
          remediation="Fix it.", params=Params, kinds=("ConfigMap",))
    def lazy_probe(resource, params, ctx):
        """## What it does
        Reports ConfigMaps.

        ## Why is this bad?
        A probe.
        """
        yield Violation(("metadata",), "probe")

    return lazy_probe


INFO = RuleInfo(code="ACME005", name="lazy-probe", title="Lazy probe", severity=Severity.WARNING, pack="acme",
                remediation="Fix it.", kinds=frozenset({"ConfigMap"}))


def rules():
    return [Rule.lazy(INFO, _load)]
'''


def _lazy_plugin(param_type: str = "tuple[int, ...]", default: str = "()", name: str = "lazy-probe") -> str:
    return (LAZY_PLUGIN.replace("PARAM_TYPE", param_type).replace("DEFAULT", default)
            .replace("LOADED_NAME", repr(name)))


POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: nginx:1.27}]\n"


@pytest.mark.parametrize("command", [["rules"], ["explain", "lazy-probe"], ["check", "pod.yaml", "--no-config"]])
def test_a_lazy_plugin_rules_bad_parameter_type_is_the_plugins_load_error(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    """A rule a plugin registers with ``Rule.lazy`` is loaded when the plugin is: a parameter type with no JSON
    Schema was an internal error (exit 3) in ``explain``, and nothing at all in ``rules`` or in a ``check`` of
    files the rule does not apply to (a Pod, for a ConfigMap rule)."""
    import io

    from guardlint.cli import main

    _install(site, "acme_lazy", _lazy_plugin("set[int]", "frozenset()"), "acme_lazy:rules")
    (tmp_path / "pod.yaml").write_text(POD)
    monkeypatch.chdir(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    assert main(command, out=out, err=err) == 2, err.getvalue()
    assert ("plugin 'acme' from package 'acme_lazy' (acme_lazy:rules): rule 'lazy-probe': parameters: "
            "acme_lazy.Params.ids: no JSON Schema for the parameter type set[int]") in err.getvalue()


def test_a_lazy_plugin_rule_that_loads_another_rule_is_named(site: Path) -> None:
    _install(site, "acme_lazy", _lazy_plugin(name="other-probe"), "acme_lazy:rules")
    with pytest.raises(RuleLoadError, match=r"plugin 'acme' from package 'acme_lazy' .*: rule 'lazy-probe' failed "
                                            r"to load: .*declared as ACME005 'lazy-probe' but its loader returns "
                                            r"ACME005 'other-probe'"):
        load_plugin_packs()


def test_a_well_formed_lazy_plugin_rule_runs(site: Path) -> None:
    _install(site, "acme_lazy", _lazy_plugin(), "acme_lazy:rules")
    settings = resolve_settings(use_config_file=False, select=["acme"], config=None)
    rule = settings.registry.get("lazy-probe")
    assert rule is not None and rule.loaded  # loaded when registered, so that its schema was checked
    assert rule.meta.params_schema is not None and "ids" in rule.meta.params_schema["properties"]
    from guardlint.engine import lint_loaded
    from guardlint.source.loader import load_text

    report = lint_loaded([load_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", "x.yaml")],
                         settings.plan)
    assert [f.rule for f in report.active] == ["lazy-probe"]
