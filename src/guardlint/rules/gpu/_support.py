"""Shared views for the GPU pack: which pods use or target accelerators, and the exemption of the vendors'
own system DaemonSets. Where resource requirements are written is ``guardlint.model.requirements``; how
resource names are classified, ``guardlint.model.resourcenames``.

Everything here is a pure function of one resource and the run context.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType

from guardlint._lazyre import lazy
from guardlint._record import NamedTuple
from guardlint.model.access import get_list, get_map, get_str
from guardlint.model.glob import glob_any
from guardlint.model.paths import FieldPath
from guardlint.model.quantity import QuantityMemo, remembered_value, run_quantities
from guardlint.model.requirements import (
    ResourceSite,
    SiteValue,
    container_site,
    has_qualified_name,
    iter_flat_sites,
)
from guardlint.model.workloads import (
    ContainerKind,
    ContainerRef,
    PodSpecRef,
    WorkloadTable,
    iter_containers,
    iter_pod_specs,
)
from guardlint.rules.api import Resource, RuleContext
from guardlint.rules.gpu.accelerators import Accelerator, AcceleratorTable, table_for
from guardlint.rules.params import param

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Protocol

    from guardlint.model.quantity import Amount

# --------------------------------------------------------------------------------------------------------
# Values

_PLACEHOLDER = lazy(r"\$\{[^}]*\}|\$\([^)]*\)|\{\{.*?\}\}|<[^<>]*>|__[A-Z0-9_]+__")


def is_placeholder(value: Any) -> bool:
    """An unrendered template value (``${GPU}``, ``{{ .Values.gpu }}``, ``<GPU_COUNT>``): not judged."""
    # Each form holds "$", "{{", "<" or "__": a text with none of them needs no pattern (nor its compiling).
    return (isinstance(value, str) and ("$" in value or "{{" in value or "<" in value or "__" in value)
            and _PLACEHOLDER.search(value) is not None)


# --------------------------------------------------------------------------------------------------------
# Accelerator use


def accelerators(ctx: RuleContext) -> AcceleratorTable:
    return table_for(ctx.options)


if TYPE_CHECKING:
    AcceleratorUse = dict[str, tuple[Amount, SiteValue, Accelerator]]


def site_accelerators(
    site: ResourceSite, table: AcceleratorTable, amounts: Sequence[Amount | None] | None = None
) -> AcceleratorUse:
    """Accelerator name -> (amount, the value that decides it, registry row): the limit, else the request
    (the API defaults a missing request to the limit; a request alone is rejected, but it is what was
    asked for). Unparsable and placeholder quantities are left out. ``amounts``, when given, are the values'
    quantities already parsed (``SiteValue.value`` of each of ``site.values``, in order)."""
    out: AcceleratorUse = {}
    for section in ("requests", "limits"):  # limits last: they win
        for i, v in enumerate(site.values):
            if v.section != section:
                continue
            acc = table.lookup(v.name)
            if acc is None:
                continue
            amount = v.value if amounts is None else amounts[i]
            if amount is None:
                continue
            out[v.name] = (amount, v, acc)
    return out


def container_accelerators(c: ContainerRef, table: AcceleratorTable) -> AcceleratorUse:
    resources = c.data.get("resources")
    if not isinstance(resources, dict):
        return {}
    # Fast path: accelerator names always carry a domain, most containers ask for cpu and memory only.
    if not has_qualified_name(resources):
        return {}
    return site_accelerators(container_site(c), table)


def is_shared_use(use: Mapping[str, tuple[Amount, SiteValue, Accelerator]]) -> bool:
    """The counts are shares of a GPU, not whole devices: HAMi vGPU resources or time-sliced ``.shared``."""
    return any(acc.vendor == "HAMi" or acc.kind == "shared" for _, _, acc in use.values())


OPERATOR_COMPLETED: frozenset[tuple[str, str]] = frozenset({
    ("serving.kserve.io", "InferenceService"),
    ("serving.kubeflow.org", "InferenceService"),  # KFServing, the same webhook before the rename
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


# --------------------------------------------------------------------------------------------------------
# What the pack asks of every object, answered once per run
#
# Most objects name no accelerator at all: no container of theirs has a resource name with a domain
# (``vendor/name``), which every accelerator and every extended resource has. The rules used to find that
# out again each (34 rules, each walking the pods, the containers and their resources, and parsing the
# quantities). ``gpu_facts`` walks an object once per run and keeps the answer; a rule whose findings need
# an accelerator (or an extended resource) then leaves as soon as the facts say there is none.

_INIT_AND_APP = (ContainerKind.INIT, ContainerKind.CONTAINER)  # a tuple: `in` compares identities (no Enum.__hash__)


class ContainerUse(NamedTuple):
    """An init or app container whose resources name an accelerator of the registry, with what it asks."""

    container: ContainerRef
    use: Mapping[str, tuple[Amount, SiteValue, Accelerator]]
    """``container_accelerators`` of the container (never empty here; amounts may be zero or negative)."""


class SiteFacts(NamedTuple):
    """A resource site (``ResourceSite``) with its quantities parsed once for every rule that reads them."""

    site: ResourceSite
    amounts: tuple[Amount | None, ...]
    """``SiteValue.value`` of each of ``site.values``, in the same order (None: not a quantity)."""
    use: Mapping[str, tuple[Amount, SiteValue, Accelerator]]
    """``site_accelerators`` of the site."""

    def valued(self) -> Iterator[tuple[SiteValue, Amount | None]]:
        """Each value of the site with its parsed quantity."""
        return zip(self.site.values, self.amounts, strict=True)

    def amount(self, value: SiteValue) -> Amount | None:
        """The parsed quantity of one of the site's values (``value.value``)."""
        for v, amount in zip(self.site.values, self.amounts, strict=True):
            if v is value:
                return amount
        return value.value  # not one of this site's values: parsed here


class PodFacts(NamedTuple):
    """One pod of an object, with its accelerator use."""

    pod: PodSpecRef
    used: tuple[ContainerUse, ...]
    """The init and app containers (sidecars included) for which ``container_accelerators`` is not empty, in
    container order; for every other container of the pod it is empty."""
    uses_accelerator: bool
    """``pod_uses_accelerator``: some container asks for a positive amount of an accelerator."""


class GpuFacts(NamedTuple):
    """What the GPU pack's rules ask of one object, computed once per run (``gpu_facts``)."""

    pods: tuple[PodFacts, ...]
    """Every pod of the object (``iter_pod_specs``), in order."""
    sites: tuple[SiteFacts, ...]
    """The sites of ``iter_sites(resource, ctx)``, in order: the resources of init and app containers that
    name a resource with a domain, then the operator shapes (``iter_flat_sites``, the sites without a
    container). Empty: no extended resource and no accelerator is asked for anywhere in the object."""

    env_names: tuple[str, ...]
    """The names of the ``env`` entries of every container of every pod (ephemeral containers included),
    each once. (Tuples, not sets: a run keeps the facts of every object, and a small tuple is a quarter of
    the memory of a set.)"""
    env_from: bool
    """Some container of some pod has a non-empty ``envFrom`` list."""
    mount_paths: tuple[str, ...]
    """The ``mountPath`` of every ``volumeMounts`` entry of every container of every pod, each once."""
    container_claims: bool
    """Some init or app container lists Dynamic Resource Allocation claims (``resources.claims``)."""
    resource_names: tuple[str, ...]
    """Every resource name in the ``limits`` and ``requests`` of an init or app container (``cpu`` too), each
    once."""
    pod_claims: bool
    """Some pod has resource claims (``pod_resource_claims``: its own, or an Argo workflow's default)."""

    @property
    def uses_accelerator(self) -> bool:
        """Some pod of the object asks for a positive amount of an accelerator."""
        return any(p.uses_accelerator for p in self.pods)

    def gpu_pods(self) -> list[PodSpecRef]:
        """The pods that ask for an accelerator (``pod_uses_accelerator``), in order."""
        return [p.pod for p in self.pods if p.uses_accelerator]


_FACTS_MEMO = "gpu.facts"

_NO_FACTS = GpuFacts((), (), (), False, (), False, (), False)
"""The facts of an object without pods and operator sites (a Service, a ConfigMap): one shared value."""


class _FactsMemo:
    """A run's facts, by object identity, for one pod-template table and one set of options (the first
    context that asks; the registry is a function of the options: ``table_for``). Each entry keeps its
    object alive, so that the identity cannot be reused while the run lasts."""

    __slots__ = ("by_id", "options", "workloads")

    def __init__(self) -> None:
        self.workloads: WorkloadTable | None = None
        self.options: Mapping[str, Any] | None = None
        self.by_id: dict[int, tuple[Resource, GpuFacts]] = {}


def gpu_facts(resource: Resource, ctx: RuleContext) -> GpuFacts:
    """The object's ``GpuFacts``, computed the first time a rule asks in a run and then shared.

    The memo lives in the run's index (``ResourceIndex.object_memo``: the facts come from the object, the
    pod-template table and the plan's options alone, so a ``--jobs`` share may keep them). A context with
    another table of pods or other options (never within a run) gets its answer computed, not remembered."""
    memo: _FactsMemo = ctx.index.object_memo(_FACTS_MEMO, _FactsMemo)
    if memo.workloads is None:
        memo.workloads, memo.options = ctx.workloads, ctx.options
    shared = memo.workloads is ctx.workloads and memo.options is ctx.options
    if shared:
        hit = memo.by_id.get(id(resource))
        if hit is not None and hit[0] is resource:
            return hit[1]
    facts = _compute_facts(resource, ctx.workloads, accelerators(ctx), run_quantities(ctx.index))
    if shared:
        memo.by_id[id(resource)] = (resource, facts)
    return facts


def _compute_facts(
    resource: Resource, workloads: WorkloadTable, table: AcceleratorTable, quantities: QuantityMemo
) -> GpuFacts:
    """``quantities``: the run's parsed quantities (``model.quantity.remembered_value``)."""
    # One walk for both answers: ``sites`` is what ``iter_sites`` yields (the same containers in the same
    # order, with the same test: a ``resources`` map that names a resource with a domain), and a container's
    # accelerator use is ``container_accelerators``, which is empty unless that same test holds and is
    # otherwise ``site_accelerators`` of the same site.
    pods: list[PodFacts] = []
    sites: list[SiteFacts] = []
    env_names: dict[str, None] = {}
    mount_paths: dict[str, None] = {}
    resource_names: dict[str, None] = {}
    env_from = container_claims = pod_claims = False
    for pod in iter_pod_specs(resource, workloads):
        pod_claims = pod_claims or bool(pod_resource_claims(pod)[1])
        used: list[ContainerUse] = []
        for c in iter_containers(pod):
            data = c.data
            env_names.update((n, None) for n in _names(data.get("env"), "name"))
            mount_paths.update((p, None) for p in _names(data.get("volumeMounts"), "mountPath"))
            env_from = env_from or bool(get_list(data, ("envFrom",)))
            if c.kind not in _INIT_AND_APP:
                continue
            resources = data.get("resources")
            if not isinstance(resources, dict):
                continue
            for section in ("limits", "requests"):
                values = resources.get(section)
                if isinstance(values, dict):
                    resource_names.update((k, None) for k in values if isinstance(k, str))
            container_claims = container_claims or bool(get_list(resources, ("claims",)))
            if not has_qualified_name(resources):
                continue
            site = _site_facts(container_site(c), table, quantities)
            sites.append(site)
            if site.use:
                used.append(ContainerUse(c, site.use))
        positive = any(amount > 0 for u in used for amount, _, _ in u.use.values())
        pods.append(PodFacts(pod, tuple(used), positive))
    sites.extend(_site_facts(site, table, quantities) for site in iter_flat_sites(resource))
    if not pods and not sites:
        return _NO_FACTS
    return GpuFacts(
        tuple(pods), tuple(sites), tuple(env_names), env_from, tuple(mount_paths), container_claims,
        tuple(resource_names), pod_claims,
    )


def _site_facts(site: ResourceSite, table: AcceleratorTable, quantities: QuantityMemo) -> SiteFacts:
    amounts = tuple([remembered_value(v.raw, quantities) for v in site.values])  # ``v.value`` of each
    return SiteFacts(site, amounts, MappingProxyType(site_accelerators(site, table, amounts)))


def _names(items: Any, key: str) -> Iterator[str]:
    """The string values of ``key`` in the mapping items of a list (``get_str`` of each ``iter_maps`` item)."""
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict):
                value = item.get(key)
                if isinstance(value, str):
                    yield value


ARGO_WORKFLOW_KINDS = frozenset({"Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow"})


def argo_spec_path(resource: Resource) -> FieldPath | None:
    """Where an Argo Workflows kind keeps its WorkflowSpec (None for other objects)."""
    if resource.group != "argoproj.io" or resource.kind not in ARGO_WORKFLOW_KINDS:
        return None
    return ("spec", "workflowSpec") if resource.kind == "CronWorkflow" else ("spec",)


def argo_makes_objects(resource: Resource) -> bool:
    """Whether an Argo Workflows object has a ``resource`` template (``templates[].resource``), which creates,
    applies or patches any object at run time. Otherwise the Argo controller makes only pods (and the PVCs of
    ``volumeClaimTemplates``): the resource claims of a template or of the workflow go to the pod as written,
    and the ResourceClaimTemplates and ResourceClaims they name must already exist."""
    spec_path = argo_spec_path(resource)
    if spec_path is None:
        return False
    templates = [t for t in get_list(resource.data, (*spec_path, "templates")) or () if isinstance(t, dict)]
    inline = [step.get("inline") for t in templates for step in _argo_steps(t) if isinstance(step, dict)]
    return any(isinstance(t, dict) and t.get("resource") is not None for t in (*templates, *inline))


def _argo_steps(template: Mapping[str, Any]) -> Iterator[Any]:
    """The DAG tasks and steps of an Argo template (steps are a list of parallel groups, each a list)."""
    yield from get_list(template, ("dag", "tasks")) or ()
    for group in get_list(template, ("steps",)) or ():
        if isinstance(group, list):
            yield from group


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
# Launch lines (read by ``_launch``; this test decides whether a container needs that module at all)

SERVER_MARKERS: tuple[str, ...] = ("vllm", "text-generation-launcher", "sglang", "torch")
"""Every program ``_launch`` recognises is named by a word holding one of these: ``vllm`` and the vLLM modules,
``text-generation-launcher``, the SGLang module, ``torchrun`` and the ``torch.distributed`` modules."""
TORCHRUN_MARKERS: tuple[str, ...] = ("torch",)
SERVER_IMAGE_MARKERS: tuple[str, ...] = ("vllm-openai", "text-generation-inference")
"""Every image ``_launch.image_program`` maps to a program holds one of these."""


def may_start_program(container: Mapping[str, Any], markers: Sequence[str], *, images: bool) -> bool:
    """Whether ``_launch.invocations`` can find a program of ``markers`` in the container: some ``command`` or
    ``args`` item holds a marker, or a ``$(VAR)`` and some known env value holds one (``invocations`` expands
    ``$(VAR)`` with ``_launch.literal_env``'s values only: literal values, with their references to earlier
    variables expanded), or (``images``) the image starts a server itself. Exact as a filter: a word that names
    a program is written in these items or comes from such a value, and shell quoting inside the word
    (``v'llm'``) is beyond what is read anyway."""
    expands = False
    for field in ("command", "args"):
        items = container.get(field)
        if isinstance(items, list):
            for item in items:
                if isinstance(item, str):
                    if any(m in item for m in markers):
                        return True
                    expands = expands or "$(" in item
    if expands and container.get("env"):
        from guardlint.rules.gpu._launch import literal_env

        if any(any(m in value for m in markers) for value in literal_env(container).values()):
            return True
    if not images or container.get("command") is not None:
        return False
    image = container.get("image")
    return isinstance(image, str) and any(m in image for m in SERVER_IMAGE_MARKERS)


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
    return glob_any(key, patterns)


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


if TYPE_CHECKING:
    class SystemParams(Protocol):
        """The parameters shared by the isolation rules: which objects are the GPU vendors' system components
        (every such rule's Params declares ``system_kinds``, ``system_namespaces`` and ``system_images``).
        Only type checkers see it (a protocol checks nothing at run time)."""

        @property
        def system_kinds(self) -> tuple[str, ...]: ...

        @property
        def system_namespaces(self) -> tuple[str, ...]: ...

        @property
        def system_images(self) -> tuple[str, ...]: ...


SYSTEM_KINDS_PARAM = param("Object kinds that can be GPU system components (the vendors' node agents).")
SYSTEM_NAMESPACES_PARAM = param("Namespaces (glob patterns) whose objects of a system kind are GPU system components.")
SYSTEM_IMAGES_PARAM = param(
    "Image patterns (globs) of GPU system components: a pod of a system kind with one of these images is exempt."
)
"""The declarations of the parameters every isolation rule shares (``SystemParams``)."""

def is_system_component(pod: PodSpecRef, params: SystemParams) -> bool:
    """Whether the pod is one of the GPU vendors' node agents (device plugin, GPU feature discovery, DCGM
    exporter, driver and MIG managers, ...), which legitimately run privileged with every GPU visible."""
    resource = pod.resource
    if resource.kind not in params.system_kinds:
        return False
    ns = resource.namespace or ""
    if ns and glob_any(ns, params.system_namespaces):
        return True
    for c in iter_containers(pod):
        image = get_str(c.data, ("image",))
        if image and glob_any(image, params.system_images):
            return True
    return False


