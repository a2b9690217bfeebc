"""probe-port-invalid: a probe or lifecycle handler port that the API rejects, or a named UDP port."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from guardlint.findings import Severity
from guardlint.model.paths import FieldPath
from guardlint.model.ports import container_ports, is_port_number, is_unrendered, port_name_problem, port_number_problem
from guardlint.model.resource import Resource
from guardlint.model.workloads import ContainerKind, ContainerRef, iter_containers, iter_pod_specs
from guardlint.rules.api import Reference, RuleContext, Violation, rule
from guardlint.rules.references import PROBES

HANDLERS: tuple[tuple[FieldPath, str], ...] = (
    (("livenessProbe",), "liveness probe"),
    (("readinessProbe",), "readiness probe"),
    (("startupProbe",), "startup probe"),
    (("lifecycle", "postStart"), "postStart hook"),
    (("lifecycle", "preStop"), "preStop hook"),
)
ACTIONS = (("httpGet", "HTTP"), ("tcpSocket", "TCP"), ("grpc", "gRPC"))


def _handler(data: Mapping[str, Any], path: FieldPath) -> Mapping[str, Any] | None:
    node: Any = data
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


def _protocols(c: ContainerRef) -> dict[str, str]:
    """Port name -> protocol (``TCP`` when unset, as the API defaults it)."""
    out: dict[str, str] = {}
    for _, port in container_ports(c):
        name, protocol = port.get("name"), port.get("protocol")
        if isinstance(name, str) and name:
            out.setdefault(name, protocol if isinstance(protocol, str) and protocol else "TCP")
    return out


@rule(
    code="RES104",
    name="probe-port-invalid",
    title="Probe port that the API rejects or that is a UDP port",
    severity=Severity.ERROR,
    pack="resources",
    since="0.2.0",
    status="preview",
    tags=("consistency", "probes"),
    remediation="Point the probe at a TCP container port: a number between 1 and 65535 or the name of a port "
    "declared with protocol TCP (the default).",
    references=(
        PROBES,
        Reference("Kubernetes API: Probe", "https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/"
                  "pod-v1/#Probe"),
    ),
)
def probe_port_invalid(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports the `port` of a probe's or lifecycle hook's `httpGet`, `tcpSocket` or `grpc` action when it is a
    number outside 1-65535, a string that is not a valid port name (an IANA service name: at most 15
    lowercase letters, digits and single `-`, with a letter; a quoted number such as `"8080"` is a string and
    has no letter), or the name of a container port declared with protocol `UDP` or `SCTP`. Unrendered
    values (`${PORT}`) are not judged; a name no container port has is `probe-port-not-exposed`'s finding.

    ## Why is this bad?
    The API server rejects the first two (`ValidatePortNumOrName`), so the object is never applied. HTTP,
    TCP and gRPC probes connect over TCP, so a probe that names a UDP port (a DNS or syslog server's `dns`
    or `syslog` port) connects to a TCP port nobody listens on, the probe always fails, and the kubelet
    restarts the container (liveness) or keeps it out of its Service (readiness) forever.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: dns
    spec:
      selector:
        matchLabels: {app: dns}
      template:
        metadata:
          labels: {app: dns}
        spec:
          containers:
            - name: dns
              image: coredns/coredns:1.11.1
              ports:
                - {name: dns, containerPort: 53, protocol: UDP}
              livenessProbe:
                tcpSocket: {port: dns}
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: dns
    spec:
      selector:
        matchLabels: {app: dns}
      template:
        metadata:
          labels: {app: dns}
        spec:
          containers:
            - name: dns
              image: coredns/coredns:1.11.1
              ports:
                - {name: dns, containerPort: 53, protocol: UDP}
                - {name: dns-tcp, containerPort: 53, protocol: TCP}
              livenessProbe:
                tcpSocket: {port: dns-tcp}
    ```
    """
    for pod in iter_pod_specs(resource, ctx.workloads):
        for c in iter_containers(pod, (ContainerKind.INIT, ContainerKind.CONTAINER)):
            protocols: dict[str, str] | None = None
            for field, what in HANDLERS:
                handler = _handler(c.data, field)
                if handler is None:
                    continue
                for action_name, carried in ACTIONS:
                    action = handler.get(action_name)
                    if not isinstance(action, dict) or "port" not in action:
                        continue
                    port = action["port"]
                    path = (*c.path, *field, action_name, "port")
                    if is_port_number(port):
                        problem = port_number_problem(port)
                        if problem:
                            yield Violation(path, f"{c.describe()} {what} targets port {problem}", at_value=True)
                        continue
                    if not isinstance(port, str) or is_unrendered(port) or action_name == "grpc":
                        continue  # a grpc port is a number only: a string is wrong-field-type's finding
                    problem = port_name_problem(port) if port else "an empty port"
                    if problem:
                        yield Violation(path, f"{c.describe()} {what} targets a port the API rejects: {problem}",
                                        at_value=True)
                        continue
                    if protocols is None:
                        protocols = _protocols(c)
                    protocol = protocols.get(port)
                    if protocol is not None and protocol != "TCP" and not action.get("host"):
                        yield Violation(
                            path,
                            f"{c.describe()} {what} ({carried}) connects over TCP to port {port!r}, which the "
                            f"container declares as {protocol}: nothing answers there and the check always fails",
                            at_value=True,
                        )


RULE = probe_port_invalid
