"""The JSON report: a versioned contract described by ``schemas/report.schema.json``.

The output is deterministic: findings, errors and skipped documents are sorted, keys always appear in the
same order, and nothing depends on the clock or the machine. Suppressed findings are always included,
marked ``"suppressed": true``. The helpers at the bottom are shared with the SARIF, JUnit and GitHub
reporters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator

from guardlint._lazyre import lazy
from guardlint._record import NamedTuple
from guardlint.findings import Finding, Fix, InputError, Report, ResourceRef, Severity, SkippedDocument
from guardlint.model.paths import FieldPath, to_dotted
from guardlint.report import RenderOptions, patch_key

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

REPORT_VERSION = 1
"""The ``version`` of the JSON contract; bumped only on incompatible changes."""

TOOL_NAME = "guardlint"


def render_json(report: Report, options: RenderOptions) -> str:
    """Render ``report`` as the JSON contract (``version`` 1): one top-level key per line, each finding on a line of
    its own (see ``dumps``), and a final newline."""
    return dumps(_document(report, options))


def write_json(report: Report, options: RenderOptions, write: Write) -> None:
    """Write what ``render_json`` returns through ``write``, a finding at a time (see ``write_document``)."""
    write_document(_document(report, options), write)


def _document(report: Report, options: RenderOptions) -> dict[str, Any]:
    summary = report.summary()
    dotted = DottedPaths()
    rationales: dict[str, str | None] = {}  # each rule's rationale, looked up once per report
    doc: dict[str, Any] = {
        "version": REPORT_VERSION,
        "tool": {"name": TOOL_NAME, "version": tool_version(options)},
        "findings": Streamed(_finding(f, options, dotted, rationales)
                             for f in ordered_findings(report.findings, dotted)),
        "errors": [_error(e) for e in ordered_errors(report.errors)],
        "summary": {
            "files": summary.files,
            "resources": summary.resources,
            "skippedDocuments": summary.skipped_documents,
            "errors": summary.errors,
            "suppressed": summary.suppressed,
            "baselined": report.baselined,
            "bySeverity": {s.value: int(summary.counts.get(s.value, 0)) for s in SEVERITIES},
        },
    }
    if report.diff is not None:
        d = report.diff
        doc["diff"] = {"base": d.base, "commit": d.commit, "new": d.new, "fixed": d.fixed, "unchanged": d.unchanged,
                       "suppressionsAdded": d.suppressions_added}
    if report.warnings:
        doc["warnings"] = list(report.warnings)
    if options.verbose:
        doc["skipped"] = [_skipped(s) for s in ordered_skipped(report.skipped)]
    return doc


def _resource(ref: ResourceRef | None) -> dict[str, Any] | None:
    if ref is None:
        return None
    return {"apiVersion": ref.api_version, "kind": ref.kind, "name": ref.name, "namespace": ref.namespace}


def _finding(f: Finding, options: RenderOptions, dotted: Callable[[FieldPath], str] = to_dotted,
             rationales: dict[str, str | None] | None = None) -> dict[str, Any]:
    """The record of ``f`` (``rationales``: the rendering's memo of ``_rationale`` by rule)."""
    loc = f.location
    if rationales is None:
        why = _rationale(options, f.rule)
    elif f.rule in rationales:
        why = rationales[f.rule]
    else:
        why = rationales[f.rule] = _rationale(options, f.rule)
    return {
        "rule": f.rule,
        "code": f.code,
        "severity": f.severity.value,
        "message": f.message,
        "file": f.file,
        "line": loc.line,
        "column": loc.column,
        "endLine": loc.end_line,
        "endColumn": loc.end_column,
        "path": dotted(f.path),
        "resource": _resource(f.resource),
        "remediation": f.remediation,
        "suppressed": f.suppressed,
        "suppressionReason": f.suppression_reason if f.suppressed else None,
        "locked": f.locked_by is not None,
        "lockedBy": {"policy": f.locked_by.policy, "selector": f.locked_by.selector} if f.locked_by else None,
        "rationale": why,
        "origin": f.origin,
        "exact": f.exact,
        "fix": fix_record(f.fix, options.patches.get(patch_key(f)), dotted) if f.fix is not None else None,
        "rendered": _rendered(f),
    }


def _rationale(options: RenderOptions, rule: str) -> str | None:
    """The rule's one-sentence rationale (``guardlint.rules.rationale``), None for a rule the registry does not
    know."""
    from guardlint.rules.rationale import rationale

    known = options.registry.get(rule)
    return rationale(known.meta.doc) if known is not None else None


def fix_record(fix: Fix, patch: str | None = None, dotted: Callable[[FieldPath], str] = to_dotted) -> dict[str, Any]:
    """A fix as the JSON report shows it: ``replacement`` (the new scalar, or null for a structural fix),
    ``description``, ``safety`` (``safe``: ``--fix`` applies it; ``unsafe``: it needs ``--unsafe-fixes``
    too), ``edits`` (each change: ``op``, ``path`` from the object, ``value``) and ``patch`` (the unified diff of
    the finding's file with this fix alone applied, when the report was asked for one)."""
    return {
        "replacement": fix.value if not fix.edits else None,
        "description": fix.description,
        "safety": fix.safety,
        "edits": [{"op": e.op, "path": dotted(e.path), "value": e.value} for e in fix.edits],
        "patch": patch,
    }


def _rendered(f: Finding) -> dict[str, Any] | None:
    r = f.rendered
    if r is None:
        return None
    loc = r.location
    return {
        "source": r.source,
        "file": r.file,
        "line": loc.line,
        "column": loc.column,
        "endLine": loc.end_line,
        "endColumn": loc.end_column,
        "valuesSets": list(r.sets),
        "mappedTo": r.mapped_to,
        "approximate": r.approximate,
    }


def _error(e: InputError) -> dict[str, Any]:
    return {
        "kind": e.kind.slug,
        "code": e.kind.code,
        "file": e.file,
        "line": e.line,
        "column": e.column,
        "message": e.message,
        "hint": e.hint,
    }


def _skipped(s: SkippedDocument) -> dict[str, Any]:
    return {"file": s.file, "line": s.line, "reason": s.reason}


# Shared by the machine-readable reporters -------------------------------------------------------------

SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)
"""Severities from the most to the least serious, in the order reports list them."""


def tool_version(options: RenderOptions) -> str:
    """The version to report: the caller's, or the installed package's."""
    if options.tool_version:
        return options.tool_version
    from guardlint._version import __version__

    return __version__


class DottedPaths:
    """``to_dotted`` for one rendering, each distinct path rendered once: the same field paths recur on thousands
    of objects, and a report renders a finding's path several times (sorting, the record, a SARIF result's
    locations and fingerprint). A memo owned by the rendering; the key holds the parts' types too, so that a
    mapping key ``True`` and an index ``1`` (equal in Python, rendered ``[True]`` and ``[1]``) stay apart."""

    __slots__ = ("_done",)

    def __init__(self) -> None:
        self._done: dict[tuple[FieldPath, tuple[type, ...]], str] = {}

    def __call__(self, path: FieldPath) -> str:
        key = (path, tuple(map(type, path)))
        text = self._done.get(key)
        if text is None:
            text = self._done[key] = to_dotted(path)
        return text


def _finding_key(f: Finding, dotted: Callable[[FieldPath], str] = to_dotted) -> tuple[Any, ...]:
    r = f.resource
    ident = (r.api_version, r.kind, r.namespace or "", r.name or "") if r is not None else ("", "", "", "")
    loc = f.location
    return (
        f.file, loc.line, loc.column, f.code, f.message, loc.end_line, loc.end_column, dotted(f.path),
        ident, f.document_index, f.suppressed, f.suppression_reason or "", f.origin or "",
    )


def ordered_findings(findings: Iterable[Finding], dotted: Callable[[FieldPath], str] | None = None
                     ) -> list[Finding]:
    """Findings in a total, stable order: file, position, code, message, then every other field. ``dotted``
    renders the paths (a ``DottedPaths`` shared with the rest of a rendering)."""
    if dotted is None:
        return sorted(findings, key=_finding_key)
    path_of = dotted
    return sorted(findings, key=lambda f: _finding_key(f, path_of))


def ordered_errors(errors: Iterable[InputError]) -> list[InputError]:
    return sorted(errors, key=lambda e: (e.file, e.line, e.column, e.kind.code, e.message, e.hint))


def ordered_skipped(skipped: Iterable[SkippedDocument]) -> list[SkippedDocument]:
    return sorted(skipped, key=lambda s: (s.file, s.line, s.reason))


class Streamed(NamedTuple):
    """A list in a report document whose items are made one at a time, as the report is written: a large
    report never holds every finding's record (or its JSON text) at once."""

    items: Iterable[Any]


Write = Callable[[str], object]


def dumps(doc: Any) -> str:
    """Serialize deterministically: insertion-ordered keys, one top-level key per line, and each item of a
    top-level list (a finding, an error, ...) on a line of its own, encoded by the C encoder (an indented dump
    runs the pure-Python encoder, several times slower on large reports); final newline.

    Non-ASCII text stays readable, and the text is always valid UTF-8: a lone surrogate (the byte of a file name
    that is not UTF-8, U+DCFF once decoded; or a ``"\\ud800"`` escape in the input), which UTF-8 cannot encode
    and many JSON parsers reject, is spelled as the text formats spell it (``\\xff``, ``\\ud800``: see
    ``guardlint._printable``).
    """
    parts: list[str] = []
    write_document(doc, parts.append)
    return "".join(parts)


def write_document(doc: Any, write: Write) -> None:
    """Write what ``dumps`` returns, piece by piece (a finding's line at a time), through ``write``.

    ``Streamed`` lists (at the top level, or as a value of a dict that is an item of a top-level list) are
    consumed as they are written. The text is exactly ``dumps``': the C encoder writes a dict as ``{`` + its
    ``key: value`` pairs joined by ``, `` + ``}`` and a list as ``[`` + its items joined by ``, `` + ``]``,
    which is how the pieces are joined here.

    Each piece is written as it comes (a lone surrogate is spelled out in the piece that holds it, ``_spelled``).
    """
    encode = _encoder()
    batch: list[str] = []  # pieces are passed on in batches of about 64 KB: fewer, larger writes
    size = 0
    for piece in _spelled(_pieces(doc, encode)):
        batch.append(piece)
        size += len(piece)
        if size >= _BATCH:
            write("".join(batch))
            batch, size = [], 0
    if batch:
        write("".join(batch))


def _encoder() -> Callable[[Any], str]:
    """``json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(", ", ": ")).encode``, with the C
    encoder made once: ``JSONEncoder.encode`` makes it anew (``c_make_encoder``, with a fresh ``markers`` dict
    for its circular-reference check) on every call, and a report calls it once per finding, which cost about
    as much as encoding the finding's record. The encoder made here takes the same arguments that
    ``JSONEncoder.iterencode`` passes it, and its ``markers`` dict is empty again after every value it encodes
    (entries are removed as containers close, and all of them when an encoding fails), so each call returns what
    ``encode`` returns, errors included
    (``tests/unit/test_report_streamed.py`` compares them). Without the C accelerator, ``encode`` itself."""
    from json import encoder as stdlib

    options = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(", ", ": "))
    make: Any = getattr(stdlib, "c_make_encoder", None)  # not in the type stubs
    if make is None:  # pragma: no cover - CPython builds have the accelerator
        return options.encode
    text = stdlib.encode_basestring
    markers: dict[int, Any] = {}
    once = make(markers, options.default, text, options.indent, options.key_separator, options.item_separator,
                options.sort_keys, options.skipkeys, options.allow_nan)

    def encode(value: Any) -> str:
        if isinstance(value, str):  # as ``encode`` does
            return text(value)
        try:
            return "".join(once(value, 0))
        except BaseException:
            markers.clear()  # a failed encoding may leave its open containers marked; a fresh ``encode`` would not
            raise

    return encode


def _spelled(pieces: Iterable[str]) -> Iterator[str]:
    """The pieces, each lone surrogate spelled out (``_spell``). Only a piece with a character beyond ASCII
    can hold one (a piece is almost always ASCII, or valid UTF-8 text, and passes as it is)."""
    for piece in pieces:
        if piece.isascii():
            yield piece
            continue
        try:
            piece.encode("utf-8")
        except UnicodeEncodeError:
            yield _SURROGATE.sub(_spell, piece)
        else:
            yield piece


_BATCH = 1 << 16
_SURROGATE = lazy("[\ud800-\udfff]")


def _spell(match: re.Match[str]) -> str:
    """A lone surrogate of the encoded text (which occurs only inside a JSON string, since the encoder escapes
    nothing above U+007F) as ``printable`` spells it, its backslash escaped for JSON: the byte of a file name
    that is not UTF-8, U+DCFF, reads ``\\xff`` once decoded, as in the text formats."""
    from guardlint._printable import spell_surrogates

    return spell_surrogates(match.group()).replace("\\", "\\\\")


def _pieces(doc: Any, encode: Callable[[Any], str]) -> Iterator[str]:
    """The text of ``dumps`` in pieces (without the ASCII fallback)."""
    if not isinstance(doc, dict) or not doc:
        yield encode(doc)
        yield "\n"
        return
    yield "{\n"
    for n, (key, value) in enumerate(doc.items()):
        lead = ("" if n == 0 else ",\n") + f"  {encode(key)}: "
        if isinstance(value, (list, Streamed)):
            items = iter(value.items if isinstance(value, Streamed) else value)
            first = next(items, _NOTHING)
            if first is _NOTHING:
                yield lead + "[]"
                continue
            yield lead + "[\n    "
            yield from _inline(first, encode)
            for item in items:
                yield ",\n    "
                yield from _inline(item, encode)
            yield "\n  ]"
        else:
            yield lead + encode(value)
    yield "\n}\n"


_NOTHING = object()


def _inline(value: Any, encode: Callable[[Any], str]) -> Iterator[str]:
    """``encode(value)`` in pieces: a ``Streamed`` list, or a dict holding one, is written item by item."""
    if isinstance(value, Streamed):
        yield "["
        for n, item in enumerate(value.items):
            if n:
                yield ", "
            yield from _inline(item, encode)
        yield "]"
    elif isinstance(value, dict) and Streamed in map(type, value.values()):  # C-speed: checked for each record
        yield "{"
        for n, (key, item) in enumerate(value.items()):
            yield f"{', ' if n else ''}{encode(key)}: "
            yield from _inline(item, encode)
        yield "}"
    else:
        yield encode(value)
