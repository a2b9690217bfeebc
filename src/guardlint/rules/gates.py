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
declares), and chooses the rules per (kind, gate answers), as it does per kind. Each gate (``Gate``) holds by
the object's API group and kind or by one of its pod specs, so an object without pod specs (most objects: a
Service, a ConfigMap, RBAC) is answered as every other such object of its group and kind, which the engine
computes once per run. This module imports nothing
beyond the model's workload table, which every run has loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType

from guardlint._record import NamedTuple
from guardlint.model.resource import Resource
from guardlint.model.workloads import ContainerKind, PodSpecRef, WorkloadTable, iter_containers

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

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

PodTest = Callable[[PodSpecRef], bool]


class Gate(NamedTuple):
    """One gate: it holds for an object whose (API group, kind) is in ``kinds`` or whose API group is in
    ``groups``, whatever it holds, or for which ``pod`` holds on one of its pod specs. An object without pod
    specs is therefore answered from its group and kind alone, which the engine uses (``Run.check``)."""

    meaning: str
    pod: PodTest
    kinds: frozenset[tuple[str, str]] = frozenset()
    groups: frozenset[str] = frozenset()

    def by_kind(self, group: str, kind: str) -> bool:
        return group in self.groups or (group, kind) in self.kinds

    def holds(self, resource: Resource, pods: Sequence[PodSpecRef]) -> bool:
        return self.by_kind(resource.group, resource.kind) or any(self.pod(pod) for pod in pods)


def _any_pod(pod: PodSpecRef) -> bool:
    return True


def _extended_resources(pod: PodSpecRef) -> bool:
    for c in iter_containers(pod, _INIT_AND_APP):
        resources = c.data.get("resources")
        if not isinstance(resources, dict):
            continue
        for section in ("limits", "requests"):
            values = resources.get(section)
            if isinstance(values, dict) and any(name not in _STANDARD for name in values):
                return True
    return False


def _resource_claims(pod: PodSpecRef) -> bool:
    if pod.spec.get("resourceClaims"):
        return True
    for c in iter_containers(pod):
        resources = c.data.get("resources")
        if isinstance(resources, dict) and resources.get("claims"):
            return True
    return False


def _runtime_class(pod: PodSpecRef) -> bool:
    return pod.spec.get("runtimeClassName") is not None


def _pod_resources(pod: PodSpecRef) -> bool:
    return bool(pod.spec.get("resources"))


HUGE_PAGE_MEDIUM = "HugePages"
"""``StorageMediumHugePages``: an ``emptyDir`` medium of ``HugePages`` or ``HugePages-<size>`` is a huge-page
volume (``IsHugePageMedium``)."""


def _is_huge_page_volume(volume: Any) -> bool:
    empty_dir = volume.get("emptyDir") if isinstance(volume, dict) else None
    medium = empty_dir.get("medium") if isinstance(empty_dir, dict) else None
    return isinstance(medium, str) and medium.startswith(HUGE_PAGE_MEDIUM)


def _huge_page_volume(pod: PodSpecRef) -> bool:
    volumes = pod.spec.get("volumes")
    return isinstance(volumes, list) and any(_is_huge_page_volume(v) for v in volumes)


def _node_targeting(pod: PodSpecRef) -> bool:
    spec = pod.spec
    return bool(spec.get("tolerations") or spec.get("nodeSelector") or spec.get("affinity"))


def _host_path(pod: PodSpecRef) -> bool:
    volumes = pod.spec.get("volumes")
    return isinstance(volumes, list) and any(isinstance(v, dict) and "hostPath" in v for v in volumes)


def _device_exposure(pod: PodSpecRef) -> bool:
    spec = pod.spec
    if (spec.get("hostIPC") or spec.get("hostPID") or spec.get("runtimeClassName") is not None
            or _node_targeting(pod) or _host_path(pod)):
        return True
    for c in iter_containers(pod):
        context = c.data.get("securityContext")
        if isinstance(context, dict) and context.get("privileged"):
            return True
    return False


def _host_namespaces(pod: PodSpecRef) -> bool:
    spec = pod.spec
    return bool(spec.get("hostNetwork") or spec.get("hostPID") or spec.get("hostIPC"))


def _host_ports(pod: PodSpecRef) -> bool:
    for c in iter_containers(pod):
        ports = c.data.get("ports")
        if isinstance(ports, list) and any(isinstance(p, dict) and p.get("hostPort") for p in ports):
            return True
    return False


_POD_OPTIONS = ("seLinuxOptions", "windowsOptions", "sysctls")
_CONTAINER_OPTIONS = ("seLinuxOptions", "windowsOptions", "procMount")


def _security_context_options(pod: PodSpecRef) -> bool:
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


def _env(pod: PodSpecRef) -> bool:
    return any(c.data.get("env") or c.data.get("envFrom") for c in iter_containers(pod))


_PROBE_FIELDS = ("livenessProbe", "readinessProbe", "startupProbe", "lifecycle")


def _probes(pod: PodSpecRef) -> bool:
    return any(c.data.get(k) is not None for c in iter_containers(pod) for k in _PROBE_FIELDS)


def _container_ports(pod: PodSpecRef) -> bool:
    return any(c.data.get("ports") for c in iter_containers(pod))


_REFERENCING_VOLUMES = ("secret", "configMap", "persistentVolumeClaim", "projected")


def _references(pod: PodSpecRef) -> bool:
    spec = pod.spec
    if spec.get("imagePullSecrets"):
        return True
    volumes = spec.get("volumes")
    if isinstance(volumes, list) and any(
        isinstance(v, dict) and any(k in v for k in _REFERENCING_VOLUMES) for v in volumes
    ):
        return True
    for c in iter_containers(pod):
        if c.data.get("envFrom"):
            return True
        env = c.data.get("env")
        if isinstance(env, list) and any(isinstance(e, dict) and "valueFrom" in e for e in env):
            return True
    return False


def _limits(pod: PodSpecRef) -> bool:
    resources = pod.spec.get("resources")
    if isinstance(resources, dict) and resources.get("limits"):
        return True
    for c in iter_containers(pod):
        resources = c.data.get("resources")
        if isinstance(resources, dict) and resources.get("limits"):
            return True
    return False


def _service_account(pod: PodSpecRef) -> bool:
    spec = pod.spec
    # The deprecated ``serviceAccount`` counts when present at all (null too): ``deprecated-service-account-field``
    # reports the key whatever its value.
    return bool(spec.get("serviceAccountName")) or "serviceAccount" in spec


def _sets_in_security_context(pod: PodSpecRef, field: str) -> bool:
    """Whether the pod's or one of its containers' ``securityContext`` sets ``field`` (not null)."""
    context = pod.spec.get("securityContext")
    if isinstance(context, dict) and context.get(field) is not None:
        return True
    for c in iter_containers(pod):
        context = c.data.get("securityContext")
        if isinstance(context, dict) and context.get(field) is not None:
            return True
    return False


SECCOMP_ANNOTATIONS = "seccomp.security.alpha.kubernetes.io/"
"""In both alpha seccomp annotation keys: ``seccomp.security.alpha.kubernetes.io/pod`` and
``container.seccomp.security.alpha.kubernetes.io/<container>``."""
APPARMOR_ANNOTATIONS = "container.apparmor.security.beta.kubernetes.io/"


def _seccomp(pod: PodSpecRef) -> bool:
    # A key that is not a string counts too: a JSON Schema ``propertyNames`` pattern (the declarative
    # ``deprecated-seccomp-annotation``) rejects it.
    return _sets_in_security_context(pod, "seccompProfile") or any(
        not isinstance(key, str) or SECCOMP_ANNOTATIONS in key for key in pod.annotations
    )


def _apparmor(pod: PodSpecRef) -> bool:
    # A key that is not a string counts too (see ``_seccomp``).
    return _sets_in_security_context(pod, "appArmorProfile") or any(
        not isinstance(key, str) or key.startswith(APPARMOR_ANNOTATIONS) for key in pod.annotations
    )


def _no_pod(pod: PodSpecRef) -> bool:
    return False


def _device_list_mount(pod: PodSpecRef) -> bool:
    for c in iter_containers(pod):
        mounts = c.data.get("volumeMounts")
        if isinstance(mounts, list) and any(
            isinstance(m, dict) and isinstance(m.get("mountPath"), str) and DEVICE_LIST_DIR in m["mountPath"]
            for m in mounts
        ):
            return True
    return False


GATES: Mapping[str, Gate] = MappingProxyType({
    PODS: Gate("the object has pod specs (what `pods_only` declares)", _any_pod),
    "extended-resources": Gate(
        ("an init or app container of one of its pods names, in its `limits` or `requests`, a resource other "
         "than cpu, memory and ephemeral-storage (any extended resource, accelerators included, hugepages, or a "
         "name the API rejects), or the object is of an operator kind whose resources are not in a pod template "
         "(Kubeflow TrainJob, NVIDIA NIMService and DynamoGraphDeployment)"),
        _extended_resources, kinds=OPERATOR_RESOURCE_KINDS,
    ),
    "resource-claims": Gate(
        ("one of its pods sets `resourceClaims` or one of its containers `resources.claims` (Dynamic Resource "
         "Allocation), or the object is an Argo Workflows object (whose workflow-level claims its pods inherit)"),
        _resource_claims, groups=frozenset({"argoproj.io"}),
    ),
    "runtime-class": Gate("one of its pods sets `runtimeClassName`", _runtime_class),
    "pod-resources": Gate("one of its pods sets pod-level `resources`", _pod_resources),
    "node-targeting": Gate("one of its pods sets `tolerations`, `nodeSelector` or `affinity`", _node_targeting),
    "host-path": Gate("one of its pods has a `hostPath` volume", _host_path),
    "huge-page-volume": Gate(
        "one of its pods has an `emptyDir` volume whose `medium` starts with `HugePages`", _huge_page_volume,
    ),
    "device-exposure": Gate(
        ("one of its pods could show a container the node's devices without a request: it shares the host's IPC "
         "or PID namespace, sets `runtimeClassName`, targets nodes (`tolerations`, `nodeSelector`, `affinity`), "
         "has a `hostPath` volume or a privileged container"),
        _device_exposure,
    ),
    "host-namespaces": Gate("one of its pods sets `hostNetwork`, `hostPID` or `hostIPC`", _host_namespaces),
    "host-ports": Gate("one of its containers sets a `hostPort`", _host_ports),
    "security-context-options": Gate(
        ("a pod's `securityContext` sets `seLinuxOptions`, `windowsOptions` or `sysctls`, or a container's "
         "`seLinuxOptions`, `windowsOptions`, `procMount` or `capabilities.add`"),
        _security_context_options,
    ),
    "env": Gate(
        ("one of its containers sets `env` or `envFrom`, or the object is of an operator kind with its own "
         "environment lists (Kubeflow TrainJob, NVIDIA NIMService and DynamoGraphDeployment)"),
        _env, kinds=OPERATOR_RESOURCE_KINDS,
    ),
    "device-list-mount": Gate(
        "one of its containers mounts a volume at a path that holds `nvidia-container-devices`", _device_list_mount,
    ),
    "probes": Gate(
        "one of its containers sets `livenessProbe`, `readinessProbe`, `startupProbe` or `lifecycle`", _probes,
    ),
    "container-ports": Gate("one of its containers sets `ports`", _container_ports),
    "references": Gate(
        ("one of its pods names another object: it sets `imagePullSecrets`, has a `secret`, `configMap`, "
         "`persistentVolumeClaim` or `projected` volume, or one of its containers sets `envFrom` or an `env` entry "
         "with `valueFrom`; or the object is a ServiceAccount of the core API group (whose `imagePullSecrets` every "
         "pod that runs as it gets)"),
        _references, kinds=frozenset({("", "ServiceAccount")}),
    ),
    "secret": Gate("the object is a Secret of the core API group", _no_pod, kinds=frozenset({("", "Secret")})),
    "limits": Gate("one of its pods or containers sets `resources.limits`", _limits),
    "service-account": Gate(
        "one of its pods sets `serviceAccountName` or has the key `serviceAccount` (null too)", _service_account,
    ),
    "seccomp": Gate(
        ("a pod's or container's `securityContext` sets `seccompProfile`, or a pod's annotations hold an alpha "
         "seccomp annotation (`seccomp.security.alpha.kubernetes.io/pod`, "
         "`container.seccomp.security.alpha.kubernetes.io/<name>`) or a key that is not a string"),
        _seccomp,
    ),
    "apparmor": Gate(
        ("a pod's or container's `securityContext` sets `appArmorProfile`, or a pod's annotations hold a "
         "`container.apparmor.security.beta.kubernetes.io/<name>` annotation or one whose key is not a string"),
        _apparmor,
    ),
})
"""Every gate the engine knows, by name. Adding one is a change to guardlint."""


_AT_ONCE = frozenset({
    PODS, "extended-resources", "resource-claims", "runtime-class", "pod-resources", "node-targeting", "host-path",
    "device-exposure", "host-namespaces", "host-ports", "security-context-options", "env", "device-list-mount",
    "probes", "container-ports", "references", "limits", "service-account", "seccomp", "apparmor", "secret",
    "huge-page-volume",
})
"""The gates whose pod test ``pod_gates`` answers (``secret``'s holds for no pod)."""
_ASKED_ALONE = frozenset(GATES) - _AT_ONCE
"""Gates ``pod_gates`` does not answer: ``open_gates`` asks each one's own test (a gate added without a line there
is then still exact, only slower; ``tests/rules/test_gates_at_once.py`` asks for that line)."""
_BY_KIND: tuple[tuple[str, Gate], ...] = tuple((n, g) for n, g in GATES.items() if g.kinds or g.groups)
"""The gates that hold for some API groups or kinds whatever the object holds."""


def gate_names() -> tuple[str, ...]:
    return tuple(GATES)


def holds(name: str, resource: Resource, workloads: WorkloadTable) -> bool:
    """Whether gate ``name`` holds for ``resource`` (pod specs from ``workloads``, the run's memo). An unknown
    name, or a failure to find the object's pods, holds: the rule is then called, as without a gate, and
    reports any failure itself."""
    gate = GATES.get(name)
    if gate is None:
        return True
    try:
        return gate.holds(resource, workloads.pods_of(resource))
    except Exception:
        return True


def open_gates(resource: Resource, workloads: WorkloadTable, names: Sequence[str]) -> frozenset[str]:
    """The gates among ``names`` that hold for ``resource``: what ``holds`` answers for each, with the object's
    pod specs looked up once and each pod's answers to every gate's ``pod`` test worked out in one look at it
    (``pod_gates``)."""
    try:
        pods = workloads.pods_of(resource)
    except Exception:
        return frozenset(names)  # ``holds``: a failure to find the pods holds
    group, kind = resource.group, resource.kind
    held: set[str] = set()
    for pod in pods:
        try:
            held |= pod_gates(pod)
        except Exception:
            return _open_gates_one_by_one(group, kind, pods, names)  # each gate's own test decides (and fails) alone
    # ``gate.holds`` for each name, in set operations: a pod's test holds, the name is no gate (it holds, see
    # ``holds``), or the gate holds by the object's group or kind (only the gates of ``_BY_KIND`` can)
    opened = held.intersection(names)
    opened.update(set(names).difference(GATES))
    for name in _ASKED_ALONE.intersection(names):  # a gate ``pod_gates`` does not answer (none today)
        if any(GATES[name].pod(pod) for pod in pods):
            opened.add(name)
    for name, gate in _BY_KIND:
        if (group in gate.groups or (group, kind) in gate.kinds) and name in names:
            opened.add(name)
    return frozenset(opened)


def _open_gates_one_by_one(
    group: str, kind: str, pods: Sequence[PodSpecRef], names: Sequence[str]
) -> frozenset[str]:
    """``open_gates`` by each gate's own ``pod`` test, for pods on which ``pod_gates`` failed: a gate whose test
    fails holds (as in ``holds``), the others answer as they do."""
    opened = []
    for name in names:
        gate = GATES.get(name)
        try:
            if gate is None or group in gate.groups or (group, kind) in gate.kinds:
                opened.append(name)
                continue
            test = gate.pod
            for pod in pods:
                if test(pod):
                    opened.append(name)
                    break
        except Exception:
            opened.append(name)
    return frozenset(opened)


def pod_gates(pod: PodSpecRef) -> set[str]:
    """The gates whose ``pod`` test holds for ``pod``: the tests of ``GATES``, each answered as its own function
    answers it, from one read of the pod's fields and one pass over its containers (an object of a kind with
    rules that declare gates asks about all of them, and the tests one by one read the same containers about
    fifteen times). ``tests/rules/test_gates.py`` compares this with every test on every fixture's pods and on
    generated ones. May raise where a test would: ``open_gates`` then asks the tests one by one."""
    spec = pod.spec
    held = {PODS}
    if spec.get("runtimeClassName") is not None:
        held.add("runtime-class")
    if spec.get("resources"):
        held.add("pod-resources")
    if _node_targeting(pod):
        held.add("node-targeting")
    if _host_path(pod):
        held.add("host-path")
    if _host_namespaces(pod):
        held.add("host-namespaces")
    if _service_account(pod):
        held.add("service-account")
    if spec.get("resourceClaims"):
        held.add("resource-claims")
    if spec.get("hostIPC") or spec.get("hostPID") or "runtime-class" in held or "node-targeting" in held \
            or "host-path" in held:
        held.add("device-exposure")
    volumes = spec.get("volumes")
    if spec.get("imagePullSecrets") or (isinstance(volumes, list) and any(
        isinstance(v, dict) and any(k in v for k in _REFERENCING_VOLUMES) for v in volumes
    )):
        held.add("references")
    if isinstance(volumes, list) and any(_is_huge_page_volume(v) for v in volumes):
        held.add("huge-page-volume")
    resources = spec.get("resources")
    if isinstance(resources, dict) and resources.get("limits"):
        held.add("limits")
    context = spec.get("securityContext")
    if isinstance(context, dict):
        for option in _POD_OPTIONS:
            if context.get(option) is not None:
                held.add("security-context-options")
                break
        if context.get("seccompProfile") is not None:
            held.add("seccomp")
        if context.get("appArmorProfile") is not None:
            held.add("apparmor")
    for c in iter_containers(pod):
        data = c.data
        context = data.get("securityContext")
        if isinstance(context, dict):
            if context.get("privileged"):
                held.add("device-exposure")
            for option in _CONTAINER_OPTIONS:
                if context.get(option) is not None:
                    held.add("security-context-options")
                    break
            else:
                capabilities = context.get("capabilities")
                if isinstance(capabilities, dict) and capabilities.get("add"):
                    held.add("security-context-options")
            if context.get("seccompProfile") is not None:
                held.add("seccomp")
            if context.get("appArmorProfile") is not None:
                held.add("apparmor")
        resources = data.get("resources")
        if isinstance(resources, dict):
            if resources.get("claims"):
                held.add("resource-claims")
            if resources.get("limits"):
                held.add("limits")
            if c.kind in _INIT_AND_APP:
                for section in ("limits", "requests"):
                    values = resources.get(section)
                    if isinstance(values, dict) and any(name not in _STANDARD for name in values):
                        held.add("extended-resources")
        ports = data.get("ports")
        if ports:
            held.add("container-ports")
            if isinstance(ports, list) and any(isinstance(p, dict) and p.get("hostPort") for p in ports):
                held.add("host-ports")
        env = data.get("env")
        env_from = data.get("envFrom")
        if env or env_from:
            held.add("env")
        if env_from or (isinstance(env, list) and any(isinstance(e, dict) and "valueFrom" in e for e in env)):
            held.add("references")
        for field in _PROBE_FIELDS:
            if data.get(field) is not None:
                held.add("probes")
                break
        mounts = data.get("volumeMounts")
        if isinstance(mounts, list) and any(
            isinstance(m, dict) and isinstance(m.get("mountPath"), str) and DEVICE_LIST_DIR in m["mountPath"]
            for m in mounts
        ):
            held.add("device-list-mount")
    if "seccomp" not in held or "apparmor" not in held:
        keys: Iterable[object] = pod.annotations  # a key that is not a string opens both (see ``_seccomp``)
        for key in keys:
            if not isinstance(key, str):
                held.update(("seccomp", "apparmor"))
                break
            if SECCOMP_ANNOTATIONS in key:
                held.add("seccomp")
            if key.startswith(APPARMOR_ANNOTATIONS):
                held.add("apparmor")
    return held


def pod_less(resource: Resource, workloads: WorkloadTable) -> bool:
    """Whether ``resource`` has no pod specs (False when finding them fails). Every gate then answers from the
    object's API group and kind alone (``Gate``), so a run may answer all objects of one group and kind
    without pods alike."""
    try:
        return not workloads.pods_of(resource)
    except Exception:
        return False


def passes(pods_only: bool, gates: Sequence[str], answers: frozenset[str]) -> bool:
    """Whether a rule declaring ``pods_only`` and ``gates`` is called on an object whose open gates are
    ``answers`` (computed for at least ``PODS`` when ``pods_only`` and for every one of ``gates``)."""
    if pods_only and PODS not in answers:
        return False
    return not gates or not answers.isdisjoint(gates)  # some gate of the rule holds


def needed(pods_only: bool, gates: Sequence[str]) -> tuple[str, ...]:
    """The gates the engine asks an object about for a rule with these declarations."""
    return (PODS, *gates) if pods_only else tuple(gates)


def describe(name: str) -> str:
    gate = GATES.get(name)
    return gate.meaning if gate is not None else name
