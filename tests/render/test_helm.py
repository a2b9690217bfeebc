"""Helm charts rendered by guardlint: findings on template and values lines, values sets, errors and the cache."""

from __future__ import annotations

import io
import json
import os
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

CHART = """apiVersion: v2
name: web
version: 0.1.0
dependencies:
  - name: child
    version: 0.1.0
"""
VALUES = """image:
  repository: nginx
  tag: "1.27"
podSecurityContext:
  runAsNonRoot: true
securityContext:
  allowPrivilegeEscalation: false
hostNetwork: false
jobSecurity:
  allowPrivilegeEscalation: false
sidecars:
  - name: helper
    image: busybox:1.36
"""
HELPERS = """{{- define "web.fullname" -}}
{{- printf "%s-web" .Release.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "web.labels" -}}
app.kubernetes.io/name: web
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "web.jobSecurity" -}}
{{- toYaml .Values.jobSecurity }}
{{- end }}
"""
DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "web.fullname" . }}
  labels:
    {{- include "web.labels" . | nindent 4 }}
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      hostNetwork: {{ .Values.hostNetwork }}
      {{- with .Values.podSecurityContext }}
      securityContext:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: web
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
        {{- range .Values.sidecars }}
        - name: {{ .name }}
          image: {{ .image }}
          securityContext:
            capabilities:
              add: [SYS_ADMIN]
        {{- end }}
"""
JOB = """apiVersion: batch/v1
kind: Job
metadata:
  name: {{ include "web.fullname" . }}-migrate
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: busybox:1.36
          securityContext:
            {{- include "web.jobSecurity" . | nindent 12 }}
"""
CHILD_POD = """apiVersion: v1
kind: Pod
metadata:
  name: child
spec:
  hostPID: {{ .Values.hostPID }}
  containers:
    - name: c
      image: busybox:1.36
"""


@pytest.fixture
def chart(repo: Path) -> Path:
    write(repo, {
        "charts/web/Chart.yaml": CHART, "charts/web/values.yaml": VALUES,
        "charts/web/templates/_helpers.tpl": HELPERS, "charts/web/templates/deployment.yaml": DEPLOYMENT,
        "charts/web/templates/job.yaml": JOB, "charts/web/templates/NOTES.txt": "Installed {{ .Release.Name }}\n",
        "charts/web/charts/child/Chart.yaml": "apiVersion: v2\nname: child\nversion: 0.1.0\n",
        "charts/web/charts/child/values.yaml": "hostPID: false\n",
        "charts/web/charts/child/templates/pod.yaml": CHILD_POD,
    })
    return repo / "charts/web"


def check(*args: str) -> tuple[int, dict[str, Any], str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", "--format", "json", "--fail-on", "warning", *args], out=out, err=err)
    return code, json.loads(out.getvalue()) if out.getvalue() else {}, err.getvalue()


def found(report: dict[str, Any], rule: str) -> list[tuple[str, int, str, tuple[str, ...]]]:
    return sorted(
        (f["file"], f["line"], f["rendered"]["mappedTo"], tuple(f["rendered"]["valuesSets"]))
        for f in report["findings"] if f["rule"] == rule
    )


ALL_SETS = ("values.yaml",)


def test_a_clean_chart_renders_and_its_templates_are_not_linted_raw(chart: Path) -> None:
    code, report, _ = check("--select", "privileged-container,shared-host-namespace", ".")
    assert code == 0, report
    assert report["errors"] == []
    assert report["summary"]["resources"] == 3  # Deployment, Job, the subchart's Pod (NOTES.txt dropped)


def test_direct_value_lands_on_the_values_line_of_the_set_that_sets_it(chart: Path) -> None:
    write(chart, {"ci/host-values.yaml": "# hosts\nhostNetwork: true\n"})
    code, report, _ = check("--select", "shared-host-namespace", ".")
    assert code == 1
    assert found(report, "shared-host-namespace") == [
        ("charts/web/ci/host-values.yaml", 2, "values", ("ci/host-values.yaml",)),
    ]


def test_toyaml_block_lands_on_the_key_inside_the_values_file(chart: Path) -> None:
    write(chart, {"ci/priv-values.yaml": "securityContext:\n  runAsUser: 1000\n  privileged: true\n"})
    code, report, _ = check("--select", "privileged-container", ".")
    assert found(report, "privileged-container") == [
        ("charts/web/ci/priv-values.yaml", 3, "values", ("ci/priv-values.yaml",)),
    ]
    [f] = report["findings"]
    assert f["column"] == 3 and f["rendered"]["approximate"] is False
    # The rendered position is kept: the stored stream holds the rendered key on that line.
    rendered_line = Path(f["rendered"]["file"]).read_text().splitlines()[f["rendered"]["line"] - 1]
    assert rendered_line.strip() == "privileged: true"
    assert f["origin"] == "web/templates/deployment.yaml"
    assert code == 1


def test_with_block_and_chart_values_yaml(chart: Path) -> None:
    (chart / "values.yaml").write_text(VALUES.replace("runAsNonRoot: true", "runAsNonRoot: true\n  runAsUser: 0"))
    code, report, _ = check("--select", "root-user-id", ".")
    assert ("charts/web/values.yaml", 6, "values", ALL_SETS) in found(report, "root-user-id")
    assert code == 1


def test_include_helper_lands_on_the_values_line_it_reads(chart: Path) -> None:
    (chart / "values.yaml").write_text(VALUES.replace(
        "jobSecurity:\n  allowPrivilegeEscalation: false", "jobSecurity:\n  allowPrivilegeEscalation: true"))
    code, report, _ = check("--select", "privilege-escalation-allowed", ".")
    assert ("charts/web/values.yaml", 10, "values", ALL_SETS) in found(report, "privilege-escalation-allowed")
    assert code == 1


def test_range_and_literal_keys_land_on_the_template_line(chart: Path) -> None:
    code, report, _ = check("--select", "dangerous-capability", ".")
    assert found(report, "dangerous-capability") == [
        ("charts/web/templates/deployment.yaml", 31, "template", ALL_SETS),
    ]
    [f] = report["findings"]
    assert f["column"] == 15  # "add:" on that line
    assert code == 1


def test_subchart_values_from_the_parent_set_and_its_own_values(chart: Path) -> None:
    write(chart, {"ci/child-values.yaml": "child:\n  hostPID: true\n"})
    code, report, _ = check("--select", "shared-host-namespace", ".")
    assert found(report, "shared-host-namespace") == [
        ("charts/web/ci/child-values.yaml", 2, "values", ("ci/child-values.yaml",)),
    ]
    (chart / "charts/child/values.yaml").write_text("# own default\nhostPID: true\n")
    code, report, _ = check("--select", "shared-host-namespace", ".")
    # Both sets now render hostPID: true; the child's own values line is blamed once for both.
    assert ("charts/web/charts/child/values.yaml", 2, "values", ("values.yaml",)) in [
        (a, b, c, d[:1]) for a, b, c, d in found(report, "shared-host-namespace")
    ]
    assert code == 1


def test_one_finding_for_every_values_set_that_produces_it(chart: Path) -> None:
    write(chart, {"ci/a-values.yaml": "hostNetwork: false\n", "ci/b-values.yaml": "image: {tag: '1.28'}\n"})
    code, report, _ = check("--select", "dangerous-capability", ".")
    assert found(report, "dangerous-capability") == [
        ("charts/web/templates/deployment.yaml", 31, "template",
         ("values.yaml", "ci/a-values.yaml", "ci/b-values.yaml")),
    ]
    out = io.StringIO()
    main(["check", "--select", "dangerous-capability", "."], out=out, err=io.StringIO())
    assert "with values sets values.yaml, ci/a-values.yaml, ci/b-values.yaml" in out.getvalue()
    assert code == 1


def test_required_failure_is_a_located_input_error(chart: Path) -> None:
    write(chart, {"templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n"
                  "  url: {{ required \"url is required\" .Values.url }}\n"})
    code, report, _ = check(".")
    assert code == 2
    [error] = report["errors"]
    assert (error["file"], error["line"], error["column"]) == ("charts/web/templates/cm.yaml", 6, 10)
    assert error["code"] == "GL010"
    assert "url is required" in error["message"] and "values set values.yaml" in error["message"]


def test_template_syntax_error_is_located(chart: Path) -> None:
    write(chart, {"templates/bad.yaml": "a: 1\nb: {{ if }}\n"})
    code, report, _ = check(".")
    assert code == 2
    [error] = report["errors"]
    assert (error["file"], error["line"]) == ("charts/web/templates/bad.yaml", 2)


def test_missing_dependency_says_helm_dependency_build(chart: Path) -> None:
    import shutil

    shutil.rmtree(chart / "charts/child")
    (chart / "Chart.lock").write_text("dependencies: []\n")
    code, report, _ = check(".")
    assert code == 2
    [error] = report["errors"]
    assert (error["file"], error["line"]) == ("charts/web/Chart.yaml", 5)
    assert "helm dependency build charts/web" in error["hint"] and "Chart.lock" in error["message"]


def test_second_run_is_served_from_the_cache(chart: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(chart, {"ci/host-values.yaml": "hostNetwork: true\n"})
    first = check("--select", "shared-host-namespace", ".")
    from guardlint.render import helm_run

    def no_render(*_a: object, **_k: object) -> None:
        raise AssertionError("rendered again although nothing changed")

    monkeypatch.setattr(helm_run, "render", no_render)
    assert check("--select", "shared-host-namespace", ".") == first
    # A changed values file is a different rendering.
    write(chart, {"ci/host-values.yaml": "hostNetwork: false\n"})
    monkeypatch.setenv("GUARDLINT_DEBUG", "1")
    with pytest.raises(AssertionError, match="rendered again"):
        main(["check", "."], out=io.StringIO(), err=io.StringIO())


def test_no_renderer_is_one_error_naming_both_installs(chart: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from guardlint.render import helm_run

    monkeypatch.setattr(helm_run, "find_renderer", lambda: None)
    code, report, _ = check(".")
    assert code == 2
    [error] = report["errors"]
    assert error["code"] == "GL011" and error["file"] == "charts/web/Chart.yaml"
    assert "helm" in error["hint"] and "guardlint[helm]" in error["hint"] and "render: false" in error["hint"]


def test_render_false_skips_templates_with_a_note(chart: Path) -> None:
    code, report, _ = check("--no-render", "--verbose", "--allow-no-objects", ".")
    assert code == 0 and report["errors"] == []
    notes = {s["file"] for s in report["skipped"] if s["reason"].startswith("an unrendered Helm template of the chart")}
    assert "charts/web/templates/deployment.yaml" in notes


def test_a_named_template_file_renders_its_chart(chart: Path) -> None:
    # pre-commit names the changed file: the whole chart is rendered once, never the template alone.
    code, report, _ = check("--partial", "--select", "dangerous-capability",
                            "charts/web/templates/deployment.yaml", "charts/web/values.yaml")
    assert [e for e in report["errors"] if e["code"] == "GL002"] == []
    assert found(report, "dangerous-capability")[0][:2] == ("charts/web/templates/deployment.yaml", 31)
    assert code == 1


def test_configured_values_sets_release_and_set(chart: Path) -> None:
    write(chart.parent.parent, {".guardlint.yaml": (
        "charts:\n  charts/web:\n    release: prod\n    namespace: web\n"
        "    values-sets:\n      prod: [env/prod.yaml]\n    set: [hostNetwork=true]\n"
    ), "charts/web/env/prod.yaml": "securityContext:\n  privileged: true\n"})
    code, report, _ = check("--select", "privileged-container,shared-host-namespace", ".")
    assert found(report, "privileged-container") == [("charts/web/env/prod.yaml", 2, "values", ("prod",))]
    # --set values have no file: the finding stays on the template line that writes the key.
    assert found(report, "shared-host-namespace") == [
        ("charts/web/templates/deployment.yaml", 16, "template", ("prod",)),
    ]
    names = {f["resource"]["name"] for f in report["findings"]}
    assert names == {"prod-web"}
    assert code == 1


def test_values_files_outside_the_repository_are_refused(chart: Path, tmp_path: Path) -> None:
    write(chart.parent.parent, {".guardlint.yaml": "charts:\n  charts/web:\n    values-sets:\n"
                                "      x: [../../../outside.yaml]\n"})
    code, report, _ = check(".")
    assert code == 2
    assert "outside the repository" in report["errors"][0]["message"]


def test_a_library_chart_renders_nothing_and_is_no_error(repo: Path) -> None:
    write(repo, {"lib/Chart.yaml": "apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n",
                 "lib/templates/_x.tpl": '{{- define "lib.x" -}}a: 1{{- end }}\n'})
    code, report, _ = check("--allow-no-objects", ".")
    assert (code, report["errors"]) == (0, [])


CAPABILITIES = """apiVersion: v1
kind: ConfigMap
metadata:
  name: caps
data:
  minor: {{ .Capabilities.KubeVersion.Minor | quote }}
  monitoring: {{ .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" | quote }}
  {{- $secret := lookup "v1" "Secret" "default" "db" }}
  found: {{ if $secret }}"yes"{{ else }}"no"{{ end }}
"""


def test_kubernetes_version_api_versions_and_an_offline_lookup(chart: Path) -> None:
    write(chart, {"templates/caps.yaml": CAPABILITIES})
    write(chart.parent.parent, {".guardlint.yaml": (
        "kubernetes-version: '1.30'\ncharts:\n  charts/web:\n    api-versions: [monitoring.coreos.com/v1]\n")})
    code, report, _ = check("--select", "privileged-container", ".")
    assert code == 0, report
    from guardlint.render.cache import cache_dir

    streams = list(Path(cache_dir(), "render").glob("*.yaml"))
    text = "".join(p.read_text() for p in streams)
    assert 'minor: "30"' in text and 'monitoring: "true"' in text and 'found: "no"' in text


def test_a_cache_inside_the_repository_is_neither_read_nor_written(chart: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A merge request cannot commit a rendering for guardlint to lint in place of what its chart renders: CI
    setups point the cache into the checkout, and every input of a rendering's key is known to the author."""
    write(chart, {"ci/host-values.yaml": "hostNetwork: true\n"})
    outside = tmp_path.parent / f"{tmp_path.name}-outside-cache"
    monkeypatch.setenv("GUARDLINT_CACHE_DIR", str(outside))
    first = check("--select", "shared-host-namespace", ".")
    assert found(first[1], "shared-host-namespace"), first
    entries = sorted((outside / "render").glob("*.json"))  # one per values set
    # The same entries, committed inside the repository with a harmless rendering under the same keys.
    planted = {}
    for entry in entries:
        data = json.loads(entry.read_text())
        data["templates"] = {name: text.replace("hostNetwork: true", "hostNetwork: false")
                             for name, text in data["templates"].items()}
        planted[entry.name] = json.dumps(data)
    inside = chart.parent.parent / ".cache" / "guardlint"
    (inside / "render").mkdir(parents=True)
    for name, text in planted.items():
        (inside / "render" / name).write_text(text)
    monkeypatch.setenv("GUARDLINT_CACHE_DIR", str(inside))
    assert found(check("--select", "shared-host-namespace", ".")[1], "shared-host-namespace") == \
        found(first[1], "shared-host-namespace")
    assert sorted(p.name for p in (inside / "render").iterdir()) == sorted(planted)  # nothing written there
    # The same planted entries in a cache folder outside the repository would be used (the test can fail).
    for entry in entries:
        entry.write_text(planted[entry.name])
    monkeypatch.setenv("GUARDLINT_CACHE_DIR", str(outside))
    assert not found(check("--select", "shared-host-namespace", ".")[1], "shared-host-namespace")


def test_the_cache_is_bounded(tmp_path: Path) -> None:
    import time

    from guardlint.render.cache import prune

    for i in range(6):
        (tmp_path / f"{i}.json").write_text("x" * 100)
        os.utime(tmp_path / f"{i}.json", (time.time() - 100 + i, time.time() - 100 + i))
    prune(str(tmp_path), max_files=4, max_bytes=10_000)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2.json", "3.json", "4.json", "5.json"]
    prune(str(tmp_path), max_files=10, max_bytes=250)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["4.json", "5.json"]


def test_github_annotations_and_sarif_use_the_edited_file(chart: Path) -> None:
    write(chart, {"ci/host-values.yaml": "hostNetwork: true\n"})
    out = io.StringIO()
    main(["check", "--format", "github", "--select", "shared-host-namespace", "."], out=out, err=io.StringIO())
    [annotation] = [line for line in out.getvalue().splitlines() if line.startswith("::")]
    assert annotation.startswith("::error file=charts/web/ci/host-values.yaml,line=1,col=1,")
    assert "values set ci/host-values.yaml" in annotation
    out = io.StringIO()
    main(["check", "--format", "sarif", "--select", "shared-host-namespace", "."], out=out, err=io.StringIO())
    [result] = json.loads(out.getvalue())["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "charts/web/ci/host-values.yaml"
    assert result["relatedLocations"][0]["message"]["text"] == "rendered output of helm chart charts/web"


def test_chart_settings_are_validated(chart: Path) -> None:
    write(chart.parent.parent, {".guardlint.yaml": "charts:\n  charts/web:\n    relase: prod\n"})
    code, _, err = check(".")
    assert code == 2
    assert "unknown key 'relase'" in err and "did you mean 'release'" in err


PRIVILEGED_POD = """apiVersion: v1
kind: Pod
metadata:
  name: linked
spec:
  containers:
    - name: c
      image: busybox:1.36
      securityContext:
        privileged: true
"""


def test_symbolic_links_inside_the_repository_are_followed_as_helm_does(
        chart: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Helm follows a link in a chart (a subchart linked from a library folder of a monorepo, a file
    ``.Files.Get`` reads). guardlint follows those whose target stays inside the repository, so the privileged
    pod of a linked subchart is found, at its path through the link; a link out of the repository, a dangling
    one and one that makes a cycle are left out, each named in a note (an input error under a policy lock)."""
    if os.name == "nt":
        pytest.skip("symbolic links")
    repo = chart.parent.parent
    outside = tmp_path_factory.mktemp("outside")
    write(repo, {"library/sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
                 "library/sub/templates/pod.yaml": PRIVILEGED_POD})
    write(outside, {"ext/Chart.yaml": "apiVersion: v2\nname: ext\nversion: 0.1.0\n",
                    "ext/templates/pod.yaml": PRIVILEGED_POD.replace("name: linked", "name: ext")})
    os.symlink(repo / "library" / "sub", chart / "charts" / "sub")  # inside: followed
    os.symlink(os.path.join("..", "..", "library", "sub", "Chart.yaml"), chart / "linked.txt")  # relative
    os.symlink(outside / "ext", chart / "charts" / "ext")  # outside the repository: left out
    os.symlink(chart / "missing", chart / "dangling.txt")
    os.symlink("..", chart / "templates" / "again")  # a cycle: templates/again/templates/again/...
    (repo / ".git" / "config").write_text("[http]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n")
    os.symlink(repo / ".git", chart / "files")  # inside, but credentials live there in CI: left out
    out, err = io.StringIO(), io.StringIO()
    main(["check", "--select", "privileged-container", "--fail-on", "never", "."], out=out, err=err)
    text = out.getvalue()
    assert "charts/web/charts/sub/templates/pod.yaml:10:" in text and "name: ext" not in text, text
    notes = sorted(line for line in text.splitlines() if ": note: a symbolic link in the Helm chart" in line)
    assert [n.split(":", 1)[0] for n in notes] == [
        "charts/web/charts/ext", "charts/web/dangling.txt", "charts/web/files", "charts/web/templates/again"], text
    assert "(it leads outside the repository)" in notes[0] and "(its target is missing)" in notes[1]
    assert "(it leads into a .git folder)" in notes[2]
    assert "(it makes a cycle: it leads to a folder it is in)" in notes[3]
    assert all("Helm would follow it, so what it holds is neither rendered nor linted" in n for n in notes)
    # Under a policy that locks rules, a link left out could hide a locked rule's finding: an input error.
    policy = outside / "policy.yaml"
    policy.write_text("locked: [privileged-container]\n")
    code, report, _ = check("--policy", str(policy), "--select", "privileged-container", ".")
    assert code == 2
    assert sorted((e["file"], e["code"]) for e in report["errors"]) == [
        ("charts/web/charts/ext", "GL010"), ("charts/web/dangling.txt", "GL010"), ("charts/web/files", "GL010"),
        ("charts/web/templates/again", "GL010")]
    assert all("the policy locks rules whose findings it could hide" in e["message"] for e in report["errors"])
    # The library chart is also a chart of its own, rendered and linted as such.
    assert sorted(f["file"] for f in report["findings"]) == [
        "charts/web/charts/sub/templates/pod.yaml", "library/sub/templates/pod.yaml"]


def test_a_dependency_reached_only_through_a_link_out_of_the_repository_is_missing(
        chart: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """``helm template`` refuses a chart whose dependency is not in charts/; guardlint renders a copy without
    the links it does not follow, so a dependency that only such a link provides is missing from that copy
    and reported so (before, the copy rendered without it and without an error)."""
    if os.name == "nt":
        pytest.skip("symbolic links")
    outside = tmp_path_factory.mktemp("outside")
    write(outside, {"child/Chart.yaml": "apiVersion: v2\nname: child\nversion: 0.1.0\n"})
    child = chart / "charts" / "child"
    for f in sorted(child.rglob("*"), reverse=True):
        f.unlink() if f.is_file() else f.rmdir()
    child.rmdir()
    os.symlink(outside / "child", child)
    code, report, _ = check(".")
    assert code == 2
    assert ("charts/web/Chart.yaml", 5, ("dependency 'child' (listed in Chart.yaml) is not in charts/web/charts/; "
            "guardlint renders offline and never downloads charts")) in [
        (e["file"], e["line"], e["message"]) for e in report["errors"]]


def test_a_schema_reference_in_a_linked_subchart_is_refused(chart: Path) -> None:
    """The values schema of a subchart reached through a link is checked as a subchart folder's is: Helm would
    load its ``$ref`` (here a file outside the repository)."""
    if os.name == "nt":
        pytest.skip("symbolic links")
    repo = chart.parent.parent
    write(repo, {"library/sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
                 "library/sub/values.schema.json": '{"$ref": "file:///etc/passwd"}\n'})
    os.symlink(repo / "library" / "sub", chart / "charts" / "sub")
    code, report, _ = check(".")
    assert code == 2
    # The library folder is also a chart of its own, whose schema is refused as such.
    assert sorted((e["file"], e["code"]) for e in report["errors"]) == [
        ("charts/web/charts/sub/values.schema.json", "GL010"), ("library/sub/values.schema.json", "GL010")]
    assert all("$ref 'file:///etc/passwd' would be loaded by Helm" in e["message"] for e in report["errors"])


def test_links_that_fan_out_are_bounded(chart: Path) -> None:
    """Links inside the repository that reach the same folders over and over (no cycle: 2**30 paths) stop at
    ``MAX_CHART_ENTRIES`` with an error instead of copying without end."""
    if os.name == "nt":
        pytest.skip("symbolic links")
    import time

    repo = chart.parent.parent
    for i in range(30):
        (repo / "fan" / str(i)).mkdir(parents=True)
    for i in range(29):
        for name in ("a", "b"):
            os.symlink(repo / "fan" / str(i + 1), repo / "fan" / str(i) / name)
    os.symlink(repo / "fan" / "0", chart / "files")
    start = time.monotonic()
    code, report, _ = check(".")
    assert time.monotonic() - start < 60
    assert code == 2
    assert ("charts/web/Chart.yaml", ("the chart has more than 20000 files and folders (symbolic links followed); "
            "it is not rendered")) in [(e["file"], e["message"]) for e in report["errors"]]


def test_a_rendering_over_the_file_size_limit_is_not_linted(repo: Path) -> None:
    """A template can write without bound (``repeat``, ``range until``): a 30 MB rendering passed the 20 MB limit
    a file of that size meets, and 100 MB took 90 s and 1.2 GB to load and lint. It is a ``file-too-large`` error
    at the largest template, as a file would be; a higher ``--max-file-size`` lints it."""
    write(repo, {"c/Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\n",
                 "c/templates/cm.yaml": ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n"
                                         "data:\n  x: {{ repeat 1500000 \"x\" | quote }}\n"),
                 "c/templates/small.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: small\n"})
    code, report, _ = check("--max-file-size", "1", "c")
    assert code == 2 and report["findings"] == []
    message = ("what the Helm chart c renders with values set values.yaml is over the 1 MB limit (the largest "
               "part, 1.4 MB, from this template); nothing was linted for this values set")
    assert [(e["file"], e["code"], e["message"]) for e in report["errors"]] == [
        ("c/templates/cm.yaml", "GL005", message)]
    code, report, _ = check("--max-file-size", "2", "--select", "invalid-object-name", "c")
    assert code == 0 and report["errors"] == []


@pytest.mark.parametrize("name", [".GIT", ".Git", ".git.", "GIT~1"])
def test_a_chart_link_into_the_git_folder_by_another_name_is_left_out(tmp_path: Path, name: str) -> None:
    """On a macOS or Windows runner ``.GIT`` (and there ``.git.``, ``GIT~1``) opens the ``.git`` folder, where CI
    keeps credentials: a chart's link to it is left out as one to ``.git`` is (review8: only the exact name was
    known). No renderer needed: ``chart_files`` decides what the copy Helm renders holds."""
    if os.name == "nt":
        pytest.skip("symbolic links")
    from guardlint.render.helm import chart_files

    write(tmp_path, {"chart/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
                     f"{name}/config": "[http]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n",
                     ".github/values.yaml": "a: 1\n"})
    os.symlink(tmp_path / name, tmp_path / "chart" / "files")
    os.symlink(tmp_path / ".github", tmp_path / "chart" / "ci")  # a folder merely starting with ".git": followed
    listed = chart_files(str(tmp_path / "chart"), str(tmp_path))
    assert [(os.path.basename(o.path), o.reason) for o in listed.left_out] == [("files", "it leads into a .git folder")]
    assert [rel for rel, _ in listed.files] == ["Chart.yaml", os.path.join("ci", "values.yaml")]
