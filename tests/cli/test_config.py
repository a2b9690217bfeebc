"""Configuration files: discovery, validation with located errors, presets, precedence, exemptions."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from guardlint.api import resolve_settings
from guardlint.cli import main
from guardlint.errors import ConfigError

POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: kube-system
spec:
  containers:
    - name: web
      image: nginx:latest
      securityContext:
        privileged: true
"""


def run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(args, out=out, err=err), out.getvalue(), err.getvalue()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "pod.yaml").write_text(POD)
    monkeypatch.chdir(tmp_path / "deploy")
    return tmp_path


def test_config_is_found_walking_up(repo: Path) -> None:
    (repo / ".guardlint.yaml").write_text("ignore: [privileged-container]\nfail-on: warning\n")
    code, out, _ = run(["pod.yaml"])
    assert "privileged-container" not in out
    assert code == 1  # unpinned-image is a warning and fail-on is warning


def test_located_errors_with_suggestions(repo: Path) -> None:
    (repo / ".guardlint.yaml").write_text(
        "fail-on: error\n"
        "rules:\n"
        "  privilegd-container:\n"
        "    severity: error\n"
        "  unpinned-image:\n"
        "    params:\n"
        "      require-digests: true\n"
        "exclud: [x]\n"
    )
    code, _, err = run(["pod.yaml"])
    assert code == 2
    assert (
        ".guardlint.yaml:3:3: at rules: unknown key 'privilegd-container'; did you mean 'privileged-container'?"
    ) in err
    assert ".guardlint.yaml:7:7: at rules.unpinned-image.params: unknown key 'require-digests'; did you mean" in err
    assert ".guardlint.yaml:8:1: at <top level>: unknown key 'exclud'; did you mean 'exclude'?" in err


def test_bad_values_are_located(repo: Path) -> None:
    (repo / ".guardlint.yaml").write_text("kubernetes-version: 1.30\nrules:\n  unpinned-image: {severity: fatal}\n")
    code, _, err = run(["pod.yaml"])
    assert code == 2
    assert ":1:21: at kubernetes-version:" in err
    assert ":3:30: at rules.unpinned-image.severity:" in err


def test_extends_presets_and_precedence(repo: Path) -> None:
    (repo / "base.yaml").write_text("select: [privileged-container, unpinned-image]\nrules:\n"
                                    "  unpinned-image: {severity: error, params: {require-digest: true}}\n")
    (repo / ".guardlint.yaml").write_text("extends: base.yaml\nrules:\n  unpinned-image: {severity: info}\n")
    settings = resolve_settings(cwd=str(repo / "deploy"))
    active = {a.rule.name: a for a in settings.plan.active if a.rule.info.pack != "core"}
    assert set(active) == {"privileged-container", "unpinned-image"}
    assert active["unpinned-image"].severity.value == "info"  # the child wins
    assert active["unpinned-image"].params.require_digest is True  # merged from the parent
    settings = resolve_settings(cwd=str(repo / "deploy"), select=["unpinned-image"], fail_on="never")
    assert [a.rule.name for a in settings.plan.active if a.rule.info.pack != "core"] == ["unpinned-image"]
    assert settings.fail_on is None


def test_named_presets(repo: Path) -> None:
    (repo / ".guardlint.yaml").write_text("extends: strict\n")
    strict = resolve_settings(cwd=str(repo))
    assert len(strict.plan.active) == len(strict.registry.rules)
    (repo / ".guardlint.yaml").write_text("extends: strcit\n")
    with pytest.raises(ConfigError, match="did you mean 'strict'"):
        resolve_settings(cwd=str(repo))


def test_extends_cycle(repo: Path) -> None:
    (repo / "a.yaml").write_text("extends: b.yaml\n")
    (repo / "b.yaml").write_text("extends: a.yaml\n")
    with pytest.raises(ConfigError, match="extends itself"):
        resolve_settings(config=repo / "a.yaml")


def test_exemptions_suppress_with_reason(repo: Path) -> None:
    (repo / ".guardlint.yaml").write_text(
        "exemptions:\n  - rules: [privileged-container]\n    namespaces: [kube-*]\n    reason: node agents\n"
    )
    code, out, _ = run(["pod.yaml", "--format", "json"])
    import json

    data = json.loads(out)
    priv = [f for f in data["findings"] if f["rule"] == "privileged-container"]
    assert priv and priv[0]["suppressed"] is True
    assert code == 0


def test_exemption_needs_a_reason(repo: Path) -> None:
    (repo / ".guardlint.yaml").write_text("exemptions:\n  - rules: [privileged-container]\n")
    code, _, err = run(["pod.yaml"])
    assert code == 2 and ".guardlint.yaml:2:5: at exemptions[0]: missing the required key 'reason'" in err


def test_config_validate_command(repo: Path) -> None:
    (repo / ".guardlint.yaml").write_text("fail-on: warning\n")
    code, out, _ = run(["config", "validate"])
    assert code == 0 and "valid" in out
    code, out, _ = run(["config", "schema"])
    assert code == 0 and '"privileged-container"' in out


def test_user_workload_kind(repo: Path) -> None:
    (repo / ".guardlint.yaml").write_text(
        "workloads:\n  - apiVersion: example.com/v1\n    kind: BatchRun\n"
        "    pod-templates: [\"spec.runs[*].template\"]\n"
    )
    (repo / "deploy" / "run.yaml").write_text(
        "apiVersion: example.com/v1\nkind: BatchRun\nmetadata: {name: r}\nspec:\n  runs:\n    - template:\n"
        "        spec:\n          containers:\n            - name: c\n              image: busybox:1.36\n"
        "              securityContext: {privileged: true}\n"
    )
    code, out, _ = run(["run.yaml", "--select", "privileged-container"])
    assert code == 1 and "run.yaml:11:33: error privileged-container" in out


def test_local_plugin_and_rule_dir(repo: Path) -> None:
    (repo / "myrules").mkdir()
    (repo / "myrules" / "team.yaml").write_text(
        "rules:\n  - name: missing-team-label\n    code: ACME001\n    title: Object has no team label\n"
        "    match: {objects: [{kind: Pod}]}\n    path: metadata.labels.team\n    schema: {type: string}\n"
        "    when-missing: fail\n    message: '{where} has no team label'\n"
        "    remediation: Add a team label.\n"
    )
    (repo / "plugin.py").write_text(
        "from guardlint import rule, Severity, Violation\n"
        "@rule(code='ACME002', name='pod-named-web', title='Pod is named web', severity=Severity.INFO,"
        " pack='acme', remediation='Rename it.')\n"
        "def pod_named_web(resource, params, ctx):\n"
        "    '''## What it does\\nx\\n\\n## Why is this bad?\\ny'''\n"
        "    if resource.name == 'web':\n"
        "        yield Violation(('metadata', 'name'), 'pod is named web')\n"
        "RULES = [pod_named_web]\n"
    )
    (repo / ".guardlint.yaml").write_text(
        "rule-dirs: [myrules]\nplugins: [plugin.py]\nselect: [ACME]\nfail-on: info\n"
    )
    code, out, _ = run(["pod.yaml", "--allow-local-plugins"])
    assert "pod.yaml:3:1: warning missing-team-label Pod kube-system/web has no team label" in out
    assert "pod.yaml:4:3: info pod-named-web pod is named web" in out
    assert code == 1


def test_excludes_apply_to_named_files(repo: Path) -> None:
    (repo / ".guardlint.yaml").write_text('exclude: ["deploy/generated/**", "*.tmpl.yaml"]\n')
    (repo / "deploy" / "generated").mkdir()
    (repo / "deploy" / "generated" / "x.yaml").write_text(POD)
    (repo / "deploy" / "a.tmpl.yaml").write_text(POD)
    import os

    os.chdir(repo)
    code, out, _ = run(["deploy/generated/x.yaml", "deploy/a.tmpl.yaml", "deploy/pod.yaml", "--select",
                        "privileged-container"])
    assert code == 1
    assert "deploy/pod.yaml:11:" in out
    # Named explicitly but excluded: not linted, and named as such rather than dropped silently.
    assert "deploy/generated/x.yaml:1: note: excluded by the configuration's exclude patterns" in out
    assert "deploy/a.tmpl.yaml:1: note: excluded by the configuration's exclude patterns" in out
    assert "deploy/generated/x.yaml:1" not in out.replace("deploy/generated/x.yaml:1: note", "")
    assert out.rstrip().endswith("in 1 of 1 file checked (1 object); 2 files excluded by the configuration.")
