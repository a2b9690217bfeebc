"""gpu-kueue-queue-label-missing: a GPU workload is not submitted to a Kueue queue."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.access import get_str
from guardlint.model.workloads import iter_pod_specs
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._batch import KUEUE_QUEUE_LABEL, gpu_pods, trainjob_gpus
from guardlint.rules.params import param

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated

KUEUE_KINDS: tuple[str, ...] = (
    "Job", "CronJob", "JobSet", "PyTorchJob", "TFJob", "MPIJob", "XGBoostJob", "PaddleJob", "JAXJob", "TrainJob",
    "RayJob", "RayCluster", "LeaderWorkerSet", "Pod", "Deployment", "StatefulSet",
)


KUEUE_GROUPS = frozenset({
    "", "apps", "batch", "jobset.x-k8s.io", "kubeflow.org", "trainer.kubeflow.org", "ray.io",
    "leaderworkerset.x-k8s.io",
})
"""API groups of the workload kinds Kueue integrates with (a Volcano ``batch.volcano.sh`` Job is not one)."""


class Params(NamedTuple):
    kinds: Annotated[tuple[str, ...], param(
        "Kinds that Kueue manages in this cluster (its integrations.frameworks).",
    )] = KUEUE_KINDS


@rule(
    code="GPU066",
    name="gpu-kueue-queue-label-missing",
    # Gate: the rule yields nothing when this does not hold: a finding needs pods that request an accelerator
    # (``gpu_pods``: a resource with a domain) or a TrainJob's ``trainjob_gpus`` (an operator kind).
    gates=("extended-resources",),
    title="GPU workload is not submitted to a Kueue queue",
    severity=Severity.WARNING,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "kind-aware", "scheduling", "cluster-specific"),
    remediation="Add the label kueue.x-k8s.io/queue-name with the name of a LocalQueue of the namespace.",
    references=(_refs.KUEUE_LABEL,),
    params=Params,
    enabled_by_default=False,
)
def gpu_kueue_queue_label_missing(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Off by default: enable it on clusters that share GPUs through Kueue. Reports workloads of the kinds Kueue
    manages (parameter `kinds`) whose pods request an accelerator but which carry no
    `kueue.x-k8s.io/queue-name` label (on the object; for a CronJob on its job template; for pod-based kinds
    the pod template's label counts too). An accelerator request is an extended resource such as
    `nvidia.com/gpu`; devices a pod gets only through Dynamic Resource Allocation claims (`resources.claims`,
    ResourceClaimTemplates) are not counted, since a claim names a device class, not whether its devices are
    accelerators, and Kueue counts such devices only through its own device-class mappings.

    ## Why is this bad?
    With Kueue's default `manageJobsWithoutQueueName: false`, Kueue ignores workloads without the queue
    label: they start immediately, bypass the GPU quotas and fair sharing of the ClusterQueues, and take GPUs
    that queued workloads were admitted for.

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
      labels:
        kueue.x-k8s.io/queue-name: team-a
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
    """
    if resource.kind not in params.kinds or resource.group not in KUEUE_GROUPS:
        return
    if not gpu_pods(resource, ctx) and not trainjob_gpus(resource, ctx):
        return
    if resource.labels.get(KUEUE_QUEUE_LABEL):
        return
    if resource.kind == "CronJob" and get_str(
        resource.data, ("spec", "jobTemplate", "metadata", "labels", KUEUE_QUEUE_LABEL)
    ):
        return
    if resource.kind in ("Pod", "Deployment", "StatefulSet", "LeaderWorkerSet") and any(
        p.labels.get(KUEUE_QUEUE_LABEL) for p in iter_pod_specs(resource, ctx.workloads)
    ):
        return
    yield Violation(
        ("metadata", "labels", KUEUE_QUEUE_LABEL),
        f"{resource.kind} requests GPUs but has no {KUEUE_QUEUE_LABEL} label: Kueue ignores it, so it bypasses "
        "the cluster's GPU quotas and queueing",
    )


RULE = gpu_kueue_queue_label_missing
