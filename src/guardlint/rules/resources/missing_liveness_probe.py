"""missing-liveness-probe: a long-running container has no liveness probe."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import PROBES
from guardlint.rules.resources._probes import ProbeParams, missing_probe


@rule(
    code="RES021",
    name="missing-liveness-probe",
    pods_only=True,
    title="Container has no liveness probe",
    severity=Severity.INFO,
    pack="resources",
    since="0.1.0",
    tags=("probes", "reliability"),
    remediation="Add a livenessProbe that fails only when the process is stuck and a restart would help.",
    references=(PROBES,),
    params=ProbeParams,
)
def missing_liveness_probe(resource: Resource, params: ProbeParams, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports the containers of long-running workloads (Deployments, StatefulSets, DaemonSets, ReplicaSets,
    ReplicationControllers, restartable Pods, pod templates of long-running custom resources) that set no
    `livenessProbe`. With `only-with-ports: true` only containers that declare a container port are
    reported. Jobs, CronJobs, run-to-completion custom resources, Pods with `restartPolicy` `Never` or
    `OnFailure`, init containers, sidecars and ephemeral containers are never reported.

    Not reported: kustomize patches and other fragments (a built-in workload whose pod template has no
    containers or a container without an image), the pods of Ray custom resources (KubeRay injects liveness probes),
    and Istio's `istio-proxy` container with `image: auto`, which Istio's injector completes from its template.

    ## Why is this bad?
    A process that deadlocks or stops making progress without exiting is never restarted without a liveness
    probe: the pod stays `Running` and, with a readiness probe, silently drops out of its Service
    (Kubernetes documentation, "Configure Liveness, Readiness and Startup Probes"). The severity is `info`
    because a badly written liveness probe does more harm than none (it restarts healthy pods under load).

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: queue
    spec:
      serviceName: queue
      selector:
        matchLabels: {app: queue}
      template:
        metadata:
          labels: {app: queue}
        spec:
          containers:
            - name: queue
              image: rabbitmq:3.13
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: queue
    spec:
      serviceName: queue
      selector:
        matchLabels: {app: queue}
      template:
        metadata:
          labels: {app: queue}
        spec:
          containers:
            - name: queue
              image: rabbitmq:3.13
              livenessProbe:
                exec:
                  command: [rabbitmq-diagnostics, -q, ping]
                periodSeconds: 30
                timeoutSeconds: 10
    ```
    """
    yield from missing_probe(resource, ctx, "livenessProbe", "liveness", params.only_with_ports)


RULE = missing_liveness_probe
