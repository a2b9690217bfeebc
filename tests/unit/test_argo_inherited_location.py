"""Argo Workflows workflow-level pod fields (``spec.hostNetwork``, ``spec.securityContext``, ``spec.volumes``, ...)
apply to the pod of every template that leaves them unset: a finding on such an inherited value points where
the field is written, at the workflow level, and offers no fix on the template (nothing is written there, and
removing the workflow-level field would change every template's pod)."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardlint.api import lint_text
from guardlint.cli import main

WORKFLOW = """\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: wf
spec:
  entrypoint: main
  hostNetwork: true
  templates:
    - name: main
      container:
        image: alpine:3.19
    - name: two
      script:
        image: alpine:3.19
        source: echo
"""

CRON = """\
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: cron
spec:
  schedule: "0 * * * *"
  workflowSpec:
    entrypoint: main
    hostNetwork: true
    templates:
      - name: main
        container:
          image: alpine:3.19
"""

OWN = """\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: wf
spec:
  entrypoint: main
  templates:
    - name: main
      hostNetwork: true
      container:
        image: alpine:3.19
"""

OWN_PRIVILEGED = """\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: wf
spec:
  entrypoint: main
  templates:
    - name: main
      container:
        image: alpine:3.19
        securityContext:
          privileged: true
"""

VOLUMES = """\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: wf
spec:
  entrypoint: main
  volumes:
    - name: scratch
      emptyDir: {}
    - name: docker
      hostPath:
        path: /var/run/docker.sock
  templates:
    - name: own
      volumes:
        - name: data
          emptyDir: {}
      container:
        image: alpine:3.19
    - name: none
      container:
        image: alpine:3.19
"""


def _located(text: str, rule: str) -> list[tuple[str, int, bool]]:
    report = lint_text(text, "wf.yaml", select=[rule])
    return sorted((".".join(str(p) for p in f.path), f.line, f.fix is not None) for f in report.findings)


def test_inherited_host_network_points_at_the_workflow_level_field() -> None:
    # One finding, on line 7 where spec.hostNetwork is written (not one per template on the template's line).
    assert _located(WORKFLOW, "shared-host-namespace") == [("spec.hostNetwork", 7, False)]


def test_inherited_field_of_a_cron_workflow_points_into_its_workflow_spec() -> None:
    assert _located(CRON, "shared-host-namespace") == [("spec.workflowSpec.hostNetwork", 9, False)]


def test_the_templates_own_field_keeps_its_place_and_fix() -> None:
    assert _located(OWN_PRIVILEGED, "privileged-container") == [
        ("spec.templates.0.container.securityContext.privileged", 12, True)]


def test_a_host_network_written_on_a_template_is_not_the_pods() -> None:
    # Argo's Template type has no hostNetwork: the controller drops it, and the pod gets the workflow's (unset).
    assert _located(OWN, "shared-host-namespace") == []


def test_inherited_volume_points_at_its_own_item_of_the_workflow_volumes() -> None:
    # Both templates inherit the docker socket: appended after the template's own volume in one, the whole
    # list in the other; both lead to spec.volumes[1].hostPath, written on line 11.
    found = _located(VOLUMES, "host-path-volume")
    assert found and {(p, line) for p, line, _ in found} == {("spec.volumes.1.hostPath", 11)}
    assert not any(fix for _, _, fix in found)


@pytest.mark.parametrize("args", [["--diff", "--unsafe-fixes"], []])
def test_no_fix_is_counted_or_attempted_on_the_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    path = tmp_path / "wf.yaml"
    path.write_text(WORKFLOW)
    main(["check", str(path), "--no-config", "--select", "shared-host-namespace", "--fail-on", "never", *args])
    out = capsys.readouterr()
    text = out.out + out.err
    assert "fixable" not in text and "the file changed" not in text
    assert path.read_text() == WORKFLOW
