"""A document that is not a mapping among Kubernetes objects is the located input error ``not-an-object``
(kubectl apply fails on the file); a stream with no object is passed over as before."""

from __future__ import annotations

from guardlint.engine import lint_loaded
from guardlint.source.loader import load_text
from tests.helpers import settings_for

_OBJECT = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata: {a: b}\n"


def _report(text: str) -> tuple[list[tuple[str, int, int, str]], int, list[str]]:
    plan = settings_for(["privileged-container"]).plan
    report = lint_loaded([load_text(text, "x.yaml")], plan, raise_errors=True)
    errors = [(e.kind.slug, e.line, e.column, e.message) for e in report.errors]
    return errors, report.resources, [s.reason for s in report.skipped]


def test_a_string_document_among_objects_is_a_located_error() -> None:
    errors, count, skipped = _report(f"{_OBJECT}---\n# left over\nthis line lost its hash\n---\n{_OBJECT}")
    assert errors == [("not-an-object", 8, 1, (
        "document is a string, not a mapping, among Kubernetes objects: kubectl apply fails on it ('invalid "
        "object to validate'), so the file cannot be applied"
    ))]
    assert count == 2  # the other documents are still linted
    assert not any("not a mapping" in s for s in skipped)  # reported once, as the error


def test_lists_numbers_and_booleans_are_named() -> None:
    for text, what in (("- a\n- b\n", "a list"), ("42\n", "a number"), ("true\n", "a boolean")):
        errors, _, _ = _report(f"{_OBJECT}---\n{text}")
        assert [(e[0], e[1], e[3].split(",")[0]) for e in errors] == [("not-an-object", 7, f"document is {what}")]


def test_a_stream_without_objects_is_passed_over() -> None:
    errors, count, skipped = _report("- id: check-yaml\n  name: Check YAML\n---\njust text\n")
    assert errors == [] and count == 0
    assert skipped == ["not a mapping (a list)", "not a mapping (a str)"]


def test_empty_documents_are_no_error() -> None:
    errors, count, _ = _report(f"---\n---\n# only a comment\n---\n{_OBJECT}---\nnull\n")
    assert errors == [] and count == 1
