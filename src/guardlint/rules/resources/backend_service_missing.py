"""backend-service-missing: an Ingress or Gateway API route sends traffic to a Service that does not exist."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.backends import ROUTE_KINDS, service_backends
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.resources._common import is_missing

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="RES063",
    name="backend-service-missing",
    title="Ingress or route backend Service does not exist",
    severity=Severity.WARNING,
    pack="resources",
    since="0.1.0",
    tags=("consistency", "networking"),
    remediation="Point the backend at an existing Service, or add the Service (or list it under known-objects "
    "if it is managed outside this repository).",
    references=(
        Reference("Kubernetes: Ingress", "https://kubernetes.io/docs/concepts/services-networking/ingress/"),
        Reference("Gateway API: HTTPRoute", "https://gateway-api.sigs.k8s.io/api-types/httproute/"),
    ),
    kinds=("Ingress", *ROUTE_KINDS),
)
def backend_service_missing(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports Ingress backends (`networking.k8s.io` and `extensions`: `service.name`, the older
    `serviceName`, `defaultBackend`, `backend`) and Gateway API route `backendRefs` (HTTPRoute, GRPCRoute,
    TLSRoute, TCPRoute, UDPRoute; kind `Service`, core group, optional `namespace`) that name a Service which
    is not among the linted objects nor in `known-objects`.

    Missing-object policy: the rule judges a namespace only when the run is not partial (or `--context` covers the
    namespace) (pre-commit passes only changed files) and the linted set holds at least one Service in that
    namespace (or config declares the namespace complete), and no custom resource in scope may make an operator
    create the Service (the KubeRay operator, for example, creates `<cluster>-head-svc`); Services managed elsewhere
    are declared in `known-objects`. Objects without a namespace are judged within their own directory tree.

    ## Why is this bad?
    Traffic for that path has nowhere to go: ingress controllers answer 503 (or fall back to the default
    backend) and Gateway implementations answer 500, usually after a Service was renamed (Kubernetes
    documentation, "Ingress"; Gateway API, "HTTPRoute").

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
                  service: {name: storefront, port: {number: 80}}
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: frontend
    spec:
      selector: {app: frontend}
      ports:
        - port: 80
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
                  service: {name: frontend, port: {number: 80}}
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: frontend
    spec:
      selector: {app: frontend}
      ports:
        - port: 80
    ```
    """
    for backend in service_backends(resource):
        path, name, namespace = backend.name_path, backend.name, backend.namespace
        if is_missing(ctx, "Service", name, resource, namespace):
            where = f" in namespace {namespace!r}" if namespace else ""
            yield Violation(path, f"{resource.describe()} sends traffic to Service {name!r}, which is not among the "
                            f"linted objects{where}", at_value=True)


RULE = backend_service_missing
