"""init-container-probe: an init container that is not a sidecar sets a probe or lifecycle hooks (the API rejects
them)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.workloads import ContainerKind, iter_all_containers
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import PROBES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

PROBE_FIELDS = ("livenessProbe", "readinessProbe", "startupProbe")
FORBIDDEN_FIELDS = (*PROBE_FIELDS, "lifecycle")
"""What the API forbids on an init container without ``restartPolicy: Always``: the probes and ``lifecycle``."""


@rule(
    code="RES025",
    name="init-container-probe",
    # Gate: the rule yields nothing when this does not hold: a finding is a probe or `lifecycle` an init
    # container sets (not None).
    gates=("probes",),
    pods_only=True,
    title="Init container sets a probe or lifecycle hooks",
    severity=Severity.ERROR,
    pack="resources",
    since="0.1.0",
    tags=("probes", "api-rejects"),
    remediation="Remove the probe or lifecycle hooks from the init container, or make it a sidecar with "
    "restartPolicy: Always if it is meant to run for the pod's life.",
    references=(
        Reference("Kubernetes: Init Containers", "https://kubernetes.io/docs/concepts/workloads/pods/init-containers/"),
        Reference("Kubernetes: Sidecar Containers",
                  "https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/"),
        PROBES,
    ),
)
def init_container_probe(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports `livenessProbe`, `readinessProbe`, `startupProbe` and `lifecycle` (postStart/preStop hooks) on init
    containers that are not sidecars. Sidecars (init containers with `restartPolicy: Always`) may have probes and
    hooks and are not reported.

    ## Why is this bad?
    An init container runs to completion before the app starts, so probes have no meaning for it; the API
    server rejects the pod with `must not be set for init containers` (Kubernetes documentation, "Init
    Containers": init containers do not support `lifecycle`, `livenessProbe`, `readinessProbe`, or
    `startupProbe`). Often the container was meant to be a sidecar and lacks `restartPolicy: Always`.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: app
    spec:
      initContainers:
        - name: proxy
          image: envoyproxy/envoy:v1.31.0
          readinessProbe:
            tcpSocket: {port: 9901}
      containers:
        - name: app
          image: example.com/app:1.0.0
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: app
    spec:
      initContainers:
        - name: proxy
          image: envoyproxy/envoy:v1.31.0
          restartPolicy: Always
          readinessProbe:
            tcpSocket: {port: 9901}
      containers:
        - name: app
          image: example.com/app:1.0.0
    ```
    """
    for c in iter_all_containers(resource, ctx.workloads):
        if c.kind is not ContainerKind.INIT or c.is_sidecar:
            continue
        for field in FORBIDDEN_FIELDS:
            if c.data.get(field) is not None:
                yield Violation(
                    (*c.path, field),
                    f"{c.describe()} sets {field}, which the API rejects on init containers that are not "
                    "sidecars (restartPolicy: Always)",
                )


RULE = init_container_probe
