"""wrong-field-type: a value of the wrong type for its field (a string for an integer, a number for a string...)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.apischema.validate import WRONG_TYPE
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.schema._support import API_REFERENCE, CRD_VALIDATION, of_kind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="SCH002",
    name="wrong-field-type",
    title="Field value has the wrong type",
    severity=Severity.ERROR,
    pack="schema",
    since="0.1.0",
    tags=("schema", "api-rejects", "kind-aware"),
    remediation="Write the value with the type the field takes: remove quotes around numbers and booleans, "
    "quote strings that look like numbers.",
    references=(API_REFERENCE, CRD_VALIDATION),
)
def wrong_field_type(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports values whose YAML type is not the type of their field in the API schema: `containerPort:
    "8080"` (a string where the API takes an integer), `replicas: two`, a label value `version: 1.0` (a
    number where the API takes a string), a mapping where a list is expected. Fields that take an integer
    or a string (`targetPort`, `maxSurge`) accept both; `null` is accepted everywhere (it means unset). In a
    file encrypted with SOPS, the values it encrypted (`ENC[AES256_GCM,...]`) are not judged: the API reads
    them decrypted.

    ## Why is this bad?
    The API server cannot decode the object and rejects it (`cannot unmarshal string into Go struct field
    ContainerPort.containerPort of type int32`), so the deployment fails at apply time, often in a pipeline
    far from the change that broke it.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      labels:
        version: 1.0
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - containerPort: "8080"
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      labels:
        version: "1.0"
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - containerPort: 8080
    ```
    """
    for p in of_kind(resource, ctx, WRONG_TYPE):
        yield Violation(p.path, p.message, at_value=p.at_value)


RULE = wrong_field_type
