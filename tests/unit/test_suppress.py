"""Suppressions: annotations, comments and config exemptions mark findings (which stay in the report);
unused and invalid suppressions are findings of their own."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from guardlint.cli import main
from guardlint.config.model import Config, Exemption, make_plan
from guardlint.engine import lint_loaded
from guardlint.findings import Report, Severity
from guardlint.model.workloads import default_table
from guardlint.rules.core import rules as core_rules
from guardlint.rules.registry import build_registry
from guardlint.rules.security.privileged_container import RULE as PRIVILEGED
from guardlint.rules.security.unpinned_image import RULE as UNPINNED
from guardlint.source.loader import load_text

REGISTRY = build_registry([core_rules(), [PRIVILEGED, UNPINNED]])
ENGINE_RULES = ("unused-suppression", "invalid-suppression")


def lint(text: str, *, select: tuple[str, ...] = ("privileged-container",), file: str = "deploy/app.yaml",
         exemptions: tuple[Exemption, ...] = ()) -> Report:
    cfg = Config(select=(*select, *ENGINE_RULES), exemptions=exemptions)
    plan = make_plan(REGISTRY, cfg, workloads=default_table())
    return lint_loaded([load_text(text, file)], plan, raise_errors=True)


def states(report: Report) -> list[tuple[str, int, bool, str | None]]:
    return [(f.rule, f.line, f.suppressed, f.suppression_reason) for f in report.findings]


def pod(annotations: str = "", name: str = "web", namespace: str | None = "prod", kind: str = "Pod") -> str:
    ns = f"\n  namespace: {namespace}" if namespace else ""
    ann = f"\n  annotations:\n{annotations}" if annotations else ""
    return f"""apiVersion: v1
kind: {kind}
metadata:
  name: {name}{ns}{ann}
spec:
  containers:
    - name: c
      image: nginx:1.27
      securityContext:
        privileged: true
"""


# --- annotations ---------------------------------------------------------------------------------------


def test_annotation_marks_the_finding_and_keeps_it() -> None:
    report = lint(pod('    ignore.guardlint.dev/privileged-container: "CNI agent needs it"'))
    assert states(report) == [("privileged-container", 13, True, "annotation: CNI agent needs it")]
    assert report.active == ()
    assert len(report.suppressed) == 1
    assert report.summary().suppressed == 1
    assert report.exit_code(Severity.ERROR) == 0


def test_annotation_may_name_the_code() -> None:
    report = lint(pod('    ignore.guardlint.dev/SEC003: "by code"'))
    assert states(report) == [("privileged-container", 13, True, "annotation: by code")]


def test_annotation_applies_to_its_own_object_only() -> None:
    text = """apiVersion: v1
kind: List
items:
""" + "".join("  " + line + "\n" for line in (
        "- " + pod('    ignore.guardlint.dev/privileged-container: "first"', name="a").replace("\n", "\n  ").strip()
        + "\n- " + pod(name="b").replace("\n", "\n  ").strip()
    ).split("\n"))
    report = lint(text)
    assert [(f.resource.name if f.resource else None, f.suppressed) for f in report.findings] == [
        ("a", True), ("b", False)]


def test_annotation_of_another_rule_does_not_suppress() -> None:
    report = lint(pod('    ignore.guardlint.dev/unpinned-image: "not this one"'),
                  select=("privileged-container", "unpinned-image"))
    privileged = [f for f in report.findings if f.rule == "privileged-container"]
    assert [f.suppressed for f in privileged] == [False]
    unused = [f for f in report.findings if f.rule == "unused-suppression"]
    assert [(f.line, f.column) for f in unused] == [(7, 5)]


@pytest.mark.parametrize(
    ("annotation", "message"),
    [
        ('    ignore.guardlint.dev/privileged-containr: "typo"',
         "annotation 'ignore.guardlint.dev/privileged-containr' names no rule; did you mean 'privileged-container'?"),
        ('    ignore.guardlint.dev/privileged-container: ""', "gives no reason"),
        ("    ignore.guardlint.dev/privileged-container: '   '", "gives no reason"),
        ("    ignore.guardlint.dev/privileged-container: true", "gives no reason"),
    ],
    ids=["unknown-rule", "empty-reason", "blank-reason", "not-a-string"],
)
def test_invalid_annotations_are_reported_and_suppress_nothing(annotation: str, message: str) -> None:
    report = lint(pod(annotation))
    assert [(f.rule, f.line, f.column, f.suppressed) for f in report.findings] == [
        ("invalid-suppression", 7, 5, False),  # at the annotation key
        ("privileged-container", 13, 9, False),
    ]
    assert message in report.findings[0].message
    assert report.findings[0].path == ("metadata", "annotations", annotation.split(":", 1)[0].strip())


def test_unused_annotation_is_reported_at_its_key() -> None:
    text = pod('    ignore.guardlint.dev/SEC003: "stale"').replace("privileged: true", "privileged: false")
    report = lint(text)
    assert [(f.rule, f.line, f.column, f.exact) for f in report.findings] == [("unused-suppression", 7, 5, True)]
    assert "'ignore.guardlint.dev/SEC003' suppresses nothing" in report.findings[0].message


def test_annotation_for_a_rule_that_did_not_run_is_not_unused() -> None:
    report = lint(pod('    ignore.guardlint.dev/unpinned-image: "not selected"'))
    assert [f.rule for f in report.findings] == ["privileged-container"]


def test_other_annotations_are_ignored() -> None:
    report = lint(pod('    guardlint.dev/privileged-container: "x"\n    ignore.example.com/privileged-container: "y"'))
    assert states(report) == [("privileged-container", 14, False, None)]


# --- comments ------------------------------------------------------------------------------------------


def test_comment_suppression_marks_the_finding() -> None:
    text = pod().replace("privileged: true", "privileged: true  # guardlint: ignore privileged-container -- why")
    assert states(lint(text)) == [("privileged-container", 11, True, "comment: why")]


def test_comment_and_annotation_together_report_the_annotation_reason() -> None:
    text = pod('    ignore.guardlint.dev/privileged-container: "ann"').replace(
        "privileged: true", "privileged: true  # guardlint: ignore privileged-container -- com")
    assert states(lint(text)) == [("privileged-container", 13, True, "annotation: ann")]


def test_unused_comment_is_reported_at_the_comment() -> None:
    text = pod().replace("image: nginx:1.27", "image: nginx:1.27  # guardlint: ignore privileged-container -- stale")
    report = lint(text)
    assert [(f.rule, f.line, f.column, f.suppressed) for f in report.findings] == [
        ("unused-suppression", 9, 26, False), ("privileged-container", 11, 9, False)]
    assert "suppression comment for privileged-container suppresses nothing" in report.findings[0].message


def test_comment_for_a_rule_that_did_not_run_is_not_unused() -> None:
    text = pod().replace("image: nginx:1.27", "image: nginx:1.27  # guardlint: ignore unpinned-image -- not selected")
    assert [f.rule for f in lint(text).findings] == ["privileged-container"]


def test_invalid_comment_is_reported_and_suppresses_nothing() -> None:
    text = pod().replace("privileged: true", "privileged: true  # guardlint: ignore privileged-container")
    report = lint(text)
    assert [(f.rule, f.line, f.column, f.suppressed) for f in report.findings] == [
        ("privileged-container", 11, 9, False), ("invalid-suppression", 11, 27, False)]


def test_unknown_rule_in_comment_suggests_the_closest() -> None:
    text = pod().replace("privileged: true", "privileged: true  # guardlint: ignore unpined-image -- typo")
    report = lint(text)
    (invalid,) = [f for f in report.findings if f.rule == "invalid-suppression"]
    assert "unknown rule 'unpined-image'; did you mean 'unpinned-image'?" in invalid.message


# --- config exemptions ---------------------------------------------------------------------------------

EXEMPTION_CASES = [
    (Exemption("rule", rules=("privileged-container",)), True),
    (Exemption("code", rules=("SEC003",)), True),
    (Exemption("other rule", rules=("unpinned-image",)), False),
    (Exemption("path glob", paths=("deploy/*",)), True),
    (Exemption("path glob below", paths=("*.yaml",)), True),
    (Exemption("other path", paths=("other/*",)), False),
    (Exemption("namespace", namespaces=("prod",)), True),
    (Exemption("namespace glob", namespaces=("pr*",)), True),
    (Exemption("other namespace", namespaces=("kube-system",)), False),
    (Exemption("kind", kinds=("Pod",)), True),
    (Exemption("other kind", kinds=("Deployment",)), False),
    (Exemption("name", names=("web",)), True),
    (Exemption("name glob", names=("w*",)), True),
    (Exemption("other name", names=("api",)), False),
    (Exemption("all match", rules=("privileged-container",), paths=("deploy/*",), namespaces=("prod",),
               kinds=("Pod",), names=("web",)), True),
    (Exemption("one criterion fails", rules=("privileged-container",), paths=("deploy/*",), namespaces=("prod",),
               kinds=("Pod",), names=("api",)), False),
    (Exemption("any of several values", rules=("unpinned-image", "privileged-container"), kinds=("Job", "Pod")),
     True),
]


@pytest.mark.parametrize(("exemption", "suppressed"), EXEMPTION_CASES, ids=[e.reason for e, _ in EXEMPTION_CASES])
def test_exemptions(exemption: Exemption, suppressed: bool) -> None:
    report = lint(pod(), exemptions=(exemption,))
    assert [(f.rule, f.suppressed) for f in report.findings] == [("privileged-container", suppressed)]
    if suppressed:
        assert report.findings[0].suppression_reason == f"exemption: {exemption.reason}"


def test_namespace_exemption_does_not_match_an_object_without_namespace() -> None:
    report = lint(pod(namespace=None), exemptions=(Exemption("any namespace", namespaces=("*",)),))
    assert [f.suppressed for f in report.findings] == [False]


def test_first_matching_exemption_gives_the_reason() -> None:
    report = lint(pod(), exemptions=(Exemption("no", names=("api",)), Exemption("first", kinds=("Pod",)),
                                     Exemption("second", rules=("SEC003",))))
    assert states(report) == [("privileged-container", 11, True, "exemption: first")]


def test_comment_wins_over_exemption_and_exemptions_built_in_code_are_never_reported_unused() -> None:
    text = pod().replace("privileged: true", "privileged: true  # guardlint: ignore privileged-container -- com")
    report = lint(text, exemptions=(Exemption("ex", kinds=("Pod",)), Exemption("matches nothing", kinds=("Job",))))
    assert states(report) == [("privileged-container", 11, True, "comment: com")]


def test_exemptions_from_a_config_file_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".guardlint.yaml").write_text(
        "select: [privileged-container]\n"
        "exemptions:\n"
        "  - reason: node agents need it\n"
        "    rules: [privileged-container]\n"
        "    namespaces: [kube-*]\n"
        "    kinds: [Pod]\n"
        "  - reason: never matches (every criterion must)\n"
        "    rules: [privileged-container]\n"
        "    names: [web]\n"
        "    namespaces: [other]\n",
        encoding="utf-8",
    )
    (tmp_path / "agent.yaml").write_text(pod(name="agent", namespace="kube-system"), encoding="utf-8")
    (tmp_path / "web.yaml").write_text(pod(), encoding="utf-8")
    out = io.StringIO()
    assert main(["agent.yaml", "web.yaml", "--format", "json"], out=out, err=io.StringIO()) == 1
    findings = json.loads(out.getvalue())["findings"]
    found = [(f["file"], f["suppressed"], f["suppressionReason"]) for f in findings]
    assert found == [(".guardlint.yaml", False, None),  # the exemption that matches nothing, reported
                     ("agent.yaml", True, "exemption: node agents need it"), ("web.yaml", False, None)]
    assert (findings[0]["rule"], findings[0]["line"]) == ("unused-suppression", 7)


# --- findings reached through a YAML alias ---------------------------------------------------------------

_SHARED = """apiVersion: v1
kind: Pod
metadata: {name: web, namespace: prod}
spec:
  containers:
    - name: a
      image: nginx:1.27
      securityContext: &sc
        privileged: true
    - name: b
      image: nginx:1.27
      securityContext: *sc  # guardlint: ignore privileged-container -- b is the debug shell
    - &base
      name: c
      image: nginx:1.27
      securityContext: {privileged: true}
    - <<: *base  # guardlint: ignore privileged-container -- d copies c for a one-off migration
      name: d
"""


def test_a_comment_on_the_alias_line_suppresses_what_the_alias_brings(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    report = lint(_SHARED)
    assert states(report) == [
        ("privileged-container", 9, False, None),  # a: at the anchor, its own field
        ("privileged-container", 12, True, "comment: b is the debug shell"),
        ("privileged-container", 16, False, None),  # c
        ("privileged-container", 17, True, "comment: d copies c for a one-off migration"),
    ]
    # the command's own loading (the compact position map, which keeps anchored documents' node trees)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shared.yaml").write_text(_SHARED, encoding="utf-8")
    out = io.StringIO()
    assert main(["shared.yaml", "--select", "privileged-container", "--format", "json"], out=out,
                err=io.StringIO()) == 1
    found = [(f["line"], f["column"], f["suppressed"]) for f in json.loads(out.getvalue())["findings"]]
    assert found == [(9, 9, False), (12, 24, True), (16, 25, False), (17, 11, True)]


def test_comments_are_looked_up_by_line_not_scanned_per_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    """A document with a suppression comment on each of N lines and a finding on each: each finding is matched
    against the comments of its own line and of the whole document only (N matches, not N squared), and the
    first matching comment in document order gives the reason, as before."""
    from guardlint import suppress

    calls = [0]
    real = suppress._rule_matches

    def counted(names: object, finding: object) -> bool:
        calls[0] += 1
        return real(names, finding)  # type: ignore[arg-type]

    monkeypatch.setattr(suppress, "_rule_matches", counted)
    n = 400
    containers = "".join(
        f"    - name: c{i}\n      image: nginx:1.27\n      securityContext:\n"
        f"        privileged: true  # guardlint: ignore privileged-container -- sandbox {i}\n"
        for i in range(n)
    )
    text = ("# guardlint: ignore-document unpinned-image -- mirrored\napiVersion: v1\nkind: Pod\n"
            f"metadata: {{name: many}}\nspec:\n  containers:\n{containers}")
    report = lint(text)
    found = [f for f in report.findings if f.rule == "privileged-container"]
    assert len(found) == n and all(f.suppressed for f in found)
    assert [f.suppression_reason for f in found] == [f"comment: sandbox {i}" for i in range(n)]
    assert not [f for f in report.findings if f.rule == "invalid-suppression"]
    assert calls[0] == 2 * n  # each finding: its line's comment and the document's one (it was n * (n + 1))


def test_line_and_document_comments_apply_in_document_order() -> None:
    text = ("# guardlint: ignore-document privileged-container -- whole document\n" + pod()
            ).replace("privileged: true", "privileged: true  # guardlint: ignore privileged-container -- this line")
    report = lint(text)
    (f,) = [f for f in report.findings if f.rule == "privileged-container"]
    assert f.suppression_reason == "comment: whole document"
    unused = [f for f in report.findings if f.rule == "unused-suppression"]
    assert unused == []  # both matched the finding, so neither is unused
