"""The default human format: ``file:line:col: severity rule-name message``, the remediation under it."""

from __future__ import annotations

from guardlint._printable import printable as _p
from guardlint.findings import EXCLUDED_NOTE, Finding, InputError, Report, ResourceRef, Severity
from guardlint.model.paths import to_dotted_memo
from guardlint.report import FixKey, RenderOptions, fix_key

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


class _Printed(dict[str, str]):
    """A rendering's memo of ``printable`` by text: file names, rule names, codes and remediations recur on many
    findings (the value is what ``printable`` returns for the key)."""

    def __missing__(self, text: str) -> str:
        shown = self[text] = _p(text)
        return shown


class _Memo:
    """What one rendering works out once and reuses for every finding (see ``_finding_lines``)."""

    __slots__ = ("dotted", "keys", "printed", "refs")

    def __init__(self) -> None:
        self.printed = _Printed()
        self.dotted: dict[int, str] = {}
        """``f.dotted_path`` made printable, by the path's identity: the run shares one tuple among the findings
        whose paths are equal (``engine.SharedValues``), and every path stays alive as long as its finding, i.e.
        for the whole rendering (equal paths held apart are rendered apart, to the same text)."""
        self.keys: dict[str, str] = {}
        """The text of each key of those paths (``to_dotted_memo``): ``spec``, ``containers`` and the like recur."""
        self.refs: dict[ResourceRef, str] = {}
        """``f.resource.display()`` made printable, by the (equal) reference."""


def _finding_lines(f: Finding, color: bool, memo: _Memo | None = None) -> list[str]:
    """``memo``: the rendering's memo (see ``_Memo``); without one every piece is worked out here."""
    # Every piece of text that may come from the input (names, paths, messages) goes through _p.
    memo = memo or _Memo()
    printed = memo.printed
    sev = f.severity._value_  # ``value`` is a property computed in Python; ``_value_`` is what it returns
    location = f.location
    where = f"{printed[f.file]}:{location.line}:{location.column}:"
    if color:
        where = f"{_BOLD}{where}{_RESET}"
        sev = f"{_COLORS[f.severity]}{sev}{_RESET}"
    head = f"{where} {sev} {printed[f.rule]} {_p(f.message)}"
    if f.suppressed:
        head += f" [suppressed: {_p(f.suppression_reason or '')}]"
    lines = [head]
    if f.path:
        path = memo.dotted.get(id(f.path))
        if path is None:  # ``f.dotted_path``, with the rendering's memo of keys
            path = memo.dotted[id(f.path)] = _p(to_dotted_memo(f.path, memo.keys))
        detail = f"    = {printed[f.code]} at {path}"
    else:
        detail = f"    = {printed[f.code]}"
    ref = f.resource
    if ref is not None:
        shown = memo.refs.get(ref)
        if shown is None:
            shown = memo.refs[ref] = _p(ref.display())
        detail += f" in {shown}"
    lines.append(f"{_DIM}{detail}{_RESET}" if color else detail)
    if f.origin:
        lines.append(f"    = rendered from Helm template {_p(f.origin)}")
    if f.rendered is not None:
        lines.append(f"    = {_p(rendered_note(f))}")
    if f.locked_by is not None:
        lines.append(f"    = locked by the policy {_p(f.locked_by.policy)} (locked: {_p(f.locked_by.selector)!r}): "
                     "fix it, no suppression in the repository applies")
    lines.append(f"    help: {printed[f.remediation]}")
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
    memo = _Memo()
    for f in report.findings:
        if f.suppressed and not options.show_suppressed and report.diff is None:
            continue
        items.append(((f.file, f.line, f.column, 1), _finding_lines(f, color, memo)))
    for _, block in sorted(items, key=lambda item: item[0]):
        lines.extend(block)
    for s in report.skipped:
        if options.verbose or s.note:
            lines.append(f"{_p(s.file)}:{s.line}: {'note' if s.note else 'skipped'}: {_p(s.reason)}")
    lines.extend(_fixable_lines(report, options.unfixable))
    lines.append(summary_text(report))
    return "\n".join(lines) + "\n"


def fixable_text(report: Report, unfixable: frozenset[FixKey] = frozenset()) -> str | None:
    """How many active findings ``--fix`` can fix, how many more ``--unsafe-fixes`` adds, and how many offer a
    fix that ``--fix`` refuses (``unfixable``, see ``RenderOptions``) (None: none of them)."""
    safe = unsafe = refused = 0
    for f in report.active:
        if f.fix is not None and f.origin is None and f.rendered is None:
            if unfixable and fix_key(f) in unfixable:
                refused += 1
            elif f.fix.safety == "safe":
                safe += 1
            else:
                unsafe += 1
    parts = []
    if safe:
        more = f", {unsafe} more with --unsafe-fixes" if unsafe else ""
        parts.append(f"{safe} fixable with --fix{more} (--diff shows the changes)")
    elif unsafe:
        parts.append(f"{unsafe} fixable with --fix --unsafe-fixes (--diff shows the changes)")
    if refused:
        fixes = "fix" if refused == 1 else "fixes"
        parts.append(f"{refused} {'more ' if parts else ''}offered {fixes} that --fix refuses (--diff says why)")
    return "; ".join(parts) + "." if parts else None


def _fixable_lines(report: Report, unfixable: frozenset[FixKey] = frozenset()) -> list[str]:
    text = fixable_text(report, unfixable)
    return [text] if text else []


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
        with_findings = report.inputs_with_findings()
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
    return diff_text(report) + text + "."


def diff_text(report: Report) -> str:
    """In pull-request mode, the line before the summary: what the change did to the findings, and the
    suppressions it added (listed above it, marked suppressed); empty otherwise."""
    d = report.diff
    if d is None:
        return ""
    text = (f"Compared with {_p(d.base)} (merge base {d.commit[:12]}): {d.new} new, {d.fixed} fixed, "
            f"{d.unchanged} unchanged")
    if d.suppressions_added:
        text += f"; {_plural(d.suppressions_added, 'suppression')} added by this change (listed above)"
    return text + ".\n"


def _concise_line(file: str, line: int, column: int, code: str, severity: str, message: str, color: bool,
                  suffix: str = "") -> str:
    where = f"{_p(file)}:{line}:{column}:"
    sev = f"[{severity}]"
    if color:
        where = f"{_BOLD}{where}{_RESET}"
        sev = f"{_COLORS[Severity(severity)]}{sev}{_RESET}"
    return f"{where} {_p(code)} {sev} {_p(message)}{suffix}"


def render_concise(report: Report, options: RenderOptions) -> str:
    """One line per input error and finding, ``file:line:col: CODE [severity] message``, then the summary."""
    items: list[tuple[tuple[str, int, int, int, str], str]] = []
    for e in report.errors:
        items.append(((e.file, e.line, e.column, 0, e.kind.code),
                      _concise_line(e.file, e.line, e.column, e.kind.code, "error", e.message, options.color)))
    for f in report.findings:
        if f.suppressed and not options.show_suppressed and report.diff is None:
            continue
        suffix = f" [suppressed: {_p(f.suppression_reason or '')}]" if f.suppressed else ""
        items.append(((f.file, f.line, f.column, 1, f.code),
                      _concise_line(f.file, f.line, f.column, f.code, f.severity.value, f.message, options.color,
                                    suffix)))
    lines = [text for _, text in sorted(items, key=lambda item: item[0])]
    for s in report.skipped:  # notes (an unrendered chart template, an excluded file) as in the text format
        if options.verbose or s.note:
            lines.append(f"{_p(s.file)}:{s.line}: {'note' if s.note else 'skipped'}: {_p(s.reason)}")
    lines.extend(_fixable_lines(report, options.unfixable))
    lines.append(summary_text(report))
    return "\n".join(lines) + "\n"


_FRAME_CONTEXT = 1
"""Lines of context shown above and below the offending lines in a code frame."""
_FRAME_MAX_LINES = 6
"""At most this many offending lines are shown (a finding on a whole block is shown from its start)."""


def code_frame(text: str, f: Finding, color: bool = False) -> list[str]:
    """The offending lines of ``text`` around ``f`` with line numbers, the reported span marked with ``^``
    under a single-line finding (or under its start column when it spans lines or the field is missing)."""
    lines = text.splitlines()
    loc = f.location
    if not 1 <= loc.line <= len(lines):
        return []
    last = min(max(loc.end_line, loc.line), loc.line + _FRAME_MAX_LINES - 1, len(lines))
    if not f.exact:  # a missing field is reported on its parent: the parent's first line shows where
        last = loc.line
    elif loc.end_line > loc.line and loc.end_column <= 1:
        last = max(loc.line, min(last, loc.end_line - 1))  # a block ending at column 1 ends on the line before
    first_shown = max(1, loc.line - _FRAME_CONTEXT)
    last_shown = min(len(lines), last + _FRAME_CONTEXT)
    width = len(str(last_shown))
    gutter = " " * width + " |"
    out = [gutter]
    for number in range(first_shown, last_shown + 1):
        source = lines[number - 1]
        out.append(f"{number:>{width}} | {_p(source)}".rstrip())
        if number == loc.line:
            start = max(0, loc.column - 1)
            single = loc.end_line == loc.line and loc.end_column > loc.column and f.exact
            end = min(len(source), loc.end_column - 1) if single else start + 1
            pad = len(_p(source[:start]))
            marks = "^" * max(1, len(_p(source[start:end])))
            if color:
                marks = f"{_COLORS[f.severity]}{marks}{_RESET}"
            out.append(f"{gutter} {' ' * pad}{marks}")
    out.append(gutter)
    return out


def render_full(report: Report, options: RenderOptions) -> str:
    """The text format with a code frame under each finding: the lines of the file it is on."""
    color = options.color
    lines: list[str] = []
    items: list[tuple[tuple[str, int, int, int], list[str]]] = []
    for e in report.errors:
        items.append(((e.file, e.line, e.column, 0), _error_lines(e, color)))
    for f in report.findings:
        if f.suppressed and not options.show_suppressed and report.diff is None:
            continue
        block = _finding_lines(f, color)
        text = options.sources.get(f.file)
        frame = code_frame(text, f, color) if text is not None else []
        items.append(((f.file, f.line, f.column, 1), [block[0], *frame, *block[1:]]))
    for _, block in sorted(items, key=lambda item: item[0]):
        lines.extend(block)
    for s in report.skipped:
        if options.verbose or s.note:
            lines.append(f"{_p(s.file)}:{s.line}: {'note' if s.note else 'skipped'}: {_p(s.reason)}")
    lines.extend(_fixable_lines(report, options.unfixable))
    lines.append(summary_text(report))
    return "\n".join(lines) + "\n"


def load_sources(report: Report, max_bytes: int, stdin: tuple[str, bytes] | None = None) -> dict[str, str]:
    """The text of each file a shown finding is on, for code frames: regular files up to ``max_bytes``
    (anything else, or undecodable text, is left out and its findings are shown without a frame);
    ``stdin`` is the name reported for standard input and the bytes read from it."""
    from guardlint.source.files import NotRegularFile, read_regular_file

    sources: dict[str, str] = {}
    for name in sorted({f.file for f in report.findings}):
        if stdin is not None and name == stdin[0]:
            data = stdin[1]
        elif name == "-":
            continue
        else:
            try:
                data = read_regular_file(name, max_bytes)
            except NotRegularFile:
                continue
        if len(data) > max_bytes:
            continue
        try:
            sources[name] = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            continue
    return sources


def render_statistics(report: Report, unfixable: frozenset[FixKey] = frozenset()) -> str:
    """Counts per rule of the active findings, most frequent first, with how many of them ``--fix`` can fix
    (not those in ``unfixable``, see ``RenderOptions``); input errors are counted per kind. The summary line
    ends it."""
    counts: dict[tuple[str, str, str], list[int]] = {}
    for f in report.active:
        entry = counts.setdefault((f.code, f.rule, f.severity.value), [0, 0])
        entry[0] += 1
        entry[1] += (f.fix is not None and f.origin is None and f.rendered is None
                     and not (unfixable and fix_key(f) in unfixable))
    for e in report.errors:
        entry = counts.setdefault((e.kind.code, e.kind.slug, "error"), [0, 0])
        entry[0] += 1
    rows = sorted(counts.items(), key=lambda kv: (-kv[1][0], kv[0][0], kv[0][1]))
    lines: list[str] = []
    if rows:
        width = len(str(rows[0][1][0]))
        code_width = max(len(code) for (code, _, _), _ in rows)
        for (code, rule, severity), (count, fixable) in rows:
            fix = f" ({fixable} fixable)" if fixable else ""
            lines.append(f"{count:>{width}}  {_p(code):<{code_width}}  {severity:<7}  {_p(rule)}{fix}")
    lines.extend(_fixable_lines(report, unfixable))
    lines.append(summary_text(report))
    return "\n".join(lines) + "\n"
