"""--fix and --diff on Helm-rendered objects: a scalar fix goes into the values entry the rendered value comes
from, checked by rendering the chart again; everything else is reported as not applicable, with the reason."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from guardlint.cli import main
from guardlint.findings import FixEdit
from guardlint.render.helm import find_renderer
from tests.render.conftest import write

pytestmark = pytest.mark.skipif(
    find_renderer() is None,
    reason="needs a Helm renderer: the 'helm' binary on PATH or helm-python-sdk (pip install 'guardlint[helm]')",
)

VALUES = """# Web chart values
replicaCount: 2
seccomp: Unconfined   # the profile of the pod
image:
  repository: nginx
  tag: "1.27"
"""

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    note: {{ .Values.note | default "none" | quote }}
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      securityContext:
        seccompProfile:
          type: {{ .Values.seccomp }}
      containers:
        - name: web
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          securityContext:
            seccompProfile:
              type: {{ .Values.containerSeccomp | default "RuntimeDefault" }}
"""


@pytest.fixture
def chart(repo: Path) -> Path:
    write(repo, {
        "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
        "charts/web/values.yaml": VALUES,
        "charts/web/templates/deployment.yaml": DEPLOYMENT,
    })
    return repo / "charts/web"


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", "--select", "unconfined-seccomp-profile", *args], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def seccomp_findings(*args: str) -> list[dict[str, Any]]:
    _, out, _ = run("--format", "json", *args)
    return [f for f in json.loads(out)["findings"] if f["rule"] == "unconfined-seccomp-profile"]


def test_the_fix_replaces_the_values_entry_keeping_the_comment(chart: Path) -> None:
    values = chart / "values.yaml"
    [before] = seccomp_findings("charts/web")
    assert (before["file"], before["line"], before["rendered"]["mappedTo"]) == ("charts/web/values.yaml", 3, "values")
    code, _, err = run("--fix", "--unsafe-fixes", "charts/web")
    assert "charts/web/values.yaml:3:1: fixed unconfined-seccomp-profile: set seccompProfile.type to RuntimeDefault" \
        in err
    assert "applied 1 fix\n" in err
    assert values.read_text() == VALUES.replace("seccomp: Unconfined   #", "seccomp: RuntimeDefault   #")
    assert code == 0
    assert seccomp_findings("charts/web") == []


def test_a_read_only_values_file_is_refused(chart: Path) -> None:
    values = chart / "values.yaml"
    values.chmod(0o444)
    code, _, err = run("--fix", "--unsafe-fixes", "charts/web")
    assert ("not fixed unconfined-seccomp-profile: the values file cannot be fixed: it is read-only (mode 0444)"
            in err)
    assert "applied 0 fixes" in err and code == 1
    assert values.read_text() == VALUES


def test_an_unsafe_fix_needs_unsafe_fixes(chart: Path) -> None:
    _, _, err = run("--fix", "charts/web")
    assert "applied 0 fixes" in err
    assert (chart / "values.yaml").read_text() == VALUES


def test_diff_shows_the_values_change_and_writes_nothing(chart: Path) -> None:
    code, out, err = run("--diff", "--unsafe-fixes", "charts/web")
    assert code == 1
    assert "--- a/charts/web/values.yaml\n+++ b/charts/web/values.yaml\n" in out
    assert "-seccomp: Unconfined   # the profile of the pod\n+seccomp: RuntimeDefault   # the profile of the pod\n" \
        in out
    assert "--fix would apply 1 fix\n" in err
    assert (chart / "values.yaml").read_text() == VALUES


def test_the_json_patch_of_a_values_fix_is_null(chart: Path) -> None:
    [f] = seccomp_findings("--unsafe-fixes", "charts/web")
    assert f["fix"]["patch"] is None


def test_an_entry_feeding_two_fields_that_want_the_same_value_is_changed_once(chart: Path) -> None:
    (chart / "values.yaml").write_text(VALUES + "containerSeccomp: Unconfined\n")
    deployment = chart / "templates/deployment.yaml"
    deployment.write_text(DEPLOYMENT.replace('.Values.containerSeccomp | default "RuntimeDefault"', ".Values.seccomp"))
    assert len(seccomp_findings("charts/web")) == 2
    _, _, err = run("--fix", "--unsafe-fixes", "charts/web")
    assert "applied 2 fixes" in err
    assert (chart / "values.yaml").read_text() == (
        VALUES.replace("seccomp: Unconfined   #", "seccomp: RuntimeDefault   #") + "containerSeccomp: Unconfined\n")
    assert seccomp_findings("charts/web") == []


def test_an_entry_that_also_feeds_a_field_no_fix_is_about_is_left_alone(chart: Path) -> None:
    (chart / "templates/deployment.yaml").write_text(DEPLOYMENT.replace(
        '{{ .Values.note | default "none" | quote }}', "{{ .Values.seccomp | quote }}"))
    code, out, err = run("--diff", "--unsafe-fixes", "charts/web")
    assert (code, out) == (0, "")
    assert ("charts/web/values.yaml:3:1: not fixed unconfined-seccomp-profile: the values entry also gives its value "
            "to metadata.annotations.note in the rendered output (values set values.yaml), which no fix here asks to "
            "change; nothing was written") in err
    _, _, err = run("--fix", "--unsafe-fixes", "charts/web")
    assert "applied 0 fixes" in err
    assert (chart / "values.yaml").read_text() == VALUES


def test_a_set_expression_that_overrides_the_entry_stops_the_fix(chart: Path, repo: Path) -> None:
    (repo / ".guardlint.yaml").write_text("charts:\n  charts/web:\n    set: [seccomp=Unconfined]\n")
    _, _, err = run("--fix", "--unsafe-fixes", "charts/web")
    # The set expression gives the field its value (the same as the file's): the finding is on the template line,
    # where the fix is not applicable, and the values file is not touched.
    assert ("charts/web/templates/deployment.yaml:17:11: not fixed unconfined-seccomp-profile: not applicable: the "
            "object is rendered from the helm chart") in err
    assert (chart / "values.yaml").read_text() == VALUES


def test_a_value_a_function_recases_is_on_the_template_and_its_entry_is_not_fixed(chart: Path) -> None:
    template = chart / "templates/deployment.yaml"
    template.write_text(DEPLOYMENT.replace("type: {{ .Values.seccomp }}", "type: {{ .Values.seccomp | title }}"))
    values = VALUES.replace("seccomp: Unconfined", "seccomp: unconfined")
    (chart / "values.yaml").write_text(values)
    [before] = seccomp_findings("charts/web")
    assert before["rendered"]["mappedTo"] == "template"  # "unconfined" | title is not the file's value
    _, _, err = run("--fix", "--unsafe-fixes", "charts/web")
    assert "not fixed unconfined-seccomp-profile: not applicable" in err
    assert (chart / "values.yaml").read_text() == values


def test_a_fix_that_brings_a_new_finding_or_leaves_the_old_one_is_not_written(chart: Path) -> None:
    from guardlint.api import resolve_settings
    from guardlint.api import run as lint
    from guardlint.fix_values import candidates, checkers, plan_values_fixes

    settings = resolve_settings(select=["unconfined-seccomp-profile"])
    [f] = candidates(lint(["charts/web"], settings), unsafe=True)
    rerender, real_lint = checkers(settings, ["charts/web"])

    def unconfined(loaded: Any) -> bool:
        return "Unconfined" in json.dumps([d.data for d in loaded.documents])

    def lint_with_new(loaded: Any) -> Any:  # a rule that would object to the new value
        extra = [] if unconfined(loaded) else [f._replace(rule="objects-to-runtime-default")]
        return [*real_lint(loaded), *extra]

    [plan], refused = plan_values_fixes([f], rerender, lint_with_new, 1 << 20)
    assert (plan.new, refused) == (None, [])
    why = ("rendering with the changed values brings a new objects-to-runtime-default finding at "
           "spec.template.spec.securityContext.seccompProfile.type (values set values.yaml); nothing was written")
    assert plan.refused == ((f, why),)

    def lint_still(loaded: Any) -> Any:  # as if the rule still fired after the change
        return real_lint(loaded) if unconfined(loaded) else [*real_lint(loaded), f]

    [plan], _ = plan_values_fixes([f], rerender, lint_still, 1 << 20)
    assert plan.new is None
    why = ("after rendering with the changed values, unconfined-seccomp-profile still reports "
           "spec.template.spec.securityContext.seccompProfile.type; nothing was written")
    assert plan.refused == ((f, why),)
    [plan], _ = plan_values_fixes([f], rerender, real_lint, 1 << 20)
    assert plan.new == VALUES.replace("seccomp: Unconfined   #", "seccomp: RuntimeDefault   #")
    assert (chart / "values.yaml").read_text() == VALUES


def test_an_insert_or_remove_fix_on_a_values_entry_is_not_applicable(repo: Path) -> None:
    write(repo, {
        "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
        "charts/web/values.yaml": "privileged: true\n",
        "charts/web/templates/pod.yaml": (
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n"
            "      image: nginx:1.27\n      securityContext:\n        privileged: {{ .Values.privileged }}\n"),
    })
    out, err = io.StringIO(), io.StringIO()
    main(["check", "--select", "privileged-container", "--fix", "--unsafe-fixes", "charts/web"], out=out, err=err)
    assert ("charts/web/values.yaml:1:1: not fixed privileged-container: not applicable: the object is rendered from "
            "the helm chart charts/web; the change (remove privileged: true) inserts or removes fields, and --fix "
            "changes a values file only to replace the value the reported field gets from it") in err.getvalue()
    assert (repo / "charts/web/values.yaml").read_text() == "privileged: true\n"


def test_fields_of_one_entry_wanting_different_values_are_refused(chart: Path) -> None:
    from guardlint.api import resolve_settings
    from guardlint.api import run as lint
    from guardlint.fix_values import candidates, plan_values_fixes

    settings = resolve_settings(select=["unconfined-seccomp-profile"])
    [f] = candidates(lint(["charts/web"], settings), unsafe=True)
    assert f.fix is not None
    other = f._replace(fix=f.fix._replace(edits=(FixEdit("set", f.path, "Localhost"),)))

    def never(*_: Any) -> Any:
        raise AssertionError("nothing is rendered when the fixes disagree")

    plans, refused = plan_values_fixes([f, other], never, never, 1 << 20)
    assert plans == []
    assert [g for g, _ in refused] == [f, other]
    expected = ("not applicable: the values entry seccomp gives its value to several fields whose fixes want "
                "different values ('RuntimeDefault', 'Localhost'): change it by hand")
    assert all(why == expected for _, why in refused)


def test_a_values_file_another_chart_also_uses_is_left_alone(chart: Path, repo: Path) -> None:
    write(repo, {
        "env/prod.yaml": "seccomp: Unconfined\n",
        "charts/api/Chart.yaml": "apiVersion: v2\nname: api\nversion: 0.1.0\n",
        "charts/api/templates/deployment.yaml": DEPLOYMENT.replace("name: web", "name: api"),
        ".guardlint.yaml": ("charts:\n  charts/web:\n    values-sets:\n      prod: [../../env/prod.yaml]\n"
                            "  charts/api:\n    values-sets:\n      prod: [../../env/prod.yaml]\n"),
    })
    [f] = seccomp_findings("charts/web")
    assert (f["file"], f["rendered"]["mappedTo"]) == ("env/prod.yaml", "values")
    _, _, err = run("--fix", "--unsafe-fixes", "charts/web")
    assert ("env/prod.yaml:1:1: not fixed unconfined-seccomp-profile: not applicable: the values file is also a "
            "values file of chart charts/api, which the change would reach unchecked: change it by hand") in err
    assert (repo / "env/prod.yaml").read_text() == "seccomp: Unconfined\n"
