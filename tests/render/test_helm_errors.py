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
    code = main(["check", "--format", "json", *([] if "--config" in args else ["--no-config"]), *args], out=out,
                err=err)
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


SCHEMA = ('{"type": "object", "required": ["image"], "properties": {"replicas": {"type": "integer", "minimum": 1},'
          ' "image": {"type": "string"}}}')
SUB_SCHEMA = '{"type": "object", "properties": {"port": {"type": "integer", "maximum": 1000}}}'


@pytest.mark.parametrize(("set_file", "text", "where"), [
    ("ci/zero-values.yaml", "image: x\nreplicas: 0\n", ("charts/web/ci/zero-values.yaml", 2)),
    ("ci/sub-values.yaml", "sub:\n  port: 5000\n", ("charts/web/ci/sub-values.yaml", 2)),
    ("ci/null-values.yaml", "image: null\n", ("charts/web/ci/null-values.yaml", 1)),
])
def test_a_values_schema_violation_is_on_the_values_line_that_sets_the_value(
        repo: Path, set_file: str, text: str, where: tuple[str, int]) -> None:
    write(repo, {"charts/web/Chart.yaml": CHART + "dependencies:\n  - name: sub\n    version: 0.1.0\n",
                 "charts/web/values.yaml": "image: nginx\nreplicas: 1\n",
                 "charts/web/values.schema.json": SCHEMA, "charts/web/templates/cm.yaml": GOOD,
                 "charts/web/charts/sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
                 "charts/web/charts/sub/values.yaml": "port: 80\n",
                 "charts/web/charts/sub/values.schema.json": SUB_SCHEMA,
                 f"charts/web/{set_file}": text})
    code, report = check(".")
    assert code == 2
    [error] = report["errors"]
    assert (error["file"], error["line"]) == where
    assert f"values set {set_file}" in error["message"] and "schema" in error["message"]


def test_a_missing_required_value_is_on_the_schema_that_requires_it(repo: Path) -> None:
    write(repo, {"charts/web/Chart.yaml": CHART, "charts/web/values.yaml": "replicas: 1\n",
                 "charts/web/values.schema.json": SCHEMA, "charts/web/templates/cm.yaml": GOOD})
    code, report = check(".")
    assert code == 2
    [error] = report["errors"]
    assert (error["file"], error["line"]) == ("charts/web/values.schema.json", 1)
    assert "missing property 'image'" in error["message"]


def test_a_duplicate_key_a_template_writes_names_the_template_line_of_the_first(repo: Path) -> None:
    pod = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostPID: {{ .Values.first }}\n"
           "  hostPID: false\n  containers:\n    - name: c\n      image: nginx:1.27\n")
    write(repo, {"charts/web/Chart.yaml": CHART, "charts/web/values.yaml": "first: true\n",
                 "charts/web/templates/a-good.yaml": GOOD, "charts/web/templates/pod.yaml": pod})
    _, report = check(".", "--select", "duplicate-key")
    [f] = report["findings"]
    assert (f["file"], f["line"]) == ("charts/web/templates/pod.yaml", 7)
    # Line 6 of the template, not the line of the rendered stream (which a-good.yaml's document precedes).
    assert "(first on line 6)" in f["message"]


def test_a_values_file_no_values_set_uses_is_named_not_silently_dropped(repo: Path) -> None:
    write(repo, {"charts/web/Chart.yaml": CHART, "charts/web/values.yaml": "privileged: false\n",
                 "charts/web/values-prod.yaml": "privileged: true\n", "charts/web/ci/extra.yaml": "a: 1\n",
                 "charts/web/ci/used-values.yaml": "privileged: false\n",
                 "charts/web/templates/pod.yaml": BROKEN.replace("      args: [\n", "")})
    out, err = io.StringIO(), io.StringIO()
    main(["check", ".", "--no-config"], out=out, err=err)
    text = out.getvalue()
    for name in ("charts/web/values-prod.yaml", "charts/web/ci/extra.yaml"):
        assert f"{name}:1: note: no values set of the Helm chart charts/web uses this values file" in text
    assert "used-values.yaml:1: note" not in text and "charts/web/values.yaml:1: note" not in text
    shown = io.StringIO()
    main(["check", ".", "--no-config", "--show-files"], out=shown, err=err)
    assert "skip  charts/web/values-prod.yaml  (no values set" in shown.getvalue()
    assert "lint  charts/web/ci/used-values.yaml" in shown.getvalue()
    # Named in a values set, the file is rendered (and its finding reported) instead.
    write(repo, {".guardlint.yaml": "charts:\n  charts/web:\n    values-sets:\n      prod: [values-prod.yaml]\n"})
    _, report = check(".", "--config", ".guardlint.yaml")
    assert [(f["file"], f["rule"]) for f in report["findings"] if f["rule"] == "privileged-container"] == [
        ("charts/web/values-prod.yaml", "privileged-container")]
