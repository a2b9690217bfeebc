"""pdb-without-budget: a PodDisruptionBudget that sets neither minAvailable nor maxUnavailable protects nothing."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import PDB
from guardlint.rules.resources._common import is_partial_object

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="RES108",
    name="pdb-without-budget",
    title="PodDisruptionBudget sets neither minAvailable nor maxUnavailable",
    severity=Severity.WARNING,
    pack="resources",
    since="0.3.0",
    status="preview",
    tags=("availability",),
    remediation="Set spec.minAvailable or spec.maxUnavailable (for example maxUnavailable: 1).",
    kinds=("PodDisruptionBudget",),
    references=(PDB,),
)
def pdb_without_budget(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports a `policy/v1` PodDisruptionBudget whose `spec` sets neither `minAvailable` nor `maxUnavailable`
    (absent or null, as a Helm value left empty renders them), including one with no `spec` at all (or
    `spec: null`, `spec: {}`): the API server accepts all of them, since no field of the spec is required.
    A patch (a kustomize patch, a strategic-merge fragment) is not judged: the object it patches has the
    budget.

    ## Why is this bad?
    With neither field, the disruption controller expects no pod to stay healthy: every voluntary eviction
    of the selected pods is allowed, so a node drain may take them all down at once. The budget looks like
    protection and gives none; usually a templated value was left empty.

    ## Example
    ```yaml
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: web
    spec:
      selector:
        matchLabels: {app: web}
    ```

    ## Use instead
    ```yaml
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: web
    spec:
      maxUnavailable: 1
      selector:
        matchLabels: {app: web}
    ```
    """
    if resource.api_version != "policy/v1":
        return
    spec = resource.data.get("spec")
    if spec is not None and not isinstance(spec, dict):
        return  # a spec the API server cannot decode is wrong-field-type's finding
    if spec and (get(spec, ("minAvailable",)) is not None or get(spec, ("maxUnavailable",)) is not None):
        return
    if is_partial_object(resource, ctx):
        return  # a patch leaves the budget to the object it patches
    if spec is None:  # absent or null: the API server accepts it (no field of the spec is required), with no budget
        what = "its spec is null" if "spec" in resource.data else "it has no spec"
        yield Violation(
            ("spec", "maxUnavailable"),
            f"{resource.describe()} sets neither minAvailable nor maxUnavailable ({what}): it protects nothing",
        )
        return
    yield Violation(
        ("spec", "maxUnavailable"),
        f"{resource.describe()} sets neither minAvailable nor maxUnavailable, so every eviction of its pods is "
        "allowed: it protects nothing",
    )


RULE = pdb_without_budget
