"""forbidden-selinux-options: a pod or container sets a custom SELinux type, user or role (PSS seLinuxOptions)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint.model.access import get_map
from guardlint.model.paths import FieldPath
from guardlint.model.workloads import iter_containers
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.security import _pss

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CHECK = "seLinuxOptions"
TYPES_1_0 = frozenset({"", "container_t", "container_init_t", "container_kvm_t"})
TYPES_1_31 = TYPES_1_0 | {"container_engine_t"}


@rule(
    code="SEC009",
    name="forbidden-selinux-options",
    # Gate: the rule yields nothing when this does not hold: a finding is on a pod's or container's
    # securityContext.seLinuxOptions.
    gates=("security-context-options",),
    pods_only=True,
    title="Pod or container sets a forbidden SELinux type, user or role",
    severity=Severity.ERROR,
    pack="security",
    since="0.1.0",
    tags=_pss.TAGS_BASELINE,
    remediation=(
        "Remove seLinuxOptions.user and seLinuxOptions.role, and leave seLinuxOptions.type unset or use "
        "container_t, container_init_t, container_kvm_t or (from 1.31) container_engine_t."
    ),
    references=(
        _pss.PSS_BASELINE_REF,
        Reference(
            "Kubernetes: Assign SELinux labels to a Container",
            "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#assign-selinux-labels-to-a-container",
        ),
    ),
    extra=_pss.extra("SELinux", _pss.BASELINE, CHECK, "1.0, 1.31"),
)
def forbidden_selinux_options(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports `seLinuxOptions` in the pod's `securityContext` or on any init, regular or ephemeral container
    that set a `type` other than `container_t`, `container_init_t`, `container_kvm_t` (and, from policy
    1.31, `container_engine_t`), or that set a non-empty `user` or `role`. `level` is not checked. This is
    the `seLinuxOptions` check of the Pod Security Standards, level baseline.

    ## Why is this bad?
    The SELinux type decides what a container's processes may touch on the node. A custom type such as
    `spc_t` (super-privileged container) or `unconfined_t`, or a custom user or role, can lift the
    confinement entirely. The Pod Security Standards forbid them from the baseline level
    (https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline).

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: agent
    spec:
      securityContext:
        seLinuxOptions:
          type: spc_t
      containers:
        - name: agent
          image: example.com/agent:2.0.1
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: agent
    spec:
      securityContext:
        seLinuxOptions:
          level: "s0:c123,c456"
      containers:
        - name: agent
          image: example.com/agent:2.0.1
    ```
    """
    version = _pss.policy_version(ctx)
    allowed = TYPES_1_31 if version >= (1, 31) else TYPES_1_0
    suffix = _pss.note(_pss.BASELINE, version, CHECK)
    for pod in _pss.pods(resource, ctx):
        yield from _options(pod.spec, _pss.pod_sc_path(pod), _pss.pod_label(pod), allowed, suffix)
        for c in iter_containers(pod):
            yield from _options(c.data, _pss.c_sc_path(c), c.describe(), allowed, suffix)


def _options(
    owner: Mapping[str, Any], sc_path: FieldPath, who: str, allowed: frozenset[str], suffix: str
) -> Iterator[Violation]:
    options = get_map(owner, ("securityContext", "seLinuxOptions"))
    if options is None:
        return
    kind = options.get("type")
    if isinstance(kind, str) and kind not in allowed:
        yield Violation(
            (*sc_path, "seLinuxOptions", "type"),
            f"{who} sets SELinux type {kind!r} {suffix}",
            at_value=True,
        )
    for key in ("user", "role"):
        value = options.get(key)
        if isinstance(value, str) and value:
            yield Violation(
                (*sc_path, "seLinuxOptions", key),
                f"{who} sets SELinux {key} {value!r}, which may not be set {suffix}",
                at_value=True,
            )


RULE = forbidden_selinux_options
