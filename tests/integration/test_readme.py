"""The README's library example runs as written, and its two set-up commands are the documented ones."""

from __future__ import annotations

import re

from tests.helpers import ROOT


def _blocks(lang: str) -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(rf"```{lang}\n(.*?)```", text, re.S)


def test_library_example_runs(capsys: object) -> None:
    example = next(b for b in _blocks("python") if "import guardlint" in b)
    namespace: dict[str, object] = {}
    exec(compile(example, "README.md", "exec"), namespace)


def test_readme_starts_with_two_setup_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_blocks = re.findall(r"```sh\n(.*?)```", text.split("\n## ", 1)[0], re.S)
    assert len(first_blocks) == 2
    install, tests = (b.strip() for b in first_blocks)
    assert "pip install ." in install and "guardlint check examples/" in install
    assert "pip install -e '.[test]'" in tests and tests.endswith("pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -e '.[test]'" in ci and "\npytest" in ci


def test_pre_commit_rev_is_the_release_of_this_version() -> None:
    from guardlint._version import __version__

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## pre-commit\n", 1)[1].split("\n## ", 1)[0]
    revs = re.findall(r"^\s*rev: (\S+)$", section, re.M)
    assert revs and set(revs) == {f"v{__version__}"}
    assert f"\n## [{__version__}] - " in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"rev: v{__version__}\n" in (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")


def _section(title: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_suppression_examples_do_what_the_readme_says() -> None:
    import guardlint

    blocks = re.findall(r"```yaml\n(.*?)```", _section("Suppressing findings").split("\n### ", 1)[0], re.S)
    assert len(blocks) == 2
    for block, rule in zip(blocks, ("privileged-container", "unpinned-image"), strict=True):
        report = guardlint.lint_text(block, "example.yaml")  # the default rule set, as pasted
        assert not report.errors
        suppressed = [f for f in report.suppressed if f.rule == rule]
        assert suppressed and all(f.suppression_reason for f in suppressed)
        assert not [f for f in report.active if f.rule in ("unused-suppression", "invalid-suppression", rule)]
