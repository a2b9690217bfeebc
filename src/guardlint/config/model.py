"""Configuration values and their resolution into a run plan (which rules run, with what)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType

from guardlint._record import NamedTuple
from guardlint.errors import ConfigError
from guardlint.findings import Severity
from guardlint.model.index import KnownObject
from guardlint.model.workloads import WorkloadEntry, WorkloadTable
from guardlint.rules.api import Rule
from guardlint.rules.registry import Registry

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

LATEST_KUBERNETES = (1, 37)
"""The newest Kubernetes minor version guardlint knows; the default target."""
OLDEST_KUBERNETES = (1, 0)


class RuleSettings(NamedTuple):
    enabled: bool | None = None
    severity: Severity | None = None
    params: Mapping[str, Any] = MappingProxyType({})


class Origin(NamedTuple):
    """Where a configured value stands: its file (as displayed), 1-based line and column, and its path."""

    file: str
    line: int
    column: int
    path: tuple[str | int, ...]


SUPPRESSION_ANNOTATION_PREFIX = "ignore.guardlint.dev/"
"""The annotations that suppress a rule's findings on their object (``ignore.guardlint.dev/<rule>: <why>``, see
``guardlint.suppress``)."""


class Exemption(NamedTuple):
    """Findings matching every given criterion are suppressed, with the reason. ``origin`` locates it in
    its configuration file, so that an exemption that matches nothing can be reported there."""

    reason: str
    rules: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    origin: Origin | None = None
    from_policy: bool = False
    """Written in the policy file (``--policy``), or a file it extends: it may exempt locked rules."""
    until: datetime.date | None = None
    """The last day the exemption applies (``until: 2027-03-31``); after it, it suppresses nothing."""
    base: str | None = None
    """The absolute folder ``paths`` are relative to: the folder of the configuration file in effect (for the
    exemptions of the files it extends and of the policy too, as for ``exclude``); None for the working
    directory (no configuration file, or an exemption built in code)."""


class Lock(NamedTuple):
    """One entry of a policy's ``locked:`` list: the rules ``selector`` names (as ``select`` would) are
    locked, in the namespaces matching ``namespaces`` (globs; every object when empty). ``policy`` is the
    policy file that locks them, as displayed."""

    selector: str
    policy: str
    namespaces: tuple[str, ...] = ()
    origin: Origin | None = None
    implied: bool = False
    """The lock of ``suppression-not-allowed``, which comes with any other: ``selector`` is then the policy's
    first entry, the one that brought it, not an entry naming the rule."""

    def describe(self) -> str:
        """The lock as messages show it, in parentheses after the policy's name."""
        if self.implied:
            return f"locked with the rules it guards: the policy locks {self.selector!r}"
        return f"locked: {self.selector!r}"


class Refusal(NamedTuple):
    """A repository configuration entry that tried to switch off or weaken a locked rule, and was refused."""

    origin: Origin
    rule: str
    message: str


class Config(NamedTuple):
    source: str | None = None
    base_dir: str = "."
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    rules: Mapping[str, RuleSettings] = MappingProxyType({})
    exclude: tuple[str, ...] = ()
    """The exclude patterns of the configuration, the files it extends and the policy, added up."""
    policy_exclude: tuple[str, ...] = ()
    """Those of them the policy (or a file it extends) writes: the only ones that leave files out for the rules
    the policy locks (see ``guardlint.api.locked_in_excluded``)."""
    exemptions: tuple[Exemption, ...] = ()
    kubernetes_version: tuple[int, int] | None = None
    fail_on: Severity | None = None
    fail_on_set: bool = False
    workloads: tuple[WorkloadEntry, ...] = ()
    rule_dirs: tuple[str, ...] = ()
    plugins: tuple[str, ...] = ()
    known_objects: tuple[KnownObject, ...] = ()
    complete_namespaces: tuple[str, ...] = ()
    max_file_size: int | None = None
    options: Mapping[str, Any] = MappingProxyType({})
    render: bool = True
    """Render Helm charts and kustomize overlays (``render: false`` lints their files as they are)."""
    detect_embedded_pod_specs: bool = True
    """Find pod specs by their shape in custom resources the pod-template table does not list."""
    charts: Mapping[str, Any] = MappingProxyType({})
    """``charts:`` settings by chart folder (relative to ``base_dir``), as written in the file."""
    policy: str | None = None
    """The policy file (``--policy`` or ``GUARDLINT_POLICY``) applied on top of the configuration, if any."""
    locked: tuple[Lock, ...] = ()
    policy_severities: Mapping[str, Severity] = MappingProxyType({})
    """Severities the policy itself sets: a locked rule runs at least at this (or its default) severity."""
    refusals: tuple[Refusal, ...] = ()
    reason_pattern: str | None = None
    """The policy's ``suppression-reason-pattern``: every suppression's reason must contain a match."""
    files: tuple[str, ...] = ()
    """Real paths of every configuration file read: the configuration, the files it extends, the policy and
    the files the policy extends (never linted as manifests)."""


class ActiveRule(NamedTuple):
    """A rule that runs, with its effective severity and its configured parameter values.

    ``params`` builds the rule's parameter object (importing a lazily registered rule); the engine
    builds it once per run.
    """

    rule: Rule[Any]
    severity: Severity
    param_values: Mapping[str, Any] = MappingProxyType({})

    @property
    def params(self) -> Any:
        return self.rule.make_params(self.param_values)


class Plan(NamedTuple):
    """Everything the engine needs: the registry, the rules that run and the run-wide settings."""

    registry: Registry
    active: tuple[ActiveRule, ...]
    kubernetes_version: tuple[int, int] = LATEST_KUBERNETES
    workloads: WorkloadTable = WorkloadTable(())
    exemptions: tuple[Exemption, ...] = ()
    partial: bool = False
    known_objects: tuple[KnownObject, ...] = ()
    complete_namespaces: frozenset[str] = frozenset()
    options: Mapping[str, Any] = MappingProxyType({})
    locks: Mapping[str, tuple[Lock, ...]] = MappingProxyType({})
    """The locks on each locked rule, by rule name."""
    refusals: tuple[Refusal, ...] = ()
    reason_pattern: str | None = None
    policy: str | None = None
    today: datetime.date | None = None
    """The date expiring suppressions are judged against (None: the system clock's, when they are judged)."""

    def lock_for(self, rule: str, namespace: str | None) -> Lock | None:
        """The lock that covers a finding of ``rule`` on an object in ``namespace``, if any."""
        import fnmatch

        for lock in self.locks.get(rule, ()):
            if not lock.namespaces or (namespace and any(fnmatch.fnmatchcase(namespace, n)
                                                         for n in lock.namespaces)):
                return lock
        return None

    def is_active(self, name: str) -> bool:
        return any(a.rule.name == name for a in self.active)


def parse_version(text: str) -> tuple[int, int]:
    """Parse ``1.30``, ``v1.30``, ``1.30.2`` or ``latest`` (as Pod Security Admission labels say it).

    Only the versions guardlint knows are accepted, from ``OLDEST_KUBERNETES`` to ``LATEST_KUBERNETES``:
    rules that depend on the version would otherwise judge at a version that never existed.
    """
    if str(text).strip().lower() == "latest":
        return LATEST_KUBERNETES
    raw = str(text).strip().lstrip("vV")
    parts = raw.split(".")
    newest = f"{LATEST_KUBERNETES[0]}.{LATEST_KUBERNETES[1]}"
    known = f"{OLDEST_KUBERNETES[0]}.{OLDEST_KUBERNETES[1]} to {newest}"
    try:
        if not 2 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
            raise ValueError
        major, minor = int(parts[0]), int(parts[1])
    except ValueError:
        raise ValueError(f"invalid Kubernetes version {text!r}: write MAJOR.MINOR such as '1.30' (guardlint "
                         f"knows {known}), or latest") from None
    if not OLDEST_KUBERNETES <= (major, minor) <= LATEST_KUBERNETES:
        raise ValueError(f"Kubernetes version {text!r} is not one guardlint knows: use a version from {known}, "
                         f"or latest ({newest})")
    return major, minor


CORE_PACK = "core"
"""Checks on the input itself and on suppressions: they run whatever ``select`` says (``ignore`` or
``rules: {NAME: {enabled: false}}`` turns them off)."""


def _best_scores(
    registry: Registry, selectors: Iterable[str], score: Callable[[str, Rule[Any]], int]
) -> dict[str, int]:
    """Each rule's best ``score`` over ``selectors`` (rules no selector names are left out). Each distinct
    selector is scored only against the rules it could name, so a list of any length resolves in time
    proportional to its length plus the rules it names."""
    best: dict[str, int] = {}
    for s in dict.fromkeys(selectors):
        for r in registry.candidates(s):
            value = score(s, r)
            if value > best.get(r.name, -1):
                best[r.name] = value
    return best


def _enabled(r: Rule[Any], config: Config, selected: Mapping[str, int], ignored: Mapping[str, int]) -> bool:
    """Whether ``r`` runs: an explicit ``enabled`` wins; else the most specific select entry (or the default
    set, or the core pack) against the most specific ignore entry, ignore winning a tie. ``selected`` and
    ``ignored`` are the best scores of the select (and extend-select) and ignore entries (``_best_scores``)."""
    settings = config.rules.get(r.name)
    if settings is not None and settings.enabled is not None:
        return settings.enabled
    best_select = selected.get(r.name, -1)
    if (config.select is None or r.info.pack == CORE_PACK) and r.info.enabled_by_default:
        best_select = max(best_select, 0)  # the default set (and the core pack) act as an implicit "all"
    if best_select < 0:
        return False
    return best_select > ignored.get(r.name, -1)


def check_selectors(registry: Registry, config: Config) -> None:
    problems = []
    for group, values in (("select", config.select or ()), ("extend-select", config.extend_select),
                          ("ignore", config.ignore)):
        for s in dict.fromkeys(values):
            err = registry.check_selector(s)
            if err:
                problems.append(f"{group}: {err}")
    if problems:
        where = f"{config.source}: " if config.source else ""
        raise ConfigError(where + "; ".join(problems))


NOT_ALLOWED = "suppression-not-allowed"


def locked_rules(registry: Registry, locked: Iterable[Lock]) -> dict[str, tuple[Lock, ...]]:
    """The locks on each rule: an entry locks the rules its selector would turn on in ``select`` (a pack or
    code prefix its rules that are on by default; a name, code or tag every rule it names)."""
    out: dict[str, list[Lock]] = {}
    first: Lock | None = None
    for lock in locked:
        first = first or lock
        for r in registry.candidates(lock.selector):
            if registry.selects(lock.selector, r) >= 0:
                out.setdefault(r.name, []).append(lock)
    if first is not None and registry.get(NOT_ALLOWED) is not None and NOT_ALLOWED not in out:
        # the rule that reports refused suppressions is locked with the rules it guards
        out[NOT_ALLOWED] = [Lock(first.selector, first.policy, (), first.origin, implied=True)]
    return {name: tuple(locks) for name, locks in out.items()}


def _table_for(workloads: WorkloadTable, config: Config) -> WorkloadTable:
    """The workload table with the configuration's rows and structural detection setting: the table itself
    when the configuration changes neither (an equal table, not built again on every run)."""
    table = workloads.extended(config.workloads) if config.workloads else workloads
    if table.detect_embedded != config.detect_embedded_pod_specs:
        table = table.with_detection(config.detect_embedded_pod_specs)
    return table


def make_plan(
    registry: Registry,
    config: Config,
    *,
    workloads: WorkloadTable,
    partial: bool = False,
    today: datetime.date | None = None,
) -> Plan:
    """Decide which rules run with which severity and parameters."""
    check_selectors(registry, config)
    selected = _best_scores(registry, (*(config.select or ()), *config.extend_select), registry.selects)
    ignored = _best_scores(registry, config.ignore, registry.specificity)
    locks = locked_rules(registry, config.locked)
    active: list[ActiveRule] = []
    for r in registry.rules:
        locked = r.name in locks
        if not locked and not _enabled(r, config, selected, ignored):
            continue  # a locked rule always runs
        settings = config.rules.get(r.name)
        severity = settings.severity if settings and settings.severity else r.info.severity
        if locked:  # no lower than the policy says, or than its default when the policy says nothing
            floor = config.policy_severities.get(r.name, r.info.severity)
            severity = severity if severity.at_least(floor) else floor
        active.append(ActiveRule(r, severity, settings.params if settings else MappingProxyType({})))
    return Plan(
        registry=registry,
        active=tuple(active),
        kubernetes_version=config.kubernetes_version or LATEST_KUBERNETES,
        workloads=_table_for(workloads, config),
        exemptions=config.exemptions,
        partial=partial,
        known_objects=config.known_objects,
        complete_namespaces=frozenset(config.complete_namespaces),
        options=config.options,
        locks=MappingProxyType(locks),
        refusals=config.refusals,
        reason_pattern=config.reason_pattern,
        policy=config.policy,
        today=today,
    )
