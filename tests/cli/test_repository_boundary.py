"""Nothing in a repository makes guardlint read outside it: symbolic links that lead out of the repository are
not followed in folders (and refused when named), and a configuration inside a repository cannot name files
outside it (``extends``, ``rule-dirs``, ``schemas``, ``plugins``)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from guardlint.cli import main
from guardlint.source.files import discover_all

POD = """apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  containers:
    - name: app
      image: nginx:1.27
      securityContext:
        privileged: true
"""

SECRET_CONFIG = """apiVersion: v1
kind: Config
users:
  - name: ci
    user:
      token: hunter2-token
"""


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A git checkout ``repo`` (the working directory) and a folder ``outside`` it holding a secret."""
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    (repo / ".git").mkdir(parents=True)
    (repo / "deploy" / "shared-in-repo").mkdir(parents=True)
    (repo / "deploy" / "pod.yaml").write_text(POD.format(name="web"))
    (repo / "common").mkdir()
    (repo / "common" / "pod.yaml").write_text(POD.format(name="common"))
    outside.mkdir()
    (outside / "kubeconfig.yaml").write_text(SECRET_CONFIG)
    (outside / "pod.yaml").write_text(POD.format(name="outside"))
    monkeypatch.chdir(repo)
    return repo, outside


def test_links_out_of_the_repository_are_passed_over_in_folders(layout: tuple[Path, Path]) -> None:
    repo, outside = layout
    os.symlink(outside / "kubeconfig.yaml", repo / "deploy" / "leak.yaml")
    os.symlink(outside, repo / "deploy" / "external")
    os.symlink("/", repo / "deploy" / "root")
    os.symlink("../../common", repo / "deploy" / "shared-in-repo" / "common")  # inside: followed
    found = discover_all(["deploy"])
    assert sorted(i.display for i in found.inputs) == ["deploy/pod.yaml", "deploy/shared-in-repo/common/pod.yaml"]
    reasons = {s.file: s.reason for s in found.skipped}
    assert "outside the repository" in reasons["deploy/leak.yaml"]
    assert "outside the repository" in reasons["deploy/external/"]
    assert "deploy/root/" not in reasons  # a link above the tree: not followed, as before (listed by --show-files)
    code, out, err = run("check", "deploy", "--no-config", "--format", "json", "--select", "all", "--fail-on", "never")
    assert code == 0, err
    assert "hunter2" not in out + err
    assert sorted({f["file"] for f in json.loads(out)["findings"]}) == [
        "deploy/pod.yaml", "deploy/shared-in-repo/common/pod.yaml"]
    code, out, _ = run("check", "deploy", "--no-config", "--show-files")
    assert "skip  deploy/leak.yaml  (a symbolic link to a file outside the repository" in out
    assert "skip  deploy/external/  (a symbolic link to a folder outside the repository" in out
    # Naming such a link is refused too (next test): the reason says so, and no longer invites naming it.
    assert "not read (guardlint does not read outside the repository it lints, also when the link is named)" in out
    assert "not followed (guardlint does not read outside the repository it lints, also when the link is named)" in out
    assert "name it on the command line" not in out


def test_a_link_out_of_the_repository_named_explicitly_is_refused(layout: tuple[Path, Path]) -> None:
    repo, outside = layout
    os.symlink(outside / "kubeconfig.yaml", repo / "deploy" / "leak.yaml")
    os.symlink(outside, repo / "deploy" / "external")
    for named in ("deploy/leak.yaml", "deploy/external/kubeconfig.yaml"):
        code, out, err = run("check", named, "deploy/pod.yaml", "--no-config", "--format", "json", "--select", "all")
        assert code == 2, err
        report = json.loads(out)
        [error] = report["errors"]
        assert error["file"] == named and error["code"] == "GL006"
        assert "outside the repository" in error["message"]
        assert "hunter2" not in out + err
        assert {f["file"] for f in report["findings"]} == {"deploy/pod.yaml"}


def test_the_repository_itself_reached_through_a_link_is_linted(layout: tuple[Path, Path], tmp_path: Path) -> None:
    """Naming a folder outside any repository, or the checkout through a link to it, is the user's choice."""
    repo, outside = layout
    link = tmp_path / "checkout"
    link.symlink_to(repo, target_is_directory=True)
    code, out, _ = run("check", str(outside), str(link / "deploy"), "--no-config", "--format", "json",
                       "--select", "privileged-container", "--fail-on", "never")
    assert code == 0
    names = sorted(f["resource"]["name"] for f in json.loads(out)["findings"])
    assert names == ["outside", "web"]


@pytest.mark.parametrize(("key", "value"), [
    ("extends", "/etc/passwd"),
    ("extends", "../outside/kubeconfig.yaml"),
    ("extends", "../../../../../../../../etc/hostname"),
    ("rule-dirs", "[../outside]"),
    ("schemas", "[../outside]"),
    ("schemas", '["../outside/{group}/{kind}.json"]'),
])
def test_a_repository_configuration_cannot_name_files_outside_the_repository(
    layout: tuple[Path, Path], key: str, value: str
) -> None:
    repo, _outside = layout
    (repo / ".guardlint.yaml").write_text(f"{key}: {value}\n")
    code, out, err = run("check", "deploy")
    assert code == 2
    assert "outside the repository" in err, err
    assert ".guardlint.yaml:1:" in err
    assert "hunter2" not in out + err


def test_a_link_in_the_repository_to_a_file_outside_cannot_be_extended(layout: tuple[Path, Path]) -> None:
    repo, outside = layout
    os.symlink(outside / "kubeconfig.yaml", repo / "base.yaml")
    (repo / ".guardlint.yaml").write_text("extends: base.yaml\n")
    code, out, err = run("check", "deploy")
    assert code == 2 and "outside the repository" in err and "hunter2" not in out + err


def test_paths_inside_the_repository_and_presets_stay_allowed(layout: tuple[Path, Path]) -> None:
    repo, _ = layout
    (repo / "config").mkdir()
    (repo / "config" / "base.yaml").write_text("extends: strict\nexclude: [common]\n")
    (repo / "rules").mkdir()
    (repo / ".guardlint.yaml").write_text("extends: config/base.yaml\nrule-dirs: [rules]\nschemas: [crds]\n")
    code, _out, err = run("check", "deploy", "--fail-on", "never")
    assert code == 0, err


def test_a_policy_outside_the_repository_may_extend_files_next_to_it(layout: tuple[Path, Path]) -> None:
    """The policy is chosen by whoever runs guardlint: the repository boundary is not its limit."""
    _repo, outside = layout
    (outside / "base.yaml").write_text("select: [privileged-container]\n")
    (outside / "policy.yaml").write_text("extends: base.yaml\n")
    code, out, err = run("check", "deploy", "--policy", str(outside / "policy.yaml"), "--format", "json")
    assert code == 1, err
    assert {f["rule"] for f in json.loads(out)["findings"]} == {"privileged-container"}


def test_without_a_repository_a_configuration_may_extend_a_neighbour(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside any git checkout there is no repository boundary to keep (as before)."""
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "base.yaml").write_text("select: [privileged-container]\n")
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / ".guardlint.yaml").write_text("extends: ../shared/base.yaml\n")
    (tmp_path / "work" / "pod.yaml").write_text(POD.format(name="web"))
    monkeypatch.chdir(tmp_path / "work")
    code, out, err = run("check", ".", "--format", "json")
    assert code == 1, err
    assert {f["rule"] for f in json.loads(out)["findings"]} == {"privileged-container"}


def test_a_rule_file_or_a_schema_file_linking_out_of_the_repository_is_not_read(layout: tuple[Path, Path]) -> None:
    repo, outside = layout
    (outside / "crd.yaml").write_text("apiVersion: [unclosed\ntoken: hunter2-token\n")
    (repo / "rules").mkdir()
    os.symlink(outside / "kubeconfig.yaml", repo / "rules" / "leak.yaml")
    (repo / ".guardlint.yaml").write_text("rule-dirs: [rules]\n")
    code, out, err = run("check", "deploy")
    assert code == 2 and "outside the repository" in err and "hunter2" not in out + err
    assert "users" not in err  # not even the keys of the file
    (repo / "rules" / "leak.yaml").unlink()
    (repo / "crds" / "example.com").mkdir(parents=True)
    (outside / "widget.json").write_text('{"type": "object", "properties": {"token": "hunter2-token"}')
    os.symlink(outside / "widget.json", repo / "crds" / "example.com" / "widget_v1.json")
    (repo / "deploy" / "cr.yaml").write_text("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n")
    (repo / ".guardlint.yaml").write_text("schemas: [crds]\n")
    code, out, err = run("check", "deploy", "--format", "json", "--select", "schema")
    assert "hunter2" not in out + err
    report = json.loads(out)
    assert any("outside the repository" in e["message"] for e in report["errors"]), report["errors"]


def test_an_object_cannot_lead_a_schema_template_out_of_the_repository(layout: tuple[Path, Path]) -> None:
    """A location template's placeholders take the object's group, version and kind, which the repository
    writes: ``apiVersion: ../../outside/widget.json/v1`` made ``schemas: ["{group}"]`` read that file outside the
    repository and quote its ``enum`` in a finding. A placeholder value that is not one path name is no schema."""
    repo, outside = layout
    (outside / "widget.json").write_text('{"type": "object", "properties": {"spec": {"enum": ["hunter2-token"]}}}')
    (repo / "deploy" / "cr.yaml").write_text(
        f"apiVersion: {os.path.relpath(outside / 'widget.json', repo)}/v1\nkind: Widget\nmetadata:\n  name: w\n"
        "spec: nope\n")
    for template in ("{group}", "x/../{group}", "{group}/../widget.json"):
        (repo / ".guardlint.yaml").write_text(f'schemas: ["{template}"]\n')
        code, out, err = run("check", "deploy", "--format", "json", "--select", "schema", "--fail-on", "never")
        assert "hunter2" not in out + err, template
        assert code == 0 and not json.loads(out)["errors"], err


def _has_helm() -> bool:
    from guardlint.render.helm import find_renderer

    return find_renderer() is not None


CHART = "apiVersion: v2\nname: web\nversion: 0.1.0\n"
TEMPLATE = """apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}
data:
  token: {{ required "the leak" (.Files.Get "files/leak.yaml") | quote }}
"""


@pytest.mark.skipif(not _has_helm(), reason="needs helm or helm-python-sdk")
def test_a_placeholder_value_with_a_drive_or_separator_is_no_path_name() -> None:
    """``C:`` as an object's group would make ``{group}/{kind}.json`` a path on a Windows drive; no API group,
    version or kind holds a ``:``, a separator, ``.``/``..`` alone or NUL."""
    from guardlint.apischema.user import _one_component

    assert _one_component("apps.example.com", "v1beta1", "Widget")
    assert _one_component("", "v1", "Pod")  # the core group
    for bad in ("C:", "c:widgets", "a/b", "a\\b", ".", "..", "a\0b"):
        assert not _one_component(bad, "v1", "Widget"), bad
        assert not _one_component("apps", bad, "Widget"), bad
        assert not _one_component("apps", "v1", bad), bad


def test_a_chart_cannot_read_outside_the_repository_through_links(
    layout: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("GUARDLINT_CACHE_DIR", str(cache))
    repo, outside = layout
    chart = repo / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "files").mkdir()
    (chart / "Chart.yaml").write_text(CHART)
    (chart / "templates" / "cm.yaml").write_text(TEMPLATE)
    os.symlink(outside / "kubeconfig.yaml", chart / "files" / "leak.yaml")
    # The template needs the linked file: the marked copy (without links) fails, and so must the fallback,
    # which renders a copy too, never the chart's own folder (Helm follows links).
    code, out, err = run("check", "chart", "--no-config", "--format", "json", "--select", "all")
    assert "hunter2" not in out + err
    assert code == 2 and any("the leak" in e["message"] for e in json.loads(out)["errors"])
    assert not any("hunter2" in p.read_text(errors="replace") for p in cache.rglob("*") if p.is_file())
    # A values.yaml that is a link out of the repository is refused, not read.
    (chart / "templates" / "cm.yaml").write_text(TEMPLATE.replace(
        '{{ required "the leak" (.Files.Get "files/leak.yaml") | quote }}', "{{ toYaml .Values | quote }}"))
    os.symlink(outside / "kubeconfig.yaml", chart / "values.yaml")
    code, out, err = run("check", "chart", "--no-config", "--format", "json", "--select", "all")
    assert "hunter2" not in out + err
    report = json.loads(out)
    assert code == 2 and any("outside the repository" in e["message"] for e in report["errors"]), report


def test_the_folder_memo_decides_as_realpath_does(layout: tuple[Path, Path]) -> None:
    from guardlint.source.files import RealFolders, leaves_repository

    repo, outside = layout
    os.symlink(outside, repo / "deploy" / "external")
    os.symlink("../common", repo / "deploy" / "common-link")
    os.symlink(outside / "pod.yaml", repo / "deploy" / "leak.yaml")
    paths = ["deploy/pod.yaml", "deploy/external/pod.yaml", "deploy/external/../pod.yaml", "deploy/leak.yaml",
             "deploy/common-link/pod.yaml", "deploy/common-link/../deploy/pod.yaml", str(outside / "pod.yaml"),
             str(repo / "deploy" / "external" / "pod.yaml"), "./deploy/./pod.yaml"]
    folders = RealFolders()
    assert [leaves_repository(p, folders) for p in paths] == [leaves_repository(p) for p in paths]
    assert [p for p in paths if leaves_repository(p) is not None] == [
        "deploy/external/pod.yaml", "deploy/external/../pod.yaml", "deploy/leak.yaml",
        str(repo / "deploy" / "external" / "pod.yaml")]
