"""missing-startup-probe: a long-running container has no startup probe (opt-in)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import PROBES
from guardlint.rules.resources._probes import ProbeParams, missing_probe


@rule(
    code="RES022",
    name="missing-startup-probe",
    pods_only=True,
    title="Container has no startup probe",
    severity=Severity.INFO,
    pack="resources",
    since="0.1.0",
    tags=("probes", "reliability"),
    remediation="Add a startupProbe that allows for the slowest start, so that the liveness probe can stay strict.",
    references=(PROBES,),
    params=ProbeParams,
    enabled_by_default=False,
)
def missing_startup_probe(resource: Resource, params: ProbeParams, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports the containers of long-running workloads that set no `startupProbe`, with the same scope as
    `missing-liveness-probe` (never Jobs, CronJobs, run-to-completion custom resources, init containers,
    sidecars or ephemeral containers). Off by default: most containers start fast enough for
    `initialDelaySeconds`.

    Not reported: kustomize patches and other fragments (a built-in workload whose pod template has no
    containers or a container without an image), and Istio's `istio-proxy` container with `image: auto`,
    which Istio's injector completes from its template.

    ## Why is this bad?
    A liveness probe that runs while a slow application is still starting kills it before it is up, in a
    restart loop; stretching the liveness probe's delays to cover the start instead makes real hangs slow to
    detect. A startup probe holds the other probes back until the application has started (Kubernetes
    documentation, "Protect slow starting containers with startup probes").

    ## Example
    ```yaml
    apiVersion: v1
    kind: ReplicationController
    metadata:
      name: legacy
    spec:
      replicas: 2
      selector: {app: legacy}
      template:
        metadata:
          labels: {app: legacy}
        spec:
          containers:
            - name: legacy
              image: example.com/legacy:9.0
              livenessProbe:
                httpGet: {path: /health, port: 8080}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: ReplicationController
    metadata:
      name: legacy
    spec:
      replicas: 2
      selector: {app: legacy}
      template:
        metadata:
          labels: {app: legacy}
        spec:
          containers:
            - name: legacy
              image: example.com/legacy:9.0
              startupProbe:
                httpGet: {path: /health, port: 8080}
                failureThreshold: 30
              livenessProbe:
                httpGet: {path: /health, port: 8080}
    ```
    """
    yield from missing_probe(resource, ctx, "startupProbe", "startup", params.only_with_ports)


RULE = missing_startup_probe
