"""An Argo Workflow a Helm chart renders carries objects as literal block scalars (``resource.manifest``): a
finding on such an object is placed on the template line at the same place in the block when the block renders
line for line (exact), and on the template's ``manifest: |`` line, marked approximate, when it does not. Both
used to go to the template's line 1, approximate, and two findings with the same message on two manifests of one
template collapsed into one there."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from guardlint.cli import main
from guardlint.render.helm import find_renderer
from tests.render.conftest import write

pytestmark = pytest.mark.skipif(
    find_renderer() is None,
    reason="needs a Helm renderer: the 'helm' binary on PATH or helm-python-sdk (pip install 'guardlint[helm]')",
)

WORKFLOW = """\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: w
  namespace: {{ .Values.ns }}
spec:
  entrypoint: main
  templates:
    - name: main
      resource:
        action: create
        manifest: |
          apiVersion: v1
          kind: Pod
          metadata:
            name: p
          spec:
            containers:
              - name: c
                image: alpine:3.19
                securityContext:
                  privileged: true
    - name: valued
      resource:
        action: create
        manifest: |
          apiVersion: v1
          kind: Pod
          metadata:
            name: {{ .Values.name | quote }}
          spec:
            containers:
              - name: c
                image: {{ .Values.image }}
                securityContext:
                  privileged: true
    - name: blocks
      resource:
        action: create
        manifest: |
          apiVersion: v1
          kind: Pod
          metadata:
            name: r
            labels:
              {{- toYaml .Values.labels | nindent 14 }}
          spec:
            containers:
              - name: c
                image: alpine:3.19
                securityContext:
                  privileged: true
"""
VALUES = "ns: ci\nname: q\nimage: alpine\nlabels:\n  app: r\n  tier: batch\n"


@pytest.fixture
def chart(repo: Path) -> Path:
    write(repo, {"charts/wf/Chart.yaml": "apiVersion: v2\nname: wf\nversion: 0.1.0\n",
                 "charts/wf/values.yaml": VALUES, "charts/wf/templates/wf.yaml": WORKFLOW})
    return repo


def _findings(*select: str) -> list[tuple[str, int, int, int, str, bool]]:
    out, err = io.StringIO(), io.StringIO()
    main(["check", ".", "--no-config", "--select", ",".join(select), "-f", "json", "--fail-on", "never"],
         out=out, err=err)
    report = json.loads(out.getvalue())
    assert not report["errors"], err.getvalue()
    return sorted((f["file"], f["line"], f["column"], f["endColumn"], f["resource"]["name"],
                   f["rendered"]["approximate"]) for f in report["findings"])


def _line(text: str, nth: int = 1) -> int:
    lines = WORKFLOW.split("\n")
    return [i + 1 for i, line in enumerate(lines) if line == text][nth - 1]


def test_a_block_that_renders_line_for_line_maps_exactly(chart: Path) -> None:
    privileged = "                  privileged: true"
    manifest = "        manifest: |"
    assert _findings("privileged-container") == [
        ("charts/wf/templates/wf.yaml", _line(privileged, 1), 19, 35, "p", False),
        ("charts/wf/templates/wf.yaml", _line(privileged, 2), 19, 35, "q", False),  # value actions keep the lines
        # toYaml | nindent writes two lines for one: the block does not render line for line
        ("charts/wf/templates/wf.yaml", _line(manifest, 3), 9, 20, "r", True),
    ]


def test_a_finding_on_a_line_an_action_writes_is_on_that_template_line(chart: Path) -> None:
    image = "                image: {{ .Values.image }}"
    found = [f for f in _findings("unpinned-image") if f[4] == "q"]
    assert found == [("charts/wf/templates/wf.yaml", _line(image), 24, len(image) + 1, "q", False)]
