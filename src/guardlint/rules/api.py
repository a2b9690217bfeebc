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
from types import GenericAlias, MappingProxyType

from guardlint._frozen import Frozen
from guardlint._lazyre import lazy
from guardlint._record import NamedTuple
from guardlint.findings import Fix, FixEdit, Severity, structural_fix
from guardlint.model.index import ResourceIndex
from guardlint.model.paths import FieldPath
from guardlint.model.resource import Resource
from guardlint.model.workloads import WorkloadTable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Generic, TypeVar

__all__ = [
    "NO_PARAMS",
    "Fix",
    "FixEdit",
    "NoParams",
    "Reference",
    "Resource",
    "Rule",
    "RuleContext",
    "RuleInfo",
    "RuleMeta",
    "Severity",
    "Violation",
    "rule",
    "structural_fix",
]

NAME_RE = lazy(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
VERSION_RE = lazy(r"^[0-9]+\.[0-9]+(?:\.[0-9]+)?$")

STABLE = "stable"
PREVIEW = "preview"
DEPRECATED = "deprecated"
STATUSES = (STABLE, PREVIEW, DEPRECATED)
"""A rule's lifecycle status: ``stable`` (its findings change only to fix mistakes), ``preview`` (new; its
findings, parameters or name may still change) or ``deprecated`` (kept for now, to be removed)."""
CODE_RE = lazy(r"^[A-Z]{2,5}[0-9]{3}$")


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
    fix: Fix | None = None
    """A value to put in place of the reported scalar, when that alone repairs the problem safely."""


class RuleContext(Frozen):
    """What a rule may read besides its resource: every object of the run and the target cluster."""

    __slots__ = ("index", "kubernetes_version", "options", "workloads")
    _fields = ("index", "kubernetes_version", "workloads", "options")

    index: ResourceIndex
    kubernetes_version: tuple[int, int]
    workloads: WorkloadTable
    options: Mapping[str, Any]

    def __init__(
        self,
        index: ResourceIndex,
        kubernetes_version: tuple[int, int],
        workloads: WorkloadTable,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        self._set(index=index, kubernetes_version=kubernetes_version, workloads=workloads,
                  options=options if options is not None else MappingProxyType({}))


class NoParams(NamedTuple):
    """The parameters of a rule that has none."""


NO_PARAMS = NoParams()

if TYPE_CHECKING:
    P = TypeVar("P")

    class _Parametrised(Generic[P]):
        """``Rule`` is generic in its parameters' type (``Rule[Params]``) for type checkers."""

else:
    P = "P"

    class _Parametrised:
        """``Rule`` is generic for type checkers only (guardlint does not import ``typing`` at run time: about 2
        ms of every start-up); ``Rule[Params]`` written at run time gives a ``types.GenericAlias``, as ``list[int]``
        does."""

        __slots__ = ()
        __class_getitem__ = classmethod(GenericAlias)

CheckFn = Callable[[Resource, "Any", RuleContext], Iterable[Violation]]


class RuleInfo(NamedTuple):
    """A rule's light metadata: everything the registry, selection and reports need, known without importing
    the rule (built-in rules get it from the generated catalog). No documentation, no parameter schema: those
    are on ``RuleMeta`` (``Rule.meta``), so reading them from the light form is a type error."""

    code: str
    name: str
    title: str
    severity: Severity
    pack: str
    remediation: str
    tags: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    fixable: bool = False
    enabled_by_default: bool = True
    kinds: frozenset[str] | None = None
    """Object kinds the rule looks at (None: every kind); the engine skips the others."""
    extra: Mapping[str, str] = MappingProxyType({})
    """Free metadata shown in docs (for example the PSS control and the reference check id)."""
    engine: bool = False
    """Findings of this rule come from the engine itself (parse-level checks), not from ``check``."""
    status: str = "stable"
    """The rule's lifecycle: ``stable``, ``preview`` (may still change or be removed) or ``deprecated``."""
    since: str | None = None
    """The version of the pack the rule arrived in (for built-in rules, of guardlint)."""
    fix_safety: str | None = None
    """For a fixable rule, the safety of its fixes: ``safe``, ``unsafe`` or ``mixed`` (some of each, finding by
    finding); None when the rule offers no fix."""
    pods_only: bool = False
    """The rule judges only objects that have pod specs (``ctx.workloads.pods_of(resource)`` is not empty) and
    yields nothing for the others, so the engine does not call it on them (plugin API 1.2)."""
    gates: tuple[str, ...] = ()
    """Gates (``guardlint.rules.gates.GATES``): the rule yields nothing for an object for which none of them
    holds, so the engine neither imports nor calls it there (empty: no gate; plugin API 1.3)."""


class RuleMeta(NamedTuple):
    """A rule's full metadata: the light fields plus its documentation and parameter schema."""

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
    status: str = "stable"
    """The rule's lifecycle: ``stable``, ``preview`` (may still change or be removed) or ``deprecated``."""
    since: str | None = None
    """The version of the pack the rule arrived in (for built-in rules, of guardlint)."""
    fix_safety: str | None = None
    """For a fixable rule, the safety of its fixes: ``safe``, ``unsafe`` or ``mixed`` (some of each, finding by
    finding); None when the rule offers no fix."""
    pods_only: bool = False
    """The rule judges only objects that have pod specs (``ctx.workloads.pods_of(resource)`` is not empty) and
    yields nothing for the others, so the engine does not call it on them (plugin API 1.2)."""
    gates: tuple[str, ...] = ()
    """Gates (``guardlint.rules.gates.GATES``): the rule yields nothing for an object for which none of them
    holds, so the engine neither imports nor calls it there (empty: no gate; plugin API 1.3)."""

    def light(self) -> RuleInfo:
        """The light metadata of this rule (what ``Rule.info`` returns)."""
        # ``RuleInfo``'s fields are these fields but ``doc`` (6) and ``params_schema`` (9), in the same order
        # (``tests/unit/test_plugin_surface.py`` checks it): slices of the tuple, passed by position, cost a
        # fifth of the same call with keywords, made for every rule a run imports
        return RuleInfo._make((*self[:6], *self[7:9], *self[10:]))


class Rule(_Parametrised[P]):
    """A rule: metadata plus a pure check function and its parameter type.

    Built-in rules are registered lazily from a generated catalog (``guardlint/rules/_catalog.json``): their
    light metadata (``info``) is known without importing the rule's module, which is imported the first
    time the rule's check, parameters or full documentation (``meta``) are needed. Rules built with the
    ``@rule`` decorator are loaded from the start.
    """

    __slots__ = ("_check", "_doc", "_loader", "_meta", "_params_type", "info")

    def __init__(self, meta: RuleMeta, check: CheckFn, params_type: type[Any] = NoParams) -> None:
        self._meta: RuleMeta | None = meta
        self.info: RuleInfo = meta.light()
        """The light metadata (no documentation, no parameter schema); never imports the rule. A plain attribute,
        not a property: the engine reads it for every rule and kind of a run."""
        self._check: CheckFn | None = check
        self._params_type = params_type
        self._loader: Callable[[], Rule[Any]] | None = None
        self._doc: str | None = None
        """A docstring ``@rule`` has not dedented yet (``meta.doc`` then waits for it); None: ``meta`` is final."""

    @classmethod
    def lazy(cls, info: RuleInfo, loader: Callable[[], Rule[Any]]) -> Rule[Any]:
        """A rule known by its catalog metadata, loaded by ``loader`` on first use."""
        r: Rule[Any] = cls.__new__(cls)
        r._meta = None
        r.info = info
        r._check = None
        r._params_type = NoParams
        r._loader = loader
        r._doc = None
        return r

    def load(self) -> Rule[P]:
        """Import the rule's module if it is not loaded yet; returns the rule itself."""
        if self._meta is None and self._loader is not None:
            real = self._loader()
            if (real.code, real.name) != (self.info.code, self.info.name):
                from guardlint.errors import RuleLoadError

                raise RuleLoadError(
                    f"the rule is declared as {self.info.code} {self.info.name!r} but its loader returns "
                    f"{real.code} {real.name!r} (for a built-in rule, the catalog is stale: run 'guardlint docs' to "
                    "regenerate it)"
                )
            real.load()
            self._meta, self._check, self._params_type = real._meta, real._check, real._params_type
            self._doc = real._doc
        return self

    @property
    def loaded(self) -> bool:
        return self._meta is not None

    @property
    def meta(self) -> RuleMeta:
        """The full metadata, documentation and parameter schema included (imports a lazy rule)."""
        meta = self.load()._meta
        assert meta is not None
        if self._doc is not None:  # the documentation is dedented the first time it can be read
            meta = self._meta = meta._replace(doc=_dedent_doc(self._doc))
            self._doc = None
        return meta

    @property
    def check(self) -> CheckFn:
        check = self.load()._check
        assert check is not None
        return check

    @property
    def params_type(self) -> type[Any]:
        return self.load()._params_type

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def code(self) -> str:
        return self.info.code

    def __repr__(self) -> str:
        return f"Rule({self.info.code}, {self.info.name!r})"

    def default_params(self) -> Any:
        return self.params_type()

    def make_params(self, values: Mapping[str, Any]) -> Any:
        """Build the params object from validated kebab-case config values (lists become tuples)."""
        params_type = self.params_type
        if not values:
            return params_type()
        names = set(param_names(params_type))
        kwargs: dict[str, Any] = {}
        for key, value in values.items():
            attr = key.replace("-", "_")
            if attr in names:
                kwargs[attr] = _freeze(value)
        return params_type(**kwargs)


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
    """``inspect.cleandoc`` without importing inspect, and with C-speed string operations: a docstring is
    dedented for every rule that loads, on every run."""
    if not doc:
        return ""
    doc = doc.expandtabs()
    first, _, rest = doc.partition("\n")
    margins = [len(m) for m in _INDENT.findall(rest)]
    if margins:
        rest = _strip_margin(rest, min(margins))
    text = (first.strip() + "\n" + rest) if rest else first.strip()
    return "\n".join(line.rstrip() for line in text.strip("\n").split("\n")).strip("\n")


_INDENT = lazy(r"^([ ]*)\S", re.MULTILINE)


def _strip_margin(text: str, margin: int) -> str:
    if margin == 0:
        return text
    return re.sub(rf"(?m)^ {{1,{margin}}}", "", text)


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
    fixable: bool | str = False,
    enabled_by_default: bool = True,
    kinds: Iterable[str] | None = None,
    extra: Mapping[str, str] | None = None,
    engine: bool = False,
    doc: str | None = None,
    status: str = STABLE,
    since: str | None = None,
    pods_only: bool = False,
    gates: Iterable[str] = (),
) -> Callable[[CheckFn], Rule[Any]]:
    """Turn a generator function into a ``Rule``; its docstring becomes the rule's documentation.

    ``params`` is the rule's parameters, a NamedTuple whose fields declare their documentation and constraints
    (``guardlint.rules.params.param``); the JSON Schema is derived from it when first read. ``params_schema``
    (a hand-written schema) is still accepted for rules written before parameters were declared once.

    ``fixable`` is the safety of the fixes the rule offers (``"safe"``, ``"unsafe"`` or ``"mixed"``), or False;
    True (the form before fix safety existed) means ``"unsafe"``.

    ``pods_only`` declares that the rule yields nothing for an object without pod specs, as the rule finds
    them through ``ctx.workloads`` (``iter_pod_specs``, ``iter_all_containers``): the engine then skips such
    objects without calling the rule. Declare it only when every violation comes from the object's pods (not
    from operator shapes outside a pod template, metadata or other objects).

    ``gates`` names engine predicates (``guardlint.rules.gates.GATES``, for example ``"extended-resources"``):
    the rule declares that it yields nothing for an object for which none of them holds, and the engine then
    neither imports nor calls it there. Declare a gate only when that is exact, and say why next to it."""
    fix_safety = (fixable if isinstance(fixable, str) else "unsafe") if fixable else None
    derive = params_schema is None and params is not NoParams and bool(param_names(params))
    # Built here, by position in ``RuleMeta``'s field order (keywords cost twice as much, for every rule a run
    # imports), so that ``wrap`` closes over four names rather than every argument (a cell each, for every rule a
    # run imports). The docstring is dedented when ``Rule.meta`` is first read: a run reads none of them.
    meta = RuleMeta(
        code, name, title, severity, pack, remediation, "", tuple(tags), tuple(references), params_schema,
        bool(fixable), enabled_by_default, frozenset(kinds) if kinds is not None else None, dict(extra or {}),
        engine, status, since, fix_safety, pods_only, tuple(gates),
    )

    def wrap(fn: CheckFn) -> Rule[Any]:
        full = meta
        if derive:
            # ``import ... as`` rather than ``from ... import``: for a module that is not a package, Python 3.11's
            # ``from`` import formats and drops two AttributeError messages (``__path__``), about 6 K instructions
            import guardlint.rules.params as params_module

            # The rule's module namespace resolves the field annotations (strings under `from __future__ import
            # annotations`) when the params' module is not in sys.modules: a local plugin loaded from its file.
            # ``params_schema`` is field 9 (slices cost a third of ``_replace``)
            schema = params_module.ParamsSchema(params, fn.__globals__)
            full = RuleMeta._make((*meta[:9], schema, *meta[10:]))
        r: Rule[Any] = Rule(full, fn, params)
        r._doc = (doc if doc is not None else fn.__doc__) or None
        return r

    return wrap
