"""probe-port-not-exposed: a probe or lifecycle hook targets a port the container does not expose."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.access import get_map
from guardlint.model.paths import FieldPath
from guardlint.model.ports import container_ports, is_port_name, port_names, port_numbers
from guardlint.model.workloads import ContainerKind, iter_all_containers
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param
from guardlint.rules.references import PROBES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated

PROBE_FIELDS = (("livenessProbe", "liveness"), ("readinessProbe", "readiness"), ("startupProbe", "startup"))

_PROBE_HANDLERS = ("httpGet", "tcpSocket", "grpc")
_HOOK_HANDLERS = ("httpGet",)
"""The kubelet runs only exec, httpGet and sleep lifecycle handlers (tcpSocket is accepted for backward
compatibility and never run), and resolves an httpGet hook's named port in the container like a probe's."""

Site = tuple[FieldPath, str, tuple[str, ...]]
"""(path of a probe or hook in the container, what it is, its handlers that reach a port)."""

_PROBES: tuple[Site, ...] = tuple(((field,), f"{what} probe", _PROBE_HANDLERS) for field, what in PROBE_FIELDS)
_PROBES_AND_HOOKS: tuple[Site, ...] = (
    *_PROBES,
    (("lifecycle", "postStart"), "postStart hook", _HOOK_HANDLERS),
    (("lifecycle", "preStop"), "preStop hook", _HOOK_HANDLERS),
)


class Params(NamedTuple):
    check_numbers: Annotated[bool, param(
        "Also report numeric probe and hook ports that a container which declares ports does not declare (a "
        "container that declares no ports is never reported for a number). Off by default: containers often serve "
        "health checks on an admin port they do not list.",
    )] = False


@rule(
    code="RES024",
    name="probe-port-not-exposed",
    # Gate: the rule yields nothing when this does not hold: a finding is the port of a container's probe or
    # `lifecycle` hook, which must then be set (for every parameter value).
    gates=("probes",),
    pods_only=True,
    title="Probe or lifecycle hook targets a port the container does not expose",
    severity=Severity.ERROR,
    pack="resources",
    since="0.1.0",
    tags=("probes", "reliability"),
    remediation="Point the probe or hook at a port the container declares in its ports list (by its name or "
    "number), or declare the port.",
    references=(
        PROBES,
        Reference("Kubernetes: Container Lifecycle Hooks",
                  "https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/"),
    ),
    params=Params,
)
def probe_port_not_exposed(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports liveness, readiness and startup probes (`httpGet`, `tcpSocket`, `grpc`) and `postStart`/`preStop`
    lifecycle hooks (`httpGet`, the only hook the kubelet runs against a port) of containers and sidecars
    whose port is a name that the container's own `ports` list does not define. Named ports resolve
    only against the probed container's own ports, never against another container's. Strings that are not
    valid port names (numbers in quotes, unrendered `${VAR}` placeholders) are left to schema validation.
    With `check-numbers` (off by default), also reports a numeric port that a container declaring ports does
    not list; probes with an explicit `httpGet.host` are not checked for numbers.

    ## Why is this bad?
    The kubelet resolves a named probe port in the container's own ports; when the name is not there the probe
    errors on every run, so the readiness probe never passes (the pod never gets traffic) and the liveness probe
    restarts the container forever (Kubernetes documentation, "Configure Liveness, Readiness and Startup Probes",
    "Use a named port"). A hook's named port is resolved the same way: a failed `postStart` hook kills the
    container, which then restarts in a loop, and a failed `preStop` hook skips the graceful shutdown it was there
    for (Kubernetes documentation, "Container Lifecycle Hooks"). A number that the container does not declare may be
    a port that was renamed or moved, but containers commonly answer health checks on an undeclared admin port (for
    example ingress-nginx on 10254), hence the opt-in.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - {name: http, containerPort: 80}
          readinessProbe:
            httpGet: {path: /, port: web}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - {name: http, containerPort: 80}
          readinessProbe:
            httpGet: {path: /, port: http}
    ```
    """
    for c in iter_all_containers(resource, ctx.workloads):
        if c.kind is ContainerKind.EPHEMERAL:
            continue
        names: set[str] | None = None
        numbers: set[int] | None = None
        sites = _PROBES_AND_HOOKS if isinstance(c.data.get("lifecycle"), dict) else _PROBES
        for field_path, what, handlers in sites:
            probe = get_map(c.data, field_path)
            if probe is None:
                continue
            for handler in handlers:
                action = probe.get(handler)
                if not isinstance(action, dict):
                    continue
                port = action.get("port")
                path = (*c.path, *field_path, handler, "port")
                if isinstance(port, str) and is_port_name(port):
                    if names is None:
                        names = port_names(c)
                    if port not in names:
                        known = ", ".join(sorted(names)) or "none"
                        yield Violation(
                            path,
                            f"{c.describe()} {what} targets port {port!r}, which the container does not "
                            f"define (its named ports: {known})",
                            at_value=True,
                        )
                elif (
                    params.check_numbers and isinstance(port, int) and not isinstance(port, bool)
                    and not action.get("host") and container_ports(c)
                ):
                    if numbers is None:
                        numbers = port_numbers(c)
                    if port not in numbers:
                        known = ", ".join(str(n) for n in sorted(numbers)) or "none"
                        yield Violation(
                            path,
                            f"{c.describe()} {what} targets port {port}, which the container does not "
                            f"declare (its ports: {known})",
                            at_value=True,
                        )


RULE = probe_port_not_exposed
