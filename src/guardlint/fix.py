"""``--fix``: apply the value replacements that rules offer, by source span, and write files atomically.

Only what the report shows is changed: each applied fix corresponds to one reported, unsuppressed finding
whose rule offered a ``Fix``. The file is loaded again and every edit is located through the YAML node
tree (never by searching text), applied back to front, and written through a temporary file in the same
folder that replaces the original in one rename. Helm-rendered output (the next render would overwrite
it), standard input, and files whose bytes would not round-trip (CRLF line endings, a byte-order mark)
are left alone and reported as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import NamedTuple

from guardlint._atomic import write_atomic
from guardlint.findings import Finding, Report
from guardlint.model.resource import resources_of
from guardlint.source.files import decode
from guardlint.source.loader import load_text
from guardlint.source.sourcemap import scalar_span


class FixResult(NamedTuple):
    applied: tuple[Finding, ...]
    skipped: tuple[tuple[str, str], ...]
    """(file, reason) for files with fixes that were not applied."""


def fixable(report: Report) -> dict[str, list[Finding]]:
    by_file: dict[str, list[Finding]] = {}
    for f in report.active:
        if f.fix is not None and f.origin is None and f.file != "-":
            by_file.setdefault(f.file, []).append(f)
    return by_file


def _edits_for(text: str, file: str, findings: Sequence[Finding]) -> list[tuple[int, int, str, Finding]] | str:
    loaded = load_text(text, file)
    if loaded.errors:
        return "the file no longer parses"
    edits: list[tuple[int, int, str, Finding]] = []
    for f in findings:
        assert f.fix is not None
        doc = next((d for d in loaded.documents if d.index == f.document_index), None)
        if doc is None or f.resource is None:
            return "the file changed while it was linted"
        owner = next((r for r in resources_of(doc) if r.ref == f.resource), None)
        span = scalar_span(doc.root, (*owner.prefix, *f.path)) if owner is not None else None
        if span is None:
            return "the file changed while it was linted"
        edits.append((doc.index_offset + span[0], doc.index_offset + span[1], f.fix.value, f))
    edits.sort(key=lambda e: e[0], reverse=True)
    for later, earlier in pairwise(edits):
        if earlier[1] > later[0]:
            return "two fixes touch the same text"
    return edits


def apply_fixes(report: Report) -> FixResult:
    """Apply every offered fix of ``report``'s active findings to the files on disk."""
    applied: list[Finding] = []
    skipped: list[tuple[str, str]] = []
    for file, findings in sorted(fixable(report).items()):
        try:
            with open(file, "rb") as fh:
                raw = fh.read()
        except OSError as exc:
            skipped.append((file, f"cannot read it: {exc.strerror or exc}"))
            continue
        if b"\r" in raw or raw.startswith(b"\xef\xbb\xbf") or raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
            skipped.append((file, "its line endings or byte-order mark would not survive a rewrite"))
            continue
        read = decode(raw, file)
        if read.text is None:
            skipped.append((file, "it is not UTF-8 text"))
            continue
        edits = _edits_for(read.text, file, findings)
        if isinstance(edits, str):
            skipped.append((file, edits))
            continue
        text = read.text
        for start, end, value, _ in edits:
            text = text[:start] + value + text[end:]
        write_atomic(file, text.encode("utf-8"), prefix=".guardlint-fix-")
        applied.extend(e[3] for e in reversed(edits))
    return FixResult(tuple(applied), tuple(skipped))
