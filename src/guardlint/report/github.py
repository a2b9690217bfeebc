"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` line per active finding.

GitHub turns each line into an annotation on the pull request. Input errors come first (``::error``),
then the findings; suppressed findings are not annotated, except in pull-request mode (``--diff-base``), where
each suppression the change added is a ``::notice`` and each run-level warning (a configuration change that turns
rules off) a ``::warning``, so that reviewers see them. The last line is a plain summary,
not a command.

GitHub rejects ``col``/``endColumn`` on an annotation that spans several lines, so a multi-line region
(for example a missing field reported on its parent block) is annotated at its first line and column.
"""

from __future__ import annotations

from types import MappingProxyType

from guardlint.findings import Finding, InputError, Report, Severity
from guardlint.report import RenderOptions
from guardlint.report.json import SEVERITIES, ordered_errors, ordered_findings

_COMMANDS = MappingProxyType({Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"})


def escape_data(text: str) -> str:
    """Escape a command's message the way the runner un-escapes it (``%``, CR and LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a command property value: as data, plus ``:`` and ``,`` which delimit properties."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: list[tuple[str, str | int]], message: str) -> str:
    """A workflow command. Untrusted text (a file name, an object name quoted in a message) may hold characters
    the runner's escapes do not cover (it un-escapes only ``%``, CR, LF, ``:`` and ``,``): an escape sequence, a
    bidirectional override, a byte that is not UTF-8. Each is spelled as the text format spells it
    (``printable``: ``\\x1b``, ``\\u202e``, ``\\xff``) before the runner's escapes, so nothing raw reaches
    the log or the annotation; the line breaks a message holds on purpose stay (``%0A``)."""
    from guardlint._printable import printable, printable_lines

    props = ",".join(f"{key}={escape_property(printable(str(value)))}" for key, value in properties)
    data = escape_data(printable_lines(message))
    return f"::{name} {props}::{data}" if props else f"::{name}::{data}"


def _location(f: Finding) -> list[tuple[str, str | int]]:
    loc = f.location
    line, column = max(1, loc.line), max(1, loc.column)
    props: list[tuple[str, str | int]] = [("file", f.file), ("line", line), ("col", column)]
    if loc.end_line == line and loc.end_column >= column:
        props += [("endLine", loc.end_line), ("endColumn", loc.end_column)]
    return props


def finding_command(f: Finding) -> str:
    where = f" (rendered from Helm template {f.origin})" if f.origin else ""
    if f.rendered is not None:
        from guardlint.report.text import rendered_note

        where += f" ({rendered_note(f)})"
    message = f"{f.message}{where}\n{f.remediation}"
    return command(_COMMANDS[f.severity], [*_location(f), ("title", f"{f.rule} ({f.code})")], message)


def error_command(e: InputError) -> str:
    props: list[tuple[str, str | int]] = [
        ("file", e.file), ("line", max(1, e.line)), ("col", max(1, e.column)),
        ("title", f"{e.kind.slug} ({e.kind.code})"),
    ]
    message = f"{e.message}\n{e.hint}" if e.hint else e.message
    return command("error", props, message)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(report: Report) -> str:
    summary = report.summary()
    counts = [_plural(int(summary.counts.get(s.value, 0)), _COMMANDS[s]) for s in SEVERITIES]
    with_findings = report.inputs_with_findings()
    where = f"{with_findings} of " if with_findings else ""
    text = f"guardlint: {', '.join(counts)} in {where}{_plural(summary.files, 'file')} checked"
    extras = []
    if summary.errors:
        extras.append(f"{_plural(summary.errors, 'input')} could not be read or parsed")
    if summary.suppressed:
        extras.append(f"{summary.suppressed} suppressed")
    if report.baselined:
        extras.append(f"{report.baselined} in the baseline")
    if report.diff is not None:
        d = report.diff
        extras.insert(0, f"compared with {d.base}: {d.new} new, {d.fixed} fixed, {d.unchanged} unchanged, "
                         f"{_plural(d.suppressions_added, 'suppression')} added")
    return text + (f" ({'; '.join(extras)})" if extras else "")


def render_github(report: Report, options: RenderOptions) -> str:
    """Render ``report`` as workflow commands, one per line, then a summary line (file names from the root of
    the git checkout, see ``from_checkout_root``)."""
    from guardlint.report import from_checkout_root

    report = from_checkout_root(report)
    lines = [error_command(e) for e in ordered_errors(report.errors)]
    lines += [finding_command(f) for f in ordered_findings(report.findings) if not f.suppressed]
    if report.diff is not None:  # the suppressions and configuration changes the change made, for the reviewer
        lines += [command("notice", [*_location(f), ("title", f"suppression added: {f.rule} ({f.code})")],
                          f"{f.message}\nsuppressed by this change ({f.suppression_reason or 'no reason'})")
                  for f in ordered_findings(report.findings) if f.suppressed]
        lines += [command("warning", [("title", "guardlint: compared with " + report.diff.base)], w)
                  for w in report.warnings]
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"
