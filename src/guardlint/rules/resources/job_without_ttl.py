"""job-without-ttl: a standalone Job sets no ttlSecondsAfterFinished."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import FixEdit, Reference, Resource, RuleContext, Severity, Violation, rule, structural_fix
from guardlint.rules.references import JOBS
from guardlint.rules.resources._common import is_partial_object

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CLEANED_UP_BY = ("helm.sh/hook-delete-policy", "argocd.argoproj.io/hook-delete-policy", "argocd.argoproj.io/hook")


@rule(
    code="RES041",
    fixable="unsafe",
    name="job-without-ttl",
    title="Job is never cleaned up after it finishes",
    severity=Severity.INFO,
    pack="resources",
    since="0.1.0",
    tags=("jobs",),
    remediation="Set spec.ttlSecondsAfterFinished so that the finished Job and its pods are deleted.",
    references=(
        Reference("Kubernetes: Automatic Cleanup for Finished Jobs",
                  "https://kubernetes.io/docs/concepts/workloads/controllers/ttlafterfinished/"),
        JOBS,
    ),
    kinds=("Job",),
)
def job_without_ttl(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports Jobs (API group `batch`) that set no `spec.ttlSecondsAfterFinished`. Jobs created by a CronJob
    (its history limits clean them up), Jobs with `ownerReferences`, and Helm or Argo CD hook Jobs (their
    hook delete policy cleans them up) are not reported.

    ## Why is this bad?
    A finished Job and its pods stay in the cluster until someone deletes them: they keep counting against
    quotas, clutter `kubectl get pods`, and keep their logs and volumes around (Kubernetes documentation,
    "Automatic Cleanup for Finished Jobs").

    ## Known problems
    A GitOps tool that syncs a plain Job from Git re-creates it after the TTL controller deletes it, running
    it again; such Jobs should be hooks (which this rule skips) or suppress the rule.

    ## Example
    ```yaml
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: migrate
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: migrate
              image: example.com/migrate:3.2.0
    ```

    ## Use instead
    ```yaml
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: migrate
    spec:
      ttlSecondsAfterFinished: 86400
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: migrate
              image: example.com/migrate:3.2.0
    ```
    """
    if is_partial_object(resource, ctx):
        return
    if resource.group != "batch":
        return
    meta = resource.data.get("metadata")
    if isinstance(meta, dict) and meta.get("ownerReferences"):
        return
    if any(resource.annotations.get(k) for k in CLEANED_UP_BY):
        return
    spec = resource.data.get("spec")
    if isinstance(spec, dict) and spec.get("ttlSecondsAfterFinished") is None:
        yield Violation(("spec", "ttlSecondsAfterFinished"),
                        f"{resource.describe()} sets no ttlSecondsAfterFinished, so it and its pods are never deleted",
                        fix=structural_fix(f"set ttlSecondsAfterFinished to {TTL} (one day; adjust it to how long "
                                           "the results must stay readable)",
                                           FixEdit("set", ("spec", "ttlSecondsAfterFinished"), TTL)))


TTL = 86400
"""The time to live the fix writes: one day, long enough to read a finished Job's status and logs."""

RULE = job_without_ttl
