"""The corpus property of ``--fix``: over a copy of a corpus, ``--fix --unsafe-fixes`` leaves every file
parseable, the fixed findings gone, no new finding, and a second run changes nothing.

    python scripts/fix_corpus.py ../shared/corpus [--select all] [--keep DIR]

The corpus is copied into a temporary folder (or DIR with ``--keep``, which must not exist) and only the copy
is fixed; the corpus itself is only read. The copy is linted with the CLI's settings (``--no-config``, the
selected rules, ``--partial`` off), the fixes are applied the way ``guardlint check --fix --unsafe-fixes``
applies them (each file verified by linting it again), and the copy is linted again. Prints the counts and
each violated property; exit code 1 when a property fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import stat
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

Key = tuple[str, str, Any, str]


def _key(f: Any) -> Key:
    from guardlint.model.paths import to_dotted

    return (f.file, f.rule, f.resource, to_dotted(f.path))


def _lint(root: Path, select: Sequence[str]) -> Any:
    from guardlint.api import resolve_settings, run

    settings = resolve_settings(use_config_file=False, select=list(select))
    return settings, run([str(root)], settings)


def _relint(settings: Any) -> Any:
    from guardlint.engine import lint_loaded
    from guardlint.source.loader import load_text

    return lambda text, name: lint_loaded([load_text(text, name)], settings.plan).active


def check(root: Path, select: Sequence[str] = ("all",)) -> tuple[dict[str, int], list[str]]:
    """Fix the corpus copy at ``root`` in place; (counts, problems)."""
    from guardlint.fix import apply_fixes
    from guardlint.source.files import decode
    from guardlint.source.loader import load_text

    settings, before = _lint(root, select)
    loaded_before = {e.file for e in before.errors}
    fixes = apply_fixes(before, unsafe=True, relint=_relint(settings))
    _, after = _lint(root, select)
    problems: list[str] = []
    counts: dict[str, int] = {
        "files": len(before.files), "findings before": len(before.active),
        "findings offering a fix": sum(1 for f in before.active if f.fix is not None),
        "fixes applied": len(fixes.applied), "fixes refused": len(fixes.refused),
        "files left alone": len(fixes.skipped), "findings after": len(after.active),
    }
    changed = {f.file for f in fixes.applied}
    counts["files changed"] = len(changed)
    for file in sorted(changed):  # every fixed file parses
        read = decode(Path(file).read_bytes(), file)
        if read.text is None or load_text(read.text, file).errors:
            problems.append(f"{file}: does not load after --fix")
    new_errors = {e.file for e in after.errors} - loaded_before
    problems.extend(f"{file}: an input error after --fix" for file in sorted(new_errors))
    old = Counter(_key(f) for f in before.active)
    now = Counter(_key(f) for f in after.active)
    original = {id(f) for f in before.active}
    for f in fixes.applied:  # fixed findings are gone (those of later rounds were not in the report)
        if id(f) in original and now[_key(f)] >= old[_key(f)] and now[_key(f)]:
            problems.append(f"{f.file}: {f.rule} at {_key(f)[3]} is still reported after its fix")
    for key, n in sorted((now - old).items(), key=lambda kv: str(kv[0])):
        problems.append(f"{key[0]}: new {key[1]} finding at {key[3] or 'the object'} ({n})")
    counts["new findings"] = sum((now - old).values())
    snapshot = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    again = apply_fixes(after, unsafe=True, relint=_relint(settings))
    counts["fixes applied by a second run"] = len(again.applied)
    changed_again = [str(p) for p, data in snapshot.items() if p.read_bytes() != data]
    problems.extend(f"{p}: changed by a second --fix" for p in changed_again)
    reasons = Counter(reason.split(" (")[0].split(";")[0] for _, reason in fixes.skipped)
    counts.update({f"left alone: {r}": n for r, n in reasons.most_common(8)})
    return counts, problems


def copy_corpus(corpus: Path, root: Path) -> None:
    """Copy ``corpus`` to ``root`` (which must not exist), its files made writable by their owner: a shared
    corpus may be read-only, and ``--fix`` refuses a read-only file; the copy is the script's to fix."""
    shutil.copytree(corpus, root, symlinks=True)
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                os.chmod(path, os.stat(path).st_mode | stat.S_IWUSR)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--select", default="all", help="rules to run (comma-separated; default: all)")
    parser.add_argument("--keep", type=Path, help="copy the corpus here (must not exist) and keep the result")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="guardlint-fix-corpus-") as tmp:
        root = args.keep if args.keep is not None else Path(tmp) / "corpus"
        copy_corpus(args.corpus, root)
        counts, problems = check(root, [s for s in args.select.split(",") if s])
    for name, value in counts.items():
        print(f"{name}: {value}")
    for p in problems[:200]:
        print(f"PROBLEM {p}")
    print(f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
