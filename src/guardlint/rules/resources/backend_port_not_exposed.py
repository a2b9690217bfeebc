"""backend-port-not-exposed: an Ingress or Gateway API route sends traffic to a port the Service does not expose."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from guardlint.findings import Severity
from guardlint.model.access import get, iter_maps
from guardlint.model.missing import visible_objects
from guardlint.model.paths import FieldPath
from guardlint.model.resource import Resource
from guardlint.rules.api import Reference, RuleContext, Violation, rule
from guardlint.rules.resources.backend_service_missing import ROUTE_KINDS

PortRef = tuple[FieldPath, str, "str | None", "int | str"]
"""(path of the port field, Service name, namespace, port number or name)."""


def _port(value: Any) -> int | str | None:
    """An IntOrString port: a number, or a name. A string of digits can only be a number (a port name has a
    letter)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    if isinstance(value, int) or (isinstance(value, str) and value):
        return value
    return None


def _ingress_ports(resource: Resource) -> Iterator[PortRef]:
    def one(path: FieldPath) -> Iterator[PortRef]:
        backend = get(resource.data, path)
        if not isinstance(backend, dict):
            return
        service = backend.get("service")
        if isinstance(service, dict) and isinstance(service.get("name"), str) and service["name"]:
            port = service.get("port")
            if isinstance(port, dict):
                number, name = port.get("number"), port.get("name")
                if isinstance(number, int) and not isinstance(number, bool):
                    yield (*path, "service", "port", "number"), service["name"], resource.namespace, number
                elif isinstance(name, str) and name:
                    yield (*path, "service", "port", "name"), service["name"], resource.namespace, name
        legacy, legacy_port = backend.get("serviceName"), _port(backend.get("servicePort"))
        if isinstance(legacy, str) and legacy and legacy_port is not None:
            yield (*path, "servicePort"), legacy, resource.namespace, legacy_port

    yield from one(("spec", "defaultBackend"))
    yield from one(("spec", "backend"))
    for i, r in iter_maps(resource.data, ("spec", "rules")):
        for j, _ in iter_maps(r, ("http", "paths")):
            yield from one(("spec", "rules", i, "http", "paths", j, "backend"))


def _route_ports(resource: Resource) -> Iterator[PortRef]:
    for i, r in iter_maps(resource.data, ("spec", "rules")):
        for j, ref in iter_maps(r, ("backendRefs",)):
            if ref.get("group", "") not in ("", None) or ref.get("kind", "Service") != "Service":
                continue
            name, port = ref.get("name"), ref.get("port")
            if not isinstance(name, str) or not name or not isinstance(port, int) or isinstance(port, bool):
                continue
            namespace = ref.get("namespace")
            ns = namespace if isinstance(namespace, str) and namespace else resource.namespace
            yield ("spec", "rules", i, "backendRefs", j, "port"), name, ns, port


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
    if resource.kind == "Ingress":
        if resource.group not in ("networking.k8s.io", "extensions"):
            return
        refs = _ingress_ports(resource)
    else:
        if resource.group != "gateway.networking.k8s.io":
            return
        refs = _route_ports(resource)
    judged: dict[tuple[str, str | None], Exposed | None] = {}
    for path, name, namespace, port in refs:
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
