"""The resources and reliability pack (RES): requests and limits, probes, availability, jobs and cron
schedules, and consistency between objects (selectors, references, duplicates)."""

from __future__ import annotations

from guardlint.rules.api import Rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def rules() -> tuple[Rule[Any], ...]:
    """This pack's rules. Deprecated: the registry finds a pack's rules by walking its folder
    (``guardlint.rules.packs``); this function only remains for code that called it."""
    from guardlint.rules.packs import pack_rules

    return pack_rules("resources")
