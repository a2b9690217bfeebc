"""The JSON report: a versioned contract described by ``schemas/report.schema.json``.

The output is deterministic: findings, errors and skipped documents are sorted, keys always appear in the
same order, and nothing depends on the clock or the machine. Suppressed findings are always included,
marked ``"suppressed": true``. The helpers at the bottom are shared with the SARIF, JUnit and GitHub
reporters.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from guardlint.findings import Finding, Fix, InputError, Report, ResourceRef, Severity, SkippedDocument
from guardlint.report import RenderOptions, patch_key

REPORT_VERSION = 1
"""The ``version`` of the JSON contract; bumped only on incompatible changes."""

TOOL_NAME = "guardlint"


def render_json(report: Report, options: RenderOptions) -> str:
    """Render ``report`` as the JSON contract (``version`` 1): one top-level key per line, each finding on a line of
    its own (see ``dumps``), and a final newline."""
    summary = report.summary()
    doc: dict[str, Any] = {
        "version": REPORT_VERSION,
        "tool": {"name": TOOL_NAME, "version": tool_version(options)},
        "findings": [_finding(f, options) for f in ordered_findings(report.findings)],
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
    return dumps(doc)


def _resource(ref: ResourceRef | None) -> dict[str, Any] | None:
    if ref is None:
        return None
    return {"apiVersion": ref.api_version, "kind": ref.kind, "name": ref.name, "namespace": ref.namespace}


def _finding(f: Finding, options: RenderOptions) -> dict[str, Any]:
    loc = f.location
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
        "path": f.dotted_path,
        "resource": _resource(f.resource),
        "remediation": f.remediation,
        "suppressed": f.suppressed,
        "suppressionReason": f.suppression_reason if f.suppressed else None,
        "locked": f.locked_by is not None,
        "lockedBy": {"policy": f.locked_by.policy, "selector": f.locked_by.selector} if f.locked_by else None,
        "rationale": _rationale(options, f.rule),
        "origin": f.origin,
        "exact": f.exact,
        "fix": fix_record(f.fix, options.patches.get(patch_key(f))) if f.fix is not None else None,
        "rendered": _rendered(f),
    }


def _rationale(options: RenderOptions, rule: str) -> str | None:
    """The rule's one-sentence rationale (``guardlint.rules.rationale``), None for a rule the registry does not
    know."""
    from guardlint.rules.rationale import rationale

    known = options.registry.get(rule)
    return rationale(known.meta.doc) if known is not None else None


def fix_record(fix: Fix, patch: str | None = None) -> dict[str, Any]:
    """A fix as the JSON report shows it: ``replacement`` (the new scalar, or null for a structural fix),
    ``description``, ``safety`` (``safe``: ``--fix`` applies it; ``unsafe``: it needs ``--unsafe-fixes``
    too), ``edits`` (each change: ``op``, ``path`` from the object, ``value``) and ``patch`` (the unified diff of
    the finding's file with this fix alone applied, when the report was asked for one)."""
    from guardlint.model.paths import to_dotted

    return {
        "replacement": fix.value if not fix.edits else None,
        "description": fix.description,
        "safety": fix.safety,
        "edits": [{"op": e.op, "path": to_dotted(e.path), "value": e.value} for e in fix.edits],
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


def _finding_key(f: Finding) -> tuple[Any, ...]:
    r = f.resource
    ident = (r.api_version, r.kind, r.namespace or "", r.name or "") if r is not None else ("", "", "", "")
    loc = f.location
    return (
        f.file, loc.line, loc.column, f.code, f.message, loc.end_line, loc.end_column, f.dotted_path,
        ident, f.document_index, f.suppressed, f.suppression_reason or "", f.origin or "",
    )


def ordered_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in a total, stable order: file, position, code, message, then every other field."""
    return sorted(findings, key=_finding_key)


def ordered_errors(errors: Iterable[InputError]) -> list[InputError]:
    return sorted(errors, key=lambda e: (e.file, e.line, e.column, e.kind.code, e.message, e.hint))


def ordered_skipped(skipped: Iterable[SkippedDocument]) -> list[SkippedDocument]:
    return sorted(skipped, key=lambda s: (s.file, s.line, s.reason))


def dumps(doc: Any) -> str:
    """Serialize deterministically: insertion-ordered keys, one top-level key per line, and each item of a
    top-level list (a finding, an error, ...) on a line of its own, encoded by the C encoder (an indented dump
    runs the pure-Python encoder, several times slower on large reports); final newline.

    Non-ASCII text stays readable; only when a string holds a lone surrogate (YAML can spell one as
    ``"\\ud800"``), which UTF-8 cannot encode, is the whole document ASCII-escaped instead.
    """
    text = _layout(doc, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _layout(doc, ensure_ascii=True)
    return text + "\n"


def _layout(doc: Any, *, ensure_ascii: bool) -> str:
    encode = json.JSONEncoder(ensure_ascii=ensure_ascii, allow_nan=False, separators=(", ", ": ")).encode
    if not isinstance(doc, dict) or not doc:
        return encode(doc)
    lines = []
    for key, value in doc.items():
        if isinstance(value, list) and value:
            inner = ",\n    ".join(encode(item) for item in value)
            lines.append(f"  {encode(key)}: [\n    {inner}\n  ]")
        else:
            lines.append(f"  {encode(key)}: {encode(value)}")
    return "{\n" + ",\n".join(lines) + "\n}"
