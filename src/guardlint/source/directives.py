"""Comment directives: ``# guardlint: ignore <rule>[, <rule>...] -- <reason>``.

PyYAML drops comments, so the raw lines of each document are scanned once (only documents that contain
the word ``guardlint`` at all). A directive that trails code applies to that line; one on a line of its
own applies to the next line with content, or to the whole document when it stands before the document's
first content line (a directive trailing a bare ``---`` counts as standing before it too).
``ignore-document`` applies to the whole document wherever it stands; ``ignore-next-line`` always applies
to the next line with content. Text inside quoted and block scalars is data, never a directive.
"""

from __future__ import annotations

import bisect
import enum
import re
from collections.abc import Sequence

from guardlint._lazyre import lazy
from guardlint._record import NamedTuple

_DIRECTIVE = lazy(r"(?:^|(?<=\s))#\s*guardlint:\s*(?P<body>.*?)\s*$")
_IGNORE = lazy(r"^ignore(?:-(?P<scope>document|line|next-line))?(?![\w-])\s*(?P<rest>.*)$")


class Scope(enum.Enum):
    LINE = "line"
    DOCUMENT = "document"


class Directive(NamedTuple):
    """A parsed suppression comment. ``target_line`` is the line whose findings it covers (LINE scope)."""

    line: int
    column: int
    scope: Scope
    target_line: int
    rules: tuple[str, ...]
    reason: str
    problem: str | None = None
    """Set when the comment is malformed (no rule, no reason, unknown verb): it then suppresses nothing."""


def _is_marker(stripped: str) -> bool:
    """A bare ``---`` or ``...`` line (a comment may follow)."""
    for marker in ("---", "..."):
        if stripped.startswith(marker):
            rest = stripped[3:]
            if not rest or (rest[0] in " \t" and (not rest.strip() or rest.strip().startswith("#"))):
                return True
    return False


def _is_content(stripped: str) -> bool:
    return bool(stripped) and not stripped.startswith(("#", "%")) and not _is_marker(stripped)


def _inside(spans: Sequence[tuple[int, int]], pos: int) -> bool:
    """Whether ``pos`` lies in one of ``spans`` (sorted by start, not overlapping)."""
    i = bisect.bisect_right(spans, pos, key=lambda span: span[0]) - 1
    return i >= 0 and pos < spans[i][1]


def scan_directives(
    text: str, line_offset: int, data_spans: Sequence[tuple[int, int]] = ()
) -> tuple[Directive, ...]:
    """The directives of one document. ``data_spans`` are character ranges of ``text`` that hold scalar
    text (quoted and block scalars): a ``#`` there is data."""
    found: list[Directive] = []
    pending: list[tuple[int, int, str]] = []  # directives waiting for their next content line
    seen_content = False
    line_start = 0
    for i, raw in enumerate(text.split("\n")):
        start, line_start = line_start, line_start + len(raw) + 1
        stripped = raw.strip()
        lineno = line_offset + i + 1
        content = _is_content(stripped)
        match = None
        if "guardlint" in raw:
            for m in _DIRECTIVE.finditer(raw):
                if not _inside(data_spans, start + m.start()):
                    match = m
                    break
        if match is not None:
            column = match.start() + 1
            body = match.group("body")
            own_line = stripped.startswith("#")
            if not seen_content and not content:
                found.append(_parse(body, lineno, column, Scope.DOCUMENT, 0))
            elif own_line or _verb_scope(body) == "next-line":
                pending.append((lineno, column, body))
            else:
                found.append(_parse(body, lineno, column, Scope.LINE, lineno))
        if content:
            seen_content = True
            targets = [p for p in pending if p[0] != lineno]
            for pl, pc, pbody in targets:
                found.append(_parse(pbody, pl, pc, Scope.LINE, lineno))
            pending = [p for p in pending if p[0] == lineno]
    for pl, pc, pbody in pending:
        problem = None if _verb_scope(pbody) == "document" else "nothing follows this comment"
        found.append(_parse(pbody, pl, pc, Scope.LINE, pl, problem=problem))
    return tuple(sorted(found, key=lambda d: (d.line, d.column)))


def _verb_scope(body: str) -> str | None:
    m = _IGNORE.match(body)
    return m.group("scope") if m else None


def _parse(body: str, line: int, column: int, scope: Scope, target: int, problem: str | None = None) -> Directive:
    m = _IGNORE.match(body)
    if m is None:
        return Directive(line, column, scope, target, (), "", problem=f"unknown directive {body!r}; "
                         "expected 'guardlint: ignore <rule> -- <reason>'")
    if m.group("scope") == "document":
        scope = Scope.DOCUMENT
    rest = m.group("rest")
    names_part, sep, reason = rest.partition("--")
    # Rule names end at the reason, or at a comment that follows the directive (``# expect: ...``).
    names_part = re.split(r"(?:^|\s)#", names_part, maxsplit=1)[0]
    rules = tuple(r for r in re.split(r"[,\s]+", names_part.strip()) if r)
    reason = reason.strip()
    if problem is None:
        if not rules:
            problem = "names no rule; write 'guardlint: ignore <rule-name> -- <reason>'"
        elif not sep or not reason:
            problem = "has no reason; write the reason after ' -- '"
    return Directive(line, column, scope, target, rules, reason, problem)
