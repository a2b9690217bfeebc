"""``python -m guardlint``."""

from __future__ import annotations

from guardlint.cli import main

raise SystemExit(main())
