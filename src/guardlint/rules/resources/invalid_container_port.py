"""invalid-container-port: a container port number, host port or port name that the API rejects."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.ports import container_ports, is_port_number, is_unrendered, port_name_problem, port_number_problem
from guardlint.model.workloads import ContainerKind, iter_containers, iter_pod_specs
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="RES100",
    name="invalid-container-port",
    # Gate: the rule yields nothing when this does not hold: a finding is on an entry of a container's ports.
    gates=("container-ports",),
    pods_only=True,
    title="Container port number or name that the API rejects",
    severity=Severity.ERROR,
    pack="resources",
    since="0.2.0",
    status="preview",
    tags=("consistency", "networking"),
    remediation="Use a containerPort (and hostPort, if any) between 1 and 65535, and a port name of at most 15 "
    "lowercase letters, digits and single '-' with at least one letter.",
    references=(
        Reference("Kubernetes API: ContainerPort",
                  "https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#ports"),
        Reference("RFC 6335 section 5.1: service name syntax", "https://www.rfc-editor.org/rfc/rfc6335#section-5.1"),
    ),
)
def invalid_container_port(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports entries of a container's or init container's `ports` whose `containerPort` is outside 1-65535,
    whose `hostPort` is set (not 0) and outside 1-65535 or, in a pod with `hostNetwork: true`, differs from the
    `containerPort` (the API defaults an unset one to it), or whose `name` is not an IANA service name: at
    most 15 characters, only lowercase letters, digits and `-`, at least one letter, no `-` at either end
    and no two `-` in a row. Unrendered values (`${PORT}`, `{{ .Values.port }}`) are not judged; a number
    written as a string is left to `wrong-field-type`, port names used twice to `duplicate-container-port`
    and an unknown `protocol` to `unsupported-field-value`.

    ## Why is this bad?
    The API server validates every port of a pod (`IsValidPortNum`, `IsValidPortName`) and rejects the
    whole object: the Deployment is not applied, or, for a controller's pod template, its pods are never
    created. A port name that breaks the IANA syntax (`http_metrics`, `grpc-health-check` with 17
    characters, `HTTP`) is the usual cause; Services, probes and Ingresses that name the port depend on it.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          containers:
            - name: api
              image: example.com/api:2.1.0
              ports:
                - name: http_metrics
                  containerPort: 9090
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          containers:
            - name: api
              image: example.com/api:2.1.0
              ports:
                - name: http-metrics
                  containerPort: 9090
    ```
    """
    for pod in iter_pod_specs(resource, ctx.workloads):
        host_network = pod.spec.get("hostNetwork") is True
        for c in iter_containers(pod, (ContainerKind.INIT, ContainerKind.CONTAINER)):
            for i, port in container_ports(c):
                path = (*c.path, "ports", i)
                number = port.get("containerPort")
                if is_port_number(number):
                    problem = port_number_problem(number)
                    if problem:
                        yield Violation((*path, "containerPort"), f"{c.describe()} declares containerPort {problem}",
                                        at_value=True)
                host = port.get("hostPort")
                if is_port_number(host) and host != 0:
                    problem = port_number_problem(host)
                    if problem:
                        yield Violation((*path, "hostPort"), f"{c.describe()} declares hostPort {problem}",
                                        at_value=True)
                    elif host_network and is_port_number(number) and host != number:
                        yield Violation((*path, "hostPort"), f"{c.describe()} declares hostPort {host} for "
                                        f"containerPort {number} in a pod with hostNetwork: true, where the two must "
                                        "be equal", at_value=True)
                name = port.get("name")
                if isinstance(name, str) and not is_unrendered(name):
                    problem = port_name_problem(name)
                    if problem:
                        yield Violation((*path, "name"), f"{c.describe()} declares a port name that the API "
                                        f"rejects: {problem}", at_value=True)


RULE = invalid_container_port
