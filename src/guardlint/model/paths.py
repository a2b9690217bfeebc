"""Field paths: tuples of mapping keys and sequence indexes, rendered only at the edges."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FieldPath = tuple["str | int", ...]

_KEY_START = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_$"
_KEY_CHARS = _KEY_START + "0123456789-"


def _plain_key(part: str) -> bool:
    """What ``re.match(r"^[A-Za-z_$][A-Za-z0-9_$-]*$", part)`` answers, without compiling it: an ASCII letter,
    ``_`` or ``$``, then only those, digits and ``-`` (``$`` also matches before a final newline, so one
    trailing ``\n`` is allowed, as by the pattern). ``tests/unit/test_startup_shortcuts.py`` compares both."""
    key = part[:-1] if part.endswith("\n") else part
    return key != "" and key[0] in _KEY_START and not key.lstrip(_KEY_CHARS)


def to_dotted(path: Iterable[str | int]) -> str:
    """Render a path as ``spec.containers[0].securityContext`` (keys with dots or slashes are quoted)."""
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _plain_key(part):
            out.append(f".{part}" if out else part)
        else:
            escaped = part.replace("\\", "\\\\").replace('"', '\\"')
            out.append(f'["{escaped}"]')
    return "".join(out)


def _key_text(part: str) -> str:
    """The text of the string ``part`` in ``to_dotted``'s rendering when it is not the first part: ``.key``, or
    ``["..."]`` quoted."""
    if _plain_key(part):
        return f".{part}"
    escaped = part.replace("\\", "\\\\").replace('"', '\\"')
    return f'["{escaped}"]'


def to_dotted_memo(path: Iterable[str | int], keys: dict[str, str]) -> str:
    """``to_dotted(path)``, each string part's text taken from ``keys``, a memo its caller keeps across the paths
    it renders (a report: ``spec``, ``containers`` and ``resources`` recur in most of its paths), filled here.
    ``tests/unit/test_startup_shortcuts.py`` compares both."""
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        else:
            text = keys.get(part)
            if text is None:
                text = keys[part] = _key_text(part)
            out.append(text if out or text[0] == "[" else part)
    return "".join(out)


def to_json_pointer(path: Iterable[str | int]) -> str:
    """Render a path as an RFC 6901 JSON pointer."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "/" + "/".join(parts) if parts else ""


def parse_dotted(text: str) -> FieldPath:
    """Parse ``a.b[0].c`` or ``a["x.y"]`` into a path; ``[*]`` and ``*`` stay as the wildcard ``"*"``.

    The inverse of ``to_dotted``: a quoted key may hold any character, with ``\\`` and ``\"`` escaped.
    Raises ValueError on malformed text.
    """
    out: list[str | int] = []
    i = 0
    n = len(text)
    expect_key = True
    while i < n:
        ch = text[i]
        if ch == ".":
            if expect_key:
                raise ValueError(f"empty segment at offset {i} in {text!r}")
            expect_key = True
            i += 1
            continue
        if ch == "[":
            j = i + 1
            while j < n and text[j] == " ":
                j += 1
            if j < n and text[j] in "\"'":
                key, j = _quoted(text, j)
                while j < n and text[j] == " ":
                    j += 1
                if j >= n or text[j] != "]":
                    raise ValueError(f"expected ']' at offset {j} in {text!r}")
                out.append(key)
                i = j + 1
            else:
                end = text.find("]", i)
                if end < 0:
                    raise ValueError(f"unclosed '[' in {text!r}")
                inner = text[i + 1 : end].strip()
                if inner == "*":
                    out.append("*")
                elif inner.isascii() and inner.isdigit():
                    out.append(int(inner))
                else:
                    raise ValueError(f"bad index {inner!r} in {text!r}")
                i = end + 1
            expect_key = False
            continue
        if not expect_key:
            raise ValueError(f"expected '.' or '[' at offset {i} in {text!r}")
        j = i
        while j < n and text[j] not in ".[":
            j += 1
        out.append(text[i:j])
        i = j
        expect_key = False
    if expect_key and out:
        raise ValueError(f"trailing '.' in {text!r}")
    return tuple(out)


def _quoted(text: str, start: int) -> tuple[str, int]:
    """The key of the quoted string at ``start`` (backslash escapes undone) and the offset after it."""
    quote = text[start]
    chars: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            chars.append(text[i + 1])
            i += 2
            continue
        if ch == quote:
            return "".join(chars), i + 1
        chars.append(ch)
        i += 1
    raise ValueError(f"unclosed quote at offset {start} in {text!r}")


MISSING: Any = object()
"""What ``expand(..., with_missing=True)`` yields as the value of a field that is not there."""


def expand(
    data: Any, pattern: FieldPath, prefix: FieldPath = (), *, with_missing: bool = False
) -> Iterator[tuple[FieldPath, Any]]:
    """The concrete (path, value) pairs of a path pattern: ``"*"`` stands for every item of a list or every
    value of a map, an integer for one list index, a string for one map key. Paths start with ``prefix``.

    A field that is not there yields nothing, or with ``with_missing`` the pattern's path from there on and
    ``MISSING`` (a wildcard over an empty or absent collection yields nothing either way)."""
    if not with_missing and "*" not in pattern:
        # A path of keys and indexes alone (a pod template's ``spec.template``): at most one pair, found by the
        # lookups the recursion below makes, level by level, without a generator per level.
        node = data
        for part in pattern:
            if isinstance(part, int):
                if not (isinstance(node, list) and 0 <= part < len(node)):
                    return
                node = node[part]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                return
        yield (*prefix, *pattern), node
        return
    if not pattern:
        yield prefix, data
        return
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield from expand(item, rest, (*prefix, i), with_missing=with_missing)
        elif isinstance(data, dict):
            for key, item in data.items():
                yield from expand(item, rest, (*prefix, key), with_missing=with_missing)
        return
    if isinstance(head, int):
        if isinstance(data, list) and 0 <= head < len(data):
            yield from expand(data[head], rest, (*prefix, head), with_missing=with_missing)
        elif with_missing:
            yield (*prefix, *pattern), MISSING
        return
    if isinstance(data, dict) and head in data:
        yield from expand(data[head], rest, (*prefix, head), with_missing=with_missing)
    elif with_missing:
        yield (*prefix, *pattern), MISSING
