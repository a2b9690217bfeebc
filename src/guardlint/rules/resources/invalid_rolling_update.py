"""invalid-rolling-update: rolling-update settings that the API rejects (maxSurge and maxUnavailable both 0, a
rollingUpdate beside a strategy type that takes none)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get
from guardlint.model.paths import FieldPath
from guardlint.model.ports import is_unrendered
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import DEPLOYMENTS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_DIGITS = frozenset("0123456789")


def _is_percent(text: str) -> bool:
    """Whether ``text`` is a percentage as the API validates one (``IsValidPercent``: Go's ``^[0-9]+%$``, whose
    ``$`` is the end of the text): ASCII digits and a final ``%``. A final line break (``"0%\\n"``, from a block
    scalar) is not one: the API rejects it, and ``_amount`` must not read it (it raised a rule error)."""
    return len(text) > 1 and text[-1] == "%" and _DIGITS.issuperset(text[:-1])

_STRATEGY: dict[str, FieldPath] = {
    "Deployment": ("spec", "strategy"), "DaemonSet": ("spec", "updateStrategy"),
    "StatefulSet": ("spec", "updateStrategy"),
}
_DEFAULTS: dict[str, dict[str, int | str]] = {
    "Deployment": {"maxSurge": "25%", "maxUnavailable": "25%"},
    "DaemonSet": {"maxSurge": 0, "maxUnavailable": 1},
}
"""The apps/v1 defaults for a field left out (SetDefaults_Deployment, SetDefaults_DaemonSet)."""


def _amount(value: Any) -> int | None:
    """``getIntOrPercentValue``: the number of an int or of a ``N%`` string; None for anything else (a
    malformed value is another finding)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _is_percent(value):
        return int(value[:-1])
    return None


@rule(
    code="RES101",
    name="invalid-rolling-update",
    title="Rolling update that the API rejects",
    severity=Severity.ERROR,
    pack="resources",
    since="0.2.0",
    status="preview",
    tags=("consistency", "availability"),
    remediation="Allow at least one extra or one unavailable pod: set maxSurge (for example 25% or 1) or "
    "maxUnavailable above 0; remove rollingUpdate from a Deployment with type Recreate or a StatefulSet with type "
    "OnDelete.",
    references=(
        DEPLOYMENTS,
        Reference("Kubernetes: Perform a Rolling Update on a DaemonSet",
                  "https://kubernetes.io/docs/tasks/manage-daemon/update-daemon-set/"),
    ),
    kinds=("Deployment", "DaemonSet", "StatefulSet"),
)
def invalid_rolling_update(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports `apps/*` Deployments and DaemonSets whose rolling update lets neither a pod be added nor one
    be taken away: `maxSurge` and `maxUnavailable` both 0 (an integer `0` or `"0%"`) once the API's defaults
    fill in a field left out (a Deployment's default is 25% for both; a DaemonSet's is `maxUnavailable: 1`,
    `maxSurge: 0`, so a DaemonSet that sets only `maxUnavailable: 0` is reported). Also reported: negative
    values, strings that are not percentages (`"10"`: the API takes a string only as `N%`), a
    `maxUnavailable` above 100%, a Deployment with `type: Recreate` that still sets `rollingUpdate`, and a
    StatefulSet with `updateStrategy.type: OnDelete` that still sets `rollingUpdate` (the API's StatefulSet
    validation: `only allowed for updateStrategy 'RollingUpdate'`). A DaemonSet's `OnDelete` ignores
    `rollingUpdate`, which the API accepts. `extensions/v1beta1` objects (removed APIs, other defaults) are
    left to `removed-api`.

    ## Why is this bad?
    The API server validates the strategy (`ValidateRollingUpdateDeployment`,
    `ValidateRollingUpdateDaemonSet`): "may not be 0 when `maxSurge` is 0", since such a rollout could never
    replace a single pod. The object is not applied at all, so the release that carries it fails, often
    late, in the deploy step rather than in review.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: 3
      strategy:
        rollingUpdate:
          maxSurge: 0
          maxUnavailable: 0%
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

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: 3
      strategy:
        rollingUpdate:
          maxSurge: 1
          maxUnavailable: 0
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
    if resource.group != "apps":
        return
    strategy_path = _STRATEGY[resource.kind]
    strategy = get(resource.data, strategy_path)
    if not isinstance(strategy, dict):
        return
    kind = strategy.get("type")
    rolling = strategy.get("rollingUpdate")
    rolling_path = (*strategy_path, "rollingUpdate")
    if resource.kind == "Deployment" and kind == "Recreate" and rolling is not None:
        yield Violation(rolling_path, f"{resource.describe()} sets rollingUpdate with strategy type Recreate, which "
                        "the API rejects")
        return
    if resource.kind == "StatefulSet":
        # Only the strategy type is judged here: a StatefulSet's rollingUpdate has no maxSurge.
        if kind == "OnDelete" and rolling is not None:
            yield Violation(rolling_path, f"{resource.describe()} sets rollingUpdate with updateStrategy type "
                            "OnDelete, which the API rejects (rollingUpdate is only allowed with RollingUpdate)")
        return
    if kind not in (None, "RollingUpdate") or not isinstance(rolling, dict):
        return
    amounts: dict[str, int | None] = {}
    for field in ("maxSurge", "maxUnavailable"):
        raw = rolling.get(field)
        amount = _amount(_DEFAULTS[resource.kind][field] if raw is None else raw)
        amounts[field] = amount
        where = (*rolling_path, field)
        if amount is not None and amount < 0:
            yield Violation(where, f"{resource.describe()} sets rollingUpdate.{field} to {raw}, "
                            "which must not be negative", at_value=True)
        elif isinstance(raw, str) and amount is None and not is_unrendered(raw):
            yield Violation(where, f"{resource.describe()} sets rollingUpdate.{field} to {raw!r}: a string must be "
                            "a percentage such as '25%' (a number of pods is written without quotes)", at_value=True)
        elif field == "maxUnavailable" and isinstance(raw, str) and amount is not None and amount > 100:
            yield Violation(where, f"{resource.describe()} sets rollingUpdate.maxUnavailable to {raw}, which must "
                            "not be greater than 100%", at_value=True)
    if amounts["maxSurge"] == 0 and amounts["maxUnavailable"] == 0:
        written = "maxUnavailable" if "maxUnavailable" in rolling else "maxSurge"
        surge = rolling.get("maxSurge", f"{_DEFAULTS[resource.kind]['maxSurge']} (the default)")
        unavailable = rolling.get("maxUnavailable")
        yield Violation(
            (*rolling_path, written),
            f"{resource.describe()} sets maxUnavailable to {unavailable} with maxSurge {surge}: the API "
            "rejects a rolling update that can neither add nor remove a pod",
            at_value=True,
        )


RULE = invalid_rolling_update
