"""host-aliases: a pod rewrites its /etc/hosts with hostAliases."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get_list, iter_maps
from guardlint.model.workloads import iter_pod_specs
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="SEC038",
    name="host-aliases",
    pods_only=True,
    title="Pod overrides name resolution with hostAliases",
    severity=Severity.INFO,
    pack="security",
    since="0.1.0",
    tags=("hardening", "networking"),
    remediation=(
        "Remove spec.hostAliases and publish the names through DNS (a Service, an ExternalName Service or CoreDNS)."
    ),
    enabled_by_default=False,
    references=(
        Reference(
            "Kubernetes: Adding entries to Pod /etc/hosts with HostAliases",
            "https://kubernetes.io/docs/tasks/network/customize-hosts-file-for-pods/",
        ),
    ),
)
def host_aliases(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports pod specs with a non-empty `hostAliases` list (entries the kubelet writes into every
    container's `/etc/hosts`). Off by default.

    ## Why is this bad?
    Static host entries silently override DNS: traffic keeps going to a hard-coded address after the
    service moved, and an entry can redirect a trusted name (a registry, an identity provider) to another
    address without anyone seeing it in DNS
    (https://kubernetes.io/docs/tasks/network/customize-hosts-file-for-pods/).

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: client
    spec:
      hostAliases:
        - ip: 10.1.2.3
          hostnames: [api.example.com]
      containers:
        - name: client
          image: example.com/client:1.0.0
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: client
    spec:
      containers:
        - name: client
          image: example.com/client:1.0.0
    ```
    """
    for pod in iter_pod_specs(resource, ctx.workloads):
        if not get_list(pod.spec, ("hostAliases",)):
            continue
        names = [
            str(h) for _, alias in iter_maps(pod.spec, ("hostAliases",)) for h in get_list(alias, ("hostnames",)) or ()
        ]
        shown = ", ".join(repr(n) for n in names) or "no host names"
        yield Violation((*pod.path, "hostAliases"), f"the pod adds /etc/hosts entries for {shown}")


RULE = host_aliases
