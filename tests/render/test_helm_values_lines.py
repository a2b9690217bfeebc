"""Which values line a rendered value is blamed on: flow mappings, exact comparison (case, numbers as Helm
prints them) and the chart's ``set`` expressions, which no file holds."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from guardlint.cli import main
from guardlint.render.helm import find_renderer
from guardlint.render.values import UNKNOWN, ValuesFile, find_value, set_paths
from guardlint.source.loader import load_text
from tests.render.conftest import write

needs_helm = pytest.mark.skipif(
    find_renderer() is None,
    reason="needs a Helm renderer: the 'helm' binary on PATH or helm-python-sdk (pip install 'guardlint[helm]')",
)

POD = """apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  hostNetwork: {{ .Values.hostNetwork }}
  containers:
    - name: flow
      image: {{ .Values.image | lower }}
      securityContext: {privileged: {{ .Values.flow.privileged }}}
    - name: block
      image: nginx:1.27
      securityContext:
        privileged: {{ .Values.block.privileged }}
"""
VALUES = """hostNetwork: true
image: Nginx:Latest
flow:
  privileged: true
block:
  privileged: true
"""


@pytest.fixture
def chart(repo: Path) -> Path:
    write(repo, {"charts/p/Chart.yaml": "apiVersion: v2\nname: p\nversion: 0.1.0\n",
                 "charts/p/values.yaml": VALUES, "charts/p/templates/pod.yaml": POD})
    return repo / "charts/p"


def lines(rule: str) -> list[tuple[str, int, str]]:
    out = io.StringIO()
    main(["check", "--format", "json", "--no-config", "--select", rule, "."], out=out, err=io.StringIO())
    report: dict[str, Any] = json.loads(out.getvalue())
    return sorted((f["file"], f["line"], f["rendered"]["mappedTo"]) for f in report["findings"])


@needs_helm
def test_a_flow_mapping_value_lands_on_the_values_line_as_the_block_form_does(chart: Path) -> None:
    assert lines("privileged-container") == [
        ("charts/p/values.yaml", 4, "values"),  # flow.privileged (it was the template line)
        ("charts/p/values.yaml", 6, "values"),  # block.privileged
    ]


@needs_helm
def test_a_value_a_function_changes_only_in_case_stays_on_the_template_line(chart: Path) -> None:
    # "Nginx:Latest" | lower renders "nginx:latest": not the value the file writes.
    assert lines("unpinned-image") == [("charts/p/templates/pod.yaml", 9, "template")]
    write(chart, {"templates/pod.yaml": POD.replace(" | lower", ""), "values.yaml": VALUES.replace("Nginx:Latest",
                                                                                                   "nginx:latest")})
    assert lines("unpinned-image") == [("charts/p/values.yaml", 2, "values")]


@needs_helm
def test_a_set_expression_that_repeats_the_file_value_is_not_blamed_on_the_file(chart: Path, repo: Path) -> None:
    assert lines("shared-host-namespace") == [("charts/p/values.yaml", 1, "values")]
    write(repo, {".guardlint.yaml": "charts:\n  charts/p:\n    set: [hostNetwork=true]\n"})
    out = io.StringIO()
    main(["check", "--format", "json", "--select", "shared-host-namespace", "."], out=out, err=io.StringIO())
    [f] = json.loads(out.getvalue())["findings"]
    assert (f["file"], f["line"], f["rendered"]["mappedTo"]) == ("charts/p/templates/pod.yaml", 6, "template")


def values(text: str) -> list[ValuesFile]:
    [doc] = load_text(text, "values.yaml").documents
    return [ValuesFile("values.yaml", doc, ())]


@pytest.mark.parametrize(("text", "rendered", "blamed"), [
    ("n: 1000000\n", "1e+06", True),  # Helm reads numbers as float64 and prints 1e+06
    ("n: 1000000\n", 1000000, False),  # so the template that renders 1000000 computed it
    ("n: 100000\n", 100000, True),
    ("n: 2\n", 2, True),
    ("n: 2\n", "2", True),  # quoted in the template
    ("n: 0.5\n", 0.5, True),
    ("n: 1.0\n", 1, True),  # 1.0 prints as 1
    ("n: true\n", True, True),
    ("n: yes\n", True, True),  # YAML 1.1: a boolean, printed true
    ("n: True\n", "true", True),  # quoted in the template
    ("n: true\n", 1, False),  # True == 1 in Python: not the same value
    ("n: Unconfined\n", "unconfined", False),  # case matters
    ("n: Unconfined\n", "Unconfined", True),
    ('n: "1.27"\n', 1.27, True),  # a string that reads back as a number when written unquoted
    ('n: "true"\n', True, True),
    ("n:\n", "", True),  # null prints empty
    ("n: x\n", UNKNOWN, True),
])
def test_a_value_is_blamed_on_the_file_only_when_helm_prints_it_as_rendered(text: str, rendered: Any,
                                                                           blamed: bool) -> None:
    hit = find_value(values(text), ("n",), rendered)
    assert (hit is not None) is blamed
    if hit is not None:
        assert hit[0] == "values.yaml" and hit[1].line == 1 and hit[2] == ("n",)


def test_set_paths_follow_helm_syntax() -> None:
    assert set_paths(["a.b=c,d[0].e=f", r"x\.y.z=1", "l={a,b},m=2", r"s=a\,b,t=3"]) == (
        ("a", "b"), ("d", 0, "e"), ("x.y", "z"), ("l",), ("m",), ("s",), ("t",))


@pytest.mark.parametrize(("expr", "path", "blamed"), [
    ("n=1", ("n",), False),
    ("n.m=1", ("n",), False),  # a field inside the value
    ("n=1", ("n", "m"), False),  # a parent of the value
    ("n2=1", ("n",), True),
    ("o.n=1", ("n",), True),
])
def test_a_set_expression_overrides_the_paths_it_touches(expr: str, path: tuple[str, ...], blamed: bool) -> None:
    files = values("n:\n  m: 1\n" if len(path) == 2 else "n: 1\n")
    assert (find_value(files, path, 1, set_paths([expr])) is not None) is blamed
