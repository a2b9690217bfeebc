"""The supported plugin surface: guardlint.plugin names, its API version, rule lifecycle metadata, and the
light/full metadata split."""

from __future__ import annotations

from typing import Any

import pytest

from guardlint import plugin
from guardlint.errors import RuleLoadError
from guardlint.findings import Severity
from guardlint.rules.api import RuleInfo, RuleMeta, rule
from guardlint.rules.registry import validate_rule


def test_every_published_name_exists() -> None:
    missing = [name for name in plugin.__all__ if not hasattr(plugin, name)]
    assert not missing
    major, minor = plugin.API_VERSION
    assert isinstance(major, int) and isinstance(minor, int)


def test_light_metadata_has_no_documentation_fields() -> None:
    assert "doc" not in RuleInfo._fields and "params_schema" not in RuleInfo._fields
    assert set(RuleInfo._fields) <= set(RuleMeta._fields)


def _make(**kwargs: Any) -> Any:
    def check(resource: Any, params: Any, ctx: Any) -> Any:
        return iter(())

    return rule(code="ACME001", name="some-rule", title="Something", severity=Severity.INFO, pack="acme",
                remediation="Fix it.", **kwargs)(check)


def test_lifecycle_reaches_light_and_full_metadata() -> None:
    r = _make(status=plugin.PREVIEW, since="1.2.0")
    assert (r.info.status, r.info.since) == ("preview", "1.2.0")
    assert r.meta.light() == r.info
    assert (_make().info.status, _make().info.since) == ("stable", None)


def test_pods_only_reaches_light_and_full_metadata() -> None:
    assert plugin.API_VERSION >= (1, 2)
    r = _make(pods_only=True)
    assert r.info.pods_only and r.meta.pods_only and r.meta.light() == r.info
    assert not _make().info.pods_only  # off by default: plugins written before 1.2 are called on every object


def test_gates_reach_light_and_full_metadata_and_the_engine() -> None:
    """A plugin's gated rule is called only where one of its gates holds (API 1.3); without gates, everywhere."""
    from guardlint.api import lint_text
    from guardlint.testing import registry_with, settings_for

    assert plugin.API_VERSION >= (1, 3)
    calls: list[str] = []

    def check(resource: Any, params: Any, ctx: Any) -> Any:
        calls.append(resource.name)
        return iter(())

    r = rule(code="ACME002", name="gated-rule", title="Something", severity=Severity.INFO, pack="acme",
             remediation="Fix it.", gates=("runtime-class",))(check)
    assert r.info.gates == r.meta.gates == ("runtime-class",) and r.meta.light() == r.info
    assert _make().info.gates == ()
    text = ("apiVersion: v1\nkind: Pod\nmetadata: {name: plain}\nspec: {containers: [{name: a, image: a}]}\n---\n"
            "apiVersion: v1\nkind: Pod\nmetadata: {name: gpu}\n"
            "spec: {runtimeClassName: nvidia, containers: [{name: a, image: a}]}\n")
    lint_text(text, "m.yaml", settings=settings_for(registry_with([r], entry_points=False), ["gated-rule"]))
    assert calls == ["gpu"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"status": "beta"}, "status 'beta' is not one of stable, preview, deprecated"),
    ({"since": "next"}, "since 'next' is not a version"),
    ({"gates": ("gpu",)}, "gate 'gpu' is not one of pods, extended-resources"),
])
def test_bad_lifecycle_is_a_load_error(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(RuleLoadError, match=message):
        validate_rule(_make(**kwargs), "test")


def test_explain_shows_the_status() -> None:
    from guardlint.docs import render_rule, rule_json

    r = _make(status=plugin.DEPRECATED, since="0.9")
    assert "Status: **deprecated** (it will be removed; do not rely on it), since version 0.9" in render_rule(r)
    assert (rule_json(r)["status"], rule_json(r)["since"]) == ("deprecated", "0.9")


def test_light_metadata_is_the_full_metadata_without_doc_and_schema() -> None:
    """``RuleMeta.light`` and ``@rule`` build by position: the field orders must stay in step."""
    assert RuleInfo._fields == tuple(f for f in RuleMeta._fields if f not in ("doc", "params_schema"))
    assert RuleMeta._fields.index("doc") == 6 and RuleMeta._fields.index("params_schema") == 9
    r = _make(tags=("t",), references=(plugin.Reference("R", "https://r.example"),), fixable="safe",
              enabled_by_default=False, kinds=("Pod",), extra={"k": "v"}, status=plugin.PREVIEW, since="1.0.0",
              pods_only=True, gates=("runtime-class",), doc="The documentation.")
    values = {name: getattr(r.meta, name) for name in RuleMeta._fields}
    assert values == {
        "code": "ACME001", "name": "some-rule", "title": "Something", "severity": Severity.INFO, "pack": "acme",
        "remediation": "Fix it.", "doc": "The documentation.", "tags": ("t",),
        "references": (plugin.Reference("R", "https://r.example"),), "params_schema": None, "fixable": True,
        "enabled_by_default": False, "kinds": frozenset({"Pod"}), "extra": {"k": "v"}, "engine": False,
        "status": "preview", "since": "1.0.0", "fix_safety": "safe", "pods_only": True, "gates": ("runtime-class",),
    }
    assert r.info == RuleInfo(**{name: values[name] for name in RuleInfo._fields})
