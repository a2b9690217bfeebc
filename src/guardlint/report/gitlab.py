"""GitLab code quality report: a JSON array of issues that merge requests show inline.

Each issue has ``description``, ``check_name``, ``fingerprint``, ``severity`` and ``location`` (``path`` and
``lines.begin``), the fields GitLab reads. Severities map ``error`` to ``major``, ``warning`` to ``minor`` and
``info`` to ``info``; an input that could not be read or parsed is ``critical`` (nothing in it was checked).
Suppressed findings are left out.

The fingerprint identifies an issue across commits so GitLab can tell new issues from fixed ones: it hashes
the rule, the file, the object and the field path (not the line, which moves when lines are added above);
two issues that would share one get an occurrence number in the hash, so every fingerprint in a report is
unique.
"""

from __future__ import annotations

import hashlib
import json
from types import MappingProxyType

from guardlint._printable import spell_surrogates
from guardlint.findings import Finding, InputError, Report, Severity
from guardlint.report import RenderOptions
from guardlint.report.json import ordered_errors, ordered_findings

SEVERITY = MappingProxyType({Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"})
INPUT_ERROR_SEVERITY = "critical"


def _identity(f: Finding) -> str:
    resource = f.resource
    obj = "" if resource is None else "/".join((resource.api_version, resource.kind, resource.namespace or "",
                                                 resource.name or ""))
    return "\x00".join((f.code, f.file, obj, f.dotted_path, str(f.document_index) if resource is None else ""))


def _fingerprint(identity: str, seen: dict[str, int]) -> str:
    occurrence = seen.get(identity, 0)
    seen[identity] = occurrence + 1
    return hashlib.sha256(f"{identity}\x00{occurrence}".encode("utf-8", "surrogatepass")).hexdigest()


def _finding(f: Finding, seen: dict[str, int]) -> dict[str, object]:
    where = f" (rendered from Helm template {f.origin})" if f.origin else ""
    return {
        "description": spell_surrogates(f"{f.message}{where}. {f.remediation}"),
        "check_name": f"{f.code} {f.rule}",
        "fingerprint": _fingerprint(_identity(f), seen),
        "severity": SEVERITY[f.severity],
        "location": {"path": spell_surrogates(f.file), "lines": {"begin": max(1, f.line)}},
    }


def _error(e: InputError, seen: dict[str, int]) -> dict[str, object]:
    return {
        "description": spell_surrogates(f"{e.message}. {e.hint}" if e.hint else e.message),
        "check_name": f"{e.kind.code} {e.kind.slug}",
        "fingerprint": _fingerprint("\x00".join((e.kind.code, e.file, e.message)), seen),
        "severity": INPUT_ERROR_SEVERITY,
        "location": {"path": spell_surrogates(e.file), "lines": {"begin": max(1, e.line)}},
    }


def render_gitlab(report: Report, options: RenderOptions) -> str:
    """Render ``report`` as a GitLab code quality report (``artifacts:reports:codequality``), with paths from
    the root of the git checkout, as GitLab reads ``location.path`` (see ``from_checkout_root``)."""
    from guardlint.report import from_checkout_root

    report = from_checkout_root(report)
    seen: dict[str, int] = {}
    issues = [_error(e, seen) for e in ordered_errors(report.errors)]
    issues += [_finding(f, seen) for f in ordered_findings(report.findings) if not f.suppressed]
    return json.dumps(issues, indent=2) + "\n"
