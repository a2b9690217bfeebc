"""Shell-style patterns (``nvidia.com/gpu.*``, ``*-system``) matched as ``fnmatch.fnmatchcase`` matches them.

``fnmatch`` turns each pattern into a regular expression the first time it sees it, which costs far more
than the matches a small run makes (the GPU pack's default node labels alone are thirteen patterns). A
pattern whose only wildcard is ``*`` (every pattern guardlint ships, and what configurations write) is
matched here with string methods instead; a pattern with ``?`` or ``[`` goes to ``fnmatch``.
"""

from __future__ import annotations

from collections.abc import Iterable


def glob_match(text: str, pattern: str) -> bool:
    """``fnmatch.fnmatchcase(text, pattern)``: case-sensitive, ``*`` matches any run of characters (line
    breaks and ``/`` included), ``?`` any one character, ``[...]`` a character set.

    Exact for ``*``-only patterns: the text must start with the part before the first ``*`` and end with the
    part after the last one, without the two overlapping, and hold the parts in between in order, in the
    characters left between them. Placing each middle part at its leftmost occurrence leaves the most room
    for the parts after it, so if any placement fits, that one does."""
    if "?" in pattern or "[" in pattern:
        import fnmatch

        return fnmatch.fnmatchcase(text, pattern)
    parts = pattern.split("*")
    if len(parts) == 1:
        return text == pattern
    head, tail = parts[0], parts[-1]
    end = len(text) - len(tail)
    if end < len(head) or not text.startswith(head) or not text.endswith(tail):
        return False
    at = len(head)
    for part in parts[1:-1]:
        if not part:
            continue
        found = text.find(part, at, end)
        if found < 0:
            return False
        at = found + len(part)
    return True


def glob_any(text: str, patterns: Iterable[str]) -> bool:
    """Whether ``text`` matches one of ``patterns`` (``glob_match``)."""
    return any(glob_match(text, p) for p in patterns)
