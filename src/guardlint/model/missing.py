"""The missing-object policy: when a rule may say that an object does not exist or that no pod matches.

Pre-commit passes only the changed files, charts refer to objects that live elsewhere, and operators make
objects at run time, so an absence among the linted objects proves nothing by itself. Every rule that
reports an absence (built-in packs and plugins alike) asks this module, and judges only where the linted set
is demonstrably complete for the referrer's namespace and tree (``ResourceIndex.same_tree``):

1. never in a partial run (``--partial``, pre-commit), except where ``--context`` paths cover the namespace
   (for objects without a namespace: the referrer's folder), see ``ResourceIndex.covered``;
2. the namespace is declared complete in config (``complete-namespaces``), or the referrer's tree holds at
   least one object of the referenced kind in that namespace (for pods: at least one workload); objects in
   other trees (a sibling project in the same run) never count, and in a folder of independent alternatives
   (two files in it or below define the same object: samples, ``-gke``/``-generic`` variants; no Kustomization
   joins it) only the referrer's own file counts (``independent_files``);
3. the object is neither in the referrer's tree nor declared in ``known-objects``;
4. no object in the tree is known to produce it (``PRODUCERS``: SealedSecret, ExternalSecret, cert-manager
   Certificate, NVIDIA ComputeDomain, kustomize generators, ...);
5. nothing in the tree may create such objects at run time: a Role or ClusterRole in the tree that grants
   ``create`` on the kind, or (for ConfigMaps, Secrets, claims, Services, claim templates) a custom resource
   an operator acts on.

For pods (selectors of Services, NetworkPolicies, PodDisruptionBudgets), ``can_judge_pods`` adds: no custom
resource in the tree of a kind that may make an operator run pods, and no ServiceAccount of a linted
workload in the tree bound to a role that may create, patch or update pods in that namespace (or cluster
wide): such a controller runs pods, or labels its own, that no manifest shows.

A reference to a cluster-scoped object (a Kueue ClusterQueue) asks ``is_missing_cluster_scoped``: the same steps
read without a namespace.

A rule that reports that a namespace has *no* object of a kind at all (no NetworkPolicy) asks
``can_judge_absence``: step 1, no ``known-objects`` entry of the kind in the namespace, and step 5's RBAC
part.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from itertools import pairwise

from guardlint._record import NamedTuple
from guardlint.model.access import get, get_list, get_map, get_str, iter_maps
from guardlint.model.groups import BUILTIN_WORKLOAD_GROUPS
from guardlint.model.index import ResourceIndex, TreeSet, directory, same_namespace
from guardlint.model.paths import FieldPath
from guardlint.model.resource import Resource
from guardlint.model.workloads import WorkloadTable

RBAC_GROUP = "rbac.authorization.k8s.io"

BUILTIN_GROUPS = frozenset(
    {
        "", "apps", "batch", "extensions", "policy", "autoscaling", "networking.k8s.io", "rbac.authorization.k8s.io",
        "storage.k8s.io", "apiextensions.k8s.io", "admissionregistration.k8s.io", "scheduling.k8s.io",
        "coordination.k8s.io", "discovery.k8s.io", "node.k8s.io", "certificates.k8s.io", "apiregistration.k8s.io",
        "events.k8s.io", "flowcontrol.apiserver.k8s.io", "resource.k8s.io", "gateway.networking.k8s.io",
        "snapshot.storage.k8s.io", "authentication.k8s.io", "authorization.k8s.io", "internal.apiserver.k8s.io",
        "storagemigration.k8s.io", "monitoring.coreos.com", "cert-manager.io", "bitnami.com", "external-secrets.io",
        "networking.istio.io", "security.istio.io", "telemetry.istio.io", "kustomize.config.k8s.io", "keda.sh",
    }
)
"""API groups whose objects never create pods by themselves (built-in groups and common add-ons whose
objects are configuration; KEDA's ScaledObject makes a HorizontalPodAutoscaler, and its ScaledJob, which does
run pods, is a workload of the pod-template table). An object of any other group that the pod-template table
does not know may be served by an operator that runs pods."""

CONTROLLER_POD_OWNERS = frozenset({"Prometheus", "Alertmanager", "ThanosRuler", "PrometheusAgent"})
"""Kinds of the add-on groups above that do make an operator run pods."""

OPERATOR_MADE = frozenset(
    {"ConfigMap", "Secret", "PersistentVolumeClaim", "Service", "ResourceClaim", "ResourceClaimTemplate"}
)
"""Kinds that operators of custom resources commonly create for the objects they manage."""

ALWAYS_PRESENT = {"ServiceAccount": frozenset({"default"}), "ConfigMap": frozenset({"kube-root-ca.crt"})}
"""Objects every namespace has."""

POD_WRITE_VERBS = ("create", "patch", "update")
BUILTIN_POD_WRITERS = frozenset({"cluster-admin", "admin", "edit"})
"""Default ClusterRoles that may create and label pods."""


class Producer(NamedTuple):
    """A kind of object that makes another object at run time, and where the made object's name is."""

    produces: str
    kind: str
    names: Callable[[Resource], Iterable[object]]


def _field(*path: str | int) -> Callable[[Resource], Iterable[object]]:
    fp: FieldPath = tuple(path)
    return lambda r: (get(r.data, fp),)


def _field_or_name(*path: str | int) -> Callable[[Resource], Iterable[object]]:
    fp: FieldPath = tuple(path)
    return lambda r: (get(r.data, fp) or r.name,)


def _generator(key: str) -> Callable[[Resource], Iterable[object]]:
    return lambda r: (g.get("name") for _, g in iter_maps(r.data, (key,)))


PRODUCERS: tuple[Producer, ...] = (
    Producer("Secret", "SealedSecret", lambda r: (r.name, get(r.data, ("spec", "template", "metadata", "name")))),
    Producer("Secret", "ExternalSecret", _field_or_name("spec", "target", "name")),
    Producer("Secret", "Certificate", _field("spec", "secretName")),
    Producer("Secret", "VaultStaticSecret", _field("spec", "destination", "name")),
    Producer("Secret", "VaultDynamicSecret", _field("spec", "destination", "name")),
    Producer("Secret", "VaultPKISecret", _field("spec", "destination", "name")),
    Producer("Secret", "OnePasswordItem", lambda r: (r.name,)),
    Producer("Secret", "Kustomization", _generator("secretGenerator")),
    Producer("ConfigMap", "Kustomization", _generator("configMapGenerator")),
    Producer("ResourceClaimTemplate", "ComputeDomain", _field("spec", "channel", "resourceClaimTemplate", "name")),
)
"""Objects known to produce others. Kustomize generators act at build time and apply anywhere in the tree."""


def _plural(kind: str) -> str:
    low = kind.lower()
    if low.endswith("y") and low[-2:-1] not in ("a", "e", "o", "u"):
        return low[:-1] + "ies"
    if low.endswith(("s", "x", "ch", "sh")):
        return low + "es"
    return low + "s"


def sees_namespace(index: ResourceIndex, referrer: Resource, namespace: str | None = None) -> bool:
    """Step 1 of the policy: whether the run sees every object of ``namespace`` (default: the referrer's; for an
    object without one, of the referrer's folder), ``ResourceIndex.covered``. Where it is False,
    ``can_judge_missing``, ``can_judge_pods`` and so ``is_missing`` are False too (they begin with it), so a
    rule may ask it before work whose only use is to reach those questions (finding a selector's pods): in a
    partial run (pre-commit passes the changed files alone) without ``--context`` it is False everywhere."""
    return index.covered(referrer.namespace if namespace is None else namespace, referrer.file)


def can_judge_missing(index: ResourceIndex, kind: str, referrer: Resource, namespace: str | None = None) -> bool:
    """Steps 1 and 2 of the policy: the linted set is complete for ``kind`` objects in ``namespace`` (default:
    the referrer's) as seen from ``referrer``."""
    ns = referrer.namespace if namespace is None else namespace
    if not sees_namespace(index, referrer, ns):
        return False
    if ns is not None and ns in index.complete_namespaces:
        return True
    if independent_files(index, referrer):
        return (referrer.file, kind, ns) in _file_kinds(index)
    return index.any_in_tree(kind, referrer, ns, strict=True)


def _file_kinds(index: ResourceIndex) -> frozenset[tuple[str, str, str | None]]:
    """(file, kind, namespace) of every object of the run, built once per run."""
    return index.memo("missing.file-kinds", lambda: frozenset((r.file, r.kind, r.namespace) for r in index.resources))


def _alternative_folders(index: ResourceIndex) -> tuple[str, ...]:
    """The deepest folders in which two files (neither a patch) define the same object (kind, namespace and name),
    sorted, built once per run."""

    def build() -> tuple[str, ...]:
        from guardlint.model.patches import is_patch

        by_key: dict[tuple[str, str | None, str], dict[str, Resource]] = {}
        for r in index.resources:
            if r.name is not None and not r.name.endswith("*"):
                by_key.setdefault((r.kind, r.namespace, r.name), {}).setdefault(r.file, r)
        folders: set[str] = set()
        for files in by_key.values():
            if len(files) < 2:
                continue
            whole = sorted(directory(f).split("/") for f, r in files.items() if not is_patch(r, index))
            for a, b in pairwise(whole):
                n = 0
                while n < len(a) and n < len(b) and a[n] == b[n]:
                    n += 1
                folders.add("/".join(a[:n]))
        return tuple(sorted(folders))

    return index.memo("missing.alternative-folders", build)


def independent_files(index: ResourceIndex, referrer: Resource) -> bool:
    """Whether the referrer's folder holds independent alternatives rather than one application: no linted
    Kustomization joins it, and two files in it or below it define the same object (a folder of samples, or of
    variants such as ``-gke``/``-generic``), so ``kubectl apply -R`` of it is not what anyone runs. Its files are
    then no evidence for each other: completeness must show in the referrer's own file."""
    own = directory(referrer.file)
    if index.kustomize_group(own) is not None:
        return False
    folders = _alternative_folders(index)
    if not folders:
        return False
    if not own:
        return True
    i = bisect_left(folders, own)
    if i < len(folders) and folders[i] == own:
        return True
    i = bisect_left(folders, own + "/")
    return i < len(folders) and folders[i].startswith(own + "/")


_NAME_ENDS = "abcdefghijklmnopqrstuvwxyz0123456789"
_NAME_CHARS = _NAME_ENDS + "-."


def is_placeholder_name(name: str) -> bool:
    """A reference that no object can have: a template left unrendered (``$KSA_NAME``, ``{{ .name }}``,
    ``<your-secret>``) rather than a name (a DNS subdomain of at most 253 characters)."""
    # ``re.fullmatch(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?", name) is None`` without compiling the pattern: lowercase
    # ASCII letters, digits, ``-`` and ``.``, starting and ending with a letter or digit
    # (``tests/unit/test_startup_shortcuts.py`` compares both)
    return (len(name) > 253 or name == "" or name[0] not in _NAME_ENDS or name[-1] not in _NAME_ENDS
            or name.strip(_NAME_CHARS) != "")


def produced(index: ResourceIndex, kind: str, name: str, referrer: Resource, namespace: str | None = None) -> bool:
    """Step 4: an object in the referrer's tree is known to produce ``kind``/``name``."""
    if name in ALWAYS_PRESENT.get(kind, ()):
        return True
    ns = referrer.namespace if namespace is None else namespace
    for r, generator in _products(index, kind).get(name, ()):
        if (generator or same_namespace(r.namespace, ns)) and index.same_tree(referrer, r):
            return True
    return False


def _products(index: ResourceIndex, kind: str) -> dict[object, list[tuple[Resource, bool]]]:
    """The names of ``kind`` objects that linted producers make, each with its producer and whether the producer
    is a build-time generator (it applies anywhere in its tree), built once per run."""

    def build() -> dict[object, list[tuple[Resource, bool]]]:
        out: dict[object, list[tuple[Resource, bool]]] = {}
        for producer in PRODUCERS:
            if producer.produces != kind:
                continue
            generator = producer.kind == "Kustomization"
            for r in index.of_kind(producer.kind, any_namespace=True):
                for made in {n for n in producer.names(r) if isinstance(n, str)}:
                    out.setdefault(made, []).append((r, generator))
        return out

    return index.memo("missing.products:" + kind, build)


_GROUP_OF = {
    "pods": "", "configmaps": "", "secrets": "", "services": "", "serviceaccounts": "", "persistentvolumeclaims": "",
    "resourceclaims": "resource.k8s.io", "resourceclaimtemplates": "resource.k8s.io",
}
"""API groups of the plurals the policy asks about (others: any group)."""


def _grants(rule: object, verbs: Iterable[str], plural: str) -> bool:
    resources, rule_verbs = get_list(rule, ("resources",)), get_list(rule, ("verbs",))
    if resources is None or rule_verbs is None:
        return False
    group = _GROUP_OF.get(plural)
    groups = get_list(rule, ("apiGroups",)) or ()
    if group is not None and not any(g in ("*", group) for g in groups):
        return False
    return (plural in resources or "*" in resources) and any(v == "*" or v in verbs for v in rule_verbs)


def _role_grants(role: Resource, verbs: Iterable[str], plural: str) -> bool:
    wanted = tuple(verbs)
    return role.group == RBAC_GROUP and any(_grants(r, wanted, plural) for _, r in iter_maps(role.data, ("rules",)))


def created_at_run_time(
    index: ResourceIndex, kind: str, referrer: Resource, namespace: str | None = None,
    verbs: tuple[str, ...] = ("create",),
) -> bool:
    """Step 5 (RBAC part): a Role in the namespace, or a ClusterRole, in the referrer's tree grants ``create`` (or
    one of ``verbs``) on ``kind``: some pod (an init Job, an operator) makes (or rewrites) such objects at run
    time."""
    plural = _plural(kind)
    ns = referrer.namespace if namespace is None else namespace
    key = plural + ":" + ",".join(verbs)

    def creators(role_kind: str) -> Callable[[], Iterator[Resource]]:
        return lambda: (r for r in index.of_kind(role_kind, any_namespace=True) if _role_grants(r, verbs, plural))

    if index.tree_set("creators:Role:" + key, creators("Role")).any_related(referrer, ns):
        return True
    return index.tree_set("creators:ClusterRole:" + key, creators("ClusterRole")).any_related(referrer)


def _operator_kind(index: ResourceIndex, workloads: WorkloadTable, kind: str, include_workloads: bool) -> bool:
    """Whether objects of ``kind`` are custom resources an operator acts on (judged by the kind's first object)."""
    return index.memo(f"missing.operator-kind:{kind}:{include_workloads}",
                      lambda: _is_operator_kind(index, workloads, kind, include_workloads))


def _is_operator_kind(index: ResourceIndex, workloads: WorkloadTable, kind: str, include_workloads: bool) -> bool:
    first = next(index.of_kind(kind, any_namespace=True), None)
    if first is None:
        return False
    if workloads.entry_for(first) is not None:
        return include_workloads and first.group not in BUILTIN_WORKLOAD_GROUPS
    return first.group not in BUILTIN_GROUPS or kind in CONTROLLER_POD_OWNERS


def custom_resources_in_tree(
    index: ResourceIndex, workloads: WorkloadTable, referrer: Resource, *, include_workloads: bool = False,
    besides_referrer: bool = False,
) -> bool:
    """Whether the referrer's namespace and tree hold custom resources an operator may turn into pods (kinds the
    pod-template table does not describe) or, with ``include_workloads``, into Services, Secrets, ConfigMaps,
    claims (any custom resource, workloads included). ``besides_referrer``: the referrer itself does not count."""
    def members() -> Iterator[Resource]:
        for r in index.resources:
            if _operator_kind(index, workloads, r.kind, include_workloads):
                yield r

    tree = index.tree_set(f"operator-kinds:{include_workloads}", members)
    if not besides_referrer:
        return tree.any_related(referrer, referrer.namespace)
    return any(r is not referrer for r in tree.related(referrer, referrer.namespace))


def is_missing(
    index: ResourceIndex, workloads: WorkloadTable, kind: str, name: str, referrer: Resource,
    namespace: str | None = None, *, referrer_may_make: bool = True,
) -> bool:
    """The whole policy: whether ``referrer``'s reference to ``kind``/``name`` (in ``namespace``, default the
    referrer's) may be reported as missing. ``referrer_may_make=False``: the referrer is a custom resource whose
    operator is known to make no such object (it hands the reference to its pods as written), so step 5 does
    not count the referrer itself among the custom resources of the tree."""
    if is_placeholder_name(name) or not can_judge_missing(index, kind, referrer, namespace):
        return False
    if index.exists_for(kind, name, referrer, namespace) or produced(index, kind, name, referrer, namespace):
        return False
    if kind in OPERATOR_MADE and custom_resources_in_tree(
        index, workloads, referrer, include_workloads=True, besides_referrer=not referrer_may_make
    ):
        return False
    return not created_at_run_time(index, kind, referrer, namespace)


def is_missing_cluster_scoped(index: ResourceIndex, kind: str, name: str, referrer: Resource) -> bool:
    """The policy for ``referrer``'s reference to the cluster-scoped object ``kind``/``name`` (a Kueue
    ClusterQueue named by a LocalQueue): its steps read without a namespace. 1: the run sees the referrer's
    folder (a full run; a partial one only where ``--context`` covers it). 2: the referrer's tree holds an
    object of the kind (in a folder of independent alternatives, its own file does). 3: no object of that name
    is in the tree and ``known-objects`` does not list it. 4 and 5: nothing in the tree produces it or may
    create such objects at run time. Objects of the kind count whatever namespace they carry: the API server
    ignores a namespace written on a cluster-scoped object, and kustomize's ``namespace:`` gives one to kinds it
    does not know to be cluster-scoped."""
    if is_placeholder_name(name) or not index.covered(None, referrer.file):
        return False
    if independent_files(index, referrer):
        in_files = index.memo("missing.file-kinds-any-namespace",
                              lambda: frozenset((r.file, r.kind) for r in index.resources))
        if (referrer.file, kind) not in in_files:
            return False
    elif not (index.has_kind(kind) and index.kind_tree(kind).any_related(referrer)):
        return False
    if any(index.same_tree(referrer, r) for r in index.named(kind, name)) or index.exists_for(kind, name, referrer):
        return False
    return not produced(index, kind, name, referrer) and not created_at_run_time(index, kind, referrer)


# --- keys of referenced objects ----------------------------------------------------------------------------

KEY_FIELDS = {"Secret": ("data", "stringData"), "ConfigMap": ("data", "binaryData")}
"""The fields whose keys a Secret or ConfigMap holds (a pod reads a key from either)."""

FILLED_SECRET_TYPES = frozenset({"kubernetes.io/service-account-token"})
"""Secret types whose keys a controller fills in (the token controller writes ``token``, ``ca.crt``, ``namespace``)."""


def _release(resource: Resource) -> str | None:
    """The top-level chart a Helm-rendered object came from (``# Source: CHART/...``): one render, one set of
    values; subcharts belong to their parent's render."""
    origin = resource.document.origin
    return None if origin is None else origin.partition("/")[0]


def visible_objects(
    index: ResourceIndex, kind: str, name: str, referrer: Resource, namespace: str | None = None
) -> tuple[Resource, ...] | None:
    """The manifests of the object ``kind``/``name`` that ``referrer`` sees in its tree (several for overlays),
    when they show the whole object (in a folder of alternatives, ``independent_files``: those in the referrer's
    own file); None when it is not there (whether it is missing is ``is_missing``'s question) or only part of it
    is visible: one manifest is a patch or comes from another Helm render than the
    referrer, a producer in the tree makes or merges into it (a kustomize generator with ``behavior: merge``, a
    SealedSecret, a Certificate, ...), or a role in the tree may create, update or patch such objects at run
    time. Rules that compare a reference with the object's content (keys, ports) judge only what this returns."""
    ns = referrer.namespace if namespace is None else namespace
    found = tuple(r for r in index.named(kind, name)
                  if same_namespace(r.namespace, ns) and index.same_tree(referrer, r))
    if found and independent_files(index, referrer):
        # A folder of alternatives: another file's object of that name may belong to another sample.
        found = tuple(r for r in found if r.file == referrer.file or r.file in index.shared_files)
    if not found or produced(index, kind, name, referrer, ns):
        return None
    from guardlint.model.patches import is_patch

    release = _release(referrer)
    if any(_release(r) != release or is_patch(r, index) for r in found):
        return None
    if created_at_run_time(index, kind, referrer, ns, ("create", "update", "patch")):
        return None
    return found


def known_keys(
    index: ResourceIndex, kind: str, name: str, referrer: Resource, namespace: str | None = None
) -> frozenset[str] | None:
    """The keys that the ``kind`` (Secret or ConfigMap) called ``name`` that ``referrer`` sees is known to hold,
    or None when they cannot be judged: the object is not wholly visible (``visible_objects``), it holds no keys
    at all (a placeholder a controller fills) or it is a Secret type whose keys a controller writes. Several
    manifests of one object (overlays) give the union of their keys."""
    fields = KEY_FIELDS.get(kind)
    found = visible_objects(index, kind, name, referrer, namespace) if fields is not None else None
    if fields is None or found is None:
        return None
    keys: set[str] = set()
    for r in found:
        if r.group != "" or (kind == "Secret" and r.data.get("type") in FILLED_SECRET_TYPES):
            return None
        for field in fields:
            values = r.data.get(field)
            if values is None:
                continue
            if not isinstance(values, dict):
                return None
            keys.update(str(k) for k in values)
    return frozenset(keys) if keys else None


# --- pods ------------------------------------------------------------------------------------------------


class PodWriter(NamedTuple):
    """A binding that lets the service account of a linted workload create or label pods."""

    binding: Resource
    namespace: str | None
    """The namespace where it may write pods; None for cluster wide."""


def _service_accounts(index: ResourceIndex, workloads: WorkloadTable) -> list[tuple[Resource, str]]:
    out: list[tuple[Resource, str]] = []
    for kind in sorted(workloads.kinds()):
        for r in index.of_kind(kind, any_namespace=True):
            for pod in workloads.pods_of(r):
                name = get_str(pod.spec, ("serviceAccountName",)) or get_str(pod.spec, ("serviceAccount",))
                out.append((r, name or "default"))
    return out


def _pod_writers(index: ResourceIndex, workloads: WorkloadTable) -> tuple[PodWriter, ...]:
    accounts: dict[str, list[Resource]] = {}
    for w, sa in _service_accounts(index, workloads):
        accounts.setdefault(sa, []).append(w)
    if not accounts:
        return ()
    out: list[PodWriter] = []
    for binding_kind in ("RoleBinding", "ClusterRoleBinding"):
        for binding in index.of_kind(binding_kind, any_namespace=True):
            if binding.group != RBAC_GROUP:
                continue
            ref = get_map(binding.data, ("roleRef",)) or {}
            role_kind, role_name = ref.get("kind"), ref.get("name")
            if not isinstance(role_name, str):
                continue
            if role_name in BUILTIN_POD_WRITERS and role_kind == "ClusterRole":
                writes = True
            else:
                writes = any(
                    index.same_tree(binding, r)
                    and (role_kind == "ClusterRole" or same_namespace(r.namespace, binding.namespace))
                    and _role_grants(r, POD_WRITE_VERBS, "pods")
                    for r in index.named(str(role_kind), role_name)
                )
            if not writes:
                continue
            for _, subject in iter_maps(binding.data, ("subjects",)):
                if subject.get("kind") != "ServiceAccount" or not isinstance(subject.get("name"), str):
                    continue
                sub_ns = get_str(subject, ("namespace",)) or binding.namespace
                if any(
                    same_namespace(w.namespace, sub_ns) and index.same_tree(binding, w)
                    for w in accounts.get(subject["name"], ())
                ):
                    out.append(PodWriter(binding, binding.namespace if binding_kind == "RoleBinding" else None))
                    break
    return tuple(out)


def pod_writers(index: ResourceIndex, workloads: WorkloadTable) -> tuple[PodWriter, ...]:
    """Bindings that let a linted workload create, patch or update pods (built once per run)."""
    return index.memo("missing.pod-writers", lambda: _pod_writers(index, workloads))


def pods_may_be_unseen(index: ResourceIndex, workloads: WorkloadTable, referrer: Resource) -> bool:
    """Whether pods no manifest shows may run, or carry labels no template shows, in the referrer's namespace
    and tree: a custom resource an operator turns into pods, or a linted workload allowed to write pods."""
    if custom_resources_in_tree(index, workloads, referrer):
        return True
    writers = pod_writers(index, workloads)
    if not writers:
        return False
    cluster_wide = index.tree_set("missing.pod-writers:cluster", lambda: (w.binding for w in writers
                                                                           if w.namespace is None))
    if cluster_wide.any_related(referrer):
        return True
    # A namespaced writer's namespace is its RoleBinding's.
    namespaced = index.tree_set("missing.pod-writers:namespaced", lambda: (w.binding for w in writers
                                                                            if w.namespace is not None))
    return namespaced.any_related(referrer, referrer.namespace)


def workloads_in_tree(index: ResourceIndex, workloads: WorkloadTable, referrer: Resource) -> Iterator[Resource]:
    """Workloads (objects the pod-template table knows) in the referrer's namespace and folder (``strict``
    ``in_tree``), in run order."""
    return iter(_workload_tree(index, workloads).related(referrer, referrer.namespace, strict=True))


def _workload_tree(index: ResourceIndex, workloads: WorkloadTable) -> TreeSet:
    """Every workload of the run (an object the pod-template table knows), arranged by tree, built once per run."""

    def members() -> Iterator[Resource]:
        # The kinds are read here, when the set is built (once per run), not on every call: every selector of
        # every object asks for the set (``can_judge_pods``).
        kinds = workloads.kinds()
        return (r for r in index.resources if r.kind in kinds and workloads.entry_for(r) is not None)

    return index.tree_set("missing.workloads", members)


def _has_workload_in_tree(index: ResourceIndex, workloads: WorkloadTable, referrer: Resource) -> bool:
    if independent_files(index, referrer):
        files = index.memo("missing.workload-files", lambda: frozenset(
            (r.file, r.namespace) for r in _workload_tree(index, workloads).members))
        return (referrer.file, referrer.namespace) in files
    return _workload_tree(index, workloads).any_related(referrer, referrer.namespace, strict=True)


def can_judge_pods(index: ResourceIndex, workloads: WorkloadTable, referrer: Resource) -> bool:
    """Whether "no pod matches" may be reported for a selector of ``referrer`` (see the module docstring)."""
    if not sees_namespace(index, referrer):
        return False
    complete = referrer.namespace is not None and referrer.namespace in index.complete_namespaces
    if not complete and not _has_workload_in_tree(index, workloads, referrer):
        return False
    return not pods_may_be_unseen(index, workloads, referrer)


# --- "the namespace has none" -----------------------------------------------------------------------------


def can_judge_absence(index: ResourceIndex, kind: str, referrer: Resource, namespace: str | None = None) -> bool:
    """Whether "the referrer's namespace (default: its own) holds no ``kind`` object" may be reported, as
    opposed to "the object named X is missing": the run sees that namespace completely (a full run; in a
    partial run only where ``--context`` covers it), ``known-objects`` lists
    no ``kind`` object there, and no Role or ClusterRole in the referrer's tree may create such objects at
    run time. The caller still looks for the objects themselves (``index.any_in_tree``)."""
    ns = referrer.namespace if namespace is None else namespace
    # ``complete-namespaces`` says the repository holds every object of those namespaces, not that a partial
    # run (pre-commit: the changed files) read them all, so it does not stand in for the run's coverage.
    if not index.covered(ns, referrer.file):
        return False
    if any(k.kind == kind and same_namespace(k.namespace, ns) for k in index.known):
        return False
    return not created_at_run_time(index, kind, referrer, ns)
