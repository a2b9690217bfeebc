"""replicas-not-spread: a multi-replica workload has no pod anti-affinity or topology spread (opt-in)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint._record import NamedTuple
from guardlint.model.access import get, get_list
from guardlint.model.paths import FieldPath
from guardlint.model.scaling import is_multi_replica
from guardlint.model.selectors import label_selector_matches, pod_assumption
from guardlint.model.workloads import PodSpecRef, iter_pod_specs
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param
from guardlint.rules.resources._common import is_partial_object

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated, Any

TOPOLOGY_KEYS: tuple[str, ...] = (
    "kubernetes.io/hostname", "topology.kubernetes.io/zone", "topology.kubernetes.io/region",
    "failure-domain.beta.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/region",
    "topology.gke.io/zone", "topology.ebs.csi.aws.com/zone", "topology.disk.csi.azure.com/zone",
)
"""Node labels that split nodes into failure domains: the well-known labels the kubelet and cloud
providers set (and the zone labels of the major CSI drivers)."""

_NAME_LABEL = "kubernetes.io/metadata.name"


class Params(NamedTuple):
    topology_keys: Annotated[tuple[str, ...], param(
        "Node label keys that count as failure domains for spreading (add your rack or node-pool labels).",
        items={"minLength": 1},
    )] = TOPOLOGY_KEYS


class _Term(NamedTuple):
    path: FieldPath
    data: Mapping[str, Any]
    anti_affinity: bool
    injected: bool = False
    """Added to the pods by a controller, which makes its selector select the workload's own pods."""
    required: bool = False
    """A ``requiredDuringSchedulingIgnoredDuringExecution`` anti-affinity term: a hard rule, not a preference."""


LWS_GROUP = "leaderworkerset.x-k8s.io"
LWS_EXCLUSIVE_TOPOLOGY = "leaderworkerset.sigs.k8s.io/exclusive-topology"
"""On a LeaderWorkerSet, LWS's pod webhook adds to every pod of a group a podAffinity to its own group and a
required podAntiAffinity to the other groups over this topology key: each group gets a domain of its own."""


def _injected(pod: PodSpecRef) -> Iterator[_Term]:
    resource = pod.resource
    if resource.group != LWS_GROUP or resource.kind != "LeaderWorkerSet":
        return
    key = resource.annotations.get(LWS_EXCLUSIVE_TOPOLOGY)
    if isinstance(key, str) and key:
        yield _Term(("metadata", "annotations", LWS_EXCLUSIVE_TOPOLOGY), {"topologyKey": key}, True, injected=True)


def _terms(pod: PodSpecRef) -> Iterator[_Term]:
    """Every podAntiAffinity term (required and preferred) and topology spread constraint of the pod, and the
    anti-affinity a controller adds to its pods."""
    yield from _injected(pod)
    anti = get(pod.spec, ("affinity", "podAntiAffinity"))
    base: FieldPath = (*pod.path, "affinity", "podAntiAffinity")
    if isinstance(anti, dict):
        for i, term in enumerate(get_list(anti, ("requiredDuringSchedulingIgnoredDuringExecution",)) or ()):
            if isinstance(term, dict):
                yield _Term((*base, "requiredDuringSchedulingIgnoredDuringExecution", i), term, True, required=True)
        for i, weighted in enumerate(get_list(anti, ("preferredDuringSchedulingIgnoredDuringExecution",)) or ()):
            term = get(weighted, ("podAffinityTerm",))
            if isinstance(term, dict):
                yield _Term((*base, "preferredDuringSchedulingIgnoredDuringExecution", i, "podAffinityTerm"),
                            term, True)
    for i, constraint in enumerate(get_list(pod.spec, ("topologySpreadConstraints",)) or ()):
        if isinstance(constraint, dict):
            yield _Term((*pod.path, "topologySpreadConstraints", i), constraint, False)


def _namespace_problem(term: Mapping[str, Any], namespace: str | None) -> str | None:
    """Why an anti-affinity term looks only at other namespaces, or None. Unset ``namespaces`` and
    ``namespaceSelector`` mean the pod's own; an empty ``namespaceSelector`` means every namespace; the two
    are ORed. A selector on labels other than ``kubernetes.io/metadata.name`` cannot be judged (passes)."""
    names = get_list(term, ("namespaces",))
    selector = term.get("namespaceSelector")
    if not names and selector is None:
        return None
    if namespace is None:
        return None  # the namespace is chosen at apply time
    if names and namespace in names:
        return None
    if isinstance(selector, dict):
        verdict = label_selector_matches(selector, {_NAME_LABEL: namespace})
        keys = set((selector.get("matchLabels") or {}) if isinstance(selector.get("matchLabels"), dict) else {})
        keys |= {e.get("key") for e in get_list(selector, ("matchExpressions",)) or () if isinstance(e, dict)}
        if verdict is not False or keys - {_NAME_LABEL}:
            return None
    shown = ", ".join(str(n) for n in names or ()) or "a namespaceSelector that excludes it"
    return f"looks only at pods in other namespaces ({shown}), not at {namespace!r}"


UNKNOWN_DOMAIN = "is not a known failure-domain label (parameter topology-keys)"


def _problem(term: _Term, pod: PodSpecRef, params: Params) -> str | None:
    """Why the term does not spread the workload's own pods, or None when it does."""
    data = term.data
    key = data.get("topologyKey")
    if not isinstance(key, str) or not key:
        return "has no topologyKey"
    if term.injected:
        return None  # required anti-affinity between the groups: each in a domain (so on nodes) of its own
    if key not in params.topology_keys:
        if term.required and _selection_problem(term, pod) is None:
            # A hard rule on the workload's own pods over another node label: no two of them share a value of
            # that label, so they are apart, but over domains this rule cannot judge (see the message).
            return f"keeps them apart over {key!r}, which {UNKNOWN_DOMAIN}"
        return f"spreads over {key!r}, which {UNKNOWN_DOMAIN}"
    return _selection_problem(term, pod)


def _selection_problem(term: _Term, pod: PodSpecRef) -> str | None:
    """Why the term does not apply to the workload's own pods (selector, mismatch keys, namespaces), or None."""
    data = term.data
    selector = data.get("labelSelector")
    if selector is None:
        return "has no labelSelector, so it matches no pods"
    if not isinstance(selector, dict):
        return None
    labels = pod.labels
    verdict = label_selector_matches(selector, labels, assume=pod_assumption(pod))
    if verdict is False:
        shown = ", ".join(f"{k}={v}" for k, v in labels.items()) or "none"
        return f"has a labelSelector that does not select the workload's own pods (their labels: {shown})"
    for mismatch in get_list(data, ("mismatchLabelKeys",)) or ():
        if isinstance(mismatch, str) and mismatch in labels:
            return f"lists {mismatch!r} in mismatchLabelKeys, which excludes the workload's own pods"
    if term.anti_affinity:
        return _namespace_problem(data, pod.resource.namespace)
    return None


def _consequence(term: _Term, problem: str) -> str:
    """What the problem means for the replicas: a required anti-affinity term that selects the workload's own
    pods over an unlisted label does keep them apart, on the nodes that carry the label."""
    if term.required and problem.startswith("keeps them apart"):
        return ("so no two replicas share a node that carries that label, but whether that also separates "
                "them by zone depends on what the label means, and nodes without it do not keep them apart")
    return "so nothing spreads its own pods and they may all land on one node"


@rule(
    code="RES035",
    name="replicas-not-spread",
    pods_only=True,
    title="Multi-replica workload has no pod anti-affinity or topology spread",
    severity=Severity.INFO,
    pack="resources",
    since="0.1.0",
    tags=("availability", "scheduling"),
    remediation="Add topologySpreadConstraints (for example over kubernetes.io/hostname and "
    "topology.kubernetes.io/zone) or a preferred podAntiAffinity on the pod template.",
    references=(
        Reference("Kubernetes: Pod Topology Spread Constraints",
                  "https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/"),
        Reference("Kubernetes: Inter-pod affinity and anti-affinity",
                  "https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/"
                  "#inter-pod-affinity-and-anti-affinity"),
    ),
    params=Params,
    enabled_by_default=False,
)
def replicas_not_spread(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports pod templates of workloads that run more than one replica (an explicit `spec.replicas` above 1,
    or a HorizontalPodAutoscaler among the linted objects with `minReplicas` above 1) unless a
    `podAntiAffinity` term (required or preferred) or a topology spread constraint actually spreads the
    workload's own pods: its `labelSelector` selects the pod template's labels (a missing `labelSelector`
    selects no pod; terms on labels controllers add, such as `pod-template-hash`, count as selecting them;
    `matchLabelKeys` only narrows to the same revision, while a `mismatchLabelKeys` entry the template sets
    excludes its own pods), an anti-affinity term's `namespaces`/`namespaceSelector` include the workload's
    namespace (unset means its own; a selector on labels other than `kubernetes.io/metadata.name` is given
    the benefit of the doubt), and its `topologyKey` is a failure-domain label (hostname, zone, region;
    parameter `topology-keys`). A LeaderWorkerSet with the `leaderworkerset.sigs.k8s.io/exclusive-topology`
    annotation is spread: LWS adds to its pods a required anti-affinity between its groups over that key, so
    each group has a topology domain, and therefore nodes, of its own.
    A required anti-affinity term on the workload's own pods over another label is still reported, but its
    message says what it does: no two replicas share a node that carries the label.
    Off by default: clusters may define default spreading for the scheduler.

    ## Why is this bad?
    Nothing stops the scheduler from placing every replica on the same node or zone, so one node failure
    or zone outage takes all of them down at once and the extra replicas buy no availability (Kubernetes
    documentation, "Pod Topology Spread Constraints").

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: 3
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
            - name: web
              image: nginx:1.27
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: 3
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          topologySpreadConstraints:
            - maxSkew: 1
              topologyKey: kubernetes.io/hostname
              whenUnsatisfiable: ScheduleAnyway
              labelSelector:
                matchLabels: {app: web}
          containers:
            - name: web
              image: nginx:1.27
    ```
    """
    if is_partial_object(resource, ctx):
        return
    if not is_multi_replica(resource, ctx):
        return
    for pod in iter_pod_specs(resource, ctx.workloads):
        problems: list[tuple[_Term, str]] = []
        for term in _terms(pod):
            problem = _problem(term, pod, params)
            if problem is None:
                break
            problems.append((term, problem))
        else:
            if not problems:
                yield Violation(
                    (*pod.path, "topologySpreadConstraints"),
                    f"{resource.describe()} runs several replicas with neither podAntiAffinity nor "
                    "topologySpreadConstraints, so they may all land on one node",
                )
                continue
            term, problem = problems[0]
            what = "podAntiAffinity term" if term.anti_affinity else "topology spread constraint"
            if term.required:
                what = "required podAntiAffinity term"
            more = f" (and {len(problems) - 1} more term(s) that do not either)" if len(problems) > 1 else ""
            yield Violation(
                term.path,
                f"{resource.describe()} runs several replicas, but its {what} {problem}{more}, "
                f"{_consequence(term, problem)}",
            )

RULE = replicas_not_spread
