"""Kustomize overlays built by guardlint, findings mapped to resource files, patches and generators."""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import pytest

from guardlint.cli import main
from tests.render.conftest import write

pytestmark = pytest.mark.skipif(
    shutil.which("kustomize") is None and shutil.which("kubectl") is None,
    reason="needs 'kustomize' or 'kubectl' on PATH to build overlays",
)

DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: app
          image: nginx:1.27
          securityContext:
            privileged: false
"""
BASE = """resources:
  - deploy.yaml
configMapGenerator:
  - name: settings
    literals: [mode=fast]
"""
SMP = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: app
          securityContext:
            privileged: true
"""
PROD = """namePrefix: prod-
resources:
  - ../../base
patches:
  - path: privileged.yaml
  - target: {kind: Deployment, name: web}
    patch: |-
      - op: add
        path: /spec/template/spec/hostPID
        value: true
"""
DEV = """namePrefix: dev-
resources:
  - ../../base
"""


def check(*args: str) -> tuple[int, dict[str, object]]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", "--format", "json", "--select", "security", *args], out=out, err=err)
    return code, json.loads(out.getvalue()) if out.getvalue() else {"stderr": err.getvalue()}


def where(report: dict[str, object], rule: str) -> list[tuple[str, int]]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return sorted((f["file"], f["line"]) for f in findings if f["rule"] == rule)


@pytest.fixture
def layout(repo: Path) -> Path:
    write(repo, {
        "base/kustomization.yaml": BASE, "base/deploy.yaml": DEPLOY,
        "overlays/prod/kustomization.yaml": PROD, "overlays/prod/privileged.yaml": SMP,
        "overlays/dev/kustomization.yaml": DEV,
    })
    return repo


def test_patch_and_inline_json_patch_findings_are_on_the_patch_lines(layout: Path) -> None:
    code, report = check(".")
    assert code == 1
    # The strategic-merge patch sets privileged: line 11 of the patch file; the base's false is not blamed.
    assert where(report, "privileged-container") == [("overlays/prod/privileged.yaml", 11)]
    # The inline JSON 6902 patch sets hostPID: its value line in the kustomization.
    assert where(report, "shared-host-namespace") == [("overlays/prod/kustomization.yaml", 10)]
    finding = next(f for f in report["findings"] if f["rule"] == "privileged-container")  # type: ignore[attr-defined]
    rendered = finding["rendered"]
    assert rendered["source"] == "kustomize overlay overlays/prod"
    assert rendered["mappedTo"] == "patch"
    assert os.path.isfile(rendered["file"])
    assert "privileged: true" in Path(rendered["file"]).read_text().splitlines()[rendered["line"] - 1]


def test_no_rendered_stream_is_kept_in_a_cache_inside_the_repository(layout: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache folder inside the checkout (CI setups put it there) gets no rendered streams: the repository's
    authors can write there, and a later run would lint the stream as one of the repository's files."""
    inside = layout / ".cache" / "guardlint"
    monkeypatch.setenv("GUARDLINT_CACHE_DIR", str(inside))
    first = check(".")
    assert where(first[1], "privileged-container") == [("overlays/prod/privileged.yaml", 11)]
    assert not inside.exists()
    assert check(".") == first


def test_base_findings_land_on_the_base_file_once_for_both_overlays(layout: Path) -> None:
    code, report = check(".", "--select", "resources")
    # Both overlays render the base Deployment without resources: one finding on the base line.
    assert where(report, "missing-memory-limit") == [("base/deploy.yaml", 13)]
    # No base file is linted on its own, and the annotation guardlint asked for is gone.
    assert all(not f["file"].startswith("overlays/dev") for f in report["findings"])  # type: ignore[attr-defined]
    assert "config.kubernetes.io/origin" not in json.dumps(report)
    assert code == 1


def test_a_changed_base_file_renders_the_overlays_that_use_it(layout: Path) -> None:
    # pre-commit names only the base file: the overlays elsewhere in the repository are built.
    (layout / "base/deploy.yaml").write_text(DEPLOY.replace("privileged: false", "privileged: true"))
    code, report = check("--partial", "base/deploy.yaml")
    assert code == 1
    # dev renders the base value (line 16); prod's patch wins there (line 11 of the patch).
    assert where(report, "privileged-container") == [
        ("base/deploy.yaml", 16), ("overlays/prod/privileged.yaml", 11),
    ]


def test_generated_objects_map_to_their_generator(layout: Path) -> None:
    # No built-in rule reports on a ConfigMap, so a finding is made up on the generated object.
    from guardlint.findings import Finding, Location, Report, Severity
    from guardlint.render.run import RenderOptions, prepare, remap
    from guardlint.render.tree import partition
    from guardlint.source.files import discover

    inputs, _ = discover(["overlays/dev"])
    prepared = prepare(partition(inputs), [], RenderOptions())
    [unit] = prepared.units
    [doc] = [d for d in unit.loaded.documents if d.data and d.data.get("kind") == "ConfigMap"]
    made_up = Finding("r", "X1", Severity.ERROR, "m", unit.pseudo, Location(1, 1, 1, 1), ("data", "mode"), None, "",
                      document_index=doc.index)
    report = remap(Report((made_up,), (), (unit.pseudo,), 1), prepared.units)
    [f] = report.findings
    # The data key 'mode' is declared by the literal 'mode=fast': the finding is on that item, exactly.
    assert (f.file, f.line, f.column) == ("base/kustomization.yaml", 5, 16)
    assert f.rendered is not None and f.rendered.mapped_to == "generator" and not f.rendered.approximate
    assert report.files == ("overlays/dev",)
    # A finding on the object as a whole stays on the generator entry, approximately.
    whole = made_up._replace(path=("data",))
    [f] = remap(Report((whole,), (), (unit.pseudo,), 1), prepared.units).findings
    assert (f.file, f.line) == ("base/kustomization.yaml", 4)
    assert f.rendered is not None and f.rendered.approximate


GENERATORS = """namePrefix: prod-
secretGenerator:
  - name: app
    literals:
      - LOG_LEVEL=info
  - name: app-config
    literals:
      - region=eu
      - api_token=ghp_1234567890abcdefghijklmnopqrstuvwxyzAB
    files:
      - smtp.password
configMapGenerator:
  - name: web
    literals: [A=1]
  - name: web-settings
    literals:
      - A=1
      - SMTP_PASSWORD=hunter2-prod-77
"""


def test_generated_findings_land_on_their_own_generator_entry_and_key(repo: Path) -> None:
    """Each generated object maps to the entry that made it, not to an entry whose name is only part of its name
    ('app' in 'prod-app-config-<hash>'), and a finding on one data key to the literal or file that declares it."""
    write(repo, {"o/kustomization.yaml": GENERATORS, "o/smtp.password": "hunter2-prod-77\n"})
    code, report = check(".", "--select", "plaintext-secret,credentials-in-configmap")
    assert code == 1
    found = sorted((f["rule"], f["line"], f["column"], f["rendered"]["approximate"], f["resource"]["name"][:-11])
                   for f in report["findings"])  # type: ignore[attr-defined]
    assert found == [
        ("credentials-in-configmap", 18, 9, False, "prod-web-settings"),  # the SMTP_PASSWORD literal
        ("plaintext-secret", 3, 5, True, "prod-app"),  # the whole Secret: its entry
        ("plaintext-secret", 6, 5, True, "prod-app-config"),
    ]


def test_a_key_an_overlay_merges_into_a_generator_lands_on_the_overlay_literal(repo: Path) -> None:
    """With ``behavior: merge`` the object's origin names the base's generator; the key the overlay adds is
    declared by the overlay's entry of the same name, where the finding goes."""
    write(repo, {
        "base/kustomization.yaml": "configMapGenerator:\n  - name: app-config\n    literals:\n      - LOG_LEVEL=info\n",
        "prod/kustomization.yaml": "namePrefix: prod-\nresources:\n  - ../base\nconfigMapGenerator:\n"
                                   "  - name: app-config\n    behavior: merge\n    literals:\n"
                                   "      - SMTP_PASSWORD=hunter2-prod-77\n",
    })
    code, report = check("prod", "--select", "credentials-in-configmap")
    assert code == 1
    [f] = report["findings"]  # type: ignore[misc]
    assert (f["file"], f["line"], f["column"], f["rendered"]["approximate"]) == ("prod/kustomization.yaml", 8, 9, False)


def test_remote_bases_are_refused_with_a_located_error(repo: Path) -> None:
    write(repo, {"o/kustomization.yaml": "resources:\n  - https://github.com/example/repo//base?ref=v1\n"})
    code, report = check(".")
    assert code == 2
    [error] = report["errors"]  # type: ignore[misc]
    assert (error["file"], error["line"], error["code"]) == ("o/kustomization.yaml", 2, "GL010")
    assert "never contacts the network" in error["message"]


def test_build_errors_are_input_errors(repo: Path) -> None:
    write(repo, {"o/kustomization.yaml": "resources:\n  - missing.yaml\n"})
    code, report = check(".")
    assert code == 2
    [error] = report["errors"]  # type: ignore[misc]
    assert (error["file"], error["line"]) == ("o/kustomization.yaml", 2)
    assert "'missing.yaml' in 'resources' does not exist" in error["message"]
    assert "guardlint-kustomize-" not in error["message"]


def test_render_false_lints_the_files_as_they_are(layout: Path) -> None:
    (layout / ".guardlint.yaml").write_text("render: false\n")
    code, report = check(".")
    assert where(report, "privileged-container") == [("overlays/prod/privileged.yaml", 11)]
    assert all(f["rendered"] is None for f in report["findings"])  # type: ignore[attr-defined]
    code2, report2 = check("--no-render", ".", "--no-config")
    assert report2["findings"] == report["findings"]
    assert code == code2 == 1


def test_no_builder_is_one_clear_error(layout: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(layout / "nothing-here"))
    code, report = check("overlays/prod")
    assert code == 2
    [error] = report["errors"]  # type: ignore[misc]
    assert error["code"] == "GL011" and error["file"] == "overlays/prod/kustomization.yaml"
    assert "kustomize" in error["hint"] and "render: false" in error["hint"]


def test_sarif_keeps_the_rendered_position_as_a_related_location(layout: Path) -> None:
    out = io.StringIO()
    main(["check", "--format", "sarif", "--select", "privileged-container", "overlays/prod"], out=out,
         err=io.StringIO())
    [result] = json.loads(out.getvalue())["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "overlays/prod/privileged.yaml"
    related = result["relatedLocations"][0]["physicalLocation"]
    assert related["artifactLocation"]["uri"].startswith("file://")
    assert result["properties"]["rendered"]["mappedTo"] == "patch"


def test_an_excluded_overlay_is_not_built_for_a_changed_base(layout: Path) -> None:
    (layout / ".guardlint.yaml").write_text("exclude: [overlays/prod]\n")
    (layout / "base/deploy.yaml").write_text(DEPLOY.replace("privileged: false", "privileged: true"))
    code, report = check("--partial", "base/deploy.yaml")
    assert where(report, "privileged-container") == [("base/deploy.yaml", 16)]  # dev only
    assert code == 1


def test_an_excluded_overlay_is_not_built_when_run_from_a_subfolder(layout: Path) -> None:
    """The exclude pattern is relative to the configuration's folder, not to the working directory."""
    (layout / ".guardlint.yaml").write_text("exclude: [overlays/prod]\n")
    (layout / "base/deploy.yaml").write_text(DEPLOY.replace("privileged: false", "privileged: true"))
    os.chdir(layout / "base")
    code, report = check("--partial", "deploy.yaml")
    assert where(report, "privileged-container") == [("deploy.yaml", 16)]  # dev only
    assert code == 1


COMPONENT = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - cm.yaml\n"
CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  mode: fast\n"


def test_a_component_no_linted_overlay_uses_is_named_not_silently_dropped(layout: Path) -> None:
    """A Component is built only with the overlays that use it: linted alone, its files are not linted, and the
    report says so (a note in every text report, the reason in the JSON ``skipped`` list)."""
    write(layout, {"components/extra/kustomization.yaml": COMPONENT, "components/extra/cm.yaml": CONFIGMAP})
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", "components/extra", "--no-config", "--color", "never"], out=out, err=err)
    assert code == 2  # no Kubernetes object was linted
    assert ("components/extra/kustomization.yaml:1: note: a kustomize Component is built only with an overlay "
            "that uses it, and no linted overlay does") in out.getvalue()
    code, report = check("components/extra", "overlays/dev", "--verbose")
    assert [s["file"] for s in report["skipped"]] == ["components/extra/kustomization.yaml"]  # type: ignore[index]
    # Used by a linted overlay: built with it, no note.
    (layout / "overlays/dev/kustomization.yaml").write_text(DEV + "components:\n  - ../../components/extra\n")
    code, report = check("components/extra", "overlays/dev", "--verbose")
    assert report["skipped"] == [] and report["summary"]["resources"] == 3  # type: ignore[index]
