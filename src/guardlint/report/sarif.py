"""SARIF 2.1.0 output for GitHub code scanning, GitLab, Azure DevOps and IDE viewers.

One run. ``tool.driver.rules`` describes every rule that ran and every rule that produced a result, plus
one pseudo-rule per kind of input error that occurred (``GL001`` yaml-syntax-error, ...). Results carry a
physical location relative to ``%SRCROOT%`` (the root of the git checkout guardlint ran in, see
``from_checkout_root``; outside any checkout, the directory it ran in), logical locations naming the
Kubernetes object and the field, and a ``partialFingerprints["guardlint/v1"]`` that ignores line numbers,
so that an alert survives edits elsewhere in the file. Suppressed findings are results with
``suppressions``; input errors are results and ``toolExecutionNotifications``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from types import MappingProxyType

from guardlint.findings import ErrorKind, Finding, InputError, Location, Report, ResourceRef, Severity
from guardlint.model.paths import FieldPath, to_dotted
from guardlint.report import RenderOptions
from guardlint.report.json import (
    TOOL_NAME,
    DottedPaths,
    Streamed,
    Write,
    dumps,
    ordered_errors,
    ordered_findings,
    tool_version,
    write_document,
)
from guardlint.rules.api import RuleInfo, RuleMeta

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint.rules.api import Rule

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/guardlint/guardlint"
DOCS_URI = "https://github.com/guardlint/guardlint/blob/main/docs/rules/{name}.md"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "guardlint/v1"
GITHUB_RESULT_LIMIT = 25_000
"""GitHub code scanning rejects a SARIF run with more results than this (and stores the 5,000 most severe)."""

_LEVELS = MappingProxyType({Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"})

_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def result_count(report: Report) -> int:
    """How many results ``render_sarif`` writes: every finding (suppressed ones too) and every input error."""
    return len(report.findings) + len(report.errors)


def render_sarif(report: Report, options: RenderOptions) -> str:
    """Render ``report`` as a SARIF 2.1.0 log with one run."""
    return dumps(_log(report, options))


def write_sarif(report: Report, options: RenderOptions, write: Write) -> None:
    """Write what ``render_sarif`` returns through ``write``, a result at a time (see ``write_document``)."""
    write_document(_log(report, options), write)


def _log(report: Report, options: RenderOptions) -> dict[str, Any]:
    """The SARIF log, its results made one at a time as it is written."""
    from guardlint.report import from_checkout_root

    report = from_checkout_root(report)
    version = tool_version(options)
    dotted = DottedPaths()
    findings = ordered_findings(report.findings, dotted)
    errors = ordered_errors(report.errors)

    descriptors, index, overrides = _rules(report, findings, errors, options)

    def results() -> Iterator[dict[str, Any]]:
        for e, fp in zip(errors, _error_fingerprints(errors), strict=True):
            yield _error_result(e, index[e.kind.code], fp)
        for f, fp in zip(findings, iter_fingerprints(findings, dotted), strict=True):
            yield _finding_result(f, index[f.code], fp, dotted(f.path))

    invocation: dict[str, Any] = {"executionSuccessful": not errors}
    if overrides:
        invocation["ruleConfigurationOverrides"] = overrides
    if errors:
        invocation["toolExecutionNotifications"] = [_notification(e, index[e.kind.code]) for e in errors]

    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": version,
                "semanticVersion": version,
                "informationUri": INFORMATION_URI,
                "rules": descriptors,
            }
        },
        "invocations": [invocation],
        "originalUriBaseIds": {
            SRCROOT: {"description": {"text": "The root of the git checkout guardlint ran in (outside any checkout, "
                                              "the directory it ran in); result paths are relative to it."}}
        },
        "results": Streamed(results()),
        "columnKind": "unicodeCodePoints",
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


# Rules ------------------------------------------------------------------------------------------------


def _rules(
    report: Report, findings: list[Finding], errors: list[InputError], options: RenderOptions
) -> tuple[list[dict[str, Any]], dict[str, int], list[dict[str, Any]]]:
    """Descriptors sorted by code, the index of each code, and overrides of the default levels."""
    registry = options.registry
    describe = _Describe()
    by_code: dict[str, dict[str, Any]] = {}
    effective: dict[str, Severity] = {}
    for run in report.rules:
        effective[run.code] = run.severity
        found = registry.get(run.name) or registry.get(run.code)
        by_code[run.code] = describe(found) if found is not None else _bare(run.code, run.name, run.severity)
    for f in findings:
        if f.code in by_code:
            continue
        effective.setdefault(f.code, f.severity)
        found = registry.get(f.rule) or registry.get(f.code)
        by_code[f.code] = describe(found) if found is not None else _bare(f.code, f.rule, f.severity)
    for e in errors:
        by_code.setdefault(e.kind.code, _error_descriptor(e.kind))
    codes = sorted(by_code)
    index = {code: i for i, code in enumerate(codes)}
    overrides = []
    for code in codes:
        wanted = effective.get(code)
        if wanted is not None and _LEVELS[wanted] != by_code[code]["defaultConfiguration"]["level"]:
            overrides.append({
                "descriptor": {"id": code, "index": index[code]},
                "configuration": {"level": _LEVELS[wanted]},
            })
    return [by_code[c] for c in codes], index, overrides


def help_uri(name: str) -> str:
    return DOCS_URI.format(name=name)


class _Describe:
    """The descriptor of a rule of the registry, for one report. A built-in rule that has not been imported (it
    ran on no object of this run, or is described only because it is active) is described from its catalog
    metadata (``Rule.info``) and its documentation in ``_catalog_docs.json``, read once, at the first such rule:
    a SARIF report of one small file would otherwise import every active rule's module (about 90) for its
    documentation alone. Exact: ``guardlint docs --check`` and the test suite keep both files equal to what the
    rule modules say, and the descriptor reads from ``RuleMeta`` only fields ``RuleInfo`` has too, plus ``doc``
    (``tests/unit/test_report_sarif.py`` compares the two descriptors of every built-in rule). Any other rule (a
    plugin's, a ``rule-dirs`` one, a shipped declarative rule, one the docs file does not name) is described from
    its full metadata, as before."""

    def __init__(self) -> None:
        self._docs: dict[str, dict[str, str]] | None = None

    def __call__(self, rule: Rule[Any]) -> dict[str, Any]:
        if not rule.loaded:
            doc = self.catalog_doc(rule.info)
            if doc is not None:
                return _descriptor(rule.info, doc)
        meta = rule.meta
        return _descriptor(meta, meta.doc)

    def catalog_doc(self, info: RuleInfo) -> str | None:
        """The documentation the docs file holds for the rule with ``info``'s code and name; None if none."""
        if self._docs is None:
            from guardlint.rules.catalog import read_docs

            self._docs = read_docs()
        entry = self._docs.get(info.code)
        if entry is None or entry.get("name") != info.name:
            return None
        return entry["doc"]


def _descriptor(meta: RuleInfo | RuleMeta, full_doc: str) -> dict[str, Any]:
    """The descriptor of a rule with metadata ``meta`` and documentation ``full_doc`` (``RuleMeta.doc``)."""
    doc = full_doc.strip()
    summary = _section(doc, "What it does") or f"{meta.title}."
    help_md = f"**Remediation:** {meta.remediation}"
    if doc:
        help_md += "\n\n" + doc
    if meta.references:
        help_md += "\n\n## References\n" + "\n".join(f"- [{r.title}]({r.url})" for r in meta.references)
    help_md += f"\n\n[Rule documentation]({help_uri(meta.name)})"
    properties: dict[str, Any] = {"tags": sorted(set(meta.tags)), "pack": meta.pack}
    if meta.extra:
        properties["extra"] = {k: meta.extra[k] for k in sorted(meta.extra)}
    return {
        "id": meta.code,
        "name": meta.name,
        "shortDescription": {"text": meta.title},
        "fullDescription": {"text": _plain(summary), "markdown": summary},
        "help": {"text": _plain(help_md), "markdown": help_md},
        "helpUri": help_uri(meta.name),
        "defaultConfiguration": {"level": _LEVELS[meta.severity]},
        "properties": properties,
    }


def _bare(code: str, name: str, severity: Severity) -> dict[str, Any]:
    """A descriptor for a rule the registry does not know (a report built with other plugins)."""
    return {
        "id": code,
        "name": name,
        "shortDescription": {"text": name},
        "helpUri": help_uri(name),
        "defaultConfiguration": {"level": _LEVELS[severity]},
        "properties": {"tags": []},
    }


def _error_descriptor(kind: ErrorKind) -> dict[str, Any]:
    """The descriptor of one kind of input error, from its documentation (``guardlint explain GL001``): what a
    kind means differs (a syntax error stops one document of a file, a missing file stops the path)."""
    from guardlint.input_errors import INPUT_ERRORS, render_page

    doc = INPUT_ERRORS[kind]
    page = render_page(doc)
    return {
        "id": kind.code,
        "name": kind.slug,
        "shortDescription": {"text": doc.title},
        "fullDescription": {"text": _plain(doc.meaning)},
        "help": {"text": _plain(page), "markdown": page},
        "helpUri": help_uri(kind.slug),
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["input-error"]},
    }


def _section(doc: str, title: str) -> str:
    """The body of the Markdown section ``## title`` (empty when there is none)."""
    lines = doc.splitlines()
    out: list[str] = []
    inside = False
    for line in lines:
        if line.startswith("## "):
            if inside:
                break
            inside = line[3:].strip().lower() == title.lower()
            continue
        if inside:
            out.append(line)
    return "\n".join(out).strip()


def _plain(markdown: str) -> str:
    """A plain-text rendering: headings lose their hashes, code fences their markers, links show the URL."""
    out: list[str] = []
    in_code = False
    for raw in markdown.splitlines():
        stripped = raw.strip()
        if stripped.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            out.append(raw)
        elif stripped.startswith("#"):
            out.append(stripped.lstrip("#").strip())
        else:
            out.append(_LINK.sub(r"\1 (\2)", raw).replace("**", ""))
    return "\n".join(out).strip()


# Results ----------------------------------------------------------------------------------------------


def _uri(file: str) -> dict[str, Any]:
    """The URI of a file: its name's bytes, percent-encoded (``os.fsencode`` gives back the bytes of a name that
    is not UTF-8, ``caf\\xe9.yaml`` -> ``caf%E9.yaml``; ``quote`` of the decoded name cannot encode it)."""
    import os
    from urllib.parse import quote

    if file.startswith("/"):
        return {"uri": "file://" + quote(os.fsencode(file))}
    return {"uri": quote(os.fsencode(file)), "uriBaseId": SRCROOT}


def _region(loc: Location) -> dict[str, int]:
    line = max(1, loc.line)
    column = max(1, loc.column)
    end_line = max(line, loc.end_line)
    end_column = max(1, loc.end_column)
    if end_line == line:
        end_column = max(column, end_column)
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def resource_name(ref: ResourceRef) -> str:
    """``Kind/namespace/name`` (``Kind/name`` when the manifest sets no namespace)."""
    parts = [ref.kind, *([ref.namespace] if ref.namespace else []), ref.name or "<unnamed>"]
    return "/".join(parts)


def _sentence(text: str) -> str:
    text = text.rstrip()
    return text if not text or text.endswith((".", "!", "?")) else text + "."


def message_text(f: Finding) -> str:
    """The message, the Helm template it came from, and the remediation."""
    where = f" (rendered from Helm template {f.origin})" if f.origin else ""
    if f.rendered is not None:
        from guardlint.report.text import rendered_note

        where += f" ({rendered_note(f)})"
    return f"{_sentence(f.message + where)} {f.remediation}".rstrip()


def _finding_result(f: Finding, rule_index: int, fingerprint: str, path: str | None = None) -> dict[str, Any]:
    """A finding's result; ``path`` is its dotted field path when the caller has it already."""
    if path is None:
        path = f.dotted_path
    logical: list[dict[str, Any]] = []
    if f.resource is not None:
        fqn = resource_name(f.resource)
        logical.append({"name": f.resource.name or "<unnamed>", "fullyQualifiedName": fqn, "kind": "object"})
        if f.path:
            logical.append({"name": path, "fullyQualifiedName": f"{fqn}:{path}", "kind": "property"})
    elif f.path:
        logical.append({"name": path, "fullyQualifiedName": path, "kind": "property"})
    location: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": _uri(f.file), "region": _region(f.location)},
    }
    if logical:
        location["logicalLocations"] = logical
    properties: dict[str, Any] = {"path": path}
    if f.origin:
        properties["origin"] = f.origin
    if f.rendered is not None:
        r = f.rendered
        properties["rendered"] = {"source": r.source, "valuesSets": list(r.sets), "mappedTo": r.mapped_to,
                                  "approximate": r.approximate}
    if not f.exact:
        properties["exact"] = False
    if f.resource is not None:
        properties["resource"] = {
            "apiVersion": f.resource.api_version, "kind": f.resource.kind,
            "namespace": f.resource.namespace, "name": f.resource.name,
        }
    result: dict[str, Any] = {
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": _LEVELS[f.severity],
        "message": {"text": message_text(f)},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        "properties": properties,
    }
    if f.rendered is not None and f.rendered.file:
        result["relatedLocations"] = [{
            "id": 1,
            "physicalLocation": {"artifactLocation": _uri(f.rendered.file), "region": _region(f.rendered.location)},
            "message": {"text": f"rendered output of {f.rendered.source}"},
        }]
    if f.suppressed:
        reason = f.suppression_reason or ""
        kind = "inSource" if reason.startswith(("annotation:", "comment:")) else "external"
        suppression: dict[str, Any] = {"kind": kind, "status": "accepted"}
        if reason:
            suppression["justification"] = reason
        result["suppressions"] = [suppression]
    return result


def _error_location(e: InputError) -> dict[str, Any]:
    region = {"startLine": max(1, e.line), "startColumn": max(1, e.column)}
    return {"physicalLocation": {"artifactLocation": _uri(e.file), "region": region}}


def _error_message(e: InputError) -> str:
    text = _sentence(e.message)
    return f"{text} {e.hint}".rstrip() if e.hint else text


def _error_result(e: InputError, rule_index: int, fingerprint: str) -> dict[str, Any]:
    return {
        "ruleId": e.kind.code,
        "ruleIndex": rule_index,
        "level": "error",
        "message": {"text": _error_message(e)},
        "locations": [_error_location(e)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }


def _notification(e: InputError, rule_index: int) -> dict[str, Any]:
    return {
        "level": "error",
        "message": {"text": f"{e.file}: {_error_message(e)}"},
        "locations": [_error_location(e)],
        "associatedRule": {"id": e.kind.code, "index": rule_index},
    }


# Fingerprints -----------------------------------------------------------------------------------------


def _digest(parts: Iterable[object]) -> str:
    payload = json.dumps(list(parts), ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("ascii")).hexdigest()


def fingerprints(findings: Iterable[Finding]) -> list[str]:
    """One fingerprint per finding, in order: file, object identity, rule code and field path, plus an
    occurrence counter for identical keys. Lines and messages are left out, so moving a finding (or
    rewording a message) keeps its fingerprint."""
    return list(iter_fingerprints(findings))


def iter_fingerprints(findings: Iterable[Finding], dotted: Callable[[FieldPath], str] = to_dotted) -> Iterator[str]:
    """``fingerprints``, made one at a time (``dotted`` renders the paths: see ``DottedPaths``)."""
    seen: Counter[tuple[str, ...]] = Counter()
    for f in findings:
        r = f.resource
        ident = (r.api_version, r.kind, r.namespace or "", r.name or "") if r is not None else ("", "", "", "")
        key = (f.file, *ident, f.code, dotted(f.path))
        yield _digest([FINGERPRINT_KEY, *key, seen[key]])
        seen[key] += 1


def _error_fingerprints(errors: Iterable[InputError]) -> list[str]:
    seen: Counter[tuple[str, str]] = Counter()
    out: list[str] = []
    for e in errors:
        key = (e.file, e.kind.code)
        out.append(_digest([FINGERPRINT_KEY, *key, seen[key]]))
        seen[key] += 1
    return out
