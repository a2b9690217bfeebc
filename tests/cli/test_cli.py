"""The command line: exit codes, formats, output files, stdin and the informational subcommands."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from guardlint.cli import main

PRIVILEGED = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:1.27
      resources: {limits: {memory: 64Mi}}
      securityContext:
        privileged: true
"""
CLEAN = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:1.27
      resources: {limits: {memory: 64Mi}}
"""
WARNING_ONLY = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:1.27
"""


def run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([*args], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.yaml").write_text(PRIVILEGED)
    (tmp_path / "good.yaml").write_text(CLEAN)
    (tmp_path / "warn.yaml").write_text(WARNING_ONLY)
    (tmp_path / "values.yaml").write_text("replicaCount: 2\nimage: {tag: x}\n")
    return tmp_path


def test_findings_exit_1_with_located_text(files: Path) -> None:
    code, out, err = run(["check", "bad.yaml", "--no-config", "--select", "privileged-container"])
    assert code == 1
    assert "bad.yaml:11:9: error privileged-container container 'web' sets" in out
    assert "help: Remove securityContext.privileged" in out
    assert out.rstrip().endswith("Found 1 problem (1 error) in 1 of 1 file checked (1 object).")
    assert not err


def test_plain_guardlint_paths_is_check(files: Path) -> None:
    assert run(["bad.yaml", "--no-config"])[0] == 1
    assert run(["good.yaml", "--no-config"])[0] == 0


def test_fail_on_threshold(files: Path) -> None:
    assert run(["warn.yaml", "--no-config"])[0] == 0
    assert run(["warn.yaml", "--no-config", "--fail-on", "warning"])[0] == 1
    assert run(["bad.yaml", "--no-config", "--fail-on", "never"])[0] == 0


def test_no_kubernetes_objects_is_exit_2_unless_allowed(files: Path) -> None:
    code, out, _ = run(["values.yaml", "--no-config"])
    assert code == 2 and "no Kubernetes objects found" in out
    assert run(["values.yaml", "--no-config", "--allow-no-objects"])[0] == 0
    code, out, _ = run(["values.yaml", "--no-config", "-v"])
    assert "values.yaml:1: skipped: no apiVersion or kind" in out


def test_directory_is_recursive_and_sorted(files: Path) -> None:
    (files / "sub").mkdir()
    (files / "sub" / "more.yml").write_text(PRIVILEGED)
    (files / ".git").mkdir()
    (files / ".git" / "hidden.yaml").write_text(PRIVILEGED)
    select = ["--select", "privileged-container,missing-memory-limit"]
    code, out, _ = run([".", "--no-config", "--format", "json", *select])
    data = json.loads(out)
    assert code == 1
    assert sorted({f["file"] for f in data["findings"]}) == ["bad.yaml", "sub/more.yml", "warn.yaml"]


def test_stdin(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeStdin(io.StringIO):
        def __init__(self, text: str) -> None:
            super().__init__(text)
            self.buffer = io.BytesIO(text.encode())

    monkeypatch.setattr("sys.stdin", FakeStdin(PRIVILEGED))
    code, out, _ = run(["-", "--no-config", "--stdin-filename", "rendered.yaml"])
    assert code == 1 and "rendered.yaml:11:9:" in out


def test_output_file_and_formats(files: Path) -> None:
    for fmt in ("json", "sarif", "junit", "github", "text"):
        target = files / f"report.{fmt}"
        code, out, _ = run(["bad.yaml", "--no-config", "--format", fmt, "--output", str(target)])
        assert code == 1 and out == ""
        assert target.read_text().strip()


def test_select_ignore_and_unknown_selector(files: Path) -> None:
    code, out, _ = run(["bad.yaml", "--no-config", "--ignore", "privileged-container"])
    assert code == 0 and "privileged-container" not in out
    code, _, err = run(["bad.yaml", "--no-config", "--select", "privileged-contaner"])
    assert code == 2 and "did you mean 'privileged-container'" in err
    code, out, _ = run(["bad.yaml", "--no-config", "--select", "SEC"])
    assert code == 1 and "missing-memory-limit" not in out


def test_usage_error_exit_2(files: Path) -> None:
    assert run(["check", "--fail-on", "sometimes"])[0] == 2
    code, out, _ = run(["nope.yaml", "--no-config"])
    assert code == 2 and "nope.yaml:1:1: error path-not-found" in out
    assert run(["check", "bad.yaml", "--kubernetes-version", "2.1"])[0] == 2


def test_write_and_use_baseline(files: Path) -> None:
    only = ["--no-config", "--select", "privileged-container"]
    code, _, _ = run(["bad.yaml", *only, "--write-baseline", "base.json"])
    assert code == 0
    assert run(["bad.yaml", *only, "--baseline", "base.json"])[0] == 0
    (files / "bad.yaml").write_text("# a new comment line\n" + PRIVILEGED)
    code, out, _ = run(["bad.yaml", *only, "--baseline", "base.json"])
    assert code == 0 and "1 in the baseline" in out
    (files / "bad2.yaml").write_text(PRIVILEGED)
    assert run(["bad.yaml", "bad2.yaml", *only, "--baseline", "base.json"])[0] == 1
    # Refreshing a baseline in place keeps the findings it already held.
    assert run(["bad.yaml", *only, "--baseline", "base.json", "--write-baseline", "base.json"])[0] == 0
    code, out, _ = run(["bad.yaml", *only, "--baseline", "base.json"])
    assert code == 0 and "1 in the baseline" in out


def test_rules_explain_and_docs(files: Path) -> None:
    code, out, _ = run(["rules"])
    assert code == 0 and "privileged-container" in out
    code, out, _ = run(["rules", "--format", "json"])
    rules = json.loads(out)
    assert {"code", "name", "parameters", "documentation"} <= set(rules[0])
    code, out, _ = run(["explain", "SEC003"])
    assert code == 0 and out.startswith("# privileged-container (SEC003)")
    code, _, err = run(["explain", "privileged"])
    assert code == 2 and "did you mean" in err
    code, out, _ = run(["docs", "--out", "docs-out"])
    assert code == 0
    assert run(["docs", "--out", "docs-out", "--check"])[0] == 0
    (files / "docs-out" / "privileged-container.md").write_text("stale")
    code, _, err = run(["docs", "--out", "docs-out", "--check"])
    assert code == 1 and "privileged-container.md (out of date)" in err


def test_internal_error_has_no_traceback(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr("guardlint.api.run", boom)
    code, out, err = run(["bad.yaml", "--no-config"])
    assert code == 3
    assert "internal error: RuntimeError: kaboom" in err
    assert "Traceback" not in err + out


def test_version_and_help() -> None:
    out = io.StringIO()
    with pytest.raises(SystemExit):
        pass_through = main(["--version"], out=out)
        raise SystemExit(pass_through)


def test_unwritable_output_is_a_usage_error(files: Path) -> None:
    code, _, err = run(["bad.yaml", "--no-config", "--output", "no-such-dir/report.json"])
    assert code == 2
    assert "no-such-dir/report.json: cannot write the report" in err and "internal error" not in err
