"""kueue-cluster-queue-missing: a Kueue LocalQueue points to a ClusterQueue that does not exist."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get_str
from guardlint.model.missing import is_missing_cluster_scoped
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.resources import _kueue

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="RES110",
    name="kueue-cluster-queue-missing",
    title="Kueue LocalQueue points to a ClusterQueue that does not exist",
    severity=Severity.WARNING,
    pack="resources",
    since="0.3.0",
    status="preview",
    tags=("consistency", "scheduling", "kueue"),
    remediation="Create the ClusterQueue, correct spec.clusterQueue, or list the ClusterQueue under known-objects.",
    kinds=("LocalQueue",),
    references=(_kueue.LOCAL_QUEUE, _kueue.CLUSTER_QUEUE),
)
def kueue_cluster_queue_missing(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports a Kueue LocalQueue (`kueue.x-k8s.io`) whose `spec.clusterQueue` names a ClusterQueue that is not
    among the linted objects.

    Missing-object policy for a cluster-scoped object: judged only when the run is not partial (or `--context`
    covers the LocalQueue's folder), the LocalQueue's tree holds at least one ClusterQueue (in a folder of
    independent samples, its own file does), and the ClusterQueue is neither in that tree nor listed under
    `known-objects` (`{kind: ClusterQueue, name: ...}`); nor when a linted ClusterRole (or Role in scope)
    grants `create` on clusterqueues. A ClusterQueue counts whatever namespace a manifest or kustomize wrote on
    it. An unrendered name is not judged.

    ## Why is this bad?
    A LocalQueue whose ClusterQueue does not exist is inactive ("ClusterQueueDoesNotExist"): Kueue admits none of
    the workloads submitted to it, which stay pending until the ClusterQueue is created.

    ## Example
    ```yaml
    apiVersion: kueue.x-k8s.io/v1beta1
    kind: ClusterQueue
    metadata:
      name: gpu-pool
    spec:
      namespaceSelector: {}
      resourceGroups: []
    ---
    apiVersion: kueue.x-k8s.io/v1beta1
    kind: LocalQueue
    metadata:
      name: team-a
      namespace: ml
    spec:
      clusterQueue: gpu-pol
    ```

    ## Use instead
    ```yaml
    apiVersion: kueue.x-k8s.io/v1beta1
    kind: ClusterQueue
    metadata:
      name: gpu-pool
    spec:
      namespaceSelector: {}
      resourceGroups: []
    ---
    apiVersion: kueue.x-k8s.io/v1beta1
    kind: LocalQueue
    metadata:
      name: team-a
      namespace: ml
    spec:
      clusterQueue: gpu-pool
    ```
    """
    if resource.group != _kueue.KUEUE_GROUP:
        return
    path = ("spec", "clusterQueue")
    name = get_str(resource.data, path)
    if not name or not is_missing_cluster_scoped(ctx.index, "ClusterQueue", name, resource):
        return
    yield Violation(
        path,
        f"LocalQueue refers to Kueue ClusterQueue {name!r}, which is not among the linted objects: the queue is "
        "inactive and Kueue admits none of its workloads until that ClusterQueue exists",
        at_value=True,
    )


RULE = kueue_cluster_queue_missing
