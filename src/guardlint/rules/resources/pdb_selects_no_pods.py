"""pdb-selects-no-pods: a PodDisruptionBudget selects no pods."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get
from guardlint.model.selection import selected_workloads
from guardlint.model.selectors import selector_is_empty, selector_text
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import PDB
from guardlint.rules.resources._common import can_judge_pods, is_partial_object, sees_namespace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="RES065",
    name="pdb-selects-no-pods",
    title="PodDisruptionBudget selects no pods",
    severity=Severity.WARNING,
    pack="resources",
    since="0.1.0",
    tags=("consistency", "availability"),
    remediation="Make spec.selector match the pod template labels of the workload the budget protects.",
    references=(PDB,),
    kinds=("PodDisruptionBudget",),
)
def pdb_selects_no_pods(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports PodDisruptionBudgets that protect nothing: with no `spec.selector` (a null selector selects no
    pods; also with no `spec` at all, which the API server accepts; a patch is left alone), with an empty
    selector in `policy/v1beta1` (which matched no pods there; in `policy/v1` `{}` selects every pod of the
    namespace and is fine), or with a selector that matches the pod template labels of no workload in the same
    namespace among the linted objects.

    Missing-object policy: the last case is judged only when the run is not partial (or `--context` covers the
    namespace), the linted set holds at least one workload in that namespace, and no custom resource there may make
    an operator run pods. Objects without a namespace (their namespace is chosen at apply time) are judged only
    against linted objects in their own directory tree.

    ## Why is this bad?
    The budget looks like protection but the eviction API never consults it for the workload it was meant
    for, so a node drain can take every replica down at once (Kubernetes documentation, "Specifying a
    Disruption Budget for your Application").

    ## Example
    ```yaml
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: web
    spec:
      maxUnavailable: 1
      selector:
        matchLabels: {app: website}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: 3
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
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: web
    spec:
      maxUnavailable: 1
      selector:
        matchLabels: {app: web}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: 3
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
    if resource.group != "policy":
        return
    spec = resource.data.get("spec")
    if spec is None:  # absent or null, which the API server accepts: a budget with no selector (below)
        spec = {}
    if not isinstance(spec, dict):
        return
    selector = spec.get("selector")
    if selector is None:
        if is_partial_object(resource, ctx):
            return  # a patch leaves the selector to the object it patches
        yield Violation(("spec", "selector"), f"{resource.describe()} has no selector, so it protects no pods")
        return
    if not isinstance(selector, dict):
        return
    if selector_is_empty(selector):
        if resource.version == "v1beta1":
            yield Violation(("spec", "selector"), f"{resource.describe()} has an empty selector, which selects no "
                            "pods in policy/v1beta1 (policy/v1 would select every pod of the namespace)")
        return
    if get(selector, ("matchLabels",)) is None and get(selector, ("matchExpressions",)) is None:
        return
    if not sees_namespace(ctx, resource):
        return  # ``can_judge_pods`` is False (a partial run): leave before the search
    if selected_workloads(ctx, selector, resource) == [] and can_judge_pods(ctx, resource):
        yield Violation(("spec", "selector"), f"{resource.describe()} selects {selector_text(selector)}, which matches "
                        "no pod template among the linted workloads in its namespace")


RULE = pdb_selects_no_pods
