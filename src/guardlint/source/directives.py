"""Comment directives: ``# guardlint: ignore <rule>[, <rule>...] -- <reason>``.

PyYAML drops comments, so the raw lines of each document are scanned once (only documents that contain
the word ``guardlint`` at all). A directive that trails code applies to that line; one on a line of its
own applies to the next line with content, or to the whole document when it stands before the document's
first content line.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

_DIRECTIVE = re.compile(r"(?:^|\s)#\s*guardlint:\s*(?P<body>.*?)\s*$")
_IGNORE = re.compile(r"^ignore(?:-(?P<scope>document|line|next-line))?\b\s*(?P<rest>.*)$")


class Scope(enum.Enum):
    LINE = "line"
    DOCUMENT = "document"


@dataclass(frozen=True, slots=True)
class Directive:
    """A parsed suppression comment. ``target_line`` is the line whose findings it covers (LINE scope)."""

    line: int
    column: int
    scope: Scope
    target_line: int
    rules: tuple[str, ...]
    reason: str
    problem: str | None = None
    """Set when the comment is malformed (no rule, no reason, unknown verb): it then suppresses nothing."""


def _is_content(stripped: str) -> bool:
    return bool(stripped) and not stripped.startswith("#") and not stripped.startswith("%") and stripped not in (
        "---",
        "...",
    )


def scan_directives(text: str, line_offset: int) -> tuple[Directive, ...]:
    lines = text.split("\n")
    found: list[Directive] = []
    pending: list[tuple[int, int, str]] = []  # own-line directives waiting for their next content line
    seen_content = False
    for i, raw in enumerate(lines):
        stripped = raw.strip()
        lineno = line_offset + i + 1
        if stripped.startswith("---"):
            after = stripped[3:].split("#", 1)[0].strip()
            if after:
                seen_content = True
        m = _DIRECTIVE.search(raw) if "guardlint" in raw else None
        own_line = stripped.startswith("#")
        if m is not None:
            column = raw.index("#", m.start()) + 1
            body = m.group("body")
            if own_line:
                if not seen_content:
                    found.append(_parse(body, lineno, column, Scope.DOCUMENT, 0))
                else:
                    pending.append((lineno, column, body))
            else:
                found.append(_parse(body, lineno, column, Scope.LINE, lineno))
        if _is_content(stripped) and not stripped.startswith("---"):
            seen_content = True
            for pl, pc, pbody in pending:
                found.append(_parse(pbody, pl, pc, Scope.LINE, lineno))
            pending.clear()
    for pl, pc, pbody in pending:
        found.append(_parse(pbody, pl, pc, Scope.LINE, pl, problem="nothing follows this comment"))
    return tuple(found)


def _parse(body: str, line: int, column: int, scope: Scope, target: int, problem: str | None = None) -> Directive:
    m = _IGNORE.match(body)
    if m is None:
        return Directive(line, column, scope, target, (), "", problem=f"unknown directive {body!r}; "
                         "expected 'guardlint: ignore <rule> -- <reason>'")
    explicit = m.group("scope")
    if explicit == "document":
        scope = Scope.DOCUMENT
    rest = m.group("rest")
    names_part, sep, reason = rest.partition("--")
    rules = tuple(r.strip() for r in re.split(r"[,\s]+", names_part.strip()) if r.strip())
    reason = reason.strip()
    if problem is None:
        if not rules:
            problem = "names no rule; write 'guardlint: ignore <rule-name> -- <reason>'"
        elif not sep or not reason:
            problem = "has no reason; write the reason after ' -- '"
    return Directive(line, column, scope, target, rules, reason, problem)
