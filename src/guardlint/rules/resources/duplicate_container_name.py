"""duplicate-container-name: two containers of a pod share a name (the API rejects it)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.workloads import ContainerRef, iter_containers, iter_pod_specs
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="RES072",
    name="duplicate-container-name",
    pods_only=True,
    title="Two containers of a pod share a name",
    severity=Severity.ERROR,
    pack="resources",
    since="0.1.0",
    tags=("consistency", "api-rejects"),
    remediation="Give every container, init container and ephemeral container of the pod a unique name.",
    references=(
        Reference("Kubernetes API: Container name",
                  "https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#Container"),
    ),
)
def duplicate_container_name(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports a container, init container, sidecar or ephemeral container whose `name` was already used by
    another container of the same pod template (names are unique across all three lists). The later
    definition is reported, at its `name`.

    ## Why is this bad?
    The API server rejects the pod (`Duplicate value`): container names identify containers in status,
    logs, `kubectl exec` and restarts, so each must be unique within the pod (Kubernetes API reference,
    "Container": "Each container in a pod must have a unique name").

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: app
    spec:
      initContainers:
        - name: app
          image: example.com/migrate:1.0.0
      containers:
        - name: app
          image: example.com/app:1.0.0
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: app
    spec:
      initContainers:
        - name: migrate
          image: example.com/migrate:1.0.0
      containers:
        - name: app
          image: example.com/app:1.0.0
    ```
    """
    for pod in iter_pod_specs(resource, ctx.workloads):
        seen: dict[str, ContainerRef] = {}
        for c in iter_containers(pod):
            name = c.data.get("name")
            if not isinstance(name, str) or not name:
                continue
            first = seen.get(name)
            if first is None:
                seen[name] = c
                continue
            yield Violation((*c.path, "name"), f"{c.describe()} has the same name as {first.describe()}; container "
                            "names must be unique within a pod", at_value=True)


RULE = duplicate_container_name
