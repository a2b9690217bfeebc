"""The engine: documents -> resources -> rule violations -> located findings -> suppressions -> a Report.

A ``Run`` holds everything one lint run knows (its documents and objects, the cross-object index, the
rule context with the run's own pod-spec memo, the findings so far with the object each belongs to) and
is dropped when the report is made, so nothing of a run outlives it. The core rules' findings are made by
emitters that sit next to their metadata (``guardlint/rules/core/<rule>.py``: ``emit``), imported only
when there is something to emit. No I/O and no printing happen here; the same function serves the CLI,
the library API and the tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import chain
from time import perf_counter

from guardlint._record import NamedTuple
from guardlint.config.model import SUPPRESSION_ANNOTATION_PREFIX, ActiveRule, Plan, Refusal
from guardlint.findings import (
    ErrorKind,
    Finding,
    Fix,
    FixEdit,
    InputError,
    Location,
    LockedBy,
    Report,
    ResourceRef,
    RuleRun,
    SkippedDocument,
)
from guardlint.model.index import ResourceIndex, in_trees
from guardlint.model.paths import FieldPath
from guardlint.model.resource import Resource, incomplete_objects, resources_of, skip_reason, stray_documents
from guardlint.model.workloads import WorkloadTable
from guardlint.rules.api import CheckFn, RuleContext, Violation
from guardlint.rules.core import Core
from guardlint.rules.gates import PODS, holds, needed, open_gates, passes, pod_less
from guardlint.source.loader import Document, LoadedText

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

Ready = Callable[[Resource, ActiveRule], "list[Finding] | None"]
"""Findings of an (object, rule) pair worked out elsewhere, or None (see ``Run.check``)."""

_PLAIN_PARTS = frozenset((str, int))
"""The types of a field path's parts that ``SharedValues`` shares (``True == 1`` must not turn a part into another)."""
_SHAPED = frozenset((str, int, bool, type(None)))
"""The types of the parts of a fix that ``SharedValues`` keys by their types instead of by ``repr`` (see
``_fix_shape``). Floats are not among them: ``-0.0 == 0.0``, yet they print differently."""
_NO_GATES: frozenset[str] = frozenset()
_END: Any = object()
"""What ``next`` gives for a rule's violations once there are no more (a rule may yield anything)."""


class SharedValues:
    """One run's memo of the values its findings hold: equal messages, field paths, locations and fixes
    become one shared object instead of one each (a run of 100,000 findings repeats most of them: the same
    field of the same container shape, the same fix of a rule, the same message on similar objects).

    Exact: every value kept here is immutable, and a finding gets a value only when it is equal to the
    one it brought *and* of the same types all through, so nothing the report prints can differ: messages
    are ``str``; a path is shared only when all its parts are exactly ``str`` or ``int`` (``True == 1`` must
    not turn a part into another); a location holds four ``int``; a fix is keyed by its value and its
    ``repr`` (which tells ``False`` from ``0`` and ``1`` from ``1.0`` in edit values), or, for a fix made only
    of strings, integers, booleans and None, by its value and the types of its parts (``_fix_shape``: the
    same distinction, cheaper), and a fix that holds unhashable data (a mapping in an edit) is kept as it is.
    Owned by the run, dropped with it."""

    __slots__ = ("_fixes", "_locations", "_paths", "_texts")

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}
        self._paths: dict[FieldPath, FieldPath] = {}
        self._locations: dict[Location, Location] = {}
        self._fixes: dict[tuple[Fix, str | tuple[type, ...]], Fix] = {}

    def text(self, value: str) -> str:
        return self._texts.setdefault(value, value) if type(value) is str else value

    def path(self, value: FieldPath) -> FieldPath:
        if _PLAIN_PARTS.issuperset(map(type, value)):
            return self._paths.setdefault(value, value)
        return value

    def location(self, value: Location) -> Location:
        return self._locations.setdefault(value, value) if type(value) is Location else value

    def fix(self, value: Fix | None) -> Fix | None:
        if value is None or type(value) is not Fix:
            return value
        shape = _fix_shape(value)
        try:
            return self._fixes.setdefault((value, shape if shape is not None else repr(value)), value)
        except TypeError:  # unhashable data in an edit's value
            return value


def _fix_shape(fix: Fix) -> tuple[type, ...] | None:
    """The types of a fix's parts in order (each edit's path parts, then its value), when its texts are ``str``
    and every one of those parts is a ``str``, ``int``, ``bool`` or None (``_SHAPED``); else None. Two equal
    fixes of the same shape hold the same values of the same types everywhere, so they print alike: the
    memo keys such fixes by their shape, which costs a fraction of ``repr`` (a Python-level walk of the
    named tuples), and every other fix by ``repr`` (the two kinds of key never meet: a tuple is never equal to
    a ``str``)."""
    if type(fix.value) is not str or type(fix.description) is not str or type(fix.safety) is not str \
            or type(fix.edits) is not tuple:
        return None
    shape: list[type] = []
    for edit in fix.edits:
        if type(edit) is not FixEdit or type(edit.op) is not str or type(edit.path) is not tuple:
            return None
        shape += map(type, edit.path)
        shape.append(type(edit.value))
    return tuple(shape) if _SHAPED.issuperset(shape) else None


def make_finding(
    active: ActiveRule,
    resource: Resource | None,
    document: Document,
    path: FieldPath,
    message: str,
    *,
    at_value: bool = False,
    location: Location | None = None,
    fix: Fix | None = None,
    ref: ResourceRef | None = None,
    shared: SharedValues | None = None,
) -> Finding:
    """A located finding of ``active``'s rule on ``resource`` (or on the document when None); ``path`` is
    relative to the resource. Used by the engine and by the core rules' emitters. ``ref``, when given, is
    ``resource.ref`` made once for the object, so that all of its findings share one value (it equals a new
    one: a NamedTuple of the same four fields) instead of holding one each; ``shared``, when given, is the
    run's memo of equal values (see ``SharedValues``)."""
    prefix = resource.prefix if resource is not None else ()
    exact = True
    if location is None:
        location, exact = document.locate((*prefix, *path), at_value=at_value)
    meta = active.rule.info
    fix = fix if exact or (fix is not None and fix.edits) else None
    if document.embedded is not None:
        fix = None  # an object embedded as text (an Argo manifest): an edit would have to be made in the string
    if shared is not None:
        message, location, path, fix = shared.text(message), shared.location(location), shared.path(path), \
            shared.fix(fix)
    return Finding(
        rule=meta.name,
        code=meta.code,
        severity=active.severity,
        message=message,
        file=document.file,
        location=location,
        path=path,
        resource=(ref if ref is not None else resource.ref) if resource is not None else None,
        remediation=meta.remediation,
        origin=document.origin,
        document_index=document.index,
        exact=exact,
        fix=fix,
    )


def _run_rule(
    active: ActiveRule,
    resource: Resource,
    ctx: RuleContext,
    raise_errors: bool,
    error_rule: ActiveRule | None,
    params: dict[str, Any],
    ref: ResourceRef | None = None,
    shared: SharedValues | None = None,
) -> list[Finding]:
    """One rule on one object, for a rule whose check or parameters could not be made once for the run (an
    import or parameter error is then raised, or reported as ``rule-error``, on every object, as the rule
    would fail on each). ``ref`` and ``shared`` are passed on to ``_findings`` (see ``make_finding``)."""
    meta = active.rule.info
    if meta.engine or (meta.kinds is not None and resource.kind not in meta.kinds):
        return []
    try:
        name = meta.name
        if name not in params:
            params[name] = active.params
        return _findings(active, resource, active.rule.check(resource, params[name], ctx), ctx, ref, shared)
    except Exception as exc:
        if raise_errors:
            raise
        return _rule_failed(active, resource, error_rule, exc)


def _findings(active: ActiveRule, resource: Resource, violations: Iterable[Violation], ctx: RuleContext,
              ref: ResourceRef | None = None, shared: SharedValues | None = None) -> list[Finding]:
    """The located findings of a rule's violations on ``resource`` (``ref``: its ``resource.ref``, shared by
    the object's findings, see ``make_finding``)."""
    out: list[Finding] = []
    made: bool | None = None  # whether the object has a pod made by a builder: asked once, at the first violation
    embedded = False  # whether the object is embedded as text (an Argo manifest): asked at the first violation too
    for v in violations:
        path, fix = v.path, v.fix
        if made is None:
            made = ctx.workloads.has_made_pods(resource)
            embedded = resource.document.embedded is not None
        if embedded and _filled_in_at_run_time(resource, path):
            continue  # a value Argo substitutes when it makes the object: not judged
        if made:  # a pod an operator makes: lead the path to what was written
            written = ctx.workloads.written_path(resource, v.path)
            if written is None:
                continue  # a pod-level field the object does not hold (a Tekton Task's pod)
            # A value replacement stays when the field is where the rule saw it; structural edits only where
            # they land as written (``_edits_in_place``: a pod made by a builder has none such, a template
            # completed from defaults elsewhere in the object, an Argo Workflow's templateDefaults, has some).
            keep = written == v.path and fix is not None and (not fix.edits or _edits_in_place(fix, resource, ctx))
            path, fix = written, (fix if keep else None)
        out.append(make_finding(active, resource, resource.document, path, v.message, at_value=v.at_value, fix=fix,
                                ref=ref, shared=shared))
    return out


def _filled_in_at_run_time(resource: Resource, path: FieldPath) -> bool:
    """Whether a finding at ``path`` of an object embedded as text judges a value that holds an Argo expression
    (``guardlint.source.argoexpr``), on the way to it or under it."""
    from guardlint.source.argoexpr import expression_at

    return expression_at(resource.data, path)


def _edits_in_place(fix: Fix, resource: Resource, ctx: RuleContext) -> bool:
    """Whether a structural fix on an object with made or completed pods does, written into the object, what
    it does to the pod the rule judged. Exact when every edit sets a scalar or appends to a list at a path that
    no alias of the object's pods leads elsewhere, neither at, above nor below it: such a path and everything
    under it are the object's own values, written where the pod has them, and the object's value wins over
    the defaults it is completed from (a scalar replaces, a list without a merge key is replaced whole; a list
    merged by key holds defaults' items, each an alias). A pod made by a builder (Tekton, Spark, Flink) has an
    alias at its own path, so no structural edit is offered on it, as before."""
    made = [m for pod in ctx.workloads.pods_of(resource) for m, _ in pod.aliases]
    for edit in fix.edits:
        if edit.op not in ("set", "append") or (edit.op == "set" and isinstance(edit.value, (dict, list))):
            return False
        p = edit.path
        if any(p[:len(m)] == m or m[:len(p)] == p for m in made):
            return False
    return True


def _rule_failed(active: ActiveRule, resource: Resource, error_rule: ActiveRule | None, exc: Exception
                 ) -> list[Finding]:
    import logging

    logging.getLogger(__name__).debug("rule %s failed on %s", active.rule.name, resource.display(), exc_info=True)
    if error_rule is None:
        return []
    from guardlint.rules.core import rule_error

    return [rule_error.emit(error_rule, active, resource, exc)]


class _Bound(NamedTuple):
    """A rule as one run calls it: its check function and parameters resolved once for the run (None when
    that failed: the rule then goes through ``_run_rule`` on every object, which reports the failure)."""

    active: ActiveRule
    check: CheckFn | None
    params: Any


def _bound(active: ActiveRule, bound: dict[str, _Bound], timings: dict[str, float] | None) -> _Bound:
    """A rule's check function and parameters, resolved once per run (importing a lazily registered rule; the
    time that takes counts as the rule's in ``timings``)."""
    name = active.rule.name
    got = bound.get(name)
    if got is None:
        started = perf_counter()
        try:
            got = _Bound(active, active.rule.check, active.params)
        except Exception:  # a rule that cannot load or take its parameters fails on every object, as before
            got = _Bound(active, None, None)
        bound[name] = got
        if timings is not None:
            timings[name] = timings.get(name, 0.0) + perf_counter() - started
    return got


class _Candidate(NamedTuple):
    """A rule that checks objects, with the declarations the engine selects it by, read once per run."""

    active: ActiveRule
    name: str
    pods_only: bool
    gates: tuple[str, ...]
    always: bool
    """Neither ``pods_only`` nor gated: called on every object of its kinds, whatever the gates answer."""


class _Checks:
    """The rules of a run that check objects, indexed by the kinds they name, so that the rules of a kind are
    found without testing every rule's kinds (they are the rules for every kind and those that name it, put
    back in the plan's order: the order the engine calls them in is unchanged).

    Kinds that the same rules name (every kind no rule names, most custom resources among them) share one
    ``_KindRules``: what ``of_kind`` answers depends on the positions of the rules that name the kind alone, so
    it is worked out once per set of positions, and the engine's plans, keyed by that value, are shared too."""

    __slots__ = ("_by_kind", "_candidates", "_every_kind", "_needs", "_shared")

    def __init__(self, checks: Sequence[ActiveRule]) -> None:
        self._candidates: list[_Candidate] = []
        self._needs: list[tuple[str, ...]] = []
        self._every_kind: list[int] = []
        by_kind: dict[str, list[int]] = {}
        for position, a in enumerate(checks):
            info = a.rule.info
            self._candidates.append(_Candidate(a, info.name, info.pods_only, info.gates,
                                               not info.pods_only and not info.gates))
            self._needs.append(needed(info.pods_only, info.gates))
            if info.kinds is None:
                self._every_kind.append(position)
            else:
                for kind in info.kinds:
                    by_kind.setdefault(kind, []).append(position)
        self._by_kind: dict[str, tuple[int, ...]] = {kind: tuple(named) for kind, named in by_kind.items()}
        self._shared: dict[tuple[int, ...], _KindRules] = {}

    def of_kind(self, kind: str) -> _KindRules:
        """The rules that check objects of ``kind``, in the plan's order, and the gates they ask about (each
        once, in the order the rules first need them): one value for every kind the same rules name."""
        named = self._by_kind.get(kind, ())
        found = self._shared.get(named)
        if found is None:
            positions = sorted((*self._every_kind, *named)) if named else self._every_kind
            needs = self._needs
            candidates = self._candidates
            found = self._shared[named] = _KindRules(
                tuple([candidates[p] for p in positions]),
                tuple(dict.fromkeys([g for p in positions for g in needs[p]])),
            )
        return found


class _KindRules:
    """What ``_Checks.of_kind`` answers: the candidate rules of a kind and the gates they ask about. Equal only
    to itself (a dict key hashed by identity: one per set of rules naming a kind, see ``_Checks``)."""

    __slots__ = ("asks", "candidates")

    def __init__(self, candidates: tuple[_Candidate, ...], asks: tuple[str, ...]) -> None:
        self.candidates = candidates
        self.asks = asks


class Run:
    """One lint run. Built from the loaded files and the plan; ``check`` runs the rules, ``report`` applies
    suppressions and returns the Report. Its state (documents, objects, index, context, findings) is the
    run's alone and is released with it."""

    __slots__ = ("by_name", "core", "ctx", "documents", "errors", "extra_files", "findings", "loaded", "plan",
                 "resources", "resources_by_doc", "skipped")

    def __init__(
        self,
        loaded: Sequence[LoadedText],
        plan: Plan,
        *,
        context: Sequence[LoadedText] = (),
        context_trees: Sequence[str] = (),
        extra_errors: Sequence[InputError] = (),
    ) -> None:
        self.plan = plan
        self.loaded = loaded
        self.documents: list[Document] = []
        self.resources: list[Resource] = []
        self.skipped: list[SkippedDocument] = []
        self.resources_by_doc: dict[Document, list[Resource]] = {}
        """The objects of each document (a document is equal only to itself, so it is its own key)."""
        self.errors: list[InputError] = list(extra_errors)
        self.extra_files = frozenset(e.file for e in extra_errors)
        self.findings: list[tuple[Finding, Resource | None]] = []
        """Each finding with the object it belongs to (None: the document as a whole)."""
        self.by_name = {a.rule.name: a for a in plan.active}
        core = {c.value: c for c in Core}
        self.core: dict[Core, ActiveRule] = {core[a.rule.name]: a for a in plan.active if a.rule.name in core}
        """The core rules this run emits (``duplicate-key``, ``rule-error``, the suppression checks)."""
        for lt in loaded:
            self.errors.extend(lt.errors)
            stray = stray_documents(lt.documents)
            for doc in lt.documents:
                self.documents.append(doc)
                if stray and doc in stray:  # (a Document's hash is a Python call: asked only when there are any)
                    location, _ = doc.locate(())
                    self.errors.append(InputError(
                        ErrorKind.NOT_AN_OBJECT, doc.file, location.line, location.column,
                        f"document is {stray[doc]}, not a mapping, among Kubernetes objects: kubectl apply fails "
                        "on it ('invalid object to validate'), so the file cannot be applied",
                        "Delete the stray text, make it a comment with '#', or fix the template that printed it.",
                    ))
                    continue
                for message, where in incomplete_objects(doc):
                    location, _ = doc.locate(where)
                    self.errors.append(InputError(
                        ErrorKind.INCOMPLETE_OBJECT, doc.file, location.line, location.column,
                        f"{message}: the API server and kubectl reject it, so it was not linted",
                        "Add the missing apiVersion or kind (for example apiVersion: apps/v1 with kind: Deployment).",
                    ))
                reason = skip_reason(doc)
                if reason is not None:
                    self.skipped.append(SkippedDocument(doc.file, doc.content_line, reason))
                    continue
                found = list(resources_of(doc))
                if not found:
                    self.skipped.append(SkippedDocument(doc.file, doc.content_line, "an empty List"))
                self.resources_by_doc[doc] = found
                self.resources.extend(found)
        context_resources = [r for lt in context for doc in lt.documents for r in resources_of(doc)]
        context_namespaces: frozenset[str] = frozenset()
        if plan.partial and (context or context_trees):
            # The --context paths make the set complete for what they hold: the namespaces of their objects and
            # of the linted objects that live in their folders (a changed file is read as linted, not context).
            context_namespaces = frozenset(
                r.namespace for r in context_resources if r.namespace is not None
            ) | frozenset(
                r.namespace for r in self.resources if r.namespace is not None and in_trees(r.file, context_trees)
            )
        index = ResourceIndex(
            tuple(self.resources + context_resources),
            partial=plan.partial,
            known=plan.known_objects,
            complete_namespaces=plan.complete_namespaces,
            shared_files=frozenset(r.file for r in context_resources),
            context_namespaces=context_namespaces,
            context_trees=tuple(context_trees),
        )
        # The pod-spec memo lives on this run's view of the workload table and dies with the run.
        self.ctx = RuleContext(index, plan.kubernetes_version, plan.workloads.for_run(), plan.options)

    def active(self, name: str) -> ActiveRule | None:
        """The rule ``name`` if it runs in this plan."""
        return self.by_name.get(name)

    def add(self, finding: Finding, owner: Resource | None) -> None:
        self.findings.append((finding, owner))

    def check(
        self,
        *,
        raise_errors: bool = False,
        timings: dict[str, float] | None = None,
        ready: Ready | None = None,
    ) -> None:
        """Run every rule that applies to each object's kind, then the core rules that work on the documents
        themselves. ``timings``, when given, receives each rule's seconds. ``ready``, when given, returns the
        findings of an (object, rule) pair already worked out elsewhere (a process of a pooled run,
        ``guardlint.parallel``), or None to run the pair here.

        Which rules judge an object is decided once per run for each kind and, when some of them declare
        gates (``guardlint.rules.gates``; ``pods_only`` is the gate ``pods``), for each combination of the
        gates' answers; each rule's check function and parameters are resolved once per run, when it first has
        an object to judge, so a rule's module is imported only when the rule runs."""
        ctx = self.ctx
        workloads = ctx.workloads
        error_rule = self.core.get(Core.RULE_ERROR)
        checks = _Checks([a for a in self.plan.active if not a.rule.info.engine])
        params: dict[str, Any] = {}
        of_kind: dict[str, _KindRules] = {}
        # Keyed by the kind's rules (a ``_KindRules``, shared by the kinds the same rules name, hashed by identity)
        # and the gates' answers.
        plans: dict[tuple[_KindRules, frozenset[str]], tuple[_Bound, ...]] = {}
        pod_less_answers: dict[tuple[str, str], frozenset[str]] = {}
        bound: dict[str, _Bound] = {}
        shared = SharedValues()
        findings = self.findings
        for resource in self.resources:
            kind = resource.kind
            kind_rules = of_kind.get(kind)
            if kind_rules is None:
                kind_rules = of_kind[kind] = checks.of_kind(kind)
            names = kind_rules.asks
            # A gated rule yields nothing for an object for which none of its gates holds (each declaration says
            # why), and the gates look where the rules look (the object's fields and the run's pod-spec memo,
            # ``ctx.workloads.pods_of``), so skipping it there loses nothing. Each gate is computed once per
            # object, and only the gates some rule of the kind declares.
            # An object without pod specs (most Services, ConfigMaps, RBAC objects ...) gets the answers of the
            # first object of its API group and kind without pods: every gate answers such an object from its
            # group and kind alone (``gates.Gate``), so this is one dict lookup instead of a call per gate.
            if not names:
                answers = _NO_GATES
            elif pod_less(resource, workloads):
                key = (resource.group, kind)
                known = pod_less_answers.get(key)
                if known is None:
                    known = pod_less_answers[key] = _open_gates(resource, workloads, names)
                answers = known
            else:
                answers = _open_gates(resource, workloads, names)
            rules = plans.get((kind_rules, answers))
            if rules is None:
                rules = plans[(kind_rules, answers)] = tuple([
                    bound.get(c.name) or _bound(c.active, bound, timings) for c in kind_rules.candidates
                    if c.always or passes(c.pods_only, c.gates, answers)
                ])
            if ready is not None or timings is not None:
                self._check_pairs(resource, rules, raise_errors, error_rule, params, shared, timings, ready)
                continue
            # The plain run (no pool, no timings): each pair as ``_check_pair`` checks it, spelled out here, where
            # every (object, rule) pair of the run passes.
            ref: ResourceRef | None = None
            for b in rules:
                check = b.check
                if check is None:
                    got = _run_rule(b.active, resource, ctx, raise_errors, error_rule, params)
                else:
                    try:
                        # Nearly every (object, rule) pair yields nothing: its first violation is asked for here,
                        # and only a pair that has one pays for locating its findings (``_findings``).
                        violations = iter(check(resource, b.params, ctx))
                        first = next(violations, _END)
                        if first is _END:
                            continue
                        # One ResourceRef per object, made at its first finding and shared by all of them (a value
                        # equal to what each finding would otherwise make for itself; about 90 bytes a finding).
                        ref = ref or resource.ref
                        got = _findings(b.active, resource, chain((first,), violations), ctx, ref, shared)
                    except Exception as exc:
                        if raise_errors:
                            raise
                        got = _rule_failed(b.active, resource, error_rule, exc)
                if got:
                    findings.extend([(f, resource) for f in got])
        if any(doc.duplicate_keys or doc.key_reads is not None for doc in self.documents):
            self._emit_keys()

    def _emit_keys(self) -> None:
        """The core rules' findings on the documents' keys: duplicate keys, and keys that kubectl reads as other
        text (``converted-key``) or cannot read (``unsupported-key``), which the loader notes on documents."""
        dup_rule = self.core.get(Core.DUPLICATE_KEY)
        if dup_rule is not None:
            from guardlint.rules.core import duplicate_key

            duplicate_key.emit(self, dup_rule)
        if not any(doc.key_reads is not None and doc.key_reads.converted for doc in self.documents):
            return
        converted = self.core.get(Core.CONVERTED_KEY)
        if converted is not None:
            from guardlint.rules.core import converted_key

            converted_key.emit(self, converted)
        unsupported = self.core.get(Core.UNSUPPORTED_KEY)
        if unsupported is not None:
            from guardlint.rules.core import unsupported_key

            unsupported_key.emit(self, unsupported)

    def _check_pairs(
        self,
        resource: Resource,
        rules: Sequence[_Bound],
        raise_errors: bool,
        error_rule: ActiveRule | None,
        params: dict[str, Any],
        shared: SharedValues,
        timings: dict[str, float] | None,
        ready: Ready | None,
    ) -> None:
        """``rules`` on ``resource`` in a run that times each rule (``timings``) or takes the pairs a pool worked
        out (``ready``); otherwise as ``check`` does it."""
        ctx = self.ctx
        ref = resource.ref
        for b in rules:
            done = ready(resource, b.active) if ready is not None else None
            if done is not None:
                self.findings.extend([(f, resource) for f in done])
                continue
            started = perf_counter()
            got: Sequence[Finding] = ()
            if b.check is None:
                got = _run_rule(b.active, resource, ctx, raise_errors, error_rule, params)
            else:
                try:
                    violations = iter(b.check(resource, b.params, ctx))
                    first = next(violations, _END)
                    if first is not _END:
                        got = _findings(b.active, resource, chain((first,), violations), ctx, ref, shared)
                except Exception as exc:
                    if raise_errors:
                        raise
                    got = _rule_failed(b.active, resource, error_rule, exc)
            if timings is not None:
                name = b.active.rule.name
                timings[name] = timings.get(name, 0.0) + perf_counter() - started
            self.findings.extend([(f, resource) for f in got])

    def report(self, meta: dict[str, str] | None = None) -> Report:
        """Apply suppressions (reporting unused and invalid ones) and make the Report."""
        plan = self.plan
        refused: list[Refusal] = list(plan.refusals)
        if self._may_suppress():
            from guardlint.suppress import apply_suppressions

            found, problems = apply_suppressions(
                [f for f, _ in self.findings], self.resources_by_doc, [o for _, o in self.findings], self.documents,
                plan, refused,
            )
        else:
            found, problems = [f for f, _ in self.findings], []
        findings: list[Finding] = list(found)
        if problems:
            from guardlint.rules.core import invalid_suppression, unused_suppression

            for p in problems:  # a refused suppression is reported like an invalid one, under its own rule
                module = unused_suppression if p.kind == "unused" else invalid_suppression
                which = (Core.UNUSED_SUPPRESSION if p.kind == "unused" else Core.SUPPRESSION_NOT_ALLOWED
                         if p.kind == "not-allowed" else Core.INVALID_SUPPRESSION)
                active = self.core.get(which)
                if active is not None:
                    findings.append(module.emit(self, active, p))
        config_invalid: set[str] = set()
        invalid_rule = self.core.get(Core.INVALID_SUPPRESSION)
        if invalid_rule is not None and plan.exemptions:
            from guardlint.rules.core import suppression_not_allowed
            from guardlint.suppress import exemption_problem, invalid_exemptions

            bad = [Refusal(ex.origin, "", exemption_problem(ex, plan))
                   for ex in invalid_exemptions(plan) if ex.origin is not None]
            if bad:
                emitted = suppression_not_allowed.emit_refusals(bad, invalid_rule)
                findings.extend(emitted)
                config_invalid = {f.file for f in emitted}
        not_allowed = self.core.get(Core.SUPPRESSION_NOT_ALLOWED)
        if refused and not_allowed is not None:
            from guardlint.rules.core import suppression_not_allowed

            refusals = suppression_not_allowed.emit_refusals(refused, not_allowed)
            findings.extend(refusals)
            config_refused = {f.file for f in refusals}
        else:
            config_refused = set()
        unused_rule = self.core.get(Core.UNUSED_SUPPRESSION)
        config_files: set[str] = set()
        if unused_rule is not None and plan.exemptions and not plan.partial and not self.errors:
            from guardlint.rules.core import unused_suppression

            unused = unused_suppression.emit_exemptions(findings, plan, unused_rule)
            findings.extend(unused)
            config_files = {f.file for f in unused}  # checked too, so that "N of M files" counts them

        unique: dict[tuple[Any, ...], Finding] = {}
        for f in findings:
            key = (f.file, f.document_index, f.rule, f.path, f.message, f.location)
            unique.setdefault(key, f)
        ordered = sorted(unique.values(), key=Finding.sort_key)
        if plan.locks:  # each finding of a locked rule says so, and which policy locks it
            ordered = [_stamp_lock(f, plan) for f in ordered]
        config_files |= config_refused | config_invalid
        files = tuple(sorted({lt.file for lt in self.loaded} | self.extra_files | config_files))
        return Report(
            findings=tuple(ordered),
            errors=tuple(sorted(self.errors, key=lambda e: (e.file, e.line, e.column))),
            files=files,
            resources=len(self.resources),
            skipped=tuple(self.skipped),
            rules=tuple(RuleRun(a.rule.name, a.rule.code, a.severity) for a in plan.active),
            meta=meta or {},
            warnings=(*(w for lt in self.loaded for w in lt.warnings), *self._partial_templates_warning()),
        )

    def _may_suppress(self) -> bool:
        """Whether the run holds a suppression of any form: a configuration exemption, a comment directive in a
        document, or a suppression annotation on an object. Without one, ``apply_suppressions`` marks no finding
        and reports no problem (each finding's suppressions are those three, and a lock only turns a matching
        suppression into a refusal), so a run without any neither imports nor calls it: exact."""
        if self.plan.exemptions or any(doc.directives for doc in self.documents):
            return True
        prefix = SUPPRESSION_ANNOTATION_PREFIX
        return any(isinstance(key, str) and key.startswith(prefix) for r in self.resources for key in r.annotations)

    def _partial_templates_warning(self) -> tuple[str, ...]:
        """A warning naming the partial pod templates (``model.embedded.partial_pod_templates``) of objects of
        kinds the workload table does not know, which no pod rule checks; none when the configuration turned
        structural detection off (it then reads no custom resource's pods) or no pod rule runs."""
        table = self.ctx.workloads
        if not table.detect_embedded or not any(a.rule.info.pods_only for a in self.plan.active):
            return ()
        found: list[tuple[str, int, str]] = []
        for r in self.resources:
            # Kubernetes' own kinds have none to find, nor has an object whose shape walk (the rules' pods) met no
            # mapping with a ``containers`` key (``WorkloadTable.walked_bare``: the same mappings, see there)
            if table.entry_for(r) is None and table.may_embed(r) and not table.walked_bare(r):
                from guardlint.model.embedded import partial_pod_templates  # a run of known kinds never needs it
                from guardlint.model.paths import to_dotted

                for path in partial_pod_templates(r, table):
                    loc, _ = r.document.locate((*r.prefix, *path))
                    found.append((r.file, loc.line, f"{r.ref.display()} at {r.file}:{loc.line} ({to_dotted(path)})"))
        if not found:
            return ()
        found.sort()
        shown = "; ".join(text for _, _, text in found[:3]) + (f"; and {len(found) - 3} more" if len(found) > 3 else "")
        warning = (f"pod rules did not check {len(found)} partial pod template{'s' if len(found) > 1 else ''} "
                   f"(containers without an image, which the object's operator completes; guardlint cannot tell "
                   f"what it adds): {shown}. The objects' other fields were checked.")
        return (warning,)


def _open_gates(resource: Resource, workloads: WorkloadTable, names: Sequence[str]) -> frozenset[str]:
    """The gates among ``names`` that hold for ``resource`` (``guardlint.rules.gates.open_gates``; a name the
    tests patch to open every gate and compare the reports)."""
    return open_gates(resource, workloads, names)


def _has_pods(ctx: RuleContext, resource: Resource) -> bool:
    """Whether ``resource`` has a pod spec, as the rules see it (the run's memo of ``pods_of``). If finding them
    fails, the rules are called and report the failure themselves."""
    return holds(PODS, resource, ctx.workloads)


def _stamp_lock(f: Finding, plan: Plan) -> Finding:
    lock = plan.lock_for(f.rule, f.resource.namespace if f.resource is not None else None)
    return f if lock is None else f._replace(locked_by=LockedBy(lock.policy, lock.selector))


def lint_loaded(
    loaded: Sequence[LoadedText],
    plan: Plan,
    *,
    context: Sequence[LoadedText] = (),
    context_trees: Sequence[str] = (),
    extra_errors: Sequence[InputError] = (),
    raise_errors: bool = False,
    meta: dict[str, str] | None = None,
    timings: dict[str, float] | None = None,
    ready: Callable[[Run], Ready] | None = None,
) -> Report:
    """Lint loaded files. ``context`` files feed cross-object rules but are not reported on; in a partial run
    they, and the folders ``context_trees`` (POSIX display paths), count as complete for what they cover.
    ``timings``, when given, receives the seconds each rule spent on the objects (``--profile-rules``).
    ``ready``, when given, makes the run's ``Run.check`` hook (see there) once the run holds its objects."""
    run = Run(loaded, plan, context=context, context_trees=context_trees, extra_errors=extra_errors)
    run.check(raise_errors=raise_errors, timings=timings, ready=ready(run) if ready is not None else None)
    return run.report(meta)
