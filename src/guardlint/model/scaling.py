"""Replicas and what scales or shields them: the replica count a manifest writes, the
HorizontalPodAutoscalers that target a workload, IntOrString percentages, and how many pods a
PodDisruptionBudget's selection adds up to."""

from __future__ import annotations

from collections.abc import Mapping

from guardlint.model.access import get
from guardlint.model.groups import api_group, groups_compatible
from guardlint.model.missing import can_judge_pods, sees_namespace
from guardlint.model.resource import Resource
from guardlint.model.selection import selected_workloads

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint.model.selection import RunView


KEDA_GROUP = "keda.sh"
"""The API group of KEDA's ScaledObject, which creates and owns a HorizontalPodAutoscaler for its target."""


def is_scaled_object(resource: Resource) -> bool:
    """A KEDA ScaledObject: an autoscaler whose scaleTargetRef kind defaults to Deployment and apiVersion to
    apps/v1, scaling between spec.minReplicaCount (default 0) and spec.maxReplicaCount (default 100)."""
    return resource.kind == "ScaledObject" and resource.group == KEDA_GROUP


def scale_target(autoscaler: Resource) -> tuple[object, object, object] | None:
    """The (kind, name, apiVersion) an autoscaler's scaleTargetRef names, with KEDA's defaults for a
    ScaledObject (kind Deployment, apiVersion apps/v1); None without a scaleTargetRef mapping."""
    ref = get(autoscaler.data, ("spec", "scaleTargetRef"))
    if not isinstance(ref, dict):
        return None
    if is_scaled_object(autoscaler):  # KEDA fills an absent or empty kind and apiVersion
        kind, api_version = ref.get("kind"), ref.get("apiVersion")
        return (kind if kind not in (None, "") else "Deployment", ref.get("name"),
                api_version if api_version not in (None, "") else "apps/v1")
    return ref.get("kind"), ref.get("name"), ref.get("apiVersion")


def hpas_for(ctx: RunView, resource: Resource) -> list[Resource]:
    """Autoscalers among the linted objects whose scaleTargetRef names ``resource``: HorizontalPodAutoscalers
    and KEDA ScaledObjects (KEDA creates and owns an HPA for the object a ScaledObject names)."""
    if not resource.name:
        return []
    out = []
    for hpa in _hpas_by_target(ctx).get((resource.kind, resource.name), ()):
        if not ctx.index.related(resource, hpa):
            continue
        target = scale_target(hpa)
        if target is None or target[0] != resource.kind or target[1] != resource.name:
            continue
        api_version = target[2]
        if isinstance(api_version, str) and not groups_compatible(api_group(api_version), resource.group):
            continue
        if hpa.file != resource.file and (_namesake_in_file(ctx, resource, hpa.file, hpa)
                                          or _namesake_in_file(ctx, hpa, resource.file, resource)):
            continue
        out.append(hpa)
    return out


def _namesake_in_file(ctx: RunView, obj: Resource, file: str | None, near: Resource) -> bool:
    """Whether ``file`` defines another object of ``obj``'s kind and name, in a namespace ``near``'s agrees with.

    ``hpas_for`` asks it both ways for an autoscaler in another file than its target. When the autoscaler's file
    defines its own workload of the target's name, or the target's file its own autoscaler of that name, the two
    files are alternatives of one another (golden outputs or samples that each define the same objects): each
    file's autoscaler scales that file's workload, not a namesake in a sibling file. An autoscaler in a file of
    its own (an ``hpa.yaml`` next to the workload) still scales the target."""
    if not obj.name:
        return False
    return any(
        other is not obj and other.file == file and ctx.index.related(other, near)
        for other in ctx.index.named(obj.kind, obj.name)
    )


def _hpas_by_target(ctx: RunView) -> Mapping[tuple[object, object], tuple[Resource, ...]]:
    """HorizontalPodAutoscalers, then KEDA ScaledObjects, by the (kind, name) of their scaleTargetRef, in run
    order, built once per run."""

    def build() -> Mapping[tuple[object, object], tuple[Resource, ...]]:
        out: dict[tuple[object, object], list[Resource]] = {}
        autoscalers = (*ctx.index.of_kind("HorizontalPodAutoscaler", any_namespace=True),
                       *(r for r in ctx.index.of_kind("ScaledObject", any_namespace=True) if is_scaled_object(r)))
        for hpa in autoscalers:
            target = scale_target(hpa)
            if target is None:
                continue
            kind, name = target[0], target[1]
            if isinstance(kind, str) and isinstance(name, str):  # anything else targets nothing (and is unhashable)
                out.setdefault((kind, name), []).append(hpa)
        return {k: tuple(v) for k, v in out.items()}

    return ctx.index.memo("resources.hpas-by-target", build)


def hpa_min_replicas(hpa: Resource) -> int | None:
    """The autoscaler's minimum: minReplicas (default 1), or a ScaledObject's minReplicaCount (default 0:
    scale to zero); None when it is not an integer."""
    keda = is_scaled_object(hpa)
    value = get(hpa.data, ("spec", "minReplicaCount" if keda else "minReplicas"))
    if value is None:
        return 0 if keda else 1
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def hpa_max_replicas(hpa: Resource) -> int | None:
    """The autoscaler's maximum: maxReplicas, or a ScaledObject's maxReplicaCount (default 100)."""
    keda = is_scaled_object(hpa)
    value = get(hpa.data, ("spec", "maxReplicaCount" if keda else "maxReplicas"))
    if value is None and keda:
        return 100
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def min_field(hpa: Resource) -> str:
    """The name of the autoscaler's minimum field, for messages."""
    return "minReplicaCount" if is_scaled_object(hpa) else "minReplicas"


def replicas_path(resource: Resource, ctx: RunView) -> tuple[str | int, ...] | None:
    entry = ctx.workloads.entry_for(resource)
    return entry.replicas if entry is not None else None


def explicit_replicas(resource: Resource, ctx: RunView) -> int | None:
    """The replica count written in the manifest (None when absent, not an integer, or not a kind with one)."""
    path = replicas_path(resource, ctx)
    if path is None:
        return None
    value = get(resource.data, path)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def is_multi_replica(resource: Resource, ctx: RunView) -> bool:
    """More than one replica: an explicit count above 1, or an HPA targeting it whose minimum is above 1."""
    replicas = explicit_replicas(resource, ctx)
    if replicas is not None and replicas > 1:
        return True
    return any((hpa_min_replicas(h) or 0) > 1 for h in hpas_for(ctx, resource))


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


def scaled_percent(percent: int, total: int) -> int:
    """An IntOrString percentage of ``total``, rounded up as the disruption controller does."""
    return -(-percent * total // 100)


def _judged_selection(ctx: RunView, selector: Mapping[str, Any], pdb: Resource) -> tuple[Resource, ...] | None:
    """The workloads the budget's selector selects, when there are some and ``can_judge_pods`` holds for the
    budget (None otherwise): a function of the budget and the run alone, found once per budget and run (both
    budget rules count the same selection)."""
    cache: dict[int, tuple[Resource, tuple[Resource, ...] | None]] = ctx.index.memo("scaling:pdb-selection", dict)
    hit = cache.get(id(pdb))
    if hit is not None and hit[0] is pdb:  # the index keeps ``pdb`` alive for the run: its ``id`` is not reused
        return hit[1]
    selected = selected_workloads(ctx, selector, pdb)
    judged = tuple(selected) if selected and can_judge_pods(ctx.index, ctx.workloads, pdb) else None
    cache[id(pdb)] = (pdb, judged)
    return judged


def pdb_replica_total(ctx: RunView, pdb: Resource, use_hpa_minimum: bool) -> tuple[int, list[Resource]] | None:
    """The pods a PodDisruptionBudget selects among the linted objects, counted as explicit replicas (1 for
    a Pod) and, with ``use_hpa_minimum``, as the ``minReplicas`` of the HPA that scales a workload.

    None when the count cannot be known: the namespace cannot be judged, nothing is selected, a workload has
    no explicit count, or (without ``use_hpa_minimum``) an HPA scales one of them.
    """
    selector = get(pdb.data, ("spec", "selector"))
    if not isinstance(selector, dict) or not sees_namespace(ctx.index, pdb):
        return None  # without ``sees_namespace`` ``can_judge_pods`` is False: leave before the search
    selected = _judged_selection(ctx, selector, pdb)
    if selected is None:
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
