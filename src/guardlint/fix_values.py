"""``--fix`` on Helm-rendered objects: a scalar fix made in the values file the rendered value comes from.

A finding on an object guardlint rendered from a chart is fixed here when all of this holds:

- the finding was mapped to a values file entry (``Rendered.mapped_to == "values"``: the rendered field's
  value is that entry's value);
- the rule's fix replaces that field's scalar value (a replacement value, or a single ``set`` edit of the
  reported field to a scalar), not an insert or a removal;
- every fix that applies reaching the same values entry wants the same new value;
- the chart renders again with the changed values file (read from memory: nothing is written first), and in
  every values set the rendered objects differ from before in exactly the fixed fields, which hold the new
  value; linting the new rendering, each fixed finding is gone and no finding appears that was not there.

Otherwise nothing is written to that values file and each finding gets the reason. The values file is
edited as any manifest is (``guardlint.fix.plan_edits``: the exact span of the scalar, comments and layout
kept, written atomically with its encoding and line endings).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Sequence

from guardlint._record import NamedTuple
from guardlint.findings import Finding, Report
from guardlint.model.paths import FieldPath, to_dotted
from guardlint.source.loader import LoadedText

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint.api import Settings

Rerender = Callable[[str, tuple[tuple[str, str], ...]], "tuple[list[Any], list[str]]"]
"""(chart folder, overrides) -> the chart's units (``guardlint.render.run.Unit``) rendered with those
values file texts, and the render errors (as text)."""
LintUnit = Callable[[LoadedText], Sequence[Finding]]
"""Lints one rendering's loaded output alone (unmapped findings)."""
Users = Callable[[str], Sequence[str]]
"""The chart folders (absolute) whose configured values sets name a file (given by its real path)."""


class ValuesPlan(NamedTuple):
    """What ``--fix`` would do to one values file: its name, real path, bytes and text, the new text (None
    when nothing is written), the findings it fixes and the findings refused with their reasons."""

    file: str
    real: str
    raw: bytes
    old: str
    new: str | None
    applied: tuple[Finding, ...]
    refused: tuple[tuple[Finding, str], ...]


def scalar_target(f: Finding) -> tuple[bool, Any] | str:
    """(True, the new value) when the fix of ``f`` replaces the reported field's scalar, else why not."""
    from guardlint.fix import fix_value

    fix = f.fix
    if fix is None:
        return "the rule offers no fix"
    if not fix.edits:
        try:
            return True, fix_value(fix.value)
        except ValueError as exc:
            return str(exc)
    if len(fix.edits) == 1 and fix.edits[0].op == "set" and tuple(fix.edits[0].path) == tuple(f.path) \
            and not isinstance(fix.edits[0].value, (dict, list)):
        return True, fix.edits[0].value
    return (f"the change ({fix.description}) inserts or removes fields, and --fix changes a values file only to "
            "replace the value the reported field gets from it")


def values_candidate(f: Finding) -> bool:
    """Whether ``f`` is a finding on a Helm-rendered object mapped to a values entry (see the module doc)."""
    r = f.rendered
    return r is not None and r.mapped_to == "values" and r.values_path is not None and bool(r.chart)


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def plan_values_fixes(findings: Sequence[Finding], rerender: Rerender, lint: LintUnit, max_bytes: int,
                      users: Users = lambda _: ()) -> tuple[list[ValuesPlan], list[tuple[Finding, str]]]:
    """Plan the values-file fixes of ``findings`` (each a ``values_candidate`` whose fix applies): the plan
    of each values file, and the findings refused before any file was read."""
    refused: list[tuple[Finding, str]] = []
    wanted: dict[tuple[str, FieldPath], list[tuple[Finding, Any]]] = {}
    for f in findings:
        target = scalar_target(f)
        assert f.rendered is not None
        if isinstance(target, str):
            refused.append((f, f"not applicable: the object is rendered from the {f.rendered.source}; {target}"))
            continue
        assert f.rendered.values_path is not None
        wanted.setdefault((f.file, f.rendered.values_path), []).append((f, target[1]))
    by_file: dict[str, list[tuple[FieldPath, Any, list[Finding]]]] = {}
    for (file, vpath), group in wanted.items():
        values: list[Any] = []
        for _, v in group:
            if not any(_same(v, w) for w in values):
                values.append(v)
        if len(values) > 1:
            shown = ", ".join(repr(v) for v in values)
            for f, _ in group:
                why = (f"not applicable: the values entry {to_dotted(vpath)} gives its value to several fields "
                       f"whose fixes want different values ({shown}): change it by hand")
                refused.append((f, why))
            continue
        by_file.setdefault(file, []).append((vpath, values[0], [f for f, _ in group]))
    plans = [_plan_file(file, entries, rerender, lint, max_bytes, users) for file, entries in sorted(by_file.items())]
    return plans, refused


def _plan_file(file: str, entries: list[tuple[FieldPath, Any, list[Finding]]], rerender: Rerender,
               lint: LintUnit, max_bytes: int, users: Users) -> ValuesPlan:
    from guardlint._rewrite import file_problem
    from guardlint.fix import Edit, decode_exactly, plan_edits
    from guardlint.source.files import NotRegularFile, read_regular_file
    from guardlint.source.loader import load_text

    everyone = [f for _, _, fs in entries for f in fs]

    def refuse(reason: str, raw: bytes = b"", old: str = "") -> ValuesPlan:
        return ValuesPlan(file, real, raw, old, None, (), tuple((f, reason) for f in everyone))

    real = os.path.realpath(file)
    problem = file_problem(real)
    if problem is not None:
        return refuse(f"the values file cannot be fixed: {problem}")
    mine = {os.path.realpath(f.rendered.chart) for f in everyone if f.rendered is not None}
    others = sorted({c for c in users(real) if os.path.realpath(c) not in mine})
    if others:
        from guardlint.source.files import display_name

        return refuse(f"not applicable: the values file is also a values file of chart {display_name(others[0])}, "
                      "which the change would reach unchecked: change it by hand")
    try:
        raw = read_regular_file(file, max_bytes)
    except (OSError, NotRegularFile) as exc:
        return refuse(f"cannot read the values file: {exc}")
    old = decode_exactly(raw, file)
    if old is None:
        return refuse("the values file is not text in an encoding YAML allows", raw)
    loaded = load_text(old, file)
    docs = [d for d in loaded.documents if d.data is not None]
    if loaded.errors or not docs:
        return refuse("the values file no longer loads", raw, old)
    edits = [Edit(docs[0].index, vpath, value, fs[0]) for vpath, value, fs in entries]
    plan = plan_edits(old, file, edits, loaded=loaded)
    if plan.failure is not None or plan.text is None:
        return refuse(f"the values file cannot be edited: {plan.failure or 'nothing to change'}", raw, old)
    why_not = {id(r.edit.finding): r.reason for r in plan.refused if r.edit.finding is not None}
    if why_not:  # all of a file's fixes together or none: the rendering is checked with all of them
        first = next(iter(why_not.values()))
        return refuse(f"the values entry cannot be changed ({first}); nothing was written", raw, old)
    fixed = [f for _, _, fs in entries for f in fs]
    problem = _check(real, plan.text, fixed, entries, rerender, lint)
    if problem is not None:
        return refuse(f"{problem}; nothing was written", raw, old)
    return ValuesPlan(file, real, raw, old, plan.text, tuple(fixed), ())


def _check(real: str, new_text: str, fixed: Sequence[Finding], entries: list[tuple[FieldPath, Any, list[Finding]]],
           rerender: Rerender, lint: LintUnit) -> str | None:
    """Why the changed values file is not a fix of exactly ``fixed`` (None when it is): see the module doc."""
    from guardlint.fix import _copy_data, _difference, _key
    from guardlint.model.resource import resources_of

    value_of = {id(f): v for _, v, fs in entries for f in fs}
    charts = sorted({f.rendered.chart for f in fixed if f.rendered is not None})
    for chart in charts:
        before, errors_before = rerender(chart, ())
        after, errors_after = rerender(chart, ((real, new_text),))
        new_errors = [e for e in errors_after if e not in errors_before]
        if new_errors:
            return f"the chart no longer renders with the changed values: {new_errors[0]}"
        old_units = {u.set_name: u for u in before}
        new_units = {u.set_name: u for u in after}
        if set(old_units) != set(new_units):
            return "the chart renders a different set of values sets with the changed values"
        for set_name, old_unit in old_units.items():
            new_unit = new_units[set_name]
            old_docs = [d for d in old_unit.loaded.documents if d.data is not None]
            new_docs = [d for d in new_unit.loaded.documents if d.data is not None]
            if len(old_docs) != len(new_docs):
                return f"the changed values render a different number of objects (values set {set_name})"
            mine = [f for f in fixed if f.rendered is not None and f.rendered.chart == chart
                    and set_name in f.rendered.sets]
            for od, nd in zip(old_docs, new_docs, strict=True):
                expected = _copy_data(od.data)
                targets: dict[FieldPath, Any] = {}
                for owner in resources_of(od):
                    for f in mine:
                        if owner.ref == f.resource:
                            at = (*owner.prefix, *f.path)
                            targets[at] = value_of[id(f)]
                            expected = _set(expected, at, value_of[id(f)])
                if not _equal(expected, nd.data):
                    where = _difference(expected, nd.data) or ()
                    if where in targets:
                        return (f"the chart does not render the values entry as it is at {to_dotted(where)} "
                                f"(values set {set_name}: {_get(nd.data, where)!r}, not the fix's value "
                                f"{targets[where]!r})")
                    return (f"the values entry also gives its value to {to_dotted(where) or 'an object'} in the "
                            f"rendered output (values set {set_name}), which no fix here asks to change")
            counts_before = Counter(_key(f) for f in lint(old_unit.loaded))
            counts_after = Counter(_key(f) for f in lint(new_unit.loaded))
            for f in mine:
                k = (f.rule, f.resource, to_dotted(f.path))
                if counts_after[k] and counts_after[k] >= counts_before[k]:
                    return f"after rendering with the changed values, {f.rule} still reports {to_dotted(f.path)}"
            new = counts_after - counts_before
            if new:
                rule, _, path = next(iter(new))
                return (f"rendering with the changed values brings a new {rule} finding at {path or 'the object'} "
                        f"(values set {set_name})")
    return None


def _set(data: Any, path: FieldPath, value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(head, int) and isinstance(data, list) and 0 <= head < len(data):
        out = list(data)
        out[head] = _set(out[head], rest, value)
        return out
    if isinstance(head, str) and isinstance(data, dict) and head in data:
        copy = dict(data)
        copy[head] = _set(copy[head], rest, value)
        return copy
    return data  # not there: the comparison with the new rendering then fails


def _get(data: Any, path: FieldPath) -> Any:
    for part in path:
        found = (isinstance(part, int) and isinstance(data, list) and 0 <= part < len(data)) or (
            isinstance(part, str) and isinstance(data, dict) and part in data)
        if not found:
            return None
        data = data[part]
    return data


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    return _same(a, b)


def candidates(report: Report, unsafe: bool) -> list[Finding]:
    """The active findings whose applying fix would go into a values file (see ``values_candidate``)."""
    from guardlint.fix import applies

    return [f for f in report.active if f.fix is not None and applies(f.fix, unsafe) and values_candidate(f)]


def checkers(settings: Settings, paths: Sequence[str]) -> tuple[Rerender, LintUnit]:
    """The ``Rerender`` and ``LintUnit`` of a run over ``paths`` with ``settings``."""
    from guardlint.api import render_options
    from guardlint.engine import lint_loaded
    from guardlint.render.helm_run import render_charts

    def rerender(chart: str, overrides: tuple[tuple[str, str], ...]) -> tuple[list[Any], list[str]]:
        units, errors = render_charts([chart], render_options(settings, paths, overrides))
        return units, [f"{e.file}:{e.line}:{e.column}: {e.message}" for e in errors]

    def lint(loaded: LoadedText) -> Sequence[Finding]:
        return lint_loaded([loaded], settings.plan).active

    return rerender, lint


def values_users(settings: Settings) -> Users:
    """The ``Users`` of the ``charts:`` configuration of ``settings``."""
    config = settings.config
    entries: Any = getattr(config, "charts", {}) or {}
    base = getattr(config, "base_dir", ".") or "."
    named: list[tuple[str, str]] = []
    for key, entry in entries.items():
        chart = os.path.normpath(os.path.abspath(os.path.join(base, key)))
        for files in (entry.get("values-sets") or {}).values():
            named.extend((chart, os.path.realpath(os.path.join(chart, str(f)))) for f in files)

    def users(real: str) -> list[str]:
        return [chart for chart, path in named if path == real]

    return users
