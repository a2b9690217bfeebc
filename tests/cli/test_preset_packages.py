"""Presets from installed packages: the ``guardlint.presets`` entry-point group, ``extends: NAME`` and
``extends: NAME:PRESET``, and the errors naming the package or the missing preset."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardlint.api import resolve_settings
from guardlint.errors import ConfigError


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = tmp_path / "site"
    package = site / "acme_policy_presets"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("raise RuntimeError('a preset package is data: never imported')\n")
    (package / "default.yaml").write_text("select: [privileged-container]\n")
    (package / "strict.yaml").write_text("extends: acme-policy\nextend-select: [unpinned-image]\n"
                                         "locked: [privileged-container]\n")
    info = site / "acme_policy-2.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-policy\nVersion: 2.1.0\n")
    (info / "entry_points.txt").write_text("[guardlint.presets]\nacme-policy = acme_policy_presets\n")
    monkeypatch.syspath_prepend(str(site))
    repo = tmp_path / "repo"
    repo.mkdir()
    monkeypatch.chdir(repo)
    return repo


def _active(config: str, policy: Path | None = None) -> set[str]:
    Path(".guardlint.yaml").write_text(config)
    settings = resolve_settings(config=".guardlint.yaml", entry_points=False, policy=policy)
    return {a.rule.name for a in settings.plan.active if a.rule.info.pack != "core"}


def test_extends_an_installed_package_default_and_named_preset(site: Path) -> None:
    assert _active("extends: acme-policy\n") == {"privileged-container"}
    policy = site / "policy.yaml"
    policy.write_text("extends: acme-policy:strict\n")
    settings = resolve_settings(use_config_file=False, entry_points=False, policy=policy)
    assert "privileged-container" in settings.plan.locks  # a policy can extend a package's preset with locks
    assert {a.rule.name for a in settings.plan.active if a.rule.info.pack != "core"} == {
        "privileged-container", "unpinned-image"}


def test_missing_package_and_missing_preset_are_named(site: Path) -> None:
    with pytest.raises(ConfigError, match="no installed package provides presets called 'beta-policy'"):
        _active("extends: beta-policy:strict\n")
    with pytest.raises(ConfigError, match=r"the package 'acme_policy' has no preset 'strcit' \(it has: default, "
                                          r"strict\); did you mean 'strict'\?"):
        _active("extends: acme-policy:strcit\n")
    with pytest.raises(ConfigError, match="unknown preset 'beta-policy'"):
        _active("extends: beta-policy\n")
