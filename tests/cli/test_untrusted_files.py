"""Special files, huge files and hostile paths: guardlint never hangs on them, never reads them without a
bound and never writes over them or over its own inputs."""

from __future__ import annotations

import contextlib
import io
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from guardlint.api import resolve_settings
from guardlint.cli import main
from guardlint.errors import UsageError

GOOD = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\ndata: {a: b}\n"
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")


HANG_TIMEOUT = float(os.environ.get("GUARDLINT_TEST_HANG_TIMEOUT", "60"))


def run(args: list[str], timeout: float = HANG_TIMEOUT) -> tuple[int, str, str]:
    """Run the CLI in a thread: a hang fails the test instead of blocking the suite."""
    out, err = io.StringIO(), io.StringIO()
    result: list[int] = []
    worker = threading.Thread(target=lambda: result.append(main(args, out=out, err=err)), daemon=True)
    worker.start()
    worker.join(timeout)
    assert result, f"guardlint {' '.join(args)} did not finish in {timeout} s"
    return result[0], out.getvalue(), err.getvalue()


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "good.yaml").write_text(GOOD)
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    while _FIFOS:  # release a reader that old code would leave blocked in open()
        with contextlib.suppress(OSError):
            os.close(os.open(_FIFOS.pop(), os.O_WRONLY | os.O_NONBLOCK))


_FIFOS: list[Path] = []


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    _FIFOS.append(path)
    return path


# ---- reading --------------------------------------------------------------------------------------------

@needs_fifo
def test_a_fifo_in_a_linted_folder_is_skipped_and_listed_with_verbose(work: Path) -> None:
    fifo(work / "deploy" / "pipe.yaml")
    code, out, _ = run(["deploy", "--no-config"])
    assert code == 0 and "pipe.yaml" not in out and "1 file checked (1 object)" in out
    code, out, _ = run(["deploy", "--no-config", "--verbose"])
    assert code == 0
    assert "deploy/pipe.yaml:1: skipped: a FIFO (named pipe), not a regular file: not read" in out


@needs_fifo
def test_a_fifo_named_explicitly_is_refused(work: Path) -> None:
    fifo(work / "pipe.yaml")
    code, out, _ = run(["pipe.yaml", "deploy/good.yaml", "--no-config"])
    assert code == 2
    assert ("pipe.yaml:1:1: error unreadable-file not a regular file but a FIFO (named pipe); guardlint reads "
            "only regular files") in out


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="needs /dev/null")
def test_a_device_named_explicitly_is_refused(work: Path) -> None:
    code, out, _ = run(["/dev/null", "--no-config"])
    assert code == 2 and "not a regular file but a character device" in out


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_extends_dev_zero_is_refused_without_reading(work: Path) -> None:
    (work / ".guardlint.yaml").write_text("extends: /dev/zero\n")
    code, _, err = run(["deploy"])
    assert code == 2
    assert "/dev/zero: cannot read configuration: not a regular file but a character device" in err


@needs_fifo
def test_extends_a_fifo_and_a_fifo_config_are_refused(work: Path) -> None:
    fifo(work / "base.yaml")
    (work / ".guardlint.yaml").write_text("extends: base.yaml\n")
    code, _, err = run(["deploy"])
    assert code == 2 and "base.yaml: cannot read configuration: not a regular file but a FIFO" in err
    code, _, err = run(["deploy", "--config", "base.yaml"])
    assert code == 2 and "not a regular file but a FIFO" in err


def test_a_huge_config_is_refused_from_its_size(work: Path) -> None:
    with open(work / "base.yaml", "wb") as fh:  # sparse: 17 MiB of nothing, never read
        fh.seek(17 * 1024 * 1024)
        fh.write(b"\n")
    (work / ".guardlint.yaml").write_text("extends: base.yaml\n")
    code, _, err = run(["deploy"])
    assert code == 2 and "base.yaml: cannot read configuration: over the 16 MiB limit" in err


@needs_fifo
def test_baselines_and_rule_files_must_be_regular_files(work: Path) -> None:
    fifo(work / "baseline.json")
    code, _, err = run(["deploy", "--no-config", "--baseline", "baseline.json"])
    assert code == 2 and "baseline.json: cannot read baseline: not a regular file but a FIFO" in err
    (work / "rules").mkdir()
    fifo(work / "rules" / "team.yaml")
    (work / ".guardlint.yaml").write_text("rule-dirs: [rules]\n")
    code, _, err = run(["deploy"])
    assert code == 2 and "team.yaml: cannot read declarative rules: not a regular file but a FIFO" in err


def test_a_deeply_nested_baseline_is_an_error_not_a_crash(work: Path) -> None:
    (work / "baseline.json").write_text("[" * 100_000 + "]" * 100_000)
    code, _, err = run(["deploy", "--no-config", "--baseline", "baseline.json"])
    assert code == 2 and "baseline.json: cannot read baseline: JSON nested too deeply" in err
    (work / "baseline.json").write_text('{"version": 1, "findings": [' + "[" * 500 + "]" * 500 + "]}")
    code, _, err = run(["deploy", "--no-config", "--baseline", "baseline.json"])
    assert code == 2 and "malformed baseline entry" in err and len(err) < 300


# ---- limits ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["inf", "nan", "1e400", "-1", "0", "-inf", "1e300", "ten"])
def test_odd_max_file_size_is_a_usage_error(work: Path, value: str) -> None:
    code, out, err = run(["deploy", "--no-config", f"--max-file-size={value}"])
    assert code == 2 and out == ""
    assert ("guardlint: error: --max-file-size: expected a number of megabytes above 0 and at most 1048576, "
            f"got {value!r}") in err


@pytest.mark.parametrize("value", [".inf", ".nan", "-.inf", "1.0e+400"])
def test_odd_max_file_size_in_config_is_a_config_error(work: Path, value: str) -> None:
    (work / ".guardlint.yaml").write_text(f"max-file-size-mb: {value}\n")
    code, out, err = run(["deploy"])
    assert code == 2 and out == "" and "max-file-size-mb" in err and "internal error" not in err


def test_library_max_file_size_is_checked() -> None:
    with pytest.raises(UsageError, match=r"^max_file_size_mb: "):
        resolve_settings(use_config_file=False, max_file_size_mb=float("nan"))
    assert resolve_settings(use_config_file=False, max_file_size_mb=0.5).max_bytes == 524288


def test_a_small_positive_limit_works(work: Path) -> None:
    code, out, _ = run(["deploy", "--no-config", "--max-file-size=0.00001"])  # 10 bytes
    assert code == 2 and "over the 10 bytes limit" in out


# ---- --output -------------------------------------------------------------------------------------------

def test_output_over_an_input_is_refused(work: Path) -> None:
    before = (work / "deploy" / "good.yaml").read_text()
    for target in ("deploy/good.yaml", "./deploy/../deploy/good.yaml", str(work / "deploy" / "good.yaml")):
        code, out, err = run(["deploy", "--no-config", "--output", target])
        assert code == 2 and out == ""
        assert f"guardlint: error: {target}: refusing to write the report over deploy/good.yaml, an input" in err
    os.link(work / "deploy" / "good.yaml", work / "hardlink.json")
    code, _, err = run(["deploy", "--no-config", "-o", "hardlink.json"])
    assert code == 2 and "an input of this run" in err
    assert (work / "deploy" / "good.yaml").read_text() == before


def test_output_over_the_baseline_or_the_config_is_refused(work: Path) -> None:
    (work / "base.json").write_text('{"version": 1, "findings": []}')
    code, _, err = run(["deploy", "--no-config", "--baseline", "base.json", "-o", "base.json"])
    assert code == 2 and "over base.json, an input of this run" in err
    (work / ".guardlint.yaml").write_text("fail-on: error\n")
    code, _, err = run(["deploy", "-o", ".guardlint.yaml"])
    assert code == 2 and "an input of this run" in err
    assert (work / ".guardlint.yaml").read_text() == "fail-on: error\n"


def test_output_over_a_symlink_is_refused(work: Path) -> None:
    (work / "report.txt").write_text("old")
    os.symlink("report.txt", work / "link.txt")
    code, _, err = run(["deploy", "--no-config", "-o", "link.txt"])
    assert code == 2 and "link.txt: refusing to write the report over a symbolic link" in err
    assert os.path.islink(work / "link.txt") and (work / "report.txt").read_text() == "old"


def test_output_through_a_folder_link_out_of_the_repository_is_refused(
        work: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A pull request can commit ``reports -> /elsewhere``: a CI step's ``--output-file sarif:reports/x.sarif``
    (or ``-o``, ``--write-baseline``) would then write outside the repository. Refused like the final name's own
    link; a folder link inside the repository, and a path outside any repository named as such, still work."""
    (work / ".git").mkdir()
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    os.symlink(elsewhere, work / "reports")
    for option in (["-o", "reports/r.json"], ["--output-file", "sarif:reports/r.sarif"],
                   ["--write-baseline", "reports/base.json"]):
        code, _, err = run(["deploy", "--no-config", *option])
        escape = f"through a symbolic link that leads out of the repository {os.path.realpath(work)}"
        assert code == 2 and "refusing to write the " in err and escape in err, err
    assert list(elsewhere.iterdir()) == []
    (work / "inside").mkdir()
    os.symlink("inside", work / "linked")
    assert run(["deploy", "--no-config", "-o", "linked/r.json"])[0] == 0
    assert run(["deploy", "--no-config", "-o", str(elsewhere / "r.json")])[0] == 0
    assert sorted(p.name for p in (work / "inside").iterdir()) == ["r.json"]
    assert sorted(p.name for p in elsewhere.iterdir()) == ["r.json"]


def test_a_file_named_like_an_option_is_refused(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pre-commit appends the changed files' names to the hook's command line as they are, so a pull request's
    file ``--policy=mine.yaml`` at the top of the repository was read as ``--policy mine.yaml`` when CI ran the
    hooks: its empty policy replaced the job's ``GUARDLINT_POLICY`` and a locked rule's finding passed (exit 0).
    Refused now, whichever was meant; after ``--`` it is a path."""
    (work / ".git").mkdir()
    (work / "deploy" / "bad.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec:\n  containers:\n    - name: c\n"
        "      image: busybox:1.36\n      securityContext: {privileged: true}\n")
    (work / ".guardlint.yaml").write_text("ignore: [privileged-container]\n")
    (work / "mine.yaml").write_text("locked: []\n")
    (work / "--policy=mine.yaml").write_text("")
    (work / "-o.yaml").write_text("")
    policy = work.parent / f"{work.name}-policy.yaml"
    policy.write_text("locked: [privileged-container]\n")
    monkeypatch.setenv("GUARDLINT_POLICY", str(policy))
    hook = ["check", "--partial", "--allow-no-objects", "--select", "privileged-container"]
    code, out, err = run([*hook, "deploy/bad.yaml", "--policy=mine.yaml"])
    assert (code, out) == (2, ""), out
    assert "'--policy=mine.yaml' is an option and also the name of a file or folder in the working folder" in err
    code, _, err = run([*hook, "deploy/bad.yaml", "-o.yaml"])
    assert code == 2 and "'-o.yaml' is an option and also the name" in err
    assert (work / "-o.yaml").read_text() == ""
    # After '--' the name is a path, and the job's policy stands.
    code, out, err = run([*hook, "--format", "concise", "--", "deploy/bad.yaml", "--policy=mine.yaml"])
    assert code == 1 and "deploy/bad.yaml:8:25: SEC003" in out, out + err
    # An option word that names nothing is read as before.
    (work / "--policy=mine.yaml").unlink()
    code, out, err = run([*hook, "--format", "concise", "deploy/bad.yaml", "--policy=mine.yaml"])
    assert code == 0 and "SEC003" not in out, out + err


@needs_fifo
def test_output_over_a_fifo_a_device_or_a_directory_is_refused(work: Path) -> None:
    fifo(work / "out.fifo")
    code, _, err = run(["deploy", "--no-config", "-o", "out.fifo"])
    assert code == 2 and "it is a FIFO (named pipe), not a regular file or a new path" in err
    assert stat.S_ISFIFO(os.lstat(work / "out.fifo").st_mode)
    code, _, err = run(["deploy", "--no-config", "-o", "deploy"])
    assert code == 2 and "it is a directory" in err
    if os.path.exists("/dev/null"):
        code, _, err = run(["deploy", "--no-config", "-o", "/dev/null"])
        assert code == 2 and "it is a character device" in err and "--quiet" in err
        assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


@needs_fifo
def test_write_baseline_over_a_fifo_is_refused(work: Path) -> None:
    fifo(work / "b.json")
    code, _, err = run(["deploy", "--no-config", "--write-baseline", "b.json"])
    assert code == 2 and "refusing to write the baseline" in err


def test_output_to_a_new_path_or_a_regular_file_works(work: Path) -> None:
    code, _, _ = run(["deploy", "--no-config", "-o", "new.txt"])
    assert code == 0 and "No problems found" in (work / "new.txt").read_text()
    code, _, _ = run(["deploy", "--no-config", "-o", "new.txt", "-f", "json"])
    assert code == 0 and (work / "new.txt").read_text().startswith("{")


def test_standard_input_is_read_up_to_the_limit(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Stdin:
        def __init__(self, data: bytes) -> None:
            self.buffer = io.BytesIO(data)

        def isatty(self) -> bool:
            return False

    stream = Stdin(b"# padding\n" * 100_000)  # 1 MB, against a 10 KiB limit
    monkeypatch.setattr("sys.stdin", stream)
    code, out, _ = run(["-", "--no-config", "--max-file-size", str(10 / 1024)])
    assert code == 2 and "-:1:1: error file-too-large file is over the 10 KiB limit" in out
    assert stream.buffer.tell() == 10 * 1024 + 1


@needs_fifo
def test_a_fifo_named_like_the_configuration_is_an_error_not_skipped(work: Path) -> None:
    (work / ".guardlint.yaml").write_text("fail-on: never\n")  # a parent's configuration ...
    (work / "deploy" / "sub").mkdir()
    fifo(work / "deploy" / "sub" / ".guardlint.yaml")  # ... must not stand in for this one
    os.chdir(work / "deploy" / "sub")
    code, _, err = run(["../good.yaml"])
    assert code == 2 and ".guardlint.yaml: cannot read configuration: not a regular file but a FIFO" in err
