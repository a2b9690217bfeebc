"""Errors of a Helm chart located where a person fixes them: a template that writes text that is not YAML."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from guardlint.cli import main
from guardlint.render.helm import find_renderer
from tests.render.conftest import write

pytestmark = pytest.mark.skipif(
    find_renderer() is None,
    reason="needs a Helm renderer: the 'helm' binary on PATH or helm-python-sdk (pip install 'guardlint[helm]')",
)

CHART = "apiVersion: v2\nname: web\nversion: 0.1.0\n"
GOOD = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\ndata:\n  a: b\n"
BROKEN = """apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: c
      image: nginx:1.27
      securityContext:
        privileged: {{ .Values.privileged }}
      args: [
"""


def check(*args: str) -> tuple[int, dict[str, Any]]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", "--format", "json", "--no-config", *args], out=out, err=err)
    return code, json.loads(out.getvalue())


def test_a_template_that_renders_text_that_is_not_yaml_is_located_on_the_template(repo: Path) -> None:
    write(repo, {"charts/web/Chart.yaml": CHART, "charts/web/values.yaml": "privileged: true\n",
                 "charts/web/templates/a-good.yaml": GOOD, "charts/web/templates/pod.yaml": BROKEN})
    code, report = check(".")
    assert code == 2
    [error] = report["errors"]
    # Not the rendered stream's name ('charts/web/@values.yaml') and line: the template line that wrote it.
    assert (error["file"], error["line"], error["kind"]) == ("charts/web/templates/pod.yaml", 11, "yaml-syntax-error")
    assert "values set values.yaml" in error["message"] and "not YAML" in error["message"]
    assert "@" not in error["file"]


@pytest.mark.parametrize(("target", "renders"), [("1.37", False), ("1.19", True)])
def test_a_chart_whose_kube_version_excludes_the_target_is_refused_as_helm_template_refuses_it(
        repo: Path, target: str, renders: bool) -> None:
    """helm template --kube-version refuses such a chart; the in-process renderer alone rendered it."""
    write(repo, {"charts/web/Chart.yaml": CHART + "kubeVersion: '>= 1.16.0-0, < 1.20.0-0'\n",
                 "charts/web/templates/cm.yaml": GOOD})
    code, report = check(".", "--kubernetes-version", target)
    if renders:
        assert code == 0 and report["errors"] == []
        return
    assert code == 2
    [error] = report["errors"]
    assert (error["file"], error["line"], error["code"]) == ("charts/web/Chart.yaml", 4, "GL010")
    assert "requires kubeVersion: >= 1.16.0-0, < 1.20.0-0" in error["message"] and "v1.37.0" in error["message"]
