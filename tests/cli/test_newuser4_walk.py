"""Defects found by the newuser4 walk (a developer, a CI owner and an attacker using guardlint as documented)."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest

from guardlint.cli import main
from tests.unit.test_report_sarif import _assert_valid, validator  # noqa: F401  (the fixture)

PRIVILEGED = (b"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
              b"  containers: [{name: c, image: 'x:1', securityContext: {privileged: true}}]\n")


def _non_utf8_file(folder: Path) -> Path:
    """A manifest whose name is not UTF-8 (``caf\\xe9.yaml``, Latin-1), as an old archive or tool leaves one."""
    if sys.platform in ("darwin", "win32"):
        pytest.skip("the file system takes only Unicode names")
    name = os.path.join(os.fsencode(folder), b"caf\xe9.yaml")
    with open(name, "wb") as fh:
        fh.write(PRIVILEGED)
    return Path(os.fsdecode(name))


def test_sarif_of_a_file_whose_name_is_not_utf8(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                validator) -> None:  # noqa: F811
    """The SARIF report of such a file was an internal error (exit 3: ``quote`` cannot encode the name); its
    URI is the name's bytes, percent-encoded, as RFC 3986 spells any byte."""
    _non_utf8_file(tmp_path)
    monkeypatch.chdir(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", ".", "--format", "sarif", "--no-config"], out=out, err=err)
    assert code == 1, err.getvalue()
    doc = json.loads(out.getvalue())
    _assert_valid(validator, doc)
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for r in doc["runs"][0]["results"] for loc in r["locations"]}
    assert uris == {"caf%E9.yaml"}


def _run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_a_baseline_does_not_hide_a_finding_of_a_locked_rule(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The baseline is repository data (SECURITY.md): a pull request that adds a privileged pod and its entry to
    the baseline hid the finding the policy locked (exit 0). Only the policy's exemptions exempt a locked rule;
    findings of other rules are still baselined, and a warning says why the locked one was not."""
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    repo = tmp_path / "repo"
    (repo / "pod.yaml").write_bytes(PRIVILEGED.replace(b"{name: p}", b"{name: p, namespace: x}"))
    policy = tmp_path / "policy.yaml"
    policy.write_text("locked:\n  - privileged-container\n")
    monkeypatch.chdir(repo)
    code, _, err = _run("check", ".", "--write-baseline", "bl.json")
    assert code == 0, err
    code, out, err = _run("check", ".", "--policy", str(policy), "--baseline", "bl.json", "--format", "json")
    report = json.loads(out)
    assert code == 1, err
    assert [f["rule"] for f in report["findings"] if not f["suppressed"]] == ["privileged-container"]
    assert report["summary"]["baselined"] >= 1  # the other rules' findings stay baselined
    assert any("locks" in w and "privileged-container (1)" in w for w in report["warnings"]), report["warnings"]
    # Without the policy the baseline hides it, as before.
    code, out, _ = _run("check", ".", "--baseline", "bl.json", "--format", "json")
    assert code == 0 and json.loads(out)["findings"] == []


@pytest.mark.parametrize("target", ["pod.yaml", "./deploy/../pod.yaml", "link.yaml", ".guardlint.yaml"])
def test_write_baseline_refuses_an_input_of_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   target: str) -> None:
    """``--write-baseline pod.yaml`` (a slip for the manifest next to it) replaced the linted manifest with the
    baseline's JSON; ``--output`` has always refused that. Checked before anything is written, exit code 2."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "deploy").mkdir()
    (tmp_path / "pod.yaml").write_bytes(PRIVILEGED)
    os.link(tmp_path / "pod.yaml", tmp_path / "link.yaml")
    (tmp_path / ".guardlint.yaml").write_text("fail-on: error\n")
    monkeypatch.chdir(tmp_path)
    code, _, err = _run("check", "pod.yaml", "--write-baseline", target)
    assert code == 2
    assert "refusing to write the baseline over" in err and "an input of this run" in err
    assert (tmp_path / "pod.yaml").read_bytes() == PRIVILEGED
    assert (tmp_path / ".guardlint.yaml").read_text() == "fail-on: error\n"


def test_write_baseline_may_rewrite_the_baseline_it_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Refreshing a baseline in place (``--baseline B --write-baseline B``) stays allowed."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "pod.yaml").write_bytes(PRIVILEGED)
    monkeypatch.chdir(tmp_path)
    assert _run("check", "pod.yaml", "--write-baseline", "bl.json")[0] == 0
    code, _, err = _run("check", "pod.yaml", "--baseline", "bl.json", "--write-baseline", "bl.json")
    assert code == 0, err
    assert "wrote 5 findings" in err


def test_the_hook_passes_what_docs_rendering_says_it_passes() -> None:
    """docs/rendering.md "Known limits": a commit changing only a chart's ``_helpers.tpl`` renders the chart (the
    hook's ``files:`` pattern passes ``.tpl``), one changing only ``NOTES.txt`` or ``files/...`` does not."""
    import re

    import yaml

    root = Path(__file__).resolve().parents[2]
    hooks = {h["id"]: h for h in yaml.safe_load((root / ".pre-commit-hooks.yaml").read_text())}
    pattern = re.compile(hooks["guardlint"]["files"])
    assert pattern.search("chart/templates/_helpers.tpl")
    assert not pattern.search("chart/templates/NOTES.txt") and not pattern.search("chart/files/app.conf")
    text = " ".join((root / "docs" / "rendering.md").read_text().split())
    assert "only `templates/_helpers.tpl` renders its chart" in text


def test_what_the_repository_still_decides_under_a_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SECURITY.md and docs/security.md, "Locked rules": the repository's ``exclude`` leaves a file out for the
    rules the policy does not lock (``test_lock_and_exclude`` has the rest); the policy pins the single-valued
    settings by setting them itself (``render``, ``max-file-size-mb``, ``kubernetes-version``), and
    ``--no-config`` gives the repository's configuration no say at all (the policy still applies)."""
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    repo = tmp_path / "repo"
    (repo / "deploy").mkdir()
    (repo / "deploy" / "pod.yaml").write_bytes(PRIVILEGED.replace(b"{name: p}", b"{name: p, namespace: x}"))
    (repo / "other.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: x}\n")
    policy = tmp_path / "policy.yaml"
    policy.write_text("locked: [privileged-container]\nmax-file-size-mb: 20\n")
    monkeypatch.chdir(repo)
    args = ["check", ".", "--policy", str(policy), "--select", "privileged-container", "--format", "json"]

    def rules(code_wanted: int, *extra: str) -> list[str]:
        code, out, err = _run(*args, *extra)
        assert code == code_wanted, err
        return [f["rule"] for f in json.loads(out)["findings"]]

    (repo / ".guardlint.yaml").write_text("exclude: [deploy]\n")
    assert rules(1) == ["privileged-container"]  # the locked rule still runs there (it used to be excluded)
    assert rules(1, "--no-config") == ["privileged-container"]
    (repo / ".guardlint.yaml").write_text("max-file-size-mb: 0.0001\n")  # every manifest "too large"
    assert rules(1) == ["privileged-container"]  # the policy's own value wins
    # The other single-valued settings the same way.
    from guardlint.api import resolve_settings

    (repo / ".guardlint.yaml").write_text('render: false\nkubernetes-version: "1.20"\n')
    policy.write_text('locked: [privileged-container]\nrender: true\nkubernetes-version: "1.33"\n')
    settings = resolve_settings(policy=policy, cwd=str(repo))
    assert settings.config.render is True
    assert settings.plan.kubernetes_version[:2] == (1, 33)


REDOS_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                x: {type: string, pattern: '^(a+)+$'}
"""


def test_a_crd_pattern_from_the_repository_cannot_hang_the_run(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A CRD's ``pattern`` was searched with ``re``'s backtracking: ``^(a+)+$`` against 40 characters ran for hours
    (Kubernetes' RE2 answers at once). It is searched in linear time now, and still checked."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "crd.yaml").write_text(REDOS_CRD)
    (tmp_path / "w.yaml").write_text("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: ns}\n"
                                     f"spec:\n  x: {'a' * 40}b\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = _run("check", ".", "--no-config", "--select", "unsupported-field-value", "--format", "json")
    assert code == 1, err
    [finding] = json.loads(out)["findings"]
    assert finding["file"] == "w.yaml" and "does not match the pattern '^(a+)+$'" in finding["message"]


DECLARATIVE = """\
rules:
  - name: widget-name
    code: ACM001
    title: Names follow the house style
    severity: error
    pack: acme
    since: "1.0"
    match:
      objects:
        - kind: ConfigMap
    path: metadata.name
    schema: {{type: string, pattern: '{pattern}'}}
    message: "{{where}} is not in the house style"
    remediation: Rename it.
"""


def test_a_declarative_rule_pattern_cannot_hang_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A declarative rule in the repository's ``rule-dirs`` is data: its ``^(a+)+$`` is searched in linear time
    (it hung the run), and a pattern only backtracking can search (lookaround) is refused when the rule file is
    loaded, located and with exit code 2."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "rules").mkdir()
    (tmp_path / ".guardlint.yaml").write_text("rule-dirs: [rules]\n")
    (tmp_path / "cm.yaml").write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {'a' * 40}b, "
                                      "namespace: ns}\n")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules" / "house.yaml").write_text(DECLARATIVE.format(pattern="^(a+)+$"))
    code, out, err = _run("check", "cm.yaml", "--select", "widget-name", "--format", "json")
    assert code == 1, err
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["widget-name"]
    (tmp_path / "rules" / "house.yaml").write_text(DECLARATIVE.format(pattern="^(?!(a+)+$)"))
    code, out, err = _run("check", "cm.yaml", "--select", "widget-name")
    assert code == 2
    assert "rules/house.yaml: rule 'widget-name': the pattern '^(?!(a+)+$)' can be searched only by backtracking" in err
