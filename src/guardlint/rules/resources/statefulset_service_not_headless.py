"""statefulset-service-not-headless: a StatefulSet's governing Service is missing or is not headless."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get, get_list, get_str
from guardlint.model.missing import visible_objects
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.resources._common import is_missing

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _unrendered(text: str) -> bool:
    return "{{" in text or "${" in text or "$(" in text


def _cluster_ip(service: Resource) -> Any:
    """``spec.clusterIP``, or the first of ``spec.clusterIPs`` where it is unset (the API defaults one from the
    other); None when neither is written."""
    ip = get(service.data, ("spec", "clusterIP"))
    if ip is None:
        ips = get_list(service.data, ("spec", "clusterIPs"))
        ip = ips[0] if ips else None
    return ip


@rule(
    code="RES107",
    name="statefulset-service-not-headless",
    title="StatefulSet's governing Service is missing or not headless",
    severity=Severity.WARNING,
    pack="resources",
    since="0.3.0",
    status="preview",
    tags=("consistency", "network"),
    remediation="Create a Service of that name in the StatefulSet's namespace with clusterIP: None and a selector "
    "that matches the pod template, or correct spec.serviceName.",
    kinds=("StatefulSet",),
    references=(
        Reference("Kubernetes: StatefulSets, stable network ID",
                  "https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#stable-network-id"),
        Reference("Kubernetes: Headless Services",
                  "https://kubernetes.io/docs/concepts/services-networking/service/#headless-services"),
    ),
)
def statefulset_service_not_headless(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports an `apps/v1` StatefulSet whose `spec.serviceName` names a Service that is not among the linted
    objects of its namespace, judged by the shared missing-object policy (as `missing-service-account` is:
    never in a partial run unless `--context` covers the namespace, only where the linted set holds Services
    of the namespace, not when `known-objects` lists it or something in the tree may create Services), or a
    linted Service of that name whose `spec.clusterIP` (or first `spec.clusterIPs`) is not `None` (in any
    manifest of it, where overlays give several). A StatefulSet without `serviceName` (optional in recent
    Kubernetes versions) is not reported, nor an unrendered name or `clusterIP`.

    ## Why is this bad?
    The StatefulSet's governing Service gives each pod its stable DNS name
    (`<pod>.<serviceName>.<namespace>.svc`), which clustered software (databases, brokers, training jobs)
    uses to find its peers. Only a headless Service (`clusterIP: None`) publishes per-pod records; with a
    missing Service, or one with a cluster IP, the names do not resolve and the members cannot find each
    other, while the StatefulSet itself applies and starts its pods.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: db
      namespace: shop
    spec:
      serviceName: db
      selector:
        matchLabels: {app: db}
      template:
        metadata:
          labels: {app: db}
        spec:
          containers:
            - name: db
              image: postgres:16.4
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: db
      namespace: shop
    spec:
      selector: {app: db}
      ports:
        - port: 5432
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: db
      namespace: shop
    spec:
      serviceName: db
      selector:
        matchLabels: {app: db}
      template:
        metadata:
          labels: {app: db}
        spec:
          containers:
            - name: db
              image: postgres:16.4
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: db
      namespace: shop
    spec:
      clusterIP: None
      selector: {app: db}
      ports:
        - port: 5432
    ```
    """
    if resource.api_version != "apps/v1":
        return
    name = get_str(resource.data, ("spec", "serviceName"))
    if not name or _unrendered(name):
        return
    path = ("spec", "serviceName")
    services = visible_objects(ctx.index, "Service", name, resource)
    if services is not None:
        if any(s.api_version != "v1" for s in services):
            return
        ips = [_cluster_ip(s) for s in services]
        if all(ip == "None" for ip in ips):
            return
        if any(isinstance(ip, str) and _unrendered(ip) for ip in ips):
            return
        shown = next((ip for ip in ips if ip != "None"), None)
        if shown is None and any(get(s.data, ("spec", "type")) == "ExternalName" for s in services):
            how = "is an ExternalName Service (a DNS alias, which the API gives no cluster IP)"
        elif shown is None:
            how = "sets no clusterIP (the API allocates one)"
        else:
            how = f"has clusterIP {shown!r}"
        yield Violation(
            path,
            f"{resource.describe()} is governed by Service {name!r}, which {how} and so is not headless: the pods "
            "get no DNS names of their own",
            at_value=True,
        )
        return
    if is_missing(ctx, "Service", name, resource):
        where = f" in namespace {resource.namespace!r}" if resource.namespace else ""
        yield Violation(
            path,
            f"{resource.describe()} is governed by Service {name!r}, which is not among the linted objects{where}: "
            "the pods get no DNS names of their own",
            at_value=True,
        )


RULE = statefulset_service_not_headless
