"""Finding input files and reading them into text, with a located error for everything that is not text."""

from __future__ import annotations

import codecs
import fnmatch
import os
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from guardlint.findings import ErrorKind, InputError

EXTENSIONS = (".yaml", ".yml", ".json")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_SKIP_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", ".venv", "node_modules", ".tox", ".mypy_cache"})

STDIN = "-"


class Input(NamedTuple):
    """One file to lint: ``path`` on disk (or ``-``) and the name reports show."""

    path: str
    display: str


class ReadResult(NamedTuple):
    display: str
    text: str | None
    error: InputError | None


def display_name(path: str, root: str | None = None) -> str:
    """A POSIX path relative to ``root`` (the working directory by default) when the file is below it."""
    if path == STDIN:
        return STDIN
    base = root or os.getcwd()
    try:
        rel = os.path.relpath(path, base)
    except ValueError:  # pragma: no cover - different drives on Windows
        rel = path
    if rel.startswith(".." + os.sep) or rel == "..":
        rel = path
    return rel.replace(os.sep, "/") if os.sep != "/" else rel


def excluded(rel_posix: str, excludes: Sequence[str]) -> bool:
    """Whether a display path matches an exclude pattern: a glob against the whole path (a folder pattern
    also excludes what is below it), or, for a pattern without ``/``, against any single path part."""
    for pattern in excludes:
        pat = pattern.rstrip("/")
        if fnmatch.fnmatchcase(rel_posix, pat) or fnmatch.fnmatchcase(rel_posix, pat + "/*"):
            return True
        if "/" not in pat and any(fnmatch.fnmatchcase(part, pat) for part in rel_posix.split("/")):
            return True
    return False


def discover(
    paths: Iterable[str], excludes: Sequence[str] = (), root: str | None = None
) -> tuple[list[Input], list[InputError]]:
    """Expand files and directories (recursively, over .yaml/.yml/.json) into inputs, in a stable order.

    Files named explicitly are linted whatever their extension. Directories skip VCS folders and
    ``excludes`` (glob patterns matched against the path relative to the working directory). A file is
    linted once however often and however spelled it is named (``a.yaml``, ``./a.yaml``, its folder).
    Symlinked directories that lead back into the tree (or above it) are not followed: what they hold is
    linted at its real place, and a symlink loop ends. Others are followed once each.
    """
    inputs: list[Input] = []
    errors: list[InputError] = []
    seen: set[str] = set()

    def add(path: str, shown: str) -> None:
        key = os.path.normcase(os.path.abspath(path))
        if key not in seen:
            seen.add(key)
            inputs.append(Input(path, shown))

    for raw in paths:
        if raw == STDIN:
            inputs.append(Input(STDIN, STDIN))
            continue
        if os.path.isdir(raw):
            for path in _walk(raw, excludes, root, errors):
                add(path, display_name(path, root))
            continue
        shown = display_name(raw, root)
        if not os.path.lexists(raw):
            errors.append(InputError(ErrorKind.NOT_FOUND, shown, 1, 1, "no such file or directory"))
            continue
        add(raw, shown)
    return inputs, errors


def _related(a: str, b: str) -> bool:
    """Whether one of two real paths is the other or lies inside it."""
    try:
        common = os.path.commonpath([a, b])
    except ValueError:  # pragma: no cover - different drives on Windows
        return False
    return common in (a, b)


def _walk(top: str, excludes: Sequence[str], root: str | None, errors: list[InputError]) -> list[str]:
    found: list[str] = []
    real_top = os.path.realpath(top)
    visited: set[str] = set()

    def onerror(exc: OSError) -> None:
        name = exc.filename if isinstance(exc.filename, str) else top
        errors.append(InputError(ErrorKind.UNREADABLE, display_name(name, root), 1, 1, _os_message(exc)))

    for dirpath, dirnames, filenames in os.walk(top, followlinks=True, onerror=onerror):
        real = os.path.realpath(dirpath)
        if real in visited:
            dirnames[:] = []
            continue
        visited.add(real)
        keep = []
        for d in sorted(dirnames):
            if d in _SKIP_DIRS:
                continue
            full = os.path.join(dirpath, d)
            if os.path.islink(full) and _related(os.path.realpath(full), real_top):
                continue
            if excludes and excluded(display_name(full, root), excludes):
                continue
            keep.append(d)
        dirnames[:] = keep
        for f in sorted(filenames):
            if not f.endswith(EXTENSIONS):
                continue
            full = os.path.join(dirpath, f)
            if excludes and excluded(display_name(full, root), excludes):
                continue
            found.append(full)
    return found


def _os_message(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of character ``index`` (lines end at ``\n``, ``\r\n`` or ``\r``)."""
    prefix = text[:index].replace("\r\n", "\n").replace("\r", "\n")
    return prefix.count("\n") + 1, len(prefix) - (prefix.rfind("\n") + 1) + 1


def decode(data: bytes, display: str) -> ReadResult:
    """Decode file bytes as YAML allows (UTF-8, or UTF-16/32 with a BOM); binary or invalid bytes are errors."""
    if not data:
        return ReadResult(display, "", None)
    head = data[:8192]
    skipped = 0
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encoding = "utf-32"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
        if head.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8):]  # decode the rest as UTF-8, so error offsets need no shifting
            skipped = len(codecs.BOM_UTF8)
        if b"\x00" in head:
            return ReadResult(
                display,
                None,
                InputError(ErrorKind.BINARY, display, 1, 1, "binary file (it contains NUL bytes); not YAML or JSON"),
            )
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        prefix = data[: exc.start].decode(encoding, errors="replace")
        line, column = _line_col(prefix, len(prefix))
        name = encoding.upper()
        return ReadResult(
            display,
            None,
            InputError(
                ErrorKind.ENCODING,
                display,
                line,
                column,
                f"byte 0x{data[exc.start]:02x} at offset {exc.start + skipped} is not valid {name}; "
                "YAML and JSON files must be UTF-8 (or UTF-16 or UTF-32 with a byte order mark)",
            ),
        )
    nul = text.find("\x00")
    if nul >= 0:
        line, column = _line_col(text, nul)
        return ReadResult(
            display, None, InputError(ErrorKind.BINARY, display, line, column, "binary content (a NUL character)")
        )
    # Other C0 control characters are left to the YAML parser, which reports them with their place.
    return ReadResult(display, text.replace("\r\n", "\n").replace("\r", "\n"), None)


def _too_large(display: str, max_bytes: int, size: int | None) -> ReadResult:
    limit = f"{max_bytes / 1048576:.0f} MiB"
    what = f"file is {size / 1048576:.1f} MiB, over the {limit} limit" if size is not None else (
        f"file is over the {limit} limit"
    )
    hint = "raise 'max-file-size' in .guardlint.yaml (or --max-file-size) if this file is a real manifest"
    return ReadResult(display, None, InputError(ErrorKind.TOO_LARGE, display, 1, 1, what, hint=hint))


def read_input(item: Input, max_bytes: int = DEFAULT_MAX_BYTES, stdin_bytes: bytes | None = None) -> ReadResult:
    """Read one input, returning text or a located error; never raises for I/O problems.

    A file over ``max_bytes`` is reported from its size alone; at most ``max_bytes + 1`` bytes are ever read.
    """
    if item.path == STDIN:
        return decode(stdin_bytes or b"", item.display)
    try:
        size = os.path.getsize(item.path)
        if size > max_bytes:
            return _too_large(item.display, max_bytes, size)
        if os.path.isdir(item.path):
            error = InputError(ErrorKind.UNREADABLE, item.display, 1, 1, "is a directory")
            return ReadResult(item.display, None, error)
        with open(item.path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        return ReadResult(item.display, None, InputError(ErrorKind.UNREADABLE, item.display, 1, 1, _os_message(exc)))
    if len(data) > max_bytes:  # grew while being read, or a special file
        return _too_large(item.display, max_bytes, None)
    return decode(data, item.display)
