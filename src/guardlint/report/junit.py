"""JUnit XML for CI test-report views (GitLab merge requests, Jenkins, Azure DevOps, CircleCI).

One ``<testsuite>`` per file. Each finding is a ``<testcase>``. The report fails where the run fails (its exit
status), so that a CI job that reads it agrees with the command: an active finding at or above ``--fail-on``
holds a ``<failure>`` whose ``type`` is the severity; an active finding below it (every one with ``--fail-on
never``) is a passing testcase whose ``<system-out>`` carries the finding and says it does not fail the run;
a suppressed one holds a ``<skipped>``. An input that could not be read or parsed is a testcase with an
``<error>``, or, with ``--allow-input-errors``, a ``<skipped>`` (the file was not checked). A run that found no
Kubernetes object at all (exit 2 unless ``--allow-no-objects``) gets one more suite, ``guardlint``, whose
testcase holds an ``<error>``. A file with no active finding and no error also gets one passing testcase, so
that it shows as passed. Testcase names leave out line numbers (they name the rule, the object and the
field), so CI tools that compare runs by name follow a finding when lines move; the location is in the
``file``/``line`` attributes and in the failure text. Without an exit policy (``RenderOptions.exit_policy``,
a library caller's default), every active finding is a failure and every input error an error.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from guardlint._printable import printable as _p
from guardlint.findings import Finding, InputError, Report
from guardlint.report import ExitPolicy, RenderOptions
from guardlint.report.json import TOOL_NAME, ordered_errors, ordered_findings

TYPE_CHECKING = False
if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

PASSED_NAME = "guardlint: no problems found"
NO_OBJECTS_NAME = "guardlint: no Kubernetes objects found"

# Characters XML 1.0 cannot carry at all, not even escaped: C0 controls other than tab, newline and
# carriage return, lone surrogates, U+FFFE and U+FFFF.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SUFFIXES = (".yaml", ".yml", ".json")


def _clean(text: str) -> str:
    """``text`` with the characters XML cannot represent spelled as Python escapes (``\\x01``).

    Text from the input (file and object names, messages) is escaped before with ``_p`` (every control
    character, including newlines), so one value never spans lines; this only guards what is left.
    """
    return _INVALID_XML.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                            else f"\\u{ord(m.group()):04x}", text)


@dataclass(frozen=True, slots=True)
class _Counts:
    tests: int = 0
    failures: int = 0
    errors: int = 0
    skipped: int = 0

    def __add__(self, other: _Counts) -> _Counts:
        return _Counts(self.tests + other.tests, self.failures + other.failures, self.errors + other.errors,
                       self.skipped + other.skipped)

    def attrs(self) -> dict[str, str]:
        return {"tests": str(self.tests), "failures": str(self.failures), "errors": str(self.errors),
                "skipped": str(self.skipped)}


def _classname(file: str) -> str:
    """The file without its YAML/JSON suffix (Jenkins splits class names at dots)."""
    for suffix in _SUFFIXES:
        if file.endswith(suffix) and len(file) > len(suffix):
            return file[: -len(suffix)]
    return file


def _finding_name(f: Finding) -> str:
    name = f"{_p(f.rule)} ({_p(f.code)})"
    if f.resource is not None:
        name += f" {_p(f.resource.display())}"
    if f.path:
        name += f" {_p(f.dotted_path)}"
    return name


def _finding_body(f: Finding) -> str:
    lines = [f"{_p(f.file)}:{f.line}:{f.column}: {f.severity.value} {_p(f.rule)} ({_p(f.code)}): {_p(f.message)}"]
    if f.resource is not None:
        lines.append(f"object: {_p(f.resource.display())} ({_p(f.resource.api_version)})")
    if f.path:
        suffix = "" if f.exact else " (missing; reported on its nearest parent)"
        lines.append(f"path: {_p(f.dotted_path)}{suffix}")
    if f.origin:
        lines.append(f"rendered from Helm template: {_p(f.origin)}")
    if f.suppressed:
        lines.append(f"suppressed: {_p(f.suppression_reason or 'yes')}")
    lines.append(f"remediation: {_p(f.remediation)}")
    return "\n".join(lines)


def _finding_message(f: Finding) -> str:
    return _p(f"{f.message} (rendered from Helm template {f.origin})" if f.origin else f.message)


def _error_body(e: InputError) -> str:
    lines = [f"{_p(e.file)}:{e.line}:{e.column}: error {e.kind.slug} ({e.kind.code}): {_p(e.message)}"]
    if e.hint:
        lines.append(f"hint: {_p(e.hint)}")
    return "\n".join(lines)


def _fails(f: Finding, policy: ExitPolicy | None) -> bool:
    """Whether the active finding ``f`` fails the run (makes its exit status 1)."""
    if policy is None:
        return True
    return policy.fail_on is not None and f.severity.at_least(policy.fail_on)


def _not_failing_note(f: Finding, policy: ExitPolicy) -> str:
    if policy.fail_on is None:
        return "not a failure: with --fail-on never, no finding fails the run"
    return f"not a failure: its severity ({f.severity.value}) is below --fail-on {policy.fail_on.value}"


def _suite(file: str, findings: list[Finding], errors: list[InputError], policy: ExitPolicy | None
           ) -> tuple[Element, _Counts]:
    from xml.etree.ElementTree import Element, SubElement

    classname = _clean(_p(_classname(file)))
    cases: list[tuple[str, int, str, dict[str, str], str]] = []
    counts = _Counts()
    for e in errors:
        if policy is not None and policy.allow_input_errors:
            attrs = {"message": f"not checked: {_p(e.message)} (--allow-input-errors)"}
            cases.append((f"{e.kind.slug} ({e.kind.code})", e.line, "skipped", attrs, _error_body(e)))
            counts += _Counts(tests=1, skipped=1)
            continue
        attrs = {"type": e.kind.slug, "message": _p(e.message)}
        cases.append((f"{e.kind.slug} ({e.kind.code})", e.line, "error", attrs, _error_body(e)))
        counts += _Counts(tests=1, errors=1)
    for f in findings:
        if f.suppressed:
            attrs = {"message": f"suppressed: {_p(f.suppression_reason)}" if f.suppression_reason else "suppressed"}
            cases.append((_finding_name(f), f.line, "skipped", attrs, _finding_body(f)))
            counts += _Counts(tests=1, skipped=1)
        elif policy is not None and not _fails(f, policy):
            body = f"{_finding_body(f)}\n{_not_failing_note(f, policy)}"
            cases.append((_finding_name(f), f.line, "system-out", {}, body))
            counts += _Counts(tests=1)
        else:
            attrs = {"type": f.severity.value, "message": _finding_message(f)}
            cases.append((_finding_name(f), f.line, "failure", attrs, _finding_body(f)))
            counts += _Counts(tests=1, failures=1)
    if not errors and not any(not f.suppressed for f in findings):
        cases.append((PASSED_NAME, 0, "", {}, ""))
        counts += _Counts(tests=1)

    suite = Element("testsuite", {"name": _clean(_p(file)), **counts.attrs(), "time": "0"})
    seen: Counter[str] = Counter()
    for name, line, outcome, attrs, body in cases:
        seen[name] += 1
        unique = name if seen[name] == 1 else f"{name} #{seen[name]}"
        case_attrs = {"name": _clean(unique), "classname": classname, "file": _clean(_p(file))}
        if line > 0:
            case_attrs["line"] = str(line)
        case_attrs["time"] = "0"
        case = SubElement(suite, "testcase", case_attrs)
        if outcome:
            child = SubElement(case, outcome, {k: _clean(v) for k, v in attrs.items()})
            child.text = _clean(body)
    return suite, counts


def _no_objects_suite() -> Element:
    """The suite that says the run found no Kubernetes object (which fails it unless ``--allow-no-objects``)."""
    from xml.etree.ElementTree import Element, SubElement

    suite = Element("testsuite", {"name": TOOL_NAME, **_Counts(tests=1, errors=1).attrs(), "time": "0"})
    case = SubElement(suite, "testcase", {"name": NO_OBJECTS_NAME, "classname": TOOL_NAME, "time": "0"})
    error = SubElement(case, "error", {"type": "no-objects",
                                       "message": "no Kubernetes object was found in the paths checked"})
    error.text = ("guardlint found no Kubernetes object (a mapping with apiVersion and kind) in the paths it "
                  "checked, which fails the run; pass --allow-no-objects when that is expected")
    return suite


def render_junit(report: Report, options: RenderOptions) -> str:
    """Render ``report`` as a JUnit XML document (UTF-8, with an XML declaration and a final newline)."""
    from xml.etree.ElementTree import Element, indent, tostring

    findings = ordered_findings(report.findings)
    errors = ordered_errors(report.errors)
    by_file: dict[str, tuple[list[Finding], list[InputError]]] = {f: ([], []) for f in report.files}
    for f in findings:
        by_file.setdefault(f.file, ([], []))[0].append(f)
    for e in errors:
        by_file.setdefault(e.file, ([], []))[1].append(e)
    root = Element("testsuites", {"name": TOOL_NAME})
    total = _Counts()
    policy = options.exit_policy
    for file in sorted(by_file):
        suite, counts = _suite(file, *by_file[file], policy)
        root.append(suite)
        total += counts
    if policy is not None and not policy.allow_no_objects and report.resources == 0:
        suite = _no_objects_suite()
        root.append(suite)
        total += _Counts(tests=1, errors=1)
    root.attrib.update({**total.attrs(), "time": "0"})
    indent(root, space="  ")
    body = tostring(root, encoding="unicode", short_empty_elements=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
