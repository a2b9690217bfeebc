"""pre-commit names changed files one by one: a change in a library chart that other charts reach through a
symbolic link (``charts/web/charts/common -> ../../../common`` in a monorepo) renders those charts, as a full
run does (``guardlint.render.run.charts_linking_to``)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from guardlint.cli import main
from guardlint.render.helm import find_renderer
from tests.render.conftest import write

pytestmark = [
    pytest.mark.skipif(find_renderer() is None, reason="needs a Helm renderer: the 'helm' binary on PATH or "
                       "helm-python-sdk (pip install 'guardlint[helm]')"),
    pytest.mark.skipif(os.name == "nt", reason="symbolic links"),
]

HELPER = """{{- define "common.container" -}}
name: app
image: busybox:1.36
securityContext:
  privileged: %s
{{- end }}
"""
POD = """apiVersion: v1
kind: Pod
metadata:
  name: {{ .Release.Name }}-%s
spec:
  containers:
    - {{- include "common.container" . | nindent 6 }}
"""


def _chart(name: str, link_depth: int) -> dict[str, str]:
    return {f"{name}/Chart.yaml": (f"apiVersion: v2\nname: {name.rsplit('/', 1)[-1]}\nversion: 0.1.0\n"
                                   "dependencies:\n  - name: common\n    version: 0.1.0\n"),
            f"{name}/values.yaml": "{}\n",
            f"{name}/templates/pod.yaml": POD % name.rsplit("/", 1)[-1]}


def _check(*args: str) -> dict[str, object]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", "--partial", "--allow-no-objects", "--no-config", "--select", "privileged-container",
                 "--format", "json", "--fail-on", "never", *args], out=out, err=err)
    assert code == 0, err.getvalue()
    report: dict[str, object] = json.loads(out.getvalue())
    return report


def test_a_change_in_a_linked_library_chart_renders_the_charts_that_link_to_it(repo: Path) -> None:
    write(repo, {"common/Chart.yaml": "apiVersion: v2\nname: common\nversion: 0.1.0\ntype: library\n",
                 "common/templates/_helpers.tpl": HELPER % "false",
                 **_chart("charts/web", 3), **_chart("charts/api", 3),
                 "charts/plain/Chart.yaml": "apiVersion: v2\nname: plain\nversion: 0.1.0\n",
                 "charts/plain/templates/pod.yaml": POD.replace('{{- include "common.container" . | nindent 6 }}',
                                                                "name: a\n      image: busybox:1.36") % "plain"})
    for name in ("web", "api"):
        (repo / "charts" / name / "charts").mkdir()
        os.symlink(os.path.join("..", "..", "..", "common"), repo / "charts" / name / "charts" / "common")
    (repo / "common" / "templates" / "_helpers.tpl").write_text(HELPER % "true")
    report = _check("common/templates/_helpers.tpl")
    findings = report["findings"]
    assert isinstance(findings, list)
    # Before: the library renders nothing of its own and no chart that uses it was rendered: no finding.
    assert sorted({f["file"].split("/")[1] for f in findings}) == ["api", "web"], findings
    assert report["errors"] == []
    # A named file in no linked folder renders no other chart (the walk finds no link to it).
    report = _check("charts/plain/templates/pod.yaml")
    assert report["findings"] == [] and report["errors"] == []
