"""Test helpers: fixture files with inline expectations, and a cached default registry."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from guardlint import testing
from guardlint.api import Settings, make_registry, resolve_settings
from guardlint.findings import Report
from guardlint.rules.registry import Registry
from guardlint.testing import Fixture, found_counter, parse_fixture

__all__ = [
    "FIXTURES", "ROOT", "Fixture", "default_settings", "found_counter", "iter_fixtures", "parse_fixture",
    "registry", "run_fixture", "settings_for",
]

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "rules"


@functools.lru_cache(maxsize=1)
def registry() -> Registry:
    return make_registry(entry_points=False, lazy=False)


def settings_for(
    rules: list[str],
    params: dict[str, dict[str, Any]] | None = None,
    kubernetes_version: str | tuple[int, int] | None = None,
    extra: dict[str, Any] | None = None,
) -> Settings:
    """Settings selecting ``rules``. A version tuple is used as given (a Config built in code may name a
    version newer than the command line and config files accept); a string is parsed as they parse it."""
    return testing.settings_for(registry(), rules, params, kubernetes_version, extra)


def default_settings() -> Settings:
    return resolve_settings(use_config_file=False, entry_points=False)


def iter_fixtures() -> list[Fixture]:
    return testing.iter_fixtures(FIXTURES)


def run_fixture(fx: Fixture) -> Report:
    return testing.run_fixture(fx, registry())
