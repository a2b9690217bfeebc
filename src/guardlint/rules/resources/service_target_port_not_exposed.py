"""service-target-port-not-exposed: a Service targets a named port that no selected container defines."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from guardlint.findings import Severity
from guardlint.model.access import iter_maps
from guardlint.model.ports import PORT_NAME, port_names, serving_containers
from guardlint.model.resource import Resource
from guardlint.model.selection import pods_selected_by_service, service_selector
from guardlint.rules.api import Reference, RuleContext, Violation, rule
from guardlint.rules.references import SERVICES


@rule(
    code="RES062",
    name="service-target-port-not-exposed",
    title="Service targets a named port that no selected container defines",
    severity=Severity.WARNING,
    pack="resources",
    since="0.1.0",
    tags=("consistency", "networking"),
    remediation="Use a targetPort name that the selected containers define in their ports list, or the port "
    "number.",
    references=(
        Reference("Kubernetes: Service port definitions",
                  "https://kubernetes.io/docs/concepts/services-networking/service/#field-spec-ports"),
        SERVICES,
    ),
    kinds=("Service",),
)
def service_target_port_not_exposed(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports Service ports whose `targetPort` is a name that no container or sidecar of any pod template the
    Service selects (same namespace, among the linted objects; for objects without a namespace, the same
    directory tree) defines in its `ports`. Only Services that select at least one linted pod template are
    judged; numeric target ports are not checked (a container need not declare the ports it listens on), nor
    are strings that are not valid port names (unrendered `${VAR}` placeholders).

    ## Why is this bad?
    A named target port is resolved in each selected pod; a pod that has no port of that name is left out of
    the Service's endpoints, so the Service has no endpoints for that port and traffic fails while the pods
    look healthy (Kubernetes documentation, "Service", "Port definitions").

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: api
    spec:
      selector: {app: api}
      ports:
        - port: 80
          targetPort: http
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          containers:
            - name: api
              image: example.com/api:3.2.0
              ports:
                - {name: web, containerPort: 8080}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: api
    spec:
      selector: {app: api}
      ports:
        - port: 80
          targetPort: web
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          containers:
            - name: api
              image: example.com/api:3.2.0
              ports:
                - {name: web, containerPort: 8080}
    ```
    """
    if resource.group != "":
        return
    selector = service_selector(resource)
    if selector is None:
        return
    ports = iter_maps(resource.data, ("spec", "ports"))
    named = [(i, p["targetPort"]) for i, p in ports if isinstance(p.get("targetPort"), str)
             and PORT_NAME.match(p["targetPort"])]
    if not named:
        return
    pods = pods_selected_by_service(ctx, resource, selector)
    if not pods:
        return
    defined: set[str] = set()
    for pod in pods:
        for c in serving_containers(pod):
            defined |= port_names(c)
    for i, name in named:
        if name not in defined:
            workloads = ", ".join(sorted({p.resource.describe() for p in pods}))
            yield Violation(
                ("spec", "ports", i, "targetPort"),
                f"{resource.describe()} targets port {name!r}, which no container of the pods it selects defines "
                f"({workloads})",
                at_value=True,
            )


RULE = service_target_port_not_exposed
