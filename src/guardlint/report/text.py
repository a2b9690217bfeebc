"""The default human format: ``file:line:col: severity rule-name message``, the remediation under it."""

from __future__ import annotations

from guardlint._printable import printable as _p
from guardlint.findings import EXCLUDED_NOTE, Finding, InputError, Report, Severity
from guardlint.report import RenderOptions

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def rendered_note(f: Finding) -> str:
    """One line on how a finding on rendered output was placed (shared by the reporters)."""
    r = f.rendered
    assert r is not None
    sets = f" with values set{'s' if len(r.sets) > 1 else ''} {', '.join(r.sets)}" if r.sets else ""
    where = {"template": "the template line that writes it", "values": "the values line it comes from",
             "patch": "the patch that sets it", "resource": "the resource file", "generator": "the generator",
             }.get(r.mapped_to, "the rendered output (no source line found)")
    approx = " (approximate)" if r.approximate else ""
    shown = f"{r.file}:{r.location.line}" if r.file else f"line {r.location.line}"
    return f"found in {r.source}{sets}; reported on {where}{approx}; rendered at {shown}"


def _finding_lines(f: Finding, color: bool) -> list[str]:
    # Every piece of text that may come from the input (names, paths, messages) goes through _p.
    sev = f.severity.value
    where = f"{_p(f.file)}:{f.line}:{f.column}:"
    if color:
        where = f"{_BOLD}{where}{_RESET}"
        sev = f"{_COLORS[f.severity]}{sev}{_RESET}"
    head = f"{where} {sev} {_p(f.rule)} {_p(f.message)}"
    if f.suppressed:
        head += f" [suppressed: {_p(f.suppression_reason or '')}]"
    lines = [head]
    detail = f"    = {_p(f.code)} at {_p(f.dotted_path)}" if f.path else f"    = {_p(f.code)}"
    if f.resource is not None:
        detail += f" in {_p(f.resource.display())}"
    lines.append(f"{_DIM}{detail}{_RESET}" if color else detail)
    if f.origin:
        lines.append(f"    = rendered from Helm template {_p(f.origin)}")
    if f.rendered is not None:
        lines.append(f"    = {_p(rendered_note(f))}")
    lines.append(f"    help: {_p(f.remediation)}")
    return lines


def _error_lines(e: InputError, color: bool) -> list[str]:
    where = f"{_p(e.file)}:{e.line}:{e.column}:"
    sev = "error"
    if color:
        where = f"{_BOLD}{where}{_RESET}"
        sev = f"{_COLORS[Severity.ERROR]}{sev}{_RESET}"
    lines = [f"{where} {sev} {e.kind.slug} {_p(e.message)}"]
    if e.hint:
        lines.append(f"    help: {_p(e.hint)}")
    return lines


def render_text(report: Report, options: RenderOptions) -> str:
    color = options.color
    lines: list[str] = []
    items: list[tuple[tuple[str, int, int, int], list[str]]] = []
    for e in report.errors:
        items.append(((e.file, e.line, e.column, 0), _error_lines(e, color)))
    for f in report.findings:
        if f.suppressed and not options.show_suppressed:
            continue
        items.append(((f.file, f.line, f.column, 1), _finding_lines(f, color)))
    for _, block in sorted(items, key=lambda item: item[0]):
        lines.extend(block)
    for s in report.skipped:
        if options.verbose or s.note:
            lines.append(f"{_p(s.file)}:{s.line}: {'note' if s.note else 'skipped'}: {_p(s.reason)}")
    lines.append(summary_text(report))
    return "\n".join(lines) + "\n"


def summary_text(report: Report) -> str:
    """The last line: problems, and in how many of the files checked; never "No problems found" when an
    input could not be read or parsed."""
    summary = report.summary()
    counts = summary.counts
    total = sum(counts.values())
    checked = f"{_plural(summary.files, 'file')} checked ({_plural(summary.resources, 'object')})"
    extras = []
    if total:
        parts = [_plural(counts[s.value], s.value) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
                 if counts[s.value]]
        with_findings = len({f.file for f in report.active})
        text = f"Found {_plural(total, 'problem')} ({', '.join(parts)}) in {with_findings} of {checked}"
        if summary.errors:
            extras.append(f"{_plural(summary.errors, 'input')} could not be read or parsed")
    elif summary.errors:
        text = f"{_plural(summary.errors, 'input')} could not be read or parsed; no findings in the {checked}"
    else:
        text = f"No problems found in {checked}"
    if summary.suppressed:
        extras.append(f"{summary.suppressed} suppressed")
    if report.baselined:
        extras.append(f"{report.baselined} in the baseline")
    excluded = sum(1 for s in report.skipped if s.note and s.reason.startswith(EXCLUDED_NOTE))
    if excluded:
        extras.append(f"{_plural(excluded, 'file')} excluded by the configuration")
    if summary.resources == 0 and not summary.errors:
        extras.append("no Kubernetes objects found")
    if extras:
        text += "; " + "; ".join(extras)
    return text + "."
