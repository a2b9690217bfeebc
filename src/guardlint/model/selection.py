"""Which objects a selector selects among the linted objects: the pod templates a Service, a
PodDisruptionBudget or a NetworkPolicy selects, and the PodDisruptionBudgets that cover a workload.

Only objects that may be applied together count (``ResourceIndex.related``: the same namespace and tree).
The run's pod templates are posted under their labels once per run (``ResourceIndex.memo``), so a
selector looks only at the pods that can match it. Functions take anything with the run's ``index`` and
``workloads`` (``RunView``): a rule passes its ``RuleContext``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial

from guardlint.model.access import get
from guardlint.model.index import ResourceIndex
from guardlint.model.resource import Resource
from guardlint.model.selectors import (
    ASSUME_OPERATOR_LABELS,
    label_selector_matches,
    label_value,
    match_labels,
    pod_assumption,
    selector_is_empty,
    selector_is_valid,
    selector_terms,
)
from guardlint.model.workloads import PodSpecRef, WorkloadTable, iter_pod_specs

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Protocol

    class RunView(Protocol):
        """What the selection helpers read of a run: its object index and its pod-template table (a
        ``RuleContext`` is one). Only type checkers see it (a protocol checks nothing at run time)."""

        @property
        def index(self) -> ResourceIndex: ...

        @property
        def workloads(self) -> WorkloadTable: ...


class _PodTable:
    """Every pod template of the run, posted under each of its labels (``key=value`` and ``key``), so that a
    selector finds its candidate pods without scanning them all."""

    __slots__ = ("by_owner", "keys", "operator", "operator_set", "pods", "postings")

    def __init__(self, pods: tuple[tuple[Resource, PodSpecRef], ...]) -> None:
        self.pods = pods
        postings: dict[tuple[str, str], list[int]] = {}
        keys: dict[str, list[int]] = {}
        operator: list[int] = []
        self.by_owner: dict[int, list[int]] = {}
        for i, (owner, pod) in enumerate(pods):
            self.by_owner.setdefault(id(owner), []).append(i)
            if pod_assumption(pod) == ASSUME_OPERATOR_LABELS:
                operator.append(i)
            for key, value in pod.labels.items():
                keys.setdefault(str(key), []).append(i)
                text = label_value(value)
                if text is not None:
                    postings.setdefault((str(key), text), []).append(i)
        self.postings, self.keys, self.operator = postings, keys, operator
        self.operator_set = frozenset(operator)

    def candidates(self, term: tuple[str, tuple[str, ...] | None]) -> list[int]:
        """Pods posted under ``term`` (key, values; None for ``Exists``). Pods an operator labels may satisfy a
        term on a prefixed key without the label (``assumed_satisfied``): ``pods_related_to`` adds those of the tree."""
        key, values = term
        if values is None:
            return list(self.keys.get(key, ()))
        return [i for v in values for i in self.postings.get((key, v), ())]


def _pod_table(ctx: RunView) -> _PodTable:
    """Every pod template of the run with its object, built once per run."""

    def build() -> _PodTable:
        out: list[tuple[Resource, PodSpecRef]] = []
        for kind in sorted(ctx.workloads.kinds()):
            for r in ctx.index.of_kind(kind, any_namespace=True):
                out.extend((r, pod) for pod in iter_pod_specs(r, ctx.workloads))
        return _PodTable(tuple(out))

    return ctx.index.memo("resources.pod-table", build)


def _selector_term(
    table: _PodTable, selector: Mapping[str, Any], label_selector: bool
) -> tuple[str, tuple[str, ...] | None] | None:
    """The selector's term with the fewest candidate pods (see ``selector_terms``); None when it has none."""
    best: tuple[str, tuple[str, ...] | None] | None = None
    best_cost = 0
    for term in selector_terms(selector, label_selector):
        key, values = term
        count = (len(table.keys.get(key, ())) if values is None
                 else sum(len(table.postings.get((key, v), ())) for v in values))
        # A prefixed key also lets through the operator-labelled pods of the tree: prefer an unprefixed term.
        cost = count + (len(table.operator) if "/" in key else 0)
        if best is None or cost < best_cost:
            best, best_cost = term, cost
            if not cost:
                break
    return best


FEW_POSTED = 8
"""Up to this many pods under a selector term, ``_related_candidates`` returns them all instead of building the
term's tree set: checking ``related`` on each costs less, and it stays bounded per selector."""


def _related_candidates(ctx: RunView, table: _PodTable, term: tuple[str, tuple[str, ...] | None],
                        resource: Resource) -> list[int]:
    """The pods posted under ``term`` whose workloads are related to ``resource`` (its namespace and tree), found
    through a ``TreeSet`` of each posting's workloads, built once per run: a selector whose term many templates
    carry (a team label) costs what it finds in the referrer's tree, not every template with the label."""
    key, values = term
    index = ctx.index
    out: list[int] = []
    for value in values if values is not None else (None,):
        posted = table.postings.get((key, value), ()) if value is not None else table.keys.get(key, ())
        if not posted:
            continue
        if len(posted) <= FEW_POSTED:
            # Few pods carry the term (most terms name one application): hand them all to the caller, which keeps
            # only those whose workload is related to ``resource`` (``pods_related_to`` checks ``related`` on
            # every candidate), so the tree set below, which returns a subset of these holding every related
            # one, would change nothing but its own cost (building it is most of a small selector's work).
            out.extend(posted)
            continue
        name = f"resources.pod-owners:{key}" + (f"={value}" if value is not None else "")
        # The owners are listed inside the builder, which runs once per term and run: listing them for the call
        # (the builder's argument) cost every selector on the term a pass over all of its pods.
        owners = index.tree_set(name, partial(_posted_owners, table, posted))
        by_owner: dict[int, list[int]] = index.memo(name + ":pods", partial(_pods_by_owner, table, posted))
        out.extend(i for r in owners.related(resource, resource.namespace) for i in by_owner[id(r)])
    return out


def _pods_by_owner(table: _PodTable, posted: Sequence[int]) -> dict[int, list[int]]:
    """The pods of ``posted`` by the ``id`` of their workload, in table order."""
    out: dict[int, list[int]] = {}
    for i in posted:
        out.setdefault(id(table.pods[i][0]), []).append(i)
    return out


def pods_related_to(
    ctx: RunView, resource: Resource, wanted: Callable[[PodSpecRef], bool | None],
    selector: tuple[Mapping[str, Any], bool] | None = None,
) -> Iterator[PodSpecRef]:
    """Every pod template, for which ``wanted`` is true, of every workload (CRDs of the pod-template table
    included) that may be applied together with ``resource`` (its namespace and tree), in run order.
    ``selector`` (the selector ``wanted`` evaluates, and whether it is a LabelSelector rather than a plain map)
    lets the pod table narrow the candidates first."""
    table = _pod_table(ctx)
    index = ctx.index
    term = _selector_term(table, *selector) if selector is not None else None
    if term is None:
        owners = index.tree_set("resources.pod-owners", lambda: _unique_owners(table))
        by_owner = table.by_owner
        candidates = iter(sorted(i for r in owners.related(resource, resource.namespace) for i in by_owner[id(r)]))
    else:
        # The term's pods in the referrer's tree; each is checked with ``related`` again below, as before.
        chosen = set(_related_candidates(ctx, table, term, resource))
        if "/" in term[0]:  # a term on a prefixed key: the tree's operator-labelled pods may satisfy it unlabelled
            operators = index.tree_set("resources.operator-pod-owners", lambda: _unique_owners(
                table, [table.pods[i] for i in table.operator]))
            chosen.update(i for r in operators.related(resource, resource.namespace) for i in table.by_owner[id(r)]
                          if i in table.operator_set)
        candidates = (i for i in sorted(chosen) if index.related(resource, table.pods[i][0]))
    for i in candidates:
        pod = table.pods[i][1]
        if wanted(pod):
            yield pod


def _posted_owners(table: _PodTable, posted: Sequence[int]) -> Iterator[Resource]:
    """The workloads of the pods ``posted`` (positions in the table), each once, in table order."""
    return _unique_owners(table, [table.pods[i] for i in posted])


def _unique_owners(table: _PodTable, pods: Sequence[tuple[Resource, PodSpecRef]] | None = None) -> Iterator[Resource]:
    seen: set[int] = set()
    for r, _ in table.pods if pods is None else pods:
        if id(r) not in seen:
            seen.add(id(r))
            yield r


def selected_workloads(ctx: RunView, selector: Mapping[str, Any], owner: Resource) -> list[Resource] | None:
    """Workloads related to ``owner`` (see ``related``) with a pod template that ``selector`` (a
    LabelSelector of ``owner``) matches; None when the selector is malformed."""
    if not selector_is_valid(selector):
        return None
    out: list[Resource] = []
    for pod in pods_related_to(
        ctx, owner, lambda p: label_selector_matches(selector, p.labels, assume=pod_assumption(p)), (selector, True)
    ):
        if not any(r is pod.resource for r in out):
            out.append(pod.resource)
    return out


def pdbs_for(ctx: RunView, resource: Resource) -> list[Resource]:
    """PodDisruptionBudgets among the linted objects whose selector matches a pod template of ``resource``."""
    pods = list(iter_pod_specs(resource, ctx.workloads))
    out = []
    for pdb in _pdbs_for_pods(ctx, resource, pods):
        selector = get(pdb.data, ("spec", "selector"))
        if not isinstance(selector, dict):
            continue
        if selector_is_empty(selector) and pdb.version == "v1beta1":
            continue
        if any(label_selector_matches(selector, p.labels, assume=pod_assumption(p)) for p in pods):
            out.append(pdb)
    return out


def _pdbs_for_pods(ctx: RunView, resource: Resource, pods: list[PodSpecRef]) -> list[Resource]:
    """PodDisruptionBudgets related to ``resource`` whose selector may match one of ``pods``, in run order: each
    budget is posted under one term of its selector (``selector_terms``) that a matching pod's labels must satisfy,
    or under "any" when it has none."""

    def build() -> tuple[dict[tuple[str, ...], list[int]], tuple[Resource, ...]]:
        pdbs = tuple(ctx.index.of_kind("PodDisruptionBudget", any_namespace=True))
        table: dict[tuple[str, ...], list[int]] = {}
        for i, pdb in enumerate(pdbs):
            selector = get(pdb.data, ("spec", "selector"))
            term = next(selector_terms(selector, True), None) if isinstance(selector, dict) else None
            if term is None:
                table.setdefault(("any",), []).append(i)
                continue
            key, values = term
            if "/" in key:
                # An operator may add a prefixed label to its pods: the term may hold without the label.
                table.setdefault(("prefixed",), []).append(i)
            if values is None:
                table.setdefault(("key", key), []).append(i)
            for value in values or ():
                table.setdefault(("pair", key, value), []).append(i)
        return table, pdbs

    table, pdbs = ctx.index.memo("resources.pdbs-by-term", build)
    found = set(table.get(("any",), ()))
    if any(pod_assumption(p) == ASSUME_OPERATOR_LABELS for p in pods):
        found.update(table.get(("prefixed",), ()))
    for pod in pods:
        for key, value in pod.labels.items():
            found.update(table.get(("key", str(key)), ()))
            text = label_value(value)
            if text is not None:
                found.update(table.get(("pair", str(key), text), ()))
    return [pdbs[i] for i in sorted(found) if ctx.index.related(resource, pdbs[i])]


def service_selector(service: Resource) -> Mapping[str, Any] | None:
    """A Service's non-empty selector map; None for selector-less (manual endpoints) and ExternalName Services."""
    spec = service.data.get("spec")
    if not isinstance(spec, dict) or spec.get("type") == "ExternalName":
        return None
    selector = spec.get("selector")
    return selector if isinstance(selector, dict) and selector else None


def pods_selected_by_service(ctx: RunView, service: Resource, selector: Mapping[str, Any]) -> list[PodSpecRef]:
    return list(_service_pods(ctx, service, selector))


def service_selects_any_pod(ctx: RunView, service: Resource, selector: Mapping[str, Any]) -> bool:
    """Whether ``pods_selected_by_service`` is not empty; stops at the first pod it finds."""
    return next(_service_pods(ctx, service, selector), None) is not None


def _service_pods(ctx: RunView, service: Resource, selector: Mapping[str, Any]) -> Iterator[PodSpecRef]:
    return pods_related_to(ctx, service, lambda p: match_labels(selector, p.labels, assume=pod_assumption(p)),
                           (selector, False))
