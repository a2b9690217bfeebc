"""Where the pods are: a data table from apiVersion group and kind to pod-template paths, and the views
(pod specs, containers, effective security settings) that every rule reads through.

Adding a workload kind is adding a row to ``BUILTIN_WORKLOADS`` (or a ``workloads:`` entry in
``.guardlint.yaml``); no rule changes.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from guardlint._frozen import Frozen
from guardlint.model.access import get
from guardlint.model.groups import APPS_GROUPS
from guardlint.model.paths import FieldPath, expand, to_dotted
from guardlint.model.resource import Resource


class TemplateKind(enum.Enum):
    POD_TEMPLATE = "pod-template"
    """A PodTemplateSpec: ``metadata`` and ``spec`` below the path (a Pod is one at the root)."""
    POD_SPEC = "pod-spec"
    """A PodSpec (or a PodSpec-like object with the same field names) at the path itself."""


class ContainerKind(enum.Enum):
    CONTAINER = "containers"
    INIT = "initContainers"
    EPHEMERAL = "ephemeralContainers"


class ContainerField(NamedTuple):
    """Where containers sit inside a pod spec: a list (``containers``) or one inline container (``model``)."""

    kind: ContainerKind
    path: FieldPath
    single: bool = False


DEFAULT_CONTAINERS: tuple[ContainerField, ...] = (
    ContainerField(ContainerKind.INIT, ("initContainers",)),
    ContainerField(ContainerKind.CONTAINER, ("containers",)),
    ContainerField(ContainerKind.EPHEMERAL, ("ephemeralContainers",)),
)


class TemplatePath(NamedTuple):
    """One place a pod lives in an object. ``path`` may use ``"*"`` for every list item or map value."""

    path: FieldPath
    kind: TemplateKind = TemplateKind.POD_TEMPLATE
    containers: tuple[ContainerField, ...] = DEFAULT_CONTAINERS
    requires: tuple[str, ...] = ()
    """A match is a pod only when it has one of these keys (an Argo ``steps`` template runs no pod)."""
    inherit: FieldPath | None = None
    """A mapping whose pod-level fields (``inherit_fields``) apply to the pod when the template leaves them
    unset, as an Argo Workflow's ``spec.securityContext`` applies to every template's pod."""
    inherit_fields: tuple[str, ...] = ()


class WorkloadEntry(NamedTuple):
    """A row of the pod-template table."""

    group: str
    kind: str
    templates: tuple[TemplatePath, ...]
    versions: tuple[str, ...] = ()
    """API versions this row applies to; empty means every version of the group."""
    batch: bool = False
    """Run-to-completion workloads (Jobs, training jobs): no probes, deadlines matter."""
    replicas: FieldPath | None = None
    """Where the replica count lives, for kinds that have one."""


def _tpl(*paths: str, kind: TemplateKind = TemplateKind.POD_TEMPLATE) -> tuple[TemplatePath, ...]:
    return tuple(TemplatePath(tuple(_split(p)), kind) for p in paths)


def _split(dotted: str) -> list[str | int]:
    return [p for p in dotted.split(".") if p] if dotted else []


BUILTIN_WORKLOADS: tuple[WorkloadEntry, ...] = (
    WorkloadEntry("", "Pod", _tpl("")),
    WorkloadEntry("", "PodTemplate", _tpl("template")),
    WorkloadEntry("", "ReplicationController", _tpl("spec.template"), replicas=("spec", "replicas")),
    *(
        WorkloadEntry(g, k, _tpl("spec.template"), replicas=("spec", "replicas") if k != "DaemonSet" else None)
        for g in APPS_GROUPS
        for k in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")
    ),
    WorkloadEntry("batch", "Job", _tpl("spec.template"), batch=True),
    WorkloadEntry("batch", "CronJob", _tpl("spec.jobTemplate.spec.template"), batch=True),
    WorkloadEntry("apps.openshift.io", "DeploymentConfig", _tpl("spec.template"), replicas=("spec", "replicas")),
)


class WorkloadTable(Frozen):
    """The pod-template table, looked up by (group, kind).

    A table from the configuration holds no per-run state. The engine gives each run its own view
    (``for_run``), which computes each object's pod specs once; that memo lives on the run's view and is
    dropped with it, so nothing of a run (documents, objects) outlives the run through a shared table.
    """

    __slots__ = ("_by_key", "_pods", "entries")
    _fields = ("entries",)
    entries: tuple[WorkloadEntry, ...]
    _by_key: Mapping[tuple[str, str], tuple[WorkloadEntry, ...]]
    _pods: dict[int, tuple[Resource, tuple[PodSpecRef, ...]]] | None

    def __init__(self, entries: tuple[WorkloadEntry, ...]) -> None:
        index: dict[tuple[str, str], list[WorkloadEntry]] = {}
        for entry in entries:
            index.setdefault((entry.group, entry.kind), []).append(entry)
        self._set(
            entries=tuple(entries), _by_key=MappingProxyType({k: tuple(v) for k, v in index.items()}), _pods=None,
        )

    def for_run(self) -> WorkloadTable:
        """The same table with a memo of pod specs for one run (equal to this table; discard it after the run)."""
        view: WorkloadTable = WorkloadTable.__new__(WorkloadTable)
        view._set(entries=self.entries, _by_key=self._by_key, _pods={})
        return view

    def pods_of(self, resource: Resource) -> tuple[PodSpecRef, ...]:
        """The pod specs of ``resource``; on a run's view (``for_run``) computed once, since every rule asks.

        The memo keeps each resource alive with its entry, so the ``id`` it is keyed by cannot be reused
        while the run lasts.
        """
        memo = self._pods
        if memo is not None:
            hit = memo.get(id(resource))
            if hit is not None and hit[0] is resource:
                return hit[1]
        entry = self.entry_for(resource)
        pods = tuple(_pod_specs(resource, entry)) if entry is not None else ()
        if memo is not None:
            memo[id(resource)] = (resource, pods)
        return pods

    def entry_for(self, resource: Resource) -> WorkloadEntry | None:
        candidates = self._by_key.get((resource.group, resource.kind))
        if not candidates:
            return None
        version = resource.version
        # User rows come last in ``entries`` and win over built-in rows for the same kind.
        for entry in reversed(candidates):
            if not entry.versions or version in entry.versions:
                return entry
        return None

    def kinds(self) -> frozenset[str]:
        return frozenset(e.kind for e in self.entries)

    def extended(self, extra: Iterable[WorkloadEntry]) -> WorkloadTable:
        return WorkloadTable((*self.entries, *extra))


def default_table() -> WorkloadTable:
    from guardlint.model.crds import CRD_WORKLOADS

    return WorkloadTable((*BUILTIN_WORKLOADS, *CRD_WORKLOADS))


class PodSpecRef(NamedTuple):
    """A pod spec inside a resource, with the path to it and to its metadata."""

    resource: Resource
    path: FieldPath
    spec: Mapping[str, Any]
    metadata_path: FieldPath | None
    metadata: Mapping[str, Any]
    containers_at: tuple[ContainerField, ...]
    entry: WorkloadEntry

    @property
    def labels(self) -> Mapping[str, Any]:
        value = self.metadata.get("labels")
        return value if isinstance(value, dict) else {}

    @property
    def annotations(self) -> Mapping[str, Any]:
        value = self.metadata.get("annotations")
        return value if isinstance(value, dict) else {}

    @property
    def where(self) -> str:
        """A short human label for the pod template, for messages of multi-template kinds."""
        return to_dotted(self.path) or "spec"

    def get(self, rel: FieldPath) -> Any:
        return get(self.spec, rel)

    @property
    def security_context(self) -> Mapping[str, Any]:
        sc = self.spec.get("securityContext")
        return sc if isinstance(sc, dict) else {}

    @property
    def is_windows(self) -> bool:
        os_field = self.spec.get("os")
        return isinstance(os_field, dict) and os_field.get("name") == "windows"


class ContainerRef(Frozen):
    """One container with its full path from the resource root."""

    __slots__ = ("data", "index", "kind", "name", "path", "pod")
    _fields = ("kind", "index", "name", "path", "data", "pod")
    kind: ContainerKind
    index: int | None
    name: str
    path: FieldPath
    data: Mapping[str, Any]
    pod: PodSpecRef

    def __init__(
        self, kind: ContainerKind, index: int | None, name: str, path: FieldPath, data: Mapping[str, Any],
        pod: PodSpecRef,
    ) -> None:
        self._set(kind=kind, index=index, name=name, path=path, data=data, pod=pod)

    @property
    def is_sidecar(self) -> bool:
        """An init container with ``restartPolicy: Always`` runs for the pod's life (native sidecar)."""
        return self.kind is ContainerKind.INIT and self.data.get("restartPolicy") == "Always"

    @property
    def security_context(self) -> Mapping[str, Any]:
        sc = self.data.get("securityContext")
        return sc if isinstance(sc, dict) else {}

    def get(self, rel: FieldPath) -> Any:
        return get(self.data, rel)

    def describe(self) -> str:
        label = {ContainerKind.CONTAINER: "container", ContainerKind.INIT: "init container",
                 ContainerKind.EPHEMERAL: "ephemeral container"}[self.kind]
        if self.is_sidecar:
            label = "sidecar container"
        return f"{label} {self.name!r}"


def iter_pod_specs(resource: Resource, table: WorkloadTable) -> Iterator[PodSpecRef]:
    """Every pod spec the table knows for this resource's kind."""
    if table.entry_for(resource) is None:
        return iter(())
    return iter(table.pods_of(resource))


def _pod_specs(resource: Resource, entry: WorkloadEntry) -> Iterator[PodSpecRef]:
    for template in entry.templates:
        for path, value in expand(resource.data, template.path):
            if not isinstance(value, dict):
                continue
            if template.requires and not any(k in value for k in template.requires):
                continue
            if template.kind is TemplateKind.POD_TEMPLATE:
                spec = value.get("spec")
                if not isinstance(spec, dict):
                    continue
                meta = value.get("metadata")
                yield PodSpecRef(
                    resource, (*path, "spec"), spec, (*path, "metadata"), meta if isinstance(meta, dict) else {},
                    template.containers, entry,
                )
            else:
                spec = _with_inherited(resource, template, value)
                yield PodSpecRef(resource, path, spec, None, {}, template.containers, entry)


def _with_inherited(resource: Resource, template: TemplatePath, value: Mapping[str, Any]) -> Mapping[str, Any]:
    """The pod spec with the fields a parent object gives every pod, where the template leaves them unset.

    Inherited fields keep the template's path in findings (they are placed on the template, which is where
    the setting takes effect); ``volumes`` are the template's followed by the parent's that it does not define.
    """
    if template.inherit is None:
        return value
    parent = get(resource.data, template.inherit)
    if not isinstance(parent, dict):
        return value
    extra = {k: parent[k] for k in template.inherit_fields if k in parent and value.get(k) is None}
    own_volumes, parent_volumes = value.get("volumes"), parent.get("volumes")
    if isinstance(own_volumes, list) and isinstance(parent_volumes, list) and "volumes" in template.inherit_fields:
        names = {v.get("name") for v in own_volumes if isinstance(v, dict)}
        inherited = [v for v in parent_volumes if isinstance(v, dict) and v.get("name") not in names]
        extra["volumes"] = [*own_volumes, *inherited]
    return {**value, **extra} if extra else value


def iter_containers(pod: PodSpecRef, kinds: Iterable[ContainerKind] | None = None) -> Iterator[ContainerRef]:
    """Init containers (sidecars included), containers and ephemeral containers, each with its path."""
    wanted = set(kinds) if kinds is not None else None
    for where in pod.containers_at:
        if wanted is not None and where.kind not in wanted:
            continue
        value = get(pod.spec, where.path)
        if where.single:
            if isinstance(value, dict):
                name = value.get("name")
                yield ContainerRef(
                    where.kind, None, name if isinstance(name, str) else str(where.path[-1]),
                    (*pod.path, *where.path), value, pod,
                )
            continue
        if not isinstance(value, list):
            continue
        for i, item in enumerate(value):
            if isinstance(item, dict):
                name = item.get("name")
                yield ContainerRef(
                    where.kind, i, name if isinstance(name, str) else f"#{i}", (*pod.path, *where.path, i), item, pod
                )


def iter_all_containers(resource: Resource, table: WorkloadTable) -> Iterator[ContainerRef]:
    for pod in iter_pod_specs(resource, table):
        yield from iter_containers(pod)


WHOLE_STRUCT_FIELDS = frozenset({"seLinuxOptions", "seccompProfile", "appArmorProfile"})
"""Structs that a container's own struct replaces as a whole (``windowsOptions`` merges field by field),
as the kubelet's DetermineEffectiveSecurityContext does."""

POD_LEVEL_SECURITY_FIELDS = frozenset(
    {"runAsUser", "runAsGroup", "runAsNonRoot", "seLinuxOptions", "seccompProfile", "windowsOptions", "appArmorProfile"}
)


def effective_security(container: ContainerRef, field_path: FieldPath) -> tuple[Any, FieldPath | None]:
    """The value that decides a security setting for a container, and the path that set it.

    A container's ``securityContext`` field overrides the pod's; fields that exist at both levels fall back
    to the pod-level ``securityContext`` when the container leaves them unset (null counts as unset).
    Returns ``(None, None)`` when neither level sets it.
    """
    value = get(container.data, ("securityContext", *field_path))
    if value is not None:
        return value, (*container.path, "securityContext", *field_path)
    if (
        len(field_path) > 1
        and field_path[0] in WHOLE_STRUCT_FIELDS
        and isinstance(get(container.data, ("securityContext", field_path[0])), dict)
    ):
        return None, None  # the container's struct replaces the pod's, unset fields included
    if field_path and field_path[0] in POD_LEVEL_SECURITY_FIELDS:
        pod_value = get(container.pod.spec, ("securityContext", *field_path))
        if pod_value is not None:
            return pod_value, (*container.pod.path, "securityContext", *field_path)
    return None, None
