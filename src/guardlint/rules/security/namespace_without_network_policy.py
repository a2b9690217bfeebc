"""namespace-without-network-policy: a workload runs in a namespace that no linted NetworkPolicy covers."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.missing import can_judge_absence
from guardlint.model.workloads import iter_pod_specs
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated

NAMESPACED_POLICIES: tuple[str, ...] = ("NetworkPolicy", "CiliumNetworkPolicy")
"""Kinds that isolate the pods of their own namespace (Kubernetes' and Calico's NetworkPolicy share the
kind name)."""
CLUSTER_POLICIES: tuple[str, ...] = (
    "AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy", "CiliumClusterwideNetworkPolicy",
    "GlobalNetworkPolicy",
)
"""Cluster-wide policies, which may select any namespace: with one in the tree the rule stays quiet."""


CLUSTER_SCOPED_TEMPLATES: frozenset[tuple[str, str]] = frozenset({
    ("trainer.kubeflow.org", "ClusterTrainingRuntime"),
    ("serving.kserve.io", "ClusterServingRuntime"),
    ("argoproj.io", "ClusterWorkflowTemplate"),
    ("tekton.dev", "ClusterTask"),
})
"""Cluster-scoped kinds of the pod-template table (API group, kind): templates whose pods run in the namespace
of the object that uses them (a TrainJob, an InferenceService, a Workflow, a TaskRun), not in one of their own."""


class Params(NamedTuple):
    policy_kinds: Annotated[tuple[str, ...], param(
        "Kinds of namespaced network policies that count for their namespace.", items={"minLength": 1},
    )] = NAMESPACED_POLICIES
    cluster_policy_kinds: Annotated[tuple[str, ...], param(
        "Kinds of cluster-wide network policies: one in the tree counts for every namespace.",
        items={"minLength": 1},
    )] = CLUSTER_POLICIES


def _fragment(resource: Resource, ctx: RuleContext) -> bool:
    """Whether the object is a patch rather than a whole object: listed as a patch by a linted Kustomization or
    written with strategic-merge directives, or in a file named as a patch and incomplete as an object (a
    built-in workload whose pod template has no containers or a container without an image, which the API would
    refuse). A whole object in a file whose name says "patch" (an Argo example of ``podSpecPatch``) is judged."""
    from guardlint.model.patches import incomplete_workload, is_patch, listed_as_patch, named_as_patch

    index = ctx.index
    if not is_patch(resource, index):
        return False
    if not named_as_patch(resource.file) or (index.has_kind("Kustomization") and listed_as_patch(index, resource)):
        return True
    return incomplete_workload(resource, ctx.workloads)


@rule(
    code="SEC103",
    name="namespace-without-network-policy",
    pods_only=True,
    title="Workload in a namespace without a NetworkPolicy",
    severity=Severity.WARNING,
    pack="security",
    since="0.2.0",
    status="preview",
    tags=("networking", "isolation"),
    remediation="Add a NetworkPolicy to the namespace (a default-deny policy plus the traffic the workload "
    "needs), or declare the namespace's policies in known-objects if they live elsewhere.",
    params=Params,
    references=(
        Reference("Kubernetes: Network Policies",
                  "https://kubernetes.io/docs/concepts/services-networking/network-policies/"),
        Reference("Kubernetes: Network policies, default policies",
                  "https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies"),
    ),
    enabled_by_default=False,
)
def namespace_without_network_policy(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports workloads (every kind of the pod-template table) whose namespace has no NetworkPolicy (or
    `CiliumNetworkPolicy`; parameter `policy-kinds`) among the linted objects of the workload's tree, where
    no cluster-wide policy (`AdminNetworkPolicy`, `CiliumClusterwideNetworkPolicy`, Calico
    `GlobalNetworkPolicy`, ...; parameter `cluster-policy-kinds`) is in the tree either. A workload without
    `metadata.namespace` is judged against the policies without a namespace in its tree (both land in the
    namespace they are applied to). Cluster-scoped templates (`ClusterTrainingRuntime`,
    `ClusterServingRuntime`, `ClusterWorkflowTemplate`, `ClusterTask`) are not judged: their pods run in the
    namespace of whatever uses them, nor are kustomize patches and strategic-merge fragments (the object they
    patch is judged where it is written). It judges only where the linted set can tell, by the shared
    missing-object policy: never in a partial run (`--partial`, pre-commit) unless `--context` covers the
    namespace or config lists it in `complete-namespaces`; never when `known-objects` declares a
    NetworkPolicy in the namespace, or a Role or ClusterRole in the tree may create NetworkPolicies (an
    operator that makes them). Off by default: many platforms manage network policies outside the
    application's repository.

    ## Why is this bad?
    Without a NetworkPolicy selecting them, pods accept traffic from every pod of the cluster and reach any
    destination: one compromised workload anywhere can talk to this one, and this one to every database and
    cloud metadata endpoint. A default-deny policy per namespace, with the needed flows allowed, is the
    baseline of network isolation in the Kubernetes documentation.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop
    spec:
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
      namespace: shop
    spec:
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
            - name: web
              image: nginx:1.27
    ---
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: default-deny
      namespace: shop
    spec:
      podSelector: {}
      policyTypes: [Ingress, Egress]
    ```
    """
    if (resource.group, resource.kind) in CLUSTER_SCOPED_TEMPLATES:
        return
    if next(iter_pod_specs(resource, ctx.workloads), None) is None:
        return
    index = ctx.index
    if _fragment(resource, ctx):
        return  # a kustomize patch or strategic-merge fragment: the object it patches is judged where it is written
    if any(index.any_in_tree(kind, resource) for kind in params.policy_kinds):
        return
    for kind in params.cluster_policy_kinds:  # cluster-scoped: they may select any namespace
        # One in the workload's tree, whatever namespace it names: the kind's tree set answers at the cost of
        # the answer (comparing every workload with every such policy grew as their product).
        if index.has_kind(kind) and index.kind_tree(kind).any_related(resource):
            return
    if not all(can_judge_absence(index, kind, resource) for kind in params.policy_kinds):
        return
    ns = resource.namespace
    where = f"namespace {ns!r}" if ns else "the namespace it is applied to"
    path = ("metadata", "namespace")
    yield Violation(path, f"{resource.describe()} runs in {where}, which no NetworkPolicy among the "
                    "linted objects covers: its pods accept traffic from, and reach, every pod in the cluster",
                    at_value=bool(ns))


RULE = namespace_without_network_policy
