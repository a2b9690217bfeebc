"""The rule API: metadata plus a pure generator of violations.

A rule never does I/O, never reads config and never knows its effective severity: it receives one
resource, its validated parameters and a read-only context, and yields ``Violation``s whose paths are
relative to the resource root. The engine locates, enriches, suppresses and reports them.

Example (a third-party pack registers a callable returning rules under the ``guardlint.rules`` entry
point group)::

    from guardlint.rules.api import Violation, rule, Severity
    from guardlint.model.workloads import iter_all_containers

    @rule(code="ACME001", name="missing-team-label", title="Object has no team label",
          severity=Severity.WARNING, pack="acme", remediation="Add a metadata.labels.team label.")
    def missing_team_label(resource, params, ctx):
        '''## What it does ...'''
        if "team" not in resource.labels:
            yield Violation(("metadata", "labels", "team"), "object has no 'team' label")
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Generic, NamedTuple, TypeVar

from guardlint.findings import Severity
from guardlint.model.index import ResourceIndex
from guardlint.model.paths import FieldPath
from guardlint.model.resource import Resource
from guardlint.model.workloads import WorkloadTable

__all__ = [
    "NO_PARAMS",
    "NoParams",
    "Reference",
    "Rule",
    "RuleContext",
    "RuleMeta",
    "Severity",
    "Violation",
    "rule",
]

NAME_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
CODE_RE = re.compile(r"^[A-Z]{2,5}[0-9]{3}$")


class Reference(NamedTuple):
    title: str
    url: str


class Violation(NamedTuple):
    """What a rule reports: a path relative to the resource root and a specific message.

    For a missing field, ``path`` is where the field should be; the finding is placed on the nearest
    existing parent and keeps the full path. ``at_value`` places it on the value instead of the key.
    """

    path: FieldPath
    message: str
    at_value: bool = False


@dataclass(frozen=True, slots=True)
class RuleContext:
    """What a rule may read besides its resource: every object of the run and the target cluster."""

    index: ResourceIndex
    kubernetes_version: tuple[int, int]
    workloads: WorkloadTable
    options: Mapping[str, Any] = field(default_factory=dict)


class NoParams(NamedTuple):
    """The parameters of a rule that has none."""


NO_PARAMS = NoParams()

P = TypeVar("P")

CheckFn = Callable[[Resource, Any, RuleContext], Iterable[Violation]]


class RuleMeta(NamedTuple):
    code: str
    name: str
    title: str
    severity: Severity
    pack: str
    remediation: str
    doc: str = ""
    tags: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    params_schema: Mapping[str, Any] | None = None
    fixable: bool = False
    enabled_by_default: bool = True
    kinds: frozenset[str] | None = None
    """Object kinds the rule looks at (None: every kind); the engine skips the others."""
    extra: Mapping[str, str] = MappingProxyType({})
    """Free metadata shown in docs (for example the PSS control and the reference check id)."""
    engine: bool = False
    """Findings of this rule come from the engine itself (parse-level checks), not from ``check``."""


@dataclass(frozen=True, slots=True)
class Rule(Generic[P]):
    meta: RuleMeta
    check: CheckFn
    params_type: type[Any] = NoParams

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def code(self) -> str:
        return self.meta.code

    def default_params(self) -> Any:
        return self.params_type()

    def make_params(self, values: Mapping[str, Any]) -> Any:
        """Build the params dataclass from validated kebab-case config values (lists become tuples)."""
        if not values:
            return self.params_type()
        names = set(param_names(self.params_type))
        kwargs: dict[str, Any] = {}
        for key, value in values.items():
            attr = key.replace("-", "_")
            if attr in names:
                kwargs[attr] = _freeze(value)
        return self.params_type(**kwargs)


def param_names(params_type: type[Any]) -> tuple[str, ...]:
    """Field names of a params class: a NamedTuple (preferred: cheap to define) or a dataclass."""
    fields = getattr(params_type, "_fields", None)
    if fields is not None:
        return tuple(fields)
    import dataclasses

    return tuple(f.name for f in dataclasses.fields(params_type))


def _freeze(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return {k: _freeze(v) for k, v in value.items()}
    return value


def _dedent_doc(doc: str | None) -> str:
    if not doc:
        return ""
    import inspect

    return inspect.cleandoc(doc)


def rule(
    *,
    code: str,
    name: str,
    title: str,
    severity: Severity,
    pack: str,
    remediation: str,
    tags: Iterable[str] = (),
    references: Iterable[Reference] = (),
    params: type[Any] = NoParams,
    params_schema: Mapping[str, Any] | None = None,
    fixable: bool = False,
    enabled_by_default: bool = True,
    kinds: Iterable[str] | None = None,
    extra: Mapping[str, str] | None = None,
    engine: bool = False,
    doc: str | None = None,
) -> Callable[[CheckFn], Rule[Any]]:
    """Turn a generator function into a ``Rule``; its docstring becomes the rule's documentation."""

    def wrap(fn: CheckFn) -> Rule[Any]:
        meta = RuleMeta(
            code=code,
            name=name,
            title=title,
            severity=severity,
            pack=pack,
            remediation=remediation,
            doc=_dedent_doc(doc if doc is not None else fn.__doc__),
            tags=tuple(tags),
            references=tuple(references),
            params_schema=params_schema,
            fixable=fixable,
            enabled_by_default=enabled_by_default,
            kinds=frozenset(kinds) if kinds is not None else None,
            extra=dict(extra or {}),
            engine=engine,
        )
        return Rule(meta, fn, params)

    return wrap
