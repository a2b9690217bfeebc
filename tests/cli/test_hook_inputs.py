"""What the pre-commit hooks are given: chart templates among the changed files, several config files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from guardlint.cli import main

TEMPLATE = """apiVersion: v1
kind: Pod
metadata:
  name: {{ .Release.Name }}
spec:
  containers:
    - name: app
      image: "{{ .Values.image }}"
"""
POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:1.27
      resources: {limits: {memory: 64Mi}}
"""


def run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(args, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    chart = tmp_path / "charts" / "web"
    (chart / "templates").mkdir(parents=True)
    (chart / "charts" / "db" / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 1.0.0\n")
    (chart / "charts" / "db" / "Chart.yaml").write_text("apiVersion: v2\nname: db\nversion: 1.0.0\n")
    (chart / "templates" / "pod.yaml").write_text(TEMPLATE)
    (chart / "charts" / "db" / "templates" / "pod.yaml").write_text(TEMPLATE)
    (tmp_path / "stray").mkdir()
    (tmp_path / "stray" / "pod.yaml").write_text(TEMPLATE)
    (tmp_path / "pod.yaml").write_text(POD)
    return tmp_path


def test_chart_templates_are_skipped_with_a_note(repo: Path) -> None:
    # With rendering off (with it, the chart is rendered: tests/render/test_helm.py).
    code, out, err = run(["--no-render", "--partial", "--allow-no-objects", "--no-config", "pod.yaml",
                          "charts/web/templates/pod.yaml", "charts/web/charts/db/templates/pod.yaml"])
    assert code == 0, out + err
    assert ("charts/web/templates/pod.yaml:4: note: an unrendered Helm template of the chart in charts/web "
            "(render it with 'helm template' and lint the output)") in out
    assert ("charts/web/charts/db/templates/pod.yaml:4: note: an unrendered Helm template of the chart in "
            "charts/web/charts/db (") in out
    assert "unrendered-template" not in out
    # Through a folder too.
    assert run(["--no-render", "--no-config", "--allow-no-objects", "charts"])[0] == 0


def test_a_stray_template_outside_any_chart_is_still_an_error(repo: Path) -> None:
    code, out, _ = run(["--no-render", "--no-config", "pod.yaml", "stray/pod.yaml", "charts/web/templates/pod.yaml"])
    assert code == 2
    assert "stray/pod.yaml:4:9: error unrendered-template" in out
    assert "charts/web/templates/pod.yaml:4: note:" in out


def test_config_validate_accepts_several_files(repo: Path) -> None:
    (repo / "a").mkdir()
    (repo / "b").mkdir()
    (repo / "a" / ".guardlint.yaml").write_text("fail-on: warning\n")
    (repo / "b" / ".guardlint.yaml").write_text("fail-on: error\n")
    code, out, err = run(["config", "validate", "a/.guardlint.yaml", "b/.guardlint.yaml"])
    assert (code, out, err) == (0, "a/.guardlint.yaml: valid\nb/.guardlint.yaml: valid\n", "")
    (repo / "a" / ".guardlint.yaml").write_text("fail-on: sometimes\n")
    code, out, err = run(["config", "validate", "a/.guardlint.yaml", "b/.guardlint.yaml"])
    assert code == 2 and "a/.guardlint.yaml" in err and out == "b/.guardlint.yaml: valid\n"
