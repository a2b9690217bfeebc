"""dangerous-capability: a container adds a Linux capability that gives power over the node."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.access import get_list
from guardlint.model.workloads import iter_containers, iter_pod_specs
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param
from guardlint.rules.references import CAPABILITIES
from guardlint.rules.security._common import capability

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated

WHY = {
    "ALL": "every capability, as good as a privileged container",
    "SYS_ADMIN": "mount, namespaces, BPF and many more: the usual container escape",
    "NET_ADMIN": "reconfigures interfaces, routes and firewall rules of the pod's network",
    "SYS_PTRACE": "reads and changes the memory of other processes",
    "SYS_MODULE": "loads kernel modules into the node's kernel",
    "SYS_RAWIO": "raw access to devices and I/O ports",
    "SYS_BOOT": "reboots the node and loads new kernels",
    "SYS_TIME": "changes the node's clock",
    "BPF": "loads BPF programs into the node's kernel",
    "PERFMON": "reads kernel performance data and attaches BPF tracing",
    "DAC_READ_SEARCH": "reads any file by handle, the 'shocker' container escape",
    "MAC_ADMIN": "changes the node's AppArmor or SELinux policy",
    "MAC_OVERRIDE": "bypasses AppArmor or SELinux",
    "SYSLOG": "reads kernel addresses from the kernel log",
    "LINUX_IMMUTABLE": "changes immutable and append-only file flags",
}


class Params(NamedTuple):
    capabilities: Annotated[tuple[str, ...], param(
        "Capabilities to report when added, without the CAP_ prefix (matched case-insensitively, with or without "
        "CAP_, as container runtimes read them).",
        unique_items=True,
        items={"pattern": "^[A-Za-z_]+$"},
    )] = tuple(WHY)


@rule(
    code="SEC031",
    name="dangerous-capability",
    # Gate: the rule yields nothing when this does not hold: a finding is on an entry of a container's
    # securityContext.capabilities.add.
    gates=("security-context-options",),
    pods_only=True,
    title="Container adds a dangerous Linux capability",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=("hardening", "capabilities"),
    remediation=(
        "Remove the capability from securityContext.capabilities.add, or move the privileged work into a dedicated, "
        "reviewed component."
    ),
    params=Params,
    references=(
        CAPABILITIES,
        Reference("capabilities(7)", "https://man7.org/linux/man-pages/man7/capabilities.7.html"),
    ),
)
def dangerous_capability(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports entries of `securityContext.capabilities.add`, on init, regular and ephemeral containers, that
    name a capability of the `capabilities` list: by default `ALL`, `SYS_ADMIN`, `NET_ADMIN`, `SYS_PTRACE`,
    `SYS_MODULE`, `SYS_RAWIO`, `SYS_BOOT`, `SYS_TIME`, `BPF`, `PERFMON`, `DAC_READ_SEARCH`, `MAC_ADMIN`,
    `MAC_OVERRIDE`, `SYSLOG` and `LINUX_IMMUTABLE`. Names are read the way container runtimes read them:
    `cap_sys_admin` and `CAP_SYS_ADMIN` are `SYS_ADMIN`.

    Unlike the Pod Security Standards check `non-default-capability` (off by default), which reports every
    capability outside the runtime default set, this rule reports only the capabilities that give power over
    the node or its neighbours.

    ## Why is this bad?
    These capabilities let a process load kernel modules, mount file systems, trace other processes or
    reconfigure the network: the building blocks of container escapes (for example `SYS_ADMIN` with cgroup
    release agents, `DAC_READ_SEARCH` with `open_by_handle_at`). See capabilities(7) and
    https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: debug
    spec:
      containers:
        - name: shell
          image: busybox:1.36
          securityContext:
            capabilities:
              add: [SYS_PTRACE]
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: debug
    spec:
      containers:
        - name: shell
          image: busybox:1.36
          securityContext:
            capabilities:
              drop: [ALL]
    ```
    """
    wanted: set[str] | None = None  # read from the parameters once a container adds a capability (few do)
    for pod in iter_pod_specs(resource, ctx.workloads):
        for c in iter_containers(pod):
            for i, raw in enumerate(get_list(c.data, ("securityContext", "capabilities", "add")) or ()):
                if not isinstance(raw, str):
                    continue
                if wanted is None:
                    wanted = {capability(name) for name in params.capabilities}
                cap = capability(raw)
                if cap not in wanted:
                    continue
                why = WHY.get(cap)
                detail = f" ({why})" if why else ""
                yield Violation(
                    (*c.path, "securityContext", "capabilities", "add", i),
                    f"{c.describe()} adds capability {raw!r}{detail}",
                    at_value=True,
                )


RULE = dangerous_capability
