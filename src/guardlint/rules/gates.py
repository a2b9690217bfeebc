"""Gates: cheap facts about one object that tell the engine a rule cannot report on it.

A rule declares the gates it needs in its decorator (``@rule(..., gates=("extended-resources",))``), by name,
from the fixed set below; the generated catalog records them, so the engine knows them without importing the
rule. A gated rule is called on an object only when at least one of its gates holds for the object (and, for a
``pods_only`` rule, when the object has pod specs): otherwise neither its module is imported nor the rule
called. The predicates are the engine's, not the rules': a configuration cannot add one, and a plugin can only
name them.

Each predicate is a plain look at the object's own fields and at its pod specs as the rules find them (the
run's memo of ``WorkloadTable.pods_of``, which ``iter_pod_specs`` and ``iter_containers`` read): it answers
True whenever the fields a gated rule reads could hold what the rule reports, and False only when they cannot.
A predicate may say True too often (it costs a call), never False too often (that would lose a finding): each
declaration says, next to it, why the rule yields nothing when its gates are all False, and
``tests/rules/test_gates.py`` runs every gated rule ungated over every fixture and over generated objects that
barely miss each gate, and fails on a finding where the rule's gates are all False.

The engine computes each gate at most once per object and run (only the gates some rule of the object's kind
declares), and chooses the rules per (kind, gate answers), as it does per kind. This module imports nothing
beyond the model's workload table, which every run has loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

from guardlint.model.resource import Resource
from guardlint.model.workloads import ContainerKind, PodSpecRef, WorkloadTable, iter_containers

PODS = "pods"
"""The gate of ``pods_only``: the object has pod specs."""

_INIT_AND_APP = (ContainerKind.INIT, ContainerKind.CONTAINER)  # a tuple: `in` compares identities
_STANDARD = ("cpu", "memory", "ephemeral-storage")
"""The container resources every pod may name that are no extended resource (``STANDARD_CONTAINER_RESOURCES``)."""

OPERATOR_RESOURCE_KINDS: frozenset[tuple[str, str]] = frozenset({
    ("trainer.kubeflow.org", "TrainJob"),
    ("apps.nvidia.com", "NIMService"),
    ("nvidia.com", "DynamoGraphDeployment"),
})
"""(group, kind) of the operators whose resource requirements and environment are not in a pod template
(``model.requirements.iter_flat_sites`` and ``iter_flat_envs``): objects of these kinds pass the
``extended-resources`` and ``env`` gates whatever they hold."""

DEVICE_LIST_DIR = "nvidia-container-devices"
"""The last component of the directories where the NVIDIA runtime reads a container's device list
(``/var/run/nvidia-container-devices``, ``/run/nvidia-container-devices``): a mount at or below either has it
in its path as written (normalising a path only drops components)."""

Predicate = Callable[[Resource, Sequence[PodSpecRef]], bool]


def _has_pods(resource: Resource, pods: Sequence[PodSpecRef]) -> bool:
    return bool(pods)


def _extended_resources(resource: Resource, pods: Sequence[PodSpecRef]) -> bool:
    if (resource.group, resource.kind) in OPERATOR_RESOURCE_KINDS:
        return True
    for pod in pods:
        for c in iter_containers(pod, _INIT_AND_APP):
            resources = c.data.get("resources")
            if not isinstance(resources, dict):
                continue
            for section in ("limits", "requests"):
                values = resources.get(section)
                if isinstance(values, dict) and any(name not in _STANDARD for name in values):
                    return True
    return False


def _resource_claims(resource: Resource, pods: Sequence[PodSpecRef]) -> bool:
    if resource.group == "argoproj.io":
        return True  # an Argo workflow's spec.resourceClaims is every template pod's default
    for pod in pods:
        if pod.spec.get("resourceClaims"):
            return True
        for c in iter_containers(pod):
            resources = c.data.get("resources")
            if isinstance(resources, dict) and resources.get("claims"):
                return True
    return False


def _runtime_class(resource: Resource, pods: Sequence[PodSpecRef]) -> bool:
    return any(pod.spec.get("runtimeClassName") is not None for pod in pods)


def _pod_resources(resource: Resource, pods: Sequence[PodSpecRef]) -> bool:
    return any(pod.spec.get("resources") for pod in pods)


def _node_targeting(resource: Resource, pods: Sequence[PodSpecRef]) -> bool:
    return any(pod.spec.get("tolerations") or pod.spec.get("nodeSelector") or pod.spec.get("affinity")
               for pod in pods)


def _host_path(resource: Resource, pods: Sequence[PodSpecRef]) -> bool:
    for pod in pods:
        volumes = pod.spec.get("volumes")
        if isinstance(volumes, list) and any(isinstance(v, dict) and "hostPath" in v for v in volumes):
            return True
    return False


def _device_exposure(resource: Resource, pods: Sequence[PodSpecRef]) -> bool:
    for pod in pods:
        spec = pod.spec
        if (spec.get("hostIPC") or spec.get("hostPID") or spec.get("runtimeClassName") is not None
                or _node_targeting(resource, (pod,)) or _host_path(resource, (pod,))):
            return True
        for c in iter_containers(pod):
            context = c.data.get("securityContext")
            if isinstance(context, dict) and context.get("privileged"):
                return True
    return False


def _host_namespaces(resource: Resource, pods: Sequence[PodSpecRef]) -> bool:
    return any(pod.spec.get("hostNetwork") or pod.spec.get("hostPID") or pod.spec.get("hostIPC") for pod in pods)


def _host_ports(resource: Resource, pods: Sequence[PodSpecRef]) -> bool:
    for pod in pods:
        for c in iter_containers(pod):
            ports = c.data.get("ports")
            if isinstance(ports, list) and any(isinstance(p, dict) and p.get("hostPort") for p in ports):
                return True
    return False


_POD_OPTIONS = ("seLinuxOptions", "windowsOptions", "sysctls")
_CONTAINER_OPTIONS = ("seLinuxOptions", "windowsOptions", "procMount")


def _security_context_options(resource: Resource, pods: Sequence[PodSpecRef]) -> bool:
    for pod in pods:
        context = pod.spec.get("securityContext")
        if isinstance(context, dict) and any(context.get(k) is not None for k in _POD_OPTIONS):
            return True
        for c in iter_containers(pod):
            context = c.data.get("securityContext")
            if not isinstance(context, dict):
                continue
            if any(context.get(k) is not None for k in _CONTAINER_OPTIONS):
                return True
            capabilities = context.get("capabilities")
            if isinstance(capabilities, dict) and capabilities.get("add"):
                return True
    return False


def _env(resource: Resource, pods: Sequence[PodSpecRef]) -> bool:
    if (resource.group, resource.kind) in OPERATOR_RESOURCE_KINDS:
        return True
    return any(c.data.get("env") or c.data.get("envFrom") for pod in pods for c in iter_containers(pod))


def _device_list_mount(resource: Resource, pods: Sequence[PodSpecRef]) -> bool:
    for pod in pods:
        for c in iter_containers(pod):
            mounts = c.data.get("volumeMounts")
            if isinstance(mounts, list) and any(
                isinstance(m, dict) and isinstance(m.get("mountPath"), str) and DEVICE_LIST_DIR in m["mountPath"]
                for m in mounts
            ):
                return True
    return False


GATES: Mapping[str, tuple[str, Predicate]] = MappingProxyType({
    PODS: ("the object has pod specs (what `pods_only` declares)", _has_pods),
    "extended-resources": (
        ("an init or app container of one of its pods names, in its `limits` or `requests`, a resource other "
         "than cpu, memory and ephemeral-storage (any extended resource, accelerators included, hugepages, or a "
         "name the API rejects), or the object is of an operator kind whose resources are not in a pod template "
         "(Kubeflow TrainJob, NVIDIA NIMService and DynamoGraphDeployment)"),
        _extended_resources,
    ),
    "resource-claims": (
        ("one of its pods sets `resourceClaims` or one of its containers `resources.claims` (Dynamic Resource "
         "Allocation), or the object is an Argo Workflows object (whose workflow-level claims its pods inherit)"),
        _resource_claims,
    ),
    "runtime-class": ("one of its pods sets `runtimeClassName`", _runtime_class),
    "pod-resources": ("one of its pods sets pod-level `resources`", _pod_resources),
    "node-targeting": ("one of its pods sets `tolerations`, `nodeSelector` or `affinity`", _node_targeting),
    "host-path": ("one of its pods has a `hostPath` volume", _host_path),
    "device-exposure": (
        ("one of its pods could show a container the node's devices without a request: it shares the host's IPC "
         "or PID namespace, sets `runtimeClassName`, targets nodes (`tolerations`, `nodeSelector`, `affinity`), "
         "has a `hostPath` volume or a privileged container"),
        _device_exposure,
    ),
    "host-namespaces": ("one of its pods sets `hostNetwork`, `hostPID` or `hostIPC`", _host_namespaces),
    "host-ports": ("one of its containers sets a `hostPort`", _host_ports),
    "security-context-options": (
        ("a pod's `securityContext` sets `seLinuxOptions`, `windowsOptions` or `sysctls`, or a container's "
         "`seLinuxOptions`, `windowsOptions`, `procMount` or `capabilities.add`"),
        _security_context_options,
    ),
    "env": (
        ("one of its containers sets `env` or `envFrom`, or the object is of an operator kind with its own "
         "environment lists (Kubeflow TrainJob, NVIDIA NIMService and DynamoGraphDeployment)"),
        _env,
    ),
    "device-list-mount": (
        "one of its containers mounts a volume at a path that holds `nvidia-container-devices`", _device_list_mount,
    ),
})
"""Every gate the engine knows: name -> (what it means, its predicate). Adding one is a change to guardlint."""


def gate_names() -> tuple[str, ...]:
    return tuple(GATES)


def holds(name: str, resource: Resource, workloads: WorkloadTable) -> bool:
    """Whether gate ``name`` holds for ``resource`` (pod specs from ``workloads``, the run's memo). An unknown
    name, or a failure to find the object's pods, holds: the rule is then called, as without a gate, and
    reports any failure itself."""
    entry = GATES.get(name)
    if entry is None:
        return True
    try:
        return entry[1](resource, workloads.pods_of(resource))
    except Exception:
        return True


def open_gates(resource: Resource, workloads: WorkloadTable, names: Sequence[str]) -> frozenset[str]:
    """The gates among ``names`` that hold for ``resource``, each computed once."""
    return frozenset(name for name in names if holds(name, resource, workloads))


def passes(pods_only: bool, gates: Sequence[str], answers: frozenset[str]) -> bool:
    """Whether a rule declaring ``pods_only`` and ``gates`` is called on an object whose open gates are
    ``answers`` (computed for at least ``PODS`` when ``pods_only`` and for every one of ``gates``)."""
    if pods_only and PODS not in answers:
        return False
    return not gates or any(g in answers for g in gates)


def needed(pods_only: bool, gates: Sequence[str]) -> tuple[str, ...]:
    """The gates the engine asks an object about for a rule with these declarations."""
    return (PODS, *gates) if pods_only else tuple(gates)


def describe(name: str) -> str:
    entry = GATES.get(name)
    return entry[0] if entry is not None else name
