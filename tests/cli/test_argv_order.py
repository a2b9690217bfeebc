"""Paths may come anywhere among the options, as users type them; unknown options stay usage errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from guardlint.cli import EXIT_ERROR, main

PRIVILEGED = """apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  containers:
    - name: c
      image: nginx:1.27
      securityContext:
        privileged: true
"""


def _run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(args, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    names = []
    for name in ("a", "b", "-c"):
        path = tmp_path / f"{name}.yaml"
        path.write_text(PRIVILEGED.format(name=name.strip("-")), encoding="utf-8")
        names.append(str(path))
    return names


def _linted(args: list[str]) -> set[str]:
    code, out, err = _run(["check", "--format", "json", "--select", "privileged-container", "--fail-on", "never",
                           *args])
    assert code == 0, err
    return {Path(f["file"]).name for f in json.loads(out)["findings"]}


@pytest.mark.parametrize("order", [
    lambda a, b: [a, "--no-config", b],
    lambda a, b: ["--no-config", a, "--color", "never", b],
    lambda a, b: [a, "--no-config", "--color", "never", b],
    lambda a, b: ["--no-config", a, b],
])
def test_paths_after_options_are_linted(files: list[str], order: object) -> None:
    a, b, _ = files
    assert _linted(order(a, b)) == {"a.yaml", "b.yaml"}  # type: ignore[operator]


def test_after_double_dash_a_dash_name_is_a_path(files: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    a, _, dashed = files
    monkeypatch.chdir(Path(dashed).parent)  # a relative name starting with a dash is reachable only after "--"
    assert _linted([a, "--no-config", "--", Path(dashed).name]) == {"a.yaml", "-c.yaml"}


def test_unknown_option_after_a_path_is_still_a_usage_error(files: list[str]) -> None:
    a, b, _ = files
    code, _, _ = _run(["check", a, "--no-such-flag", b])
    assert code == EXIT_ERROR


def test_extra_words_for_a_command_without_paths_are_a_usage_error() -> None:
    code, _, _ = _run(["rules", "--format", "json", "surplus"])
    assert code == EXIT_ERROR


def test_config_validate_takes_files_after_options(tmp_path: Path) -> None:
    good = tmp_path / "one.yaml"
    good.write_text("select: [security]\n", encoding="utf-8")
    bad = tmp_path / "two.yaml"
    bad.write_text("select: [no-such-rule-or-pack]\n", encoding="utf-8")
    code, out, err = _run(["config", "validate", str(good), "--allow-local-plugins", str(bad)])
    assert code != 0
    assert "two.yaml" in out + err
