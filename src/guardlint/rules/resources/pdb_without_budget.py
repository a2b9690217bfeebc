"""pdb-without-budget: a PodDisruptionBudget that sets neither minAvailable nor maxUnavailable protects nothing."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.findings import Severity
from guardlint.model.access import get
from guardlint.model.resource import Resource
from guardlint.rules.api import RuleContext, Violation, rule
from guardlint.rules.references import PDB

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
    (absent or null, as a Helm value left empty renders them).

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
    if not isinstance(spec, dict):
        return
    if get(spec, ("minAvailable",)) is not None or get(spec, ("maxUnavailable",)) is not None:
        return
    yield Violation(
        ("spec", "maxUnavailable"),
        f"{resource.describe()} sets neither minAvailable nor maxUnavailable, so every eviction of its pods is "
        "allowed: it protects nothing",
    )


RULE = pdb_without_budget
