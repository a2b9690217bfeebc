"""rolling-update-allows-full-outage: rolling-update settings allow every pod to be down at once."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get
from guardlint.model.groups import APPS_GROUPS
from guardlint.model.paths import FieldPath
from guardlint.model.scaling import explicit_replicas, int_or_percent
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import DEPLOYMENTS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_STRATEGY: dict[str, FieldPath] = {
    "Deployment": ("spec", "strategy"),
    "StatefulSet": ("spec", "updateStrategy"),
    "DaemonSet": ("spec", "updateStrategy"),
}


@rule(
    code="RES036",
    name="rolling-update-allows-full-outage",
    title="Rolling update may take every pod down at once",
    severity=Severity.WARNING,
    pack="resources",
    since="0.1.0",
    tags=("availability", "reliability"),
    remediation="Lower rollingUpdate.maxUnavailable below the replica count (for example 25% or 1) and use "
    "maxSurge to speed up rollouts instead.",
    references=(
        DEPLOYMENTS,
        Reference("Kubernetes: Perform a Rolling Update on a DaemonSet",
                  "https://kubernetes.io/docs/tasks/manage-daemon/update-daemon-set/"),
        Reference("Kubernetes: StatefulSet rolling updates",
                  "https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#rolling-updates"),
    ),
    kinds=("Deployment", "StatefulSet", "DaemonSet"),
)
def rolling_update_allows_full_outage(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports Deployments, StatefulSets and DaemonSets (API groups `apps` and `extensions`) whose rolling
    update `maxUnavailable` is `100%` (or more), or a number at least the explicit `spec.replicas` (above 1)
    of a Deployment or StatefulSet. The `Recreate` and `OnDelete` strategies are deliberate choices and are
    not reported; nor are counts compared when `spec.replicas` is absent (an autoscaler may own it) or is 1
    (a single replica accepts downtime anyway, and `maxUnavailable: 1` is then the usual way to roll a pod
    that holds a ReadWriteOnce volume).

    ## Why is this bad?
    `maxUnavailable` bounds how many pods may be down during a rollout. At the replica count the controller
    may stop every old pod before a new one is ready, so each release is a full outage, and a broken image
    takes the whole service down instead of stalling the rollout (Kubernetes documentation, "Deployments",
    "Max Unavailable").

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: 2
      strategy:
        type: RollingUpdate
        rollingUpdate: {maxUnavailable: 2, maxSurge: 0}
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
      replicas: 2
      strategy:
        type: RollingUpdate
        rollingUpdate: {maxUnavailable: 0, maxSurge: 1}
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
    if resource.group not in APPS_GROUPS:
        return
    strategy_path = _STRATEGY[resource.kind]
    strategy = get(resource.data, strategy_path)
    if not isinstance(strategy, dict) or strategy.get("type") not in (None, "RollingUpdate"):
        return
    path = (*strategy_path, "rollingUpdate", "maxUnavailable")
    value = int_or_percent(get(resource.data, path))
    if value is None:
        return
    number, percent = value
    if percent:
        if number >= 100:
            yield Violation(path, f"{resource.describe()} allows {number}% of its pods to be unavailable during a "
                            "rolling update, so a rollout may take all of them down at once", at_value=True)
        return
    if resource.kind == "DaemonSet":
        return
    replicas = explicit_replicas(resource, ctx)
    if replicas is not None and replicas > 1 and number >= replicas:
        yield Violation(path, f"{resource.describe()} allows {number} unavailable pods during a rolling update "
                        f"but runs only {replicas}, so a rollout may take all of them down at once", at_value=True)


RULE = rolling_update_allows_full_outage
