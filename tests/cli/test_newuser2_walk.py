"""What a new user and a library user meet in a second walk (GitOps repository, library, formats as
consumed): each test failed before its fix."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

PRIVILEGED_POD = """apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
    - name: web
      image: nginx:1.27
      securityContext: {privileged: true}
"""


def _checkout(tmp_path: Path) -> Path:
    """A git checkout (a ``.git`` folder is what marks one) with manifests in two subfolders."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "deploy").mkdir()
    (repo / "deploy" / "pod.yaml").write_text(PRIVILEGED_POD)
    (repo / "other").mkdir()
    (repo / "other" / "pod.yaml").write_text(PRIVILEGED_POD.replace("name: web}", "name: other}"))
    return repo


def _run(args: list[str]) -> str:
    from guardlint.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = main([*args, "--no-config", "--select", "privileged-container"], out=out, err=err)
    assert code == 1, err.getvalue()
    return out.getvalue()


@pytest.mark.parametrize("where", ["deploy", "."])
def test_github_formats_name_files_from_the_checkout_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """GitHub resolves the paths of annotations and of SARIF results from the repository's root: a run in a
    subfolder (``working-directory: deploy``) wrote ``file=pod.yaml`` (a file that does not exist at the root),
    and an absolute name for a file above the working directory, so the alerts were not shown on the diff."""
    repo = _checkout(tmp_path)
    monkeypatch.chdir(repo / where)
    paths = ["pod.yaml", "../other"] if where == "deploy" else ["deploy/pod.yaml", "other"]
    github = _run([*paths, "--format", "github"])
    assert "file=deploy/pod.yaml,line=8" in github and "file=other/pod.yaml,line=8" in github, github
    gitlab = json.loads(_run([*paths, "--format", "gitlab"]))
    assert sorted(i["location"]["path"] for i in gitlab) == ["deploy/pod.yaml", "other/pod.yaml"]
    sarif = json.loads(_run([*paths, "--format", "sarif"]))
    uris = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"])
    assert uris == ["deploy/pod.yaml", "other/pod.yaml"]
    # the text report keeps the names the user typed, relative to the working directory
    text = _run([*paths, "--format", "concise"])
    assert f"{paths[0]}:8:25:" in text


def test_github_formats_outside_a_checkout_keep_names_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "pod.yaml").write_text(PRIVILEGED_POD)
    monkeypatch.chdir(tmp_path / "deploy")
    assert "file=pod.yaml,line=8" in _run(["pod.yaml", "--format", "github"])
    sarif = json.loads(_run(["pod.yaml", "--format", "sarif"]))
    assert sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "pod.yaml", "uriBaseId": "%SRCROOT%"}
    assert os.getcwd() == str(tmp_path / "deploy")


def test_fixture_runner_fails_a_check_of_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``python -m guardlint.testing FOLDER`` said "0 fixtures, 0 with problems" and exited 0 for a folder that
    does not exist or holds no fixtures (a typo in CI passed every time), and ``iter_fixtures`` returned an
    empty list, which pytest turns into a skipped test."""
    from guardlint.testing import iter_fixtures, main

    with pytest.raises(FileNotFoundError):
        iter_fixtures(tmp_path / "fixturs")
    assert main([str(tmp_path / "fixturs")]) == 1
    assert "no such fixtures folder" in capsys.readouterr().out
    (tmp_path / "empty" / "some-rule").mkdir(parents=True)
    assert main([str(tmp_path / "empty")]) == 1
    assert "no fixtures" in capsys.readouterr().out
    good = tmp_path / "good" / "privileged-container" / "fail"
    good.mkdir(parents=True)
    (good / "pod.yaml").write_text(PRIVILEGED_POD.replace("{privileged: true}", "{privileged: true}  # expect: "
                                                          "privileged-container"))
    assert main(["--update", str(tmp_path / "good")]) == 0
    assert main([str(tmp_path / "good")]) == 0
    assert main([str(tmp_path / "good"), "--rule", "unpinned-image"]) == 1  # nothing of that rule to check


def test_fixture_runner_rejects_a_parameter_the_rule_does_not_take(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A fixture's ``# params:`` reached the rule unvalidated, and a misspelt parameter was dropped without a
    word: the fixture silently tested the default. A rule folder naming no rule and a header that is not JSON
    stopped ``python -m guardlint.testing`` with a traceback."""
    from guardlint.testing import fixture_problems, iter_fixtures, main, registry_with

    folder = tmp_path / "fx" / "unpinned-image" / "pass"
    folder.mkdir(parents=True)
    (folder / "pod.yaml").write_text('# params: {"require-digets": true}\n' + PRIVILEGED_POD)
    (fx,) = iter_fixtures(tmp_path / "fx")
    with pytest.raises(ValueError, match=r"unknown parameter 'require-digets' .*require-digest"):
        fixture_problems(fx, registry_with(entry_points=False))
    assert main([str(tmp_path / "fx")]) == 1
    assert "cannot run: unpinned-image: unknown parameter 'require-digets'" in capsys.readouterr().out
    (folder / "pod.yaml").write_text('# params: {"require-digest": true}\n' + PRIVILEGED_POD)
    assert main([str(tmp_path / "fx")]) == 1  # a valid parameter: the pass fixture now fails on its merits
    assert "unexpected findings" in capsys.readouterr().out
    misspelt = tmp_path / "fx2" / "privileged-containr" / "pass"
    misspelt.mkdir(parents=True)
    (misspelt / "pod.yaml").write_text(PRIVILEGED_POD)
    assert main([str(tmp_path / "fx2")]) == 1
    assert "did you mean 'privileged-container'" in capsys.readouterr().out
    (misspelt / "pod.yaml").write_text("# params: {bad\n" + PRIVILEGED_POD)
    assert main([str(tmp_path / "fx2")]) == 1
    assert "pod.yaml:1: the '# params:' header is not JSON" in capsys.readouterr().out


def test_library_rejects_arguments_it_would_misread_or_ignore() -> None:
    """``select="privileged-container"`` was read a character at a time (an error naming 'p', 'r', 'i', ...),
    ``lint_paths("deploy")`` linted the missing paths 'd', 'e', ...; ``lint_text(..., settings=s, select=[...])``
    ignored ``select`` without a word; bytes or None for the text raised AttributeError from deep inside."""
    import guardlint
    from guardlint.api import resolve_settings

    with pytest.raises(TypeError, match=r"select=\['privileged-container'\]"):
        guardlint.lint_text(PRIVILEGED_POD, select="privileged-container")
    with pytest.raises(TypeError, match="ignore takes a sequence"):
        guardlint.lint_text(PRIVILEGED_POD, ignore="unpinned-image")
    with pytest.raises(TypeError, match="paths takes a sequence"):
        guardlint.lint_paths("deploy", use_config_file=False)
    settings = resolve_settings(use_config_file=False, select=["privileged-container"])
    with pytest.raises(TypeError, match="either settings or select, kubernetes_version"):
        guardlint.lint_text(PRIVILEGED_POD, settings=settings, select=["all"], kubernetes_version="1.30")
    with pytest.raises(TypeError, match=r"decode it first"):
        guardlint.lint_text(PRIVILEGED_POD.encode())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not NoneType"):
        guardlint.lint_text(None)  # type: ignore[arg-type]
    # what is documented keeps working: settings alone, and the options alone
    assert [f.rule for f in guardlint.lint_text(PRIVILEGED_POD, settings=settings).active] == ["privileged-container"]
    assert [f.rule for f in guardlint.lint_text(PRIVILEGED_POD, select=["privileged-container"], ignore=[]).active] \
        == ["privileged-container"]


def test_a_long_lived_process_gets_the_same_result_whatever_came_before(tmp_path: Path) -> None:
    """An editor server or a bot lints many texts in one process: a configuration given to one call must not
    leak into the next, and the same text gives the same report after other texts (and other settings)."""
    import guardlint
    from guardlint.api import resolve_settings

    def key(report: guardlint.Report) -> list[tuple[str, int, str, bool]]:
        return [(f.rule, f.line, f.message, f.suppressed) for f in report.findings]

    first = key(guardlint.lint_text(PRIVILEGED_POD, "pod.yaml"))
    config = tmp_path / ".guardlint.yaml"
    config.write_text('kubernetes-version: "1.20"\nignore: [privileged-container]\n'
                      "exemptions: [{rules: [unpinned-image], reason: r, until: 2020-01-01}]\n")
    configured = key(guardlint.lint_text(PRIVILEGED_POD, "pod.yaml", config=config))
    assert configured != first and "privileged-container" not in {k[0] for k in configured}
    shared = resolve_settings(use_config_file=False, select=["all"])
    for i in range(60):  # different texts, names, namespaces, suppressions
        text = PRIVILEGED_POD.replace("name: web}", f"name: web{i}, namespace: ns{i % 7}}}")
        if i % 3 == 0:
            text = f"# guardlint: ignore privileged-container -- case {i}\n" + text
        guardlint.lint_text(text, f"f{i}.yaml", settings=shared)
        guardlint.lint_text(text, f"f{i}.yaml")
    assert key(guardlint.lint_text(PRIVILEGED_POD, "pod.yaml")) == first
    assert key(guardlint.lint_text(PRIVILEGED_POD, "pod.yaml", config=config)) == configured


NETWORK_POLICY = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec: {podSelector: {}}
"""


def test_complete_namespaces_does_not_make_a_partial_run_judge_absences(tmp_path: Path) -> None:
    """``complete-namespaces`` says the repository holds every object of a namespace; in the pre-commit hook
    (``--partial``, the changed files only) ``namespace-without-network-policy`` took it as "the run saw them
    all" and reported a namespace without NetworkPolicy whose policy sat in an unchanged file (while
    ``missing-secret`` and the other missing-object rules ignored it there, as the README promises)."""
    import guardlint

    pod = PRIVILEGED_POD.replace("name: web}", "name: web, namespace: shop}")
    (tmp_path / "pod.yaml").write_text(pod.replace("securityContext: {privileged: true}",
                                                   "envFrom: [{secretRef: {name: nosuch}}]"))
    (tmp_path / "np.yaml").write_text(NETWORK_POLICY)
    config = tmp_path / ".guardlint.yaml"
    config.write_text("complete-namespaces: [shop]\n")
    rules = ["namespace-without-network-policy", "missing-secret"]
    partial = guardlint.lint_paths([tmp_path / "pod.yaml"], config=config, select=rules, partial=True)
    assert [f.rule for f in partial.active] == []
    full = guardlint.lint_paths([tmp_path], config=config, select=rules)
    assert [f.rule for f in full.active] == ["missing-secret"]  # complete: judged with no Secret in the tree
    (tmp_path / "np.yaml").unlink()
    full = guardlint.lint_paths([tmp_path], config=config, select=rules)
    assert sorted(f.rule for f in full.active) == ["missing-secret", "namespace-without-network-policy"]
    covered = guardlint.lint_paths([tmp_path / "pod.yaml"], config=config, select=rules, partial=True,
                                   context=[tmp_path])
    assert sorted(f.rule for f in covered.active) == ["missing-secret", "namespace-without-network-policy"]


def test_an_expired_exemption_says_how_to_resolve_it(tmp_path: Path) -> None:
    """An exemption past its ``until`` date is reported as ``invalid-suppression`` at its line (README), but the
    finding's help said "Write 'guardlint: ignore <rule-name> -- <reason>'", which is no way out of an expired
    configuration exemption."""
    import datetime

    import guardlint
    from guardlint.api import resolve_settings

    config = tmp_path / ".guardlint.yaml"
    config.write_text("exemptions:\n  - rules: [privileged-container]\n    reason: CNI agent\n    until: 2027-03-31\n")
    for today, suppressed in ((datetime.date(2027, 3, 31), True), (datetime.date(2027, 4, 1), False)):
        settings = resolve_settings(config=config, select=["privileged-container"], today=today)
        report = guardlint.lint_text(PRIVILEGED_POD, "pod.yaml", settings=settings)
        assert [f.suppressed for f in report.findings if f.rule == "privileged-container"] == [suppressed]
        expired = [f for f in report.active if f.rule == "invalid-suppression"]
        assert len(expired) == (0 if suppressed else 1)
    (finding,) = expired
    assert (finding.file, finding.line) == (str(config), 2) and "expired on 2027-03-31" in finding.message
    assert "renew its 'until' date" in finding.remediation


def test_a_schema_url_in_the_configuration_says_why_it_is_refused(tmp_path: Path) -> None:
    """README: schema locations "are never fetched over the network (a URL is a configuration error)"; the
    error was JSON Schema's own words, "should not be valid under {'pattern': '^[A-Za-z][A-Za-z0-9+.-]*://'}"."""
    import guardlint

    config = tmp_path / ".guardlint.yaml"
    config.write_text('schemas: [crds, "https://example.com/{group}/{kind}.json"]\n')
    with pytest.raises(guardlint.ConfigError) as caught:
        guardlint.lint_text(PRIVILEGED_POD, config=config)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column, problem.path) == (1, 17, "schemas[1]")
    assert "is a URL: guardlint never reaches the network" in problem.message
    assert "should not be valid" not in problem.message


def test_a_sarif_report_github_would_reject_is_announced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GitHub code scanning rejects a SARIF run of more than 25,000 results, which the shared corpus passes with
    every rule (26,106): the upload step failed after guardlint had said nothing."""
    from guardlint.cli import main
    from guardlint.report import sarif

    assert sarif.GITHUB_RESULT_LIMIT == 25_000
    (tmp_path / "pods.yaml").write_text(PRIVILEGED_POD + "---\n" + PRIVILEGED_POD.replace("name: web}", "name: b}"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sarif, "GITHUB_RESULT_LIMIT", 1)
    args = ["check", "pods.yaml", "--no-config", "--select", "privileged-container", "--fail-on", "never"]
    for more in (["--format", "sarif"], ["--output-file", "sarif:out.sarif"]):
        out, err = io.StringIO(), io.StringIO()
        assert main([*args, *more], out=out, err=err) == 0
        assert "the SARIF report holds 2 results: GitHub code scanning rejects an upload of more than 1" \
            in err.getvalue()
    out, err = io.StringIO(), io.StringIO()
    assert main([*args, "--format", "json"], out=out, err=err) == 0
    assert "SARIF" not in err.getvalue()  # only when a SARIF report is written
    monkeypatch.setattr(sarif, "GITHUB_RESULT_LIMIT", 2)
    out, err = io.StringIO(), io.StringIO()
    assert main([*args, "--format", "sarif"], out=out, err=err) == 0 and "SARIF" not in err.getvalue()
