"""Bad input through the command line: every case ends with a located error (text and JSON), exit code 2,
no traceback, and the other inputs of the run still linted (``good.yaml`` and its known finding)."""

from __future__ import annotations

import builtins
import io
import json
import os
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from guardlint.api import lint_paths
from guardlint.cli import main

GOOD = """apiVersion: v1
kind: Pod
metadata:
  name: good
spec:
  containers:
    - name: app
      image: nginx:1.27
      securityContext:
        privileged: true
"""
GOOD_FINDING = "good.yaml:10:9: error privileged-container"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    return tmp_path


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([*args, "--no-config", "--select", "privileged-container", "--color", "never"], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def assert_located_error(name: str, kind: str, line: int, column: int, *extra: str) -> str:
    """Run ``name`` next to good.yaml in text and JSON; return the error message."""
    code, out, err = cli(name, "good.yaml", *extra)
    assert code == 2, out + err
    assert "Traceback" not in out + err and not err
    assert f"{name}:{line}:{column}: error {kind} " in out
    assert GOOD_FINDING in out

    code, out, err = cli(name, "good.yaml", "--format", "json", *extra)
    assert code == 2
    assert "Traceback" not in out + err
    report = json.loads(out)
    assert [(e["kind"], e["file"], e["line"], e["column"]) for e in report["errors"]] == [(kind, name, line, column)]
    assert [(f["rule"], f["file"], f["line"], f["column"]) for f in report["findings"]] == [
        ("privileged-container", "good.yaml", 10, 9)
    ]
    message: str = report["errors"][0]["message"]
    return message


# --- malformed text ------------------------------------------------------------------------------------


def test_malformed_yaml(workdir: Path) -> None:
    (workdir / "bad.yaml").write_text("apiVersion: v1\nkind: ConfigMap\ndata: {a: 1\nb: 2\n", encoding="utf-8")
    message = assert_located_error("bad.yaml", "yaml-syntax-error", 4, 2)
    assert "while parsing a flow mapping" in message
    report = lint_paths(["bad.yaml", "good.yaml"], use_config_file=False, select=["privileged-container"])
    assert [(e.kind.slug, e.file, e.line, e.column) for e in report.errors] == [("yaml-syntax-error", "bad.yaml", 4, 2)]
    assert [(f.file, f.line) for f in report.findings] == [("good.yaml", 10)]


def test_unclosed_quote(workdir: Path) -> None:
    (workdir / "quote.yaml").write_text('apiVersion: v1\nkind: Pod\nmetadata:\n  name: "x\n', encoding="utf-8")
    message = assert_located_error("quote.yaml", "yaml-syntax-error", 5, 1)
    assert "quoted scalar" in message


def test_alias_bomb_is_refused_in_bounded_time_and_memory(workdir: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    (workdir / "bomb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.perf_counter()
    code, out, _ = cli("bomb.yaml", "good.yaml")
    elapsed = time.perf_counter() - started
    assert code == 2
    assert elapsed < 60, f"took {elapsed:.1f}s"  # 9^9 = 387 million values would take hours (1 s unloaded)
    assert "bomb.yaml:1:1: error alias-expansion-limit " in out
    tracemalloc.start()
    try:
        cli("bomb.yaml", "good.yaml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100 * 1024 * 1024, f"peak {peak / 1048576:.0f} MiB"  # expanded, it would be gigabytes
    message = assert_located_error("bomb.yaml", "alias-expansion-limit", 1, 1)
    assert "alias bomb" in message


def _flow(levels: int) -> str:
    return "[" * levels + "]" * levels + "\n"


def _dashes(levels: int) -> str:
    return "- " * levels + "x\n"


def _keys(levels: int) -> str:
    return "? " * levels + "x\n"


@pytest.mark.parametrize(
    ("make", "levels", "where"),
    [
        (_flow, 10_000, (1, 1001)),  # libyaml stops scanning at 1000 flow levels: the error is where it stopped
        (_flow, 100_000, (1, 1001)),
        (_dashes, 10_000, (1, 1001)),  # block sequences: the 501st level, each "- " two columns in
        (_dashes, 100_000, (1, 1001)),
        (_keys, 10_000, (1, 1001)),
        (_keys, 100_000, (1, 1001)),
    ],
    ids=["flow-10k", "flow-100k", "block-sequence-10k", "block-sequence-100k", "block-key-10k",
         "block-key-100k"],
)
def test_deep_nesting(workdir: Path, make: Any, levels: int, where: tuple[int, int]) -> None:
    (workdir / "deep.yaml").write_text(make(levels), encoding="utf-8")
    started = time.perf_counter()
    message = assert_located_error("deep.yaml", "nesting-too-deep", *where)
    assert time.perf_counter() - started < 60  # a hang guard, far above the time on a loaded machine
    assert "deeper than 500 levels" in message


def test_deep_block_indentation(workdir: Path) -> None:
    # 10,000 levels of indented block mappings: ~50 MB, so the size limit is raised for it.
    with open(workdir / "indent.yaml", "w", encoding="utf-8") as fh:
        for i in range(10_000):
            fh.write(" " * i + f"k{i}:\n")
        fh.write(" " * 10_000 + "x\n")
    code, out, err = cli("indent.yaml", "good.yaml")
    assert code == 2 and "indent.yaml:1:1: error file-too-large " in out and GOOD_FINDING in out and not err
    message = assert_located_error("indent.yaml", "nesting-too-deep", 501, 501, "--max-file-size", "100")
    assert "deeper than 500 levels" in message


def test_fifty_megabyte_file_is_too_large_and_never_read(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = workdir / "big.yaml"
    with open(big, "wb") as fh:  # sparse: seek and write one byte
        fh.seek(50 * 1024 * 1024 - 1)
        fh.write(b"\n")
    opened: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def recording_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, (str, os.PathLike)) and os.path.basename(os.fspath(file)) == "big.yaml":
            opened.append(os.fspath(file))
        return real_open(file, *args, **kwargs)

    def recording_os_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, (str, os.PathLike)) and os.path.basename(os.fspath(file)) == "big.yaml":
            opened.append(os.fspath(file))
        return real_os_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", recording_open)
    monkeypatch.setattr(os, "open", recording_os_open)
    message = assert_located_error("big.yaml", "file-too-large", 1, 1)
    assert opened == []
    assert message == "file is 50.0 MiB, over the 20 MiB limit"
    code, out, _ = cli("big.yaml", "good.yaml")
    assert code == 2 and "help: raise 'max-file-size-mb' in .guardlint.yaml (or pass --max-file-size MB)" in out


def test_bytes_that_are_not_utf8(workdir: Path) -> None:
    (workdir / "latin1.yaml").write_bytes(b"apiVersion: v1\nkind: ConfigMap\ndata:\n  city: Z\xfcrich\n")
    message = assert_located_error("latin1.yaml", "invalid-encoding", 4, 10)
    assert message.startswith("byte 0xfc at offset 46 is not valid UTF-8")


def test_bytes_that_are_not_utf8_after_a_bom(workdir: Path) -> None:
    (workdir / "bom.yaml").write_bytes(b"\xef\xbb\xbfa: \xc3\xa9\n\xff\n")
    message = assert_located_error("bom.yaml", "invalid-encoding", 2, 1)
    assert message.startswith("byte 0xff at offset 9 ")


def test_binary_file(workdir: Path) -> None:
    (workdir / "logo.yaml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)))
    message = assert_located_error("logo.yaml", "binary-file", 1, 1)
    assert "binary" in message


def test_nul_after_the_first_block_is_located(workdir: Path) -> None:
    (workdir / "late.yaml").write_bytes(b"a: 1\n" + b"# padding\n" * 1000 + b"b: x\x00y\n")
    assert_located_error("late.yaml", "binary-file", 1002, 5)


def test_control_characters_are_a_located_yaml_error(workdir: Path) -> None:
    (workdir / "ctl.yaml").write_bytes("a: é😀\nb: x\x07y\n".encode())
    message = assert_located_error("ctl.yaml", "yaml-syntax-error", 2, 5)
    assert message == "character U+0007 is not allowed in YAML (a control or non-printable character)"


# --- empty input ---------------------------------------------------------------------------------------


def test_empty_file_is_no_error(workdir: Path) -> None:
    (workdir / "empty.yaml").write_bytes(b"")
    code, out, err = cli("empty.yaml", "good.yaml")
    assert code == 1  # the finding in good.yaml, nothing else
    assert "empty.yaml" not in out and GOOD_FINDING in out and not err


@pytest.mark.parametrize("content", [b"", b"\n\n", b"# only a comment\n", b"---\n...\n"],
                         ids=["empty", "blank", "comment", "markers"])
def test_only_an_empty_file_exits_2_unless_allowed(workdir: Path, content: bytes) -> None:
    (workdir / "empty.yaml").write_bytes(content)
    code, out, err = cli("empty.yaml")
    assert code == 2
    assert "no Kubernetes objects found" in out and "Traceback" not in out + err
    code, out, _ = cli("empty.yaml", "--allow-no-objects")
    assert code == 0
    code, out, _ = cli("empty.yaml", "--format", "json")
    assert code == 2 and json.loads(out)["errors"] == []


# --- files that cannot be read -------------------------------------------------------------------------


def test_directory_symlink_loop_terminates(workdir: Path) -> None:
    tree = workdir / "manifests"
    (tree / "sub").mkdir(parents=True)
    (workdir / "good.yaml").rename(tree / "good.yaml")
    os.symlink("..", tree / "sub" / "up")
    os.symlink(".", tree / "sub" / "self")
    code, out, err = cli("manifests")
    assert code == 1, out + err
    assert out.count("error privileged-container") == 1
    assert "manifests/good.yaml:10:9: error privileged-container" in out


def test_symlink_to_a_directory_inside_the_tree_does_not_hide_the_real_one(workdir: Path) -> None:
    tree = workdir / "manifests"
    (tree / "real").mkdir(parents=True)
    (workdir / "good.yaml").rename(tree / "real" / "good.yaml")
    os.symlink("real", tree / "alias")  # sorts before "real"
    code, out, _ = cli("manifests")
    assert code == 1
    assert out.count("error privileged-container") == 1
    assert "manifests/real/good.yaml:10:9:" in out


def test_symlink_to_a_directory_outside_the_working_directory_is_passed_over(workdir: Path,
                                                                            tmp_path_factory: Any) -> None:
    """Outside any git checkout, a walk stays in the working directory: a link out of it is not followed
    (listed by --verbose), unless named on the command line."""
    outside = tmp_path_factory.mktemp("outside")
    (workdir / "good.yaml").rename(outside / "good.yaml")
    (workdir / "manifests").mkdir()
    os.symlink(outside, workdir / "manifests" / "shared")
    code, out, err = cli("manifests", "--verbose", "--allow-no-objects")
    assert code == 0 and "privileged-container" not in out
    assert "manifests/shared/:1: skipped: a symbolic link to a folder outside the repository" in out + err
    code, out, _ = cli("manifests/shared")
    assert code == 1 and "manifests/shared/good.yaml:10:9: error privileged-container" in out


def test_a_file_named_several_ways_is_linted_once(workdir: Path) -> None:
    (workdir / "d").mkdir()
    (workdir / "good.yaml").rename(workdir / "d" / "good.yaml")
    code, out, _ = cli("d", "./d", "d/good.yaml", "./d/../d/good.yaml")
    assert code == 1
    assert out.count("error privileged-container") == 1
    assert "in 1 of 1 file checked (1 object)" in out


def test_file_symlink_loop_is_an_unreadable_file(workdir: Path) -> None:
    os.symlink("b.yaml", workdir / "a.yaml")
    os.symlink("a.yaml", workdir / "b.yaml")
    message = assert_located_error("a.yaml", "unreadable-file", 1, 1)
    assert "symbolic links" in message


def test_unreadable_file(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (workdir / "secret.yaml").write_text(GOOD.replace("good", "secret"), encoding="utf-8")
    os.chmod(workdir / "secret.yaml", 0)
    real_open = os.open

    def denying_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        # chmod 000 does not stop root (CI), so deny the read the way the OS would for anyone else.
        if isinstance(file, (str, os.PathLike)) and os.path.basename(os.fspath(file)) == "secret.yaml":
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", denying_open)
    message = assert_located_error("secret.yaml", "unreadable-file", 1, 1)
    assert message == "Permission denied"


def test_missing_path(workdir: Path) -> None:
    assert_located_error("nope.yaml", "path-not-found", 1, 1)


# --- templates -----------------------------------------------------------------------------------------


def test_unrendered_helm_template(workdir: Path) -> None:
    (workdir / "deployment.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"app.fullname\" . }}\n"
        "  labels:\n    {{- include \"app.labels\" . | nindent 4 }}\nspec:\n"
        "  replicas: {{ .Values.replicaCount }}\n",
        encoding="utf-8",
    )
    message = assert_located_error("deployment.yaml", "unrendered-template", 4, 9)
    assert "render it first" in message
    code, out, _ = cli("deployment.yaml", "good.yaml")
    assert code == 2 and "yaml-syntax-error" not in out
    assert "help: run 'helm template" in out
    assert out.count("deployment.yaml:") == 1  # one clear error, not one per action


def test_argo_and_prometheus_templates_are_not_helm(workdir: Path) -> None:
    (workdir / "pod.yaml").write_text(
        GOOD.replace("name: good", "name: templated").replace(
            "      image: nginx:1.27\n",
            "      image: nginx:1.27\n      args: ['{{inputs.parameters.message}}', '{{workflow.name}}']\n"
            "      env:\n        - name: SUMMARY\n          value: '{{ $labels.instance }} down: {{ $value }}'\n",
        ),
        encoding="utf-8",
    )
    code, out, err = cli("pod.yaml", "good.yaml")
    assert code == 1 and not err
    assert "unrendered-template" not in out
    assert "pod.yaml:14:9: error privileged-container" in out and GOOD_FINDING in out
