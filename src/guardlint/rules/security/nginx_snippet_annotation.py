"""nginx-snippet-annotation: an Ingress injects raw NGINX configuration through a snippet annotation."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated


class Params(NamedTuple):
    annotation_prefixes: Annotated[tuple[str, ...], param(
        "Annotation prefixes of the ingress-nginx controllers (see its --annotations-prefix flag).",
        min_items=1,
        unique_items=True,
        items={"minLength": 1},
    )] = ("nginx.ingress.kubernetes.io/",)
    allowed_annotations: Annotated[tuple[str, ...], param(
        "Snippet annotation names (without prefix) that are accepted, for example 'modsecurity-snippet'.",
        unique_items=True,
        items={"minLength": 1},
    )] = ()


@rule(
    code="SEC072",
    name="nginx-snippet-annotation",
    title="Ingress uses an ingress-nginx snippet annotation",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=("networking", "cve"),
    remediation=(
        "Replace the snippet with the dedicated ingress-nginx annotation or a controller-wide setting, and keep "
        "allow-snippet-annotations off in the controller."
    ),
    params=Params,
    kinds=("Ingress",),
    references=(
        Reference("CVE-2021-25742: ingress-nginx custom snippets allow retrieval of service account tokens",
                  "https://github.com/kubernetes/ingress-nginx/issues/7837"),
        Reference("ingress-nginx: annotations (configuration snippet)",
                  "https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/"),
    ),
)
def nginx_snippet_annotation(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports Ingress annotations of the ingress-nginx controller whose name ends in `-snippet`:
    `configuration-snippet`, `server-snippet`, `auth-snippet`, `stream-snippet`, `modsecurity-snippet` and
    any future one, under each prefix of `annotation-prefixes`, except those in `allowed-annotations`.

    ## Why is this bad?
    A snippet is pasted verbatim into the controller's NGINX configuration. Anyone who can create an
    Ingress can then read files of the controller, including its service account token, which can read
    every Secret of the cluster (CVE-2021-25742, https://github.com/kubernetes/ingress-nginx/issues/7837).
    The controller disables snippets by default since v1.9.

    ## Example
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: shop
      annotations:
        nginx.ingress.kubernetes.io/configuration-snippet: |
          more_set_headers "X-Frame-Options: DENY";
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
      annotations:
        nginx.ingress.kubernetes.io/x-forwarded-prefix: /shop
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
    """
    allowed = set(params.allowed_annotations)
    for key in resource.annotations:
        for prefix in params.annotation_prefixes:
            if not key.startswith(prefix):
                continue
            name = key[len(prefix):]
            if name.endswith("-snippet") and name not in allowed:
                yield Violation(
                    ("metadata", "annotations", key),
                    f"annotation {key!r} injects raw NGINX configuration (CVE-2021-25742)",
                )
            break


RULE = nginx_snippet_annotation
