"""invalid-restart-policy: a pod template's restartPolicy is not valid for its workload kind."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.groups import APPS_GROUPS
from guardlint.model.workloads import iter_pod_specs
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import JOBS
from guardlint.rules.resources._common import is_partial_object

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_ALL = ("Always", "OnFailure", "Never")
# (group, kind) -> (valid values, whether an unset value, which defaults to Always, is rejected)
_VALID: dict[tuple[str, str], tuple[tuple[str, ...], bool]] = {
    ("", "Pod"): (_ALL, False),
    ("", "PodTemplate"): (_ALL, False),
    ("", "ReplicationController"): (("Always",), False),
    ("batch", "Job"): (("OnFailure", "Never"), True),
    ("batch", "CronJob"): (("OnFailure", "Never"), True),
    **{(g, k): (("Always",), False) for g in APPS_GROUPS
       for k in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")},
}


@rule(
    code="RES045",
    name="invalid-restart-policy",
    pods_only=True,
    title="Pod restartPolicy is not valid for the workload kind",
    severity=Severity.ERROR,
    pack="resources",
    since="0.1.0",
    tags=("jobs", "api-rejects"),
    remediation="Use restartPolicy OnFailure or Never in Job and CronJob templates (Never when the Job sets a "
    "podFailurePolicy), and Always (or leave it unset) in Deployments, StatefulSets, DaemonSets, ReplicaSets and "
    "ReplicationControllers.",
    references=(
        Reference("Kubernetes: Pod restart policy",
                  "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#restart-policy"),
        JOBS,
    ),
)
def invalid_restart_policy(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports built-in workloads whose pod `restartPolicy` the API rejects: a Job or CronJob template with
    `Always` or with no `restartPolicy` (the pod default is `Always`), a Job or CronJob whose job sets a
    `podFailurePolicy` with any `restartPolicy` but `Never`, a Deployment, StatefulSet, DaemonSet,
    ReplicaSet or ReplicationController template with anything but `Always`, and a Pod or PodTemplate with a
    value that is none of `Always`, `OnFailure`, `Never`. Custom resources are not checked: their
    controllers decide.

    ## Why is this bad?
    The API server validates the template: a Job's pods must end, so `Always` is rejected (`Unsupported
    value: "Always": supported values: "OnFailure", "Never"`); a pod failure policy judges how a pod
    failed, which `OnFailure` hides by restarting the container in place, so with one only `Never` is
    accepted (`only "Never" is supported when podFailurePolicy is specified`); controllers that keep pods
    running only accept `Always` (Kubernetes documentation, "Jobs", "Pod Template", "Pod failure policy",
    and "Pod Lifecycle", "Restart policy").

    ## Example
    ```yaml
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: seed
    spec:
      template:
        spec:
          containers:
            - name: seed
              image: example.com/seed:1.2.0
    ```

    ## Use instead
    ```yaml
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: seed
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: seed
              image: example.com/seed:1.2.0
    ```
    """
    rule_for = _VALID.get((resource.group, resource.kind))
    if rule_for is None:
        return
    valid, unset_rejected = rule_for
    if unset_rejected and _job_spec(resource).get("podFailurePolicy") is not None:
        # The API's Job validation: with a podFailurePolicy (even an empty one) only Never is accepted.
        valid = ("Never",)
        why = " with a podFailurePolicy"
    else:
        why = ""
    for pod in iter_pod_specs(resource, ctx.workloads):
        value = pod.spec.get("restartPolicy")
        path = (*pod.path, "restartPolicy")
        if value is None:
            if unset_rejected and not is_partial_object(resource, ctx):
                yield Violation(path, f"{resource.describe()} sets no restartPolicy, so it defaults to Always, which "
                                f"the API rejects for a {resource.kind}{why} (use {' or '.join(valid)})")
        elif value not in valid:
            yield Violation(path, f"{resource.describe()} sets restartPolicy to {value!r}, which the API rejects for "
                            f"a {resource.kind}{why} (valid: {', '.join(valid)})", at_value=True)


def _job_spec(resource: Resource) -> dict[str, Any]:
    """The JobSpec of a Job (``spec``) or CronJob (``spec.jobTemplate.spec``); empty when it is not a mapping."""
    spec = resource.data.get("spec")
    if resource.kind == "CronJob" and isinstance(spec, dict):
        template = spec.get("jobTemplate")
        spec = template.get("spec") if isinstance(template, dict) else None
    return spec if isinstance(spec, dict) else {}


RULE = invalid_restart_policy
