"""gpu-gang-scheduling-missing: a multi-pod GPU training job has no gang scheduling."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get, get_int, get_list, get_map
from guardlint.model.workloads import iter_pod_specs
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._batch import (
    KUEUE_QUEUE_LABEL,
    gpu_pods,
    has_gang_marker,
    has_queue_label,
    kubeflow_replicas_key,
    replica_count,
    trainer_runtime,
    trainjob_gpus,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="GPU065",
    name="gpu-gang-scheduling-missing",
    # Gate: the rule yields nothing when this does not hold: every branch needs pods that request an accelerator
    # (``gpu_pods``: a resource with a domain) or a TrainJob's ``trainjob_gpus`` (an operator kind).
    gates=("extended-resources",),
    title="Multi-pod GPU training job has no gang scheduling",
    severity=Severity.WARNING,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "kind-aware", "scheduling", "training"),
    remediation="Admit the job as a whole: submit it to a Kueue LocalQueue (label kueue.x-k8s.io/queue-name), "
    "or use a gang scheduler (Volcano, scheduler-plugins coscheduling) through schedulerName and "
    "spec.runPolicy.schedulingPolicy, or a Trainer runtime's podGroupPolicy.",
    references=(_refs.GANG_ISSUE, _refs.KUEUE_LABEL, _refs.VOLCANO_GANG),
)
def gpu_gang_scheduling_missing(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports distributed training jobs that run more than one GPU pod with no gang-scheduling mechanism in the
    manifest: Kubeflow training jobs (PyTorchJob, TFJob, MPIJob, XGBoostJob, PaddleJob, JAXJob) with two or
    more replicas in total, JobSets with more than one pod (replicas times parallelism), TrainJobs with
    `numNodes` above 1 whose runtime (among the linted objects) has no `podGroupPolicy`, and Trainer runtimes
    whose `mlPolicy.numNodes` is above 1 without one. The mechanisms recognised are the Kueue queue label on
    the object (a label only on the pod templates does not submit the job: Kueue reads it on the job, and leaves
    the pods of the jobs it integrates to them),
    a non-default `schedulerName` (Volcano, scheduler-plugins, KAI, YuniKorn, ...), Kubeflow's
    `runPolicy.schedulingPolicy`, gang schedulers' pod-group labels and annotations, and the native Workload
    API's `schedulingGroup`. Kueue's `kueue.x-k8s.io/pod-group-name` on the pod templates is not one: Kueue
    groups plain Pods with it, not the pods of a job it integrates.

    ## Why is this bad?
    The default scheduler places pods one at a time. When several jobs compete for the same GPUs, each gets
    some of its pods scheduled, holds those GPUs and waits for peers that never fit: the jobs deadlock
    (kubeflow/training-operator#165 describes M jobs of N workers stalled on N GPUs). Gang scheduling (Volcano,
    coscheduling) or queue-based admission (Kueue) starts a job only when all of its pods fit.

    ## Example
    ```yaml
    apiVersion: kubeflow.org/v1
    kind: PyTorchJob
    metadata:
      name: train
    spec:
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
                      nvidia.com/gpu: 8
        Worker:
          replicas: 3
          template:
            spec:
              containers:
                - name: pytorch
                  image: nvcr.io/nvidia/pytorch:24.05-py3
                  resources:
                    limits:
                      nvidia.com/gpu: 8
    ```

    ## Use instead
    ```yaml
    apiVersion: kubeflow.org/v1
    kind: PyTorchJob
    metadata:
      name: train
      labels:
        kueue.x-k8s.io/queue-name: team-a
    spec:
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
                      nvidia.com/gpu: 8
        Worker:
          replicas: 3
          template:
            spec:
              containers:
                - name: pytorch
                  image: nvcr.io/nvidia/pytorch:24.05-py3
                  resources:
                    limits:
                      nvidia.com/gpu: 8
    ```

    ## Known problems
    Clusters where Kueue manages every job (`manageJobsWithoutQueueName`) or a namespace default queue
    applies admit jobs as a whole without the label; disable the rule there.
    """
    group, kind, data = resource.group, resource.kind, resource.data
    label_path = ("metadata", "labels", KUEUE_QUEUE_LABEL)
    key = kubeflow_replicas_key(resource)
    if key is not None:
        pods = gpu_pods(resource, ctx)
        if not pods or get(data, ("spec", "runPolicy", "schedulingPolicy")) is not None:
            return
        all_pods = list(iter_pod_specs(resource, ctx.workloads))
        total = 0
        for spec in (get_map(data, ("spec", key)) or {}).values():
            count = replica_count(spec)
            if count is None:
                return
            total += count
        if total > 1 and not has_gang_marker(resource, all_pods):
            yield Violation(
                label_path,
                f"{kind} runs {total} pods with accelerators among them but no gang scheduling (no Kueue queue "
                f"label on the {kind}, gang scheduler or schedulingPolicy): competing jobs can each hold part of the "
                "devices and deadlock",
            )
        return
    if group == "jobset.x-k8s.io" and kind == "JobSet":
        pods = gpu_pods(resource, ctx)
        if not pods:
            return
        total = 0
        for rj in get_list(data, ("spec", "replicatedJobs")) or []:
            replicas = replica_count(rj)
            parallelism = get_int(rj, ("template", "spec", "parallelism"))
            if replicas is None:
                return
            total += replicas * (parallelism if parallelism is not None else 1)
        if total > 1 and not has_gang_marker(resource, list(iter_pod_specs(resource, ctx.workloads))):
            yield Violation(
                label_path,
                f"JobSet runs {total} pods with accelerators among them but no gang scheduling (no Kueue queue label "
                "on the JobSet, or gang scheduler): competing jobs can each hold part of the devices and deadlock",
            )
        return
    if group == "trainer.kubeflow.org" and kind == "TrainJob":
        nodes = get_int(data, ("spec", "trainer", "numNodes"))
        if nodes is None or nodes < 2 or not trainjob_gpus(resource, ctx) or has_queue_label(resource, []):
            return
        runtime = trainer_runtime(resource, ctx)
        if runtime is None or get(runtime.data, ("spec", "podGroupPolicy")) is not None:
            return
        yield Violation(
            ("spec", "trainer", "numNodes"),
            f"TrainJob runs {nodes} accelerator nodes but its runtime {runtime.name!r} has no podGroupPolicy and "
            "the job has no Kueue queue label: competing jobs can each hold part of the devices and deadlock",
        )
        return
    if group == "trainer.kubeflow.org" and kind in ("TrainingRuntime", "ClusterTrainingRuntime"):
        nodes = get_int(data, ("spec", "mlPolicy", "numNodes"))
        if nodes is None or nodes < 2 or get(data, ("spec", "podGroupPolicy")) is not None:
            return
        pods = gpu_pods(resource, ctx)
        if pods and not has_gang_marker(resource, pods):
            yield Violation(
                ("spec", "podGroupPolicy"),
                f"{kind} runs {nodes} accelerator nodes per job without a podGroupPolicy: competing jobs can each "
                "hold part of the devices and deadlock",
            )


RULE = gpu_gang_scheduling_missing
