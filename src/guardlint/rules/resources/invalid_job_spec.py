"""invalid-job-spec: a Job (or a CronJob's job template) the API server rejects for a reason no schema states:
negative counts, per-index backoff without Indexed completion, pod failure policy rules."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint.model.paths import FieldPath

NONNEGATIVE = ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished",
               "backoffLimitPerIndex", "maxFailedIndexes")
"""``validateJobSpec``'s ``ValidateNonnegativeField`` fields (``activeDeadlineSeconds`` is checked the same way)."""
MAX_INDEXED_PARALLELISM = 100_000
MAX_FAILED_INDEXES = 100_000


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _container_names(spec: dict[str, Any]) -> set[str] | None:
    """The names of the pod template's containers and init containers, or None when one is not a plain name (a
    template placeholder, a missing name): then a rule's ``containerName`` cannot be judged."""
    template = spec.get("template")
    pod = template.get("spec") if isinstance(template, dict) else None
    if not isinstance(pod, dict):
        return None
    names: set[str] = set()
    for key in ("containers", "initContainers"):
        items = pod.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            return None
        for item in items:
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str) or "{{" in name or "$" in name:
                return None
            names.add(name)
    return names


def _exit_code_problems(req: dict[str, Any], at: FieldPath, names: set[str] | None) -> Iterator[Violation]:
    """``validatePodFailurePolicyRuleOnExitCodes``."""
    container = req.get("containerName")
    if isinstance(container, str) and names is not None and container not in names:
        known = ", ".join(repr(n) for n in sorted(names)) or "none"
        yield Violation((*at, "containerName"), f"the API rejects containerName {container!r}: must be one of the "
                        f"container or initContainer names in the pod template ({known})", at_value=True)
    values = req.get("values")
    if not isinstance(values, list):
        return
    if not values:
        yield Violation((*at, "values"), "the API rejects onExitCodes without values: at least one value is "
                        "required", at_value=True)
        return
    seen: set[int] = set()
    ordered = True
    previous: int | None = None
    for j, raw in enumerate(values):
        value = _int(raw)
        if value is None:
            previous = None
            continue
        if req.get("operator") == "In" and value == 0:
            yield Violation((*at, "values", j), "the API rejects exit code 0 here: must not be 0 for the In operator",
                            at_value=True)
        if value in seen:
            yield Violation((*at, "values", j), f"the API rejects exit code {value}: Duplicate value",
                            at_value=True)
        seen.add(value)
        if previous is not None and previous > value:
            ordered = False
        previous = value
    if not ordered:
        yield Violation((*at, "values"), f"the API rejects exit codes {values}: must be ordered (ascending)")


def _failure_policy_problems(spec: dict[str, Any], at: FieldPath) -> Iterator[Violation]:
    """``validatePodFailurePolicy`` and ``validatePodFailurePolicyRule``."""
    policy = spec.get("podFailurePolicy")
    rules = policy.get("rules") if isinstance(policy, dict) else None
    if not isinstance(rules, list):
        return
    names = _container_names(spec)
    for i, item in enumerate(rules):
        if not isinstance(item, dict):
            continue
        here = (*at, "podFailurePolicy", "rules", i)
        if item.get("action") == "FailIndex" and spec.get("backoffLimitPerIndex") is None:
            yield Violation((*here, "action"), "the API rejects action FailIndex: requires the "
                            "backoffLimitPerIndex to be set", at_value=True)
        exit_codes = item.get("onExitCodes")
        conditions = item.get("onPodConditions")
        has_conditions = isinstance(conditions, list) and bool(conditions)
        if exit_codes is None and not has_conditions:
            yield Violation(here, "the API rejects a pod failure policy rule without onExitCodes or "
                            "onPodConditions: specifying one of OnExitCodes and OnPodConditions is required")
        elif exit_codes is not None and has_conditions:
            yield Violation(here, "the API rejects a pod failure policy rule with both onExitCodes and "
                            "onPodConditions: specifying both OnExitCodes and OnPodConditions is not supported")
        if isinstance(exit_codes, dict):
            yield from _exit_code_problems(exit_codes, (*here, "onExitCodes"), names)


def job_spec_problems(spec: dict[str, Any], at: FieldPath) -> Iterator[Violation]:
    """``validateJobSpec``'s checks that no schema states, for the job spec at ``at``."""
    for key in NONNEGATIVE:
        value = _int(spec.get(key))
        if value is not None and value < 0:
            yield Violation((*at, key), f"the API rejects {key} {value}: must be greater than or equal to 0",
                            at_value=True)
    mode = spec.get("completionMode")
    per_index = spec.get("backoffLimitPerIndex")
    max_failed = spec.get("maxFailedIndexes")
    if max_failed is not None and per_index is None:
        yield Violation((*at, "maxFailedIndexes"), "the API rejects maxFailedIndexes without backoffLimitPerIndex: "
                        "backoffLimitPerIndex: Required value: when maxFailedIndexes is specified", at_value=True)
    if mode == "Indexed":
        completions = _int(spec.get("completions"))
        if spec.get("completions") is None:
            yield Violation((*at, "completions"), "the API rejects an Indexed Job without completions: "
                            "completions: Required value: when completion mode is Indexed")
        parallelism = _int(spec.get("parallelism"))
        if parallelism is not None and parallelism > MAX_INDEXED_PARALLELISM:
            yield Violation((*at, "parallelism"), f"the API rejects parallelism {parallelism}: must be less than or "
                            f"equal to {MAX_INDEXED_PARALLELISM} when completion mode is Indexed", at_value=True)
        failed = _int(max_failed)
        if failed is not None and completions is not None and failed > completions:
            yield Violation((*at, "maxFailedIndexes"), f"the API rejects maxFailedIndexes {failed}: must be less "
                            f"than or equal to completions ({completions})", at_value=True)
    elif mode is None or mode == "NonIndexed":
        for key, value in (("backoffLimitPerIndex", per_index), ("maxFailedIndexes", max_failed)):
            if value is not None:
                yield Violation((*at, key), f"the API rejects {key} on a {mode or 'NonIndexed'} Job: requires "
                                "indexed completion mode (completionMode: Indexed)", at_value=True)
    yield from _failure_policy_problems(spec, at)


JOB_NAME_LABEL_SINCE = (1, 27)
"""From 1.27 (KEP-3329's label renames) the API server's ``generateSelector`` sets ``batch.kubernetes.io/job-name``
on the pod template next to the legacy ``job-name`` it has always set."""
LABEL_VALUE_MAX = 63


def _name_label_problems(metadata: Any, spec: dict[str, Any], version: tuple[int, int]) -> Iterator[Violation]:
    """``generateSelector`` (the Job strategy, unless ``manualSelector: true``) copies the Job's name into its pod
    template's ``job-name`` label (and ``batch.kubernetes.io/job-name`` from 1.27) before validation, so a name
    longer than a label value may be (63 characters) fails ``ValidateLabels`` on ``spec.template.labels``."""
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if not isinstance(name, str) or len(name) <= LABEL_VALUE_MAX or spec.get("manualSelector") is True:
        return
    if "{{" in name or "${" in name or "$(" in name:
        return
    template = spec.get("template")
    meta = template.get("metadata") if isinstance(template, dict) else None
    labels = meta.get("labels") if isinstance(meta, dict) else None
    set_by_user = set(labels) if isinstance(labels, dict) else set()
    added = [key for key in ("job-name", "batch.kubernetes.io/job-name")
             if key not in set_by_user and (key == "job-name" or version >= JOB_NAME_LABEL_SINCE)]
    if not added:  # the user's own labels: invalid-label judges their values
        return
    labels_text = " and ".join(added)
    yield Violation(("metadata", "name"), f"the API rejects Job name {name!r} ({len(name)} characters): the API "
                    f"server copies it into the pod template's {labels_text} label{'s' if len(added) > 1 else ''}, "
                    f"whose value must be no more than {LABEL_VALUE_MAX} characters (spec.template.labels: Invalid "
                    "value)",
                    at_value=True)


CRONJOB_NONNEGATIVE = ("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit")
"""``validateCronJobSpec``'s ``ValidateNonnegativeField`` fields."""


def _cron_job_problems(spec: dict[str, Any]) -> Iterator[Violation]:
    """``validateCronJobSpec`` and ``ValidateJobTemplateSpec`` beyond the job spec: the counts that may not be
    negative, and a job template may not set a selector (the API server generates each Job's) or
    ``manualSelector: true``."""
    for key in CRONJOB_NONNEGATIVE:
        value = _int(spec.get(key))
        if value is not None and value < 0:
            yield Violation(("spec", key), f"the API rejects {key} {value}: must be greater than or equal to 0",
                            at_value=True)
    template = spec.get("jobTemplate")
    job_spec = template.get("spec") if isinstance(template, dict) else None
    if not isinstance(job_spec, dict):
        return
    if job_spec.get("selector") is not None:
        yield Violation(("spec", "jobTemplate", "spec", "selector"), "the API rejects a selector in a CronJob's job "
                        "template (`selector` will be auto-generated): the API server gives each Job its own "
                        "selector; drop it")
    if job_spec.get("manualSelector") is True:
        yield Violation(("spec", "jobTemplate", "spec", "manualSelector"), "the API rejects manualSelector: true in "
                        "a CronJob's job template (supported values: nil, false)", at_value=True)


@rule(
    code="RES116",
    name="invalid-job-spec",
    title="Job settings that the API rejects: counts, per-index backoff, pod failure policy",
    severity=Severity.ERROR,
    pack="resources",
    since="0.3.0",
    status="preview",
    tags=("consistency", "api-rejects"),
    remediation="Set backoffLimitPerIndex and maxFailedIndexes only with completionMode: Indexed and completions; "
    "in podFailurePolicy rules name containers of the pod template, list exit codes in ascending order without "
    "repeats (0 never with In), and use FailIndex only with backoffLimitPerIndex; keep a Job's name within 63 "
    "characters; in a CronJob keep the deadline and history limits at 0 or more and leave the job template's "
    "selector to the API server.",
    kinds=("CronJob", "Job"),
    references=(
        Reference("Kubernetes: Jobs, backoff limit per index",
                  "https://kubernetes.io/docs/concepts/workloads/controllers/job/#backoff-limit-per-index"),
        Reference("Kubernetes: Handling Pod and container failures with Pod failure policy",
                  "https://kubernetes.io/docs/concepts/workloads/controllers/job/#pod-failure-policy"),
    ),
)
def invalid_job_spec(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports, in a Job's `spec` or a CronJob's `spec.jobTemplate.spec` (`batch` group), what the API server's
    Job validation rejects beyond the schema, with its reason:

    - a negative `parallelism`, `completions`, `activeDeadlineSeconds`, `backoffLimit`,
      `ttlSecondsAfterFinished`, `backoffLimitPerIndex` or `maxFailedIndexes`;
    - `backoffLimitPerIndex` or `maxFailedIndexes` on a Job that is not `completionMode: Indexed`,
      `maxFailedIndexes` without `backoffLimitPerIndex`;
    - an Indexed Job without `completions`, with `parallelism` above 100,000, or with `maxFailedIndexes` above
      `completions`;
    - in `podFailurePolicy.rules`: a rule with neither or both of `onExitCodes` and `onPodConditions`, action
      `FailIndex` without `backoffLimitPerIndex`, an `onExitCodes.containerName` that is not a container or
      init container of the pod template, an empty `values` list, exit code 0 with operator `In`, an exit code
      listed twice, and values not in ascending order.

    - in a CronJob: a negative `startingDeadlineSeconds`, `successfulJobsHistoryLimit` or
      `failedJobsHistoryLimit`, a `selector` in the job template (the API server generates each Job's) or
      `manualSelector: true` there;

    - a Job name longer than 63 characters (unless `manualSelector: true`): the API server copies the name into
      the pod template's `job-name` label (and `batch.kubernetes.io/job-name` from Kubernetes 1.27), and a label
      value is at most 63 characters, so the Job is rejected although the name is a valid object name.

    A container name is judged only when every container of the template has a plain name; a kustomize patch
    or another fragment is not judged (its base may set the completion mode or the containers).

    ## Why is this bad?
    The API server rejects the Job (or the CronJob, whose template is validated as a Job), so the apply fails:
    `spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []int32{137, 1}: must be ordered`,
    `spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode`. These fields are recent and
    their constraints are easy to miss when copying an example into a Job that is not Indexed. A generated
    Job name (a chart's release name, a component and a hash) passes as an object name but not as a label value.

    ## Example
    ```yaml
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: train
    spec:
      backoffLimitPerIndex: 1
      podFailurePolicy:
        rules:
          - action: FailJob
            onExitCodes: {containerName: main, operator: In, values: [42, 1]}
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: trainer
              image: example.com/train:1.0.0
    ```

    ## Use instead
    ```yaml
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: train
    spec:
      completionMode: Indexed
      completions: 4
      backoffLimitPerIndex: 1
      podFailurePolicy:
        rules:
          - action: FailJob
            onExitCodes: {containerName: trainer, operator: In, values: [1, 42]}
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: trainer
              image: example.com/train:1.0.0
    ```
    """
    spec = resource.data.get("spec")
    if resource.group != "batch" or not isinstance(spec, dict):
        return
    from guardlint.model.patches import is_patch

    if is_patch(resource, ctx.index):  # its base may set what a check here needs (completionMode, containers)
        return
    if resource.kind == "Job":
        yield from _name_label_problems(resource.data.get("metadata"), spec, ctx.kubernetes_version)
        yield from job_spec_problems(spec, ("spec",))
        return
    yield from _cron_job_problems(spec)
    template = spec.get("jobTemplate")
    job_spec = template.get("spec") if isinstance(template, dict) else None
    if isinstance(job_spec, dict):
        yield from job_spec_problems(job_spec, ("spec", "jobTemplate", "spec"))


RULE = invalid_job_spec
