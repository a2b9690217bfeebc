"""unrendered-placeholder: a template variable left in a field that takes a number, boolean, quantity or object."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.apischema.validate import PLACEHOLDER
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.schema._support import API_REFERENCE, of_kind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="SCH005",
    name="unrendered-placeholder",
    title="Unrendered template placeholder in a typed field",
    severity=Severity.WARNING,
    pack="schema",
    since="0.1.0",
    tags=("schema", "templates", "kind-aware"),
    remediation="Lint the rendered output (envsubst, kustomize replacements, the CI step that fills the "
    "variable), or exclude the template file.",
    references=(API_REFERENCE,),
)
def unrendered_placeholder(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports a `${VAR}`, `${VAR:-default}` or `$(VAR)` placeholder in a field whose type is not a string
    (an integer port, a boolean, a resource quantity, a list or mapping), instead of reporting it as a
    wrong type. Placeholders in string fields are not reported: the API accepts them as text.

    ## Why is this bad?
    The file is a template, not a manifest: applied as it is, the API server rejects it. If it is meant to
    be rendered first (envsubst, a CI substitution step), guardlint should lint the rendered output, where
    it can also check the values.

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
          ports:
            - containerPort: ${PORT}
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
          ports:
            - containerPort: 8080
    ```
    """
    for p in of_kind(resource, ctx, PLACEHOLDER):
        yield Violation(p.path, p.message, at_value=p.at_value)


RULE = unrendered_placeholder
