"""Where the pods are: a data table from apiVersion group and kind to pod-template paths, and the views
(pod specs, containers, effective security settings) that every rule reads through.

Adding a workload kind is adding a row to ``BUILTIN_WORKLOADS`` (or a ``workloads:`` entry in
``.guardlint.yaml``); no rule changes.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType

from guardlint._frozen import Frozen
from guardlint._record import NamedTuple
from guardlint.model.access import get
from guardlint.model.groups import APPS_GROUPS, is_kubernetes_group
from guardlint.model.paths import FieldPath, expand, to_dotted
from guardlint.model.resource import Resource

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint.model.quantity import Amount


class TemplateKind(enum.Enum):
    POD_TEMPLATE = "pod-template"
    """A PodTemplateSpec: ``metadata`` and ``spec`` below the path (a Pod is one at the root)."""
    POD_SPEC = "pod-spec"
    """A PodSpec (or a PodSpec-like object with the same field names) at the path itself."""
    OBJECT = "object"
    """A whole Kubernetes object embedded at the path (``apiVersion``, ``kind``, ``spec``), such as a Katib
    trial template: its pods are found by looking its own kind up in the same table."""


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
    complete: TemplateCompleter | None = None
    """For operators that complete each template from defaults the object holds elsewhere (an Argo Workflow's
    ``templateDefaults``): ``complete(root, prefix, path, value)`` gives the template as the operator runs it
    and the path aliases that lead a finding on a completed field to where that value is written."""
    finish: TemplateFinisher | None = None
    """For operators that change the pod once it is made (an Argo template's ``podSpecPatch``):
    ``finish(root, prefix, path, spec, aliases)`` gives the pod as the operator runs it, the path aliases it adds
    and the paths whose values are only known at run time (``PodSpecRef.unknown``)."""
    build: PodBuilder | None = None
    """For operators whose objects are not pod templates (Tekton steps, Spark driver and executor specs,
    Flink's image and resources): a function that makes the pod the operator would create from the value at
    ``path``, with path aliases that lead every finding back to the field that was written."""


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


POD_SPEC_FIELDS = frozenset({
    "activeDeadlineSeconds", "affinity", "automountServiceAccountToken", "containers", "dnsConfig", "dnsPolicy",
    "enableServiceLinks", "ephemeralContainers", "hostAliases", "hostIPC", "hostNetwork", "hostPID", "hostUsers",
    "hostname", "imagePullSecrets", "initContainers", "nodeName", "nodeSelector", "os", "overhead",
    "preemptionPolicy", "priority", "priorityClassName", "readinessGates", "resourceClaims", "resources",
    "restartPolicy", "runtimeClassName", "schedulerName", "schedulingGates", "securityContext", "serviceAccount",
    "serviceAccountName", "setHostnameAsFQDN", "shareProcessNamespace", "subdomain", "terminationGracePeriodSeconds",
    "tolerations", "topologySpreadConstraints", "volumes",
})
"""The fields of a Kubernetes PodSpec."""


class WorkloadTable(Frozen):
    """The pod-template table, looked up by (group, kind).

    A table from the configuration holds no per-run state. The engine gives each run its own view
    (``for_run``), which computes each object's pod specs once; that memo lives on the run's view and is
    dropped with it, so nothing of a run (documents, objects) outlives the run through a shared table.
    """

    __slots__ = ("_by_key", "_pods", "detect_embedded", "entries")
    _fields = ("entries", "detect_embedded")
    entries: tuple[WorkloadEntry, ...]
    detect_embedded: bool
    """Look for pod specs by their shape in objects of kinds the table does not list (see ``embedded``)."""
    _by_key: Mapping[tuple[str, str], tuple[WorkloadEntry, ...]]
    _pods: dict[int, tuple[Resource, tuple[PodSpecRef, ...], bool]] | None
    """The run's memo (``for_run``): each object's pod specs, and whether the object is of a kind the table does
    not list in which structural detection walked and met no mapping with a ``containers`` key (``bare``)."""

    def __init__(self, entries: tuple[WorkloadEntry, ...], *, detect_embedded: bool = True) -> None:
        index: dict[tuple[str, str], list[WorkloadEntry]] = {}
        for entry in entries:
            index.setdefault((entry.group, entry.kind), []).append(entry)
        self._set(
            entries=tuple(entries), detect_embedded=detect_embedded,
            _by_key=MappingProxyType({k: tuple(v) for k, v in index.items()}), _pods=None,
        )

    def for_run(self) -> WorkloadTable:
        """The same table with a memo of pod specs for one run (equal to this table; discard it after the run)."""
        view: WorkloadTable = WorkloadTable.__new__(WorkloadTable)
        view._set(entries=self.entries, detect_embedded=self.detect_embedded, _by_key=self._by_key, _pods={})
        return view

    def with_detection(self, detect: bool) -> WorkloadTable:
        """The same rows with structural detection of embedded pod specs switched on or off."""
        return WorkloadTable(self.entries, detect_embedded=detect)

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
        bare = False
        if entry is not None:
            pods = tuple(_pod_specs(resource, entry, self))
        elif self.may_embed(resource):
            from guardlint.model.embedded import shape_walk

            found, containers = shape_walk(resource, self)
            pods, bare = tuple(found), containers is False
        else:
            pods = ()
        if memo is not None:
            # Each pod of the run gets a memo of its containers, shared by every rule that asks.
            pods = tuple(PodSpecRef(*pod[:-1], PodMemo()) for pod in pods)  # ``memo`` is the last field
            memo[id(resource)] = (resource, pods, bare)
        return pods

    def walked_bare(self, resource: Resource) -> bool:
        """Whether this run's view has found the pod specs of ``resource`` by their shape and met no mapping with a
        ``containers`` key on the way (``embedded.shape_walk``): ``embedded.partial_pod_templates`` then finds
        none. False when not known (not asked yet, a kind with a row, a table without a run's memo)."""
        hit = self._pods.get(id(resource)) if self._pods is not None else None
        return hit is not None and hit[0] is resource and hit[2]

    def may_embed(self, resource: Resource) -> bool:
        """Whether structural detection (``guardlint.model.embedded``) may find pod specs in ``resource``, whose
        kind has no row: it is on, and the object is not of Kubernetes' own API groups, which the detection
        refuses first (``embedded.detection_applies``). Tested here so that a run of Kubernetes' own kinds
        (a Deployment and a Service) does not import the detection at all."""
        return self.detect_embedded and not is_kubernetes_group(resource.group)

    def entry_for(self, resource: Resource) -> WorkloadEntry | None:
        return self.lookup(resource.group, resource.kind, resource.version)

    def lookup(self, group: str, kind: str, version: str) -> WorkloadEntry | None:
        """The row for an API group, kind and version (None when the table does not list the kind)."""
        candidates = self._by_key.get((group, kind))
        if not candidates:
            return None
        # User rows come last in ``entries`` and win over built-in rows for the same kind.
        entry: WorkloadEntry
        for entry in reversed(candidates):
            if not entry.versions or version in entry.versions:
                return entry
        return None

    def kinds(self) -> frozenset[str]:
        return frozenset(e.kind for e in self.entries)

    def extended(self, extra: Iterable[WorkloadEntry]) -> WorkloadTable:
        return WorkloadTable((*self.entries, *extra), detect_embedded=self.detect_embedded)

    def has_made_pods(self, resource: Resource) -> bool:
        """Whether a pod of ``resource`` was made by a builder (its paths may need ``written_path``) or has
        values only known at run time (findings on them are dropped there)."""
        return any(pod.aliases or pod.unknown for pod in self.pods_of(resource))

    def written_path(self, resource: Resource, path: FieldPath) -> FieldPath | None:
        """Where a finding's path is written in the object (``real_path``), or None for a finding about a
        pod-level field of a pod whose pod-level fields the object does not hold (``pod_level=False``) or
        about a field whose value comes from elsewhere (``unknown``)."""
        for pod in self.pods_of(resource):
            n = len(pod.path)
            if (not pod.pod_level and len(path) > n and path[:n] == pod.path and path[n] in POD_SPEC_FIELDS
                    and path[n] not in ("volumes", "containers", "initContainers")):
                return None
            if any(path[:len(u)] == u for u in pod.unknown):
                return None
        return self.real_path(resource, path)

    def real_path(self, resource: Resource, path: FieldPath) -> FieldPath:
        """Where a path of a pod made by a builder (a Spark driver's container, a Tekton v1 step's
        ``resources``) is written in the object; other paths are returned unchanged."""
        best: tuple[int, FieldPath, FieldPath] | None = None
        for pod in self.pods_of(resource):
            for made, written in pod.aliases:
                n = len(made)
                if n <= len(path) and path[:n] == made and (best is None or n >= best[0]):  # later wins
                    best = (n, made, written)
        if best is None:
            return path
        return (*best[2], *path[best[0]:])


def default_table() -> WorkloadTable:
    from guardlint.model.crds import CRD_WORKLOADS

    return WorkloadTable((*BUILTIN_WORKLOADS, *CRD_WORKLOADS))


PodBuilder = Callable[[Resource, FieldPath, "Mapping[str, Any]", "WorkloadEntry"], Iterator["PodSpecRef"]]
TemplateCompleter = Callable[
    ["Mapping[str, Any]", FieldPath, FieldPath, "Mapping[str, Any]"],
    "tuple[Mapping[str, Any], tuple[tuple[FieldPath, FieldPath], ...]]",
]
"""Makes the pods an operator creates from the value at a template's path: (object, path, value, the
object's row)."""
TemplateFinisher = Callable[
    ["Mapping[str, Any]", FieldPath, FieldPath, "Mapping[str, Any]", "tuple[tuple[FieldPath, FieldPath], ...]"],
    "tuple[Mapping[str, Any], tuple[tuple[FieldPath, FieldPath], ...], tuple[FieldPath, ...]]",
]


class PodMemo:
    """What a run computed once about one pod (its containers), so that the rules that ask share one answer.
    Only a run's view of the table (``for_run``) attaches one to the pods it hands out; it lives and is
    dropped with the run.

    A memo is not part of a pod's value: any two memos compare equal, so a pod equals the same pod without
    one. The containers it holds refer back to their pod, a cycle the garbage collector frees after the run
    (the run keeps every pod alive until then anyway).
    """

    __slots__ = ("containers",)

    def __init__(self) -> None:
        self.containers: tuple[ContainerRef, ...] | None = None

    def __eq__(self, other: object) -> bool:
        return other is None or isinstance(other, PodMemo)

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "PodMemo()"


class PodSpecRef(NamedTuple):
    """A pod spec inside a resource, with the path to it and to its metadata."""

    resource: Resource
    path: FieldPath
    spec: Mapping[str, Any]
    metadata_path: FieldPath | None
    metadata: Mapping[str, Any]
    containers_at: tuple[ContainerField, ...]
    entry: WorkloadEntry
    aliases: tuple[tuple[FieldPath, FieldPath], ...] = ()
    """For a pod made by a builder: (path in the made pod, path written in the object) prefixes; a finding's
    path is led back through the longest matching prefix (``real_path``)."""
    pod_level: bool = True
    """False when the object holds containers but not the pod around them (a Tekton Task's steps: the pod's
    own fields come from the TaskRun that runs it). Rules about pod-level fields skip such pods."""
    unknown: tuple[FieldPath, ...] = ()
    """Paths of the made pod whose values come from an object that is not linted here (the image and security
    context of a Tekton step that references a StepAction): findings under them are dropped."""
    memo: PodMemo | None = None
    """The run's memo of this pod's containers (see ``PodMemo``); None for a pod not handed out by a run."""

    @property
    def is_pod(self) -> bool:
        """Whether this is a Pod object's own spec (defaulted and validated by the API as it is created), not the
        template of a workload or custom resource."""
        return self.resource.kind == "Pod" and self.path == ("spec",)

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


ISTIO_INJECT = "sidecar.istio.io/inject"
"""The label (or, older, annotation) by which a pod opts in or out of Istio's sidecar injection."""

_ISTIO_PROXY_SECURITY = MappingProxyType({
    "allowPrivilegeEscalation": False, "privileged": False, "readOnlyRootFilesystem": True, "runAsNonRoot": True,
    "capabilities": MappingProxyType({"drop": ("ALL",)}),
})
"""The ``securityContext`` that Istio's injection template gives its ``istio-proxy`` container with the mesh's
default settings (``global.proxy.privileged`` and ``enableCoreDump`` off): no privilege escalation, not
privileged, a read-only root, all capabilities dropped, and user 1337 (``runAsNonRoot: true``)."""

_ISTIO_ROOT_PROXY = MappingProxyType({**_ISTIO_PROXY_SECURITY, "runAsNonRoot": False})
"""The same where the pod asks for TPROXY interception or NET_BIND_SERVICE for the proxy
(``sidecar.istio.io/interceptionMode: TPROXY``, ``sidecar.istio.io/capNetBindService: "true"``): the template
then runs the proxy as root (``runAsNonRoot: false``, ``runAsUser: 0``)."""


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
        # Set slot by slot, without ``Frozen._set``'s keyword dictionary: containers of pods outside a run
        # are made on every ``iter_containers`` call.
        setter = object.__setattr__
        setter(self, "kind", kind)
        setter(self, "index", index)
        setter(self, "name", name)
        setter(self, "path", path)
        setter(self, "data", data)
        setter(self, "pod", pod)

    @property
    def is_sidecar(self) -> bool:
        """An init container with ``restartPolicy: Always`` runs for the pod's life (native sidecar)."""
        return self.kind is ContainerKind.INIT and self.data.get("restartPolicy") == "Always"

    @property
    def completed_by_injector(self) -> bool:
        """Istio's customization of its injected proxy: a container named ``istio-proxy`` whose image is
        ``auto``. Istio's injector (``pkg/kube/inject/webhook.go``, ``AutoImage``) merges such a container onto
        the proxy container of its injection template, which supplies the image and every field the manifest
        leaves out (resources, probes, security settings); "auto" is not an image to pull. Istio documents the
        shape for gateways ("Installing Gateways": ``image: auto``) and for customizing the sidecar. Rules that
        report a field a container lacks, or its image, leave such a container alone; the values it sets are
        still judged. A pod that the injector skips keeps ``auto`` as its image (and its image pull fails): one that
        opts out (``sidecar.istio.io/inject`` set to anything but y/yes/true/on, the label over the annotation, as
        the injector's ``injectRequired`` reads them) or runs in the host's network, which is never injected."""
        if self.name != "istio-proxy" or self.data.get("image") != "auto":
            return False
        pod = self.pod
        choice = pod.labels.get(ISTIO_INJECT, pod.annotations.get(ISTIO_INJECT, ""))
        if isinstance(choice, str) and choice and choice.lower() not in ("y", "yes", "true", "on"):
            return False
        return pod.spec.get("hostNetwork") is not True

    @property
    def injected_security_context(self) -> Mapping[str, Any]:
        """The ``securityContext`` fields an injector fills in where this container leaves them out: for Istio's
        ``istio-proxy`` with ``image: auto`` (``completed_by_injector``), those of Istio's injection template
        with the mesh's default settings (the injector merges the container's own fields over the template's,
        field by field); empty for every other container. Rules that report a missing security field read the
        injected value before reporting one."""
        if not self.completed_by_injector:
            return {}
        annotations = self.pod.annotations
        if (annotations.get("sidecar.istio.io/interceptionMode") == "TPROXY"
                or annotations.get("sidecar.istio.io/capNetBindService") == "true"):
            return _ISTIO_ROOT_PROXY
        return _ISTIO_PROXY_SECURITY

    @property
    def security_context(self) -> Mapping[str, Any]:
        sc = self.data.get("securityContext")
        return sc if isinstance(sc, dict) else {}

    def get(self, rel: FieldPath) -> Any:
        return get(self.data, rel)

    def describe(self) -> str:
        # Compared by identity, not looked up in a table keyed by the kind: hashing an enum member calls
        # ``Enum.__hash__`` (Python code), and rules describe a container in most of their messages.
        kind = self.kind
        if kind is ContainerKind.CONTAINER:
            label = "container"
        elif kind is ContainerKind.INIT:
            label = "sidecar container" if self.is_sidecar else "init container"
        else:
            label = "ephemeral container"
        return f"{label} {self.name!r}"


def _misuse(function: str, given: object, *, position: str, expected: str) -> TypeError:
    """The error for a plugin's call of a container helper with the wrong argument: what it was given, what it
    takes, and the call a rule makes (docs/writing-rules.md). Built only on that error path, after the attribute
    the helper reads was missing (so the helpers' ordinary calls pay nothing for it)."""
    what = type(given).__name__
    if function == "iter_containers":
        fix = ("iter_containers(pod) for each pod of iter_pod_specs(resource, ctx.workloads), or "
               "iter_all_containers(resource, ctx.workloads) for every container of the object")
    else:
        fix = f"{function}(resource, ctx.workloads)"
    hint = " (the rule's context: its pod-template table is ctx.workloads)" if what == "RuleContext" else ""
    return TypeError(f"{function}() takes {expected} as its {position} argument, not a {what}{hint}: "
                     f"call {fix}")


def iter_pod_specs(resource: Resource, table: WorkloadTable) -> Iterator[PodSpecRef]:
    """Every pod spec the table knows for this resource's kind (and, for kinds it does not know, the pod specs
    found by their shape unless the configuration turned that off: ``detect-embedded-pod-specs``).

    ``table`` is the run's pod-template table, ``ctx.workloads``; anything else (the ``RuleContext`` itself) is a
    ``TypeError`` that says so."""
    try:
        memo = table._pods
    except AttributeError:
        raise _misuse("iter_pod_specs", table, position="second",
                      expected="the pod-template table (ctx.workloads)") from None
    if memo is not None:  # what ``pods_of`` does first, without its call: every rule asks, for every object
        hit = memo.get(id(resource))
        if hit is not None and hit[0] is resource:
            return iter(hit[1])
    try:
        return iter(table.pods_of(resource))
    except AttributeError:
        if isinstance(resource, Resource):  # a failure inside: not the caller's arguments
            raise
        raise _misuse("iter_pod_specs", resource, position="first", expected="the object (a Resource)") from None


MAX_NESTING = 3
"""How many embedded objects deep a pod is looked for (an Experiment's trial template holding a PyTorchJob is
one level); the bound keeps an object that embeds its own kind from recursing without end."""


def _pod_specs(resource: Resource, entry: WorkloadEntry, table: WorkloadTable) -> Iterator[PodSpecRef]:
    yield from pods_in_object(resource, resource.data, (), entry, entry, table, 0)


def pods_in_object(
    resource: Resource, root: Mapping[str, Any], prefix: FieldPath, entry: WorkloadEntry, owner: WorkloadEntry,
    table: WorkloadTable, depth: int,
) -> Iterator[PodSpecRef]:
    """The pods of ``entry``'s templates in ``root`` (the object, or an object embedded at ``prefix``);
    ``owner`` is the row of the linted object, which the pods report as theirs."""
    for template in entry.templates:
        for rel, value in expand(root, template.path):
            if not isinstance(value, dict):
                continue
            path = (*prefix, *rel)
            if template.requires and all(value.get(k) is None for k in template.requires):  # null: unset
                continue
            if template.build is not None:
                yield from template.build(resource, path, value, owner)
            elif template.kind is TemplateKind.OBJECT:
                if depth < MAX_NESTING:
                    yield from _embedded_object(resource, value, path, owner, table, depth + 1)
            elif template.kind is TemplateKind.POD_TEMPLATE:
                spec = value.get("spec")
                if not isinstance(spec, dict):
                    continue
                meta = value.get("metadata")
                yield PodSpecRef(
                    resource, (*path, "spec"), spec, (*path, "metadata"), meta if isinstance(meta, dict) else {},
                    template.containers, owner,
                )
            else:
                run, aliases = template.complete(root, prefix, path, value) if template.complete else (value, ())
                spec, inherited = _with_inherited(root, prefix, path, template, run)
                if inherited:
                    aliases = (*aliases, *inherited)
                unknown: tuple[FieldPath, ...] = ()
                if template.finish is not None:
                    spec, patched, unknown = template.finish(root, prefix, path, spec, aliases)
                    if patched:
                        aliases = (*aliases, *patched)
                yield PodSpecRef(resource, path, spec, None, {}, template.containers, owner, aliases=aliases,
                                 unknown=unknown)


def _embedded_object(
    resource: Resource, value: Mapping[str, Any], path: FieldPath, owner: WorkloadEntry, table: WorkloadTable,
    depth: int,
) -> Iterator[PodSpecRef]:
    """The pods of an object embedded whole in another (a Katib trial's Job or PyTorchJob), found through the
    embedded object's own row of the table."""
    api_version, kind = value.get("apiVersion"), value.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return
    group, _, version = api_version.rpartition("/")
    nested = table.lookup(group, kind, version)
    if nested is not None:
        yield from pods_in_object(resource, value, path, nested, embedding(owner, nested), table, depth)


def embedding(owner: WorkloadEntry, nested: WorkloadEntry) -> WorkloadEntry:
    """The row the pods of an embedded object report: the linted object's, run to completion when either
    object is (an AppWrapper holding a PyTorchJob runs a batch job)."""
    return owner if owner.batch or not nested.batch else owner._replace(batch=True)


def _with_inherited(
    root: Mapping[str, Any], prefix: FieldPath, path: FieldPath, template: TemplatePath, value: Mapping[str, Any],
) -> tuple[Mapping[str, Any], tuple[tuple[FieldPath, FieldPath], ...]]:
    """The pod spec with the fields a parent object gives every pod, where the template leaves them unset, and
    the path aliases that lead a finding on an inherited value to where the parent writes it (an Argo
    Workflow's ``spec.hostNetwork`` is written once, at the workflow level, not in the template at ``path``).

    ``volumes`` are the template's followed by the parent's that it does not define: each inherited volume
    is led to its own item in the parent's list. The aliases also keep a structural fix off these paths
    (``engine._edits_in_place``): removing or changing the parent's field would change every template's pod.
    """
    if template.inherit is None:
        return value, ()
    parent = get(root, template.inherit)
    if not isinstance(parent, dict):
        return value, ()
    written = (*prefix, *template.inherit)
    extra = {k: parent[k] for k in template.inherit_fields if k in parent and value.get(k) is None}
    aliases = [((*path, k), (*written, k)) for k in extra]
    own_volumes, parent_volumes = value.get("volumes"), parent.get("volumes")
    if isinstance(own_volumes, list) and isinstance(parent_volumes, list) and "volumes" in template.inherit_fields:
        names = {v.get("name") for v in own_volumes if isinstance(v, dict)}
        inherited = [(i, v) for i, v in enumerate(parent_volumes) if isinstance(v, dict) and v.get("name") not in names]
        extra["volumes"] = [*own_volumes, *(v for _, v in inherited)]
        aliases.extend(((*path, "volumes", len(own_volumes) + n), (*written, "volumes", i))
                       for n, (i, _) in enumerate(inherited))
    return ({**value, **extra}, tuple(aliases)) if extra else (value, ())


def iter_containers(pod: PodSpecRef, kinds: Iterable[ContainerKind] | None = None) -> Iterator[ContainerRef]:
    """Init containers (sidecars included), containers and ephemeral containers, each with its path.

    A pod handed out by a run (``PodSpecRef.memo``) finds its containers once; every later call (every rule)
    reads the same tuple, filtered by ``kinds`` in the same order.
    """
    try:
        memo = pod.memo
    except AttributeError:
        raise _misuse("iter_containers", pod, position="first", expected="a pod (from iter_pod_specs)") from None
    found = memo.containers if memo is not None else None
    if found is None:
        found = tuple(_find_containers(pod))
        if memo is not None:
            memo.containers = found
    if kinds is None:
        return iter(found)
    # A tuple, not a set: ``in`` on a tuple of enum members compares identities in C, where hashing a member
    # calls ``Enum.__hash__`` (Python code) for every container of every rule's call.
    wanted = kinds if isinstance(kinds, tuple) else tuple(kinds)
    return iter([c for c in found if c.kind in wanted])


def aggregate_amounts(entries: Iterable[tuple[ContainerRef, Mapping[str, Amount]]]) -> dict[str, Amount]:
    """What a pod needs of each resource, as Kubernetes counts it (``AggregateContainerRequests`` of the resource
    helpers, which the scheduler, the kubelet and pod-level resource validation use): the regular containers and
    the sidecars (``restartPolicy: Always`` init containers) together, or the largest init step (an init
    container with the sidecars started before it), whichever is more. ``entries``: each container's amounts,
    init containers in the pod's order; any container that is neither regular nor a sidecar is an init step."""
    running: dict[str, Amount] = {}
    sidecars: dict[str, Amount] = {}
    largest_step: dict[str, Amount] = {}
    for c, amounts in entries:
        if c.kind is ContainerKind.CONTAINER:
            _add_amounts(running, amounts)
            continue
        if c.is_sidecar:
            _add_amounts(running, amounts)
            _add_amounts(sidecars, amounts)
            step = sidecars
        else:
            step = dict(sidecars)
            _add_amounts(step, amounts)
        for name, value in step.items():
            if value > largest_step.get(name, 0):
                largest_step[name] = value
    for name, value in largest_step.items():
        if value > running.get(name, 0):
            running[name] = value
    return running


def _add_amounts(into: dict[str, Amount], amounts: Mapping[str, Amount]) -> None:
    for name, value in amounts.items():
        into[name] = into[name] + value if name in into else value


def _find_containers(pod: PodSpecRef) -> Iterator[ContainerRef]:
    for where in pod.containers_at:
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
    """The containers (``iter_containers``) of every pod of the resource, pod by pod (``table``: as for
    ``iter_pod_specs``)."""
    try:
        pods_of = table.pods_of
    except AttributeError:
        raise _misuse("iter_all_containers", table, position="second",
                      expected="the pod-template table (ctx.workloads)") from None
    try:
        pods = pods_of(resource)
    except AttributeError:
        if isinstance(resource, Resource):  # a failure inside: not the caller's arguments
            raise
        raise _misuse("iter_all_containers", resource, position="first", expected="the object (a Resource)") from None
    if len(pods) == 1:  # most workloads: the pod's own iterator, without a generator around it
        return iter_containers(pods[0])
    return (c for pod in pods for c in iter_containers(pod))


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
