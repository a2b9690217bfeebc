"""Locating the shipped data folders: ``rules/`` (declarative rules, presets) and ``schemas/``.

In a wheel they are inside the package (``guardlint/_data/``); in a source checkout (editable install,
tests) they are the top-level folders of the repository.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

_PKG = os.path.dirname(os.path.abspath(__file__))


def data_root(name: str) -> str:
    """The directory of shipped data ``name`` (``rules`` or ``schemas``), as a string (no pathlib import)."""
    packaged = os.path.join(_PKG, "_data", name)
    if os.path.isdir(packaged):
        return packaged
    source = os.path.join(os.path.dirname(os.path.dirname(_PKG)), name)
    if os.path.isdir(source):
        return source
    raise FileNotFoundError(f"guardlint data folder {name!r} is missing from the installation")


def data_dir(name: str) -> Path:
    """The directory of shipped data ``name`` (``rules`` or ``schemas``)."""
    from pathlib import Path

    return Path(data_root(name))


def schema_path(name: str) -> Path:
    return data_dir("schemas") / name


def load_json(path: str | Path) -> object:
    import json

    with open(path, encoding="utf-8") as fh:
        return json.load(fh)
