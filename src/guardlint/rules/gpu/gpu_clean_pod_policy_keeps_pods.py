"""gpu-clean-pod-policy-keeps-pods: a Kubeflow training job keeps running GPU pods after it finishes."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get_str
from guardlint.model.paths import FieldPath
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._batch import gpu_pods, kubeflow_replicas_key

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="GPU064",
    name="gpu-clean-pod-policy-keeps-pods",
    # Gate: the rule yields nothing when this does not hold: it reports only objects with pods that request an
    # accelerator (``gpu_pods``), whose names have a domain.
    gates=("extended-resources",),
    pods_only=True,
    title="Training job keeps its running GPU pods after it finishes",
    severity=Severity.WARNING,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "kind-aware", "cost", "training"),
    remediation="Set spec.runPolicy.cleanPodPolicy to Running (or All) so that the operator deletes the pods "
    "still running when the job succeeds or fails.",
    references=(
        _refs.KUBEFLOW_RUN_POLICY,
        Reference("Kubeflow MPI operator: v2beta1 API (runPolicy.cleanPodPolicy)",
                  "https://github.com/kubeflow/mpi-operator/blob/master/pkg/apis/kubeflow/v2beta1/types.go"),
    ),
)
def gpu_clean_pod_policy_keeps_pods(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports Kubeflow training jobs with GPU pods (`kubeflow.org/v1` PyTorchJob, TFJob, MPIJob, XGBoostJob,
    PaddleJob, JAXJob, and the MPI operator's `kubeflow.org/v2beta1` MPIJob) whose `cleanPodPolicy` is `None`,
    explicitly or by default (`spec.runPolicy.cleanPodPolicy` unset; for the v1 MPIJob also the deprecated
    `spec.cleanPodPolicy`).

    ## Why is this bad?
    Both operators default `cleanPodPolicy` to `None`, and with `None` they delete no pod when the job
    finishes: the training operator's clean-up returns early ("delete nothing when the cleanPodPolicy is None
    and the job has Succeeded or Failed condition"). Replicas that are still running keep their GPUs: MPI
    workers after the launcher exits, parameter servers and evaluators after the chief succeeds, and the
    surviving workers of a job that failed or hit its `activeDeadlineSeconds`.

    ## Example
    ```yaml
    apiVersion: kubeflow.org/v2beta1
    kind: MPIJob
    metadata:
      name: nccl-tests
    spec:
      slotsPerWorker: 8
      mpiReplicaSpecs:
        Launcher:
          replicas: 1
          template:
            spec:
              containers:
                - name: launcher
                  image: ghcr.io/example/nccl-tests:2.13
        Worker:
          replicas: 2
          template:
            spec:
              containers:
                - name: worker
                  image: ghcr.io/example/nccl-tests:2.13
                  resources:
                    limits:
                      nvidia.com/gpu: 8
    ```

    ## Use instead
    ```yaml
    apiVersion: kubeflow.org/v2beta1
    kind: MPIJob
    metadata:
      name: nccl-tests
    spec:
      slotsPerWorker: 8
      runPolicy:
        cleanPodPolicy: Running
      mpiReplicaSpecs:
        Launcher:
          replicas: 1
          template:
            spec:
              containers:
                - name: launcher
                  image: ghcr.io/example/nccl-tests:2.13
        Worker:
          replicas: 2
          template:
            spec:
              containers:
                - name: worker
                  image: ghcr.io/example/nccl-tests:2.13
                  resources:
                    limits:
                      nvidia.com/gpu: 8
    ```
    """
    if kubeflow_replicas_key(resource) is None or not gpu_pods(resource, ctx):
        return
    path: FieldPath = ("spec", "runPolicy", "cleanPodPolicy")
    policy = get_str(resource.data, path)
    if policy is None and resource.kind == "MPIJob" and resource.version == "v1":
        legacy = get_str(resource.data, ("spec", "cleanPodPolicy"))
        if legacy is not None:
            policy, path = legacy, ("spec", "cleanPodPolicy")
    if policy not in (None, "None"):
        return
    how = "is None" if policy else "is not set and defaults to None"
    yield Violation(
        path,
        f"{resource.kind} cleanPodPolicy {how}: when the job succeeds or fails the operator deletes no pod, so "
        "replicas still running keep their GPUs",
        at_value=policy is not None,
    )


RULE = gpu_clean_pod_policy_keeps_pods
