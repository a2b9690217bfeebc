"""root-user-id: a pod or container sets runAsUser to 0 (PSS runAsUser)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get_int
from guardlint.model.workloads import iter_containers
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import SECURITY_CONTEXT
from guardlint.rules.security import _pss

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CHECK = "runAsUser"
SINCE = (1, 23)
USER_NAMESPACE_SINCE = (1, 35)


@rule(
    code="SEC016",
    name="root-user-id",
    pods_only=True,
    title="Pod or container runs as user ID 0",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=_pss.TAGS_RESTRICTED,
    remediation="Set runAsUser to a non-zero user ID (or remove it and set runAsNonRoot: true).",
    references=(
        _pss.PSS_RESTRICTED_REF,
        SECURITY_CONTEXT,
    ),
    enabled_by_default=False,
    extra=_pss.extra("Running as Non-root user", _pss.RESTRICTED, CHECK, "1.23, 1.35 (hostUsers: false exempt)"),
)
def root_user_id(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports `runAsUser: 0` in the pod's `securityContext` and on every init, regular and ephemeral
    container; each level is judged on its own, so a pod-level `0` is reported even if every container
    sets another user. Unset and non-zero values pass. The check exists from policy 1.23, and from 1.35
    pods with `hostUsers: false` are exempt. This is the `runAsUser` check of the Pod Security Standards,
    level restricted.

    ## Why is this bad?
    User ID 0 is root: it defeats `runAsNonRoot` and gives the process root's rights on anything the
    container can reach on the node. The restricted level forbids it
    (https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted).

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: tools
    spec:
      securityContext:
        runAsUser: 0
      containers:
        - name: tools
          image: example.com/tools:1.0.0
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: tools
    spec:
      securityContext:
        runAsUser: 10001
      containers:
        - name: tools
          image: example.com/tools:1.0.0
    ```
    """
    version = _pss.policy_version(ctx)
    if version < SINCE:
        return
    suffix = _pss.note(_pss.RESTRICTED, version, CHECK)
    for pod in _pss.pods(resource, ctx):
        if version >= USER_NAMESPACE_SINCE and _pss.user_namespace(pod):
            continue
        if get_int(pod.spec, ("securityContext", "runAsUser")) == 0:
            yield Violation(
                _pss.pod_sc_path(pod, "runAsUser"),
                f"{_pss.pod_label(pod)} sets securityContext.runAsUser=0 {suffix}",
                at_value=True,
            )
        for c in iter_containers(pod):
            if get_int(c.data, ("securityContext", "runAsUser")) == 0:
                yield Violation(
                    _pss.c_sc_path(c, "runAsUser"),
                    f"{c.describe()} sets securityContext.runAsUser=0 {suffix}",
                    at_value=True,
                )


RULE = root_user_id
