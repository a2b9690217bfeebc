"""What Kueue reads: the workload kinds it integrates with, where a workload names its LocalQueue, and the
references Kueue's documentation gives."""

from __future__ import annotations

from guardlint.model.access import get_str
from guardlint.model.paths import FieldPath
from guardlint.rules.api import Reference, Resource

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

POD_TEMPLATES: dict[tuple[str, str], FieldPath] = {
    ("apps", "Deployment"): ("spec", "template"), ("apps", "StatefulSet"): ("spec", "template"),
    ("apps", "ReplicaSet"): ("spec", "template"), ("apps", "DaemonSet"): ("spec", "template"),
    ("batch", "Job"): ("spec", "template"), ("batch", "CronJob"): ("spec", "jobTemplate", "spec", "template"),
}
"""(API group, kind) -> pod template of the built-in workloads whose pods carry the template's labels: when the
workload itself is not submitted to a queue (no label of its own that its integration reads), Kueue's pod
integration manages each such pod through the pod's own label (its webhook looks for an ancestor Kueue manages,
finds none, and gates the pod for the queue it names)."""

RULE_KINDS: tuple[str, ...] = tuple(sorted({*KINDS, *(kind for _, kind in POD_TEMPLATES)}))
DEFAULT_QUEUE = "default"
"""The LocalQueue Kueue's LocalQueue defaulting puts a workload without a queue label in, when its namespace has
one of that name."""

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


def template_queue_name(resource: Resource) -> tuple[FieldPath, str] | None:
    """The LocalQueue the pods of a built-in workload are submitted to through their template's
    ``kueue.x-k8s.io/queue-name`` label (``POD_TEMPLATES``), and where; None for another kind or without it.
    Asked only for a workload that its own integration does not submit (no own label, or the kind's
    integration not enabled): otherwise Kueue copies the object's queue onto the template (Deployment,
    StatefulSet) or manages the pods through their owner (Jobs), and the template's label is not read."""
    template = POD_TEMPLATES.get((resource.group, resource.kind))
    if template is None:
        return None
    path: FieldPath = (*template, "metadata", "labels", QUEUE_LABEL)
    name = get_str(resource.data, path)
    return (path, name) if isinstance(name, str) and name else None
