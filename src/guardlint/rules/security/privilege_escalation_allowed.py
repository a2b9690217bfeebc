"""privilege-escalation-allowed: a container does not set allowPrivilegeEscalation to false (PSS)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.workloads import iter_containers
from guardlint.rules.api import Fix, FixEdit, Resource, RuleContext, Severity, Violation, rule, structural_fix
from guardlint.rules.references import SECURITY_CONTEXT
from guardlint.rules.security import _pss

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CHECK = "allowPrivilegeEscalation"
SINCE = (1, 8)
WINDOWS_EXEMPT_SINCE = (1, 25)


@rule(
    code="SEC014",
    fixable="unsafe",
    name="privilege-escalation-allowed",
    pods_only=True,
    title="Container does not forbid privilege escalation",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=_pss.TAGS_RESTRICTED,
    remediation=(
        "Set securityContext.allowPrivilegeEscalation: false on every container, init container and ephemeral "
        "container."
    ),
    references=(
        _pss.PSS_RESTRICTED_REF,
        SECURITY_CONTEXT,
    ),
    enabled_by_default=False,
    extra=_pss.extra("Privilege Escalation", _pss.RESTRICTED, CHECK, "1.8, 1.25 (Windows pods exempt)"),
)
def privilege_escalation_allowed(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports every init, regular and ephemeral container whose `securityContext.allowPrivilegeEscalation`
    is not explicitly `false`, whether it is `true`, unset or not a boolean; there is no pod-level field.
    From policy 1.25 pods with `spec.os.name: windows` are exempt; before policy 1.8 the check does not
    exist. This is the `allowPrivilegeEscalation` check of the Pod Security Standards, level restricted.
    An Istio `istio-proxy` container with `image: auto` that leaves the field out is not reported: Istio's
    injector merges it onto the proxy container of its injection template, which sets `false` (with the
    mesh's default settings) before admission judges the pod.

    ## Why is this bad?
    Unless `allowPrivilegeEscalation` is false, a process can gain more privileges than its parent
    through setuid binaries or file capabilities (the kernel's `no_new_privs` flag stays off). The
    restricted level requires containers to turn it off explicitly
    (https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted).

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: api
    spec:
      containers:
        - name: api
          image: example.com/api:4.2.0
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: api
    spec:
      containers:
        - name: api
          image: example.com/api:4.2.0
          securityContext:
            allowPrivilegeEscalation: false
    ```
    """
    version = _pss.policy_version(ctx)
    if version < SINCE:
        return
    suffix = _pss.note(_pss.RESTRICTED, version, CHECK)
    for pod in _pss.pods(resource, ctx):
        if version >= WINDOWS_EXEMPT_SINCE and pod.is_windows:
            continue
        for c in iter_containers(pod):
            value = c.get(("securityContext", "allowPrivilegeEscalation"))
            if value is None:  # Istio's injector fills it in for its proxy
                value = c.injected_security_context.get("allowPrivilegeEscalation")
            if value is False:
                continue
            if value is True:
                text = "sets securityContext.allowPrivilegeEscalation=true"
            elif value is None:
                text = "does not set securityContext.allowPrivilegeEscalation=false"
            else:
                text = f"sets securityContext.allowPrivilegeEscalation to {value!r}, which is not the boolean false"
            path = _pss.c_sc_path(c, "allowPrivilegeEscalation")
            what = "set allowPrivilegeEscalation to false"
            fix = Fix("false", what) if value is not None else structural_fix(what, FixEdit("set", path, False))
            yield Violation(path, f"{c.describe()} {text} {suffix}", fix=fix)


RULE = privilege_escalation_allowed
