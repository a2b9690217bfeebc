"""A kustomization is untrusted input: what guardlint refuses before any build (remote targets in every form,
missing, special, oversized or outside files, helm inflation, plugins and KRM functions), each on the entry that
names it, and a failed build as one clear message located where kustomize says it failed."""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import pytest

from guardlint.cli import main
from guardlint.render.kustomize import _unwrap, parse_kustomization
from tests.render.conftest import write

needs_kustomize = pytest.mark.skipif(shutil.which("kustomize") is None and shutil.which("kubectl") is None,
                                     reason="needs 'kustomize' or 'kubectl' on PATH to build overlays")
POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: api\nspec:\n  containers:\n    - name: a\n      image: a:1\n"


def problems(root: Path, folder: str = "o", max_bytes: int = 1 << 20) -> list[tuple[int, str]]:
    (root / ".git").mkdir(exist_ok=True)
    k = parse_kustomization(str(root / folder), str(root), max_bytes)
    assert k is not None
    return [(p.line, p.message) for p in k.problems]


@pytest.mark.parametrize("entry", [
    "git::https://example.com/org/repo.git//base?ref=main",
    "gh:org/repo//base",
    "ssh://git@github.com/org/repo.git//base",
    "git@github.com:org/repo.git//base",
    "https://github.com/org/repo//base?ref=v1",
    "github.com/org/repo/base?ref=v1",
    "github.com:org/repo//base",
    "alice@git.example.com:org/repo//base",
    "deploy-bot@example.com:org/repo.git",
])
def test_every_remote_form_is_refused_on_its_line(tmp_path: Path, entry: str) -> None:
    write(tmp_path, {"o/kustomization.yaml": f"resources:\n  - pod.yaml\n  - {entry}\n", "o/pod.yaml": POD})
    [(line, message)] = problems(tmp_path)
    assert line == 3 and "never contacts the network" in message and entry in message


def test_a_local_folder_named_like_a_remote_target_is_refused(tmp_path: Path) -> None:
    """kustomize tries ``user@host:path`` as a git remote before it looks for a local folder of that name (it ran
    ``git fetch``), so a folder the repository holds under such a name is refused, not handed to kustomize."""
    write(tmp_path, {"o/kustomization.yaml": "resources:\n  - alice@localhost:org/repo\n",
                     "o/alice@localhost:org/repo/kustomization.yaml": "resources: [pod.yaml]\n",
                     "o/alice@localhost:org/repo/pod.yaml": POD})
    [(line, message)] = problems(tmp_path)
    assert line == 2 and "never contacts the network" in message


def test_a_local_file_with_an_at_sign_is_not_taken_for_a_remote_target(tmp_path: Path) -> None:
    """Only ``user@host:path`` is an scp-like address: a resource or generator file named ``app@v2.yaml`` is read
    from the repository, as kustomize reads it."""
    write(tmp_path, {"o/kustomization.yaml": ("resources:\n  - app@v2.yaml\nconfigMapGenerator:\n  - name: c\n"
                                              "    files:\n      - conf=settings@prod.txt\n"),
                     "o/app@v2.yaml": POD, "o/settings@prod.txt": "a=b\n"})
    assert problems(tmp_path) == []


@pytest.mark.parametrize(("text", "line", "field"), [
    ("resources:\n  - missing.yaml\n", 2, "resources"),
    ("resources:\n  - ../nowhere\n", 2, "resources"),
    ("resources: [pod.yaml]\npatches:\n  - path: nothere.yaml\n", 3, "patches"),
    ("resources: [pod.yaml]\npatchesStrategicMerge:\n  - nothere.yaml\n", 3, "patchesStrategicMerge"),
    ("configMapGenerator:\n  - name: c\n    files:\n      - key=absent.txt\n", 4, "configMapGenerator files"),
    ("secretGenerator:\n  - name: s\n    envs: [absent.env]\n", 3, "secretGenerator envs"),
    ("resources: [pod.yaml]\ncrds:\n  - absent.json\n", 3, "crds"),
])
def test_a_missing_file_is_a_located_error_before_any_build(tmp_path: Path, text: str, line: int,
                                                             field: str) -> None:
    """A path that does not exist would fail the build, and kustomize tries some of them as remote targets."""
    write(tmp_path, {"o/kustomization.yaml": text, "o/pod.yaml": POD})
    [(got, message)] = problems(tmp_path)
    assert got == line and f"in '{field}' does not exist" in message


def test_special_oversized_and_outside_files_are_not_read(tmp_path: Path) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-outside.yaml"
    outside.write_text(POD)
    write(tmp_path, {"o/kustomization.yaml": "resources:\n  - fifo.yaml\n  - big.yaml\n  - link.yaml\n  - pod.yaml\n",
                     "o/big.yaml": POD * 40, "o/pod.yaml": POD})
    os.mkfifo(tmp_path / "o" / "fifo.yaml")
    (tmp_path / "o" / "link.yaml").symlink_to(outside)
    got = problems(tmp_path, max_bytes=len(POD) * 2)
    assert [line for line, _ in got] == [2, 3, 4]
    assert "not a regular file" in got[0][1]
    assert "over the" in got[1][1] and "limit" in got[1][1]
    assert "outside the repository" in got[2][1]


def test_files_in_the_git_folder_are_not_read(tmp_path: Path) -> None:
    """CI keeps credentials in ``.git/config`` (actions/checkout's http extraheader, GitLab's job token in the
    remote URL): a generator reading it, with ``replacements`` copying the value into an image, put the token in
    the pull request's annotations. Refused on each entry, also through a link to the folder."""
    write(tmp_path, {".git/config": "[remote \"origin\"]\n\turl = https://gitlab-ci-token:glcbt-x@example.com/r.git\n",
                     "kustomization.yaml": (
                         "resources: [pod.yaml]\nconfigMapGenerator:\n  - name: a\n    files: [config=.git/config]\n"
                         "secretGenerator:\n  - name: b\n    envs: [linked/config]\n  - name: c\n"
                         "    files: [.git/../pod.yaml]\n"),
                     "pod.yaml": POD})
    (tmp_path / "linked").symlink_to(tmp_path / ".git")
    got = problems(tmp_path, folder=".")
    assert [line for line, _ in got] == [4, 7]
    assert all("is in the repository's .git folder, where CI keeps credentials" in m for _, m in got)
    assert "'.git/config' in 'configMapGenerator files'" in got[0][1] and "'linked/config'" in got[1][1]


def test_helm_charts_are_refused_on_each_entry_naming_chart_and_repository(tmp_path: Path) -> None:
    write(tmp_path, {"o/kustomization.yaml": (
        "resources: [pod.yaml]\nhelmCharts:\n  - name: redis\n    repo: https://charts.example.com\n"
        "  - name: local\n"), "o/pod.yaml": POD})
    got = problems(tmp_path)
    assert [line for line, _ in got] == [3, 5]
    assert "'redis'" in got[0][1] and "https://charts.example.com" in got[0][1] and "--enable-helm" in got[0][1]


FUNCTION = ("apiVersion: example.com/v1\nkind: Fn\nmetadata:\n  name: fn\n  annotations:\n"
            "    config.kubernetes.io/function: |\n      container:\n        image: evil/fn:1\n")


@pytest.mark.parametrize(("config", "why"), [
    (FUNCTION, "KRM function"),
    ("apiVersion: example.com/v1\nkind: Legacy\nmetadata:\n  name: l\n", "not a kustomize builtin plugin"),
    ("apiVersion: builtin\nkind: HelmChartInflationGenerator\nmetadata:\n  name: h\nname: redis\n", "run helm"),
    ("apiVersion: builtin\nkind: NoSuchBuiltin\nmetadata:\n  name: x\n", "not a kustomize builtin plugin"),
])
@pytest.mark.parametrize("field", ["generators", "transformers", "validators"])
def test_plugins_and_functions_are_refused_in_a_file_and_inline(tmp_path: Path, config: str, why: str,
                                                                field: str) -> None:
    inline = "\n".join("      " + line for line in config.splitlines())
    write(tmp_path, {"o/kustomization.yaml": f"resources: [pod.yaml]\n{field}:\n  - fn.yaml\n  - |-\n{inline}\n",
                     "o/fn.yaml": config, "o/pod.yaml": POD})
    got = problems(tmp_path)
    assert [line for line, _ in got] == [3, 4]
    assert all(why in message and f"in '{field}'" in message for _, message in got)
    assert "'fn.yaml'" in got[0][1] and "an inline configuration" in got[1][1]


def test_builtin_plugins_in_a_file_and_inline_stay_allowed(tmp_path: Path) -> None:
    label = ("apiVersion: builtin\nkind: LabelTransformer\nmetadata:\n  name: l\nlabels: {a: b}\n"
             "fieldSpecs: [{path: metadata/labels, create: true}]\n")
    inline = "\n".join("      " + line for line in label.splitlines())
    write(tmp_path, {"o/kustomization.yaml": f"resources: [pod.yaml]\ntransformers:\n  - t.yaml\n  - |-\n{inline}\n",
                     "o/t.yaml": label, "o/pod.yaml": POD})
    assert problems(tmp_path) == []


@pytest.mark.parametrize("raw", [
    ('E1207 11:55:14.721630    3958 run.go:72] "command failed" err="accumulating resources: unknown field '
     '\\"bogus\\""'),
    ('E1207 11:52:38.153547   31229 run.go:72] "command failed" err=<\n\taccumulating resources: unknown field\n'
     '\t"bogus"\n >'),
    'Error: accumulating resources: unknown field "bogus"',
    ("# Warning: 'commonLabels' is deprecated. Please use 'labels' instead.\n"
     'E1207 11:55:14.721630    3958 run.go:72] "command failed" err="accumulating resources: unknown field '
     '\\"bogus\\""'),
])
def test_the_log_prefix_of_kubectl_and_kustomize_is_removed(raw: str) -> None:
    assert " ".join(_unwrap(raw).split()) == 'accumulating resources: unknown field "bogus"'


def check(*args: str) -> tuple[int, dict[str, list[dict[str, object]]]]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", *args, "--format", "json", "--no-config"], out=out, err=err)
    return code, json.loads(out.getvalue())


@needs_kustomize
@pytest.mark.parametrize(("files", "where", "says"), [
    ({"base/kustomization.yaml": "resources:\n  - pod.yaml\n  - again.yaml\n", "base/pod.yaml": POD,
      "base/again.yaml": POD, "o/kustomization.yaml": "resources: [../base]\n"},
     ("base/kustomization.yaml", 3), "may not add resource with an already registered id"),
    ({"o/kustomization.yaml": "resources: [pod.yaml]\nbogusField: 1\n", "o/pod.yaml": POD},
     ("o/kustomization.yaml", 2), 'unknown field "bogusField"'),
    ({"o/kustomization.yaml": ("resources: [pod.yaml]\npatches:\n  - patch: |-\n      apiVersion: v1\n"
                               "      kind: Pod\n      metadata:\n        name: other\n")},
     ("o/kustomization.yaml", 4), "no resource matches strategic merge patch"),
    ({"o/kustomization.yaml": "resources: [pod.yaml, bad.yaml]\n",
      "o/bad.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n  x: [\n"},
     ("o/bad.yaml", 5), "MalformedYAMLError"),
])
def test_a_failed_build_is_one_clear_message_where_kustomize_failed(
        repo: Path, files: dict[str, str], where: tuple[str, int], says: str) -> None:
    write(repo, {"o/pod.yaml": POD, **files})
    code, report = check("o")
    assert code == 2
    [error] = report["errors"]
    assert (error["file"], error["line"]) == where
    message = str(error["message"])
    assert message.startswith("kustomize could not build the overlay o") and says in message
    for noise in ("command failed", "run.go", "must resolve to a file", "recursed accumulation", str(repo),
                  "guardlint-kustomize-", "\n", "\t"):
        assert noise not in message
    if where[0].startswith("base/"):
        assert "(in base)" in message


@needs_kustomize
def test_nothing_refused_is_run_or_fetched(repo: Path) -> None:
    """The refusals stop the build itself: an exec function next to a helm chart and a git base runs nothing."""
    marker = repo / "ran"
    write(repo, {
        "o/fn.sh": f"#!/bin/sh\ntouch {marker}\ncat\n",
        "o/fn.yaml": FUNCTION.replace("container:\n        image: evil/fn:1", "exec:\n        path: ./fn.sh"),
        "o/kustomization.yaml": "resources: [pod.yaml, 'git::file:///etc//x']\ntransformers: [fn.yaml]\n",
        "o/pod.yaml": POD,
    })
    (repo / "o" / "fn.sh").chmod(0o755)
    code, report = check(".")
    assert code == 2 and not marker.exists()
    assert [(e["line"], "never contacts the network" in str(e["message"]) or "KRM function" in str(e["message"]))
            for e in report["errors"]] == [(1, True), (2, True)]


@needs_kustomize
def test_a_duplicate_key_kustomize_refuses_is_located_in_the_file_that_has_it(repo: Path) -> None:
    pod = POD.replace("spec:\n", "spec:\n  hostPID: true\n  hostPID: false\n")
    write(repo, {"o/kustomization.yaml": "resources: [a.yaml, pod.yaml]\n", "o/pod.yaml": pod,
                 "o/a.yaml": POD.replace("name: api", "name: other")})
    code, report = check("o")
    assert code == 2
    [error] = report["errors"]
    assert (error["file"], error["line"], error["column"]) == ("o/pod.yaml", 7, 3)
    message = str(error["message"])
    assert "mapping key 'hostPID' already defined (first on line 6)" in message
    assert "map[string]" not in message


@needs_kustomize
@pytest.mark.parametrize(("files", "where"), [
    ({"o/kustomization.yaml": "resources:\n  - pod.yaml\n  - ../o\n"}, ("o/kustomization.yaml", 3)),
    ({"a/kustomization.yaml": "resources: [pod.yaml, ../b]\n", "a/pod.yaml": POD,
      "b/kustomization.yaml": "resources:\n  - ../a\n"}, ("b/kustomization.yaml", 2)),
])
def test_a_cycle_of_kustomizations_is_an_error_not_silence(repo: Path, files: dict[str, str],
                                                           where: tuple[str, int]) -> None:
    """No folder of a cycle is topmost (each has a user): they were neither built nor linted, without a word."""
    write(repo, {"o/pod.yaml": POD, **files})
    code, report = check(".")
    assert code == 2
    [error] = report["errors"]
    assert (error["file"], error["line"]) == where
    assert "cycle detected" in str(error["message"]) and str(repo) not in str(error["message"])


@needs_kustomize
def test_a_component_listed_as_a_resource_is_located_on_its_entry(repo: Path) -> None:
    write(repo, {"c/kustomization.yaml": ("apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
                                          "commonLabels: {team: a}\n"),
                 "o/kustomization.yaml": "resources:\n  - pod.yaml\n  - ../c\n", "o/pod.yaml": POD})
    code, report = check("o")
    assert code == 2
    [error] = report["errors"]
    assert (error["file"], error["line"]) == ("o/kustomization.yaml", 3)
    message = str(error["message"])
    assert "expected kind != 'Component'" in message and "must resolve to a file" not in message
    assert str(repo) not in message


@pytest.mark.parametrize("name", [".GIT", ".Git", ".git.", ".git ", "GIT~1", ".git::$INDEX_ALLOCATION"])
def test_the_git_folder_is_known_by_every_name_that_opens_it(tmp_path: Path, name: str) -> None:
    """macOS and Windows file systems ignore case (and Windows drops trailing dots and spaces, and knows the 8.3
    name ``GIT~1``): on such a runner ``.GIT/config`` opens ``.git/config``, so the name must be refused as
    ``.git`` is (review8: ``.GIT/config`` passed the exact-name test). On Linux these are other folders; an
    overlay has no business reading them either."""
    write(tmp_path, {"kustomization.yaml": (
        f"resources: [pod.yaml]\nconfigMapGenerator:\n  - name: a\n    files: [config={name}/config]\n"
        "  - name: b\n    files: [.github/workflows.yaml, .gitignore]\n"),
        "pod.yaml": POD, ".github/workflows.yaml": "a: 1\n", ".gitignore": "x\n"})
    if os.name != "nt" and ":" not in name:
        write(tmp_path, {f"{name}/config": "[remote \"origin\"]\n\turl = https://x-access-token:t@example.com/r\n"})
    got = [(line, m) for line, m in problems(tmp_path, folder=".") if ".git folder" in m]
    assert [line for line, _ in got] == [4], got
