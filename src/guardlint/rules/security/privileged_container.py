"""privileged-container: a container runs in privileged mode."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from guardlint.findings import Severity
from guardlint.model.resource import Resource
from guardlint.model.workloads import iter_all_containers
from guardlint.rules.api import Reference, RuleContext, Violation, rule


@rule(
    code="SEC003",
    name="privileged-container",
    title="Container runs in privileged mode",
    severity=Severity.ERROR,
    pack="security",
    tags=("pss", "pss-baseline", "pss-restricted"),
    remediation="Remove securityContext.privileged or set it to false; add only the capabilities the container needs.",
    references=(
        Reference(
            "Pod Security Standards: Privileged Containers",
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
        ),
    ),
    extra={"pss-control": "Privileged Containers", "pss-level": "baseline", "pss-check": "privileged"},
)
def privileged_container(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports every container, init container and ephemeral container whose `securityContext.privileged`
    is `true`.

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
            yield Violation(
                (*c.path, "securityContext", "privileged"),
                f"{c.describe()} sets securityContext.privileged to true, which the Pod Security Standards "
                "forbid from the baseline level",
            )


RULE = privileged_container
