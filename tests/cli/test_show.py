"""--show-files: what a run would read and what it passes over, with the reason."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from guardlint.cli import main

POD = """apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers: [{name: web, image: "nginx:1.27"}]
"""


def run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(args, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("deploy/a.yaml", "deploy/b.yml", "deploy/nested/c.json", "vendor/v.yaml", ".git/x.yaml",
                 "charts/web/templates/pod.yaml", "build/gen.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(POD if not name.endswith(".json") else json.dumps({"apiVersion": "v1",
                                     "kind": "ConfigMap", "metadata": {"name": "c"}}))
    (tmp_path / "deploy/notes.txt").write_text("hello\n")
    (tmp_path / "charts/web/Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 0.1.0\n")
    (tmp_path / ".guardlint.yaml").write_text("exclude: [vendor, 'build/*.yaml']\n")
    return tmp_path


def _lines(out: str, tag: str) -> dict[str, str]:
    found = {}
    for line in out.splitlines():
        if line.startswith(tag + "  "):
            name, _, why = line[len(tag) + 2:].partition("  (")
            found[name] = why.rstrip(")")
    return found


def test_show_files_lists_what_is_linted_and_why_others_are_not(tree: Path) -> None:
    code, out, err = run(["deploy", "vendor/v.yaml", "build", "--show-files"])
    assert (code, err) == (0, "")
    assert set(_lines(out, "lint")) == {"deploy/a.yaml", "deploy/b.yml", "deploy/nested/c.json"}
    skipped = _lines(out, "skip")
    assert "not a manifest" in skipped["deploy/notes.txt"]
    assert "named on the command line but matches the exclude pattern 'vendor'" in skipped["vendor/v.yaml"]
    assert "exclude pattern 'build/*.yaml'" in skipped["build/gen.yaml"]
    assert skipped["vendor/v.yaml"].endswith(".guardlint.yaml")
    assert out.splitlines()[-1] == "3 files to lint, 3 passed over."


def test_show_files_agrees_with_the_run(tree: Path) -> None:
    from guardlint.api import resolve_settings
    from guardlint.api import run as lint

    _, shown, _ = run(["deploy", "build", "vendor/v.yaml", "--show-files"])
    report = lint(["deploy", "build", "vendor/v.yaml"], resolve_settings())
    assert set(_lines(shown, "lint")) == set(report.files)


def test_show_files_folders_charts_and_missing_paths(tree: Path) -> None:
    code, out, _ = run([".", "missing.yaml", "--show-files"])
    assert code == 0
    linted = _lines(out, "lint")
    assert linted["charts/web/templates/pod.yaml"] == "rendered with the Helm chart charts/web"
    skipped = _lines(out, "skip")
    assert skipped[".git/"] == "a version-control, cache or tool folder"
    assert skipped["vendor/"].startswith("matches the exclude pattern 'vendor'")
    assert "error missing.yaml  (no such file or directory)" in out.splitlines()
    code, out, _ = run([".", "--show-files", "--no-render"])
    assert "not rendered" in _lines(out, "lint")["charts/web/templates/pod.yaml"]


def test_show_files_reads_nothing(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import guardlint.api

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("linted")

    monkeypatch.setattr(guardlint.api, "run", fail)
    (tree / "deploy/a.yaml").write_text("a: [\n")  # a broken file is listed, not parsed
    code, out, _ = run(["deploy", "--show-files"])
    assert code == 0 and "lint  deploy/a.yaml" in out


def test_show_files_escapes_names(tree: Path) -> None:
    (tree / "deploy/x\x1b[2J.yaml").write_text(POD)
    _, out, _ = run(["deploy", "--show-files"])
    assert "\x1b" not in out and "deploy/x\\x1b[2J.yaml" in out


def _settings(out: str) -> dict[str, tuple[str, str]]:
    rows = {}
    for line in out.splitlines():
        if line.startswith((" ", "rules:")):
            continue
        name, _, rest = line.partition(" ")
        value, _, origin = rest.strip().partition("  # ")
        rows[name] = (value, origin)
    return rows


def test_show_settings_names_where_each_value_comes_from(tree: Path) -> None:
    (tree / "base.yaml").write_text("ignore: [RES001]\nkubernetes-version: '1.29'\n")
    (tree / ".guardlint.yaml").write_text(
        "extends: base.yaml\nfail-on: warning\nexclude: [vendor]\nkubernetes-version: '1.30'\n"
        "rules:\n  privileged-container:\n    severity: warning\n")
    code, out, err = run(["--show-settings", "--ignore", "RES002", "--max-file-size", "5"])
    assert (code, err) == (0, "")
    rows = _settings(out)
    assert rows["fail-on"] == ('"warning"', ".guardlint.yaml:2:10")
    assert rows["kubernetes-version"] == ('"1.30"', "base.yaml:2:21, .guardlint.yaml:4:21")
    assert rows["ignore"] == ('["RES001", "RES002"]', "command line (--ignore) and base.yaml:1:9")
    assert rows["max-file-size-mb"] == ("5.0", "command line (--max-file-size)")
    assert rows["render"] == ("true", "default")
    assert rows["exclude"] == ('["vendor"]', ".guardlint.yaml:3:10")
    rules = [line for line in out.splitlines() if line.startswith("  ")]
    assert out.count("\n  ") == len(rules) and f"rules: {len(rules)} run" in out
    (priv,) = [line for line in rules if line.split()[2] == "privileged-container"]
    assert priv.split()[1] == "warning" and "severity from .guardlint.yaml:7:15" in priv
    assert not any(line.split()[0] in ("RES001", "RES002") for line in rules)


def test_show_settings_without_configuration(tree: Path) -> None:
    code, out, _ = run(["--show-settings", "--no-config", "--fail-on", "never", "--kubernetes-version", "1.28"])
    assert code == 0
    rows = _settings(out)
    assert rows["configuration"] == ("null", "--no-config")
    assert rows["fail-on"] == ('"never"', "command line (--fail-on)")
    assert rows["kubernetes-version"] == ('"1.28"', "command line (--kubernetes-version)")
    assert rows["exclude"] == ("[]", "default")


def test_show_settings_refuses_a_bad_configuration(tree: Path) -> None:
    (tree / ".guardlint.yaml").write_text("fail-on: sometimes\n")
    code, out, err = run(["--show-settings"])
    assert code == 2 and out == "" and ".guardlint.yaml" in err
