"""The resources and reliability pack (RES): requests and limits, probes, availability, object references."""

from __future__ import annotations

from typing import Any

from guardlint.rules.api import Rule


def rules() -> tuple[Rule[Any], ...]:
    from guardlint.rules.resources import missing_memory_limit

    return (missing_memory_limit.RULE,)
