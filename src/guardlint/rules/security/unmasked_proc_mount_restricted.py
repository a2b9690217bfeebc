"""unmasked-proc-mount-restricted: a container sets a non-default /proc mount type (PSS procMount_restricted)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import USER_NAMESPACES
from guardlint.rules.security import _pss

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CHECK = "procMount_restricted"
BASELINE_CHECK = "procMount"
SINCE = (1, 35)


@rule(
    code="SEC019",
    fixable="unsafe",
    name="unmasked-proc-mount-restricted",
    # Gate: the rule yields nothing when this does not hold: a finding is on a container's securityContext.procMount
    # (``_pss.proc_mount``).
    gates=("security-context-options",),
    pods_only=True,
    title="Container sets a non-default /proc mount type, even in a user namespace",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=_pss.TAGS_RESTRICTED,
    remediation="Remove securityContext.procMount or set it to Default.",
    references=(
        _pss.PSS_RESTRICTED_REF,
        USER_NAMESPACES,
    ),
    enabled_by_default=False,
    extra=_pss.extra(
        "/proc Mount Type", _pss.RESTRICTED, CHECK, "1.35; before 1.35: procMount", replaces="procMount"
    ),
)
def unmasked_proc_mount_restricted(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports `securityContext.procMount` set to anything but `Default` on init, regular and ephemeral
    containers, whether or not the pod has its own user namespace (`hostUsers: false`). This is the
    `procMount_restricted` check of the Pod Security Standards, level restricted, from policy 1.35, where it
    replaces the baseline `procMount` check (rule `unmasked-proc-mount`) at the restricted level; before
    1.35 the rule evaluates that baseline check, which then had no user-namespace exception either.

    ## Why is this bad?
    An unmasked `/proc` exposes kernel interfaces (`/proc/sys`, `/proc/sysrq-trigger`, `/proc/kcore`)
    that the runtime normally hides. A user namespace limits the damage, which is why baseline allows it
    there from 1.35, but the restricted level keeps forbidding it
    (https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted).

    ## Example
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
            procMount: Default
    ```
    """
    version = _pss.policy_version(ctx)
    suffix = _pss.note(_pss.RESTRICTED, version, CHECK if version >= SINCE else BASELINE_CHECK)
    for pod in _pss.pods(resource, ctx):
        yield from _pss.proc_mount(pod, suffix)


RULE = unmasked_proc_mount_restricted
