"""privileged-container: a container runs in privileged mode."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.workloads import iter_all_containers
from guardlint.rules.api import FixEdit, Resource, RuleContext, Severity, Violation, rule, structural_fix
from guardlint.rules.references import SECURITY_CONTEXT
from guardlint.rules.security import _pss

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CHECK = "privileged"


@rule(
    code="SEC003",
    fixable="unsafe",
    name="privileged-container",
    pods_only=True,
    title="Container runs in privileged mode",
    severity=Severity.ERROR,
    pack="security",
    since="0.1.0",
    tags=_pss.TAGS_BASELINE,
    remediation="Remove securityContext.privileged or set it to false; add only the capabilities the container needs.",
    references=(
        _pss.PSS_BASELINE_REF,
        SECURITY_CONTEXT,
    ),
    extra=_pss.extra("Privileged Containers", _pss.BASELINE, CHECK, "1.0"),
)
def privileged_container(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports every container, init container and ephemeral container whose `securityContext.privileged`
    is `true`. This is the `privileged` check of the Pod Security Standards, level baseline, at every policy
    version. Only a real boolean `true` counts: the string `"true"` is a type error the API server rejects.

    ## Why is this bad?
    A privileged container runs with every capability and sees every device of the node, with no
    seccomp or AppArmor confinement: a process that escapes its container owns the node. The Pod Security
    Standards forbid it from the baseline level up, so Pod Security Admission rejects such pods in
    namespaces labelled `baseline` or `restricted`.

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
            privileged: true
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
            privileged: false
    ```
    """
    for c in iter_all_containers(resource, ctx.workloads):
        if c.get(("securityContext", "privileged")) is True:
            suffix = _pss.note(_pss.BASELINE, _pss.policy_version(ctx), CHECK)  # (only for a finding)
            path = (*c.path, "securityContext", "privileged")
            yield Violation(path, f"{c.describe()} sets securityContext.privileged=true {suffix}",
                            fix=structural_fix("remove privileged: true", FixEdit("remove", path)))


RULE = privileged_container
