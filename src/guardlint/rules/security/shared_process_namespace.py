"""shared-process-namespace: the containers of a pod share one process namespace."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get_bool
from guardlint.model.workloads import iter_pod_specs
from guardlint.rules.api import FixEdit, Reference, Resource, RuleContext, Severity, Violation, rule, structural_fix

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="SEC039",
    fixable="unsafe",
    name="shared-process-namespace",
    pods_only=True,
    title="Pod containers share a process namespace",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=("hardening",),
    remediation=(
        "Remove shareProcessNamespace (or set it to false); use an ephemeral debug container with --target for "
        "one-off debugging."
    ),
    enabled_by_default=False,
    references=(
        Reference(
            "Kubernetes: Share Process Namespace between Containers in a Pod",
            "https://kubernetes.io/docs/tasks/configure-pod-container/share-process-namespace/",
        ),
    ),
)
def shared_process_namespace(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports pod specs that set `shareProcessNamespace: true`. Off by default.

    ## Why is this bad?
    With a shared process namespace every container sees the processes of the others, can signal them,
    and can read their environment and files through `/proc/<pid>/environ` and `/proc/<pid>/root`: a
    sidecar compromise exposes the application's secrets
    (https://kubernetes.io/docs/tasks/configure-pod-container/share-process-namespace/).

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: app
    spec:
      shareProcessNamespace: true
      containers:
        - name: app
          image: example.com/app:1.0.0
        - name: helper
          image: example.com/helper:1.0.0
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: app
    spec:
      containers:
        - name: app
          image: example.com/app:1.0.0
        - name: helper
          image: example.com/helper:1.0.0
    ```
    """
    for pod in iter_pod_specs(resource, ctx.workloads):
        if get_bool(pod.spec, ("shareProcessNamespace",)) is True:
            yield Violation(
                (*pod.path, "shareProcessNamespace"),
                "the pod's containers share one process namespace and can read each other's memory and environment",
                fix=structural_fix("remove shareProcessNamespace: true",
                                   FixEdit("remove", (*pod.path, "shareProcessNamespace"))),
            )


RULE = shared_process_namespace
