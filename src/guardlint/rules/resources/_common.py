"""Shared helpers of the resources pack: resource values, LimitRange defaults, label selectors, pod templates
among the linted objects, HPA targets and the "can this be judged missing" policy.

Cross-object "missing" judgements follow the one policy of ``guardlint.model.missing`` (shared with every
pack and with plugins): judged only where the linted set is demonstrably complete for the namespace and
tree, never from objects of an unrelated tree, and never where an operator or a producer may make the
object (or the pods) at run time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from guardlint.model import missing as _missing
from guardlint.model.access import get
from guardlint.model.groups import BUILTIN_WORKLOAD_GROUPS, api_group, groups_compatible
from guardlint.model.index import directory
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
from guardlint.model.workloads import ContainerKind, ContainerRef, PodSpecRef, iter_containers, iter_pod_specs
from guardlint.rules.api import RuleContext

RESOURCE_CONTAINERS = (ContainerKind.INIT, ContainerKind.CONTAINER)
"""Containers that may set resources (ephemeral containers may not)."""

# --- resources ---------------------------------------------------------------------------------------


def resource_value(data: Mapping[str, Any], section: str, name: str) -> Any:
    """``data.resources.<section>.<name>`` (None when missing)."""
    return get(data, ("resources", section, name))


# --- label selectors -----------------------------------------------------------------------------------




















# --- pod templates among the linted objects --------------------------------------------------------------




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


def _pod_table(ctx: RuleContext) -> _PodTable:
    """Every pod template of the run with its object, built once per run."""

    def build() -> _PodTable:
        out: list[tuple[Resource, PodSpecRef]] = []
        for kind in sorted(ctx.workloads.kinds()):
            for r in ctx.index.of_kind(kind, any_namespace=True):
                out.extend((r, pod) for pod in iter_pod_specs(r, ctx.workloads))
        return _PodTable(tuple(out))

    return ctx.index.memo("resources.pod-table", build)




def _selector_candidates(table: _PodTable, selector: Mapping[str, Any], label_selector: bool) -> list[int] | None:
    """The smallest candidate list among the selector's terms (see ``selector_terms``); None when it has none."""
    best: list[int] | None = None
    best_cost = 0
    for term in selector_terms(selector, label_selector):
        found = table.candidates(term)
        # A prefixed key also lets through the operator-labelled pods of the tree: prefer an unprefixed term.
        cost = len(found) + (len(table.operator) if "/" in term[0] else 0)
        if best is None or cost < best_cost:
            best, best_cost = found if "/" not in term[0] else [*found, -1], cost
            if not cost:
                break
    return best


def pods_related_to(
    ctx: RuleContext, resource: Resource, wanted: Callable[[PodSpecRef], bool | None],
    selector: tuple[Mapping[str, Any], bool] | None = None,
) -> Iterator[PodSpecRef]:
    """Every pod template, for which ``wanted`` is true, of every workload (CRDs of the pod-template table
    included) that may be applied together with ``resource`` (its namespace and tree), in run order.
    ``selector`` (the selector ``wanted`` evaluates, and whether it is a LabelSelector rather than a plain map)
    lets the pod table narrow the candidates first."""
    table = _pod_table(ctx)
    index = ctx.index
    found = _selector_candidates(table, *selector) if selector is not None else None
    if found is None:
        owners = index.tree_set("resources.pod-owners", lambda: _unique_owners(table))
        by_owner = table.by_owner
        candidates = iter(sorted(i for r in owners.related(resource, resource.namespace) for i in by_owner[id(r)]))
    else:
        chosen = set(found)
        if -1 in chosen:  # a term on a prefixed key: the tree's operator-labelled pods may satisfy it unlabelled
            chosen.discard(-1)
            operators = index.tree_set("resources.operator-pod-owners", lambda: _unique_owners(
                table, [table.pods[i] for i in table.operator]))
            chosen.update(i for r in operators.related(resource, resource.namespace) for i in table.by_owner[id(r)]
                          if i in table.operator_set)
        candidates = (i for i in sorted(chosen) if index.related(resource, table.pods[i][0]))
    for i in candidates:
        pod = table.pods[i][1]
        if wanted(pod):
            yield pod


def _unique_owners(table: _PodTable, pods: Sequence[tuple[Resource, PodSpecRef]] | None = None) -> Iterator[Resource]:
    seen: set[int] = set()
    for r, _ in table.pods if pods is None else pods:
        if id(r) not in seen:
            seen.add(id(r))
            yield r


def _directory(resource: Resource) -> str:
    return directory(resource.file)


def related(ctx: RuleContext, a: Resource, b: Resource) -> bool:
    """Whether two objects may be applied together (``ResourceIndex.related``)."""
    return ctx.index.related(a, b)


def can_judge_missing(ctx: RuleContext, kind: str, resource: Resource, namespace: str | None = None) -> bool:
    """Steps 1 and 2 of the missing-object policy (``guardlint.model.missing.can_judge_missing``)."""
    return _missing.can_judge_missing(ctx.index, kind, resource, namespace)


def is_missing(ctx: RuleContext, kind: str, name: str, resource: Resource, namespace: str | None = None) -> bool:
    """The whole missing-object policy (``guardlint.model.missing.is_missing``)."""
    return _missing.is_missing(ctx.index, ctx.workloads, kind, name, resource, namespace)


def can_judge_pods(ctx: RuleContext, resource: Resource) -> bool:
    """Whether "no pod matches" may be reported for a selector of ``resource``
    (``guardlint.model.missing.can_judge_pods``)."""
    return _missing.can_judge_pods(ctx.index, ctx.workloads, resource)


# --- replicas and autoscalers ----------------------------------------------------------------------------


def hpas_for(ctx: RuleContext, resource: Resource) -> list[Resource]:
    """HorizontalPodAutoscalers among the linted objects whose scaleTargetRef names ``resource``."""
    if not resource.name:
        return []
    out = []
    for hpa in _hpas_by_target(ctx).get((resource.kind, resource.name), ()):
        if not ctx.index.related(resource, hpa):
            continue
        ref = get(hpa.data, ("spec", "scaleTargetRef"))
        if not isinstance(ref, dict) or ref.get("kind") != resource.kind or ref.get("name") != resource.name:
            continue
        api_version = ref.get("apiVersion")
        if isinstance(api_version, str) and not groups_compatible(api_group(api_version), resource.group):
            continue
        out.append(hpa)
    return out


def _hpas_by_target(ctx: RuleContext) -> Mapping[tuple[object, object], tuple[Resource, ...]]:
    """HorizontalPodAutoscalers by the (kind, name) of their scaleTargetRef, in run order, built once per run."""

    def build() -> Mapping[tuple[object, object], tuple[Resource, ...]]:
        out: dict[tuple[object, object], list[Resource]] = {}
        for hpa in ctx.index.of_kind("HorizontalPodAutoscaler", any_namespace=True):
            ref = get(hpa.data, ("spec", "scaleTargetRef"))
            if not isinstance(ref, dict):
                continue
            kind, name = ref.get("kind"), ref.get("name")
            if isinstance(kind, str) and isinstance(name, str):  # anything else targets nothing (and is unhashable)
                out.setdefault((kind, name), []).append(hpa)
        return {k: tuple(v) for k, v in out.items()}

    return ctx.index.memo("resources.hpas-by-target", build)


def hpa_min_replicas(hpa: Resource) -> int | None:
    value = get(hpa.data, ("spec", "minReplicas"))
    if value is None:
        return 1
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def hpa_max_replicas(hpa: Resource) -> int | None:
    value = get(hpa.data, ("spec", "maxReplicas"))
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def replicas_path(resource: Resource, ctx: RuleContext) -> tuple[str | int, ...] | None:
    entry = ctx.workloads.entry_for(resource)
    return entry.replicas if entry is not None else None


def explicit_replicas(resource: Resource, ctx: RuleContext) -> int | None:
    """The replica count written in the manifest (None when absent, not an integer, or not a kind with one)."""
    path = replicas_path(resource, ctx)
    if path is None:
        return None
    value = get(resource.data, path)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def is_multi_replica(resource: Resource, ctx: RuleContext) -> bool:
    """More than one replica: an explicit count above 1, or an HPA targeting it whose minimum is above 1."""
    replicas = explicit_replicas(resource, ctx)
    if replicas is not None and replicas > 1:
        return True
    return any((hpa_min_replicas(h) or 0) > 1 for h in hpas_for(ctx, resource))


# --- ports -----------------------------------------------------------------------------------------------



def container_ports(c: ContainerRef) -> list[tuple[int, Mapping[str, Any]]]:
    ports = c.data.get("ports")
    if not isinstance(ports, list):
        return []
    return [(i, p) for i, p in enumerate(ports) if isinstance(p, dict)]


def port_names(c: ContainerRef) -> set[str]:
    return {p["name"] for _, p in container_ports(c) if isinstance(p.get("name"), str)}


def port_numbers(c: ContainerRef) -> set[int]:
    out = set()
    for _, p in container_ports(c):
        n = p.get("containerPort")
        if isinstance(n, int) and not isinstance(n, bool):
            out.add(n)
    return out


def serving_containers(pod: PodSpecRef) -> Iterator[ContainerRef]:
    """Containers that run for the pod's life: regular containers and sidecars."""
    for c in iter_containers(pod, (ContainerKind.INIT, ContainerKind.CONTAINER)):
        if c.kind is ContainerKind.CONTAINER or c.is_sidecar:
            yield c


def is_run_to_completion(pod: PodSpecRef) -> bool:
    """Batch workloads (Jobs, CronJobs, batch CRDs) and bare pods that do not restart on success."""
    if pod.entry.batch:
        return True
    return pod.resource.kind == "Pod" and pod.spec.get("restartPolicy") in ("Never", "OnFailure")


def first_index(items: Sequence[Any], value: Any) -> int:
    for i, item in enumerate(items):
        if item == value:
            return i
    return -1


# --- disruption budgets ----------------------------------------------------------------------------------


def selected_workloads(ctx: RuleContext, selector: Mapping[str, Any], owner: Resource) -> list[Resource] | None:
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


def pdbs_for(ctx: RuleContext, resource: Resource) -> list[Resource]:
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


def _pdbs_for_pods(ctx: RuleContext, resource: Resource, pods: list[PodSpecRef]) -> list[Resource]:
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


def int_or_percent(value: Any) -> tuple[int, bool] | None:
    """An IntOrString field: (number, is_percent); None when it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value, False
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("%") and text[:-1].isdigit():
            return int(text[:-1]), True
    return None


def pdb_replica_total(ctx: RuleContext, pdb: Resource, use_hpa_minimum: bool) -> tuple[int, list[Resource]] | None:
    """The pods a PodDisruptionBudget selects among the linted objects, counted as explicit replicas (1 for
    a Pod) and, with ``use_hpa_minimum``, as the ``minReplicas`` of the HPA that scales a workload.

    None when the count cannot be known: the namespace cannot be judged, nothing is selected, a workload has
    no explicit count, or (without ``use_hpa_minimum``) an HPA scales one of them.
    """
    selector = get(pdb.data, ("spec", "selector"))
    if not isinstance(selector, dict):
        return None
    selected = selected_workloads(ctx, selector, pdb)
    if not selected or not can_judge_pods(ctx, pdb):
        return None
    total = 0
    scaled: list[Resource] = []
    for w in selected:
        hpas = hpas_for(ctx, w)
        if hpas:
            if not use_hpa_minimum:
                return None
            minimum = hpa_min_replicas(hpas[0])
            if minimum is None:
                return None
            total += minimum
            scaled.append(hpas[0])
            continue
        count = 1 if w.kind == "Pod" else explicit_replicas(w, ctx)
        if count is None:
            return None
        total += count
    return total, scaled


def scaled_percent(percent: int, total: int) -> int:
    """An IntOrString percentage of ``total``, rounded up as the disruption controller does."""
    return -(-percent * total // 100)


def service_selector(service: Resource) -> Mapping[str, Any] | None:
    """A Service's non-empty selector map; None for selector-less (manual endpoints) and ExternalName Services."""
    spec = service.data.get("spec")
    if not isinstance(spec, dict) or spec.get("type") == "ExternalName":
        return None
    selector = spec.get("selector")
    return selector if isinstance(selector, dict) and selector else None


def pods_selected_by_service(ctx: RuleContext, service: Resource, selector: Mapping[str, Any]) -> list[PodSpecRef]:
    return list(pods_related_to(ctx, service, lambda p: match_labels(selector, p.labels, assume=pod_assumption(p)),
                                (selector, False)))


# --- partial objects (kustomize patches) --------------------------------------------------------------------


def is_partial_object(resource: Resource, ctx: RuleContext) -> bool:
    """Whether ``resource`` is a fragment rather than a whole object: a patch (``guardlint.model.patches``:
    listed by a linted Kustomization, using a strategic-merge directive or in a file named as a patch), or a
    built-in workload whose pod template has no containers or a container without an
    image (the API accepts neither from a whole manifest in practice; patches leave them to the base).

    Rules that report a *missing* field skip fragments: the field is usually in the base the patch applies to.
    """
    if resource.group in BUILTIN_WORKLOAD_GROUPS:
        for pod in iter_pod_specs(resource, ctx.workloads):
            containers = pod.spec.get("containers")
            if not isinstance(containers, list) or not containers:
                return True
            if any(isinstance(c, dict) and not c.get("image") for c in containers):
                return True
    from guardlint.model.patches import is_patch

    return is_patch(resource, ctx.index)


_FILLED_BY_OPERATOR: dict[tuple[str, str], frozenset[str]] = {
    # KServe's webhook gives predictor, transformer and explainer containers default requests and limits.
    ("serving.kserve.io", "InferenceService"): frozenset({"resources"}),
    # KubeRay injects readiness and liveness probes into Ray head and worker containers.
    ("ray.io", "*"): frozenset({"readinessProbe", "livenessProbe"}),
    # Knative Serving gives the user container a default readiness probe on its port.
    ("serving.knative.dev", "*"): frozenset({"readinessProbe"}),
}


def filled_by_operator(resource: Resource, what: str) -> bool:
    """Whether the operator of a custom resource fills ``what`` ("resources" or a probe field) into the pods
    it creates when the manifest leaves it out."""
    for key in ((resource.group, resource.kind), (resource.group, "*")):
        if what in _FILLED_BY_OPERATOR.get(key, ()):
            return True
    return False
