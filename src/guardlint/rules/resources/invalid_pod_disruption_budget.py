"""invalid-pod-disruption-budget: a PodDisruptionBudget the API server rejects (both budgets, malformed amounts)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.ports import is_unrendered
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import PDB

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_DIGITS = frozenset("0123456789")
_PERCENT_REASON = ("a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or "
                   "'93%', regex used for validation is '[0-9]+%')")
"""``IsValidPercent``'s message, as the API words it."""
_BUDGETS = ("minAvailable", "maxUnavailable")


def _percent(text: str) -> int | None:
    """The number of a percentage as ``IsValidPercent`` reads one (Go's ``^[0-9]+%$``: ASCII digits and a final
    ``%``, no final line break), or None."""
    if len(text) > 1 and text[-1] == "%" and _DIGITS.issuperset(text[:-1]):
        return int(text[:-1])
    return None


def _amount_problem(value: Any) -> str | None:
    """``ValidatePositiveIntOrPercent`` and ``IsNotMoreThan100Percent`` on a budget."""
    if isinstance(value, bool):
        return None  # not an int-or-string: the schema's finding (wrong-field-type)
    if isinstance(value, int):
        return "must be greater than or equal to 0" if value < 0 else None
    if not isinstance(value, str) or is_unrendered(value):
        return None
    percent = _percent(value)
    if percent is None:
        return _PERCENT_REASON
    return "must not be greater than 100%" if percent > 100 else None


@rule(
    code="RES123",
    name="invalid-pod-disruption-budget",
    title="PodDisruptionBudget that the API rejects: both budgets set, or an amount that is not a count or percentage",
    severity=Severity.ERROR,
    pack="resources",
    since="0.3.0",
    status="preview",
    tags=("availability", "api-rejects"),
    remediation="Set either minAvailable or maxUnavailable, not both, as a whole number of pods (0 or more) or a "
    "percentage written N% (at most 100%).",
    references=(PDB,),
    kinds=("PodDisruptionBudget",),
)
def invalid_pod_disruption_budget(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports a `policy` PodDisruptionBudget that the API server's `ValidatePodDisruptionBudgetSpec` rejects:

    - `minAvailable` and `maxUnavailable` both set (`minAvailable and maxUnavailable cannot be both set`),
      reported at the second of the two;
    - a budget below 0;
    - a budget given as a string that is not a percentage (`"2"` instead of `2`, `"50 %"`, `"0.5"`): the API
      takes a string only as digits and a final `%`;
    - a percentage above 100%.

    A value with an unrendered template placeholder is not judged.

    ## Why is this bad?
    The API server rejects the object (`spec: Invalid value: ...: minAvailable and maxUnavailable cannot be
    both set`), so the sync or `kubectl apply` fails and the workload has no disruption budget. Both fields
    often end up set when a chart's default `maxUnavailable` meets a value that adds `minAvailable`, or when
    another field manager set the other one (Kubernetes documentation, "Specifying a Disruption Budget for your
    Application": you can specify only one of `maxUnavailable` and `minAvailable` in a single
    PodDisruptionBudget).

    ## Example
    ```yaml
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: web
    spec:
      minAvailable: 2
      maxUnavailable: "1"
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
    if resource.group != "policy":
        return
    spec = resource.data.get("spec")
    if not isinstance(spec, dict):
        return
    set_budgets = [key for key in spec if key in _BUDGETS and spec[key] is not None]
    if len(set_budgets) == 2:
        # reported on the later key: the one a user added next to the other
        yield Violation(("spec", set_budgets[1]), f"{set_budgets[0]} and {set_budgets[1]} are both set; the API "
                        "rejects a PodDisruptionBudget with both (minAvailable and maxUnavailable cannot be both set)")
    for key in _BUDGETS:
        value = spec.get(key)
        problem = _amount_problem(value)
        if problem is not None:
            shown = repr(value) if isinstance(value, str) else str(value)
            yield Violation(("spec", key), f"the API rejects {key} {shown}: {problem}", at_value=True)


RULE = invalid_pod_disruption_budget
