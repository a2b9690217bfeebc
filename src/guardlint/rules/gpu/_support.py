"""Shared views for the GPU pack: where resource requirements are (containers of every pod template plus the
flattened shapes of operators that are not pod templates), which pods use or target accelerators, and the
exemption of the vendors' own system DaemonSets.

Everything here is a pure function of one resource and the run context.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator, Mapping, Sequence
from fractions import Fraction
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol

from guardlint.model.access import get_list, get_map, get_str
from guardlint.model.groups import BUILTIN_WORKLOAD_GROUPS
from guardlint.model.paths import FieldPath
from guardlint.model.quantity import quantity_value
from guardlint.model.resource import Resource
from guardlint.model.workloads import (
    ContainerKind,
    ContainerRef,
    PodSpecRef,
    iter_containers,
    iter_pod_specs,
)
from guardlint.rules.api import RuleContext
from guardlint.rules.gpu.accelerators import Accelerator, AcceleratorTable, table_for

# --------------------------------------------------------------------------------------------------------
# Values

_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|\$\([^)]*\)|\{\{.*?\}\}|<[^<>]*>|__[A-Z0-9_]+__")


def is_placeholder(value: Any) -> bool:
    """An unrendered template value (``${GPU}``, ``{{ .Values.gpu }}``, ``<GPU_COUNT>``): not judged."""
    return isinstance(value, str) and _PLACEHOLDER.search(value) is not None


# --------------------------------------------------------------------------------------------------------
# Resource names, exactly as the API classifies them (pkg/apis/core/helper/helpers.go)

STANDARD_CONTAINER_RESOURCES = frozenset({"cpu", "memory", "ephemeral-storage"})
STANDARD_RESOURCES = frozenset({
    "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage",
    "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods", "resourcequotas", "services",
    "replicationcontrollers", "secrets", "configmaps", "persistentvolumeclaims", "storage", "requests.storage",
    "services.nodeports", "services.loadbalancers",
})
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_QUALIFIED_NAME_PART = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")


def is_native(name: str) -> bool:
    """``IsNativeResource``: no ``/``, or the name contains ``kubernetes.io/`` anywhere."""
    return "/" not in name or "kubernetes.io/" in name


def qualified_name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid qualified name (label-key syntax), or None."""
    parts = name.split("/")
    if len(parts) > 2:
        return "has more than one '/'"
    if len(parts) == 2:
        prefix, local = parts
        if not prefix:
            return "has an empty prefix before '/'"
        if len(prefix) > 253 or not _DNS_SUBDOMAIN.match(prefix):
            return f"has a prefix {prefix!r} that is not a lowercase DNS subdomain"
    else:
        local = parts[0]
    if not local:
        return "has an empty name part"
    if len(local) > 63:
        return "has a name part longer than 63 characters"
    if not _QUALIFIED_NAME_PART.match(local):
        return f"has a name part {local!r} with characters other than letters, digits, '-', '_' and '.'"
    return None


def is_extended(name: str) -> bool:
    """``IsExtendedResourceName``: a valid qualified name outside ``kubernetes.io`` without ``requests.``."""
    if is_native(name) or name.startswith("requests."):
        return False
    return qualified_name_problem("requests." + name) is None


def is_hugepages(name: str) -> bool:
    return name.startswith("hugepages-")


# --------------------------------------------------------------------------------------------------------
# Where resource requirements are


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
    def value(self) -> Fraction | None:
        return quantity_value(self.raw)


class ResourceSite(NamedTuple):
    """A ResourceRequirements-like object: a container's ``resources`` or an operator's flattened fields."""

    path: FieldPath
    label: str
    """How messages name it: ``container 'train'`` or ``SparkApplication driver``."""
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
    elif group == "sparkoperator.k8s.io" and kind in ("SparkApplication", "ScheduledSparkApplication"):
        base: FieldPath = ("spec",) if kind == "SparkApplication" else ("spec", "template")
        for role in ("driver", "executor"):
            gpu = get_map(data, (*base, role, "gpu"))
            if gpu is None:
                continue
            name = gpu.get("name")
            if not isinstance(name, str) or not name:
                continue
            gpath = (*base, role, "gpu")
            value = SiteValue("limits", name, gpu.get("quantity"), (*gpath, "quantity"), (*gpath, "name"))
            yield _site(gpath, f"{kind} {role} (gpu)", [value], core=False, operator=True)
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


def _has_qualified_name(resources: Mapping[str, Any]) -> bool:
    return any(
        isinstance(values, dict) and any(isinstance(k, str) and "/" in k for k in values)
        for values in (resources.get("limits"), resources.get("requests"))
    )


def iter_sites(resource: Resource, ctx: RuleContext, *, qualified_only: bool = True) -> Iterator[ResourceSite]:
    """Every resource-requirements object of the resource: containers and init containers of every pod the
    workload table knows (ephemeral containers cannot set resources), then operator-specific shapes.

    With ``qualified_only`` (the default) containers whose resource names all lack a domain (cpu and memory
    only) are skipped: extended resources and accelerators always have one."""
    for pod in iter_pod_specs(resource, ctx.workloads):
        for c in iter_containers(pod, (ContainerKind.INIT, ContainerKind.CONTAINER)):
            resources = c.data.get("resources")
            if isinstance(resources, dict) and (not qualified_only or _has_qualified_name(resources)):
                yield container_site(c)
    yield from iter_flat_sites(resource)


def iter_flat_envs(resource: Resource) -> Iterator[tuple[FieldPath, str]]:
    """Environment lists of operator shapes that are not pod templates: (path of the list, label)."""
    group, kind, data = resource.group, resource.kind, resource.data
    if group == "trainer.kubeflow.org" and kind == "TrainJob":
        yield ("spec", "trainer", "env"), "TrainJob trainer"
    elif group == "apps.nvidia.com" and kind == "NIMService":
        yield ("spec", "env"), "NIMService container"
    elif group == "sparkoperator.k8s.io" and kind in ("SparkApplication", "ScheduledSparkApplication"):
        base: FieldPath = ("spec",) if kind == "SparkApplication" else ("spec", "template")
        for role in ("driver", "executor"):
            yield (*base, role, "env"), f"{kind} {role}"
    elif group == "nvidia.com" and kind == "DynamoGraphDeployment":
        yield ("spec", "envs"), "DynamoGraphDeployment"
        for svc in get_map(data, ("spec", "services")) or {}:
            yield ("spec", "services", svc, "envs"), f"DynamoGraphDeployment service {svc!r}"


# --------------------------------------------------------------------------------------------------------
# Accelerator use


def accelerators(ctx: RuleContext) -> AcceleratorTable:
    return table_for(ctx.options)


AcceleratorUse = dict[str, tuple[Fraction, SiteValue, Accelerator]]


def site_accelerators(site: ResourceSite, table: AcceleratorTable) -> AcceleratorUse:
    """Accelerator name -> (amount, the value that decides it, registry row): the limit, else the request
    (the API defaults a missing request to the limit; a request alone is rejected, but it is what was
    asked for). Unparsable and placeholder quantities are left out."""
    out: AcceleratorUse = {}
    for section in ("requests", "limits"):  # limits last: they win
        for v in site.values:
            if v.section != section:
                continue
            acc = table.lookup(v.name)
            if acc is None:
                continue
            amount = v.value
            if amount is None:
                continue
            out[v.name] = (amount, v, acc)
    return out


def container_accelerators(c: ContainerRef, table: AcceleratorTable) -> AcceleratorUse:
    resources = c.data.get("resources")
    if not isinstance(resources, dict):
        return {}
    # Fast path: accelerator names always carry a domain, most containers ask for cpu and memory only.
    if not _has_qualified_name(resources):
        return {}
    return site_accelerators(container_site(c), table)


def is_shared_use(use: AcceleratorUse) -> bool:
    """The counts are shares of a GPU, not whole devices: HAMi vGPU resources or time-sliced ``.shared``."""
    return any(acc.vendor == "HAMi" or acc.kind == "shared" for _, _, acc in use.values())


OPERATOR_COMPLETED: frozenset[tuple[str, str]] = frozenset({
    ("serving.kserve.io", "InferenceService"),
    ("serving.kserve.io", "LLMInferenceService"),
})
"""Kinds whose containers the operator completes before it creates pods: KServe's defaulting webhook sets
CPU and memory requests and limits on InferenceService containers and merges the serving runtime's
container; LLMInferenceService containers are merged with the LLMInferenceServiceConfig presets."""


def operator_completed(resource: Resource) -> bool:
    return (resource.group, resource.kind) in OPERATOR_COMPLETED


def uses_accelerator(c: ContainerRef, table: AcceleratorTable) -> bool:
    return any(amount > 0 for amount, _, _ in container_accelerators(c, table).values())


def pod_uses_accelerator(pod: PodSpecRef, table: AcceleratorTable) -> bool:
    """Some container or init container requests an accelerator (a positive amount)."""
    return any(uses_accelerator(c, table) for c in iter_containers(pod, (ContainerKind.INIT, ContainerKind.CONTAINER)))


ARGO_WORKFLOW_KINDS = frozenset({"Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow"})


def argo_spec_path(resource: Resource) -> FieldPath | None:
    """Where an Argo Workflows kind keeps its WorkflowSpec (None for other objects)."""
    if resource.group != "argoproj.io" or resource.kind not in ARGO_WORKFLOW_KINDS:
        return None
    return ("spec", "workflowSpec") if resource.kind == "CronWorkflow" else ("spec",)


def pod_resource_claims(pod: PodSpecRef) -> tuple[FieldPath, Sequence[Any]]:
    """The pod's ``resourceClaims`` and where they are: the pod's own, or for an Argo Workflows template that
    sets none, the workflow-level default (``spec.resourceClaims``), which Argo applies to every template pod."""
    own = get_list(pod.spec, ("resourceClaims",))
    if own is not None:
        return (*pod.path, "resourceClaims"), own
    spec_path = argo_spec_path(pod.resource)
    if spec_path is not None:
        default = get_list(pod.resource.data, (*spec_path, "resourceClaims"))
        if default is not None:
            return (*spec_path, "resourceClaims"), default
    return (*pod.path, "resourceClaims"), ()


def pod_claims_devices(pod: PodSpecRef) -> bool:
    """The pod allocates devices through Dynamic Resource Allocation (pod claims or container claims)."""
    if pod_resource_claims(pod)[1]:
        return True
    return any(get_list(c.data, ("resources", "claims")) for c in iter_containers(pod))


# --------------------------------------------------------------------------------------------------------
# Node targeting

GPU_RUNTIME_CLASSES: tuple[str, ...] = ("nvidia", "nvidia-cdi", "nvidia-legacy")
"""The RuntimeClasses the NVIDIA GPU Operator creates (CDI documentation)."""

DEFAULT_GPU_TAINT_KEYS: tuple[str, ...] = (
    "nvidia.com/gpu", "amd.com/gpu", "google.com/tpu", "habana.ai/gaudi", "aws.amazon.com/neuron",
    "gpu.intel.com/i915", "gpu.intel.com/xe",
)
"""Taints GPU node pools carry: the resource name as key (the ExtendedResourceToleration convention, GKE,
EKS and Karpenter examples)."""

DEFAULT_GPU_NODE_LABELS: tuple[str, ...] = (
    "nvidia.com/gpu.*", "nvidia.com/mig.*", "nvidia.com/mig-*", "nvidia.com/cuda.*",
    "feature.node.kubernetes.io/pci-10de.present",
    "cloud.google.com/gke-accelerator", "cloud.google.com/gke-accelerator-count",
    "cloud.google.com/gke-gpu-*", "cloud.google.com/gke-tpu-*",
    "karpenter.k8s.aws/instance-gpu-*", "karpenter.k8s.aws/instance-accelerator-*",
    "amd.com/gpu.*", "beta.amd.com/gpu.*",
)
"""Node labels that exist only on accelerator nodes: NVIDIA GPU Feature Discovery, NFD (10de is NVIDIA's PCI
vendor id), GKE, Karpenter and the AMD node labeller."""

_NEGATIVE_VALUES = frozenset({"false", "0", ""})


def label_matches(key: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(key, p) for p in patterns)


def gpu_selector_paths(pod: PodSpecRef, label_patterns: Sequence[str]) -> list[tuple[FieldPath, str]]:
    """(path, label key) for each nodeSelector entry or required node-affinity expression that picks
    accelerator nodes (``In``/``Exists``/``Gt`` on an accelerator label; ``false``/``0`` values do not)."""
    out: list[tuple[FieldPath, str]] = []
    for key, value in (get_map(pod.spec, ("nodeSelector",)) or {}).items():
        if isinstance(key, str) and label_matches(key, label_patterns) and str(value).lower() not in _NEGATIVE_VALUES:
            out.append(((*pod.path, "nodeSelector", key), key))
    terms_path = ("affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")
    terms = get_list(pod.spec, terms_path) or []
    # Terms are ORed: the pod targets accelerator nodes only when every term does.
    term_hits: list[tuple[FieldPath, str]] = []
    for ti, term in enumerate(terms):
        hit: tuple[FieldPath, str] | None = None
        for ei, expr in enumerate(get_list(term, ("matchExpressions",)) or []):
            expr_key = get_str(expr, ("key",))
            op = get_str(expr, ("operator",))
            if expr_key is None or not label_matches(expr_key, label_patterns):
                continue
            values = [str(v).lower() for v in get_list(expr, ("values",)) or []]
            if op in ("Exists", "Gt") or (op == "In" and values and not set(values) <= _NEGATIVE_VALUES):
                hit = ((*pod.path, *terms_path, ti, "matchExpressions", ei, "key"), expr_key)
                break
        if hit is None:
            term_hits = []
            break
        term_hits.append(hit)
    if terms and term_hits:
        out.append(term_hits[0])
    return out


def gpu_toleration_paths(pod: PodSpecRef, taint_keys: Sequence[str]) -> list[tuple[FieldPath, str]]:
    """(path, key) of tolerations naming an accelerator taint key (``key=value`` entries match both)."""
    out: list[tuple[FieldPath, str]] = []
    for i, tol in enumerate(get_list(pod.spec, ("tolerations",)) or []):
        key = get_str(tol, ("key",))
        if not key:
            continue
        value = get_str(tol, ("value",))
        for wanted in taint_keys:
            wkey, sep, wvalue = wanted.partition("=")
            if key == wkey and (not sep or value == wvalue or get_str(tol, ("operator",)) == "Exists"):
                out.append(((*pod.path, "tolerations", i, "key"), key))
                break
    return out


def tolerates_everything(pod: PodSpecRef) -> bool:
    return any(
        isinstance(t, dict) and not t.get("key") and t.get("operator") == "Exists" and not t.get("effect")
        for t in get_list(pod.spec, ("tolerations",)) or []
    )


# --------------------------------------------------------------------------------------------------------
# The vendors' own system DaemonSets


SYSTEM_KINDS: tuple[str, ...] = ("DaemonSet",)
SYSTEM_NAMESPACES: tuple[str, ...] = (
    "gpu-operator", "nvidia-gpu-operator", "nvidia-device-plugin", "nvidia-dra-driver-gpu",
    "kube-amd-gpu", "amd-gpu-operator", "intel-gpu-plugin", "habana-system", "kube-system",
)
SYSTEM_IMAGES: tuple[str, ...] = (
    "*/k8s-device-plugin*", "*/gpu-feature-discovery*", "*/dcgm-exporter*", "*/k8s-driver-manager*",
    "*/k8s-mig-manager*", "*/gpu-operator*", "*/container-toolkit*", "*/gpu-operator-validator*",
    "nvcr.io/nvidia/driver*", "*/k8s-dra-driver*", "rocm/k8s-device-plugin*", "*/intel-gpu-plugin*",
    "*/neuron-device-plugin*", "*/docker-k8s-device-plugin*", "*/tpu-device-plugin*",
    "*/nvidia-gpu-device-plugin*",
)


class SystemParams(Protocol):
    """The parameters shared by the isolation rules: which objects are the GPU vendors' system components
    (every such rule's Params declares ``system_kinds``, ``system_namespaces`` and ``system_images``)."""

    @property
    def system_kinds(self) -> tuple[str, ...]: ...

    @property
    def system_namespaces(self) -> tuple[str, ...]: ...

    @property
    def system_images(self) -> tuple[str, ...]: ...


SYSTEM_PARAMS_SCHEMA: dict[str, Any] = {
    "system-kinds": {
        "type": "array", "items": {"type": "string"}, "default": list(SYSTEM_KINDS),
        "description": "Object kinds that can be GPU system components (the vendors' node agents).",
    },
    "system-namespaces": {
        "type": "array", "items": {"type": "string"}, "default": list(SYSTEM_NAMESPACES),
        "description": "Namespaces (glob patterns) whose objects of a system kind are GPU system components.",
    },
    "system-images": {
        "type": "array", "items": {"type": "string"}, "default": list(SYSTEM_IMAGES),
        "description": "Image patterns (globs) of GPU system components: a pod of a system kind with one of "
        "these images is exempt.",
    },
}


def params_schema(own: Mapping[str, Any], *, system: bool = False) -> dict[str, Any]:
    props = dict(own)
    if system:
        props.update(SYSTEM_PARAMS_SCHEMA)
    return {"type": "object", "additionalProperties": False, "properties": props}


def is_system_component(pod: PodSpecRef, params: SystemParams) -> bool:
    """Whether the pod is one of the GPU vendors' node agents (device plugin, GPU feature discovery, DCGM
    exporter, driver and MIG managers, ...), which legitimately run privileged with every GPU visible."""
    resource = pod.resource
    if resource.kind not in params.system_kinds:
        return False
    ns = resource.namespace or ""
    if ns and any(fnmatch.fnmatchcase(ns, p) for p in params.system_namespaces):
        return True
    for c in iter_containers(pod):
        image = get_str(c.data, ("image",))
        if image and any(fnmatch.fnmatchcase(image, p) for p in params.system_images):
            return True
    return False


def env_entries(data: Any, path: FieldPath) -> Iterator[tuple[int, Mapping[str, Any]]]:
    for i, item in enumerate(get_list(data, path) or []):
        if isinstance(item, dict):
            yield i, item

