"""invalid-service: a Service the API server rejects for its type, cluster IP, port list or port names."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.names import LABEL_REASON, dns_label_reasons, dns_subdomain_reasons
from guardlint.model.ports import is_port_number, is_unrendered
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

IP_REASON = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"


def _is_ip(text: str) -> bool:
    """``model.addresses.is_ip``, imported only for a Service that sets a cluster IP (most leave it to the API)."""
    from guardlint.model.addresses import is_ip

    return is_ip(text)


def _label_text(reasons: tuple[str, ...]) -> str:
    return "; ".join("not a DNS label: " + r if r == LABEL_REASON else r for r in reasons)


def _port_problems(ports: list[Any], service_type: str) -> Iterator[Violation]:
    """``validateServicePort`` (names) and ``ValidateService``'s checks across ports: duplicate (protocol, port)
    and (protocol, nodePort) pairs, and a node port on a ClusterIP Service. The protocol defaults to TCP."""
    require_name = len(ports) > 1
    names: set[str] = set()
    numbers: set[tuple[str, int]] = set()
    node_ports: set[tuple[str, int]] = set()
    for i, port in enumerate(ports):
        if not isinstance(port, dict):
            continue
        at = ("spec", "ports", i)
        name = port.get("name")
        if name is None or name == "":
            if require_name:
                yield Violation((*at, "name"), f"the API rejects port {i} of a Service with several ports: its name "
                                "is required (Required value)")
        elif isinstance(name, str) and not is_unrendered(name):
            reasons = dns_label_reasons(name)
            if reasons:
                yield Violation((*at, "name"), f"the API rejects port name {name!r}: {_label_text(reasons)}",
                                at_value=True)
            if name in names:
                yield Violation((*at, "name"), f"the API rejects port name {name!r}: Duplicate value (an earlier "
                                "port has this name)", at_value=True)
            names.add(name)
        protocol = port.get("protocol") or "TCP"
        if not isinstance(protocol, str):
            continue
        number = port.get("port")
        if is_port_number(number):
            if (protocol, number) in numbers:
                yield Violation(at, f"the API rejects port {number}/{protocol}: Duplicate value (an earlier port "
                                "has this port and protocol)")
            numbers.add((protocol, number))
        node_port = port.get("nodePort")
        if is_port_number(node_port) and node_port != 0:
            if service_type == "ClusterIP":
                yield Violation((*at, "nodePort"), f"the API rejects nodePort {node_port}: may not be used when "
                                "`type` is 'ClusterIP'", at_value=True)
            if (protocol, node_port) in node_ports:
                yield Violation((*at, "nodePort"), f"the API rejects nodePort {node_port}/{protocol}: Duplicate "
                                "value (an earlier port has this node port and protocol)", at_value=True)
            node_ports.add((protocol, node_port))


@rule(
    code="RES117",
    name="invalid-service",
    title="Service type, cluster IP or ports that the API rejects",
    severity=Severity.ERROR,
    pack="resources",
    since="0.3.0",
    status="preview",
    tags=("network", "api-rejects"),
    remediation="Name every port of a Service with several ports (unique DNS labels), list each port and protocol "
    "once, give ports to every Service but a headless or ExternalName one, keep clusterIP: None and nodePort "
    "to the types that allow them, and set externalName (a DNS name) only on type ExternalName.",
    kinds=("Service",),
    references=(
        Reference("Kubernetes: Service", "https://kubernetes.io/docs/concepts/services-networking/service/"),
        Reference("Kubernetes API: ServiceSpec",
                  "https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec"),
    ),
)
def invalid_service(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports, in a core Service, what the API server's `ValidateService` rejects beyond the schema, with its
    reason:

    - no `ports` on a Service that is neither headless (`clusterIP: None`) nor of type ExternalName (one without a
      `selector` either is taken for an overlay's fragment and not judged);
    - `clusterIP: None` on a NodePort or LoadBalancer Service, a `clusterIP` on an ExternalName Service, and a
      `clusterIP` that is neither an IP address, `None` nor empty;
    - an ExternalName Service without `externalName`, or one that is not a DNS name (a final `.` is allowed);
    - a port without a name in a Service with several ports, a port name that is not a DNS label or that an
      earlier port has, a port and protocol listed twice, a node port and protocol listed twice, and a
      `nodePort` on a ClusterIP Service (the default type);
    - `loadBalancerSourceRanges` on a Service that is not a LoadBalancer.

    The protocol defaults to TCP and the type to ClusterIP, as the API defaults them. Port numbers and target
    ports are `invalid-service-port`'s. A kustomize patch or another fragment is not judged (its base may hold
    the ports and the type); unrendered values are not judged.

    ## Why is this bad?
    The API server rejects the Service (`spec.ports[1].name: Required value`, `spec.clusterIPs[0]: Invalid
    value: "None": may not be set to 'None' for LoadBalancer services`), so the apply fails and nothing routes
    to the pods. Unnamed ports are the usual case: adding a second port to a Service whose only port had no
    name.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: web
    spec:
      selector: {app: web}
      ports:
        - port: 80
          targetPort: 8080
        - port: 443
          targetPort: 8443
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: web
    spec:
      selector: {app: web}
      ports:
        - name: http
          port: 80
          targetPort: 8080
        - name: https
          port: 443
          targetPort: 8443
    ```
    """
    spec = resource.data.get("spec")
    if resource.group != "" or not isinstance(spec, dict):
        return
    from guardlint.model.patches import is_patch

    if is_patch(resource, ctx.index):  # its base may hold the ports, the type or the names
        return
    service_type = spec.get("type") or "ClusterIP"
    if not isinstance(service_type, str) or is_unrendered(service_type):
        return
    cluster_ip = spec.get("clusterIP")
    headless = cluster_ip == "None"
    ports = spec.get("ports")
    # A Service with neither ports nor a selector is taken for a fragment: a kustomize overlay's patch that sets
    # only the type (not always listed in a linted Kustomization nor named as a patch).
    if (ports is None or ports == []) and spec.get("selector") and not headless and service_type != "ExternalName":
        yield Violation(("spec", "ports"), "the API rejects a Service without ports: spec.ports: Required value "
                        "(only a headless or ExternalName Service may have none)")
    if headless and service_type in ("LoadBalancer", "NodePort"):
        yield Violation(("spec", "clusterIP"), f"the API rejects clusterIP None: may not be set to 'None' for "
                        f"{service_type} services", at_value=True)
    if isinstance(cluster_ip, str) and cluster_ip and not is_unrendered(cluster_ip):
        if service_type == "ExternalName":
            yield Violation(("spec", "clusterIP"), f"the API rejects clusterIP {cluster_ip!r}: may not be set for "
                            "ExternalName services", at_value=True)
        elif not headless and not _is_ip(cluster_ip):
            yield Violation(("spec", "clusterIP"), f"the API rejects clusterIP {cluster_ip!r}: {IP_REASON}",
                            at_value=True)
    if service_type == "ExternalName":
        name = spec.get("externalName")
        cname = name[:-1] if isinstance(name, str) and name.endswith(".") else name
        if not name:
            yield Violation(("spec", "externalName"), "the API rejects an ExternalName Service without "
                            "externalName (Required value)")
        elif isinstance(cname, str) and not is_unrendered(cname):
            reasons = dns_subdomain_reasons(cname)
            if reasons:
                yield Violation(("spec", "externalName"), f"the API rejects externalName {name!r}: "
                                f"{'; '.join(reasons)}", at_value=True)
    if isinstance(ports, list):
        yield from _port_problems(ports, service_type)
    ranges = spec.get("loadBalancerSourceRanges")
    if isinstance(ranges, list) and ranges and service_type != "LoadBalancer":
        yield Violation(("spec", "loadBalancerSourceRanges"), f"the API rejects loadBalancerSourceRanges on a "
                        f"{service_type} Service: may only be used when `type` is 'LoadBalancer'")


RULE = invalid_service
