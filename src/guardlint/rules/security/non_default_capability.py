"""non-default-capability: a container adds a capability outside the baseline set (PSS capabilities_baseline)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import CAPABILITIES
from guardlint.rules.security import _pss

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CHECK = "capabilities_baseline"


@rule(
    code="SEC004",
    name="non-default-capability",
    # Gate: the rule yields nothing when this does not hold: a finding is on an entry of a container's
    # securityContext.capabilities.add (``_pss.capabilities_baseline``).
    gates=("security-context-options",),
    pods_only=True,
    title="Container adds a capability outside the baseline set",
    severity=Severity.ERROR,
    pack="security",
    since="0.1.0",
    tags=_pss.TAGS_BASELINE_ONLY,
    remediation=(
        "Remove the capability from securityContext.capabilities.add; the baseline level allows only AUDIT_WRITE, "
        "CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID and "
        "SYS_CHROOT, spelled exactly so."
    ),
    references=(
        _pss.PSS_BASELINE_REF,
        CAPABILITIES,
    ),
    enabled_by_default=False,
    extra=_pss.extra("Capabilities", _pss.BASELINE, CHECK, "1.0"),
)
def non_default_capability(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports every entry of `securityContext.capabilities.add`, on init, regular and ephemeral containers,
    that is not one of the 13 capabilities the baseline level allows: `AUDIT_WRITE`, `CHOWN`,
    `DAC_OVERRIDE`, `FOWNER`, `FSETID`, `KILL`, `MKNOD`, `NET_BIND_SERVICE`, `SETFCAP`, `SETGID`,
    `SETPCAP`, `SETUID`, `SYS_CHROOT`. The comparison is exact, as in the reference implementation:
    `chown` and `CAP_CHOWN` are reported too. This is the `capabilities_baseline` check of the Pod Security
    Standards at every policy version.

    The restricted level replaces this check from policy 1.22 with `capabilities_restricted`
    (rule `unrestricted-capabilities`, which evaluates this check itself before 1.22), so the rule is tagged
    `pss-baseline` only. It is off by default: the default set reports the dangerous capabilities through
    `dangerous-capability`.

    ## Why is this bad?
    Capabilities outside the container runtime's default set (`NET_RAW`, `SYS_ADMIN`, `NET_ADMIN`,
    `SYS_PTRACE`, ...) give a process powers over the node's kernel that let it break out of the
    container or attack its neighbours. The Pod Security Standards allow only the default set from the
    baseline level (https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline).

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: ping
    spec:
      containers:
        - name: ping
          image: busybox:1.36
          securityContext:
            capabilities:
              add: [NET_RAW]
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: ping
    spec:
      containers:
        - name: ping
          image: busybox:1.36
          securityContext:
            capabilities:
              add: [NET_BIND_SERVICE]
    ```
    """
    suffix = _pss.note(_pss.BASELINE, _pss.policy_version(ctx), CHECK)
    for pod in _pss.pods(resource, ctx):
        yield from _pss.capabilities_baseline(pod, suffix)


RULE = non_default_capability
