"""What the GPU pack knows about run-to-completion workloads: where each kind keeps its deadline, retry,
clean-up and gang-scheduling settings. Sources: the projects' API types (gpu-spec.md section 2).
"""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.access import get, get_int, get_list, get_map, get_str
from guardlint.model.index import same_namespace
from guardlint.model.paths import FieldPath
from guardlint.model.quantity import quantity_amount
from guardlint.model.workloads import PodSpecRef
from guardlint.rules.api import Resource, RuleContext
from guardlint.rules.gpu._support import accelerators, gpu_facts

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

KUBEFLOW_V1_REPLICAS = {
    "PyTorchJob": "pytorchReplicaSpecs",
    "TFJob": "tfReplicaSpecs",
    "MPIJob": "mpiReplicaSpecs",
    "XGBoostJob": "xgbReplicaSpecs",
    "PaddleJob": "paddleReplicaSpecs",
    "JAXJob": "jaxReplicaSpecs",
}
"""kubeflow.org/v1 training jobs (and the MPI operator's kubeflow.org/v2beta1 MPIJob): the replica map."""

KUBEFLOW_DEFAULT_RESTART = {"PyTorchJob": "OnFailure", "PaddleJob": "OnFailure"}
"""Replica restartPolicy defaults of the v1 training operator that restart pods (the others default to Never)."""


TRAINER_GROUP = "trainer.kubeflow.org"
TRAINER_RUNTIME_KINDS = ("TrainingRuntime", "ClusterTrainingRuntime")


def trainer_runtime(resource: Resource, ctx: RuleContext) -> Resource | None:
    """The Kubeflow Trainer runtime a TrainJob's ``runtimeRef`` names (a ClusterTrainingRuntime unless the kind
    says TrainingRuntime, which must be in the TrainJob's namespace), among the linted objects of the same tree;
    None when it names none, a kind the Trainer does not know, or a runtime that is not linted."""
    ref = get_map(resource.data, ("spec", "runtimeRef")) or {}
    name = get_str(ref, ("name",))
    if not name:
        return None
    kind = get_str(ref, ("kind",)) or "ClusterTrainingRuntime"
    if kind not in TRAINER_RUNTIME_KINDS:
        return None
    for r in ctx.index.named(kind, name):
        if r.group != TRAINER_GROUP or not ctx.index.same_tree(resource, r):
            continue
        if kind == "TrainingRuntime" and not same_namespace(r.namespace, resource.namespace):
            continue
        return r
    return None


def kubeflow_replicas_key(resource: Resource) -> str | None:
    """The replica-spec map of a Kubeflow training job, or None for other objects."""
    if resource.group != "kubeflow.org":
        return None
    if resource.kind == "MPIJob" and resource.version not in ("v1", "v2beta1"):
        return None
    if resource.kind != "MPIJob" and resource.version != "v1":
        return None
    return KUBEFLOW_V1_REPLICAS.get(resource.kind)


def gpu_pods(resource: Resource, ctx: RuleContext) -> list[PodSpecRef]:
    """The pods that ask for a positive amount of an accelerator (``pod_uses_accelerator``), from the facts
    the run keeps per object."""
    return gpu_facts(resource, ctx).gpu_pods()


def trainjob_gpus(resource: Resource, ctx: RuleContext) -> bool:
    """Whether a Kubeflow TrainJob's ``spec.trainer.resourcesPerNode`` requests an accelerator."""
    if resource.group != "trainer.kubeflow.org" or resource.kind != "TrainJob":
        return False
    table = accelerators(ctx)
    for section in ("limits", "requests"):
        for name, raw in (get_map(resource.data, ("spec", "trainer", "resourcesPerNode", section)) or {}).items():
            value = quantity_amount(raw)
            if table.lookup(name) is not None and value is not None and value > 0:
                return True
    return False


def pod_deadline(pod: PodSpecRef) -> bool:
    return get_int(pod.spec, ("activeDeadlineSeconds",)) is not None


class DeadlineGap(NamedTuple):
    path: FieldPath
    """Where the deadline should be set."""
    where: str
    """Which field the message names."""


def missing_deadlines(resource: Resource, ctx: RuleContext) -> Iterator[DeadlineGap]:
    """The places of a GPU batch workload that lack a deadline (nothing for kinds that are not batch)."""
    group, kind, data = resource.group, resource.kind, resource.data
    if group == "trainer.kubeflow.org" and kind == "TrainJob":
        if trainjob_gpus(resource, ctx) and get(data, ("spec", "activeDeadlineSeconds")) is None:
            yield DeadlineGap(("spec", "activeDeadlineSeconds"), "spec.activeDeadlineSeconds")
        return
    pods = gpu_pods(resource, ctx)
    if not pods:
        return
    if group == "batch" and kind == "Job":
        if get(data, ("spec", "activeDeadlineSeconds")) is None and not all(pod_deadline(p) for p in pods):
            yield DeadlineGap(("spec", "activeDeadlineSeconds"), "spec.activeDeadlineSeconds")
    elif group == "batch" and kind == "CronJob":
        if get(data, ("spec", "jobTemplate", "spec", "activeDeadlineSeconds")) is None and not all(
            pod_deadline(p) for p in pods
        ):
            path = ("spec", "jobTemplate", "spec", "activeDeadlineSeconds")
            yield DeadlineGap(path, "spec.jobTemplate.spec.activeDeadlineSeconds")
    elif kubeflow_replicas_key(resource) is not None:
        run_policy = get(data, ("spec", "runPolicy", "activeDeadlineSeconds"))
        legacy = get(data, ("spec", "activeDeadlineSeconds"))
        if run_policy is None and legacy is None and not all(pod_deadline(p) for p in pods):
            yield DeadlineGap(("spec", "runPolicy", "activeDeadlineSeconds"), "spec.runPolicy.activeDeadlineSeconds")
    elif group == "jobset.x-k8s.io" and kind == "JobSet":
        for i, rj in enumerate(get_list(data, ("spec", "replicatedJobs")) or []):
            job_pods = [p for p in pods if p.path[:3] == ("spec", "replicatedJobs", i)]
            if not job_pods or get(rj, ("template", "spec", "activeDeadlineSeconds")) is not None:
                continue
            if all(pod_deadline(p) for p in job_pods):
                continue
            name = get_str(rj, ("name",)) or f"#{i}"
            yield DeadlineGap(
                ("spec", "replicatedJobs", i, "template", "spec", "activeDeadlineSeconds"),
                f"the activeDeadlineSeconds of replicated job {name!r}",
            )
    elif group == "ray.io" and kind in ("RayJob", "RayCronJob"):
        base: FieldPath = ("spec",) if kind == "RayJob" else ("spec", "jobTemplate")
        if get(data, (*base, "activeDeadlineSeconds")) is None:
            where = ".".join(str(p) for p in (*base, "activeDeadlineSeconds"))
            yield DeadlineGap((*base, "activeDeadlineSeconds"), where)
    elif group in ("batch.volcano.sh", "flow.volcano.sh"):
        # Volcano jobs have no job-level deadline: only the pods' own activeDeadlineSeconds bounds them.
        for p in pods:
            if not pod_deadline(p):
                yield DeadlineGap((*p.path, "activeDeadlineSeconds"), "the pod template's activeDeadlineSeconds")
    elif group == "argoproj.io" and kind in ("Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow"):
        spec: FieldPath = ("spec", "workflowSpec") if kind == "CronWorkflow" else ("spec",)
        if get(data, (*spec, "activeDeadlineSeconds")) is not None:
            return
        defaults = get_map(data, (*spec, "templateDefaults")) or {}
        if defaults.get("activeDeadlineSeconds") is not None or defaults.get("timeout") is not None:
            return
        for p in pods:
            if get(p.spec, ("activeDeadlineSeconds",)) is None and get(p.spec, ("timeout",)) is None:
                yield DeadlineGap(
                    (*p.path, "activeDeadlineSeconds"),
                    "the template's activeDeadlineSeconds (or the workflow's spec.activeDeadlineSeconds)",
                )


def scheduler_is_gang(pod: PodSpecRef) -> bool:
    name = get_str(pod.spec, ("schedulerName",))
    return name is not None and name not in ("", "default-scheduler")


POD_GROUP_LABELS = ("scheduling.x-k8s.io/pod-group", "pod-group.scheduling.sigs.k8s.io")
"""Pod-group labels that gang schedulers read on a job's pods. Kueue's ``kueue.x-k8s.io/pod-group-name`` is not
one: it groups plain Pods (those no Job or integrated custom resource owns), and the pods of the jobs judged here
are owned by the job, so Kueue's pod integration leaves them alone whatever the label says."""
POD_GROUP_ANNOTATIONS = ("scheduling.k8s.io/group-name", "scheduling.volcano.sh/group-name")
KUEUE_QUEUE_LABEL = "kueue.x-k8s.io/queue-name"


def has_queue_label(resource: Resource, pods: list[PodSpecRef]) -> bool:
    if resource.labels.get(KUEUE_QUEUE_LABEL) or resource.annotations.get(KUEUE_QUEUE_LABEL):
        return True
    return any(p.labels.get(KUEUE_QUEUE_LABEL) for p in pods)


def has_gang_marker(resource: Resource, pods: list[PodSpecRef]) -> bool:
    """A gang-scheduling mechanism visible in the manifest: a Kueue queue label on the object, a non-default scheduler
    (Volcano, scheduler-plugins coscheduling, KAI, YuniKorn, ...), a pod-group label or annotation, or the
    native Workload API's scheduling group."""
    # The queue label counts on the object only: Kueue's integrations for these kinds (Kubeflow jobs, JobSet,
    # Trainer) read it there, and its pod integration leaves alone pods owned by a job it integrates (it manages
    # "plain Pods", not those of Jobs or supported CRDs); without pod-group labels a labelled pod would be
    # admitted alone anyway. A label only on the pod templates is no gang, and neither is Kueue's pod-group-name
    # there (it groups plain Pods only).
    if has_queue_label(resource, []):
        return True
    for p in pods:
        if scheduler_is_gang(p) or get(p.spec, ("schedulingGroup",)) is not None:
            return True
        if any(p.labels.get(k) for k in POD_GROUP_LABELS) or any(p.annotations.get(k) for k in POD_GROUP_ANNOTATIONS):
            return True
    return False


def replica_count(spec: Any, default: int = 1) -> int | None:
    value = get(spec, ("replicas",))
    if value is None:
        return default
    return get_int(spec, ("replicas",))
