"""What Kueue reads: the workload kinds it integrates with, where a workload names its LocalQueue, and the
references Kueue's documentation gives."""

from __future__ import annotations

from guardlint.model.access import get_str
from guardlint.model.paths import FieldPath
from guardlint.model.resource import Resource
from guardlint.rules.api import Reference

KUEUE_GROUP = "kueue.x-k8s.io"
QUEUE_LABEL = "kueue.x-k8s.io/queue-name"

INTEGRATIONS: frozenset[tuple[str, str]] = frozenset({
    ("batch", "Job"), ("batch", "CronJob"), ("", "Pod"), ("apps", "Deployment"), ("apps", "StatefulSet"),
    ("jobset.x-k8s.io", "JobSet"), ("leaderworkerset.x-k8s.io", "LeaderWorkerSet"),
    ("kubeflow.org", "PyTorchJob"), ("kubeflow.org", "TFJob"), ("kubeflow.org", "MPIJob"),
    ("kubeflow.org", "XGBoostJob"), ("kubeflow.org", "PaddleJob"), ("kubeflow.org", "JAXJob"),
    ("kubeflow.org", "MXJob"), ("trainer.kubeflow.org", "TrainJob"), ("ray.io", "RayJob"), ("ray.io", "RayCluster"),
    ("workload.codeflare.dev", "AppWrapper"),
})
"""(API group, kind) of the workloads Kueue's integrations manage (its ``integrations.frameworks``: batch/job,
pod, deployment, statefulset, jobset, leaderworkerset, the kubeflow.org jobs, trainjob, rayjob, raycluster,
appwrapper); a CronJob through the Jobs it makes."""

KINDS: tuple[str, ...] = tuple(sorted({kind for _, kind in INTEGRATIONS}))

LOCAL_QUEUE = Reference("Kueue: Local Queue", "https://kueue.sigs.k8s.io/docs/concepts/local_queue/")
CLUSTER_QUEUE = Reference("Kueue: Cluster Queue", "https://kueue.sigs.k8s.io/docs/concepts/cluster_queue/")
RUN_JOBS = Reference("Kueue: Run a Job (the kueue.x-k8s.io/queue-name label)",
                     "https://kueue.sigs.k8s.io/docs/tasks/run/jobs/")


def queue_name(resource: Resource) -> tuple[FieldPath, str] | None:
    """Where a workload of a Kueue integration names its LocalQueue, and the name: the object's own
    ``kueue.x-k8s.io/queue-name`` label (a CronJob's job template's, which the Jobs it makes carry); None for
    another kind or without the label (an empty value names no queue)."""
    if (resource.group, resource.kind) not in INTEGRATIONS:
        return None
    if resource.kind == "CronJob":
        path: FieldPath = ("spec", "jobTemplate", "metadata", "labels", QUEUE_LABEL)
        name = get_str(resource.data, path)
    else:
        path = ("metadata", "labels", QUEUE_LABEL)
        name = resource.labels.get(QUEUE_LABEL)
    return (path, name) if isinstance(name, str) and name else None
