"""service-external-ips: a Service claims external addresses with spec.externalIPs (CVE-2020-8554)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get_list
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import SERVICES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="SEC112",
    name="service-external-ips",
    title="Service claims external addresses with externalIPs",
    severity=Severity.WARNING,
    pack="security",
    since="0.3.0",
    status="preview",
    tags=("network",),
    remediation="Expose the Service through a LoadBalancer Service or an Ingress; where externalIPs are needed, "
    "enable the DenyServiceExternalIPs admission plugin or a policy that allows only your own addresses.",
    kinds=("Service",),
    references=(
        Reference("Kubernetes: Service external IPs",
                  "https://kubernetes.io/docs/concepts/services-networking/service/#external-ips"),
        Reference("Kubernetes issue 97076: CVE-2020-8554, man in the middle using LoadBalancer or ExternalIPs",
                  "https://github.com/kubernetes/kubernetes/issues/97076"),
        SERVICES,
    ),
)
def service_external_ips(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports every address in `spec.externalIPs` of a core `v1` Service, whatever the Service's type.

    ## Why is this bad?
    kube-proxy sends the traffic for each address in `externalIPs` on the Service's ports to the Service's
    pods, on every node, and the API server does not check that the address belongs to the cluster. So
    whoever may create a Service can name another tenant's service or an external API and receive the
    traffic that pods and nodes of the cluster send there (CVE-2020-8554, unpatched by design: the fix is to
    forbid or restrict the field, for example with the `DenyServiceExternalIPs` admission plugin). Few
    clusters need the field; a LoadBalancer Service or an Ingress exposes a Service without it.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: web
      namespace: shop
    spec:
      selector: {app: web}
      ports:
        - port: 80
          targetPort: 8080
      externalIPs: [203.0.113.10]
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: web
      namespace: shop
    spec:
      type: LoadBalancer
      selector: {app: web}
      ports:
        - port: 80
          targetPort: 8080
    ```
    """
    if resource.api_version != "v1":
        return
    for i, address in enumerate(get_list(resource.data, ("spec", "externalIPs")) or ()):
        if not isinstance(address, str) or not address.strip():
            continue  # not an address: the schema rules report the value
        yield Violation(
            ("spec", "externalIPs", i),
            f"{resource.describe()} claims external address {address}: kube-proxy on every node sends the "
            "cluster's traffic for that address to this Service's pods, whoever owns the address (CVE-2020-8554)",
            at_value=True,
        )


RULE = service_external_ips
