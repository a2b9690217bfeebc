"""bare-pod: a Pod that no controller manages."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get_list, get_map
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

HOOK_ANNOTATIONS = ("helm.sh/hook", "argocd.argoproj.io/hook")
"""Pods that a deployment tool runs once and cleans up (Helm tests and hooks, Argo CD hooks)."""


@rule(
    code="RES105",
    name="bare-pod",
    title="Pod not managed by a controller",
    severity=Severity.WARNING,
    pack="resources",
    since="0.2.0",
    status="preview",
    tags=("availability", "opinionated"),
    remediation="Run the pod through a controller: a Deployment (or StatefulSet) for a service, a Job for a "
    "task, a DaemonSet for a node agent.",
    references=(
        Reference("Kubernetes: Pods, working with pods",
                  "https://kubernetes.io/docs/concepts/workloads/pods/#working-with-pods"),
        Reference("Kubernetes: Configuration best practices (naked pods)",
                  "https://kubernetes.io/docs/concepts/configuration/overview/#naked-pods-vs-replicasets-deployments-and-jobs"),
    ),
    kinds=("Pod",),
    enabled_by_default=False,
)
def bare_pod(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports core `v1` Pods without `metadata.ownerReferences`: pods that no Deployment, StatefulSet, Job,
    DaemonSet or operator manages. Pods that Helm or Argo CD run as hooks (`helm.sh/hook`,
    `argocd.argoproj.io/hook` annotations, such as `helm test` pods) are not reported, nor is an Argo
    Workflows `resource` template that patches a Pod (it makes none: the Pod exists, often the workflow's
    own). A Pod an Argo workflow creates from a manifest is reported like any other. Off by default:
    one-off debugging pods, test fixtures and examples are bare on purpose, and static pods (kubelet
    manifests) cannot be anything else.

    ## Why is this bad?
    Nothing recreates a bare pod: when its node fails, is drained or upgraded, or the pod is evicted, it is
    gone for good, and there is no rollout, no rollback and no scaling. The Kubernetes configuration best
    practices advise against "naked" pods for anything that should keep running.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
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
    """
    if resource.group != "" or get_list(resource.data, ("metadata", "ownerReferences")):
        return
    embedded = resource.document.embedded
    if embedded is not None and embedded.patch:
        return  # an Argo workflow's patch of a Pod that exists (often its own): it makes no Pod
    annotations = get_map(resource.data, ("metadata", "annotations")) or {}
    if any(key in annotations for key in HOOK_ANNOTATIONS):
        return
    yield Violation(("kind",), f"{resource.describe()} is not managed by a controller: nothing recreates it when its "
                    "node fails or it is evicted", at_value=True)


RULE = bare_pod
