"""api-not-yet-available: the object's apiVersion/kind appears only in a later Kubernetes version."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.schema._support import API_REFERENCE, lifecycle_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="SCH012",
    name="api-not-yet-available",
    title="API version is not available yet in the target Kubernetes version",
    severity=Severity.ERROR,
    pack="schema",
    since="0.1.0",
    tags=("schema", "api-lifecycle", "api-rejects"),
    remediation="Use an apiVersion the target version serves, upgrade the cluster first, or set "
    "kubernetes-version to the cluster's real version.",
    references=(API_REFERENCE,),
)
def api_not_yet_available(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports objects whose apiVersion/kind the target Kubernetes version (`kubernetes-version`) does not
    serve yet because a later release introduced it: a `resource.k8s.io/v1` ResourceClaim (1.34) for a
    1.30 cluster. Known from the API specification of every release from 1.11 on.

    ## Why is this bad?
    The API server answers `no matches for kind`: the object cannot be applied to the cluster it is meant
    for.

    ## Example
    ```yaml
    # kubernetes-version: 1.30
    apiVersion: networking.k8s.io/v1
    kind: ServiceCIDR
    metadata:
      name: extra
    spec:
      cidrs: ["10.100.0.0/16"]
    ```

    ## Use instead
    ```yaml
    # kubernetes-version: 1.30
    apiVersion: networking.k8s.io/v1alpha1
    kind: ServiceCIDR
    metadata:
      name: extra
    spec:
      cidrs: ["10.100.0.0/16"]
    ```
    """
    state = lifecycle_of(resource, ctx)
    if state.state == "not-yet":
        yield Violation(("apiVersion",), state.message, at_value=True)


RULE = api_not_yet_available
