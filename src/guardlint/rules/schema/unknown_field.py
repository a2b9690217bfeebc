"""unknown-field: a field the object's API schema does not define (a typo, or a field at the wrong level)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.apischema.validate import UNKNOWN_FIELD
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.schema._support import API_REFERENCE, CRD_VALIDATION, FIELD_VALIDATION, of_kind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="SCH001",
    name="unknown-field",
    title="Field is not part of the object's API schema",
    severity=Severity.ERROR,
    pack="schema",
    since="0.1.0",
    tags=("schema", "api-rejects", "kind-aware"),
    remediation="Fix the field name (see the suggestion) or move the field to where the API defines it.",
    references=(FIELD_VALIDATION, API_REFERENCE, CRD_VALIDATION),
)
def unknown_field(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports every field that the object's schema does not define, for built-in kinds (the OpenAPI schema of
    the target Kubernetes version, `kubernetes-version`) and for custom resources whose
    CustomResourceDefinition is among the linted files. The message suggests the closest defined field
    (`securityContex` -> `securityContext`). Strategic-merge directives (`$patch`, `$setElementOrder/...`)
    in patches are not fields and are not reported, nor is the `sops` metadata of a file encrypted with SOPS
    (it is applied decrypted, without that key).

    ## Why is this bad?
    `kubectl apply` (strict field validation, the default) and server-side apply reject the object; older
    clients and tools that skip validation drop the field silently, so a misspelled `securityContext`
    means the container runs without any of the settings it was meant to have, and every other rule of
    guardlint reads the object as if the settings were absent.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
          securityContex:
            runAsNonRoot: true
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
          securityContext:
            runAsNonRoot: true
    ```
    """
    for p in of_kind(resource, ctx, UNKNOWN_FIELD):
        yield Violation(p.path, p.message, at_value=p.at_value)


RULE = unknown_field
