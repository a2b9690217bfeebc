"""missing-readiness-probe: a long-running container that serves traffic has no readiness probe."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param
from guardlint.rules.references import PROBES
from guardlint.rules.resources._probes import missing_probe

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated


class Params(NamedTuple):
    only_with_ports: Annotated[bool, param(
        "Only report containers that declare at least one container port (that serve traffic).",
    )] = True


@rule(
    code="RES020",
    name="missing-readiness-probe",
    pods_only=True,
    title="Container has no readiness probe",
    severity=Severity.WARNING,
    pack="resources",
    since="0.1.0",
    tags=("probes", "reliability"),
    remediation="Add a readinessProbe that checks the container can serve requests (for example an httpGet on a "
    "health endpoint).",
    references=(PROBES,),
    params=Params,
)
def missing_readiness_probe(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports the containers of long-running workloads (Deployments, StatefulSets, DaemonSets, ReplicaSets,
    ReplicationControllers, restartable Pods, pod templates of long-running custom resources) that set no
    `readinessProbe`. By default (`only-with-ports: true`) only containers that declare a container port,
    that is that serve traffic, are reported. Jobs, CronJobs, the run-to-completion custom resources of the
    pod-template table, Pods with `restartPolicy` `Never` or `OnFailure`, init containers, sidecars and
    ephemeral containers are never reported.

    Not reported: kustomize patches and other fragments (a built-in workload whose pod template has no
    containers or a container without an image), and the pods of Ray custom resources (KubeRay injects
    readiness probes), Knative Services (Knative adds a default readiness probe), and Istio's `istio-proxy`
    container with `image: auto`, which Istio's injector completes from its template.

    ## Why is this bad?
    Without a readiness probe a pod counts as ready as soon as its containers start: Services send it traffic
    before the application listens, rolling updates proceed before the new version works, and a pod that
    stops serving keeps receiving requests (Kubernetes documentation, "Configure Liveness, Readiness and
    Startup Probes").

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
            - name: web
              image: nginx:1.27
              ports:
                - containerPort: 80
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
            - name: web
              image: nginx:1.27
              ports:
                - containerPort: 80
              readinessProbe:
                httpGet: {path: /, port: 80}
    ```
    """
    yield from missing_probe(resource, ctx, "readinessProbe", "readiness", params.only_with_ports)


RULE = missing_readiness_probe
