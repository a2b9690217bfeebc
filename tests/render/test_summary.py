"""The summary line counts a rendered chart once, however many of its files its findings land on."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from guardlint.cli import main
from guardlint.render.helm import find_renderer
from tests.render.conftest import write

pytestmark = pytest.mark.skipif(
    find_renderer() is None,
    reason="needs a Helm renderer: the 'helm' binary on PATH or helm-python-sdk (pip install 'guardlint[helm]')",
)


def test_findings_on_a_charts_template_and_values_count_one_input(tmp_path: Path) -> None:
    write(tmp_path, {
        "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
        "charts/web/values.yaml": "image: nginx\n",
        "charts/web/templates/_helpers.tpl": '{{- define "web.name" -}}web{{- end -}}\n',
        "charts/web/templates/pod.yaml": (
            'apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ include "web.name" . }}\nspec:\n  containers:\n'
            "    - name: c\n      image: {{ .Values.image }}\n"
        ),
    })
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        main(["check", "charts/web/templates/_helpers.tpl", "--partial", "--no-config", "--fail-on", "never"],
             out=out, err=err)
    finally:
        os.chdir(cwd)
    text = out.getvalue()
    assert "charts/web/values.yaml:1:" in text and "charts/web/templates/pod.yaml:" in text
    assert text.rstrip().splitlines()[-1].endswith("in 1 of 1 file checked (1 object).")


def test_a_tpl_outside_any_chart_is_passed_over_with_a_note(tmp_path: Path) -> None:
    write(tmp_path, {"mail.tpl": "Hello {{ .Name }}\n",
                     "ok.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"})
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", str(tmp_path / "mail.tpl"), str(tmp_path / "ok.yaml"), "--partial", "--no-config",
                 "--allow-no-objects"], out=out, err=err)
    assert code == 0, out.getvalue()
    assert "a .tpl template outside any Helm chart" in out.getvalue()
