"""The fixture runner, for the built-in packs and for third-party packs alike.

A rule's fixtures live in ``<root>/<rule-name>/pass/*.yaml`` and ``<root>/<rule-name>/fail/*.yaml`` (``.yml``
and ``.json`` too). A fail fixture marks each expected finding with ``# expect: <rule-name>`` on its line; a
pass fixture has no marker and must give no finding of its rule. Optional header comments set up the run::

    # params: {"minimum": 3}            the rule's parameters (JSON)
    # kubernetes-version: 1.29          the target cluster version
    # select: rule-a, rule-b            the rules to run (default: the fixture's rule)
    # config: {"partial": true}         known_objects, options, partial, locked (a policy's locked: list)

Next to each fail fixture, a **snapshot** pins what users see: ``<fixture>.snapshot`` (JSON: for each
finding of the selected rules its location, rule, code, severity, field path, message and offered fix) and,
when a finding offers a fix, ``<fixture>.fixed``: the file after ``--fix``. Both are written by one command
and reviewed in the diff::

    python -m guardlint.testing --update tests/fixtures/rules     # rewrite snapshots and fixed files
    python -m guardlint.testing tests/fixtures/rules              # check (exit 1 on any difference)
    python -m guardlint.testing --update tests/fixtures/rules/my-rule   # one rule's folder

From a test suite (pytest or anything else)::

    from guardlint.testing import iter_fixtures, fixture_problems, registry_with

    REGISTRY = registry_with()          # built-in rules plus installed plugins (entry points)
    for fx in iter_fixtures(FIXTURES):
        assert not fixture_problems(fx, REGISTRY), fx.id

This module is part of the supported plugin surface (``guardlint.plugin.API_VERSION``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from guardlint._record import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint.api import Settings
    from guardlint.findings import Finding, Fix, Report
    from guardlint.rules.api import Rule
    from guardlint.rules.registry import Registry

__all__ = [
    "Fixture",
    "check_fixtures",
    "expected_fixed_text",
    "expected_snapshot",
    "fixture_problems",
    "found_counter",
    "iter_fixtures",
    "main",
    "parse_fixture",
    "registry_with",
    "run_fixture",
    "settings_for",
    "update_snapshots",
]

FIXTURE_SUFFIXES = (".yaml", ".yml", ".json")
SNAPSHOT_SUFFIX = ".snapshot"
FIXED_SUFFIX = ".fixed"
UPDATE_HINT = "python -m guardlint.testing --update <fixtures folder>"

_EXPECT = re.compile(r"#\s*expect:\s*([A-Za-z0-9_,\s-]+?)\s*$")
_HEADER = re.compile(r"^#\s*(params|kubernetes-version|select|config):\s*(.+?)\s*$")


class Fixture(NamedTuple):
    path: Path
    rule: str
    verdict: str
    """``pass`` or ``fail``."""
    text: str
    expected: Counter[tuple[str, int]]
    """(rule, line) of each ``# expect:`` marker."""
    select: list[str]
    params: dict[str, Any]
    kubernetes_version: str | None
    extra_config: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.rule}/{self.path.parent.name}/{self.path.name}"

    @property
    def snapshot_path(self) -> Path:
        return self.path.with_name(self.path.name + SNAPSHOT_SUFFIX)

    @property
    def fixed_path(self) -> Path:
        return self.path.with_name(self.path.name + FIXED_SUFFIX)


def parse_fixture(path: Path, rule: str, verdict: str) -> Fixture:
    text = path.read_text(encoding="utf-8")
    expected: Counter[tuple[str, int]] = Counter()
    select = [rule]
    params: dict[str, Any] = {}
    version = None
    extra: dict[str, Any] = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        h = _HEADER.match(line)
        if h:
            key, value = h.group(1), h.group(2)
            if key in ("params", "config"):
                try:
                    json.loads(value)
                except ValueError as exc:
                    raise ValueError(f"{path}:{lineno}: the '# {key}:' header is not JSON: {exc}") from None
            if key == "params":
                params = json.loads(value)
            elif key == "kubernetes-version":
                version = value.strip().strip('"')
            elif key == "select":
                select = [s.strip() for s in value.split(",") if s.strip()]
            elif key == "config":
                extra = json.loads(value)
            continue
        m = _EXPECT.search(line)
        if m:
            for name in m.group(1).split(","):
                if name.strip():
                    expected[(name.strip(), lineno)] += 1
    return Fixture(path, rule, verdict, text, expected, select, params, version, extra)


def iter_fixtures(root: str | Path) -> list[Fixture]:
    """Every fixture under ``root`` (``<rule>/pass`` and ``<rule>/fail``), in a stable order; ``root`` may also
    be one rule's folder (it holds ``pass`` or ``fail`` itself). Raises ``FileNotFoundError`` when ``root`` is
    not a folder: a misspelt or moved fixtures folder must fail a test run, not leave it with nothing to test."""
    base = Path(root)
    out: list[Fixture] = []
    if not base.is_dir():
        raise FileNotFoundError(f"{root}: no such fixtures folder (expected <rule>/pass and <rule>/fail in it)")
    one_rule = any((base / verdict).is_dir() for verdict in ("pass", "fail"))
    for rule_dir in [base] if one_rule else sorted(p for p in base.iterdir() if p.is_dir()):
        for verdict in ("pass", "fail"):
            folder = rule_dir / verdict
            if not folder.is_dir():
                continue
            for f in sorted(folder.iterdir()):
                if f.suffix in FIXTURE_SUFFIXES:
                    out.append(parse_fixture(f, rule_dir.name, verdict))
    return out


def registry_with(*packs: Sequence[Rule[Any]], entry_points: bool = True) -> Registry:
    """The built-in rules, the installed plugin packs (with ``entry_points``) and ``packs`` (rules of a pack
    that is not installed, for example the one under test)."""
    from guardlint.api import make_registry
    from guardlint.rules.registry import build_registry

    base = make_registry(entry_points=entry_points)
    return build_registry(packs, checked=base.rules)  # ``make_registry`` validated its own rules


def settings_for(
    registry: Registry,
    rules: list[str],
    params: Mapping[str, Mapping[str, Any]] | None = None,
    kubernetes_version: str | tuple[int, int] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Settings:
    """Settings that run exactly ``rules`` (names, codes, packs or tags) with ``params`` per rule. A version
    tuple is used as given (a Config built in code may name a version newer than the command line and config
    files accept); a string is parsed as they parse it."""
    from guardlint.api import Settings
    from guardlint.config.model import Config, RuleSettings, make_plan, parse_version
    from guardlint.model.workloads import default_table
    from guardlint.rules.api import param_names

    for name, values in (params or {}).items():
        # Parameters reach the rule unvalidated here (a configuration file's are checked against the rule's
        # schema): a misspelt one would silently test the default instead.
        declared = registry.get(name)
        known = param_names(declared.params_type) if declared is not None else ()
        unknown = sorted(k for k in values if k.replace("-", "_") not in known)
        if declared is not None and unknown:
            accepted = ", ".join(n.replace("_", "-") for n in known) or "none"
            raise ValueError(f"{name}: unknown parameter {', '.join(map(repr, unknown))} (it takes: {accepted})")
    if isinstance(kubernetes_version, tuple):
        version: tuple[int, int] | None = kubernetes_version
    else:
        version = parse_version(kubernetes_version) if kubernetes_version else None
    cfg = Config(
        select=tuple(rules),
        rules={name: RuleSettings(params=p) for name, p in (params or {}).items()},
        kubernetes_version=version,
        **dict(extra or {}),
    )
    plan = make_plan(registry, cfg, workloads=default_table())
    return Settings(cfg, registry, plan, None, 20 * 1024 * 1024)


def run_fixture(fx: Fixture, registry: Registry) -> Report:
    """Lint the fixture's text as its header says, raising any exception a rule raises."""
    from guardlint.engine import lint_loaded
    from guardlint.model.index import KnownObject
    from guardlint.source.loader import load_text

    extra: dict[str, Any] = {}
    if "known_objects" in fx.extra_config:
        extra["known_objects"] = tuple(KnownObject(**k) for k in fx.extra_config["known_objects"])
    if "options" in fx.extra_config:
        extra["options"] = fx.extra_config["options"]
    if "locked" in fx.extra_config:
        from guardlint.config.model import Lock

        extra["locked"] = tuple(
            Lock(e, "policy.yaml") if isinstance(e, str) else Lock(s, "policy.yaml", tuple(e.get("namespaces", ())))
            for e in fx.extra_config["locked"] for s in ([e] if isinstance(e, str) else e["rules"])
        )
    settings = settings_for(registry, fx.select, {fx.rule: fx.params} if fx.params else None,
                            fx.kubernetes_version, extra)
    plan = settings.plan
    if fx.extra_config.get("partial"):
        plan = plan._replace(partial=True)
    return lint_loaded([load_text(fx.text, fx.path.name, nodes=False)], plan, raise_errors=True)


def found_counter(report: Report, rules: Iterable[str] | None = None) -> Counter[tuple[str, int]]:
    """(rule, line) of each active finding (of ``rules`` when given), to compare with ``Fixture.expected``."""
    names = set(rules) if rules is not None else None
    return Counter((f.rule, f.line) for f in report.findings if not f.suppressed and (names is None or f.rule in names))


def _shown(fx: Fixture, report: Report) -> list[Finding]:
    names = set(fx.select)
    return [f for f in report.active if f.rule in names]


def expected_snapshot(fx: Fixture, report: Report) -> str:
    """The snapshot text of a fail fixture's run: what a user sees of each finding of the selected rules."""
    from guardlint.model.paths import to_dotted

    records = [
        {
            "line": f.location.line, "column": f.location.column,
            "endLine": f.location.end_line, "endColumn": f.location.end_column,
            "rule": f.rule, "code": f.code, "severity": f.severity.value, "path": to_dotted(f.path),
            "message": f.message,
            "fix": _fix_record(f.fix) if f.fix is not None else None,
        }
        for f in _shown(fx, report)
    ]
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"


def _fix_record(fix: Fix) -> dict[str, Any]:
    from guardlint.model.paths import to_dotted

    record: dict[str, Any] = {"description": fix.description, "safety": fix.safety}
    if fix.edits:
        record["edits"] = [{"op": e.op, "path": to_dotted(e.path), "value": e.value} for e in fix.edits]
    else:
        record["value"] = fix.value
    return record


def expected_fixed_text(fx: Fixture, report: Report) -> str | None:
    """The fixture's text after ``--fix`` applies the fixes its findings offer; None when none offers one."""
    from guardlint.fix import edits_for, plan_edits
    from guardlint.source.loader import load_text

    findings = [f for f in _shown(fx, report) if f.fix is not None and f.origin is None]
    if not findings:
        return None
    loaded = load_text(fx.text, fx.path.name)
    edits, refused = edits_for(loaded, findings)
    plan = plan_edits(fx.text, fx.path.name, edits, loaded=loaded)
    if plan.failure is not None or plan.text is None:
        return f"# guardlint --fix changes nothing: {plan.failure or 'no edit applies'}\n"
    reasons = sorted({r.reason for r in (*refused, *plan.refused)})
    return plan.text + "".join(f"# refused: {r}\n" for r in reasons)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _diff(old: str, new: str, name: str) -> str:
    import difflib

    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                 f"{name} (committed)", f"{name} (this run)")
    return "".join(lines)


def fixture_problems(fx: Fixture, registry: Registry, *, snapshots: bool = True) -> list[str]:
    """What is wrong with one fixture's run: load errors, findings that differ from the ``# expect:`` markers
    and, for fail fixtures (with ``snapshots``), a snapshot or fixed file that differs from this run."""
    report = run_fixture(fx, registry)
    problems: list[str] = []
    if report.errors:
        problems.append(f"fixture does not load: {report.errors}")
        return problems
    if report.resources == 0:
        problems.append("fixture holds no Kubernetes object")
    found = found_counter(report, fx.select)
    details = "\n".join(f"  line {f.line}: {f.rule}: {f.message}" for f in report.active)
    if fx.verdict == "pass":
        if fx.expected:
            problems.append("pass fixtures carry no '# expect:' markers")
        if found:
            problems.append("unexpected findings:\n" + details)
        for stale in (fx.snapshot_path, fx.fixed_path):
            if stale.exists():
                problems.append(f"{stale.name}: a pass fixture has no snapshot; delete it")
        return problems
    for f in report.active:
        declared = registry.get(f.rule)
        safety = declared.info.fix_safety if declared is not None else None
        if f.fix is not None and safety not in (f.fix.safety, "mixed"):
            problems.append(f"line {f.line}: {f.rule} offers a {f.fix.safety} fix but declares its fixes "
                            f"{safety or 'absent (fixable=False)'}")
    if not fx.expected:
        problems.append("fail fixtures need at least one '# expect: <rule>' marker")
    elif found != fx.expected:
        problems.append(f"expected {sorted(fx.expected.elements())}, found:\n{details}")
    if snapshots:
        for path, want in ((fx.snapshot_path, expected_snapshot(fx, report)),
                           (fx.fixed_path, expected_fixed_text(fx, report))):
            have = _read(path)
            if want is None and have is not None:
                problems.append(f"{path.name}: no finding offers a fix any more; run {UPDATE_HINT}")
            elif want is not None and have is None:
                problems.append(f"{path.name} is missing; run {UPDATE_HINT} and review it")
            elif want is not None and have is not None and want != have:
                problems.append(f"{path.name} differs from this run (run {UPDATE_HINT} and review the diff):\n"
                                + _diff(have, want, path.name))
    return problems


def update_snapshots(fixtures: Iterable[Fixture], registry: Registry) -> list[Path]:
    """Write the snapshot (and fixed file) of every fail fixture; delete stale ones. Returns changed paths."""
    changed: list[Path] = []
    for fx in fixtures:
        if fx.verdict != "fail":
            wanted: tuple[tuple[Path, str | None], ...] = ((fx.snapshot_path, None), (fx.fixed_path, None))
        else:
            report = run_fixture(fx, registry)
            wanted = ((fx.snapshot_path, expected_snapshot(fx, report)),
                      (fx.fixed_path, expected_fixed_text(fx, report)))
        for path, text in wanted:
            have = _read(path)
            if text is None:
                if have is not None:
                    path.unlink()
                    changed.append(path)
            elif text != have:
                path.write_text(text, encoding="utf-8")
                changed.append(path)
    return changed


def orphan_snapshots(root: str | Path, fixtures: Iterable[Fixture]) -> list[Path]:
    """Snapshot and fixed files under ``root`` whose fixture no longer exists."""
    known = {p for fx in fixtures for p in (fx.snapshot_path, fx.fixed_path)}
    return sorted(p for suffix in (SNAPSHOT_SUFFIX, FIXED_SUFFIX) for p in Path(root).rglob(f"*{suffix}")
                  if p not in known)


def check_fixtures(root: str | Path, registry: Registry) -> dict[str, list[str]]:
    """Problems of every fixture under ``root`` by fixture id (empty when all pass)."""
    fixtures = iter_fixtures(root)
    out = {fx.id: p for fx in fixtures if (p := fixture_problems(fx, registry))}
    for orphan in orphan_snapshots(root, fixtures):
        out[str(orphan)] = ["no fixture has this snapshot; delete it"]
    return out


def _problems_or_error(fx: Fixture, registry: Registry) -> list[str]:
    """``fixture_problems``, with a fixture that cannot run (a rule folder or ``# select:`` naming no rule, a
    parameter the rule does not take) reported as its problem rather than as a traceback."""
    from guardlint.errors import GuardlintError

    try:
        return fixture_problems(fx, registry)
    except (GuardlintError, ValueError) as exc:
        return [f"cannot run: {exc}"]


def main(argv: Sequence[str] | None = None) -> int:
    import argparse
    import sys

    parser = argparse.ArgumentParser(
        prog="python -m guardlint.testing",
        description="Check rule fixtures against their '# expect:' markers and snapshots, or rewrite the "
                    "snapshots (--update). The rules are the built-in ones and the installed plugin packs.",
    )
    parser.add_argument("folders", nargs="*", default=["tests/fixtures/rules"], metavar="FOLDER",
                        help="fixture folders (<rule>/pass|fail/*.yaml); default: tests/fixtures/rules")
    parser.add_argument("--update", action="store_true", help="rewrite snapshots and fixed files")
    parser.add_argument("--rule", action="append", default=[], metavar="NAME",
                        help="only the fixtures of this rule (repeatable)")
    args = parser.parse_args(argv)
    registry = registry_with()
    status = 0
    for folder in args.folders:
        try:
            found = iter_fixtures(folder)
        except (FileNotFoundError, ValueError) as exc:
            sys.stdout.write(f"{exc}\n")
            status = 1
            continue
        fixtures = [fx for fx in found if not args.rule or fx.rule in args.rule]
        if not fixtures:  # a check of nothing must not pass
            wanted = f" of {', '.join(args.rule)}" if args.rule else ""
            sys.stdout.write(f"{folder}: no fixtures{wanted} (expected <rule>/pass/*.yaml and <rule>/fail/*.yaml)\n")
            status = 1
            continue
        if args.update:
            changed = update_snapshots(fixtures, registry)
            if not args.rule:
                for orphan in orphan_snapshots(folder, fixtures):
                    orphan.unlink()
                    changed.append(orphan)
            sys.stdout.write(f"{folder}: {len(fixtures)} fixtures, {len(changed)} snapshot files changed\n")
            for path in changed:
                sys.stdout.write(f"  {path}\n")
            continue
        problems = {fx.id: p for fx in fixtures if (p := _problems_or_error(fx, registry))}
        if not args.rule:
            problems.update({str(o): ["no fixture has this snapshot"] for o in orphan_snapshots(folder, fixtures)})
        for fid, items in problems.items():
            status = 1
            sys.stdout.write(f"{fid}:\n" + "".join(f"  {line}\n" for item in items for line in item.splitlines()))
        sys.stdout.write(f"{folder}: {len(fixtures)} fixtures, {len(problems)} with problems\n")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
