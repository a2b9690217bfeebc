"""Messages a user reads: the summary line, input errors, colour, GitHub annotations from stdin."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from guardlint.cli import main

POD = """apiVersion: v1
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
CLEAN = POD.replace("      securityContext:\n        privileged: true\n", "")


class _Stdin(io.TextIOWrapper):
    def __init__(self, data: bytes, tty: bool) -> None:
        super().__init__(io.BytesIO(data), encoding="utf-8")
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def run(args: list[str], stdin: bytes | None = None, tty: bool = False,
        monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    if monkeypatch is not None:
        monkeypatch.setattr(sys, "stdin", _Stdin(stdin or b"", tty))
    out, err = io.StringIO(), io.StringIO()
    code = main(args, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    (tmp_path / "bad.yaml").write_text(POD)
    (tmp_path / "good.yaml").write_text(CLEAN)
    (tmp_path / "broken.yaml").write_text("apiVersion: v1\nkind: [Pod\n")
    return tmp_path


@pytest.mark.parametrize("tty", [True, False], ids=["terminal", "no-terminal"])
def test_no_paths_is_an_error_with_or_without_a_terminal(files: Path, tty: bool,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run([], stdin=POD.encode(), tty=tty, monkeypatch=monkeypatch)
    assert (code, out) == (2, "")
    assert err == ("guardlint: error: no paths given: name files or folders to lint, or '-' to read standard "
                   "input\n")
    assert run(["check"], stdin=POD.encode(), tty=tty, monkeypatch=monkeypatch)[0] == 2
    # '-' still reads standard input.
    assert run(["-", "--no-config"], stdin=POD.encode(), tty=tty, monkeypatch=monkeypatch)[0] == 1


def test_summary_says_files_checked_and_files_with_findings(files: Path) -> None:
    code, out, _ = run(["--no-config", "bad.yaml", "good.yaml", "--select", "privileged-container"])
    assert code == 1
    assert out.rstrip().endswith("Found 1 problem (1 error) in 1 of 2 files checked (2 objects).")
    assert run(["--no-config", "good.yaml", "--select", "privileged-container"])[1].rstrip().endswith(
        "No problems found in 1 file checked (1 object).")


def test_no_problems_found_is_never_printed_next_to_an_input_error(files: Path) -> None:
    code, out, _ = run(["--no-config", "good.yaml", "broken.yaml", "--select", "privileged-container"])
    assert code == 2
    assert "No problems found" not in out
    assert out.rstrip().endswith("1 input could not be read or parsed; no findings in the 2 files checked "
                                 "(1 object).")


def test_allow_input_errors_lets_the_findings_decide(files: Path) -> None:
    args = ["--no-config", "good.yaml", "broken.yaml", "--select", "privileged-container"]
    assert run(args)[0] == 2
    code, out, _ = run([*args, "--allow-input-errors"])
    assert code == 0 and "broken.yaml:3:1: error yaml-syntax-error" in out
    with_findings = ["--no-config", "good.yaml", "broken.yaml", "bad.yaml", "--select", "privileged-container"]
    assert run([*with_findings, "--allow-input-errors"])[0] == 1
    assert run([*with_findings, "--allow-input-errors", "--fail-on", "never"])[0] == 0


@pytest.mark.parametrize("name", ["yaml-syntax-error", "GL001", "unrendered-template", "file-too-large"])
def test_input_errors_are_explained_like_rules(name: str) -> None:
    code, out, _ = run(["explain", name])
    assert code == 0
    assert out.startswith("# ") and "## How to fix" in out and "--allow-input-errors" in out


def test_too_large_hint_names_a_config_key_that_exists(files: Path) -> None:
    (files / "big.yaml").write_text(POD + "#" * 2_000_000 + "\n")
    code, out, _ = run(["--no-config", "big.yaml", "--max-file-size", "1"])
    assert code == 2 and "raise 'max-file-size-mb' in .guardlint.yaml" in out
    (files / ".guardlint.yaml").write_text("max-file-size-mb: 3\n")
    assert run(["config", "validate"])[0] == 0
    assert run(["big.yaml", "--select", "privileged-container"])[0] == 1  # the key really raises the limit


@pytest.mark.parametrize(
    ("env", "colored"),
    [({"FORCE_COLOR": "1"}, True), ({"FORCE_COLOR": "true"}, True), ({"FORCE_COLOR": "0"}, False),
     ({"FORCE_COLOR": ""}, False), ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, False), ({}, False)],
    ids=["force", "force-true", "force-0", "force-empty", "no-color-wins", "no-terminal"],
)
def test_force_color_and_no_color(files: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
                                  colored: bool) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    out = run(["--no-config", "bad.yaml", "--select", "privileged-container"])[1]
    assert ("\033[" in out) is colored
    assert "\033[" not in run(["--no-config", "bad.yaml", "--select", "privileged-container", "--color",
                               "never"])[1]


def test_github_format_from_stdin_uses_the_stdin_filename(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["-", "--no-config", "--format", "github", "--select", "privileged-container"]
    code, out, err = run([*args, "--stdin-filename", "deploy/web.yaml"], stdin=POD.encode(), monkeypatch=monkeypatch)
    assert code == 1 and out.startswith("::error file=deploy/web.yaml,line=11,col=9,") and err == ""
    code, out, err = run(args, stdin=POD.encode(), monkeypatch=monkeypatch)
    assert code == 1 and out.startswith("::error file=-,")
    assert "GitHub annotations need a file name: give --stdin-filename PATH" in err


def test_stdin_filename_without_stdin_is_a_usage_error(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A name for standard input when '-' is not among the paths used to be dropped silently.
    code, out, err = run(["bad.yaml", "--no-config", "--stdin-filename", "deploy/web.yaml"], monkeypatch=monkeypatch)
    assert code == 2 and out == ""
    assert "--stdin-filename 'deploy/web.yaml' names standard input, which is not among the paths" in err
    code, out, err = run(["-", "--no-config", "--stdin-filename", " "], stdin=POD.encode(), monkeypatch=monkeypatch)
    assert code == 2 and "--stdin-filename is empty" in err


def test_rules_table_shows_which_rules_are_fixable() -> None:
    code, out, _ = run(["rules"])
    assert code == 0
    header = out.splitlines()[0].split()
    assert header[:5] == ["CODE", "NAME", "SEVERITY", "DEFAULT", "FIX"]
    fix_rows = {line.split()[1]: line.split()[4] for line in out.splitlines()[1:]
                if line.split()[4:5] in (["safe"], ["unsafe"], ["mixed"])}
    assert fix_rows["privilege-escalation-allowed"] == "unsafe"
    assert fix_rows["gpu-request-limit-mismatch"] == "safe"
    assert "default-service-account" not in fix_rows


def test_help_documents_the_input_error_switch() -> None:
    out = io.StringIO()
    with pytest.raises(SystemExit):
        import contextlib

        with contextlib.redirect_stdout(out):
            from guardlint.cli import _parser

            _parser().parse_args(["check", "--help"])
    text = " ".join(out.getvalue().split())
    assert "--allow-input-errors" in text and "unless --allow-input-errors" in text
