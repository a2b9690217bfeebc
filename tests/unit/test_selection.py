"""Which rules run: select, extend-select and ignore by name, code, prefix, pack, tag and all; presets; the
core pack; the README's example configuration."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from guardlint.api import Settings, resolve_settings
from guardlint.cli import main
from tests.helpers import ROOT, registry

POD = """apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
    - name: web
      image: nginx:1.27
      imagePullPolicy: IfNotPresent
"""

CORE = {"duplicate-key", "unused-suppression", "invalid-suppression", "rule-error", "suppression-not-allowed",
        "converted-key", "unsupported-key"}


def _active(settings: Settings) -> set[str]:
    return {a.rule.name for a in settings.plan.active}


def _settings(**kwargs: object) -> Settings:
    return resolve_settings(use_config_file=False, entry_points=False, **kwargs)  # type: ignore[arg-type]


def _defaults() -> set[str]:
    return {r.name for r in registry().rules if r.info.enabled_by_default}


def _off() -> set[str]:
    return {r.name for r in registry().rules if not r.info.enabled_by_default}


def test_the_registry_has_rules_off_by_default_in_every_non_core_pack() -> None:
    packs = {r.info.pack for r in registry().rules if not r.info.enabled_by_default}
    assert {"security", "resources", "gpu"} <= packs  # otherwise the tests below prove nothing


@pytest.mark.parametrize(
    ("entry", "added"),
    [
        ("image-pull-policy-not-always", {"image-pull-policy-not-always"}),
        ("SEC021", {"image-pull-policy-not-always"}),
        ("sec021", {"image-pull-policy-not-always"}),
        ("cluster-specific", {"gpu-toleration-missing", "gpu-node-selection-missing", "gpu-runtime-class-missing",
                              "gpu-kueue-queue-label-missing"}),
        ("security", set()),
        ("gpu", set()),
        ("SEC", set()),
        ("GPU04", set()),
    ],
)
def test_extend_select_adds_exactly_what_it_names(entry: str, added: set[str]) -> None:
    assert _active(_settings(extend_select=[entry])) == _defaults() | added


def test_extend_select_all_adds_everything() -> None:
    assert _active(_settings(extend_select=["all"])) == {r.name for r in registry().rules}


def test_one_rule_extended_is_not_select_all_on_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text(POD)

    def rules_found(*args: str) -> set[str]:
        out, err = io.StringIO(), io.StringIO()
        main(["check", str(tmp_path / "pod.yaml"), "--no-config", "--format", "json", *args], out=out, err=err)
        return {f["rule"] for f in json.loads(out.getvalue())["findings"]}

    default = rules_found()
    extended = rules_found("--extend-select", "image-pull-policy-not-always")
    everything = rules_found("--select", "all")
    assert extended == default | {"image-pull-policy-not-always"}
    assert everything - extended  # the pod breaks rules that are off by default and were not named


def test_selecting_a_pack_gives_its_default_rules_and_keeps_the_core_pack() -> None:
    reg = registry()
    active = _active(_settings(select=["security"]))
    assert active == {r.name for r in reg.rules if r.info.pack == "security" and r.info.enabled_by_default} | CORE
    assert _active(_settings(select=["SEC"])) == active  # the pack's code prefix means the same


def test_selecting_a_tag_gives_every_rule_with_the_tag() -> None:
    reg = registry()
    tagged = {r.name for r in reg.rules if "pss-restricted" in r.info.tags}
    assert tagged & _off()  # the restricted level needs rules that are off by default
    assert _active(_settings(select=["pss-restricted"])) == tagged | CORE


def test_pack_and_tag_of_the_same_name_means_the_pack() -> None:
    reg = registry()
    gpu_defaults = {r.name for r in reg.rules if r.info.pack == "gpu" and r.info.enabled_by_default}
    assert _active(_settings(select=["gpu"])) == gpu_defaults | CORE


def test_name_beats_pack_and_ignore_wins_a_tie() -> None:
    active = _active(_settings(select=["security"], extend_select=["image-pull-policy-not-always"],
                               ignore=["hardening", "SEC02"]))
    assert "image-pull-policy-not-always" in active  # the name is more specific than the SEC02 prefix
    assert "unpinned-image" not in active  # SEC020: the prefix ignore is more specific than the pack
    active = _active(_settings(select=["hardening"], ignore=["security"]))
    assert not active - CORE  # tag against pack: a tie, ignore wins


def test_ignore_covers_rules_that_are_off_by_default() -> None:
    active = _active(_settings(select=["all"], ignore=["gpu"]))
    assert not {r.name for r in registry().rules if r.info.pack == "gpu"} & active


def test_core_rules_are_turned_off_only_by_ignore_or_enabled_false(tmp_path: Path) -> None:
    assert _active(_settings(select=["privileged-container"])) >= CORE
    assert not CORE & _active(_settings(ignore=["core"]))
    config = tmp_path / "c.yaml"
    config.write_text("select: [security]\nrules:\n  unused-suppression: {enabled: false}\n")
    assert _active(resolve_settings(config=config, entry_points=False)) & CORE == CORE - {"unused-suppression"}


def test_selected_packs_still_report_duplicate_keys_and_bad_suppressions(tmp_path: Path) -> None:
    (tmp_path / ".guardlint.yaml").write_text("select: [security, resources, gpu]\n")
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  name: api\n  annotations:\n"
        "    ignore.guardlint.dev/privileged-container: \"\"\n"
        "spec:\n  containers:\n    - {name: web, image: nginx:1.27}\n"
    )
    out = io.StringIO()
    main(["check", str(tmp_path / "pod.yaml"), "--config", str(tmp_path / ".guardlint.yaml"), "--format", "json"],
         out=out, err=io.StringIO())
    rules = {f["rule"] for f in json.loads(out.getvalue())["findings"]}
    assert {"duplicate-key", "invalid-suppression"} <= rules


def test_gpu_preset_adds_only_the_rules_it_names(tmp_path: Path) -> None:
    config = tmp_path / ".guardlint.yaml"
    config.write_text("extends: gpu\n")
    named = {"gpu-toleration-missing", "gpu-node-selection-missing", "gpu-runtime-class-missing",
             "gpu-kueue-queue-label-missing"}
    assert named <= _off()
    assert _active(resolve_settings(config=config, entry_points=False)) == _defaults() | named


def test_config_extend_select_adds_only_its_entries(tmp_path: Path) -> None:
    config = tmp_path / ".guardlint.yaml"
    config.write_text("extend-select: [SEC021, writable-root-filesystem]\n")
    assert _active(resolve_settings(config=config, entry_points=False)) == _defaults() | {
        "image-pull-policy-not-always", "writable-root-filesystem"}


def test_readme_example_config_does_what_its_comments_say(tmp_path: Path) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    example = next(b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if b.startswith("extends:"))
    assert "select: [security, resources, gpu, schema]" in example
    config = tmp_path / ".guardlint.yaml"
    config.write_text(example)
    settings = resolve_settings(config=config, entry_points=False)
    active = {a.rule.name: a for a in settings.plan.active}
    # "these packs' default rules (the core checks run anyway)", "plus two rules that are off by default",
    # "minus one", and missing-memory-limit turned off under rules
    expected = (_defaults() | {"writable-root-filesystem", "missing-startup-probe"}) - {
        "missing-liveness-probe", "missing-memory-limit"}
    assert set(active) == expected
    assert set(active) >= CORE
    assert {"writable-root-filesystem", "missing-startup-probe"} <= _off()
    assert active["unpinned-image"].severity.value == "error"
    assert active["unpinned-image"].params.require_digest is True
    assert settings.plan.kubernetes_version == (1, 30)
