"""Locating the shipped data folders: ``rules/`` (declarative rules, presets) and ``schemas/``; reading the
JSON that guardlint ships.

In a wheel they are inside the package (``guardlint/_data/``); in a source checkout (editable install,
tests) they are the top-level folders of the repository.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from typing import Any

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


_JSON_WHITESPACE = " \t\n\r"
"""What ``json`` skips before and after the value (its ``WHITESPACE`` pattern, ``[ \\t\\n\\r]*``)."""


def _json_scanner() -> Callable[[str, int], tuple[Any, int]] | None:
    """The C scanner that ``json.loads`` runs (``_json.make_scanner``), configured as ``json``'s default decoder
    is: strict strings, no hooks, ``float``/``int`` for numbers, NaN and the infinities for those constants.
    None where CPython's ``_json`` is missing (another Python): ``parse_shipped_json`` then calls ``json``."""
    try:
        from _json import make_scanner  # CPython's accelerator of json
    except ImportError:
        return None
    from types import SimpleNamespace

    constants = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}
    # the decoder's attributes the C scanner reads (json.decoder.JSONDecoder's defaults)
    settings: Any = SimpleNamespace(strict=True, object_hook=None, object_pairs_hook=None, parse_float=float,
                                    parse_int=int, parse_constant=constants.__getitem__)
    scanner: Callable[[str, int], tuple[Any, int]] = make_scanner(settings)
    return scanner


_SCAN_JSON = _json_scanner()
"""Built once: the scanner keeps nothing between calls (its key memo is emptied at the end of each)."""


def parse_shipped_json(text: str | bytes) -> Any:
    """``json.loads(text)``, without importing the ``json`` package: for the JSON guardlint ships and reads on
    every run (the rule catalog, the API schemas and their index, the served-versions table). ``json`` and its
    submodules compile six regular expressions and build three classes at import: about 5 M instructions, 0.8%
    of a pre-commit run that needs no JSON output.

    Exact: ``json.loads`` of a text (no byte order mark) is ``scan_once(text, idx)`` of the same C scanner, made
    from a decoder with the same settings (``_json_scanner``), with ``idx`` past the leading JSON whitespace,
    and the text must end in JSON whitespace after the value. Bytes are decoded as ``json.loads`` decodes bytes
    it detects as UTF-8 (``surrogatepass``): those whose first byte opens an object or an array and whose
    second is not NUL (``json.detect_encoding`` answers UTF-8 for them). Anything else (a byte order mark,
    other bytes, a text that does not parse, trailing data, no C scanner) is handed to ``json.loads`` itself,
    so the value or the error is always json's. ``tests/unit/test_shipped_json.py`` compares the two on every
    shipped file and on generated texts.
    """
    if isinstance(text, bytes):
        if text[:1] not in (b"{", b"[") or text[1:2] == b"\0":
            return _json_loads(text)
        data = text.decode("utf-8", "surrogatepass")
    else:
        data = text
    if _SCAN_JSON is None or data.startswith("\ufeff"):
        return _json_loads(text)
    start = len(data) - len(data.lstrip(_JSON_WHITESPACE))
    try:
        value, end = _SCAN_JSON(data, start)
    except (StopIteration, ValueError):  # no value at ``start`` / a malformed one: json's own error
        return _json_loads(text)
    if end != len(data) and data[end:].strip(_JSON_WHITESPACE):
        return _json_loads(text)  # "Extra data"
    return value


def _json_loads(text: str | bytes) -> Any:
    import json

    return json.loads(text)
