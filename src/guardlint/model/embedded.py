"""Pod specs found by their shape in objects whose kind the pod-template table does not list.

An operator's custom resource that the table does not know may still hold a pod: a mapping with a
``containers`` list whose items each have a ``name`` and an ``image`` is a PodSpec (under ``template.spec``
it is the spec of a PodTemplateSpec, whose ``metadata`` holds the pod's labels). Such a pod is linted with
every pod rule and its findings point at the real path, so a custom resource holding containers is never
skipped silently. ``detect-embedded-pod-specs: false`` in ``.guardlint.yaml`` turns the detection off.

What is *not* read as a pod, because it is not one:

- objects of Kubernetes' own API groups (``*.k8s.io``, ``apps``, ``batch``, ...): the table knows the kinds
  of those that run pods, and the others (a CustomResourceDefinition's schema, a ConfigMap's data) only
  describe or carry text;
- ``status`` (what a controller observed), ``openAPIV3Schema`` and other schemas (descriptions of fields, not
  values), and a ConfigMap-like ``data``/``stringData``;
- kinds known to hold containers that are not pods: partial container patches merged into the operator's
  own containers (prometheus-operator's ``Prometheus``, ``Alertmanager``, ``ThanosRuler``,
  ``PrometheusAgent``) and policy patterns that match containers (Kyverno, Kubewarden);
- a whole object embedded with its ``apiVersion`` and ``kind`` (a Crossplane composition's base, a
  template's manifest): when the table knows that kind, its row is used, as for a Katib trial;
- ``containers`` lists with an item that lacks a name or an image (a patch, a pattern or a fragment).

The walk is bounded in depth (``MAX_DEPTH``) and stops at the first pod spec on each branch.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint.model.groups import is_kubernetes_group
from guardlint.model.paths import FieldPath
from guardlint.model.resource import Resource
from guardlint.model.workloads import (
    DEFAULT_CONTAINERS,
    MAX_NESTING,
    PodSpecRef,
    WorkloadEntry,
    WorkloadTable,
    embedding,
    pods_in_object,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MAX_DEPTH = 12
"""How deep below the object's root a pod spec is looked for (mappings and lists both count)."""

_SKIPPED_KEYS = frozenset({
    "status", "openAPIV3Schema", "schema", "validation", "data", "stringData", "binaryData",
    "matchingCriteria", "pattern", "anyPattern", "patchStrategicMerge", "patchesJson6902", "patches",
})
"""Keys whose values are never pods: observed state, schemas of fields, text carried as data, and the
patterns and patches of policy and patch objects."""

NON_POD_CONTAINER_KINDS = frozenset({
    ("monitoring.coreos.com", "Prometheus"), ("monitoring.coreos.com", "Alertmanager"),
    ("monitoring.coreos.com", "ThanosRuler"), ("monitoring.coreos.com", "PrometheusAgent"),
    ("serving.kserve.io", "LLMInferenceServiceConfig"), ("auto.gke.io", "WorkloadAllowlist"),
    ("nvidia.com", "DynamoGraphDeployment"), ("apps.nvidia.com", "NIMService"),
    ("trainer.kubeflow.org", "TrainJob"),
})
"""Kinds whose ``containers`` are not pods as written: patches merged into containers the operator writes
itself (prometheus-operator), presets merged into a service's pods (KServe's LLMInferenceServiceConfig),
matching criteria (GKE Autopilot's WorkloadAllowlist), and operator shapes that the GPU pack reads field by
field (``model/crds.py`` says why they are not rows)."""

NON_POD_CONTAINER_GROUPS = frozenset({
    "kyverno.io", "policies.kyverno.io", "wgpolicyk8s.io", "policies.kubewarden.io", "templates.gatekeeper.sh",
    "constraints.gatekeeper.sh", "mutations.gatekeeper.sh",
})
"""API groups of policy engines whose objects match or patch containers (``image: "*:latest"`` is a pattern)."""

def detection_applies(resource: Resource) -> bool:
    """Whether the object's kind may hold a pod spec that only its shape reveals."""
    group = resource.group
    if is_kubernetes_group(group) or group in NON_POD_CONTAINER_GROUPS:
        return False
    return (group, resource.kind) not in NON_POD_CONTAINER_KINDS


def embedded_pod_specs(resource: Resource, table: WorkloadTable) -> Iterator[PodSpecRef]:
    """The pod specs found by their shape in ``resource`` (a kind the table does not list)."""
    return iter(shape_walk(resource, table)[0])


def shape_walk(resource: Resource, table: WorkloadTable) -> tuple[list[PodSpecRef], bool | None]:
    """``embedded_pod_specs`` of ``resource``, and whether the walk met a mapping with a ``containers`` key (None
    when no walk was made: the object is of a kind or group the detection refuses).

    False proves that ``partial_pod_templates`` finds nothing in the object: that walk visits the same mappings
    (the same keys skipped, the same depth bound, objects of kinds the table knows passed over) except below a
    mapping with a ``containers`` key, where this walk stops (a pod spec) and it may go on or stop."""
    if not detection_applies(resource):
        return [], None
    owner = WorkloadEntry(resource.group, resource.kind, ())
    data = resource.data
    found: list[PodSpecRef] = []
    containers = False
    for key, value in data.items():
        if key in ("apiVersion", "kind", "metadata") or key in _SKIPPED_KEYS:
            continue
        if _walk(resource, value, (key,), data, owner, table, 1, found):
            containers = True
    return found, containers


def is_pod_spec(value: Mapping[str, Any]) -> bool:
    """A mapping whose ``containers`` is a non-empty list of mappings that each have a name and an image."""
    containers = value.get("containers")
    if not isinstance(containers, list) or not containers:
        return False
    return all(
        isinstance(c, dict) and isinstance(c.get("name"), str) and c["name"]
        and isinstance(c.get("image"), str) and c["image"]
        for c in containers
    )


def _walk(
    resource: Resource, value: Any, path: FieldPath, parent: Any, owner: WorkloadEntry, table: WorkloadTable,
    depth: int, found: list[PodSpecRef],
) -> bool:
    """Append the pod specs under ``value`` to ``found``, in document order (depth first, as written), and
    answer whether the walk met a mapping with a ``containers`` key (see ``shape_walk``). A plain recursive
    function rather than a chain of generators, one per level: the walk visits every mapping and list of every
    object of a kind the table does not list."""
    if depth > MAX_DEPTH:
        return False
    containers = False
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, (dict, list)) and _walk(resource, item, (*path, i), value, owner, table, depth + 1,
                                                        found):
                containers = True
        return containers
    if not isinstance(value, dict):
        return False
    api_version, kind = value.get("apiVersion"), value.get("kind")
    if isinstance(api_version, str) and isinstance(kind, str):
        group, _, version = api_version.rpartition("/")
        nested = table.lookup(group, kind, version)
        if nested is not None:  # a whole object the table knows: read it through its own row
            found.extend(
                pods_in_object(resource, value, path, nested, embedding(owner, nested), table, MAX_NESTING - 1)
            )
            return False  # (``partial_pod_templates`` passes over it too)
    if "containers" in value:
        containers = True
        if is_pod_spec(value):
            meta = (parent.get("metadata") if len(path) > 1 and path[-1] == "spec" and isinstance(parent, dict)
                    else None)
            if isinstance(meta, dict):  # the spec of a PodTemplateSpec: its metadata holds the pod's labels
                found.append(PodSpecRef(resource, path, value, (*path[:-1], "metadata"), meta, DEFAULT_CONTAINERS,
                                        owner))
            else:
                found.append(PodSpecRef(resource, path, value, None, {}, DEFAULT_CONTAINERS, owner))
            return True
    for key, item in value.items():
        if isinstance(item, (dict, list)) and key not in _SKIPPED_KEYS and _walk(
                resource, item, (*path, key), value, owner, table, depth + 1, found):
            containers = True
    return containers


def partial_pod_templates(resource: Resource, table: WorkloadTable) -> list[FieldPath]:
    """The paths of the ``containers`` lists of ``resource`` that are part of a pod template an operator
    completes (each item a mapping with a name, at least one without an image: ECK's ``podTemplate``,
    CloudNativePG's Pooler ``template``, prometheus-operator's container patches). No rule reads them as a pod
    (``is_pod_spec`` refuses them, and what the operator adds is unknown), so the run says so rather than
    passing them over in silence. Objects of Kubernetes' own groups and of policy engines (whose containers
    are patterns) have none; the walk skips what ``embedded_pod_specs`` skips (an embedded object of a kind
    ``table`` knows is read through its row) and is bounded as it is."""
    group = resource.group
    if is_kubernetes_group(group) or group in NON_POD_CONTAINER_GROUPS:
        return []
    if not any(_holds_containers(value) for key, value in resource.data.items()
               if key not in ("apiVersion", "kind", "metadata") and key not in _SKIPPED_KEYS):
        return []  # most custom resources: one pass that builds no path
    found: list[FieldPath] = []
    stack: list[tuple[Any, FieldPath]] = [
        (value, (key,)) for key, value in resource.data.items()
        if key not in ("apiVersion", "kind", "metadata") and key not in _SKIPPED_KEYS]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            continue
        if isinstance(value, list):
            stack.extend((item, (*path, i)) for i, item in enumerate(value) if isinstance(item, (dict, list)))
            continue
        if not isinstance(value, dict):
            continue
        api_version, kind = value.get("apiVersion"), value.get("kind")
        if isinstance(api_version, str) and isinstance(kind, str):
            group, _, version = api_version.rpartition("/")
            if table.lookup(group, kind, version) is not None:
                continue
        containers = value.get("containers")
        if isinstance(containers, list) and containers and not is_pod_spec(value) and all(
                isinstance(c, dict) and isinstance(c.get("name"), str) and c["name"] for c in containers):
            found.append((*path, "containers"))
            continue
        stack.extend((item, (*path, key)) for key, item in value.items()
                     if isinstance(item, (dict, list)) and key not in _SKIPPED_KEYS)
    return sorted(found, key=lambda p: tuple((isinstance(x, int), x) for x in p))


def _holds_containers(root: Any) -> bool:
    """Whether a mapping with a ``containers`` key lies at or under ``root`` (a value at depth 1), within
    ``MAX_DEPTH`` and outside the keys the walks skip. Plain loops, no path built: most custom resources hold
    none, and this is all they cost."""
    stack: list[tuple[Any, int]] = [(root, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            if "containers" in value:
                return True
            if depth < MAX_DEPTH:
                for key, item in value.items():
                    if isinstance(item, (dict, list)) and key not in _SKIPPED_KEYS:
                        stack.append((item, depth + 1))
        elif isinstance(value, list) and depth < MAX_DEPTH:
            for item in value:
                if isinstance(item, (dict, list)):
                    stack.append((item, depth + 1))
    return False
