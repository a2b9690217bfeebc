"""invalid-ingress-host: an Ingress host the API server rejects (a bare '*', an IP address, capitals, a port)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get_list, iter_maps
from guardlint.model.addresses import is_ipv4
from guardlint.model.resourcenames import is_dns_subdomain
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# k8s.io/apimachinery/pkg/util/validation: IsDNS1123Subdomain (``is_dns_subdomain``) and IsWildcardDNS1123Subdomain
# (``*.`` before a DNS subdomain).
HOST_MAX = 253
INGRESS_GROUPS = ("networking.k8s.io", "extensions")


def host_problem(host: str, *, rule_host: bool) -> str | None:
    """Why the API rejects ``host`` in an Ingress rule (``rule_host``) or in its TLS hosts, or None."""
    if rule_host and is_ipv4(host):  # an IPv6 address holds ':' and fails the DNS check below
        return "it is an IP address, and a rule's host must be a DNS name"
    if len(host) > HOST_MAX:
        return f"it has {len(host)} characters, more than {HOST_MAX}"
    if "*" in host:
        if not (host.startswith("*.") and is_dns_subdomain(host[2:])):
            return "a wildcard is accepted only as the whole first label ('*.example.com'), never as a bare '*'"
        return None
    if not is_dns_subdomain(host):
        return "it is not a DNS name of lowercase letters, digits, '-' and '.' (no port, no trailing dot, no capitals)"
    return None


def _unrendered(text: str) -> bool:
    """A placeholder to fill in: a template reference, or text in angle brackets (``<your-domain>``)."""
    return "{{" in text or "${" in text or "$(" in text or (text.startswith("<") and text.endswith(">"))


@rule(
    code="SCH009",
    name="invalid-ingress-host",
    title="Ingress host the API rejects",
    severity=Severity.ERROR,
    pack="schema",
    since="0.3.0",
    status="preview",
    tags=("schema", "network"),
    remediation="Write the host as a lowercase DNS name without port or trailing dot ('shop.example.com'), a "
    "wildcard as '*.example.com'; leave host out to match every host.",
    kinds=("Ingress",),
    references=(
        Reference("Kubernetes: Ingress, hostname wildcards",
                  "https://kubernetes.io/docs/concepts/services-networking/ingress/#hostname-wildcards"),
    ),
)
def invalid_ingress_host(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports `spec.rules[].host` and `spec.tls[].hosts[]` of an Ingress (`networking.k8s.io` or the old
    `extensions` group) that the API server's validation rejects: a host that is not a DNS subdomain
    (lowercase letters, digits, `-` and `.`, at most 253 characters: no port, no trailing dot, no capitals),
    a wildcard anywhere but as the whole first label (`*.example.com`; a bare `*` is rejected), and, in a
    rule, an IPv4 address. Hosts with an unrendered placeholder (`{{ }}`, `${...}`, `$(...)`) or written as
    a placeholder in angle brackets (`<your-domain>`) are not judged; values that are not strings are
    `wrong-field-type`'s.

    ## Why is this bad?
    The API server refuses the whole Ingress, so the apply or the Helm release fails. A rule that should
    match every host leaves `host` out; `*` is not a wildcard for all hosts.

    ## Example
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: web
    spec:
      rules:
        - host: "*"
          http:
            paths:
              - path: /
                pathType: Prefix
                backend:
                  service: {name: web, port: {number: 80}}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: web
    spec:
      rules:
        - http:
            paths:
              - path: /
                pathType: Prefix
                backend:
                  service: {name: web, port: {number: 80}}
    ```
    """
    if resource.group not in INGRESS_GROUPS:
        return
    for i, item in iter_maps(resource.data, ("spec", "rules")):
        host = item.get("host")
        if isinstance(host, str) and host and not _unrendered(host):
            problem = host_problem(host, rule_host=True)
            if problem is not None:
                yield Violation(("spec", "rules", i, "host"), f"the API rejects host {host!r}: {problem}",
                                at_value=True)
    for i, tls in iter_maps(resource.data, ("spec", "tls")):
        for j, host in enumerate(get_list(tls, ("hosts",)) or ()):
            if isinstance(host, str) and host and not _unrendered(host):
                problem = host_problem(host, rule_host=False)
                if problem is not None:
                    yield Violation(("spec", "tls", i, "hosts", j), f"the API rejects TLS host {host!r}: {problem}",
                                    at_value=True)


RULE = invalid_ingress_host
