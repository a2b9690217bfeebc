"""JUnit XML: well-formed, one suite per file, one testcase per finding, correct counts."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import guardlint
from guardlint.findings import Report
from guardlint.report import RenderOptions, render
from guardlint.report.junit import PASSED_NAME, render_junit
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
