"""Comment directives: where they apply, what they name, and what makes them invalid."""

from __future__ import annotations

import pytest

from guardlint.config.model import Config, make_plan
from guardlint.engine import lint_loaded
from guardlint.findings import Report
from guardlint.model.workloads import default_table
from guardlint.rules.core import rules as core_rules
from guardlint.rules.registry import build_registry
from guardlint.rules.security.privileged_container import RULE as PRIVILEGED
from guardlint.source.directives import Directive, Scope, scan_directives
from guardlint.source.loader import load_text

REGISTRY = build_registry([core_rules(), [PRIVILEGED]])

POD = """apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: a
      image: nginx:1.27
      securityContext:
        privileged: true{a}
    - name: b
      image: nginx:1.27
      securityContext:
        privileged: true{b}
"""


def scan(text: str, offset: int = 0) -> list[tuple[int, int, Scope, int, tuple[str, ...], str, str | None]]:
    return [(d.line, d.column, d.scope, d.target_line, d.rules, d.reason, d.problem)
            for d in scan_directives(text, offset)]


def lint(text: str) -> Report:
    cfg = Config(select=("privileged-container", "unused-suppression", "invalid-suppression"))
    plan = make_plan(REGISTRY, cfg, workloads=default_table())
    return lint_loaded([load_text(text, "d.yaml")], plan, raise_errors=True)


def states(report: Report) -> list[tuple[str, int, bool]]:
    return [(f.rule, f.line, f.suppressed) for f in report.findings]


# --- placement -----------------------------------------------------------------------------------------


def test_trailing_directive_covers_its_own_line() -> None:
    text = "a: 1\nb: 2  # guardlint: ignore some-rule -- because\n"
    assert scan(text) == [(2, 7, Scope.LINE, 2, ("some-rule",), "because", None)]
    report = lint(POD.format(a="  # guardlint: ignore privileged-container -- host tool", b=""))
    assert states(report) == [("privileged-container", 10, True), ("privileged-container", 14, False)]
    assert report.findings[0].suppression_reason == "comment: host tool"


def test_own_line_directive_covers_the_next_content_line() -> None:
    text = "a: 1\n# guardlint: ignore some-rule -- why\n\n# another comment\nb: 2\n"
    assert scan(text) == [(2, 1, Scope.LINE, 5, ("some-rule",), "why", None)]
    pod = POD.format(a="", b="").replace(
        "      securityContext:\n        privileged: true\n    - name: b",
        "      securityContext:\n        # guardlint: ignore privileged-container -- first only\n"
        "        privileged: true\n    - name: b",
    )
    assert states(lint(pod)) == [("privileged-container", 11, True), ("privileged-container", 15, False)]


def test_directive_before_the_first_content_line_covers_the_document() -> None:
    text = "---\n# Source: chart/x.yaml\n# guardlint: ignore privileged-container -- whole pod\n" + \
        POD.format(a="", b="") + "---\n" + POD.format(a="", b="")
    lt = load_text(text, "x.yaml")
    assert [(d.line, d.scope) for d in lt.documents[0].directives] == [(3, Scope.DOCUMENT)]
    assert lt.documents[1].directives == ()
    assert states(lint(text)) == [("privileged-container", 13, True), ("privileged-container", 17, True),
                                  ("privileged-container", 28, False), ("privileged-container", 32, False)]


def test_directive_trailing_a_bare_marker_covers_the_document() -> None:
    assert scan("--- # guardlint: ignore r -- all\na: 1\n") == [(1, 5, Scope.DOCUMENT, 0, ("r",), "all", None)]
    assert scan("--- {a: 1}  # guardlint: ignore r -- line\n") == [(1, 13, Scope.LINE, 1, ("r",), "line", None)]


def test_ignore_document_applies_wherever_it_stands() -> None:
    text = POD.format(a="", b="  # guardlint: ignore-document privileged-container -- all of it")
    assert [d.scope for d in scan_directives(text, 0)] == [Scope.DOCUMENT]
    assert states(lint(text)) == [("privileged-container", 10, True), ("privileged-container", 14, True)]
    assert scan("a: 1\n# guardlint: ignore-document r -- last line\n")[0][2:] == (Scope.DOCUMENT, 2, ("r",),
                                                                                  "last line", None)


def test_ignore_next_line_trailing_covers_the_next_line() -> None:
    assert scan("a: 1  # guardlint: ignore-next-line r -- next\n\nb: 2\n") == [
        (1, 7, Scope.LINE, 3, ("r",), "next", None)
    ]


def test_directive_with_nothing_after_it_is_invalid() -> None:
    assert scan("a: 1\n# guardlint: ignore r -- dangling\n") == [
        (2, 1, Scope.LINE, 2, ("r",), "dangling", "nothing follows this comment")
    ]


def test_line_offset_is_added() -> None:
    assert scan("a: 1 # guardlint: ignore r -- x\n", offset=10)[0][:4] == (11, 6, Scope.LINE, 11)


# --- rules, codes, reasons -----------------------------------------------------------------------------


def test_several_rules_and_codes() -> None:
    text = "a: 1 # guardlint: ignore privileged-container, SEC020 unused-suppression -- several\n"
    assert scan(text)[0][4] == ("privileged-container", "SEC020", "unused-suppression")
    pod = POD.format(a="  # guardlint: ignore sec003 -- a code in any case", b="  # guardlint: ignore SEC003 -- code")
    assert states(lint(pod)) == [("privileged-container", 10, True), ("privileged-container", 14, True)]


def test_reason_may_contain_dashes_and_hashes() -> None:
    (d,) = scan_directives("a: 1 # guardlint: ignore r -- see issue #12 -- and more\n", 0)
    assert (d.rules, d.reason, d.problem) == (("r",), "see issue #12 -- and more", None)


@pytest.mark.parametrize(
    ("comment", "problem"),
    [
        ("# guardlint: ignore privileged-container", "has no reason"),
        ("# guardlint: ignore privileged-container --", "has no reason"),
        ("# guardlint: ignore privileged-container --   ", "has no reason"),
        ("# guardlint: ignore -- a reason but no rule", "names no rule"),
        ("# guardlint: ignore", "names no rule"),
        ("# guardlint: disable privileged-container -- wrong verb", "unknown directive"),
        ("# guardlint: ignorex privileged-container -- typo", "unknown directive"),
        ("# guardlint: ignore-file privileged-container -- not a scope", "unknown directive"),
    ],
    ids=["no-reason", "empty-reason", "blank-reason", "no-rule", "bare", "unknown-verb", "glued-verb",
         "unknown-scope"],
)
def test_malformed_directives_are_invalid_and_suppress_nothing(comment: str, problem: str) -> None:
    (d,) = scan_directives(f"a: 1  {comment}\n", 0)
    assert d.problem is not None and problem in d.problem
    report = lint(POD.format(a="  " + comment, b=""))
    assert [(f.rule, f.line, f.suppressed) for f in report.findings] == [
        ("privileged-container", 10, False),
        ("invalid-suppression", 10, False),
        ("privileged-container", 14, False),
    ]
    invalid = next(f for f in report.findings if f.rule == "invalid-suppression")
    assert invalid.column == 27 and problem in invalid.message


def test_unknown_rule_name_suggests_the_closest() -> None:
    report = lint(POD.format(a="  # guardlint: ignore privileged-containr -- typo", b=""))
    invalid = [f for f in report.findings if f.rule == "invalid-suppression"]
    assert [(f.line, f.column) for f in invalid] == [(10, 27)]
    assert "unknown rule 'privileged-containr'; did you mean 'privileged-container'?" in invalid[0].message
    assert not report.findings[0].suppressed


def test_expect_markers_are_not_directives() -> None:
    assert scan_directives("a: 1  # expect: privileged-container\n# expect: x\n", 0) == ()
    # A directive followed by a test marker: the marker is neither a rule name nor part of the names.
    (d,) = scan_directives("a: 1 # guardlint: ignore privileged-container  # expect: invalid-suppression\n", 0)
    assert d.rules == ("privileged-container",)
    assert d.problem is not None and "no reason" in d.problem


# --- what is not a directive ---------------------------------------------------------------------------


def test_directive_text_inside_strings_is_data() -> None:
    text = """apiVersion: v1
kind: ConfigMap
metadata:
  name: c
data:
  quoted: "not # guardlint: ignore x -- a comment"
  single: 'neither # guardlint: ignore x -- this'
  script: |
    # guardlint: ignore x -- shell comment inside a block scalar
    echo hi
  real: 1 # guardlint: ignore privileged-container -- a real one
"""
    (doc,) = load_text(text, "c.yaml").documents
    assert [(d.line, d.rules) for d in doc.directives] == [(11, ("privileged-container",))]
    assert doc.data["data"]["script"].startswith("# guardlint:")


def test_hash_without_space_is_not_a_comment() -> None:
    assert scan_directives("a: x#guardlint: ignore r -- no\n", 0) == ()


def test_directives_of_each_document_are_separate() -> None:
    text = "a: 1 # guardlint: ignore r -- one\n---\nb: 2\n---\n# guardlint: ignore q -- three\nc: 3\n"
    docs = load_text(text, "x.yaml").documents
    assert [[(d.line, d.rules, d.scope) for d in doc.directives] for doc in docs] == [
        [(1, ("r",), Scope.LINE)], [], [(5, ("q",), Scope.DOCUMENT)]
    ]


def test_directive_is_a_value_object() -> None:
    d = Directive(1, 2, Scope.LINE, 1, ("r",), "why")
    assert d.problem is None and d == Directive(1, 2, Scope.LINE, 1, ("r",), "why")
