"""invalid-suppression: a malformed suppression, one without a reason or one naming no rule (found by the engine).

The engine produces this rule's findings itself; ``check`` yields nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from guardlint.findings import Severity
from guardlint.model.resource import Resource
from guardlint.rules.api import RuleContext, Violation, rule


@rule(
    code="GL103",
    name="invalid-suppression",
    title="Suppression is malformed, has no reason or names an unknown rule",
    severity=Severity.ERROR,
    pack="core",
    since="0.1.0",
    tags=("suppression",),
    remediation="Write 'guardlint: ignore <rule-name> -- <reason>' (or the annotation with a non-empty reason).",
    engine=True,
)
def invalid_suppression(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports a suppression that guardlint cannot honour: a comment directive without a rule name or without a
    reason after ` -- `, an annotation with an empty value, or a rule name that does not exist. Such a
    suppression suppresses nothing.

    ## Why is this bad?
    Every exception to a policy should say why it exists, so that reviewers and later readers can judge it.
    A typo in the rule name would otherwise silently fail to suppress, or worse, look like it did.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      annotations:
        ignore.guardlint.dev/privileged-container: ""
    spec:
      containers:
        - name: web
          image: nginx:1.27
          securityContext: {privileged: true}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      annotations:
        ignore.guardlint.dev/privileged-container: "CNI agent; needs to configure host networking"
    spec:
      containers:
        - name: web
          image: nginx:1.27
          securityContext: {privileged: true}
    ```"""
    return iter(())


RULE = invalid_suppression
