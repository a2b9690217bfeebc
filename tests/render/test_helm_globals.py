"""A subchart's ``.Values.global``: Helm copies the parent's globals into each subchart's values, the parent's
winning key by key over what the parent gives the subchart (``sub.global``) and over the subchart's own
values.yaml (chartutil's coalesceGlobals). The in-process renderer renders that, and a finding is attributed to
the values line the rendered value comes from."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from guardlint.cli import main
from guardlint.render.helm import find_renderer
from guardlint.render.values import ValuesFile, find_value, set_paths
from guardlint.source.loader import load_text
from tests.render.conftest import write

needs_helm = pytest.mark.skipif(
    find_renderer() is None,
    reason="needs a Helm renderer: the 'helm' binary on PATH or helm-python-sdk (pip install 'guardlint[helm]')",
)

POD = """apiVersion: v1
kind: Pod
metadata:
  name: {{ .Chart.Name }}-pod
spec:
  securityContext:
    seccompProfile:
      type: {{ .Values.global.seccomp }}
  containers:
    - name: app
      image: nginx:1.27
      securityContext:
        privileged: {{ .Values.global.privileged }}
"""
SUB_VALUES = """global:
  seccomp: RuntimeDefault
  privileged: true
"""


@pytest.fixture
def chart(repo: Path) -> Path:
    """A parent chart whose values set a global its subchart's template reads (and its subchart sets too)."""
    write(repo, {
        "parent/Chart.yaml": "apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n"
                             "  - name: sub\n    version: 0.1.0\n",
        "parent/values.yaml": "# parent\nglobal:\n  seccomp: Unconfined\n",
        "parent/charts/sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
        "parent/charts/sub/values.yaml": SUB_VALUES,
        "parent/charts/sub/templates/pod.yaml": POD,
    })
    return repo / "parent"


def findings(*args: str) -> list[tuple[str, str, int, str, str]]:
    out = io.StringIO()
    main(["check", "--format", "json", "--no-config", "--select",
          "unconfined-seccomp-profile,privileged-container", *args, "parent"], out=out, err=io.StringIO())
    report: dict[str, Any] = json.loads(out.getvalue())
    return sorted((f["rule"], f["file"], f["line"], f["rendered"]["mappedTo"], f["message"])
                  for f in report["findings"])


@needs_helm
def test_the_parents_global_wins_and_is_the_line_blamed(chart: Path) -> None:
    (seccomp_rule, seccomp_file, seccomp_line, seccomp_to, message), privileged = _two(findings())
    assert "Unconfined" in message  # rendered from the parent's global, not the subchart's RuntimeDefault
    assert (seccomp_rule, seccomp_file, seccomp_line, seccomp_to) == (
        "unconfined-seccomp-profile", "parent/values.yaml", 3, "values")
    # a global only the subchart sets comes from the subchart's values.yaml
    assert privileged[:4] == ("privileged-container", "parent/charts/sub/values.yaml", 3, "values")


def _two(found: list[tuple[str, str, int, str, str]]) -> tuple[tuple[str, str, int, str, str], ...]:
    by_rule = {f[0]: f for f in found}
    assert len(found) == 2, found
    return by_rule["unconfined-seccomp-profile"], by_rule["privileged-container"]


@needs_helm
def test_what_the_parent_gives_the_subchart_comes_between(chart: Path) -> None:
    write(chart, {"values.yaml": "# parent\nsub:\n  global:\n    privileged: true\n    seccomp: Unconfined\n",
                  "charts/sub/values.yaml": SUB_VALUES.replace("privileged: true", "privileged: false")})
    seccomp, privileged = _two(findings())
    assert seccomp[1:4] == ("parent/values.yaml", 5, "values")
    assert privileged[1:4] == ("parent/values.yaml", 4, "values")
    # the top chart's own global is above both
    write(chart, {"values.yaml": "# parent\nsub:\n  global:\n    privileged: false\n    seccomp: Unconfined\n"
                                 "global:\n  privileged: true\n"})
    seccomp, privileged = _two(findings())
    assert privileged[1:4] == ("parent/values.yaml", 7, "values")
    assert seccomp[1:4] == ("parent/values.yaml", 5, "values")


@needs_helm
def test_the_fix_goes_into_the_parents_values(chart: Path) -> None:
    sub_values = chart / "charts/sub/values.yaml"
    err = io.StringIO()
    main(["check", "--no-config", "--select", "unconfined-seccomp-profile", "--fix", "--unsafe-fixes", "parent"],
         out=io.StringIO(), err=err)
    assert "parent/values.yaml:3:3: fixed unconfined-seccomp-profile" in err.getvalue(), err.getvalue()
    assert (chart / "values.yaml").read_text() == "# parent\nglobal:\n  seccomp: RuntimeDefault\n"
    assert sub_values.read_text() == SUB_VALUES
    assert [f for f in findings() if f[0] == "unconfined-seccomp-profile"] == []


def _files(parent: str, sub: str) -> list[ValuesFile]:
    return [ValuesFile("sub/values.yaml", load_text(sub, "sub/values.yaml").documents[0], ("sub",)),
            ValuesFile("values.yaml", load_text(parent, "values.yaml").documents[0], ())]


@pytest.mark.parametrize(("parent", "sub", "expected"), [
    ("global: {x: 1}\n", "global: {x: 1}\n", ("values.yaml", 1, ("global", "x"))),
    ("other: 2\n", "global: {x: 1}\n", ("sub/values.yaml", 1, ("global", "x"))),
    ("sub: {global: {x: 1}}\n", "global: {x: 1}\n", ("values.yaml", 1, ("sub", "global", "x"))),
    ("sub: {global: {x: 1}}\nglobal: {x: 1}\n", "global: {x: 1}\n", ("values.yaml", 2, ("global", "x"))),
    ("global: {x: 2}\n", "global: {x: 1}\n", None),  # the parent's value wins, and it is not what was rendered
])
def test_find_value_looks_up_a_subcharts_global_top_down(parent: str, sub: str,
                                                         expected: tuple[str, int, tuple[str, ...]] | None) -> None:
    hit = find_value(_files(parent, sub), ("sub", "global", "x"), 1, subchart=("sub",))
    assert (None if hit is None else (hit[0], hit[1].line, hit[2])) == expected
    # not a global, or the top chart's own template: looked up as before
    assert find_value(_files(parent, sub), ("global", "x"), 1) == find_value(_files(parent, sub), ("global", "x"), 1,
                                                                               subchart=())


def test_a_set_expression_on_a_global_is_never_blamed_on_a_file() -> None:
    files = _files("global: {x: 1}\n", "global: {x: 1}\n")
    for expression in ("global.x=1", "global=null", "sub.global.x=1"):
        assert find_value(files, ("sub", "global", "x"), 1, set_paths([expression]), ("sub",)) is None
    assert find_value(files, ("sub", "global", "x"), 1, set_paths(["other=1"]), ("sub",)) is not None
