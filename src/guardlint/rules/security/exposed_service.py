"""exposed-service: a NodePort or public LoadBalancer Service is open to every source address."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.access import get_list, get_str
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated

DEFAULT_INTERNAL = (
    "service.beta.kubernetes.io/aws-load-balancer-internal",
    "service.beta.kubernetes.io/aws-load-balancer-scheme=internal",
    "networking.gke.io/load-balancer-type=Internal",
    "cloud.google.com/load-balancer-type=Internal",
    "service.beta.kubernetes.io/azure-load-balancer-internal=true",
    "service.beta.kubernetes.io/oci-load-balancer-internal=true",
    "oci-network-load-balancer.oraclecloud.com/internal=true",
    "service.beta.kubernetes.io/openstack-internal-load-balancer=true",
    "service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type=private",
    "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type=intranet",
    "load-balancer.hetzner.cloud/disable-public-network=true",
)
_OPEN = frozenset({"0.0.0.0/0", "::/0"})
SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges"


class Params(NamedTuple):
    allow_node_port: Annotated[bool, param(
        "Accept NodePort Services (for clusters whose nodes are not reachable from outside).",
    )] = False
    internal_annotations: Annotated[tuple[str, ...], param(
        "Annotations that make a LoadBalancer internal: 'key' (any value but 'false') or 'key=value' (value "
        "compared case-insensitively).",
        unique_items=True,
        items={"minLength": 1},
    )] = DEFAULT_INTERNAL


def _internal(annotations: dict[str, object] | object, specs: tuple[str, ...]) -> bool:
    if not isinstance(annotations, dict):
        return False
    for spec in specs:
        key, sep, expected = spec.partition("=")
        value = annotations.get(key)
        if value is None:
            continue
        text = str(value).strip().lower()
        if (sep and text == expected.strip().lower()) or (not sep and text != "false"):
            return True
    return False


@rule(
    code="SEC070",
    name="exposed-service",
    title="Service is exposed on every node or to every source address",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=("networking",),
    remediation=(
        "Use a ClusterIP Service behind an Ingress or Gateway, or restrict the LoadBalancer with "
        "spec.loadBalancerSourceRanges (or make it internal)."
    ),
    params=Params,
    kinds=("Service",),
    enabled_by_default=False,
    references=(
        Reference("Kubernetes: Service type LoadBalancer",
                  "https://kubernetes.io/docs/concepts/services-networking/service/#loadbalancer"),
        Reference("Kubernetes: Restrict access for LoadBalancer Service",
                  "https://kubernetes.io/docs/tasks/access-application-cluster/create-external-load-balancer/"
                  "#restrict-access-for-loadbalancer-service"),
    ),
)
def exposed_service(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports Services of type `NodePort` (unless `allow-node-port`) and of type `LoadBalancer` that are
    reachable from any address: no `spec.loadBalancerSourceRanges` (nor the
    `service.beta.kubernetes.io/load-balancer-source-ranges` annotation), or a range of `0.0.0.0/0` or
    `::/0`. Load balancers made internal by a cloud provider annotation (`internal-annotations`, for AWS,
    GKE, Azure, OCI load balancers and network load balancers, OpenStack, IBM, Alibaba and Hetzner) are
    accepted. Off by default: public web front ends are meant to be open.

    ## Why is this bad?
    A NodePort opens the port on every node's address, and a public load balancer opens the Service to the
    whole internet, outside of Ingress-level authentication, TLS and rate limits; internal tools exposed
    this way are a common cause of breaches
    (https://kubernetes.io/docs/concepts/services-networking/service/#loadbalancer).

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: admin
    spec:
      type: LoadBalancer
      selector: {app: admin}
      ports:
        - port: 443
          targetPort: 8443
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: admin
    spec:
      type: LoadBalancer
      loadBalancerSourceRanges: [203.0.113.0/24]
      selector: {app: admin}
      ports:
        - port: 443
          targetPort: 8443
    ```
    """
    kind = get_str(resource.data, ("spec", "type"))
    if kind == "NodePort" and not params.allow_node_port:
        yield Violation(
            ("spec", "type"), "the Service opens a NodePort on every node's address", at_value=True
        )
        return
    if kind != "LoadBalancer":
        return
    meta = resource.data.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    if _internal(annotations, params.internal_annotations):
        return
    ranges = [str(r).strip() for r in get_list(resource.data, ("spec", "loadBalancerSourceRanges")) or ()]
    if not ranges and isinstance(annotations, dict):
        text = annotations.get(SOURCE_RANGES_ANNOTATION)
        ranges = [r.strip() for r in str(text).split(",") if r.strip()] if text else []
    open_ranges = [r for r in ranges if r in _OPEN]
    if open_ranges:
        ranges_list = get_list(resource.data, ("spec", "loadBalancerSourceRanges")) or []
        index = next((i for i, r in enumerate(ranges_list) if str(r).strip() in _OPEN), None)
        path = ("spec", "loadBalancerSourceRanges", index) if index is not None else ("spec", "type")
        yield Violation(path, f"the LoadBalancer Service allows {open_ranges[0]}, every source address", at_value=True)
    elif not ranges:
        yield Violation(
            ("spec", "type"),
            "the LoadBalancer Service is public and sets no loadBalancerSourceRanges",
            at_value=True,
        )


RULE = exposed_service
