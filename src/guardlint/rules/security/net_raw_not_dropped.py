"""net-raw-not-dropped: a container keeps the NET_RAW capability."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get, get_list
from guardlint.model.workloads import iter_containers, iter_pod_specs
from guardlint.rules.api import FixEdit, Reference, Resource, RuleContext, Severity, Violation, rule, structural_fix
from guardlint.rules.references import CAPABILITIES
from guardlint.rules.security._common import capability

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="SEC032",
    fixable="unsafe",
    name="net-raw-not-dropped",
    pods_only=True,
    title="Container keeps the NET_RAW capability",
    severity=Severity.INFO,
    pack="security",
    since="0.1.0",
    tags=("hardening", "capabilities"),
    remediation='Add NET_RAW (or ALL) to securityContext.capabilities.drop, for example drop: ["ALL"].',
    enabled_by_default=False,
    references=(
        CAPABILITIES,
        Reference("CVE-2020-14386 (packet socket memory corruption)", "https://nvd.nist.gov/vuln/detail/CVE-2020-14386"),
    ),
)
def net_raw_not_dropped(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports init, regular and ephemeral containers that neither drop `NET_RAW` nor `ALL` in
    `securityContext.capabilities.drop`, or that add `NET_RAW` back. Names are read as container runtimes
    read them (case-insensitive, with or without `CAP_`). Privileged containers (reported by
    `privileged-container`) and Windows pods are skipped, and so is a missing drop list on an Istio
    `istio-proxy` container with `image: auto` (Istio's injector gives it its template's, which drops `ALL`).
    Off by default.

    ## Why is this bad?
    Most container runtimes grant `NET_RAW` by default. It lets a process craft raw packets: ARP and DNS
    spoofing of other pods on the node, and access to packet sockets, the attack surface of kernel bugs such
    as CVE-2020-14386. Almost no application needs it (`ping` can use unprivileged ICMP sockets).

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
              securityContext:
                capabilities:
                  drop: [NET_RAW]
    ```
    """
    for pod in iter_pod_specs(resource, ctx.workloads):
        if pod.is_windows:
            continue
        for c in iter_containers(pod):
            if c.get(("securityContext", "privileged")) is True:
                continue
            caps = ("securityContext", "capabilities")
            added = get_list(c.data, (*caps, "add")) or ()
            for i, raw in enumerate(added):
                if isinstance(raw, str) and capability(raw) in ("NET_RAW", "ALL"):
                    yield Violation(
                        (*c.path, *caps, "add", i), f"{c.describe()} adds capability {raw!r}", at_value=True
                    )
                    break
            else:
                written = get(c.data, (*caps, "drop"))
                if written is None:  # Istio's injector drops ALL for its proxy
                    written = c.injected_security_context.get("capabilities", {}).get("drop")
                listed = written if isinstance(written, (list, tuple)) else ()
                dropped = {capability(d) for d in listed if isinstance(d, str)}
                if not dropped & {"NET_RAW", "ALL"}:
                    yield Violation(
                        (*c.path, *caps, "drop"), f"{c.describe()} does not drop NET_RAW (or ALL) capabilities",
                        fix=structural_fix('add "NET_RAW" to capabilities.drop',
                                           FixEdit("append", (*c.path, *caps, "drop"), "NET_RAW")),
                    )


RULE = net_raw_not_dropped
