"""GitHub Actions workflow commands: one annotation per active finding, escaped exactly as the runner expects."""

from __future__ import annotations

import re

import pytest

import guardlint
from guardlint.findings import Location, Report, Severity
from guardlint.report import RenderOptions, render
from guardlint.report.github import escape_data, escape_property, render_github
from tests.helpers import registry

RULES = ["privileged-container", "missing-memory-limit", "duplicate-key"]

TEXT = """\
# Source: chart/templates/web.yaml
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: prod
spec:
  containers:
    - name: app
      image: nginx:1.27
      securityContext:
        privileged: true
---
apiVersion: v1
kind: Pod
metadata:
  name: debug
  annotations:
    ignore.guardlint.dev/privileged-container: "break-glass pod, see INC-42"
spec:
  containers:
    - name: shell
      image: busybox:1.36
      securityContext:
        privileged: true
      resources:
        limits: {memory: 64Mi}
---
a: [1, 2
"""

COMMAND = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")


@pytest.fixture(scope="module")
def report() -> Report:
    return guardlint.lint_text(TEXT, "deploy.yaml", select=RULES)


def _lines(report: Report) -> list[str]:
    return render_github(report, RenderOptions(registry())).splitlines()


def _unescape_data(text: str) -> str:
    """What the Actions runner does to a command's message."""
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _unescape_property(text: str) -> str:
    return _unescape_data(text.replace("%3A", ":").replace("%2C", ","))


def _parse(line: str) -> tuple[str, dict[str, str], str]:
    m = COMMAND.match(line)
    assert m, line
    props = dict(p.split("=", 1) for p in m.group(2).split(","))
    return m.group(1), {k: _unescape_property(v) for k, v in props.items()}, _unescape_data(m.group(3))


def test_escape_functions() -> None:
    assert escape_data("100% a,b: c\r\nd") == "100%25 a,b: c%0D%0Ad"
    assert escape_property("100% a,b: c\r\nd") == "100%25 a%2Cb%3A c%0D%0Ad"
    # '%' first, so that escapes are not escaped twice
    assert escape_data("%0A") == "%250A"


def test_exact_escaping() -> None:
    base = guardlint.lint_text(TEXT, "deploy.yaml", select=["privileged-container"])
    finding = next(f for f in base.active if f.code == "SEC003")
    odd = finding._replace(file="dir,with:odd/deploy.yaml",
        message="uses 100% of a node, really: yes\nsecond line",
        remediation="Fix it: now, please.",
        origin=None,
        location=Location(13, 9, 13, 25),
    )
    line = _lines(base._replace(findings=(odd,), errors=()))[0]
    assert line == (
        "::error file=dir%2Cwith%3Aodd/deploy.yaml,line=13,col=9,endLine=13,endColumn=25,"
        "title=privileged-container (SEC003)::uses 100%25 of a node, really: yes%0Asecond line%0AFix it: now, please."
    )
    kind, props, message = _parse(line)
    assert kind == "error"
    assert props["file"] == "dir,with:odd/deploy.yaml"
    assert message == "uses 100% of a node, really: yes\nsecond line\nFix it: now, please."


def test_one_line_per_active_finding(report: Report) -> None:
    lines = _lines(report)
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == len(report.active) + len(report.errors)
    assert not lines[-1].startswith("::")
    assert lines[-1].startswith("guardlint: ")
    assert "1 suppressed" in lines[-1]
    # the suppressed privileged finding of the "debug" pod is not annotated
    (hidden,) = report.suppressed
    assert not any(f"line={hidden.line}," in c for c in commands)


def test_finding_command(report: Report) -> None:
    finding = next(f for f in report.active if f.code == "SEC003")
    line = next(x for x in _lines(report) if "SEC003" in x)
    kind, props, message = _parse(line)
    assert kind == "error"
    assert props == {
        "file": "deploy.yaml", "line": "12", "col": "9", "endLine": "12", "endColumn": "25",
        "title": "privileged-container (SEC003)",
    }
    assert message == f"{finding.message} (rendered from Helm template chart/templates/web.yaml)\n{finding.remediation}"


def test_multi_line_region_has_no_columns_past_the_start(report: Report) -> None:
    finding = next(f for f in report.active if f.code == "RES003")
    assert finding.location.end_line > finding.location.line
    line = next(x for x in _lines(report) if "RES003" in x)
    kind, props, _ = _parse(line)
    assert kind == "warning"
    assert props["line"] == str(finding.line)
    assert props["col"] == str(finding.column)
    assert "endLine" not in props
    assert "endColumn" not in props


@pytest.mark.parametrize(("severity", "command"), [
    (Severity.ERROR, "error"), (Severity.WARNING, "warning"), (Severity.INFO, "notice"),
])
def test_severity_commands(report: Report, severity: Severity, command: str) -> None:
    changed = report._replace(errors=(), findings=tuple(f._replace(severity=severity) for f in report.findings))
    commands = [x for x in _lines(changed) if x.startswith("::")]
    assert commands
    assert all(x.startswith(f"::{command} ") for x in commands)


def test_input_error_command(report: Report) -> None:
    err = report.errors[0]
    lines = _lines(report)
    kind, props, message = _parse(lines[0])
    assert kind == "error"
    assert props == {"file": "deploy.yaml", "line": str(err.line), "col": str(err.column),
                     "title": "yaml-syntax-error (GL001)"}
    assert message == err.message
    hinted = report._replace(errors=(err._replace(hint="Close the bracket."),))
    assert _parse(_lines(hinted)[0])[2] == f"{err.message}\nClose the bracket."


def test_summary_line_when_clean() -> None:
    clean = guardlint.lint_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", "cm.yaml", select=RULES)
    assert _lines(clean) == ["guardlint: 0 errors, 0 warnings, 0 notices in 1 file checked"]


def test_summary_line_counts_files_with_findings() -> None:
    pod = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - {name: a, image: x:1, "
           "securityContext: {privileged: true}}\n")
    one = guardlint.lint_text(pod, "pod.yaml", select=RULES)
    both = one._replace(files=("cm.yaml", "pod.yaml"))
    assert _lines(both)[-1].endswith(" in 1 of 2 files checked")


def test_dispatch_and_determinism(report: Report) -> None:
    options = RenderOptions(registry())
    text = render(report, "github", options)
    assert text == render_github(report._replace(findings=tuple(reversed(report.findings))), options)
    assert text.endswith("\n")
