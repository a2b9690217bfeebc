"""service-target-port-not-exposed: a Service targets a named port that no selected container defines."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint.model.access import iter_maps
from guardlint.model.ports import container_ports, is_port_name, serving_containers
from guardlint.model.selection import pods_selected_by_service, service_selector
from guardlint.model.workloads import PodSpecRef
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import SERVICES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="RES062",
    name="service-target-port-not-exposed",
    title="Service targets a named port that no selected container defines",
    severity=Severity.WARNING,
    pack="resources",
    since="0.1.0",
    tags=("consistency", "networking"),
    remediation="Use a targetPort name that the selected containers define in their ports list with the "
    "Service port's protocol, or the port number.",
    references=(
        Reference("Kubernetes: Service port definitions",
                  "https://kubernetes.io/docs/concepts/services-networking/service/#field-spec-ports"),
        SERVICES,
    ),
    kinds=("Service",),
)
def service_target_port_not_exposed(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports Service ports whose `targetPort` is a name that no container or sidecar of any pod template the
    Service selects (same namespace, among the linted objects; for objects without a namespace, the same
    directory tree) defines in its `ports`. Only Services that select at least one linted pod template are
    judged; numeric target ports are not checked (a container need not declare the ports it listens on), nor
    are strings that are not valid port names (unrendered `${VAR}` placeholders).

    The name must also be declared for the Service port's protocol (both default to TCP): a Service port
    `dns` over TCP does not resolve to a container port `dns` declared for UDP only. A protocol that is not
    one of the API's values (`TCP`, `UDP`, `SCTP`, say an unrendered template) matches any.

    ## Why is this bad?
    A named target port is resolved in each selected pod, to a container port with that name and the
    Service port's protocol; a pod that has no such port is left out of the Service's endpoints, so the
    Service has no endpoints for that port and traffic fails while the pods look healthy (Kubernetes
    documentation, "Service", "Port definitions").

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: api
    spec:
      selector: {app: api}
      ports:
        - port: 80
          targetPort: http
    ---
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
              image: example.com/api:3.2.0
              ports:
                - {name: web, containerPort: 8080}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: api
    spec:
      selector: {app: api}
      ports:
        - port: 80
          targetPort: web
    ---
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
              image: example.com/api:3.2.0
              ports:
                - {name: web, containerPort: 8080}
    ```
    """
    if resource.group != "":
        return
    selector = service_selector(resource)
    if selector is None:
        return
    ports = dict(iter_maps(resource.data, ("spec", "ports")))
    named = [(i, p["targetPort"]) for i, p in ports.items() if isinstance(p.get("targetPort"), str)
             and is_port_name(p["targetPort"])]
    if not named:
        return
    pods = pods_selected_by_service(ctx, resource, selector)
    if not pods:
        return
    # name -> the protocols it is declared for; None stands for a protocol that is not a plain API value.
    defined: dict[str, set[str | None]] = {}
    for pod in pods:
        for c in serving_containers(pod):
            for _, port in container_ports(c):
                if isinstance(port.get("name"), str):
                    defined.setdefault(port["name"], set()).add(_protocol(port))
    for i, name in named:
        protocols = defined.get(name)
        if protocols is None:
            yield Violation(
                ("spec", "ports", i, "targetPort"),
                f"{resource.describe()} targets port {name!r}, which no container of the pods it selects defines "
                f"({_describe(pods)})",
                at_value=True,
            )
            continue
        # Kubernetes resolves a named targetPort to a container port with the same name AND the same protocol
        # (FindPort in pkg/api/v1/pod); a protocol that is not a plain API value matches either way.
        wanted = _protocol(ports[i])
        if wanted is None or None in protocols or wanted in protocols:
            continue
        declared = ", ".join(sorted(p for p in protocols if p is not None))
        yield Violation(
            ("spec", "ports", i, "targetPort"),
            f"{resource.describe()} targets port {name!r} over {wanted}, but the pods it selects declare "
            f"{name!r} only for {declared} ({_describe(pods)}): a named port resolves only to a port of the same "
            "protocol",
            at_value=True,
        )


def _describe(pods: list[PodSpecRef]) -> str:
    return ", ".join(sorted({p.resource.describe() for p in pods}))


_PROTOCOLS = frozenset({"TCP", "UDP", "SCTP"})


def _protocol(port: Mapping[str, Any]) -> str | None:
    """The protocol of a Service or container port: TCP when unset (the API default), None when the value is
    not one the API accepts (an unrendered template; the schema pack reports wrong values)."""
    value = port.get("protocol")
    if value is None:
        return "TCP"
    return value if isinstance(value, str) and value in _PROTOCOLS else None


RULE = service_target_port_not_exposed
