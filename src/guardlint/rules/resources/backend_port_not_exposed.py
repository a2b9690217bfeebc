"""backend-port-not-exposed: an Ingress or Gateway API route sends traffic to a port the Service does not expose."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.backends import ROUTE_KINDS, service_backends
from guardlint.model.missing import visible_objects
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Exposed(NamedTuple):
    numbers: frozenset[int]
    names: frozenset[str]
    text: str
    """The ports for messages: ``80 ('http'), 9000``."""


def _exposed(services: tuple[Resource, ...]) -> Exposed | None:
    """The port numbers and names the Service's manifests expose; None when they cannot be judged (an
    ExternalName Service, no port list)."""
    numbers: set[int] = set()
    names: set[str] = set()
    shown: dict[str, None] = {}
    for service in services:
        spec = service.data.get("spec")
        if not isinstance(spec, dict) or spec.get("type") == "ExternalName":
            return None
        ports = spec.get("ports")
        if not isinstance(ports, list) or not ports:
            return None
        for p in ports:
            if not isinstance(p, dict):
                return None
            number, name = p.get("port"), p.get("name")
            if isinstance(number, int) and not isinstance(number, bool):
                numbers.add(number)
            if isinstance(name, str) and name:
                names.add(name)
            shown[f"{number} ({name!r})" if isinstance(name, str) and name else str(number)] = None
    return Exposed(frozenset(numbers), frozenset(names), ", ".join(shown))


@rule(
    code="RES091",
    name="backend-port-not-exposed",
    title="Ingress or route backend port is not a port of the Service",
    severity=Severity.WARNING,
    pack="resources",
    since="0.2.0",
    status="preview",
    tags=("consistency", "networking"),
    remediation="Use a port number from the Service's spec.ports[].port (not the container's targetPort) or one of "
    "its port names, or add the port to the Service.",
    references=(
        Reference("Kubernetes: Ingress", "https://kubernetes.io/docs/concepts/services-networking/ingress/"),
        Reference("Gateway API: HTTPRoute", "https://gateway-api.sigs.k8s.io/api-types/httproute/"),
    ),
    kinds=("Ingress", *ROUTE_KINDS),
)
def backend_port_not_exposed(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports Ingress backends (`networking.k8s.io` and `extensions`: `service.port.number`, `service.port.name`, the
    older `servicePort`; `defaultBackend`, `backend` and every path) and Gateway API route `backendRefs`
    (HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute; kind `Service` of the core group, `port`) whose port the
    linted Service does not expose: a number must be one of the Service's `spec.ports[].port`, a name one of its
    `spec.ports[].name`. The Service port is meant, not the container's `targetPort`.

    The Service must be among the linted objects of the backend's namespace and tree (in a folder of independent
    alternatives, where two files define the same object, in the referrer's own file; a missing Service is
    `backend-service-missing`'s business) and wholly visible there: the rule is quiet for `ExternalName` Services,
    Services without a port list, a Service manifest that is a patch or comes from another Helm release (another
    top-level chart; subcharts belong to their parent's render) than the Ingress or route, and where a linted role
    in the tree may create, update or patch Services at run time. When several manifests of the Service are in the
    tree (overlays), a port of any of them counts. A quoted number in the older `servicePort` is that number.

    ## Why is this bad?
    The ingress controller or Gateway finds no endpoints for a port the Service does not have: requests get 503 (or
    500 from a Gateway), usually after a port was renumbered or renamed on one side, or when the container port
    was written instead of the Service port (Kubernetes documentation, "Ingress"; Gateway API, "HTTPRoute").

    ## Example
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: shop
    spec:
      rules:
        - host: shop.example.com
          http:
            paths:
              - path: /
                pathType: Prefix
                backend:
                  service: {name: frontend, port: {number: 8080}}
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: frontend
    spec:
      selector: {app: frontend}
      ports:
        - {name: http, port: 80, targetPort: 8080}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: shop
    spec:
      rules:
        - host: shop.example.com
          http:
            paths:
              - path: /
                pathType: Prefix
                backend:
                  service: {name: frontend, port: {name: http}}
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: frontend
    spec:
      selector: {app: frontend}
      ports:
        - {name: http, port: 80, targetPort: 8080}
    ```
    """
    judged: dict[tuple[str, str | None], Exposed | None] = {}
    for backend in service_backends(resource):
        path, name, namespace, port = backend.port_path, backend.name, backend.namespace, backend.port
        if path is None or port is None:
            continue
        if (name, namespace) not in judged:
            services = visible_objects(ctx.index, "Service", name, resource, namespace)
            judged[(name, namespace)] = _exposed(services) if services else None
        exposed = judged[(name, namespace)]
        if exposed is None or port in (exposed.numbers if isinstance(port, int) else exposed.names):
            continue
        what = f"port {port}" if isinstance(port, int) else f"port name {port!r}"
        yield Violation(path, f"{resource.describe()} sends traffic to {what} of Service {name!r}, which the Service "
                        f"does not expose (its ports: {exposed.text})", at_value=True)


RULE = backend_port_not_exposed
