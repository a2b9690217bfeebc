"""unsafe-sysctl: a pod sets a sysctl outside the safe set (PSS sysctls)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import iter_maps
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.security import _pss

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CHECK = "sysctls"

_ADDED: tuple[tuple[tuple[int, int], frozenset[str]], ...] = (
    (
        (1, 0),
        frozenset(
            {
                "kernel.shm_rmid_forced",
                "net.ipv4.ip_local_port_range",
                "net.ipv4.tcp_syncookies",
                "net.ipv4.ping_group_range",
                "net.ipv4.ip_unprivileged_port_start",
            }
        ),
    ),
    ((1, 27), frozenset({"net.ipv4.ip_local_reserved_ports"})),
    (
        (1, 29),
        frozenset(
            {
                "net.ipv4.tcp_keepalive_time",
                "net.ipv4.tcp_fin_timeout",
                "net.ipv4.tcp_keepalive_intvl",
                "net.ipv4.tcp_keepalive_probes",
            }
        ),
    ),
    ((1, 32), frozenset({"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"})),
    ((1, 37), frozenset({"net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"})),
)


def allowed_sysctls(version: tuple[int, int]) -> frozenset[str]:
    """The safe sysctl names of a policy version (the list only grows)."""
    out: set[str] = set()
    for since, names in _ADDED:
        if version >= since:
            out |= names
    return frozenset(out)


@rule(
    code="SEC012",
    name="unsafe-sysctl",
    # Gate: the rule yields nothing when this does not hold: a finding is on an entry of a pod's
    # securityContext.sysctls.
    gates=("security-context-options",),
    pods_only=True,
    title="Pod sets a sysctl outside the safe set",
    severity=Severity.ERROR,
    pack="security",
    since="0.1.0",
    tags=_pss.TAGS_BASELINE,
    remediation=(
        "Remove the sysctl from spec.securityContext.sysctls; only the namespaced safe sysctls of the target "
        "Kubernetes version are allowed (set node-level sysctls on the node instead)."
    ),
    references=(
        _pss.PSS_BASELINE_REF,
        Reference("Kubernetes: Using sysctls in a Kubernetes Cluster",
                  "https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/"),
    ),
    extra=_pss.extra("Sysctls", _pss.BASELINE, CHECK, "1.0, 1.27, 1.29, 1.32, 1.37"),
)
def unsafe_sysctl(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports every `spec.securityContext.sysctls[].name` that is not in the safe set of the target policy
    version. The set grows with the version: `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`,
    `net.ipv4.tcp_syncookies`, `net.ipv4.ping_group_range` and `net.ipv4.ip_unprivileged_port_start` at
    every version, `net.ipv4.ip_local_reserved_ports` from 1.27, `net.ipv4.tcp_keepalive_time`,
    `net.ipv4.tcp_fin_timeout`, `net.ipv4.tcp_keepalive_intvl` and `net.ipv4.tcp_keepalive_probes` from
    1.29, `net.ipv4.tcp_rmem` and `net.ipv4.tcp_wmem` from 1.32, and `net.ipv4.tcp_slow_start_after_idle`
    and `net.ipv4.tcp_notsent_lowat` from 1.37. Names are compared exactly (the `/`-separated spelling is
    reported). This is the `sysctls` check of the Pod Security Standards, level baseline.

    ## Why is this bad?
    Sysctls outside the safe set are either not namespaced (they change the whole node) or let a pod
    consume kernel resources its neighbours depend on. The Pod Security Standards allow only the safe set
    from the baseline level (https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline).

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: tuned
    spec:
      securityContext:
        sysctls:
          - name: net.core.somaxconn
            value: "4096"
      containers:
        - name: app
          image: example.com/app:1.0.0
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: tuned
    spec:
      securityContext:
        sysctls:
          - name: net.ipv4.ip_local_port_range
            value: "1024 65000"
      containers:
        - name: app
          image: example.com/app:1.0.0
    ```
    """
    version = _pss.policy_version(ctx)
    allowed: frozenset[str] | None = None  # the safe set, made once a pod sets sysctls (few do)
    suffix = _pss.note(_pss.BASELINE, version, CHECK)
    for pod in _pss.pods(resource, ctx):
        for i, item in iter_maps(pod.spec, ("securityContext", "sysctls")):
            if allowed is None:
                allowed = allowed_sysctls(version)
            name = item.get("name")
            if name is None:
                name = ""
            if isinstance(name, str) and name not in allowed:
                shown = repr(name) if name else "with no name"
                yield Violation(
                    _pss.pod_sc_path(pod, "sysctls", i, "name"),
                    f"{_pss.pod_label(pod)} sets sysctl {shown}, which is not in the safe set {suffix}",
                    at_value=bool(name),
                )


RULE = unsafe_sysctl
