"""Fixes on Argo templates completed from ``templateDefaults``: a structural fix is offered where it lands as
written (the template's own fields), and not where the pod the rule judged holds a value from the defaults or
a list item the merge moved, nor on a pod made by a builder."""

from __future__ import annotations

from pathlib import Path

from guardlint.api import lint_text
from guardlint.cli import main

WORKFLOW = """\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: wf
spec:
  entrypoint: main
  templateDefaults:
    timeout: 30s
    container:
      securityContext:
        runAsUser: 1000
  templates:
  - name: main
    container:
      image: busybox:1.36
  - name: other
    script:
      image: python:3.12
      source: print(1)
"""

TEKTON = """\
apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  steps:
  - name: s
    image: busybox:1.36
"""


def _fixes(text: str) -> dict[tuple[str, str], bool]:
    report = lint_text(text, "wf.yaml", select=["all"])
    return {(f.rule, ".".join(str(p) for p in f.path)): f.fix is not None for f in report.findings}


def test_fix_on_the_templates_own_fields_is_offered() -> None:
    fixes = _fixes(WORKFLOW)
    # The template's own fields: written where the merged pod has them (the defaults set timeout elsewhere).
    assert fixes[("run-as-root-allowed", "spec.templates.0.securityContext.runAsNonRoot")]
    assert fixes[("service-account-token-automounted", "spec.templates.0.automountServiceAccountToken")]
    # The script template keeps its type: the defaults' container is dropped, so nothing of it is aliased.
    assert fixes[("privilege-escalation-allowed", "spec.templates.1.script.securityContext.allowPrivilegeEscalation")]
    # The main template's container.securityContext comes from the defaults: the finding is led there, where
    # no fix is offered (it would change every template).
    assert not fixes[("privilege-escalation-allowed",
                      "spec.templateDefaults.container.securityContext.allowPrivilegeEscalation")]
    assert ("privilege-escalation-allowed", "spec.templates.0.container.securityContext.allowPrivilegeEscalation"
            ) not in fixes


def test_no_structural_fix_on_a_pod_made_by_a_builder() -> None:
    fixes = _fixes(TEKTON)
    assert fixes and not any(fixes.values())


def test_the_applied_fix_is_what_the_merged_pod_needed(tmp_path: Path) -> None:
    target = tmp_path / "wf.yaml"
    target.write_text(WORKFLOW)
    main(["check", str(target), "--no-config", "--select", "run-as-root-allowed", "--fix", "--unsafe-fixes",
          "--fail-on", "never", "--quiet"])
    text = target.read_text()
    assert "runAsNonRoot: true" in text and text.count("runAsNonRoot") == 2
    after = lint_text(text, "wf.yaml", select=["run-as-root-allowed"])
    assert not after.findings


def test_an_edit_at_above_or_below_an_alias_is_not_offered() -> None:
    from guardlint.engine import _edits_in_place
    from guardlint.findings import Fix, FixEdit
    from guardlint.model.resource import resources_of
    from guardlint.model.workloads import default_table
    from guardlint.rules.api import RuleContext
    from guardlint.source.loader import load_text

    resource = next(iter(resources_of(load_text(WORKFLOW, "wf.yaml").documents[0])))
    ctx = RuleContext(None, (1, 37), default_table().for_run(), {})  # type: ignore[arg-type]
    t0 = ("spec", "templates", 0)
    aliased = (*t0, "container", "securityContext", "runAsUser")  # from the defaults

    def offered(*edits: FixEdit) -> bool:
        return _edits_in_place(Fix("", "", edits), resource, ctx)

    assert offered(FixEdit("set", (*t0, "securityContext", "runAsNonRoot"), True))
    assert offered(FixEdit("append", (*t0, "tolerations"), {"key": "x"}))
    assert not offered(FixEdit("set", aliased, 2000))  # at
    assert not offered(FixEdit("set", (*t0, "container", "securityContext", "runAsUser", "x"), 1))  # below
    assert not offered(FixEdit("set", (*t0, "container", "securityContext"), 1))  # above
    assert not offered(FixEdit("set", (*t0, "timeout"), "1m"))  # the defaults' timeout
    assert not offered(FixEdit("set", (*t0, "nodeSelector"), {"a": "b"}))  # a mapping may merge with defaults
    assert not offered(FixEdit("remove", (*t0, "securityContext")))  # may uncover a default
    assert not offered(FixEdit("set", (*t0, "securityContext", "runAsNonRoot"), True),
                       FixEdit("set", aliased, 2000))  # every edit must be in place
