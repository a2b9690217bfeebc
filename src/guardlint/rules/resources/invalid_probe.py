"""invalid-probe: a probe or lifecycle hook that the API rejects (no handler or several, a success threshold other
than 1 where only 1 is valid, a grace period that must not be set)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.paths import FieldPath
from guardlint.model.ports import is_port_number as is_integer
from guardlint.model.workloads import ContainerKind, iter_containers, iter_pod_specs
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import PROBES
from guardlint.rules.resources._common import is_partial_object
from guardlint.rules.resources.invalid_volume_mount import KUBERNETES_POD_KINDS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# (path in the container, what it is called, its handler fields in the order the API counts them)
_PROBE_ACTIONS = ("exec", "httpGet", "tcpSocket", "grpc")
_HOOK_ACTIONS = ("exec", "httpGet", "tcpSocket", "sleep")
_HANDLERS: tuple[tuple[FieldPath, str, tuple[str, ...]], ...] = (
    (("livenessProbe",), "liveness probe", _PROBE_ACTIONS),
    (("readinessProbe",), "readiness probe", _PROBE_ACTIONS),
    (("startupProbe",), "startup probe", _PROBE_ACTIONS),
    (("lifecycle", "postStart"), "postStart hook", _HOOK_ACTIONS),
    (("lifecycle", "preStop"), "preStop hook", _HOOK_ACTIONS),
)
# Regular containers and native sidecars: an init container that is not a sidecar may set neither probes nor
# hooks at all (init-container-probe), and an ephemeral container's probes are another matter.
_CONTAINERS = (ContainerKind.CONTAINER, ContainerKind.INIT)


@rule(
    code="RES112",
    name="invalid-probe",
    pods_only=True,
    # Gate: every finding is on a probe or lifecycle hook of a container.
    gates=("probes",),
    title="Probe or lifecycle hook that the API rejects",
    severity=Severity.ERROR,
    pack="resources",
    since="0.3.0",
    status="preview",
    tags=("probes", "api-rejects"),
    remediation="Give each probe and hook exactly one handler (exec, httpGet, tcpSocket or grpc; a hook: exec, "
    "httpGet, tcpSocket or sleep), set successThreshold to 1 (or leave it out) on liveness and startup probes, "
    "and set a probe's terminationGracePeriodSeconds only on liveness and startup probes, above 0.",
    kinds=tuple(sorted({k for _, k in KUBERNETES_POD_KINDS})),
    references=(
        PROBES,
        Reference("Kubernetes API: Probe",
                  "https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#Probe"),
    ),
)
def invalid_probe(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports, in the pods of Kubernetes' own workloads (Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job,
    CronJob, ReplicationController, PodTemplate), a container's or sidecar's probe or lifecycle hook that the
    API server's pod validation rejects:
    - more than one handler (`exec`, `httpGet`, `tcpSocket`, `grpc`; a hook's `sleep`), reported at the second
      one, or none at all (a probe with only timings). A handler set to `null` is no handler;
    - a liveness or startup probe whose `successThreshold` is not 1 (0 or leaving it out means 1);
    - a probe's `terminationGracePeriodSeconds` on a readiness probe, or 0 or less on the others.

    A kustomize patch or another fragment is judged only for what it certainly sends (two handlers in one
    probe stay two after a strategic merge), not for a probe without a handler (its base has it). An operator's
    custom resource is not judged: its controller may complete the probe (Knative probes the serving port by
    default).

    ## Why is this bad?
    The API server rejects the pod template, so the Deployment, StatefulSet, DaemonSet or Job is not applied at
    all (`livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type`, `readinessProbe: Required
    value: must specify a handler type`, `livenessProbe.successThreshold: Invalid value: 2: must be 1`). Two
    handlers are the usual result of a Helm value that sets `exec` while the chart's default keeps `httpGet`: the
    chart renders both.

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
              image: example.com/web:1.4.2
              livenessProbe:
                httpGet: {path: /healthz, port: 8080}
                exec:
                  command: [cat, /tmp/healthy]
                successThreshold: 2
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
              image: example.com/web:1.4.2
              livenessProbe:
                httpGet: {path: /healthz, port: 8080}
                failureThreshold: 3
    ```
    """
    if (resource.group, resource.kind) not in KUBERNETES_POD_KINDS:
        return
    partial: bool | None = None
    for pod in iter_pod_specs(resource, ctx.workloads):
        for c in iter_containers(pod, _CONTAINERS):
            if c.kind is ContainerKind.INIT and not c.is_sidecar:
                continue
            for path, what, actions in _HANDLERS:
                handler: Any = c.data
                for key in path:
                    handler = handler.get(key) if isinstance(handler, dict) else None
                if not isinstance(handler, dict):
                    continue
                where = (*c.path, *path)
                present = [a for a in actions if handler.get(a) is not None]
                if len(present) > 1:
                    yield Violation((*where, present[1]), f"{c.describe()} {what} sets {len(present)} handlers "
                                    f"({', '.join(present)}); the API accepts exactly one", at_value=False)
                elif not present:
                    if partial is None:
                        partial = is_partial_object(resource, ctx)
                    if not partial:
                        yield Violation(where, f"{c.describe()} {what} sets no handler ({', '.join(actions[:-1])} "
                                        f"or {actions[-1]}); the API requires one")
                if path[0] in ("livenessProbe", "startupProbe"):
                    threshold = handler.get("successThreshold")
                    if is_integer(threshold) and threshold not in (0, 1):
                        yield Violation((*where, "successThreshold"), f"{c.describe()} {what} sets successThreshold "
                                        f"to {threshold}; the API requires 1 for liveness and startup probes",
                                        at_value=True)
                grace = handler.get("terminationGracePeriodSeconds")
                if path[0] == "readinessProbe" and grace is not None:
                    yield Violation((*where, "terminationGracePeriodSeconds"), f"{c.describe()} {what} sets "
                                    "terminationGracePeriodSeconds, which the API does not accept on a readiness probe",
                                    at_value=True)
                elif path[0] in ("livenessProbe", "startupProbe") and is_integer(grace) and grace <= 0:
                    yield Violation((*where, "terminationGracePeriodSeconds"), f"{c.describe()} {what} sets "
                                    f"terminationGracePeriodSeconds to {grace}; the API requires more than 0",
                                    at_value=True)


RULE = invalid_probe
