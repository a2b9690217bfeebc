"""probe-port-invalid: a probe or lifecycle handler port that the API rejects, or a named UDP port."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint.model.paths import FieldPath
from guardlint.model.ports import container_ports, is_port_number, is_unrendered, port_name_problem, port_number_problem
from guardlint.model.workloads import ContainerKind, ContainerRef, PodSpecRef, iter_containers, iter_pod_specs
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import PROBES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

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


def _protocol(port: Mapping[str, Any]) -> str:
    protocol = port.get("protocol")
    return protocol if isinstance(protocol, str) and protocol else "TCP"  # the API's default


def _named(c: ContainerRef) -> dict[str, tuple[str, Any]]:
    """Port name -> (protocol, containerPort) of the container's first port of that name: the kubelet resolves
    a probe's named port to that port's number, whatever its protocol."""
    out: dict[str, tuple[str, Any]] = {}
    for _, port in container_ports(c):
        name = port.get("name")
        if isinstance(name, str) and name:
            out.setdefault(name, (_protocol(port), port.get("containerPort")))
    return out


def _tcp_numbers(pod: PodSpecRef) -> set[int]:
    """The container port numbers that some container of the pod declares with protocol TCP."""
    return {p["containerPort"] for c in iter_containers(pod) for _, p in container_ports(c)
            if _protocol(p) == "TCP" and is_port_number(p.get("containerPort"))}


@rule(
    code="RES104",
    name="probe-port-invalid",
    # Gate: the rule yields nothing when this does not hold: a finding is the port of a container's probe or
    # `lifecycle` handler, which must then be set.
    gates=("probes",),
    pods_only=True,
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
    has no letter), or the name of a container port declared with protocol `UDP` or `SCTP` whose number no
    container of the pod also declares over TCP (the kubelet turns the name into the port's number and
    connects over TCP, so `dns` on 53/UDP works when 53/TCP is declared too). Unrendered
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
        tcp: set[int] | None = None
        for c in iter_containers(pod, (ContainerKind.INIT, ContainerKind.CONTAINER)):
            named: dict[str, tuple[str, Any]] | None = None
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
                    if named is None:
                        named = _named(c)
                    protocol, number = named.get(port, ("TCP", None))
                    if protocol == "TCP" or action.get("host"):
                        continue
                    if tcp is None:
                        tcp = _tcp_numbers(pod)
                    if number not in tcp:  # the same number declared over TCP too: the check reaches it
                        yield Violation(
                            path,
                            f"{c.describe()} {what} ({carried}) connects over TCP to port {port!r}, which the "
                            f"container declares as {protocol}: nothing answers there and the check always fails",
                            at_value=True,
                        )


RULE = probe_port_invalid
