"""JUnit XML: well-formed, one suite per file, one testcase per finding, correct counts."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import guardlint
from guardlint.findings import Report, Severity
from guardlint.report import ExitPolicy, RenderOptions, render
from guardlint.report.junit import NO_OBJECTS_NAME, PASSED_NAME, render_junit
from tests.helpers import registry

RULES = ["privileged-container", "missing-memory-limit", "duplicate-key"]

BAD = """\
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
      image: nginx:1.28
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
"""

CLEAN = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  a: "1"
"""

SUPPRESSED_ONLY = BAD.split("---\n")[1]


@pytest.fixture
def report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Report:
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "bad.yaml").write_text(BAD, encoding="utf-8")
    (tmp_path / "k8s" / "clean.yaml").write_text(CLEAN, encoding="utf-8")
    (tmp_path / "k8s" / "quiet.yaml").write_text(SUPPRESSED_ONLY, encoding="utf-8")
    (tmp_path / "k8s" / "broken.yaml").write_text("a: [1, 2\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return guardlint.lint_paths(["k8s"], use_config_file=False, select=RULES)


def _parse(report: Report) -> ET.Element:
    return ET.fromstring(render_junit(report, RenderOptions(registry())))


def _suites(root: ET.Element) -> dict[str, ET.Element]:
    return {s.attrib["name"]: s for s in root.findall("testsuite")}


def _counts(el: ET.Element) -> tuple[int, int, int, int]:
    return tuple(int(el.attrib[k]) for k in ("tests", "failures", "errors", "skipped"))  # type: ignore[return-value]


def _actual_counts(cases: list[ET.Element]) -> tuple[int, int, int, int]:
    return (
        len(cases),
        sum(c.find("failure") is not None for c in cases),
        sum(c.find("error") is not None for c in cases),
        sum(c.find("skipped") is not None for c in cases),
    )


def test_well_formed_with_declaration(report: Report) -> None:
    text = render_junit(report, RenderOptions(registry()))
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')
    assert text.endswith("</testsuites>\n")
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    assert render(report, "junit", RenderOptions(registry())) == text


def test_one_suite_per_file(report: Report) -> None:
    suites = _suites(_parse(report))
    assert list(suites) == ["k8s/bad.yaml", "k8s/broken.yaml", "k8s/clean.yaml", "k8s/quiet.yaml"]


def test_counts_are_right(report: Report) -> None:
    root = _parse(report)
    suites = _suites(root)
    for suite in suites.values():
        cases = suite.findall("testcase")
        assert _counts(suite) == _actual_counts(cases)
    all_cases = root.findall("testsuite/testcase")
    assert _counts(root) == _actual_counts(all_cases)
    # bad: 3 active findings (privileged, missing limit, duplicate key) and a suppressed one
    assert _counts(suites["k8s/bad.yaml"]) == (4, 3, 0, 1)
    # broken: one input error
    assert _counts(suites["k8s/broken.yaml"]) == (1, 0, 1, 0)
    # clean: one passing testcase
    assert _counts(suites["k8s/clean.yaml"]) == (1, 0, 0, 0)
    # quiet: a suppressed finding, and a passing testcase since nothing is active
    assert _counts(suites["k8s/quiet.yaml"]) == (2, 0, 0, 1)
    assert _counts(root) == (8, 3, 1, 2)


def test_failure_details(report: Report) -> None:
    suite = _suites(_parse(report))["k8s/bad.yaml"]
    finding = next(f for f in report.findings if f.code == "SEC003" and f.file == "k8s/bad.yaml")
    case = next(c for c in suite.findall("testcase") if "privileged-container" in c.attrib["name"])
    assert case.attrib["name"] == (
        "privileged-container (SEC003) Pod prod/web spec.containers[0].securityContext.privileged"
    )
    assert case.attrib["classname"] == "k8s/bad"
    assert case.attrib["file"] == "k8s/bad.yaml"
    assert case.attrib["line"] == "13"
    failure = case.find("failure")
    assert failure is not None
    assert failure.attrib["type"] == "error"
    assert failure.attrib["message"].startswith(finding.message)
    assert "chart/templates/web.yaml" in failure.attrib["message"]
    body = failure.text or ""
    assert body.startswith("k8s/bad.yaml:13:9: ")
    assert "path: spec.containers[0].securityContext.privileged" in body
    assert finding.remediation in body
    warning = next(c for c in suite.findall("testcase") if "missing-memory-limit" in c.attrib["name"])
    failure = warning.find("failure")
    assert failure is not None
    assert failure.attrib["type"] == "warning"


def test_suppressed_is_skipped(report: Report) -> None:
    suite = _suites(_parse(report))["k8s/quiet.yaml"]
    skipped_cases = [c for c in suite.findall("testcase") if c.find("skipped") is not None]
    assert len(skipped_cases) == 1
    skipped = skipped_cases[0].find("skipped")
    assert skipped is not None
    assert skipped.attrib["message"] == "suppressed: annotation: break-glass pod, see INC-42"
    passing = [c for c in suite.findall("testcase") if len(c) == 0]
    assert [c.attrib["name"] for c in passing] == [PASSED_NAME]


def test_input_error_testcase(report: Report) -> None:
    suite = _suites(_parse(report))["k8s/broken.yaml"]
    (case,) = suite.findall("testcase")
    error = case.find("error")
    assert error is not None
    assert error.attrib["type"] == "yaml-syntax-error"
    assert error.attrib["message"] == report.errors[0].message
    assert (error.text or "").startswith(f"k8s/broken.yaml:{report.errors[0].line}:{report.errors[0].column}: ")
    assert case.attrib["name"] == "yaml-syntax-error (GL001)"


def test_testcase_names_are_unique_and_line_free(report: Report) -> None:
    doubled = report._replace(findings=report.findings + report.findings[:1])
    for suite in _parse(doubled).findall("testsuite"):
        names = [c.attrib["name"] for c in suite.findall("testcase")]
        assert len(names) == len(set(names))
        assert not any("line" in n for n in names)


def test_escaping_and_invalid_characters(report: Report) -> None:
    nasty = 'value <"&\'> with \x01 control, tab\t, newline\n and \ud800 surrogate ]]>'
    odd = report._replace(findings=tuple(f._replace(message=nasty) for f in report.findings))
    root = _parse(odd)
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    # Control characters from the input never reach the XML as they are: each is spelled as an escape.
    assert failure.attrib["message"].startswith('value <"&\'> with \\x01 control, tab\\t, newline\\n and \\ud800')
    assert ']]>' in (failure.text or "")


def test_deterministic(report: Report) -> None:
    options = RenderOptions(registry())
    first = render_junit(report, options)
    shuffled = report._replace(findings=tuple(reversed(report.findings)), files=tuple(reversed(report.files)))
    assert render_junit(shuffled, options) == first
    assert "timestamp" not in first


# --- the report agrees with the exit status (RenderOptions.exit_policy, which the CLI passes) ---------------


def _parse_with(report: Report, policy: ExitPolicy) -> ET.Element:
    return ET.fromstring(render_junit(report, RenderOptions(registry(), exit_policy=policy)))


def test_findings_below_fail_on_pass_and_keep_their_text(report: Report) -> None:
    root = _parse_with(report, ExitPolicy(Severity.ERROR))
    suite = _suites(root)["k8s/bad.yaml"]
    warning = next(c for c in suite.findall("testcase") if "missing-memory-limit" in c.attrib["name"])
    assert warning.find("failure") is None and warning.find("skipped") is None
    out = warning.find("system-out")
    assert out is not None and (out.text or "").startswith("k8s/bad.yaml:")
    assert "missing-memory-limit (RES003)" in (out.text or "")
    assert (out.text or "").endswith("not a failure: its severity (warning) is below --fail-on error")
    errors = [c for c in suite.findall("testcase") if c.find("failure") is not None]
    assert {c.find("failure").attrib["type"] for c in errors} == {"error"}  # type: ignore[union-attr]
    for el in (suite, root):
        assert _counts(el) == _actual_counts(el.findall("testcase") or el.findall("testsuite/testcase"))
    # bad: 2 errors (privileged, duplicate key) fail, the warning passes, the suppressed one is skipped
    assert _counts(suite) == (4, 2, 0, 1)
    # no "no problems found" testcase where a finding is reported, failing or not
    assert PASSED_NAME not in {c.attrib["name"] for c in suite.findall("testcase")}


def test_fail_on_never_fails_on_no_finding(report: Report) -> None:
    root = _parse_with(report, ExitPolicy(None))
    assert _counts(root)[1] == 0
    case = next(c for c in root.iter("testcase") if "privileged-container" in c.attrib["name"]
                and c.find("skipped") is None)
    assert (case.findtext("system-out") or "").endswith("not a failure: with --fail-on never, no finding fails the run")
    assert _counts(root)[2] == 1  # the input error still fails the run (exit 2)


def test_fail_on_info_is_the_old_report(report: Report) -> None:
    assert render_junit(report, RenderOptions(registry(), exit_policy=ExitPolicy(Severity.INFO))) == \
        render_junit(report, RenderOptions(registry()))


def test_allowed_input_errors_are_skipped_not_errors(report: Report) -> None:
    suite = _suites(_parse_with(report, ExitPolicy(Severity.ERROR, allow_input_errors=True)))["k8s/broken.yaml"]
    (case,) = suite.findall("testcase")
    skipped = case.find("skipped")
    assert case.find("error") is None and skipped is not None
    assert skipped.attrib["message"] == f"not checked: {report.errors[0].message} (--allow-input-errors)"
    assert _counts(suite) == (1, 0, 0, 1)


def test_no_objects_is_an_error_unless_allowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "values.yaml").write_text("replicas: 2\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    empty = guardlint.lint_paths(["values.yaml"], use_config_file=False, select=RULES)
    assert empty.exit_code(Severity.ERROR) == 2
    root = _parse_with(empty, ExitPolicy(Severity.ERROR))
    suites = _suites(root)
    assert _counts(root) == (2, 0, 1, 0) and _counts(suites["guardlint"]) == (1, 0, 1, 0)
    (case,) = suites["guardlint"].findall("testcase")
    assert case.attrib["name"] == NO_OBJECTS_NAME and case.find("error") is not None
    assert "guardlint" not in _suites(_parse_with(empty, ExitPolicy(Severity.ERROR, allow_no_objects=True)))
    assert "guardlint" not in _suites(_parse(empty))  # no exit policy: as before


def test_the_cli_report_agrees_with_the_exit_status(report: Report, tmp_path: Path) -> None:
    import io

    from guardlint.cli import main

    (tmp_path / "w.yaml").write_text(BAD.split("---\n", maxsplit=1)[0])  # 2 errors and a warning
    for fail_on, code, failures in (("error", 1, 2), ("warning", 1, 3), ("never", 0, 0)):
        out = io.StringIO()
        assert main(["check", "w.yaml", "--no-config", "--select", ",".join(RULES), "--format", "junit",
                     "--fail-on", fail_on], out=out, err=io.StringIO()) == code
        assert _counts(ET.fromstring(out.getvalue()))[1] == failures
