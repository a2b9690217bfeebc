"""host-port: a container binds a port of the node (PSS hostPorts)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get_int, iter_maps
from guardlint.model.workloads import iter_containers
from guardlint.rules.api import FixEdit, Reference, Resource, RuleContext, Severity, Violation, rule, structural_fix
from guardlint.rules.security import _pss

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CHECK = "hostPorts"


@rule(
    code="SEC006",
    fixable="unsafe",
    name="host-port",
    # Gate: the rule yields nothing when this does not hold: a finding is on a container port's hostPort.
    gates=("host-ports",),
    pods_only=True,
    title="Container binds a port on the node (hostPort)",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=_pss.TAGS_BASELINE,
    remediation="Remove ports[].hostPort and expose the port through a Service (NodePort or LoadBalancer if needed).",
    references=(
        _pss.PSS_BASELINE_REF,
        Reference(
            "Kubernetes: Configuration best practices (hostPort)",
            "https://kubernetes.io/docs/concepts/configuration/overview/#services",
        ),
    ),
    extra=_pss.extra("Host Ports", _pss.BASELINE, CHECK, "1.0"),
)
def host_port(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports every `ports[].hostPort` other than `0`, on init, regular and ephemeral containers. This is the
    `hostPorts` check of the Pod Security Standards, level baseline, at every policy version. Like the
    reference implementation the rule has no list of allowed ports.

    ## Why is this bad?
    A host port opens the port on the node's network interfaces, outside of network policies and of the
    Service abstraction; it also limits scheduling to one such pod per node. The Pod Security Standards
    forbid host ports from the baseline level
    (https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline).

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
              image: nginx:1.27.3
              ports:
                - containerPort: 80
                  hostPort: 8080
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
              image: nginx:1.27.3
              ports:
                - containerPort: 80
    ```
    """
    suffix = _pss.note(_pss.BASELINE, _pss.policy_version(ctx), CHECK)
    for pod in _pss.pods(resource, ctx):
        for c in iter_containers(pod):
            for j, port in iter_maps(c.data, ("ports",)):
                value = get_int(port, ("hostPort",))
                if value:
                    yield Violation(
                        (*c.path, "ports", j, "hostPort"),
                        f"{c.describe()} binds host port {value} {suffix}",
                        at_value=True,
                        fix=structural_fix(f"remove hostPort {value}",
                                           FixEdit("remove", (*c.path, "ports", j, "hostPort"))),
                    )


RULE = host_port
