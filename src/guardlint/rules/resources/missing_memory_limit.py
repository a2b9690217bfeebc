"""missing-memory-limit: a container has no memory limit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from guardlint.findings import Severity
from guardlint.model.access import get
from guardlint.model.index import ResourceIndex
from guardlint.model.resource import Resource
from guardlint.model.workloads import ContainerKind, iter_containers, iter_pod_specs
from guardlint.rules.api import Reference, RuleContext, Violation, rule


def limitrange_default(index: ResourceIndex, namespace: str | None, resource_name: str, key: str) -> bool:
    """Whether a LimitRange among the linted objects gives containers in ``namespace`` a ``key`` value
    (``default`` for limits, ``defaultRequest`` for requests) for ``resource_name``.

    An object without a namespace only counts a LimitRange without one (both land in the namespace chosen
    at apply time); a LimitRange never stands in for an object of another namespace.
    """
    for lr in index.of_kind("LimitRange", namespace, any_namespace=True):
        if lr.namespace != namespace:
            continue
        for item in get(lr.data, ("spec", "limits")) or []:
            if not isinstance(item, dict) or item.get("type", "Container") != "Container":
                continue
            values = item.get(key)
            if isinstance(values, dict) and values.get(resource_name) is not None:
                return True
            # A LimitRange with only ``max`` defaults the limit (and request) to that maximum.
            if key == "default" and isinstance(item.get("max"), dict) and item["max"].get(resource_name) is not None:
                return True
    return False


@rule(
    code="RES003",
    name="missing-memory-limit",
    title="Container has no memory limit",
    severity=Severity.WARNING,
    pack="resources",
    tags=("resources",),
    remediation="Set resources.limits.memory on the container (or a pod-level spec.resources.limits.memory).",
    references=(
        Reference(
            "Kubernetes: Resource Management for Pods and Containers",
            "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
        ),
    ),
)
def missing_memory_limit(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports containers and init containers that set no `resources.limits.memory`, unless the pod sets a
    pod-level memory limit (`spec.resources.limits.memory`) or a LimitRange among the linted objects gives
    containers in the same namespace a default memory limit. Ephemeral containers cannot set resources and
    are not reported.

    ## Why is this bad?
    Memory is not compressible: a container without a limit can use all of the node's memory, and when the
    node runs out the kernel's OOM killer and the kubelet's eviction pick victims among *all* pods on the
    node, not just the one that leaked.

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
          resources:
            requests: {memory: 128Mi}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
          resources:
            requests: {memory: 128Mi}
            limits: {memory: 256Mi}
    ```
    """
    defaulted: bool | None = None
    for pod in iter_pod_specs(resource, ctx.workloads):
        if get(pod.spec, ("resources", "limits", "memory")) is not None:
            continue
        for c in iter_containers(pod, (ContainerKind.CONTAINER, ContainerKind.INIT)):
            if c.get(("resources", "limits", "memory")) is not None:
                continue
            if defaulted is None:
                defaulted = limitrange_default(ctx.index, resource.namespace, "memory", "default")
            if defaulted:
                return
            yield Violation((*c.path, "resources", "limits", "memory"), f"{c.describe()} has no memory limit")


RULE = missing_memory_limit
