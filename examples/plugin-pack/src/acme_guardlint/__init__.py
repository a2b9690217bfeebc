"""acme-guardlint: an example third-party rule pack for guardlint.

It imports only ``guardlint.plugin`` (and ``guardlint.testing`` in its tests), the surface guardlint supports
for plugins, and registers its rules through the ``guardlint.rules`` entry point (see pyproject.toml).
"""

from __future__ import annotations

from typing import Any

from guardlint.plugin import API_VERSION, Rule

if API_VERSION[0] != 1 or API_VERSION < (1, 1):
    raise ImportError(f"acme-guardlint needs guardlint's plugin API 1.1 or a later 1.x, not {API_VERSION}")


def rules() -> tuple[Rule[Any], ...]:
    """The pack's rules; guardlint calls this through the entry point."""
    from acme_guardlint.memory_limit_above_cap import RULE as MEMORY_LIMIT_ABOVE_CAP
    from acme_guardlint.team_label_missing import RULE as TEAM_LABEL_MISSING

    return (TEAM_LABEL_MISSING, MEMORY_LIMIT_ABOVE_CAP)
