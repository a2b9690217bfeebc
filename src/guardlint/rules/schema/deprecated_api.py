"""deprecated-api: the object's apiVersion/kind is deprecated in the target Kubernetes version."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.schema._support import DEPRECATION_GUIDE, lifecycle_of, successor_fix

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    fixable="unsafe",
    code="SCH011",
    name="deprecated-api",
    title="API version is deprecated in the target Kubernetes version",
    severity=Severity.WARNING,
    pack="schema",
    since="0.1.0",
    tags=("schema", "api-lifecycle"),
    remediation="Move the object to the replacement apiVersion the message names before the release that "
    "removes the old one.",
    references=(DEPRECATION_GUIDE,),
)
def deprecated_api(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports objects whose apiVersion/kind is deprecated in the target Kubernetes version
    (`kubernetes-version`) but still served, with the release that removes it and the replacement:
    `autoscaling/v2beta2 HorizontalPodAutoscaler is deprecated since Kubernetes 1.23 and removed in 1.26;
    use autoscaling/v2`. It also reports custom resources of a version that the CustomResourceDefinitions
    among the linted files mark `deprecated: true` (quoting the CRD's `deprecationWarning`, which the API
    server returns with every request, or else the server's default warning, which names the newest served,
    undeprecated version after the deprecated one), unless one of them serves the version undeprecated. When
    the warning names no replacement, the message adds one: a served, undeprecated version after the
    deprecated one, or the one the CRD stores, the stored one first.

    ## Why is this bad?
    The object works today and breaks at the upgrade that removes the API; the API server already answers
    with a deprecation warning.

    ## Example
    ```yaml
    # kubernetes-version: 1.24
    apiVersion: batch/v1beta1
    kind: CronJob
    metadata:
      name: report
    spec:
      schedule: "0 3 * * *"
      jobTemplate:
        spec:
          template:
            spec:
              restartPolicy: OnFailure
              containers:
                - name: report
                  image: example.com/report:1.0
    ```

    ## Use instead
    ```yaml
    # kubernetes-version: 1.24
    apiVersion: batch/v1
    kind: CronJob
    metadata:
      name: report
    spec:
      schedule: "0 3 * * *"
      jobTemplate:
        spec:
          template:
            spec:
              restartPolicy: OnFailure
              containers:
                - name: report
                  image: example.com/report:1.0
    ```
    """
    state = lifecycle_of(resource, ctx)
    if state.state == "deprecated":
        yield Violation(("apiVersion",), state.message, at_value=True, fix=successor_fix(resource, ctx))


RULE = deprecated_api
