"""Resource requirements wherever a manifest writes them: the ``resources`` of every container of every pod
template (``container_site``), and the flattened shapes of operators whose objects are not pod templates
(Kubeflow TrainJob, NVIDIA NIMService and Dynamo, Spark's ``gpu``), each value with the paths of its name and
quantity (``ResourceSite``, ``SiteValue``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType

from guardlint._record import NamedTuple
from guardlint.model.access import get_list, get_map, get_str
from guardlint.model.groups import BUILTIN_WORKLOAD_GROUPS
from guardlint.model.paths import FieldPath
from guardlint.model.quantity import quantity_amount
from guardlint.model.resource import Resource
from guardlint.model.workloads import ContainerKind, ContainerRef, PodSpecRef, iter_containers, iter_pod_specs

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint.model.quantity import Amount
    from guardlint.model.selection import RunView


class SiteValue(NamedTuple):
    """One requested or limited resource: its name, raw quantity and where both are written."""

    section: str
    """``limits`` or ``requests``."""
    name: str
    raw: Any
    path: FieldPath
    """The value's path (the key line of a map entry)."""
    name_path: FieldPath
    """Where the name is written (the same key for maps; a ``name:`` field for flattened shapes)."""

    @property
    def value(self) -> Amount | None:
        return quantity_amount(self.raw)


class ResourceSite(NamedTuple):
    """A ResourceRequirements-like object: a container's ``resources`` or an operator's flattened fields."""

    path: FieldPath
    label: str
    """How messages name it: ``container 'train'`` or ``NIMService container (spec.resources)``."""
    values: tuple[SiteValue, ...]
    container: ContainerRef | None = None
    pod: PodSpecRef | None = None
    core_resources: bool = True
    """True when the object *is* a Kubernetes ResourceRequirements (the API's pairing rules of requests
    and limits apply); False for operator shapes such as Spark's ``gpu`` or Dynamo's ``resources``."""
    operator_created: bool = False
    """The pods are created by an operator, so the API rejects them at pod creation, not at apply."""
    by_key: Mapping[tuple[str, str], SiteValue] = MappingProxyType({})

    def get(self, section: str, name: str) -> SiteValue | None:
        return self.by_key.get((section, name))

    def missing(self, section: str, name: str) -> FieldPath:
        return (*self.path, section, name)

    def names(self) -> list[str]:
        seen: dict[str, None] = {}
        for v in self.values:
            seen.setdefault(v.name, None)
        return list(seen)


def _site(
    path: FieldPath, label: str, values: Sequence[SiteValue], *, container: ContainerRef | None = None,
    pod: PodSpecRef | None = None, core: bool = True, operator: bool = False,
) -> ResourceSite:
    by_key = MappingProxyType({(v.section, v.name): v for v in values})
    return ResourceSite(path, label, tuple(values), container, pod, core, operator, by_key)


def _map_values(requirements: Mapping[str, Any], path: FieldPath) -> list[SiteValue]:
    out: list[SiteValue] = []
    for section in ("limits", "requests"):
        values = requirements.get(section)
        if not isinstance(values, dict):
            continue
        for name, raw in values.items():
            if isinstance(name, str):
                p = (*path, section, name)
                out.append(SiteValue(section, name, raw, p, p))
    return out


def container_site(c: ContainerRef) -> ResourceSite:
    resources = c.data.get("resources")
    path = (*c.path, "resources")
    values = _map_values(resources, path) if isinstance(resources, dict) else []
    operator = c.pod.resource.group not in BUILTIN_WORKLOAD_GROUPS
    return _site(path, c.describe(), values, container=c, pod=c.pod, operator=operator)


def iter_flat_sites(resource: Resource) -> Iterator[ResourceSite]:
    """Resource fields of operators whose objects are not pod templates."""
    group, kind, data = resource.group, resource.kind, resource.data
    if group == "trainer.kubeflow.org" and kind == "TrainJob":
        rpn = get_map(data, ("spec", "trainer", "resourcesPerNode"))
        if rpn is not None:
            path: FieldPath = ("spec", "trainer", "resourcesPerNode")
            yield _site(path, "TrainJob trainer (spec.trainer.resourcesPerNode)", _map_values(rpn, path),
                        operator=True)
    elif group == "apps.nvidia.com" and kind == "NIMService":
        res = get_map(data, ("spec", "resources"))
        if res is not None:
            yield _site(("spec", "resources"), "NIMService container (spec.resources)",
                        _map_values(res, ("spec", "resources")), operator=True)
    elif group == "nvidia.com" and kind == "DynamoGraphDeployment":
        yield from _dynamo_sites(resource)


def _dynamo_sites(resource: Resource) -> Iterator[ResourceSite]:
    services = get_map(resource.data, ("spec", "services"))
    if services is not None:  # v1alpha1: {requests,limits}: {cpu, memory, gpu, gpuType, custom{}}
        for svc, spec in services.items():
            res = get_map(spec, ("resources",))
            if res is None:
                continue
            rpath: FieldPath = ("spec", "services", svc, "resources")
            values: list[SiteValue] = []
            for section in ("limits", "requests"):
                sec = get_map(res, (section,))
                if sec is None:
                    continue
                if sec.get("gpu") is not None:
                    gpu_type = sec.get("gpuType")
                    name = gpu_type if isinstance(gpu_type, str) and gpu_type else "nvidia.com/gpu"
                    name_path = (*rpath, section, "gpuType" if "gpuType" in sec else "gpu")
                    values.append(SiteValue(section, name, sec["gpu"], (*rpath, section, "gpu"), name_path))
                custom = get_map(sec, ("custom",))
                for cname, raw in (custom or {}).items():
                    if isinstance(cname, str):
                        p = (*rpath, section, "custom", cname)
                        values.append(SiteValue(section, cname, raw, p, p))
            yield _site(rpath, f"DynamoGraphDeployment service {svc!r}", values, core=False, operator=True)
    for i, comp in enumerate(get_list(resource.data, ("spec", "components")) or []):
        containers = get_list(comp, ("podTemplate", "spec", "containers"))
        for j, ctr in enumerate(containers or []):
            res = get_map(ctr, ("resources",))
            if res is None:
                continue
            cpath: FieldPath = ("spec", "components", i, "podTemplate", "spec", "containers", j, "resources")
            cname = get_str(ctr, ("name",)) or f"#{j}"
            yield _site(cpath, f"DynamoGraphDeployment component container {cname!r}", _map_values(res, cpath),
                        core=False, operator=True)


def has_qualified_name(resources: Mapping[str, Any]) -> bool:
    """Whether a ``resources`` map names a resource with a domain (``vendor/name``) in its limits or requests."""
    return any(
        isinstance(values, dict) and any(isinstance(k, str) and "/" in k for k in values)
        for values in (resources.get("limits"), resources.get("requests"))
    )


def iter_sites(resource: Resource, ctx: RunView, *, qualified_only: bool = True) -> Iterator[ResourceSite]:
    """Every resource-requirements object of the resource: containers and init containers of every pod the
    workload table knows (ephemeral containers cannot set resources), then operator-specific shapes.

    With ``qualified_only`` (the default) containers whose resource names all lack a domain (cpu and memory
    only) are skipped: extended resources and accelerators always have one."""
    for pod in iter_pod_specs(resource, ctx.workloads):
        for c in iter_containers(pod, (ContainerKind.INIT, ContainerKind.CONTAINER)):
            resources = c.data.get("resources")
            if isinstance(resources, dict) and (not qualified_only or has_qualified_name(resources)):
                yield container_site(c)
    yield from iter_flat_sites(resource)


def iter_flat_envs(resource: Resource) -> Iterator[tuple[FieldPath, str]]:
    """Environment lists of operator shapes that are not pod templates: (path of the list, label)."""
    group, kind, data = resource.group, resource.kind, resource.data
    if group == "trainer.kubeflow.org" and kind == "TrainJob":
        yield ("spec", "trainer", "env"), "TrainJob trainer"
    elif group == "apps.nvidia.com" and kind == "NIMService":
        yield ("spec", "env"), "NIMService container"
    elif group == "nvidia.com" and kind == "DynamoGraphDeployment":
        yield ("spec", "envs"), "DynamoGraphDeployment"
        for svc in get_map(data, ("spec", "services")) or {}:
            yield ("spec", "services", svc, "envs"), f"DynamoGraphDeployment service {svc!r}"
