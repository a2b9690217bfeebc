"""Pull-request mode (``--diff-base REF``) on temporary git repositories: new, fixed, unchanged and renamed
findings, added suppressions, deleted files, paths with spaces, shallow clones, and git run safely."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from guardlint.cli import main

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

RULES = ["--no-config", "--select", "privileged-container,shared-host-namespace"]


def pod(name: str, *, privileged: bool = False, host_network: bool = False, comment: str = "") -> str:
    text = f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: shop\nspec:\n"
    if host_network:
        text += "  hostNetwork: true\n"
    text += "  containers:\n    - name: app\n      image: nginx:1.27\n"
    if privileged:
        text += f"      securityContext:\n        privileged: true{comment}\n"
    return text


def git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True).stdout


def run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(args, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose ``main`` holds findings of every fate, and a ``feature`` branch checked out."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, "keep.yaml", pod("keep", privileged=True))                 # unchanged
    write(root, "app dir/web.yaml", pod("web", privileged=True))           # fixed by the change
    write(root, "old name.yaml", pod("moved", host_network=True))          # renamed, finding unchanged
    write(root, "gone.yaml", pod("gone", privileged=True))                 # deleted by the change
    write(root, "quiet.yaml", pod("quiet", host_network=True))             # suppressed by the change
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "feature")
    write(root, "app dir/web.yaml", pod("web"))
    git(root, "mv", "old name.yaml", "new name.yaml")
    git(root, "rm", "-q", "gone.yaml")
    write(root, "quiet.yaml", pod("quiet", host_network=True).replace(
        "  hostNetwork: true\n", "  hostNetwork: true  # guardlint: ignore shared-host-namespace -- needed\n"))
    write(root, "keep.yaml", "# a comment shifts every line\n" + pod("keep", privileged=True))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "change")
    write(root, "untracked new.yaml", pod("fresh", privileged=True))      # new, and not even tracked
    monkeypatch.chdir(root)
    return root


def test_only_new_findings_and_the_added_suppression(repo: Path) -> None:
    code, out, err = run(["check", ".", *RULES, "--diff-base", "main", "-f", "json"])
    assert code == 1, err
    report = json.loads(out)
    active = [(f["file"], f["rule"], f["resource"]["name"]) for f in report["findings"] if not f["suppressed"]]
    assert active == [("untracked new.yaml", "privileged-container", "fresh")]
    added = [(f["file"], f["rule"], f["suppressionReason"]) for f in report["findings"] if f["suppressed"]]
    assert added == [("quiet.yaml", "shared-host-namespace", "comment: needed")]
    # fixed: web (edited) and gone (deleted); unchanged: keep (lines shifted) and moved (renamed)
    assert report["diff"] == {"base": "main", "commit": git(repo, "rev-parse", "main").strip(), "new": 1,
                              "fixed": 2, "unchanged": 2, "suppressionsAdded": 1}
    assert report["summary"]["bySeverity"]["error"] == 1


def test_json_report_with_diff_validates(repo: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((Path(__file__).resolve().parents[2] / "schemas" / "report.schema.json").read_text())
    _, out, _ = run(["check", ".", *RULES, "--diff-base", "main", "-f", "json"])
    jsonschema.validate(json.loads(out), schema)
    doc = json.loads(out)
    doc["diff"]["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema)


def test_text_summary_counts_new_and_fixed(repo: Path) -> None:
    code, out, _ = run(["check", ".", *RULES, "--diff-base", "main", "--color", "never"])
    assert code == 1
    assert "untracked new.yaml:" in out
    assert "keep.yaml" not in out and "new name.yaml" not in out
    assert "quiet.yaml:7:3: error shared-host-namespace" in out and "[suppressed: comment: needed]" in out
    main_sha = git(repo, "rev-parse", "main").strip()
    assert (f"Compared with main (merge base {main_sha[:12]}): 1 new, 2 fixed, 2 unchanged; 1 suppression added "
            "by this change (listed above).") in out


def test_without_the_rename_followed_the_finding_would_be_new(repo: Path) -> None:
    """The rename is what matches the moved object's finding (the same object in a new file is otherwise
    another key)."""
    git(repo, "checkout", "-q", "main", "--", "old name.yaml")  # the old name back: a copy, not a rename
    git(repo, "commit", "-qm", "copy back")
    _, out, _ = run(["check", ".", *RULES, "--diff-base", "main", "-f", "json"])
    new = {(f["file"], f["resource"]["name"]) for f in json.loads(out)["findings"] if not f["suppressed"]}
    assert ("new name.yaml", "moved") in new and ("old name.yaml", "moved") not in new


def _fates(args: list[str]) -> tuple[set[tuple[str, str]], dict[str, object]]:
    code, out, err = run(["check", ".", *RULES, "--diff-base", "main", "-f", "json", *args])
    assert code in (0, 1), err
    report = json.loads(out)
    return {(f["file"], f["resource"]["name"]) for f in report["findings"] if not f["suppressed"]}, report["diff"]


def test_a_rename_only_in_the_working_tree_is_followed(repo: Path) -> None:
    """``mv`` without ``git add``: the index still holds the old name, the working tree an untracked file with
    the same bytes (a committed file, and the target of a committed rename, moved again)."""
    (repo / "moved here").mkdir()
    (repo / "keep.yaml").rename(repo / "moved here" / "kept.yaml")
    (repo / "new name.yaml").rename(repo / "newest name.yaml")
    new, diff = _fates([])
    assert new == {("untracked new.yaml", "fresh")}
    assert (diff["new"], diff["fixed"], diff["unchanged"]) == (1, 2, 2)


def test_a_staged_file_moved_again_in_the_working_tree_is_followed(repo: Path) -> None:
    git(repo, "mv", "keep.yaml", "staged.yaml")
    (repo / "staged.yaml").rename(repo / "then moved.yaml")
    new, diff = _fates([])
    assert new == {("untracked new.yaml", "fresh")}
    assert (diff["new"], diff["fixed"], diff["unchanged"]) == (1, 2, 2)


def test_a_file_moved_and_edited_without_staging_is_not_a_rename(repo: Path) -> None:
    """Only exact renames are followed in the working tree (no similarity measure on unstaged content):
    the moved, edited file's finding is new and the old one fixed; staged, git's detection follows it."""
    text = (repo / "keep.yaml").read_text()
    (repo / "keep.yaml").unlink()
    write(repo, "kept.yaml", text + "# edited\n")
    new, diff = _fates([])
    assert ("kept.yaml", "keep") in new
    assert (diff["new"], diff["fixed"], diff["unchanged"]) == (2, 3, 1)
    git(repo, "add", "-A")
    new, diff = _fates([])
    assert ("kept.yaml", "keep") not in new
    assert (diff["new"], diff["fixed"], diff["unchanged"]) == (1, 2, 2)


def test_identical_moved_files_are_all_followed_and_nothing_runs(repo: Path, tmp_path: Path) -> None:
    """Two committed files with the same bytes, both moved: each is paired (same file name first); no clean
    filter runs on the untracked files although the repository declares one, and the index is untouched."""
    write(repo, "a/twin.yaml", pod("twin", privileged=True))
    write(repo, "b/twin.yaml", pod("twin", privileged=True))
    write(repo, "solo.yaml", pod("solo", privileged=True))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "twins")
    git(repo, "branch", "-f", "main")
    marker = tmp_path / "filtered"
    git(repo, "config", "filter.mark.clean", f"sh -c 'touch {marker}; cat'")
    (repo / ".git" / "info" / "attributes").write_text("*.yaml filter=mark\n")
    (repo / "z").mkdir()
    (repo / "a" / "twin.yaml").rename(repo / "b" / "other.yaml")
    (repo / "b" / "twin.yaml").rename(repo / "z" / "twin.yaml")
    (repo / "solo.yaml").rename(repo / "z" / "solo.yaml")
    before = _snapshot(repo)
    new, diff = _fates([])
    assert new == set()  # the untracked file was committed with the twins
    assert (diff["new"], diff["fixed"], diff["unchanged"]) == (0, 0, 6)
    assert not marker.exists()
    assert _snapshot(repo) == before


def test_unchanged_findings_only_pass(repo: Path) -> None:
    (repo / "untracked new.yaml").unlink()
    (repo / "quiet.yaml").write_text(pod("quiet", host_network=True))
    code, out, err = run(["check", ".", *RULES, "--diff-base", "main", "-f", "json"])
    assert code == 0, err
    report = json.loads(out)
    assert report["findings"] == []
    assert report["diff"]["new"] == 0 and report["diff"]["unchanged"] == 3 and report["diff"]["fixed"] == 2


def test_a_sub_folder_and_a_path_with_spaces(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(repo, "app dir/extra.yaml", pod("extra", host_network=True))
    monkeypatch.chdir(repo / "app dir")
    code, out, err = run(["check", ".", *RULES, "--diff-base", "main", "-f", "json"])
    assert code == 1, err
    report = json.loads(out)
    assert [(f["file"], f["resource"]["name"]) for f in report["findings"]] == [("extra.yaml", "extra")]
    assert report["diff"]["fixed"] == 1  # web, fixed; nothing outside the folder is compared


def test_cross_object_rules_see_the_whole_tree_at_the_base(repo: Path) -> None:
    """A Service that selects no pod at the base still selects none: not new although the change did not
    touch it; a pod that the change relabels makes a new finding on the untouched Service."""
    svc = ("apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  selector:\n"
           "    app: api\n  ports:\n    - port: 80\n")
    labelled = pod("api").replace("  namespace: shop\n", "  namespace: shop\n  labels:\n    app: api\n")
    write(repo, "svc/service.yaml", svc)
    write(repo, "svc/pod.yaml", labelled)
    git(repo, "add", "svc")
    git(repo, "commit", "-qm", "service")
    git(repo, "branch", "-f", "main")
    write(repo, "svc/pod.yaml", labelled.replace("app: api", "app: other"))
    _, out, err = run(["check", "svc", "--no-config", "--select", "service-selects-no-pods",
                          "--diff-base", "main", "-f", "json"])
    report = json.loads(out)
    assert [(f["file"], f["rule"]) for f in report["findings"]] == [
        ("svc/service.yaml", "service-selects-no-pods")], err
    assert report["diff"]["new"] == 1


def test_a_config_changed_by_the_change_is_named(repo: Path) -> None:
    (repo / ".guardlint.yaml").write_text("select: [privileged-container]\n")
    _, _, err = run(["check", ".", "--diff-base", "main", "-f", "json"])
    assert "warning: .guardlint.yaml is new in this change" in err


def test_missing_ref_says_how_to_fetch(repo: Path) -> None:
    code, out, err = run(["check", ".", *RULES, "--diff-base", "origin/main"])
    assert code == 2 and out == ""
    assert "--diff-base origin/main: no such commit in this clone" in err
    assert "git fetch" in err and "fetch-depth: 0" in err and "GIT_DEPTH: 0" in err


def test_shallow_clone_without_the_base_or_the_merge_base(repo: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "feature", repo.as_uri(), str(clone))
    monkeypatch.chdir(clone)
    code, _, err = run(["check", ".", *RULES, "--diff-base", "origin/main"])
    assert code == 2 and "no such commit in this clone (it is a shallow clone)" in err
    git(clone, "fetch", "-q", "--depth", "1", "origin", "main:refs/remotes/origin/main")
    code, _, err = run(["check", ".", *RULES, "--diff-base", "origin/main"])
    assert code == 2 and "no common ancestor of origin/main and HEAD in this clone" in err and "shallow" in err
    git(clone, "fetch", "-q", "--deepen", "5", "origin", "main:refs/remotes/origin/main")
    code, out, err = run(["check", ".", *RULES, "--diff-base", "origin/main", "-f", "json"])
    assert code == 0, err  # the untracked file is not in the clone: nothing new
    assert json.loads(out)["diff"] == {"base": "origin/main", "commit": git(repo, "rev-parse", "main").strip(),
                                       "new": 0, "fixed": 2, "unchanged": 2, "suppressionsAdded": 1}


@pytest.mark.parametrize("ref", ["--output=x", "-", "main; touch x", "ma\nin", ""])
def test_refs_that_are_not_revisions_are_refused(repo: Path, ref: str) -> None:
    code, _, err = run(["check", ".", *RULES, f"--diff-base={ref}"])
    assert code == 2 and "not a git revision" in err
    assert not (repo / "x").exists()


def test_standard_input_and_write_baseline_are_refused(repo: Path) -> None:
    code, _, err = run(["check", "-", *RULES, "--diff-base", "main"])
    assert code == 2 and "cannot read standard input" in err
    code, _, err = run(["check", ".", *RULES, "--diff-base", "main", "--write-baseline", "b.json"])
    assert code == 2 and "write a baseline without it" in err and not (repo / "b.json").exists()


def test_a_path_outside_the_repository_is_refused(repo: Path, tmp_path: Path) -> None:
    write(tmp_path, "elsewhere/pod.yaml", pod("x"))
    code, _, err = run(["check", str(tmp_path / "elsewhere"), *RULES, "--diff-base", "main"])
    assert code == 2 and "outside the git repository" in err


def test_not_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "plain/pod.yaml", pod("x"))
    monkeypatch.chdir(tmp_path / "plain")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    code, _, err = run(["check", ".", *RULES, "--diff-base", "main"])
    assert code == 2 and "is not inside a git working tree" in err


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for folder, _, files in os.walk(root / ".git"):
        for name in files:
            info = os.stat(os.path.join(folder, name))
            out[os.path.join(folder, name)] = (info.st_size, info.st_mtime_ns)
    return out


def test_nothing_is_written_and_repository_config_runs_nothing(repo: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    command = f"sh -c 'touch {marker}'"
    for key in ("core.fsmonitor", "diff.external", "core.pager", "pager.diff"):
        git(repo, "config", key, command)
    hooks = repo / ".git" / "hooks"
    for hook in ("post-checkout", "post-index-change", "reference-transaction"):
        (hooks / hook).write_text(f"#!/bin/sh\ntouch {marker}\n")
        (hooks / hook).chmod(0o755)
    (repo / "keep.yaml").touch()  # a stat-dirty file: a refreshing command would rewrite the index
    before = _snapshot(repo)
    code, _, err = run(["check", ".", *RULES, "--diff-base", "main"])
    assert code == 1, err
    assert not marker.exists()
    assert _snapshot(repo) == before


def test_every_format_lists_only_new_findings_and_stays_valid(repo: Path) -> None:
    import xml.etree.ElementTree as ET

    jsonschema = pytest.importorskip("jsonschema")
    sarif_schema = json.loads((Path(__file__).resolve().parents[1] / "data" / "sarif" /
                               "sarif-schema-2.1.0.json").read_text())
    code, out, _ = run(["check", ".", *RULES, "--diff-base", "main", "-f", "github", "--output-file",
                        "sarif:r.sarif", "--output-file", "gitlab:gl.json", "--output-file", "junit:j.xml"])
    assert code == 1
    commands = [line for line in out.splitlines() if line.startswith("::")]
    assert [c.split(" ", 1)[0] for c in commands] == ["::error", "::notice"]
    assert "file=untracked new.yaml" in commands[0]
    assert "file=quiet.yaml" in commands[1] and "title=suppression added%3A shared-host-namespace" in commands[1]
    assert "compared with main: 1 new, 2 fixed, 2 unchanged, 1 suppression added" in out.splitlines()[-1]
    sarif = json.loads((repo / "r.sarif").read_text())
    jsonschema.validate(sarif, sarif_schema)
    results = sarif["runs"][0]["results"]
    assert [(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "suppressions" in r)
            for r in results] == [("quiet.yaml", True), ("untracked%20new.yaml", False)]
    issues = json.loads((repo / "gl.json").read_text())
    assert [i["location"]["path"] for i in issues] == ["untracked new.yaml"]
    ET.parse(repo / "j.xml")


def test_base_files_over_the_size_limit_are_not_read(repo: Path) -> None:
    big = pod("big", privileged=True) + "# " + "x" * 3000 + "\n"
    write(repo, "big.yaml", big)
    git(repo, "add", "big.yaml")
    git(repo, "commit", "-qm", "big")
    git(repo, "branch", "-f", "main")
    (repo / "big.yaml").write_text(pod("big", privileged=True))  # small now: its finding is "new"
    _, out, err = run(["check", ".", *RULES, "--diff-base", "main", "--max-file-size", "0.002", "-f", "json"])
    assert "warning: big.yaml: not read at the base (" in err and "over the file-size limit" in err
    assert ("big.yaml", "big") in {(f["file"], f["resource"]["name"]) for f in json.loads(out)["findings"]}


def _readme_pr_blocks() -> list[dict[str, object]]:
    import yaml

    text = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = text[text.index("\n## Pull-request mode\n"):]
    section = section[:section.index("\n## ", 1)]
    parts = section.split("```")
    return [yaml.safe_load(parts[i].partition("\n")[2]) for i in range(1, len(parts), 2)
            if parts[i].startswith("yaml")]


def test_readme_github_workflow_fetches_the_history_and_uses_the_action_input() -> None:
    import yaml

    from guardlint._version import __version__

    (workflow,) = [b for b in _readme_pr_blocks() if "jobs" in b]
    steps = workflow["jobs"]["guardlint"]["steps"]  # type: ignore[index]
    assert steps[0]["uses"].startswith("actions/checkout@") and steps[0]["with"]["fetch-depth"] == 0
    assert steps[1]["uses"] == f"guardlint/guardlint@v{__version__}"
    assert steps[1]["with"] == {"diff-base": "origin/${{ github.base_ref }}"}
    action = yaml.safe_load((Path(__file__).resolve().parents[2] / "action.yml").read_text())
    assert "diff-base" in action["inputs"]
    (step,) = [s for s in action["runs"]["steps"] if s.get("id") == "run"]
    assert step["env"]["GUARDLINT_DIFF_BASE"] == "${{ inputs.diff-base }}"


def test_readme_gitlab_job_runs_on_a_merge_request(repo: Path) -> None:
    import shlex

    (pipeline,) = [b for b in _readme_pr_blocks() if "guardlint-merge-request" in b]
    job = pipeline["guardlint-merge-request"]  # type: ignore[index]
    assert job["variables"]["GIT_DEPTH"] == 0
    (command,) = [c for c in job["script"] if c.startswith("guardlint ")]
    sha = git(repo, "merge-base", "main", "HEAD").strip()
    args = [a.replace("$CI_MERGE_REQUEST_DIFF_BASE_SHA", sha) for a in shlex.split(command)[1:]]
    code, _, err = run([*args, *RULES])
    assert code == 1, err
    issues = json.loads((repo / job["artifacts"]["reports"]["codequality"]).read_text())
    assert [i["location"]["path"] for i in issues] == ["untracked new.yaml"]


def test_action_script_passes_the_diff_base(repo: Path, tmp_path: Path) -> None:
    import sys

    script = Path(__file__).resolve().parents[2] / "scripts" / "github-action.sh"
    output = tmp_path / "github_output"
    output.write_text("")
    env = {**os.environ, "GUARDLINT_SKIP_INSTALL": "1", "GUARDLINT_PYTHON": sys.executable,
           "GITHUB_OUTPUT": str(output), "GUARDLINT_DIFF_BASE": "main", "GUARDLINT_ARGS": " ".join(RULES)}
    proc = subprocess.run(["bash", str(script)], check=False, cwd=repo, env=env, capture_output=True, text=True)
    assert "exit-code=1" in output.read_text(), proc.stderr
    assert "compared with main: 1 new" in proc.stdout and proc.stdout.count("::error") == 1


def test_a_symbolic_link_in_the_tree_is_followed_at_both_revisions(repo: Path) -> None:
    (repo / "link.yaml").symlink_to("keep.yaml")
    (repo / "outside.yaml").symlink_to("/etc/hostname")
    git(repo, "add", "link.yaml", "outside.yaml")
    git(repo, "commit", "-qm", "links")
    git(repo, "branch", "-f", "main")
    code, out, err = run(["check", "link.yaml", *RULES, "--diff-base", "main", "-f", "json"])
    assert code == 0, out + err
    assert json.loads(out)["diff"] == {"base": "main", "commit": git(repo, "rev-parse", "main").strip(),
                                       "new": 0, "fixed": 0, "unchanged": 1, "suppressionsAdded": 0}


def test_blobs_read_in_small_batches_give_the_same_answer(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from guardlint import diffbase

    monkeypatch.setattr(diffbase, "BATCH_BYTES", 150)  # about one file per cat-file call
    _, out, err = run(["check", ".", *RULES, "--diff-base", "main", "-f", "json"])
    assert json.loads(out)["diff"]["new"] == 1 and json.loads(out)["diff"]["fixed"] == 2, err


def test_a_base_blob_missing_from_the_clone_is_named(repo: Path) -> None:
    oid = git(repo, "rev-parse", "main:gone.yaml").strip()
    (repo / ".git" / "objects" / oid[:2] / oid[2:]).unlink()  # as in a partial clone that never fetched it
    code, _, err = run(["check", ".", *RULES, "--diff-base", "main"])
    assert code == 2, err
    assert "the content of gone.yaml at the base is not in this clone" in err and "git fetch" in err


def test_an_exemption_added_to_the_configuration_is_listed(repo: Path) -> None:
    select = "select: [privileged-container, shared-host-namespace]\n"
    old = "  - reason: legacy web\n    names: [keep]\n"
    (repo / ".guardlint.yaml").write_text(select + "exemptions:\n" + old)
    git(repo, "add", ".guardlint.yaml")
    git(repo, "commit", "-qm", "config")
    git(repo, "branch", "-f", "main")
    (repo / ".guardlint.yaml").write_text(select + "exemptions:\n" + old + "  - reason: make CI green\n"
                                          "    names: [moved]\n")
    code, out, err = run(["check", ".", "--diff-base", "main", "-f", "json"])
    report = json.loads(out)
    added = [(f["resource"]["name"], f["suppressionReason"]) for f in report["findings"] if f["suppressed"]]
    assert added == [("moved", "exemption: make CI green")], err  # keep's exemption was there before
    assert report["diff"]["suppressionsAdded"] == 1 and report["diff"]["fixed"] == 0
    assert "warning: .guardlint.yaml is changed by this change" in err
    assert code == 1  # the untracked file's new finding


def test_an_unreadable_base_configuration_falls_back_with_a_note(repo: Path) -> None:
    (repo / ".guardlint.yaml").write_text("select: [privileged-container]\nfail-on: sometimes\n")
    git(repo, "add", ".guardlint.yaml")
    git(repo, "commit", "-qm", "broken config")
    git(repo, "branch", "-f", "main")
    (repo / ".guardlint.yaml").write_text("select: [privileged-container]\n")
    code, _, err = run(["check", ".", "--diff-base", "main", "-f", "json"])
    assert code == 1, err
    assert "warning: the base version of .guardlint.yaml could not be read (" in err


def test_the_library_takes_a_diff_base(repo: Path) -> None:
    import guardlint
    from guardlint.errors import UsageError

    report = guardlint.lint_paths(["."], use_config_file=False,
                                  select=["privileged-container", "shared-host-namespace"], diff_base="main")
    assert report.diff is not None
    assert (report.diff.new, report.diff.fixed, report.diff.unchanged, report.diff.suppressions_added) == (1, 2, 2, 1)
    assert [(f.file, f.rule) for f in report.active] == [("untracked new.yaml", "privileged-container")]
    with pytest.raises(UsageError, match="no such commit in this clone"):
        guardlint.lint_paths(["."], use_config_file=False, diff_base="origin/nope")


ESCALATION = pod("esc") + "      securityContext:\n        allowPrivilegeEscalation: true\n"


def test_fix_and_diff_touch_only_the_new_findings(repo: Path) -> None:
    write(repo, "old esc.yaml", ESCALATION)
    git(repo, "add", "old esc.yaml")
    git(repo, "commit", "-qm", "an old finding with a fix")
    git(repo, "branch", "-f", "main")
    write(repo, "new esc.yaml", ESCALATION.replace("name: esc", "name: esc2"))
    args = ["check", ".", "--no-config", "--select", "privilege-escalation-allowed", "--diff-base", "main",
            "--unsafe-fixes"]
    code, out, _ = run([*args, "--diff"])
    assert code == 1 and "+++ b/new esc.yaml" in out and "old esc.yaml" not in out
    code, out, err = run([*args, "--fix", "-f", "json"])
    assert "new esc.yaml:11:9: fixed privilege-escalation-allowed" in err and "old esc.yaml" not in err
    assert "guardlint: applied 2 fixes" in err  # the untracked file is new too (a missing field inserted)
    assert "allowPrivilegeEscalation: false" in (repo / "new esc.yaml").read_text()
    assert "allowPrivilegeEscalation: true" in (repo / "old esc.yaml").read_text()  # not introduced: left alone
    report = json.loads(out)  # the report after fixing is compared with the same base again
    assert code == 0 and report["findings"] == [] and report["diff"]["new"] == 0, err


def test_rules_the_configuration_change_turns_off_or_weakens_are_named(repo: Path) -> None:
    (repo / ".guardlint.yaml").write_text("select: [privileged-container, shared-host-namespace]\n")
    git(repo, "add", ".guardlint.yaml")
    git(repo, "commit", "-qm", "config")
    git(repo, "branch", "-f", "main")
    (repo / ".guardlint.yaml").write_text("select: [privileged-container, shared-host-namespace]\n"
                                          "ignore: [privileged-container]\n"
                                          "rules:\n  shared-host-namespace: {severity: warning}\n")
    _, out, err = run(["check", ".", "--extend-select", "host-port", "--diff-base", "main", "-f", "json"])
    warnings = json.loads(out)["warnings"]
    assert (".guardlint.yaml: this change turns off 1 rule that ran at the base (privileged-container); their "
            "findings are no longer reported") in warnings, err
    assert ".guardlint.yaml: this change lowers the severity of shared-host-namespace (error -> warning)" in warnings
    assert not any("host-port" in w for w in warnings)  # the command line is the same at both revisions


def test_github_annotations_carry_the_configuration_warnings(repo: Path) -> None:
    (repo / ".guardlint.yaml").write_text("select: [privileged-container, shared-host-namespace]\n")
    git(repo, "add", ".guardlint.yaml")
    git(repo, "commit", "-qm", "config")
    git(repo, "branch", "-f", "main")
    (repo / ".guardlint.yaml").write_text("select: [shared-host-namespace]\n")
    _, out, _ = run(["check", ".", "--diff-base", "main", "-f", "github"])
    warnings = [line for line in out.splitlines() if line.startswith("::warning title=guardlint%3A compared")]
    assert any("this change turns off 1 rule that ran at the base (privileged-container)" in w for w in warnings)


def test_exclude_patterns_are_relative_to_the_configuration_from_a_sub_folder(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(repo, ".guardlint.yaml", 'exclude: ["app dir/generated/**"]\n')
    write(repo, "app dir/generated/x.yaml", pod("generated", privileged=True))
    write(repo, "app dir/extra.yaml", pod("extra", host_network=True))
    monkeypatch.chdir(repo / "app dir")
    rules = RULES[1:]  # the repository's configuration
    code, out, err = run(["check", ".", *rules, "--diff-base", "main", "-f", "json"])
    assert code == 1, err
    assert [(f["file"], f["resource"]["name"]) for f in json.loads(out)["findings"]] == [("extra.yaml", "extra")]
    code, out, err = run(["check", "generated/x.yaml", "extra.yaml", *rules, "--diff-base", "main", "-f", "json"])
    assert code == 1, err
    assert [(f["file"], f["resource"]["name"]) for f in json.loads(out)["findings"]] == [("extra.yaml", "extra")]
