"""A repository cannot exclude files from the rules a policy locks (README, "For platform teams").

Before, a pull request could add ``exclude: [deploy]`` (or ``exclude: ["*.yaml"]``) to the repository's
``.guardlint.yaml`` and the privileged pod it added under ``deploy/`` was never read: the lock protected nothing.
Now the files that only the repository's patterns leave out are linted with the locked rules alone.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from guardlint.cli import main

PRIVILEGED = ("apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n"
              "  hostNetwork: true\n"
              "  containers: [{{name: c, image: 'x:1', securityContext: {{privileged: true}}}}]\n")


def _run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    for folder, ns in (("deploy", "prod-web"), ("fixtures", "test"), ("vendor", "prod-vendor")):
        (repo / folder).mkdir()
        (repo / folder / "pod.yaml").write_text(PRIVILEGED.format(name=folder, ns=ns))
    (repo / "app.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: x}\n")
    monkeypatch.chdir(repo)
    return repo


def _findings(repo: Path, policy: str, config: str, *extra: str) -> tuple[int, list[tuple[str, str]], dict]:
    (repo.parent / "policy.yaml").write_text(policy)
    (repo / ".guardlint.yaml").write_text(config)
    code, out, _ = _run("check", ".", "--policy", str(repo.parent / "policy.yaml"), "--format", "json",
                          "--select", "privileged-container,shared-host-namespace", *extra)
    doc = json.loads(out)
    return code, sorted((f["file"], f["rule"]) for f in doc["findings"] if not f["suppressed"]), doc


def test_the_repository_exclude_does_not_hide_a_locked_rule(repo: Path) -> None:
    code, found, doc = _findings(repo, "locked: [privileged-container]\n", "exclude: [deploy, 'fixtures/**']\n")
    assert code == 1
    # Locked: reported everywhere. Not locked (shared-host-namespace): only where the repository did not exclude.
    assert found == [("deploy/pod.yaml", "privileged-container"), ("fixtures/pod.yaml", "privileged-container"),
                     ("vendor/pod.yaml", "privileged-container"), ("vendor/pod.yaml", "shared-host-namespace")]
    locked = [f for f in doc["findings"] if f["file"] == "deploy/pod.yaml"]
    assert locked[0]["lockedBy"] is not None and locked[0]["fix"] is None  # --fix leaves excluded files alone
    assert doc["summary"]["files"] == 4 and doc["summary"]["resources"] == 4
    # Without a policy, or with one that locks nothing, the exclude is what it always was.
    code, out, _ = _run("check", ".", "--format", "json", "--select", "privileged-container,shared-host-namespace")
    assert code == 1 and {f["file"] for f in json.loads(out)["findings"]} == {"vendor/pod.yaml"}


def test_the_policy_exclude_and_namespace_locks_still_apply(repo: Path) -> None:
    # The policy's own exclude leaves files out for every rule; a namespace lock covers only its namespaces.
    policy = "exclude: ['fixtures/**']\nlocked: [{rules: [privileged-container], namespaces: [prod-*]}]\n"
    _, found, _ = _findings(repo, policy, "exclude: [deploy, vendor]\n")
    assert found == [("deploy/pod.yaml", "privileged-container"), ("vendor/pod.yaml", "privileged-container")]
    _, found, _ = _findings(repo, "locked: [{rules: [privileged-container], namespaces: [test]}]\n",
                            "exclude: ['*/pod.yaml']\n")
    assert found == [("fixtures/pod.yaml", "privileged-container")]


def test_named_files_show_files_and_input_errors(repo: Path) -> None:
    (repo / "deploy" / "broken.yaml").write_text("a: [\n")
    # Files named explicitly, as pre-commit passes them: the same.
    (repo.parent / "policy.yaml").write_text("locked: [privileged-container]\n")
    (repo / ".guardlint.yaml").write_text("exclude: [deploy]\n")
    policy = ["--policy", str(repo.parent / "policy.yaml")]
    code, out, err = _run("check", "deploy/pod.yaml", "deploy/broken.yaml", "app.yaml", *policy, "--format", "json")
    doc = json.loads(out)
    assert code == 1, err  # an input error in an excluded file is not reported: the repository excluded it
    assert [(f["file"], f["rule"]) for f in doc["findings"]] == [("deploy/pod.yaml", "privileged-container")]
    assert doc["errors"] == []
    code, out, _ = _run("check", ".", *policy, "--show-files")
    assert code == 0
    assert "lint  deploy/pod.yaml  (the policy's locked rules only: the exclude pattern 'deploy' in " in out
    assert "/.guardlint.yaml leaves it out for the other rules)" in out
    assert "skip  deploy/pod.yaml" not in out
    assert "3 files to lint (2 more for the policy's locked rules only)" in out


def test_an_excluded_file_guardlint_could_not_check_is_an_input_error(repo: Path) -> None:
    # Excluding a file and making it larger than max-file-size-mb (which the repository sets too) must not hide a
    # locked rule's finding: the file was not read, so the run says so (the API server would still get the pod).
    # An excluded file that does not parse stays silent (the API server cannot apply it either).
    padding = "#" + "x" * 1023 + "\n"
    (repo / "deploy" / "pod.yaml").write_text(PRIVILEGED.format(name="big", ns="prod") + padding * 1100)
    (repo / "deploy" / "broken.yaml").write_text("a: [\n")
    (repo.parent / "policy.yaml").write_text("locked: [privileged-container]\n")
    (repo / ".guardlint.yaml").write_text("exclude: [deploy]\nmax-file-size-mb: 1\n")
    code, out, err = _run("check", ".", "--policy", str(repo.parent / "policy.yaml"), "--format", "json",
                          "--select", "privileged-container")
    doc = json.loads(out)
    assert code == 2, err
    assert [(e["file"], e["kind"]) for e in doc["errors"]] == [("deploy/pod.yaml", "file-too-large")]
    assert "The policy locks rules on this file" in doc["errors"][0]["hint"]
    assert sorted(f["file"] for f in doc["findings"]) == ["fixtures/pod.yaml", "vendor/pod.yaml"]
    # Not excluded, the file is the same input error; with no policy lock, the exclude leaves it out silently.
    (repo / ".guardlint.yaml").write_text("max-file-size-mb: 1\n")
    code, out, _ = _run("check", "deploy/pod.yaml", "--format", "json")
    assert code == 2 and [e["kind"] for e in json.loads(out)["errors"]] == ["file-too-large"]
    (repo / ".guardlint.yaml").write_text("exclude: [deploy]\nmax-file-size-mb: 1\n")
    code, out, _ = _run("check", ".", "--format", "json", "--select", "privileged-container")
    assert code == 1 and json.loads(out)["errors"] == []
