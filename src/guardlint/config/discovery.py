"""Finding ``.guardlint.yaml``: the working directory, then each parent. Kept import-light (os only)."""

from __future__ import annotations

import os

CONFIG_NAMES = (".guardlint.yaml", ".guardlint.yml")


def find_config(start: str | None = None) -> str | None:
    """The nearest configuration file in ``start`` (default: the working directory) or a parent.

    Anything by that name but a directory counts: a FIFO, device or dangling link named ``.guardlint.yaml``
    is returned (and reading it is then a clear error), never passed over for a parent's configuration.
    """
    here = os.path.abspath(start or os.getcwd())
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(here, name)
            if os.path.lexists(candidate) and not os.path.isdir(candidate):
                return candidate
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent
