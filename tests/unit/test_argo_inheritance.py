"""Argo Workflows: workflow-level pod settings apply to every template that leaves them unset."""

from __future__ import annotations

import guardlint

WORKFLOW = """apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: build-
spec:
  entrypoint: main
  securityContext:
    runAsNonRoot: true
    runAsUser: 1000
    seccompProfile: {type: RuntimeDefault}
  serviceAccountName: builder
  templates:
    - name: main
      steps:
        - - name: compile
            template: compile
    - name: compile
      container:
        image: golang:1.23
        securityContext:
          allowPrivilegeEscalation: false
          capabilities: {drop: [ALL]}
    - name: own
      securityContext:
        runAsNonRoot: false
      script:
        image: python:3.12
        source: print(1)
        securityContext:
          allowPrivilegeEscalation: false
          capabilities: {drop: [ALL]}
"""


def _findings(text: str, select: list[str]) -> list[tuple[str, int, str]]:
    report = guardlint.lint_text(text, "wf.yaml", select=select)
    return [(f.rule, f.line, f.dotted_path) for f in report.active]


def test_workflow_security_context_covers_templates() -> None:
    found = _findings(WORKFLOW, ["pss-restricted"])
    # Only the template with a securityContext of its own is reported: Argo takes a template's
    # securityContext instead of the workflow's, as a whole, so it lost the seccomp profile too.
    assert found == [
        ("missing-seccomp-profile", 24, "spec.templates[2].securityContext.seccompProfile.type"),
        ("run-as-root-allowed", 25, "spec.templates[2].securityContext.runAsNonRoot"),
    ]


def test_templates_that_run_no_pod_are_not_pods() -> None:
    assert not _findings(WORKFLOW, ["default-service-account", "shared-host-namespace"])


def test_workflow_level_host_network_applies_to_each_pod() -> None:
    text = WORKFLOW.replace("  serviceAccountName: builder\n", "  serviceAccountName: builder\n  hostNetwork: true\n")
    found = _findings(text, ["shared-host-namespace"])
    # It applies to both templates that run a pod (not the steps template): reported once, where it is written
    # (line 12), not on the templates, where nothing is written (see test_argo_inherited_location.py).
    assert found == [("shared-host-namespace", 12, "spec.hostNetwork")]
    one_pod = text.replace("    - name: own\n", "    - name: own\n      hostNetwork: false\n")
    assert _findings(one_pod, ["shared-host-namespace"]) == [("shared-host-namespace", 12, "spec.hostNetwork")]
    assert not _findings(one_pod.replace("hostNetwork: true", "hostNetwork: false"), ["shared-host-namespace"])
