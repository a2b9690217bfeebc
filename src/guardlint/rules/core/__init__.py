"""The core pack (GL): checks on the YAML itself and on suppressions, produced by the engine."""

from __future__ import annotations

import enum

from guardlint.rules.api import Rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Core(enum.Enum):
    """The core rules, which the engine emits itself (``RuleInfo.engine``): the run finds each one by this
    member, not by a string; each value is the name its module's ``RULE`` has (a test keeps them in step)."""

    DUPLICATE_KEY = "duplicate-key"
    RULE_ERROR = "rule-error"
    INVALID_SUPPRESSION = "invalid-suppression"
    UNUSED_SUPPRESSION = "unused-suppression"
    SUPPRESSION_NOT_ALLOWED = "suppression-not-allowed"
    CONVERTED_KEY = "converted-key"
    UNSUPPORTED_KEY = "unsupported-key"


def rules() -> tuple[Rule[Any], ...]:
    """This pack's rules. Deprecated: the registry finds a pack's rules by walking its folder
    (``guardlint.rules.packs``); this function only remains for code that called it."""
    from guardlint.rules.packs import pack_rules

    return pack_rules("core")
