"""unmasked-proc-mount: a container unmasks /proc outside a user namespace (PSS procMount)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import USER_NAMESPACES
from guardlint.rules.security import _pss

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CHECK = "procMount"


@rule(
    code="SEC010",
    fixable="unsafe",
    name="unmasked-proc-mount",
    # Gate: the rule yields nothing when this does not hold: a finding is on a container's securityContext.procMount
    # (``_pss.proc_mount``).
    gates=("security-context-options",),
    pods_only=True,
    title="Container sets a non-default /proc mount type",
    severity=Severity.ERROR,
    pack="security",
    since="0.1.0",
    tags=_pss.TAGS_BASELINE_ONLY,
    remediation="Remove securityContext.procMount or set it to Default.",
    references=(
        _pss.PSS_BASELINE_REF,
        USER_NAMESPACES,
    ),
    extra=_pss.extra("/proc Mount Type", _pss.BASELINE, CHECK, "1.0, 1.35"),
)
def unmasked_proc_mount(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports `securityContext.procMount` set to anything but `Default` (usually `Unmasked`) on init, regular
    and ephemeral containers. From policy 1.35 a pod with `hostUsers: false` (its own user namespace) may
    use any value. This is the `procMount` check of the Pod Security Standards, level baseline.

    The restricted level replaces this check from policy 1.35 with `procMount_restricted` (rule
    `unmasked-proc-mount-restricted`, which has no user-namespace exception), so this rule is tagged
    `pss-baseline` only.

    ## Why is this bad?
    The container runtime masks and makes read-only parts of `/proc` (`/proc/kcore`, `/proc/sys`,
    `/proc/sysrq-trigger`, ...) that expose or change the node's kernel. `Unmasked` removes that
    protection; outside a user namespace it is a path to the node. The Pod Security Standards forbid it from
    the baseline level (https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline).

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: builder
    spec:
      containers:
        - name: builder
          image: quay.io/buildah/stable:v1.37
          securityContext:
            procMount: Unmasked
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: builder
    spec:
      hostUsers: false
      containers:
        - name: builder
          image: quay.io/buildah/stable:v1.37
          securityContext:
            procMount: Unmasked
    ```
    """
    version = _pss.policy_version(ctx)
    suffix = _pss.note(_pss.BASELINE, version, CHECK)
    for pod in _pss.pods(resource, ctx):
        if version >= (1, 35) and _pss.user_namespace(pod):
            continue
        yield from _pss.proc_mount(pod, suffix)


RULE = unmasked_proc_mount
