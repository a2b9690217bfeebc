"""gpu-job-without-deadline: a GPU batch workload has no deadline."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._batch import missing_deadlines
from guardlint.rules.references import JOB_TERMINATION

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="GPU062",
    name="gpu-job-without-deadline",
    # Gate: the rule yields nothing when this does not hold: ``missing_deadlines`` needs pods that request an
    # accelerator (``gpu_pods``: a resource with a domain) or a TrainJob's ``trainjob_gpus`` (an operator kind).
    gates=("extended-resources",),
    title="GPU batch workload has no deadline",
    severity=Severity.WARNING,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "kind-aware", "cost", "training"),
    remediation="Set the workload's deadline: activeDeadlineSeconds on a Job, spec.runPolicy.activeDeadlineSeconds "
    "on a Kubeflow training job, spec.activeDeadlineSeconds on a RayJob or TrainJob, the pod template's "
    "activeDeadlineSeconds in each task of a Volcano Job (it has no job-level deadline), or a template's "
    "activeDeadlineSeconds in Argo Workflows.",
    references=(
        JOB_TERMINATION,
        _refs.KUBEFLOW_RUN_POLICY,
        Reference("KubeRay: RayJob activeDeadlineSeconds",
                  "https://docs.ray.io/en/latest/cluster/kubernetes/getting-started/rayjob-quick-start.html"),
    ),
)
def gpu_job_without_deadline(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports run-to-completion workloads whose pods request accelerators and that set no deadline where their
    kind keeps it: a Job's or CronJob job template's `activeDeadlineSeconds`, a Kubeflow training job's
    `spec.runPolicy.activeDeadlineSeconds` (PyTorchJob, TFJob, MPIJob, XGBoostJob, PaddleJob, JAXJob), each
    GPU replicated job's `activeDeadlineSeconds` in a JobSet, a RayJob's or TrainJob's
    `spec.activeDeadlineSeconds`, the pod templates of Volcano jobs (which have no job-level deadline), and
    an Argo Workflow template's `activeDeadlineSeconds` or `timeout` (or the workflow's). A deadline on every
    GPU pod template counts too.

    ## Why is this bad?
    A training run that hangs (a deadlocked collective, a stuck data loader, a lost peer) keeps its GPUs
    until someone notices. The Job documentation describes `activeDeadlineSeconds` as the way to bound a
    Job's run time, and the training operators and KubeRay offer the same field; GPU platforms such as the
    EIDF GPU service inject one on every job for this reason.

    ## Example
    ```yaml
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: train
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: train
              image: nvcr.io/nvidia/pytorch:24.05-py3
              resources:
                limits:
                  nvidia.com/gpu: 1
    ```

    ## Use instead
    ```yaml
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: train
    spec:
      activeDeadlineSeconds: 86400
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: train
              image: nvcr.io/nvidia/pytorch:24.05-py3
              resources:
                limits:
                  nvidia.com/gpu: 1
    ```
    """
    for gap in missing_deadlines(resource, ctx):
        yield Violation(
            gap.path,
            f"{resource.kind} runs accelerator pods with no deadline ({gap.where} is not set): a hung run keeps "
            "its devices until someone deletes it",
        )


RULE = gpu_job_without_deadline
