"""The GPU and AI-workloads pack (GPU): accelerator requests, isolation, scheduling and training health."""

from __future__ import annotations

from typing import Any

from guardlint.rules.api import Rule


def rules() -> tuple[Rule[Any], ...]:
    return ()
