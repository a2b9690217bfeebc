"""Helm's error text without the location the error already carries: ``render-failed`` is placed at the
template line and column Helm names, so the message keeps Helm's reason once and not ``at (web/templates/
cm.yaml:7)`` or ``web/templates/cm.yaml:7:8 executing "web/templates/cm.yaml" at ...`` again. A location of
another template (an included helper's) stays in the text: it says where the failure came from."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from guardlint.cli import main
from guardlint.render.helm import RenderError, _parse_error, find_renderer
from tests.render.conftest import write


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('parse error at (web/templates/cm.yaml:7): function "nosuchfunc" not defined',
         RenderError('parse error: function "nosuchfunc" not defined', "web/templates/cm.yaml", 7, 1)),
        ("execution error at (web/templates/cm.yaml:6:8): set .Values.name",
         RenderError("execution error: set .Values.name", "web/templates/cm.yaml", 6, 8)),
        # helm-python-sdk / Helm's engine (reformatExecErrorMsg), on several lines
        (('web/templates/cm.yaml:7:8\n  executing "web/templates/cm.yaml" at <include "nope" .>:\n'
         '    error calling include: template: no template "nope" associated with template "gotpl"'),
         RenderError('at <include "nope" .>: error calling include: template: no template "nope" associated with '
                     'template "gotpl"', "web/templates/cm.yaml", 7, 8)),
        # Go's text/template ExecError as the helm binary may print it
        (('template: web/templates/cm.yaml:7:15: executing "web/templates/cm.yaml" at <.Values.x.y.z>: nil pointer '
         "evaluating interface {}.y"),
         RenderError("at <.Values.x.y.z>: nil pointer evaluating interface {}.y", "web/templates/cm.yaml", 7, 15)),
        # the helper's location and name stay: they are not where the error is placed
        (('template: web/templates/cm.yaml:3:4: executing "web/templates/cm.yaml" at <include "web.name" .>: error '
         'calling include: template: web/templates/_helpers.tpl:2:5: executing "web.name" at <.Values.a.b>: nil'),
         RenderError('at <include "web.name" .>: error calling include: template: web/templates/_helpers.tpl:2:5: '
                     'executing "web.name" at <.Values.a.b>: nil', "web/templates/cm.yaml", 3, 4)),
        ('web/templates/_helpers.tpl:2:5 executing "web.name" at <.Values.a.b>: nil',
         RenderError('executing "web.name" at <.Values.a.b>: nil', "web/templates/_helpers.tpl", 2, 5)),
        ("Chart.yaml file is missing", RenderError("Chart.yaml file is missing", None, 1, 1)),
        ("", RenderError("helm failed", None, 1, 1)),
    ],
)
def test_the_location_is_said_once(text: str, expected: RenderError) -> None:
    assert _parse_error(text) == expected


TEMPLATE = """apiVersion: v1
kind: ConfigMap
metadata:
  name: a
data:
  a: {{ required "set .Values.name" .Values.name }}
"""


@pytest.mark.skipif(find_renderer() is None, reason="needs a Helm renderer (helm or helm-python-sdk)")
@pytest.mark.parametrize(
    ("line", "where", "reason"),
    [
        ("", (6, 8), "execution error: set .Values.name"),
        ("  b: {{ .Values.x | nosuchfunc }}\n", (7, 1), 'function "nosuchfunc" not defined'),
        ('  b: {{ include "nope" . }}\n', (7, 8), 'no template "nope"'),
    ],
)
def test_a_rendered_error_carries_its_place_in_the_fields(
    repo: Path, line: str, where: tuple[int, int], reason: str
) -> None:
    values = "x: 1\n" + ("name: n\n" if line else "")
    write(repo, {"charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
                 "charts/web/values.yaml": values, "charts/web/templates/cm.yaml": TEMPLATE + line})
    out = io.StringIO()
    code = main(["check", ".", "--no-config", "--format", "json"], out=out, err=io.StringIO())
    [error] = json.loads(out.getvalue())["errors"]
    assert code == 2
    assert (error["file"], error["line"], error["column"], error["kind"]) == (
        "charts/web/templates/cm.yaml", *where, "render-failed")
    assert error["message"].startswith("helm template failed (values set values.yaml): ")
    assert reason in error["message"]
    assert "cm.yaml" not in error["message"], error["message"]
