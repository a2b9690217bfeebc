"""Fix patches (``guardlint.fix.unified_diff``): correct unified diffs that apply to the original and give exactly
the fixed text, made in about linear work whatever the file repeats (a repository is untrusted input)."""

from __future__ import annotations

import difflib
import io
import json
import random
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any, SupportsIndex, overload

import pytest

from guardlint import fix
from guardlint.cli import main

FIXTURES = Path(__file__).parents[1] / "fixtures" / "rules"
_NO_NEWLINE = "\\ No newline at end of file\n"


def apply_patch(old: str, patch: str) -> str:
    """``patch`` applied to ``old`` strictly: every hunk at the line it names, its context and removed lines
    equal to the old lines there, its counts equal to the lines it holds."""
    if not patch:
        return old
    a = old.splitlines(keepends=True)
    lines = patch.splitlines(keepends=True)
    assert lines[0].startswith("--- a/") and lines[1].startswith("+++ b/"), patch[:200]
    out: list[str] = []
    pos = 0  # next old line (0-based) not yet copied
    k = 2
    while k < len(lines):
        header = lines[k]
        assert header.startswith("@@ -") and header.endswith(" @@\n"), header
        old_range, new_range = header[4:-4].split(" +")
        old_start, old_count = _range(old_range)
        new_start, new_count = _range(new_range)
        first = old_start - 1 if old_count else old_start
        assert first >= pos, "hunks out of order or overlapping"
        out.extend(a[pos:first])
        pos = first
        assert new_start == (len(out) + 1 if new_count else len(out)), header
        seen_old = seen_new = 0
        k += 1
        while k < len(lines) and not lines[k].startswith("@@ "):
            line = lines[k]
            body = line[1:]
            if k + 1 < len(lines) and lines[k + 1] == _NO_NEWLINE:
                body = body[:-1]
                k += 1
            if line[0] in " -":
                assert a[pos] == body, (pos, a[pos], body)
                pos += 1
                seen_old += 1
            if line[0] in " +":
                out.append(body)
                seen_new += 1
            assert line[0] in " -+", line
            k += 1
        assert (seen_old, seen_new) == (old_count, new_count), header
    out.extend(a[pos:])
    return "".join(out)


def _range(text: str) -> tuple[int, int]:
    start, _, count = text.partition(",")
    return int(start), int(count) if count else 1


def fixture_pairs() -> list[tuple[Path, str, str]]:
    pairs = []
    for fixed in sorted(FIXTURES.glob("*/fail/*.fixed")):
        source = fixed.with_suffix("")
        pairs.append((source, source.read_text(encoding="utf-8"), fixed.read_text(encoding="utf-8")))
    return pairs


def test_fixture_fixes_patch_exactly_as_difflib_did() -> None:
    pairs = fixture_pairs()
    assert len(pairs) > 50
    for path, old, new in pairs:
        patch = fix.unified_diff(old, new, "x.yaml")
        assert apply_patch(old, patch) == new, path
        # What the JSON report and --diff printed before (difflib over the whole file), byte for byte.
        expected = "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                                "a/x.yaml", "b/x.yaml"))
        assert patch == expected, path


def _mutate(rng: random.Random, lines: list[str], vocabulary: Sequence[str]) -> list[str]:
    new = list(lines)
    for _ in range(rng.randint(0, 6)):
        at = rng.randint(0, len(new))
        op = rng.choice(("insert", "delete", "replace"))
        if op == "insert":
            new[at:at] = [rng.choice(vocabulary) for _ in range(rng.randint(1, 4))]
        elif op == "delete":
            del new[at:at + rng.randint(1, 3)]
        else:
            new[at:at + 1] = [rng.choice(vocabulary)]
    return new


@pytest.mark.parametrize("seed", range(6))
def test_generated_texts_patch_exactly(seed: int) -> None:
    rng = random.Random(seed)
    # Few distinct lines, so that equal runs repeat and a wrong alignment would show.
    vocabulary = ["a: 1\n", "b: 2\n", "---\n", "\n", "  - x\n", "c: 3"]
    for _ in range(300):
        size = rng.choice((0, 1, 3, 10, 40, 250))
        old_lines = [rng.choice(vocabulary[:5]) for _ in range(size)]
        new_lines = _mutate(rng, old_lines, vocabulary[:5])
        old, new = "".join(old_lines), "".join(new_lines)
        if rng.random() < 0.3:  # no newline at the end of one side or both
            old, new = old.rstrip("\n"), (new.rstrip("\n") if rng.random() < 0.5 else new)
        patch = fix.unified_diff(old, new, "f.yaml")
        assert apply_patch(old, patch) == new, (old, new, patch)
        assert (patch == "") == (old == new)


def test_dense_changes_beyond_the_search_reach_still_patch_exactly() -> None:
    old_lines = ["x\n"] * 3000
    new_lines = list(old_lines)
    for k in range(0, 3000, 3):  # a change every 3 lines: no equal run ends the changed region
        new_lines[k] = "y\n"
    old, new = "".join(old_lines), "".join(new_lines)
    patch = fix.unified_diff(old, new, "f.yaml")
    assert apply_patch(old, patch) == new


def _hostile(lines: int, period: int = 150) -> tuple[str, str]:
    """A file of about ``lines`` lines with one privileged container in the middle of containers whose lines
    repeat every ``period`` lines, and its fixed text. A line that repeats, but in less than 1% of the file,
    is one difflib matches at every place it occurs: its matcher took time growing with the square of the
    file (1.5 s for 40,000 lines). With ``period`` 1 every line is in more than 1% of the file, and difflib
    printed the whole file as changed."""
    block = [f"    - name: w{k}\n" for k in range(period)]
    pad = "".join(block * max(1, lines // period // 2))
    head = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
    bad = "    - name: root\n      securityContext:\n        privileged: true\n"
    return head + pad + bad + pad, head + pad + "    - name: root\n      securityContext: {}\n" + pad


class _Counted(list[str]):
    """A list of lines that counts the lines read from it (one per index; a slice counts its length)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__(lines)
        self.reads = 0

    @overload
    def __getitem__(self, i: SupportsIndex) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: SupportsIndex | slice) -> str | list[str]:
        got = super().__getitem__(i)
        self.reads += len(got) if isinstance(got, list) else 1
        return got


def _reads(old: str, new: str) -> int:
    a, b = _Counted(old.splitlines(keepends=True)), _Counted(new.splitlines(keepends=True))
    fix._line_opcodes(a, b)
    return a.reads + b.reads


def test_a_hostile_file_costs_linear_work(monkeypatch: pytest.MonkeyPatch) -> None:
    matched: list[tuple[int, int]] = []

    class Recording(difflib.SequenceMatcher[str]):
        def __init__(self, isjunk: Any = None, a: Any = "", b: Any = "", autojunk: bool = True) -> None:
            matched.append((len(a), len(b)))
            super().__init__(isjunk, a, b, autojunk)

    monkeypatch.setattr(difflib, "SequenceMatcher", Recording)
    old, new = _hostile(40_000)
    patch = fix.unified_diff(old, new, "p.yaml")
    assert apply_patch(old, patch) == new
    assert patch.count("\n@@ ") + patch.startswith("@@ ") == 1 and patch.count("\n-") == 2
    # Only the changed region is matched (difflib matched the whole file: 40,000 lines against 39,999).
    assert matched and sum(x + y for x, y in matched) <= 10
    # The lines read grow with the file, not faster: about twice per line of each side.
    small, large = _reads(*_hostile(10_000)), _reads(*_hostile(40_000))
    assert large <= 3 * 2 * 40_000
    assert large <= 4.5 * small


def test_lines_in_more_than_one_percent_of_the_file_still_give_the_smallest_patch() -> None:
    old, new = _hostile(10_000, period=1)
    patch = fix.unified_diff(old, new, "p.yaml")
    assert apply_patch(old, patch) == new
    assert patch.count("\n") == 12  # two headers, one hunk: 6 context lines, 2 removed, 1 added


def test_a_changed_region_is_searched_within_a_bound() -> None:
    # Everything differs: the search stops at its reach and the rest is one replacement.
    old, new = "x\n" * 20_000, "y\n" * 20_000
    assert _reads(old, new) <= 3 * fix._RESYNC_REACH ** 2 * fix._RESYNC_LINES
    patch = fix.unified_diff(old, new, "f.yaml")
    assert apply_patch(old, patch) == new


def test_json_report_patch_of_a_repetitive_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    old, _ = _hostile(3_000)
    (tmp_path / "p.yaml").write_text(old)
    out, err = io.StringIO(), io.StringIO()
    main(["p.yaml", "--no-config", "--select", "privileged-container", "--format", "json"], out=out, err=err)
    findings = [f for f in json.loads(out.getvalue())["findings"] if f["rule"] == "privileged-container"]
    assert len(findings) == 1
    patch = findings[0]["fix"]["patch"]
    assert patch is not None and patch.startswith("--- a/p.yaml\n+++ b/p.yaml\n")
    fixed = apply_patch(old, patch)
    assert "privileged" not in fixed and len(fixed.splitlines()) == len(old.splitlines()) - 1
    if shutil.which("git") is not None:  # and git agrees that it applies
        subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
        (tmp_path / "p.diff").write_text(patch)
        subprocess.run(["git", "apply", "p.diff"], cwd=tmp_path, check=True)
        assert (tmp_path / "p.yaml").read_text() == fixed
