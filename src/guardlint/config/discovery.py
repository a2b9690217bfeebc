"""Finding ``.guardlint.yaml``: the working directory, then each parent. Kept import-light (os only)."""

from __future__ import annotations

import os

CONFIG_NAMES = (".guardlint.yaml", ".guardlint.yml")


def find_config(start: str | None = None) -> str | None:
    """The nearest configuration file in ``start`` (default: the working directory) or a parent."""
    here = os.path.abspath(start or os.getcwd())
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(here, name)
            if os.path.isfile(candidate):
                return candidate
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent
