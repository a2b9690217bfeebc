"""The text report's "N fixable with --fix" line counts only what ``--fix`` would fix: a finding on a file
``--fix`` refuses (hard links, read-only), a fix a ``--fix`` of the same run refused, and a fix on standard
input among other paths are counted apart, as fixes ``--fix`` refuses."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from guardlint.cli import main

RULES = ["--select", "privilege-escalation-allowed", "--no-config"]
REFUSED_ONE = "1 offered fix that --fix refuses (--diff says why)."


def pod(name: str, value: str = "true", spec: str = "") -> str:
    return (f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n{spec}  containers:\n"
            f"    - name: a\n      image: nginx:1.27\n      securityContext:\n"
            f"        allowPrivilegeEscalation: {value}\n")


def run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(args, out=out, err=err), out.getvalue(), err.getvalue()


def fixable_line(out: str) -> str:
    [line] = [x for x in out.splitlines() if "--fix" in x and not x.startswith(" ")]
    return line


def test_a_plain_file_is_counted_as_fixable(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(pod("p"))
    _, out, _ = run([str(tmp_path), *RULES])
    assert fixable_line(out) == "1 fixable with --fix --unsafe-fixes (--diff shows the changes)."


@pytest.mark.parametrize("fmt", ["text", "concise", "full"])
def test_a_hard_linked_file_is_not_counted_as_fixable(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "p.yaml").write_text(pod("p"))
    os.link(tmp_path / "p.yaml", tmp_path / "q.yaml")
    (tmp_path / "r.yaml").write_text(pod("r"))
    _, out, _ = run([str(tmp_path / "p.yaml"), str(tmp_path / "r.yaml"), *RULES, "--format", fmt])
    assert fixable_line(out) == ("1 fixable with --fix --unsafe-fixes (--diff shows the changes); 1 more offered "
                                 "fix that --fix refuses (--diff says why).")
    _, _, err = run([str(tmp_path / "p.yaml"), *RULES, "--diff", "--unsafe-fixes"])
    assert "p.yaml: not fixed: it has 2 hard links" in err  # where "--diff says why" leads


def test_a_read_only_file_is_not_counted_and_statistics_agree(tmp_path: Path) -> None:
    target = tmp_path / "p.yaml"
    target.write_text(pod("p"))
    target.chmod(0o444)
    _, out, _ = run([str(target), *RULES])
    assert fixable_line(out) == REFUSED_ONE
    _, out, _ = run([str(target), *RULES, "--statistics"])
    assert "fixable)" not in out and fixable_line(out) == REFUSED_ONE
    target.chmod(0o644)
    _, out, _ = run([str(target), *RULES, "--statistics"])
    assert "privilege-escalation-allowed (1 fixable)" in out


def test_after_fix_the_fixes_it_refused_are_not_counted_as_fixable(tmp_path: Path) -> None:
    # The anchored value is also read by hostNetwork: the fix is refused, the finding stays.
    target = tmp_path / "p.yaml"
    target.write_text(pod("p", "&flag true") + "  hostNetwork: *flag\n")
    (tmp_path / "q.yaml").write_text(pod("q"))
    _, out, _ = run([str(tmp_path), *RULES])
    assert fixable_line(out).startswith("2 fixable with --fix --unsafe-fixes")  # not planned: counted
    _, out, err = run([str(tmp_path), *RULES, "--fix", "--unsafe-fixes"])
    assert "not fixed privilege-escalation-allowed: the value is shared" in err and "applied 1 fix\n" in err
    assert "p.yaml:10:9: warning privilege-escalation-allowed" in out  # the refused finding is still reported
    assert fixable_line(out) == REFUSED_ONE


def test_after_fix_without_unsafe_fixes_the_unsafe_ones_stay_fixable(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(pod("p"))
    _, out, err = run([str(tmp_path), *RULES, "--fix"])
    assert "applied 0 fixes" in err  # the fix is unsafe: not tried, not refused
    assert fixable_line(out) == "1 fixable with --fix --unsafe-fixes (--diff shows the changes)."


class _Stdin(io.StringIO):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.buffer = io.BytesIO(text.encode())


def test_standard_input_is_fixable_only_when_it_is_the_only_path(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "q.yaml").write_text(pod("q"))
    monkeypatch.setattr("sys.stdin", _Stdin(pod("s")))
    _, out, _ = run(["-", *RULES])
    assert fixable_line(out) == "1 fixable with --fix --unsafe-fixes (--diff shows the changes)."
    monkeypatch.setattr("sys.stdin", _Stdin(pod("s")))
    _, out, _ = run(["-", str(tmp_path / "q.yaml"), *RULES])  # --fix leaves standard input alone here
    assert fixable_line(out) == ("1 fixable with --fix --unsafe-fixes (--diff shows the changes); 1 more offered "
                                 "fix that --fix refuses (--diff says why).")
