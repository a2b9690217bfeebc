"""The JSON report: it validates against schemas/report.schema.json and carries every finding field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import guardlint
from guardlint.findings import Finding, Fix, FixEdit, Location, Report, ResourceRef, Severity
from guardlint.model.paths import parse_dotted
from guardlint.report import RenderOptions, render
from guardlint.report.json import render_json
from tests.helpers import registry

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "schemas" / "report.schema.json"
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
notes: not a Kubernetes object
---
a: [1, 2
"""


@pytest.fixture(scope="module")
def report() -> Report:
    return guardlint.lint_text(TEXT, "deploy.yaml", select=RULES)


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


def _render(report: Report, **kwargs: Any) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(render_json(report, RenderOptions(registry(), **kwargs)))
    return doc


def _validate(doc: object, schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(schema).validate(doc)


def test_schema_is_valid_draft_2020_12(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def _walk_properties(node: object, where: str) -> list[str]:
    """Every property of every object schema that has no description."""
    missing: list[str] = []
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            for name, sub in props.items():
                if not (isinstance(sub, dict) and isinstance(sub.get("description"), str) and sub["description"]):
                    missing.append(f"{where}.{name}")
        for key, value in node.items():
            missing += _walk_properties(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            missing += _walk_properties(value, f"{where}[{i}]")
    return missing


def test_every_schema_property_is_described(schema: dict[str, Any]) -> None:
    assert _walk_properties(schema, "#") == []


def test_output_validates_against_schema(report: Report, schema: dict[str, Any]) -> None:
    for verbose in (False, True):
        _validate(_render(report, verbose=verbose), schema)


def test_file_level_finding_validates(report: Report, schema: dict[str, Any]) -> None:
    odd = report._replace(findings=(report.findings[0]._replace(resource=None, path=()),))
    doc = _render(odd)
    _validate(doc, schema)
    assert doc["findings"][0]["resource"] is None
    assert doc["findings"][0]["path"] == ""


def test_empty_report_validates(schema: dict[str, Any]) -> None:
    empty = guardlint.lint_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", "cm.yaml", select=RULES)
    doc = _render(empty)
    _validate(doc, schema)
    assert doc["findings"] == []
    assert doc["errors"] == []
    assert doc["summary"]["resources"] == 1


def test_every_input_error_kind_validates(schema: dict[str, Any]) -> None:
    """The schema's list of error kinds is the ErrorKind enum (incomplete-object, render-failed and
    renderer-unavailable were once missing from it, so a report with them did not validate)."""
    from guardlint.findings import ErrorKind, InputError

    empty = guardlint.lint_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", "cm.yaml", select=RULES)
    errors = tuple(InputError(kind, "x.yaml", 1, 1, "message", "hint") for kind in ErrorKind)
    doc = _render(empty._replace(errors=errors))
    _validate(doc, schema)
    assert [e["code"] for e in doc["errors"]] == [kind.value[1] for kind in ErrorKind]
    assert schema["$defs"]["inputError"]["properties"]["kind"]["enum"] == [kind.slug for kind in ErrorKind]


def test_schema_rejects_unknown_fields(report: Report, schema: dict[str, Any]) -> None:
    doc = _render(report)
    doc["findings"][0]["extra"] = 1
    with pytest.raises(jsonschema.ValidationError):
        _validate(doc, schema)
    doc = _render(report)
    doc["surprise"] = True
    with pytest.raises(jsonschema.ValidationError):
        _validate(doc, schema)


def test_header(report: Report) -> None:
    doc = _render(report)
    assert doc["version"] == 1
    assert doc["tool"] == {"name": "guardlint", "version": guardlint.__version__}
    assert _render(report, tool_version="9.9.9")["tool"]["version"] == "9.9.9"


def test_findings_round_trip(report: Report) -> None:
    doc = _render(report)
    assert len(doc["findings"]) == len(report.findings) == 4
    for got, f in zip(doc["findings"], report.findings, strict=True):
        assert got["rule"] == f.rule
        assert got["code"] == f.code
        assert got["severity"] == f.severity.value
        assert got["message"] == f.message
        assert got["file"] == f.file == "deploy.yaml"
        assert (got["line"], got["column"], got["endLine"], got["endColumn"]) == (
            f.location.line, f.location.column, f.location.end_line, f.location.end_column,
        )
        assert got["path"] == f.dotted_path
        assert f.resource is not None
        assert got["resource"] == {
            "apiVersion": f.resource.api_version, "kind": f.resource.kind,
            "name": f.resource.name, "namespace": f.resource.namespace,
        }
        assert got["remediation"] == f.remediation
        assert got["suppressed"] is f.suppressed
        assert got["suppressionReason"] == f.suppression_reason
        assert got["origin"] == f.origin
        assert got["exact"] is f.exact


def test_specific_fields(report: Report) -> None:
    by_key = {(f["rule"], f["resource"]["name"]): f for f in _render(report)["findings"]}
    priv = by_key[("privileged-container", "web")]
    assert priv["path"] == "spec.containers[0].securityContext.privileged"
    assert (priv["line"], priv["column"]) == (13, 9)
    assert priv["origin"] == "chart/templates/web.yaml"
    assert priv["exact"] is True
    assert priv["suppressed"] is False
    assert priv["suppressionReason"] is None

    missing = by_key[("missing-memory-limit", "web")]
    assert missing["exact"] is False
    assert missing["path"] == "spec.containers[0].resources.limits.memory"

    dup = by_key[("duplicate-key", "web")]
    assert dup["path"] == "spec.containers[0].image"
    assert dup["line"] == 11

    suppressed = by_key[("privileged-container", "debug")]
    assert suppressed["suppressed"] is True
    assert suppressed["suppressionReason"] == "annotation: break-glass pod, see INC-42"
    assert suppressed["origin"] is None
    assert suppressed["resource"]["namespace"] is None


def test_suppressed_findings_are_included_regardless_of_show_suppressed(report: Report) -> None:
    for show in (False, True):
        doc = _render(report, show_suppressed=show)
        assert sum(f["suppressed"] for f in doc["findings"]) == 1


def test_input_errors(report: Report) -> None:
    errors = _render(report)["errors"]
    assert errors == [{
        "kind": "yaml-syntax-error",
        "code": "GL001",
        "file": "deploy.yaml",
        "line": report.errors[0].line,
        "column": report.errors[0].column,
        "message": report.errors[0].message,
        "hint": report.errors[0].hint,
    }]
    assert errors[0]["line"] == 33


def test_summary(report: Report) -> None:
    assert _render(report)["summary"] == {
        "files": 1,
        "resources": 2,
        "skippedDocuments": 1,
        "errors": 1,
        "suppressed": 1,
        "baselined": 0,
        "bySeverity": {"error": 2, "warning": 1, "info": 0},
    }
    assert _render(report._replace(baselined=3))["summary"]["baselined"] == 3


def test_skipped_only_when_verbose(report: Report) -> None:
    assert "skipped" not in _render(report)
    assert _render(report, verbose=True)["skipped"] == [
        {"file": "deploy.yaml", "line": 30, "reason": report.skipped[0].reason}
    ]


def test_deterministic_and_sorted(report: Report) -> None:
    options = RenderOptions(registry())
    first = render_json(report, options)
    shuffled = report._replace(findings=tuple(reversed(report.findings)), errors=tuple(reversed(report.errors)))
    assert render_json(shuffled, options) == first
    assert render(report, "json", options) == first
    assert first.endswith("}\n")
    lines = [(f["file"], f["line"], f["column"]) for f in json.loads(first)["findings"]]
    assert lines == sorted(lines)


def test_lone_surrogates_are_spelled_out(report: Report) -> None:
    # A file name that is not UTF-8 decodes with lone surrogates (os.fsdecode: byte 0xff -> U+DCFF); the report
    # spells each as the text formats do, so it is valid UTF-8 that strict JSON parsers read (no "\\udcff").
    odd = report._replace(findings=(report.findings[0]._replace(message="bad \ud800 value é",
                                                                 file="caf\udce9/g\udcffh.yaml"),))
    text = render_json(odd, RenderOptions(registry()))
    text.encode("utf-8")
    assert "é" in text and "\\udc" not in text and "\\ud800" not in text.replace("\\\\ud800", "")
    finding = json.loads(text)["findings"][0]
    assert finding["message"] == "bad \\ud800 value é"
    assert finding["file"] == "caf\\xe9/g\\xffh.yaml"
    plain = report._replace(findings=(report.findings[0]._replace(message="naïve ‘quote’"),))
    assert "naïve ‘quote’" in render_json(plain, RenderOptions(registry()))


def _from_json(d: dict[str, Any], document_index: int) -> Finding:
    r = d["resource"]
    return Finding(
        rule=d["rule"],
        code=d["code"],
        severity=Severity(d["severity"]),
        message=d["message"],
        file=d["file"],
        location=Location(d["line"], d["column"], d["endLine"], d["endColumn"]),
        path=parse_dotted(d["path"]),
        resource=ResourceRef(r["apiVersion"], r["kind"], r["name"], r["namespace"]) if r else None,
        remediation=d["remediation"],
        origin=d["origin"],
        document_index=document_index,
        suppressed=d["suppressed"],
        suppression_reason=d["suppressionReason"],
        exact=d["exact"],
        fix=_fix_from_json(d["fix"]),
    )


def _fix_from_json(d: dict[str, Any] | None) -> Fix | None:
    if d is None:
        return None
    edits = tuple(FixEdit(e["op"], parse_dotted(e["path"]), e["value"]) for e in d["edits"])
    return Fix(d["replacement"] if d["replacement"] is not None else "", d["description"], edits, d["safety"])


def test_findings_rebuild_exactly(report: Report) -> None:
    doc = _render(report)
    rebuilt = tuple(_from_json(d, f.document_index) for d, f in zip(doc["findings"], report.findings, strict=True))
    assert rebuilt == report.findings
