"""missing-required-field: a field the API schema requires is absent (patches are not reported)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.apischema.validate import MISSING_REQUIRED
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.schema._support import API_REFERENCE, CRD_VALIDATION, of_kind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="SCH003",
    name="missing-required-field",
    title="Required field is missing",
    severity=Severity.ERROR,
    pack="schema",
    since="0.1.0",
    tags=("schema", "api-rejects", "kind-aware"),
    remediation="Add the required field.",
    references=(API_REFERENCE, CRD_VALIDATION),
)
def missing_required_field(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports fields that the API schema marks as required and the object leaves out, such as the
    `selector` of an `apps/v1` Deployment, the `name` of a container or the `port` of a Service port. In a
    custom resource, an object its CRD marks `x-kubernetes-embedded-resource` needs `apiVersion` and `kind`
    whatever else the schema says (the API server requires them). Every object needs `metadata.name` (or
    `metadata.generateName`, for which the API server makes a name up), whatever its kind's schema says, but
    for the reviews of `authorization.k8s.io` and `authentication.k8s.io` (`SelfSubjectAccessReview`,
    `TokenReview`, ...), which the API server answers without storing them.
    Patches are not whole objects and are never reported: documents that a linted Kustomization lists as
    patches, strategic-merge fragments that use a `$patch` directive, and files named as patches
    (`patch.yaml`, `*-patch.yaml`, `patches/`).

    ## Why is this bad?
    The API server rejects the object (`spec.selector: Required value`).

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
            - name: web
              image: nginx:1.27
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
            - name: web
              image: nginx:1.27
    ```
    """
    for p in of_kind(resource, ctx, MISSING_REQUIRED):
        yield Violation(p.path, p.message, at_value=p.at_value)


RULE = missing_required_field
