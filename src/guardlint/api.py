"""The library API: lint paths or text and get a Report. Never prints, never exits, and changes no
process-wide state: not the working directory, not the garbage collector (docs/design.md, "A library call
leaves its host's process as it found it")."""

from __future__ import annotations

import os
from collections.abc import Sequence

from guardlint._jobs import pool_workers
from guardlint._record import NamedTuple
from guardlint.config.model import Config, Plan, make_plan, parse_version
from guardlint.errors import ConfigError, RuleLoadError, UsageError
from guardlint.findings import ErrorKind, Finding, InputError, Report, Severity, SkippedDocument
from guardlint.rules.api import Rule
from guardlint.rules.registry import (
    Registry,
    build_registry,
    check_plugin_names,
    load_local_module,
    load_plugin_packs,
)
from guardlint.source.files import DEFAULT_MAX_BYTES, Excludes, Input, discover_all, megabytes, read_input
from guardlint.source.loader import LoadedText, LoadMemo, load_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    import datetime
    from pathlib import Path
    from typing import Any


class Settings(NamedTuple):
    """What a run is configured with, after the config file and the caller's overrides are merged."""

    config: Config
    registry: Registry
    plan: Plan
    fail_on: Severity | None
    max_bytes: int
    workdir: str | None = None
    """The folder that exclude patterns are relative to when no configuration file is in effect (None: the
    working directory). Pull-request mode lints the base revision with the mirror's copy of the working
    directory here, rather than changing the process's working directory."""
    resolved_with: tuple[tuple[str, Any], ...] = ()
    """The options ``resolve_settings`` applied on top of the configuration (``select``, ``ignore``,
    ``kubernetes_version``, ...): pull-request mode reads the base revision's configuration with the same."""
    local_rules: tuple[Rule[Any], ...] = ()
    """The rules of the configuration's local plugins (``plugins:``) as this run imported them: pull-request mode
    reads the base revision's configuration with them standing in for its own ``plugins:``, which are never
    imported."""


def make_registry(
    rule_dirs: Sequence[str] = (), plugins: Sequence[str] = (), *, entry_points: bool = True, lazy: bool = True
) -> Registry:
    """Built-in packs, built-in declarative rules, entry-point plugins, then the config's own rules.

    With ``lazy`` (the default) built-in rules come from the generated catalog and their modules are
    imported only when they run; otherwise every built-in module is imported now.
    """
    packs: list[Sequence[Rule[Any]]] = []
    catalog = None
    if lazy:
        from guardlint.rules.catalog import lazy_builtin_rules

        catalog = lazy_builtin_rules()
    if catalog is None:
        from guardlint.rules.packs import builtin_rules

        packs.append(builtin_rules())
    if entry_points:
        packs.extend(load_plugin_packs())
    for d in rule_dirs:
        from pathlib import Path

        from guardlint.rules.declarative import load_rule_dir

        packs.append(load_rule_dir(Path(d)))
    for spec in plugins:
        packs.append(load_local_module(spec, os.getcwd()))
    # The catalog's rules were validated when ``guardlint docs`` wrote it (from ``make_registry(lazy=False)``),
    # and ``guardlint docs --check`` and the tests keep it current: they are not validated again on every run.
    return build_registry(packs, checked=catalog or ())


def _sequence_of_names(**values: Any) -> None:
    """A list argument given a single string would be read a character at a time (``select="all"`` is the
    selectors 'a', 'l' and 'l'; ``lint_paths("deploy")`` six missing paths): say so instead."""
    for name, value in values.items():
        if isinstance(value, (str, bytes)):
            raise TypeError(f"{name} takes a sequence of strings, not a single {type(value).__name__}: "
                            f"{name}=[{value!r}]")


def resolve_settings(
    *,
    config: str | Path | None = None,
    use_config_file: bool = True,
    select: Sequence[str] | None = None,
    extend_select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    kubernetes_version: str | None = None,
    fail_on: str | None = None,
    partial: bool = False,
    max_file_size_mb: float | None = None,
    entry_points: bool = True,
    cwd: str | None = None,
    allow_local_plugins: bool = False,
    render: bool | None = None,
    policy: str | Path | None = None,
    today: datetime.date | None = None,
    local_rules: Sequence[Rule[Any]] | None = None,
) -> Settings:
    """Find and load the configuration, apply overrides, and decide which rules run.

    ``policy`` names a policy file (``--policy``): the configuration's format, applied on top of the
    configuration (its settings win), and the only place rules can be locked (``locked:``).
    ``today`` is the date expiring suppressions are judged against (default: the system clock's).

    A configuration is untrusted input: local Python plugins it names (``plugins:``) are imported only with
    ``allow_local_plugins=True``; otherwise naming any is a ``ConfigError`` and nothing is imported.
    Installed entry-point packs load either way (``entry_points``).

    ``local_rules`` (pull-request mode, for the base revision's configuration: ``Settings.local_rules`` of the
    working tree's) stand in for the configuration's ``plugins:``, which are then neither imported nor refused:
    the configuration is read as data, with those rules known.
    """
    from guardlint.model.workloads import default_table

    _sequence_of_names(select=select, extend_select=extend_select, ignore=ignore)
    path: str | None = os.fspath(config) if config is not None else None
    if path is None and use_config_file:
        from guardlint.config.discovery import find_config

        path = find_config(cwd)
    if path is not None or policy is not None:
        from guardlint.config.loader import load_config

        local: list[Rule[Any]] = []

        def registry_for(rule_dirs: tuple[str, ...], plugins: tuple[str, ...]) -> Registry:
            if not plugins:
                return make_registry(rule_dirs, entry_points=entry_points)
            # The configuration's local plugins: imported (``load_config`` refused them before anything was
            # imported, unless allowed), or with ``local_rules`` never imported: those rules stand in for them.
            loaded = [] if local_rules is not None else [(spec, load_local_module(spec, os.getcwd()))
                                                         for spec in plugins]
            known = make_registry(rule_dirs, entry_points=entry_points)
            for i, (spec, rules) in enumerate(loaded):  # a clash is then named at the plugin's entry
                check_plugin_names(spec, rules, known, loaded[:i])
            local.extend(local_rules if local_rules is not None else (r for _, rules in loaded for r in rules))
            return build_registry((), checked=(*known.rules, *local))

        cfg, registry = load_config(path, registry_for,
                                    allow_local_plugins=allow_local_plugins or local_rules is not None,
                                    policy=os.fspath(policy) if policy is not None else None)
        plugin_rules = tuple(local)
    else:
        cfg, registry, plugin_rules = Config(), make_registry(entry_points=entry_points), ()
    problems = [
        (option, err)
        for option, values in (("select", select or ()), ("extend_select", extend_select), ("ignore", ignore))
        for s in dict.fromkeys(values)
        for err in [registry.check_selector(s)]
        if err
    ]
    if problems:  # each names its option: the parameter for a library caller, the flag on the command line
        raise UsageError.naming("; ".join(f"{{{option}}}: {{problem{i}}}" for i, (option, _) in enumerate(problems)),
                                **{f"problem{i}": err for i, (_, err) in enumerate(problems)})
    overrides: dict[str, Any] = {}
    if select is not None:
        overrides["select"] = tuple(select)
    if extend_select:
        overrides["extend_select"] = (*cfg.extend_select, *extend_select)
    if ignore:
        overrides["ignore"] = (*cfg.ignore, *ignore)
    if kubernetes_version is not None:
        try:
            overrides["kubernetes_version"] = parse_version(kubernetes_version)
        except ValueError as exc:
            raise UsageError.naming("{kubernetes_version}: {problem}", problem=exc) from None
    if render is not None:
        overrides["render"] = render
    if overrides:
        cfg = cfg._replace(**overrides)
    if fail_on is not None:
        level = None if fail_on == "never" else Severity.parse(fail_on)
    elif cfg.fail_on_set:
        level = cfg.fail_on
    else:
        level = Severity.ERROR
    plan = make_plan(registry, cfg, workloads=default_table(), partial=partial, today=today)
    if max_file_size_mb is not None:
        try:
            max_bytes = megabytes(max_file_size_mb, "max_file_size_mb")
        except ValueError as exc:  # "max_file_size_mb: expected ...": named for where it is read
            problem = str(exc).removeprefix("max_file_size_mb")
            raise UsageError.naming("{max_file_size_mb}{problem}", problem=problem) from None
    else:
        max_bytes = cfg.max_file_size or DEFAULT_MAX_BYTES
    resolved_with = (
        ("select", tuple(select) if select is not None else None), ("extend_select", tuple(extend_select)),
        ("ignore", tuple(ignore)), ("kubernetes_version", kubernetes_version), ("fail_on", fail_on),
        ("partial", partial), ("max_file_size_mb", max_file_size_mb), ("entry_points", entry_points),
        ("render", render), ("today", today),
    )
    return Settings(cfg, registry, plan, level, max_bytes, resolved_with=resolved_with, local_rules=plugin_rules)


def load_inputs(inputs: Sequence[Input], max_bytes: int, stdin: bytes | None = None) -> list[LoadedText]:
    loaded: list[LoadedText] = []
    memo = LoadMemo()  # plain scalars resolved once for all the files (see there)
    for item in inputs:
        result = read_input(item, max_bytes, stdin)
        if result.error is not None:
            loaded.append(LoadedText(result.display, (), (result.error,)))
        else:
            loaded.append(load_text(result.text or "", result.display, nodes=False, memo=memo))
    return loaded


def skip_chart_templates(
    loaded: Sequence[LoadedText], inputs: Sequence[Input]
) -> tuple[list[LoadedText], list[SkippedDocument]]:
    """Unrendered Helm templates inside a chart (a folder with ``Chart.yaml`` above them) are skipped with a
    note instead of failing the run: they are not manifests until the chart is rendered. A template-like
    file outside any chart stays an input error."""
    from guardlint.findings import ErrorKind
    from guardlint.source.files import chart_dir

    kept: list[LoadedText] = []
    skipped: list[SkippedDocument] = []
    for lt, item in zip(loaded, inputs, strict=True):
        first = lt.errors[0] if len(lt.errors) == 1 else None
        chart = (
            chart_dir(item.path)
            if first is not None and first.kind is ErrorKind.UNRENDERED_TEMPLATE and item.path != "-"
            else None
        )
        if first is None or chart is None:
            kept.append(lt)
            continue
        reason = (f"an unrendered Helm template of the chart in {chart} (render it with 'helm template' "
                  "and lint the output)")
        skipped.append(SkippedDocument(lt.file, first.line, reason, note=True))
        kept.append(lt._replace(errors=()))
    return kept, skipped


def excludes_of(settings: Settings) -> Excludes:
    """The configured exclude patterns and the folder they are relative to: the folder of the configuration
    file in effect (found or named with ``--config``; the patterns of the files it extends and of the
    ``--policy`` are relative to it too), or, with no configuration file, the working directory
    (``Settings.workdir``)."""
    config = settings.config
    folder = config.base_dir if config.source is not None else settings.workdir
    return Excludes.at(config.exclude, folder, config.files)


def render_options(settings: Settings, paths: Sequence[str], overrides: tuple[tuple[str, str], ...] = ()) -> Any:
    """The ``guardlint.render.run.RenderOptions`` of a run over ``paths`` (``overrides``: see there)."""
    from guardlint.render.run import RenderOptions

    return RenderOptions(
        enabled=settings.config.render, kubernetes_version=settings.plan.kubernetes_version,
        charts=settings.config, max_bytes=settings.max_bytes, excludes=excludes_of(settings),
        given=tuple(p if os.path.isdir(p) else os.path.dirname(os.path.abspath(p)) for p in paths if p != "-"),
        overrides=overrides, locked=bool(settings.config.locked),
    )


def run(
    paths: Sequence[str],
    settings: Settings,
    *,
    context: Sequence[str] = (),
    baseline: str | Path | None = None,
    stdin: bytes | None = None,
    stdin_filename: str | None = None,
    raise_errors: bool = False,
    timings: dict[str, float] | None = None,
    jobs: int = 1,
) -> Report:
    """Lint ``paths`` with resolved ``settings`` (see ``resolve_settings``). ``timings``, when given, receives
    the seconds each rule spent (``--profile-rules``). ``jobs`` is ``--jobs``: the number of processes
    (``guardlint.parallel.AUTO``, 0: decided from the input's size and the usable CPUs); the report is the same.

    The garbage collector is left as the caller has it: a library call shares the process with its host (the
    command line, which owns its process, pauses it around each run: see ``cli``)."""
    return _run(paths, settings, context=context, baseline=baseline, stdin=stdin,
                stdin_filename=stdin_filename, raise_errors=raise_errors, timings=timings, jobs=jobs)


def _with_user_schemas(plan: Plan, loaded: Sequence[LoadedText]) -> tuple[Plan, list[InputError]]:
    """Read the schemas the ``schemas`` setting offers for the kinds of the run's objects (file reading stays
    out of the rules)."""
    from guardlint.apischema.user import load_user_schemas
    from guardlint.model.resource import resources_of

    keys = {(r.api_version, r.kind) for lt in loaded for doc in lt.documents for r in resources_of(doc)}
    found, errors = load_user_schemas(plan.options["schemas"], keys)
    return plan._replace(options={**plan.options, "user-schemas": found}), errors


def _run(
    paths: Sequence[str],
    settings: Settings,
    *,
    context: Sequence[str],
    baseline: str | Path | None,
    stdin: bytes | None,
    stdin_filename: str | None,
    raise_errors: bool,
    timings: dict[str, float] | None = None,
    jobs: int = 1,
) -> Report:
    from guardlint.engine import lint_loaded

    excludes = excludes_of(settings)
    sizes: dict[str, int] = {}  # what discovery's ``lstat``s tell of the files' sizes (for the ``--jobs`` decision)
    inputs, errors, passed_over = discover_all(paths, excludes, sizes=sizes)
    own = [(i, why) for i in inputs if (why := excludes.own_reason(i.path)) is not None]
    if own:  # guardlint's configuration named explicitly (pre-commit names a changed .guardlint.yaml)
        passed_over = [*passed_over, *(SkippedDocument(i.display, 1, f"{why}: not linted", note=True)
                                       for i, why in own)]
        dropped = {id(i) for i, _ in own}
        inputs = [i for i in inputs if id(i) not in dropped]
    if excludes.patterns:
        # Files named explicitly (as pre-commit does) honour the configured excludes too.
        kept = [i for i in inputs if excludes.pattern_for(i.path, i.display) is None]
        if len(kept) != len(inputs):  # named explicitly but excluded: say so rather than drop them silently
            from guardlint.findings import EXCLUDED_NOTE

            source = f" ({settings.config.source})" if settings.config.source else ""
            passed_over = [*passed_over, *(SkippedDocument(i.display, 1, EXCLUDED_NOTE + source, note=True)
                                           for i in inputs if i not in kept)]
        inputs = kept
    if stdin_filename:
        inputs = [Input(i.path, stdin_filename) if i.path == "-" else i for i in inputs]
    units: list[Any] = []
    skipped_notes: list[Any] = []
    from guardlint.render.tree import partition

    parts = partition(inputs)
    if parts.charts or parts.kustomize:  # Helm charts and kustomize trees are rendered, then linted
        from guardlint.render.run import prepare

        options = render_options(settings, paths)
        prepared = prepare(parts, [p for p in paths if p != "-" and not os.path.isdir(p)], options)
        inputs, units, skipped_notes = prepared.raw, prepared.units, prepared.skipped
        errors = [*errors, *prepared.errors]
    helpers = [i for i in inputs if i.path != "-" and i.path.endswith(".tpl")]
    if helpers:
        # A Helm helper file (_helpers.tpl) is rendered with its chart; outside any chart (a Go template of some
        # other tool) it holds nothing to lint. pre-commit passes .tpl files so that a changed helper re-renders.
        passed_over = [*passed_over, *(SkippedDocument(i.display, 1, "a .tpl template outside any Helm chart: "
                                                       "nothing to lint", note=True) for i in helpers)]
        inputs = [i for i in inputs if i not in helpers]
    pooled = None
    if jobs != 1 and len(inputs) > 1 and timings is None and not settings.plan.options.get("schemas") \
            and pool_workers(inputs, jobs, sizes) > 1:
        # --profile-rules times the rules in one process; the schemas setting picks schemas from every kind; a
        # run that stays serial (``auto`` on a small input: every pre-commit run) does not import the pool
        from guardlint.parallel import load_pooled

        pooled = load_pooled(inputs, settings.max_bytes, settings.plan, jobs, raise_errors=raise_errors,
                             known_sizes=sizes,
                             rendered=None if context else [u.loaded for u in units])
    loaded, ready = pooled if pooled is not None else (load_inputs(inputs, settings.max_bytes, stdin), None)
    loaded, chart_templates = skip_chart_templates(loaded, inputs)
    loaded.extend(u.loaded for u in units)
    context_loaded: list[LoadedText] = []
    context_trees: list[str] = []
    if context:
        from guardlint.source.files import display_name

        shown = {i.display for i in inputs}
        found = discover_all(context, excludes)
        # a --context path that does not exist is an input error (GL009); one the linted paths already
        # reported (the same path given both ways, or a folder read twice) is reported once
        errors = [*errors, *(e for e in found.errors if e not in errors)]
        context_loaded = load_inputs([i for i in found.inputs if i.display not in shown], settings.max_bytes)
        context_trees = [display_name(c) for c in context if c != "-" and os.path.isdir(c)]
    plan = settings.plan
    if plan.options.get("schemas"):
        plan, schema_errors = _with_user_schemas(plan, [*loaded, *context_loaded])
        errors = [*errors, *schema_errors]
    report = lint_loaded(loaded, plan, context=context_loaded, context_trees=context_trees,
                         extra_errors=errors, raise_errors=raise_errors, timings=timings, ready=ready)
    if passed_over or chart_templates:
        # FIFOs, sockets and devices found in folders, and unrendered chart templates: listed like skipped
        # documents (chart templates in every text report, as a note)
        report = report._replace(skipped=(*passed_over, *sorted((*report.skipped, *chart_templates))))
    if units or skipped_notes:
        from guardlint.render.run import remap

        report = remap(report, units)._replace(skipped=(*report.skipped, *skipped_notes))
    if settings.config.locked and len(settings.config.exclude) > len(settings.config.policy_exclude):  # rare
        report = _locked_in_excluded(report, paths, settings, excludes, raise_errors=raise_errors)
    if baseline is not None:
        from guardlint import baseline as bl

        report = bl.apply(report, bl.read(baseline), bl.root_for(settings.config.source), os.fspath(baseline))
    return report


def _locked_in_excluded(report: Report, paths: Sequence[str], settings: Settings, excludes: Excludes, *,
                        raise_errors: bool) -> Report:
    """``report`` with the findings of the rules the policy locks on the files that only the repository's
    ``exclude`` patterns leave out: a repository cannot exclude files from a locked rule, as it cannot ``ignore``
    the rule (README, "For platform teams").

    Those files are linted in a second run, with the locked rules alone and as a ``--partial`` run (they are part
    of the repository: a reference from them to an object elsewhere is not judged). Only findings the lock covers
    are added (a namespace lock covers its namespaces), without their fixes (``--fix`` leaves the files the
    repository excluded alone). Input errors there are not added when the API server could not apply the file
    either (it does not parse, or holds what is not an object: the repository excluded the file from every other
    check), but those that left content unchecked which the API server may still get are
    (``_UNCHECKED_ERRORS``): otherwise excluding a file and making it larger than ``max-file-size-mb`` (which
    the repository sets too), or a chart that does not render here, would hide a locked rule's finding without a
    word. The files read are counted as checked. The first run is left exactly as it was."""
    plan = settings.plan
    locked = tuple(a for a in plan.active if a.rule.name in plan.locks)
    left_out = [i.path for i in excluded_by_repository(paths, settings, excludes)] if locked else []
    if not left_out:
        return report
    config = settings.config._replace(exclude=settings.config.policy_exclude)
    sub = _run(left_out, settings._replace(config=config, plan=plan._replace(active=locked, partial=True)),
               context=(), baseline=None, stdin=None, stdin_filename=None, raise_errors=raise_errors)

    def key(f: Finding) -> tuple[Any, ...]:  # as the engine tells findings apart
        return (f.file, f.document_index, f.rule, f.path, f.message, f.location)

    seen = {key(f) for f in report.findings}  # (a refused configuration entry is reported by both runs)
    added = [f._replace(fix=None) for f in sub.findings if f.locked_by is not None and key(f) not in seen]
    unchecked = [e._replace(hint=f"{e.hint.rstrip('.')}. {_LOCKED_HINT}" if e.hint else _LOCKED_HINT)
                 for e in sub.errors if e.kind in _UNCHECKED_ERRORS and e not in report.errors]
    return report._replace(
        findings=tuple(sorted((*report.findings, *added), key=Finding.sort_key)),
        errors=(*report.errors, *unchecked),
        files=tuple(sorted({*report.files, *sub.files})),
        resources=report.resources + sub.resources,
    )


_UNCHECKED_ERRORS = frozenset({
    ErrorKind.TOO_LARGE, ErrorKind.UNREADABLE, ErrorKind.TOO_DEEP, ErrorKind.ALIAS_BOMB, ErrorKind.RENDER_FAILED,
    ErrorKind.NO_RENDERER,
})
"""Input errors of a file the repository excluded that still count under a policy lock: guardlint's own limits
(size, nesting, alias expansion), a file it may not read, and a chart it could not render left content unchecked
that the API server may still be given, so a locked rule could not look at it."""
_LOCKED_HINT = ("The policy locks rules on this file, which the repository's exclude patterns leave out for the "
                "other rules, and guardlint could not check it; only the policy's exclude can leave it out.")


def excluded_by_repository(paths: Sequence[str], settings: Settings, excludes: Excludes) -> list[Input]:
    """The files under ``paths`` that the repository's ``exclude`` patterns leave out and the policy's do not
    (nothing when the policy locks no rule: ``_locked_in_excluded``)."""
    config = settings.config
    if not config.locked or len(config.exclude) <= len(config.policy_exclude):
        return []
    found = discover_all([p for p in paths if p != "-"], excludes._replace(patterns=config.policy_exclude))
    return [i for i in found.inputs
            if excludes.pattern_for(i.path, i.display) is not None and excludes.own_reason(i.path) is None]


def _settings_alone(function: str, **given: bool) -> None:
    """``settings`` was passed to ``function``: the options that make settings (``given``: whether each was
    passed) would be ignored, since the settings already decide all of them; a ``TypeError`` names them."""
    named = [name for name, passed in given.items() if passed]
    if named:
        raise TypeError(f"{function}() takes either settings or {', '.join(named)}, not both: pass them to "
                        "resolve_settings()")


def lint_paths(
    paths: Sequence[str | Path],
    *,
    config: str | Path | None = None,
    use_config_file: bool = True,
    select: Sequence[str] | None = None,
    extend_select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    kubernetes_version: str | None = None,
    partial: bool = False,
    context: Sequence[str | Path] = (),
    baseline: str | Path | None = None,
    allow_local_plugins: bool = False,
    diff_base: str | None = None,
    settings: Settings | None = None,
) -> Report:
    """Lint files and directories (recursively over .yaml, .yml and .json).

    ``config`` names a ``.guardlint.yaml`` explicitly; otherwise the nearest one above the working
    directory is used (``use_config_file=False`` turns discovery off). ``select``/``extend_select``/
    ``ignore`` take rule names, codes, code prefixes, packs and tags. ``partial=True`` says the paths are
    only part of the repository, so cross-object rules never report a referenced object as missing.
    ``context`` paths are read for cross-object rules but not reported on.

    Local Python plugins named by the configuration are imported only with ``allow_local_plugins=True``
    (see ``resolve_settings``).

    ``diff_base`` (a git revision such as ``origin/main``) is pull-request mode, as ``--diff-base``: the paths
    (in the git repository of the working directory) are linted at the merge base of that revision and HEAD
    too, and the report keeps the new findings and the suppressions the change added (``Report.diff`` counts
    them); a revision the clone does not hold raises ``UsageError`` with the fetch advice.

    ``settings`` (from ``resolve_settings``) lints with settings resolved once, as for ``lint_text``; the options
    that make settings (``config``, ``use_config_file``, ``select``, ``extend_select``, ``ignore``,
    ``kubernetes_version``, ``partial``, ``allow_local_plugins``) cannot be given with it (``TypeError``), while
    ``context``, ``baseline`` and ``diff_base`` can (with ``diff_base`` the base revision's configuration is read
    with the options the settings were resolved with).

    Raises ``ConfigError``, ``UsageError`` or ``RuleLoadError`` for a bad configuration; problems with
    the inputs themselves are ``Report.errors``.
    """
    _sequence_of_names(paths=paths, context=context)
    if settings is not None:
        _settings_alone("lint_paths", config=config is not None, use_config_file=not use_config_file,
                        select=select is not None, extend_select=bool(extend_select), ignore=bool(ignore),
                        kubernetes_version=kubernetes_version is not None, partial=partial,
                        allow_local_plugins=allow_local_plugins)
        overrides: dict[str, Any] = dict(settings.resolved_with)
    else:
        overrides = {"select": select, "extend_select": extend_select, "ignore": ignore,
                     "kubernetes_version": kubernetes_version, "partial": partial}
        settings = resolve_settings(config=config, use_config_file=use_config_file,
                                    allow_local_plugins=allow_local_plugins, **overrides)
    names, contexts = [str(p) for p in paths], [str(c) for c in context]
    if diff_base is None:
        return run(names, settings, context=contexts, baseline=baseline)
    from guardlint import diffbase

    base = diffbase.resolve_base(diff_base, os.getcwd())
    report = diffbase.diff(base, run(names, settings, context=contexts), names, settings,
                           lambda p, s, c: run(p, s, context=c), context=contexts,
                           resolve=lambda c, p, extra: resolve_settings(
                               config=c, use_config_file=False, policy=p, local_rules=(*settings.local_rules, *extra),
                               **overrides))
    if baseline is not None:
        from guardlint import baseline as bl

        report = bl.apply(report, bl.read(baseline), bl.root_for(settings.config.source), os.fspath(baseline))
    return report


def lint_text(
    text: str,
    filename: str = "<text>",
    *,
    config: str | Path | None = None,
    use_config_file: bool = False,
    select: Sequence[str] | None = None,
    extend_select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    kubernetes_version: str | None = None,
    partial: bool = False,
    raise_errors: bool = False,
    settings: Settings | None = None,
    allow_local_plugins: bool = False,
) -> Report:
    """Lint YAML or JSON text. By default no config file is read (pass ``config`` or
    ``use_config_file=True`` to use one); ``filename`` is what findings report as their file.

    ``settings`` (from ``resolve_settings``) lints with settings resolved once, which a long-lived process
    linting many texts saves on every call (finding and reading the configuration and the rule catalog); the
    options that make settings (``config``, ``select``, ...) cannot be given with it (``TypeError``)."""
    from guardlint.engine import lint_loaded

    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}" +
                        (" (decode it first: text.decode('utf-8'))" if isinstance(text, bytes) else ""))
    if settings is not None:
        _settings_alone("lint_text", config=config is not None, use_config_file=use_config_file,
                        select=select is not None, extend_select=bool(extend_select), ignore=bool(ignore),
                        kubernetes_version=kubernetes_version is not None, partial=partial,
                        allow_local_plugins=allow_local_plugins)
    else:
        settings = resolve_settings(
            config=config, use_config_file=use_config_file, select=select, extend_select=extend_select,
            ignore=ignore, kubernetes_version=kubernetes_version, partial=partial,
            allow_local_plugins=allow_local_plugins,
        )
    loaded = load_text(text, filename, nodes=False)
    return lint_loaded([loaded], settings.plan, raise_errors=raise_errors)


__all__ = [
    "ConfigError",
    "InputError",
    "RuleLoadError",
    "Settings",
    "UsageError",
    "lint_paths",
    "lint_text",
    "make_registry",
    "resolve_settings",
]
