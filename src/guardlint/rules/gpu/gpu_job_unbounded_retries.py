"""gpu-job-unbounded-retries: a GPU batch workload retries failed pods without a limit."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get, get_map, get_str
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._batch import KUBEFLOW_DEFAULT_RESTART, gpu_pods, kubeflow_replicas_key

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

RESTARTING = frozenset({"OnFailure", "Always", "ExitCode"})
ARGO_KINDS = ("Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow")


@rule(
    code="GPU063",
    name="gpu-job-unbounded-retries",
    # Gate: the rule yields nothing when this does not hold: both branches report only pods that request an
    # accelerator (``gpu_pods``), whose names have a domain.
    gates=("extended-resources",),
    pods_only=True,
    title="GPU batch workload retries without a limit",
    severity=Severity.WARNING,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "kind-aware", "cost", "training"),
    remediation="Bound the retries: spec.runPolicy.backoffLimit on a Kubeflow training job, retryStrategy.limit "
    "in Argo Workflows.",
    references=(_refs.KUBEFLOW_RUN_POLICY, _refs.ARGO_RETRIES),
)
def gpu_job_unbounded_retries(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports GPU batch workloads whose failed pods are retried without end:

    - a Kubeflow training job (`kubeflow.org/v1` PyTorchJob, TFJob, MPIJob, XGBoostJob, PaddleJob, JAXJob)
      with no `spec.runPolicy.backoffLimit` whose GPU replicas restart on failure (`restartPolicy`
      `OnFailure`, `Always` or `ExitCode`, or the PyTorchJob and PaddleJob default `OnFailure`);
    - an Argo Workflows template that runs GPU pods with a `retryStrategy` (its own or the workflow's) that
      sets no `limit`.

    ## Why is this bad?
    The training operator enforces `backoffLimit` only when it is set: without it, a replica that crashes
    (out of memory, a bad checkpoint, a NCCL error) is restarted forever, each attempt burning GPU hours and
    re-reading the model and data. Argo's documentation warns that an empty `retryStrategy` retries a step
    until it completes.

    ## Example
    ```yaml
    apiVersion: kubeflow.org/v1
    kind: PyTorchJob
    metadata:
      name: train
    spec:
      runPolicy:
        cleanPodPolicy: Running
        activeDeadlineSeconds: 86400
      pytorchReplicaSpecs:
        Master:
          replicas: 1
          template:
            spec:
              containers:
                - name: pytorch
                  image: nvcr.io/nvidia/pytorch:24.05-py3
                  resources:
                    limits:
                      nvidia.com/gpu: 1
    ```

    ## Use instead
    ```yaml
    apiVersion: kubeflow.org/v1
    kind: PyTorchJob
    metadata:
      name: train
    spec:
      runPolicy:
        cleanPodPolicy: Running
        activeDeadlineSeconds: 86400
        backoffLimit: 3
      pytorchReplicaSpecs:
        Master:
          replicas: 1
          template:
            spec:
              containers:
                - name: pytorch
                  image: nvcr.io/nvidia/pytorch:24.05-py3
                  resources:
                    limits:
                      nvidia.com/gpu: 1
    ```
    """
    key = kubeflow_replicas_key(resource)
    if key is not None and resource.version == "v1":
        if get(resource.data, ("spec", "runPolicy", "backoffLimit")) is not None:
            return
        if resource.kind == "MPIJob" and get(resource.data, ("spec", "backoffLimit")) is not None:
            return
        pods = gpu_pods(resource, ctx)
        default = KUBEFLOW_DEFAULT_RESTART.get(resource.kind, "Never")
        for role, spec in (get_map(resource.data, ("spec", key)) or {}).items():
            if not any(p.path[:3] == ("spec", key, role) for p in pods):
                continue
            policy = get_str(spec, ("restartPolicy",)) or default
            if policy in RESTARTING:
                yield Violation(
                    ("spec", "runPolicy", "backoffLimit"),
                    f"{resource.kind} replica {role!r} runs GPU pods with restartPolicy {policy} and no "
                    "spec.runPolicy.backoffLimit: a failing replica is restarted forever",
                )
                return
        return
    if resource.group != "argoproj.io" or resource.kind not in ARGO_KINDS:
        return
    spec_path = ("spec", "workflowSpec") if resource.kind == "CronWorkflow" else ("spec",)
    workflow_retry = get_map(resource.data, (*spec_path, "retryStrategy"))
    for pod in gpu_pods(resource, ctx):
        retry = get_map(pod.spec, ("retryStrategy",))
        path = (*pod.path, "retryStrategy")
        if retry is None:
            retry, path = workflow_retry, (*spec_path, "retryStrategy")
        if retry is None or retry.get("limit") is not None:
            continue
        name = get_str(pod.spec, ("name",)) or pod.where
        yield Violation(
            path,
            f"template {name!r} runs GPU pods with a retryStrategy that sets no limit: a failing step is retried "
            "until it succeeds",
        )


RULE = gpu_job_unbounded_retries
