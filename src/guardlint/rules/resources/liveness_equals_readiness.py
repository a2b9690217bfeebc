"""liveness-equals-readiness: a container's liveness probe is the same as its readiness probe."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint._record import NamedTuple
from guardlint.model.workloads import ContainerKind, iter_all_containers
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param
from guardlint.rules.references import PROBES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated, Any, Literal

HANDLERS = ("httpGet", "tcpSocket", "grpc", "exec")


class Params(NamedTuple):
    compare: Annotated[Literal["probe", "handler"], param(
        "`probe`: report only probes identical in every field; `handler`: report probes that check the same thing "
        "(same httpGet/tcpSocket/grpc/exec) whatever their timings.",
    )] = "probe"


def _handler(probe: Mapping[str, Any]) -> tuple[str, Any] | None:
    for key in HANDLERS:
        if probe.get(key) is not None:
            return key, probe[key]
    return None


def _summary(handler: tuple[str, Any] | None) -> str:
    if handler is None:
        return "no handler"
    key, value = handler
    port = f" on port {value.get('port')}" if isinstance(value, dict) and value.get("port") is not None else ""
    if key == "httpGet" and isinstance(value, dict):
        return f"httpGet {value.get('path', '/')}{port}"
    if key in ("tcpSocket", "grpc"):
        return f"{key}{port}"
    if key == "exec" and isinstance(value, dict) and isinstance(value.get("command"), list):
        return "exec " + " ".join(str(x) for x in value["command"])
    return key


@rule(
    code="RES023",
    name="liveness-equals-readiness",
    # Gate: the rule yields nothing when this does not hold: a finding needs a container's livenessProbe.
    gates=("probes",),
    pods_only=True,
    title="Liveness probe is the same as the readiness probe",
    severity=Severity.WARNING,
    pack="resources",
    since="0.1.0",
    tags=("probes", "reliability"),
    remediation="Make the liveness probe check only that the process is alive (a cheap endpoint, a higher "
    "failureThreshold), and keep dependency checks in the readiness probe.",
    references=(PROBES,),
    params=Params,
)
def liveness_equals_readiness(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports containers and sidecars whose `livenessProbe` is identical to their `readinessProbe` (with
    `compare: handler`, whose probes use the same handler, whatever their timings and thresholds).

    ## Why is this bad?
    Readiness and liveness answer different questions: "should this pod get traffic now?" and "is this
    process beyond repair?". With the same probe, a pod that is only overloaded or waiting on a dependency is
    taken out of the Service *and* restarted at the same moment; under load every replica fails together and
    the restarts turn a slowdown into an outage (Kubernetes documentation, "Configure Liveness, Readiness and
    Startup Probes": "liveness probes must be configured carefully").

    ## Example
    ```yaml
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
                - {name: http, containerPort: 8080}
              readinessProbe:
                httpGet: {path: /ready, port: http}
              livenessProbe:
                httpGet: {path: /ready, port: http}
    ```

    ## Use instead
    ```yaml
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
                - {name: http, containerPort: 8080}
              readinessProbe:
                httpGet: {path: /ready, port: http}
              livenessProbe:
                httpGet: {path: /alive, port: http}
                failureThreshold: 6
    ```
    """
    for c in iter_all_containers(resource, ctx.workloads):
        if c.kind is ContainerKind.EPHEMERAL:
            continue
        live, ready = c.data.get("livenessProbe"), c.data.get("readinessProbe")
        if not isinstance(live, dict) or not isinstance(ready, dict) or not live:
            continue
        same = live == ready if params.compare == "probe" else (
            _handler(live) is not None and _handler(live) == _handler(ready)
        )
        if same:
            yield Violation(
                (*c.path, "livenessProbe"),
                f"{c.describe()} uses the same liveness and readiness probe ({_summary(_handler(live))})",
            )


RULE = liveness_equals_readiness
