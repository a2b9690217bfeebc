"""A repository's configuration is untrusted (CI lints pull requests): it cannot make guardlint run code."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from guardlint.api import lint_paths, resolve_settings
from guardlint.cli import main
from guardlint.errors import ConfigError

POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers: [{name: c, image: x}]\n"


def run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(args, out=out, err=err), out.getvalue(), err.getvalue()


def _plugin(marker: Path, code: str = "ACME002") -> str:
    """A rule module that leaves ``marker`` behind when it is imported."""
    return (
        "import pathlib\n"
        f"pathlib.Path({str(marker)!r}).write_text('imported')\n"
        "from guardlint import rule, Severity, Violation\n"
        f"@rule(code={code!r}, name='pod-named-web', title='Pod is named web', severity=Severity.INFO,"
        " pack='acme', remediation='Rename it.')\n"
        "def pod_named_web(resource, params, ctx):\n"
        "    '''## What it does\\nx\\n\\n## Why is this bad?\\ny'''\n"
        "    if resource.name == 'web':\n"
        "        yield Violation(('metadata', 'name'), 'pod is named web')\n"
        "RULES = [pod_named_web]\n"
    )


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    (root / "tools").mkdir(parents=True)
    (root / "pod.yaml").write_text(POD)
    (root / "tools" / "rules.py").write_text(_plugin(tmp_path / "imported"))
    (root / ".guardlint.yaml").write_text("fail-on: info\nplugins:\n  - tools/rules.py\nselect: [acme]\n")
    monkeypatch.chdir(root)
    monkeypatch.delenv("GUARDLINT_ALLOW_LOCAL_PLUGINS", raising=False)
    return root


def test_check_refuses_a_local_plugin_without_importing_it(repo: Path) -> None:
    code, out, err = run(["pod.yaml"])
    assert code == 2 and out == ""
    assert f"{repo / '.guardlint.yaml'}:3:5: plugins: 'tools/rules.py'" in err
    assert "--allow-local-plugins" in err and "GUARDLINT_ALLOW_LOCAL_PLUGINS=1" in err
    assert not (repo.parent / "imported").exists()


def test_select_does_not_matter(repo: Path) -> None:
    code, _, _ = run(["pod.yaml", "--select", "privileged-container"])
    assert code == 2 and not (repo.parent / "imported").exists()


def test_config_validate_and_rules_never_import_it(repo: Path) -> None:
    code, out, err = run(["config", "validate"])
    assert code == 2 and "valid" not in out and "plugins: 'tools/rules.py'" in err
    code, _, err = run(["rules", "--config", ".guardlint.yaml"])
    assert code == 2 and "plugins: 'tools/rules.py'" in err
    assert not (repo.parent / "imported").exists()


def test_a_plugin_in_an_extended_file_outside_the_repository_is_refused(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "base.yaml").write_text("plugins: [../repo/tools/rules.py]\n")
    (repo / ".guardlint.yaml").write_text("extends: ../elsewhere/base.yaml\n")
    code, _, err = run(["pod.yaml"])
    assert code == 2 and "base.yaml:1:11: plugins: '../repo/tools/rules.py'" in err
    assert not (tmp_path / "imported").exists()


def test_the_library_refuses_too_unless_allowed(repo: Path) -> None:
    with pytest.raises(ConfigError, match="local Python plugins"):
        lint_paths(["pod.yaml"])
    assert not (repo.parent / "imported").exists()
    report = lint_paths(["pod.yaml"], allow_local_plugins=True)
    assert [f.rule for f in report.active] == ["pod-named-web"]


@pytest.mark.parametrize("how", ["flag", "env"])
def test_the_person_running_guardlint_can_opt_in(repo: Path, how: str, monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["pod.yaml"]
    if how == "flag":
        args.append("--allow-local-plugins")
    else:
        monkeypatch.setenv("GUARDLINT_ALLOW_LOCAL_PLUGINS", "1")
    code, out, _ = run(args)
    assert code == 1 and "pod.yaml:4:3: info pod-named-web pod is named web" in out
    assert (repo.parent / "imported").exists()
    code, out, _ = run(["config", "validate", *args[1:]])
    assert code == 0 and out.endswith(": valid\n")


def test_env_values(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUARDLINT_ALLOW_LOCAL_PLUGINS", "0")
    assert run(["pod.yaml"])[0] == 2
    monkeypatch.setenv("GUARDLINT_ALLOW_LOCAL_PLUGINS", "maybe")
    code, _, err = run(["pod.yaml"])
    assert code == 2 and "GUARDLINT_ALLOW_LOCAL_PLUGINS='maybe': expected 1 or 0" in err
    assert not (repo.parent / "imported").exists()


def test_declarative_rule_dirs_stay_allowed(repo: Path) -> None:
    (repo / "myrules").mkdir()
    (repo / "myrules" / "team.yaml").write_text(
        "rules:\n  - name: missing-team-label\n    code: ACME001\n    title: Object has no team label\n"
        "    match: {objects: [{kind: Pod}]}\n    path: metadata.labels.team\n    schema: {type: string}\n"
        "    when-missing: fail\n    message: '{where} has no team label'\n"
        "    remediation: Add a team label.\n"
    )
    (repo / ".guardlint.yaml").write_text("rule-dirs: [myrules]\nselect: [ACME]\nfail-on: info\n")
    code, out, _ = run(["pod.yaml"])
    assert code == 1 and "missing-team-label" in out


def test_the_module_form_loads(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = tmp_path / "site" / "acme_pkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "guardrules.py").write_text(_plugin(tmp_path / "imported").replace("RULES =", "MINE ="))
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    try:
        (repo / ".guardlint.yaml").write_text("plugins: [acme_pkg.guardrules:MINE]\nselect: [acme]\n")
        settings = resolve_settings(allow_local_plugins=True)
        assert settings.registry.get("ACME002") is not None
        code, out, _ = run(["pod.yaml", "--allow-local-plugins", "--fail-on", "info"])
        assert code == 1 and "pod-named-web" in out
    finally:
        for name in [m for m in sys.modules if m.startswith("acme_pkg")]:
            del sys.modules[name]
