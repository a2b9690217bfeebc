"""Locating the shipped data folders: ``rules/`` (declarative rules, presets) and ``schemas/``.

In a wheel they are inside the package (``guardlint/_data/``); in a source checkout (editable install,
tests) they are the top-level folders of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The directory of shipped data ``name`` (``rules`` or ``schemas``)."""
    packaged = _PKG / "_data" / name
    if packaged.is_dir():
        return packaged
    source = _PKG.parent.parent / name
    if source.is_dir():
        return source
    raise FileNotFoundError(f"guardlint data folder {name!r} is missing from the installation")


def schema_path(name: str) -> Path:
    return data_dir("schemas") / name


def load_json(path: Path) -> object:
    import json

    with open(path, encoding="utf-8") as fh:
        return json.load(fh)
