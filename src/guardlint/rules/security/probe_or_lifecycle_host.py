"""probe-or-lifecycle-host: a probe or lifecycle hook targets another host (PSS hostProbesAndHostLifecycle)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get_map, get_str
from guardlint.model.workloads import iter_containers
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import PROBES
from guardlint.rules.security import _pss

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CHECK = "hostProbesAndHostLifecycle"
SINCE = (1, 34)

_HANDLERS: tuple[tuple[str, ...], ...] = (
    ("livenessProbe",),
    ("readinessProbe",),
    ("startupProbe",),
    ("lifecycle", "postStart"),
    ("lifecycle", "preStop"),
)


@rule(
    code="SEC007",
    name="probe-or-lifecycle-host",
    # Gate: the rule yields nothing when this does not hold: a finding is a host in a container's probe or
    # `lifecycle` handler, which must then be set.
    gates=("probes",),
    pods_only=True,
    title="Probe or lifecycle hook sets a host",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=_pss.TAGS_BASELINE,
    remediation=(
        "Remove the host field from httpGet and tcpSocket probes and lifecycle handlers; they then target the pod."
    ),
    references=(
        _pss.PSS_BASELINE_REF,
        PROBES,
    ),
    extra=_pss.extra("Host Probes / Lifecycle Hooks", _pss.BASELINE, CHECK, "1.34"),
)
def probe_or_lifecycle_host(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports a non-empty `host` in the `httpGet` or `tcpSocket` handler of a liveness, readiness or startup
    probe, or of a `postStart`/`preStop` lifecycle hook, on init, regular and ephemeral containers. This is
    the `hostProbesAndHostLifecycle` check of the Pod Security Standards, level baseline, from policy 1.34;
    with an older target Kubernetes version the rule is silent. Like the reference it has no exception for
    loopback addresses.

    ## Why is this bad?
    The kubelet runs probes and HTTP/TCP lifecycle hooks from the node. A handler that names another host
    makes the kubelet send requests to any address the node can reach, a server-side request forgery
    channel into the node's network. The Pod Security Standards forbid it from the baseline level at
    policy 1.34 (https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline).

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      containers:
        - name: web
          image: nginx:1.27.3
          livenessProbe:
            httpGet:
              host: 169.254.169.254
              path: /latest/meta-data/
              port: 80
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
          image: nginx:1.27.3
          livenessProbe:
            httpGet:
              path: /healthz
              port: 80
    ```
    """
    version = _pss.policy_version(ctx)
    if version < SINCE:
        return
    suffix = _pss.note(_pss.BASELINE, version, CHECK)
    for pod in _pss.pods(resource, ctx):
        for c in iter_containers(pod):
            for handler in _HANDLERS:
                value = get_map(c.data, handler)
                if value is None:
                    continue
                for action in ("httpGet", "tcpSocket"):
                    host = get_str(value, (action, "host"))
                    if host:
                        yield Violation(
                            (*c.path, *handler, action, "host"),
                            f"{c.describe()} sets {'.'.join(handler)}.{action}.host to {host!r} {suffix}",
                            at_value=True,
                        )


RULE = probe_or_lifecycle_host
