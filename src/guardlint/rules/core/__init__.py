"""The core pack (GL): checks on the YAML itself and on suppressions, produced by the engine."""

from __future__ import annotations

from typing import Any

from guardlint.rules.api import Rule


def rules() -> tuple[Rule[Any], ...]:
    from guardlint.rules.core import engine_rules

    return engine_rules.RULES
