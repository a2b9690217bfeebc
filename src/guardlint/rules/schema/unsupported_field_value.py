"""unsupported-field-value: a value the field does not accept (an enum value, a quantity, base64, a range...)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.apischema.validate import BAD_VALUE
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.schema._support import API_REFERENCE, CRD_VALIDATION, of_kind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="SCH004",
    name="unsupported-field-value",
    title="Field value is not one the API accepts",
    severity=Severity.ERROR,
    pack="schema",
    since="0.1.0",
    tags=("schema", "api-rejects", "kind-aware"),
    remediation="Use one of the values the message lists, or a value in the form the field takes.",
    references=(API_REFERENCE, CRD_VALIDATION),
)
def unsupported_field_value(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports values of the right type that the field still does not accept: a value outside the field's
    fixed set (`imagePullPolicy: always`, `restartPolicy: Sometimes`, a Service `type: Loadbalancer`), a
    resource quantity the API cannot parse (`memory: 1gb`, `nvidia.com/gpu: abc`), Secret `data` that is
    not base64, an integer out of its field's range; for custom resources also the CRD's `enum`,
    `pattern`, `minimum`/`maximum` and length limits, and duplicates in a list the CRD declares a set
    (`x-kubernetes-list-type: set`: the same value twice) or a map (`x-kubernetes-list-type: map`: two items
    with the same `x-kubernetes-list-map-keys`, defaults filled in), reported at the second item. Built-in
    fields with a fixed set accept an empty string (the API applies the default). In a file encrypted with
    SOPS, the values it encrypted (`ENC[AES256_GCM,...]`) are not judged: the API reads them decrypted.

    ## Why is this bad?
    The API server rejects the object (`Unsupported value: "always": supported values: "Always",
    "IfNotPresent", "Never"`; `quantities must match the regular expression`; `Duplicate value`).

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
          imagePullPolicy: always
          resources:
            limits:
              memory: 1gb
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
          imagePullPolicy: Always
          resources:
            limits:
              memory: 1Gi
    ```
    """
    for p in of_kind(resource, ctx, BAD_VALUE):
        yield Violation(p.path, p.message, at_value=p.at_value)


RULE = unsupported_field_value
