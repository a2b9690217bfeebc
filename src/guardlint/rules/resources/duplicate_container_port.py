"""duplicate-container-port: a pod declares the same container port or port name twice."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.ports import container_ports
from guardlint.model.workloads import ContainerKind, ContainerRef, iter_containers, iter_pod_specs
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="RES074",
    name="duplicate-container-port",
    # Gate: the rule yields nothing when this does not hold: a finding is on an entry of a container's ports.
    gates=("container-ports",),
    pods_only=True,
    title="Container port or port name is declared twice",
    severity=Severity.WARNING,
    pack="resources",
    since="0.1.0",
    tags=("consistency", "networking"),
    remediation="Declare each port (number and protocol) once per container and give every named port of the pod "
    "a unique name.",
    references=(
        Reference("Kubernetes API: ContainerPort",
                  "https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#ports"),
    ),
)
def duplicate_container_port(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports a `ports` entry of a container or sidecar that repeats a `containerPort` and `protocol`
    (default TCP) already declared by the same container, and a port `name` already used by any container
    of the same pod. The later entry is reported.

    ## Why is this bad?
    A repeated port name is ambiguous: Services, probes and Ingresses resolve named ports by name, and the
    API rejects duplicate names within a container (`Duplicate value`); the documentation requires named
    ports to be unique within the pod. A repeated port number and protocol is rejected by server-side apply
    (ports are a map keyed on them) and merged unpredictably by `kubectl apply` (Kubernetes API reference,
    "ContainerPort").

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
          ports:
            - {name: http, containerPort: 80}
            - {name: metrics, containerPort: 80}
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
          ports:
            - {name: http, containerPort: 80}
            - {name: metrics, containerPort: 9113}
    ```
    """
    for pod in iter_pod_specs(resource, ctx.workloads):
        names: dict[str, ContainerRef] = {}
        for c in iter_containers(pod, (ContainerKind.INIT, ContainerKind.CONTAINER)):
            numbers: set[tuple[int, str]] = set()
            for i, port in container_ports(c):
                number, protocol = port.get("containerPort"), port.get("protocol") or "TCP"
                if isinstance(number, int) and not isinstance(number, bool):
                    key = (number, str(protocol))
                    if key in numbers:
                        yield Violation((*c.path, "ports", i, "containerPort"), f"{c.describe()} declares port "
                                        f"{number}/{protocol} more than once", at_value=True)
                    numbers.add(key)
                name = port.get("name")
                if isinstance(name, str) and name:
                    first = names.get(name)
                    if first is not None:
                        owner = "the same container" if first is c else first.describe()
                        yield Violation((*c.path, "ports", i, "name"), f"{c.describe()} declares port name {name!r}, "
                                        f"already used by {owner}; port names must be unique within a pod",
                                        at_value=True)
                    else:
                        names[name] = c


RULE = duplicate_container_port
