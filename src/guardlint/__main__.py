"""``python -m guardlint``: the console script itself (``guardlint.cli.entry``), so both run one code path."""

from __future__ import annotations

from guardlint.cli import entry

entry()
