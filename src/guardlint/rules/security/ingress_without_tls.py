"""ingress-without-tls: an Ingress serves plain HTTP only."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.access import get_list, get_map
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated

DEFAULT_TLS_ANNOTATIONS = (
    "alb.ingress.kubernetes.io/certificate-arn",
    "ingress.gcp.kubernetes.io/pre-shared-cert",
    "networking.gke.io/managed-certificates",
    "kubernetes.io/ingress.allow-http=false",
    "nginx.ingress.kubernetes.io/ssl-passthrough=true",
)


class Params(NamedTuple):
    tls_annotations: Annotated[tuple[str, ...], param(
        "Annotations that show TLS is configured outside spec.tls (a cloud load balancer certificate, TLS "
        "passthrough): 'key' (any value) or 'key=value'.",
        unique_items=True,
        items={"minLength": 1},
    )] = DEFAULT_TLS_ANNOTATIONS


@rule(
    code="SEC071",
    name="ingress-without-tls",
    title="Ingress has no TLS configuration",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=("networking",),
    remediation="Add spec.tls with the Ingress hosts and a certificate Secret (for example issued by cert-manager).",
    params=Params,
    kinds=("Ingress",),
    enabled_by_default=False,
    references=(
        Reference("Kubernetes: Ingress TLS", "https://kubernetes.io/docs/concepts/services-networking/ingress/#tls"),
    ),
)
def ingress_without_tls(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports Ingresses with rules or a default backend but no `spec.tls` entry, unless an annotation from
    `tls-annotations` shows that the load balancer terminates TLS with its own certificate (AWS ALB, GKE
    pre-shared or managed certificates, `kubernetes.io/ingress.allow-http: "false"`) or that the backend
    terminates it (`nginx.ingress.kubernetes.io/ssl-passthrough: "true"`). Off by default.

    ## Why is this bad?
    Without TLS, credentials, session cookies and data cross the network in clear text and can be read or
    changed by anyone on the path (https://kubernetes.io/docs/concepts/services-networking/ingress/#tls).

    ## Example
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: shop
    spec:
      ingressClassName: nginx
      rules:
        - host: shop.example.com
          http:
            paths:
              - path: /
                pathType: Prefix
                backend:
                  service: {name: shop, port: {number: 80}}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: shop
    spec:
      ingressClassName: nginx
      tls:
        - hosts: [shop.example.com]
          secretName: shop-tls
      rules:
        - host: shop.example.com
          http:
            paths:
              - path: /
                pathType: Prefix
                backend:
                  service: {name: shop, port: {number: 80}}
    ```
    """
    spec = get_map(resource.data, ("spec",))
    if spec is None or get_list(spec, ("tls",)):
        return
    if not get_list(spec, ("rules",)) and not spec.get("defaultBackend") and not spec.get("backend"):
        return
    annotations = resource.annotations
    for entry in params.tls_annotations:
        key, sep, expected = entry.partition("=")
        value = annotations.get(key)
        if value is not None and (not sep or str(value).strip().lower() == expected.strip().lower()):
            return
    yield Violation(("spec", "tls"), "the Ingress sets no spec.tls, so it serves plain HTTP")


RULE = ingress_without_tls
