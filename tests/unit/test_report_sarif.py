"""SARIF 2.1.0: valid against the official schema, exact regions, stable fingerprints."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import guardlint
from guardlint.findings import Report, RuleRun, Severity
from guardlint.report import RenderOptions, render
from guardlint.report.sarif import render_sarif
from guardlint.rules.registry import Registry
from tests.helpers import registry

SARIF_SCHEMA = Path(__file__).resolve().parents[1] / "data" / "sarif" / "sarif-schema-2.1.0.json"
"""The official schema, vendored (source and licence: ``tests/data/sarif/SOURCE.md``)."""
SARIF_SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
RULES = ["privileged-container", "missing-memory-limit", "duplicate-key"]
FP = "guardlint/v1"

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
---
a: [1, 2
"""

CLEAN = """\
apiVersion: v1
kind: Pod
metadata:
  name: ok
spec:
  containers:
    - name: app
      image: nginx:1.27
      resources:
        limits: {memory: 64Mi}
"""


def _lint(text: str, filename: str = "deploy.yaml") -> Report:
    return guardlint.lint_text(text, filename, select=RULES)


def _sarif(report: Report, **kwargs: Any) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(render_sarif(report, RenderOptions(registry(), **kwargs)))
    return doc


@pytest.fixture(scope="module")
def report() -> Report:
    return _lint(TEXT)


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    import hashlib

    raw = SARIF_SCHEMA.read_bytes()  # vendored: never skipped
    assert hashlib.sha256(raw).hexdigest() == SARIF_SCHEMA_SHA256, "the vendored SARIF schema was modified"
    schema = json.loads(raw)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _assert_valid(validator: jsonschema.protocols.Validator, doc: dict[str, Any]) -> None:
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])
    # The schema's "uri-reference" format needs an optional package to be checked; check it here.
    for run in doc["runs"]:
        for result in run["results"]:
            for loc in result["locations"]:
                uri = loc["physicalLocation"]["artifactLocation"]["uri"]
                assert re.fullmatch(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+", uri), uri


def _run(doc: dict[str, Any]) -> dict[str, Any]:
    assert len(doc["runs"]) == 1
    run: dict[str, Any] = doc["runs"][0]
    return run


def _result(run: dict[str, Any], rule_id: str, name: str) -> dict[str, Any]:
    hits = [r for r in run["results"] if r["ruleId"] == rule_id
            and any(ll.get("name") == name for loc in r["locations"] for ll in loc.get("logicalLocations", ()))]
    assert len(hits) == 1, hits
    hit: dict[str, Any] = hits[0]
    return hit


def test_valid_against_official_schema(report: Report, validator: jsonschema.protocols.Validator) -> None:
    _assert_valid(validator, _sarif(report))
    _assert_valid(validator, _sarif(_lint(CLEAN)))
    _assert_valid(validator, _sarif(_lint(TEXT, "my charts/rendered, all.yaml"), tool_version="1.2.3"))


def test_header_and_driver(report: Report) -> None:
    doc = _sarif(report, tool_version="1.2.3")
    assert doc["version"] == "2.1.0"
    run = _run(doc)
    driver = run["tool"]["driver"]
    assert driver["name"] == "guardlint"
    assert driver["version"] == driver["semanticVersion"] == "1.2.3"
    assert driver["informationUri"].startswith("https://")
    assert run["columnKind"] == "unicodeCodePoints"
    assert "%SRCROOT%" in run["originalUriBaseIds"]


def test_rule_descriptors(report: Report) -> None:
    run = _run(_sarif(report))
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    # every rule that ran, and the input-error pseudo-rule
    assert {r.code for r in report.rules} | {"GL001"} == set(ids)
    by_id = {r["id"]: r for r in rules}
    priv = by_id["SEC003"]
    meta = registry().get("privileged-container")
    assert meta is not None
    assert priv["name"] == "privileged-container"
    assert priv["shortDescription"]["text"] == meta.meta.title
    assert priv["helpUri"] == "https://github.com/guardlint/guardlint/blob/main/docs/rules/privileged-container.md"
    assert priv["defaultConfiguration"]["level"] == "error"
    assert by_id["RES003"]["defaultConfiguration"]["level"] == "warning"
    assert set(meta.meta.tags) <= set(priv["properties"]["tags"])
    assert meta.meta.remediation in priv["help"]["text"]
    assert meta.meta.remediation in priv["help"]["markdown"]
    assert "## Why is this bad?" in priv["help"]["markdown"]
    assert "```" not in priv["help"]["text"]
    assert priv["fullDescription"]["text"]
    error_rule = by_id["GL001"]
    assert error_rule["name"] == "yaml-syntax-error"
    assert error_rule["defaultConfiguration"]["level"] == "error"
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_exact_regions(report: Report) -> None:
    run = _run(_sarif(report))
    lines = TEXT.splitlines()
    priv = _result(run, "SEC003", "web")
    loc = priv["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "deploy.yaml", "uriBaseId": "%SRCROOT%"}
    region = loc["region"]
    assert region == {"startLine": 13, "startColumn": 9, "endLine": 13, "endColumn": 25}
    # endColumn is exclusive: the region is exactly the key and its value
    assert lines[12][region["startColumn"] - 1 : region["endColumn"] - 1] == "privileged: true"

    dup = _result(run, "GL101", "web")["locations"][0]["physicalLocation"]["region"]
    assert lines[dup["startLine"] - 1][dup["startColumn"] - 1 : dup["endColumn"] - 1] == "image"
    assert dup["startLine"] == 11


def test_logical_locations_and_properties(report: Report) -> None:
    run = _run(_sarif(report))
    priv = _result(run, "SEC003", "web")
    logical = priv["locations"][0]["logicalLocations"]
    assert logical[0] == {"name": "web", "fullyQualifiedName": "Pod/prod/web", "kind": "object"}
    assert logical[1]["name"] == "spec.containers[0].securityContext.privileged"
    assert logical[1]["fullyQualifiedName"] == "Pod/prod/web:spec.containers[0].securityContext.privileged"
    assert priv["properties"]["path"] == "spec.containers[0].securityContext.privileged"
    assert priv["level"] == "error"
    finding = next(f for f in report.findings if f.code == "SEC003" and not f.suppressed)
    assert priv["message"]["text"].startswith(finding.message)
    assert finding.remediation in priv["message"]["text"]
    missing = _result(run, "RES003", "web")
    assert missing["level"] == "warning"
    assert missing["properties"]["exact"] is False


def test_helm_origin(report: Report) -> None:
    run = _run(_sarif(report))
    priv = _result(run, "SEC003", "web")
    assert priv["properties"]["origin"] == "chart/templates/web.yaml"
    assert "chart/templates/web.yaml" in priv["message"]["text"]
    # the physical location stays in the rendered file
    assert priv["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "deploy.yaml"
    debug = _result(run, "SEC003", "debug")
    assert "origin" not in debug["properties"]


def test_suppressed_findings(report: Report) -> None:
    run = _run(_sarif(report))
    debug = _result(run, "SEC003", "debug")
    assert debug["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "annotation: break-glass pod, see INC-42"}
    ]
    assert "suppressions" not in _result(run, "SEC003", "web")
    exempted = report._replace(findings=tuple(
        f._replace(suppressed=True, suppression_reason="exemption: vendor chart") if f.code == "SEC003" else f
        for f in report.findings
    ))
    kinds = {r["suppressions"][0]["kind"] for r in _run(_sarif(exempted))["results"] if r["ruleId"] == "SEC003"}
    assert kinds == {"external"}


def test_input_errors(report: Report) -> None:
    run = _run(_sarif(report))
    err = next(r for r in run["results"] if r["ruleId"] == "GL001")
    assert err["level"] == "error"
    assert err["locations"][0]["physicalLocation"]["region"] == {"startLine": 31, "startColumn": 1}
    assert (report.errors[0].line, report.errors[0].column) == (31, 1)
    assert report.errors[0].message in err["message"]["text"]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert len(notes) == 1
    assert notes[0]["level"] == "error"
    assert notes[0]["associatedRule"]["id"] == "GL001"
    assert notes[0]["locations"] == err["locations"]


def test_clean_run() -> None:
    run = _run(_sarif(_lint(CLEAN)))
    assert run["results"] == []
    assert run["invocations"] == [{"executionSuccessful": True}]
    # the selected rules, plus the core pack, which runs whatever select says
    ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert ids == {"GL101", "GL102", "GL103", "GL104", "GL105", "GL106", "GL107", "RES003", "SEC003"}


def _fingerprints(run: dict[str, Any]) -> dict[tuple[str, str], tuple[str, int]]:
    out = {}
    for r in run["results"]:
        if r["ruleId"].startswith("GL0"):
            continue
        key = (r["ruleId"], r["locations"][0]["logicalLocations"][0]["name"])
        out[key] = (r["partialFingerprints"][FP], r["locations"][0]["physicalLocation"]["region"]["startLine"])
    return out


def test_fingerprints_survive_line_moves(report: Report) -> None:
    before = _fingerprints(_run(_sarif(report)))
    moved_text = TEXT.replace("spec:\n  containers:\n    - name: app", "spec:\n\n  containers:\n    - name: app", 1)
    assert moved_text != TEXT
    after = _fingerprints(_run(_sarif(_lint(moved_text))))
    assert before.keys() == after.keys()
    for key, (fingerprint, _line) in before.items():
        assert after[key][0] == fingerprint, key
    priv_before, priv_after = before[("SEC003", "web")], after[("SEC003", "web")]
    assert priv_after[1] == priv_before[1] + 1
    # stable across runs
    assert _sarif(report) == _sarif(_lint(TEXT))


def test_fingerprints_distinct_for_identical_keys() -> None:
    second = "    - name: app2\n      image: nginx:1\n      securityContext: {privileged: true}\n"
    text = TEXT.split("---", maxsplit=1)[0].replace("    - name: app", second + "    - name: app", 1)
    run = _run(_sarif(_lint(text)))
    fps = [r["partialFingerprints"][FP] for r in run["results"]]
    assert len(fps) == len(set(fps))
    doubled = _lint(TEXT)
    twice = doubled._replace(findings=doubled.findings + doubled.findings[:1])
    fps = [r["partialFingerprints"][FP] for r in _run(_sarif(twice))["results"]]
    assert len(fps) == len(set(fps))


def test_severity_override_is_reported(report: Report) -> None:
    runs = tuple(RuleRun(r.name, r.code, Severity.INFO) if r.code == "SEC003" else r for r in report.rules)
    changed = report._replace(rules=runs, findings=tuple(
        f._replace(severity=Severity.INFO) if f.code == "SEC003" else f for f in report.findings
    ))
    run = _run(_sarif(changed))
    overrides = run["invocations"][0]["ruleConfigurationOverrides"]
    rules = run["tool"]["driver"]["rules"]
    assert len(overrides) == 1
    assert overrides[0]["configuration"] == {"level": "note"}
    assert rules[overrides[0]["descriptor"]["index"]]["id"] == "SEC003"
    assert _result(run, "SEC003", "web")["level"] == "note"


def test_uri_is_percent_encoded() -> None:
    run = _run(_sarif(_lint(TEXT, "my charts/rendered #1.yaml")))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert uris == {"my%20charts/rendered%20%231.yaml"}


def test_deterministic(report: Report) -> None:
    options = RenderOptions(registry())
    first = render_sarif(report, options)
    shuffled = report._replace(findings=tuple(reversed(report.findings)))
    assert render_sarif(shuffled, options) == first
    assert render(report, "sarif", options) == first


def test_rules_unknown_to_the_registry(report: Report, validator: jsonschema.protocols.Validator) -> None:
    doc = json.loads(render_sarif(report, RenderOptions(Registry(()))))
    _assert_valid(validator, doc)
    run = _run(doc)
    rules = run["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} == {r.code for r in report.rules} | {"GL001"}
    assert next(r for r in rules if r["id"] == "SEC003")["name"] == "privileged-container"
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_file_level_finding(report: Report, validator: jsonschema.protocols.Validator) -> None:
    odd = report._replace(findings=(report.findings[0]._replace(resource=None, path=()),))
    doc = _sarif(odd)
    _assert_valid(validator, doc)
    result = next(r for r in _run(doc)["results"] if r["ruleId"] == report.findings[0].code)
    assert "logicalLocations" not in result["locations"][0]
    assert result["properties"]["path"] == ""
