"""Line markers are placed only where they cannot change what Helm renders; the helm binary path's plumbing."""

from __future__ import annotations

import io
import json
import os
import stat
import sys
from pathlib import Path

import pytest

from guardlint.cli import main
from guardlint.render.helm import MARK, mark_template
from tests.render.conftest import write


def marked_lines(text: str) -> list[int]:
    return [i + 1 for i, line in enumerate(mark_template(text, 0).split("\n")) if MARK in line]


def test_plain_lines_and_value_actions_are_marked() -> None:
    text = "a: 1\nb: {{ .Values.b }}\nc:\n  {{- toYaml .Values.c | nindent 2 }}\n"
    assert marked_lines(text) == [1, 2, 3, 4]


def test_no_marker_inside_define_blocks_or_multi_line_actions() -> None:
    text = (
        '{{- define "x" -}}\nname: {{ .Release.Name }}\n{{- end }}\n'
        "a: {{ .Values.a\n  | default 1 }}\n"
        "b: 2\n"
    )
    assert marked_lines(text) == [6]


def test_no_marker_in_block_scalars_or_before_trimmed_output() -> None:
    text = (
        "data:\n  script: |\n    echo hi\n    exit 0\n  other: 1\n"   # 1-5: the script lines stay unmarked
        "image: repo:\n{{- .Values.tag }}\n"                             # 6-7: 7 joins 6's line
        "{{- if .Values.x -}}\n"                                          # 8: trims its own newline
        "k: v\n"
    )
    marked = marked_lines(text)
    assert 3 not in marked and 4 not in marked
    assert 5 in marked and 6 not in marked and 8 not in marked and 9 in marked


def test_an_unterminated_quoted_string_is_not_marked() -> None:
    assert marked_lines('a: "one\n  two"\nb: 1\n') == [2, 3]


@pytest.fixture
def fake_helm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A 'helm' on PATH that behaves like 'helm template' (it renders with helm-python-sdk and prints
    '# Source:' headers), to test the binary path's arguments and output parsing."""
    pytest.importorskip("helm_python", reason="the fake helm binary renders with helm-python-sdk")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "helm-args.json"
    script = bin_dir / "helm"
    script.write_text(f"""#!{sys.executable}
import json, sys
import helm_python as helm
from helm_python import _native
args = sys.argv[1:]
with open({str(log)!r}, "a") as fh:
    fh.write(json.dumps(args) + "\\n")
if args[:1] == ["version"]:
    print("v4.2.3+fake"); sys.exit(0)
name, chart = args[1], args[2]
opts = {{"name": name, "namespace": args[args.index("--namespace") + 1],
        "kube_version": args[args.index("--kube-version") + 1]}}
values = json.load(open(args[args.index("--values") + 1]))
try:
    with helm.Chart.load(chart) as c:
        out = json.loads(_native.call_string("helm_render", c._raw(), json.dumps(values), json.dumps(opts)))
except helm.HelmError as exc:
    sys.stderr.write("Error: " + str(exc) + "\\n"); sys.exit(1)
for key in sorted(out):
    if key.endswith("NOTES.txt") or not out[key].strip():
        continue
    for doc in out[key].split("\\n---"):
        if doc.strip():
            print("---\\n# Source: " + key + "\\n" + doc.strip("\\n"))
""")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return log


def test_the_helm_binary_is_preferred_and_gets_the_kubernetes_version(repo: Path, fake_helm: Path) -> None:
    write(repo, {
        "c/Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\n",
        "c/values.yaml": "privileged: true\n",
        "c/templates/pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
                                "    - name: a\n      image: busybox:1.36\n      securityContext:\n"
                                "        privileged: {{ .Values.privileged }}\n",
    })
    out = io.StringIO()
    code = main(["check", "--format", "json", "--select", "privileged-container", "--kubernetes-version", "1.30",
                 "."], out=out, err=io.StringIO())
    report = json.loads(out.getvalue())
    assert code == 1, report
    [f] = report["findings"]
    assert (f["file"], f["line"], f["rendered"]["mappedTo"]) == ("c/values.yaml", 1, "values")
    calls = [json.loads(line) for line in fake_helm.read_text().splitlines()]
    template = next(c for c in calls if c[0] == "template")
    assert template[template.index("--kube-version") + 1] == "v1.30.0"


def test_helm_binary_errors_are_located(repo: Path, fake_helm: Path) -> None:
    write(repo, {
        "c/Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\n",
        "c/templates/x.yaml": "a: 1\nb: {{ fail \"no\" }}\n",
    })
    out = io.StringIO()
    assert main(["check", "--format", "json", "."], out=out, err=io.StringIO()) == 2
    [error] = json.loads(out.getvalue())["errors"]
    assert (error["file"], error["line"]) == ("c/templates/x.yaml", 2)
