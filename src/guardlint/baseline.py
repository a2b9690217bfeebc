"""Baselines: record today's findings so that only new ones are reported.

A finding is keyed by file, object identity (apiVersion, kind, namespace, name), rule and field path,
never by line, so edits elsewhere in the file do not invalidate the baseline. Keys are counted: two
identical findings need two baseline entries.

The file is recorded relative to the *baseline root* (``root_for``): the folder of the configuration file
in effect, else the repository root (the nearest folder at or above the working directory holding ``.git``: a
folder, the file of a worktree or submodule, or a symbolic link, even one whose target is missing, as
everywhere in guardlint), else the working directory. The same baseline therefore matches whether guardlint
runs from the repository root, from a sub-folder, or through the library.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from guardlint.errors import UsageError
from guardlint.findings import Finding, Report
from guardlint.model.paths import to_dotted

BASELINE_VERSION = 1
Key = tuple[str, str, str, str, str, str, str]


def root_for(config_source: str | None, cwd: str | None = None) -> str:
    """The folder baseline paths are relative to (see the module docstring), as an absolute path. The
    repository root is ``source.files.nearest_checkout``, the one walk up to ``.git`` that every part of
    guardlint uses (SARIF's and GitHub's file names, rendering's repository, the walk's limit), so a baseline's
    paths and a SARIF report's agree."""
    from guardlint.source.files import nearest_checkout

    here = os.path.abspath(cwd or os.getcwd())
    if config_source is not None and config_source != "-":
        return os.path.dirname(os.path.abspath(os.path.join(here, config_source)))
    return nearest_checkout(here) or here


class _Relative:
    """Display paths (relative to the working directory) re-expressed relative to the baseline root."""

    __slots__ = ("_cache", "_cwd", "_root")

    def __init__(self, root: str | None, cwd: str | None = None) -> None:
        self._root = root
        self._cwd = os.path.abspath(cwd or os.getcwd())
        self._cache: dict[str, str] = {}

    def __call__(self, file: str) -> str:
        if self._root is None or file == "-":
            return file
        done = self._cache.get(file)
        if done is None:
            absolute = os.path.normpath(os.path.join(self._cwd, file))
            try:
                done = os.path.relpath(absolute, self._root)
            except ValueError:  # pragma: no cover - another drive on Windows
                done = absolute
            done = done.replace(os.sep, "/")
            self._cache[file] = done
        return done


def key_of(f: Finding, relative: Callable[[str], str] | None = None) -> Key:
    r = f.resource
    return (
        relative(f.file) if relative is not None else f.file,
        r.api_version if r else "",
        r.kind if r else "",
        (r.namespace or "") if r else "",
        (r.name or "") if r else "",
        f.rule,
        to_dotted(f.path),
    )


def render(report: Report, root: str | None = None) -> str:
    """The baseline of ``report``'s active findings, files relative to ``root`` (as given when None)."""
    relative = _Relative(root)
    counts = Counter(key_of(f, relative) for f in report.active)
    entries = [
        {"file": k[0], "apiVersion": k[1], "kind": k[2], "namespace": k[3], "name": k[4], "rule": k[5],
         "path": k[6], "count": n}
        for k, n in sorted(counts.items())
    ]
    return json.dumps({"version": BASELINE_VERSION, "findings": entries}, indent=2, sort_keys=True) + "\n"


def write(report: Report, path: str | Path, root: str | None = None) -> int:
    """Write atomically: a temporary file in the same folder, then a rename; returns the number of findings
    recorded. A path that cannot be written (no such folder, a directory, no permission) is a UsageError
    naming it."""
    from guardlint._atomic import write_atomic

    try:
        write_atomic(os.fspath(path), render(report, root).encode("utf-8"), prefix=".guardlint-baseline-")
    except OSError as exc:
        raise UsageError(f"{path}: cannot write baseline: {exc.strerror or exc}") from None
    return len(report.active)


_FIELDS = ("file", "apiVersion", "kind", "namespace", "name", "rule", "path")


BASELINE_MAX_BYTES = 256 * 1024 * 1024
"""The largest baseline read (about a million findings)."""


def read(path: str | Path) -> Counter[Key]:
    """Read a baseline written by ``write``. Anything else (not a regular file, over ``BASELINE_MAX_BYTES``,
    bad or too deeply nested JSON, another version, an entry whose key fields are not strings or whose count
    is not a positive integer) is a UsageError naming the file."""
    from guardlint.source.files import NotRegularFile, _missing_reason, describe_limit, read_regular_file

    if not os.path.lexists(path):  # the name as spelled: ``b.json/`` is not the file b.json
        why = _missing_reason(os.fspath(path))
        raise UsageError(f"{path}: baseline file not found" if why == "no such file or directory"
                         else f"{path}: cannot read baseline: {why}")
    try:
        data = json.loads(read_regular_file(os.fspath(path), BASELINE_MAX_BYTES).decode("utf-8"))
    except NotRegularFile as exc:
        reason = f"over the {describe_limit(BASELINE_MAX_BYTES)} limit" if exc.too_large else exc.message
        raise UsageError(f"{path}: cannot read baseline: {reason}") from None
    except RecursionError:
        raise UsageError(f"{path}: cannot read baseline: JSON nested too deeply") from None
    except ValueError as exc:  # bad JSON or not UTF-8
        raise UsageError(f"{path}: cannot read baseline: {exc}") from None
    if (
        not isinstance(data, dict)
        or data.get("version") != BASELINE_VERSION
        or not isinstance(data.get("findings"), list)
    ):
        raise UsageError(f"{path}: not a guardlint baseline (version {BASELINE_VERSION})")
    counts: Counter[Key] = Counter()
    for e in data["findings"]:
        fields = [e.get(name) for name in _FIELDS] if isinstance(e, dict) else []
        strings = [v for v in fields if isinstance(v, str)]
        count = e.get("count", 1) if isinstance(e, dict) else None
        if (
            len(strings) != len(_FIELDS)
            or not isinstance(count, int)
            or isinstance(count, bool)
            or count < 1
        ):
            raise UsageError(f"{path}: malformed baseline entry {_short(e)}")
        k: Key = (strings[0], strings[1], strings[2], strings[3], strings[4], strings[5], strings[6])
        counts[k] += count
    return counts


def _short(value: object) -> str:
    """A bounded rendering of a JSON value for a message (never deeper or longer than a line)."""
    import reprlib

    r = reprlib.Repr()
    r.maxlevel, r.maxstring, r.maxother = 3, 80, 80
    return r.repr(value)


def apply(report: Report, baseline: Counter[Key], root: str | None = None, name: str = "the baseline") -> Report:
    """Drop active findings that the baseline covers (files relative to ``root``); report how many were
    dropped. A baseline with entries that matches none of the findings while there are findings is stale or
    rooted elsewhere: the report then carries a warning saying so."""
    relative = _Relative(root)
    remaining = Counter(baseline)
    kept: list[Finding] = []
    dropped = 0
    locked: Counter[str] = Counter()
    for f in report.findings:
        if not f.suppressed:
            k = key_of(f, relative)
            if remaining[k] > 0:
                remaining[k] -= 1
                if f.locked_by is not None:  # the baseline is repository data: it cannot hide what a policy locks
                    locked[f.rule] += 1
                else:
                    dropped += 1
                    continue
        kept.append(f)
    warnings = report.warnings
    if locked:
        rules = ", ".join(f"{rule} ({n})" for rule, n in sorted(locked.items()))
        warnings = (*warnings, (
            f"{name} records findings of rules the policy locks, which a baseline does not hide: {rules}; "
            "fix them, or ask for an exemption in the policy"))
    if dropped == 0 and not locked and baseline and report.active:
        where = f" relative to {root}" if root is not None else ""
        message = (f"{name} matches none of the {len(report.active)} findings: it is out of date or was "
                   f"written for other files (its paths are read{where}); write it again with --write-baseline")
        warnings = (*warnings, message)
    return report._replace(findings=tuple(kept), baselined=report.baselined + dropped, warnings=warnings)


def keys(findings: Iterable[Finding]) -> list[Key]:
    return [key_of(f) for f in findings]
