"""kueue-local-queue-missing: a workload is submitted to a Kueue LocalQueue that does not exist."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param
from guardlint.rules.resources import _kueue
from guardlint.rules.resources._common import is_missing

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated


class Params(NamedTuple):
    kinds: Annotated[tuple[str, ...], param(
        "Workload kinds whose queue label is checked: those Kueue manages in this cluster (its "
        "integrations.frameworks).",
    )] = _kueue.KINDS


@rule(
    code="RES109",
    name="kueue-local-queue-missing",
    title="Workload is submitted to a Kueue LocalQueue that does not exist",
    severity=Severity.WARNING,
    pack="resources",
    since="0.3.0",
    status="preview",
    tags=("consistency", "scheduling", "kueue"),
    remediation="Create the LocalQueue in the workload's namespace, correct the kueue.x-k8s.io/queue-name label, "
    "or list the queue under known-objects.",
    kinds=_kueue.RULE_KINDS,
    references=(_kueue.LOCAL_QUEUE, _kueue.RUN_JOBS),
    params=Params,
)
def kueue_local_queue_missing(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports a workload of a kind Kueue manages (a `batch/v1` Job, or a CronJob through its job template; a Pod,
    Deployment, StatefulSet, LeaderWorkerSet, JobSet, RayJob, RayCluster, TrainJob, AppWrapper, or a
    kubeflow.org PyTorchJob, TFJob, MPIJob, XGBoostJob, PaddleJob, JAXJob or MXJob; parameter `kinds`) whose
    `kueue.x-k8s.io/queue-name` label names a LocalQueue (`kueue.x-k8s.io`) that is not among the linted
    objects of its namespace. A Deployment, StatefulSet, ReplicaSet, DaemonSet, Job or CronJob that is not
    submitted itself (no such label of its own, or its kind not among `kinds`) but whose pod template carries
    the label is judged by that label when `Pod` is among `kinds`: its pods carry it, and Kueue's pod
    integration, finding no owner Kueue manages, gates each pod for that queue. The template's label is not
    read when the object has its own (Kueue copies the object's onto the template, or manages the pods through
    their owner), nor when the namespace holds a LocalQueue named `default` (Kueue's LocalQueue defaulting
    then submits the workload there).

    Missing-object policy, as for `missing-config-map`: pre-commit passes only the changed files and queues are
    often set up apart from the workloads, so the label is judged only when the run is not partial (or
    `--context` covers the namespace), the linted set holds at least one LocalQueue in the workload's namespace
    (or config declares the namespace complete), and the queue is neither among the linted objects nor listed
    under `known-objects` (`{kind: LocalQueue, name: ..., namespace: ...}`); nor when a linted Role in scope, or
    any linted ClusterRole, grants `create` on localqueues. An unrendered name is not judged.

    ## Why is this bad?
    Kueue admits a workload only through the LocalQueue its label names. When that LocalQueue does not exist,
    the workload's Workload object stays pending ("LocalQueue ... doesn't exist") and the job stays suspended,
    or its pods stay gated, until someone creates the queue: nothing runs and nothing fails.

    ## Example
    ```yaml
    apiVersion: kueue.x-k8s.io/v1beta1
    kind: LocalQueue
    metadata:
      name: team-a
      namespace: ml
    spec:
      clusterQueue: gpu-pool
    ---
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: train
      namespace: ml
      labels:
        kueue.x-k8s.io/queue-name: team-b
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: train
              image: example.com/train:1.0.0
    ```

    ## Use instead
    ```yaml
    apiVersion: kueue.x-k8s.io/v1beta1
    kind: LocalQueue
    metadata:
      name: team-a
      namespace: ml
    spec:
      clusterQueue: gpu-pool
    ---
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: train
      namespace: ml
      labels:
        kueue.x-k8s.io/queue-name: team-a
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: train
              image: example.com/train:1.0.0
    ```
    """
    found = _kueue.queue_name(resource) if resource.kind in params.kinds else None
    pods = False
    if found is None and "Pod" in params.kinds:
        # Not submitted itself: its pods are, by the label they take from the template (the pod integration).
        # Unless Kueue's LocalQueue defaulting puts the workload (and so its pods) in the namespace's queue
        # named "default" instead: then the template's label is overwritten or its pods' owner is managed.
        found = _kueue.template_queue_name(resource)
        pods = found is not None
        if pods and ctx.index.exists("LocalQueue", _kueue.DEFAULT_QUEUE, resource.namespace):
            return
    if found is None:
        return
    path, queue = found
    if not is_missing(ctx, "LocalQueue", queue, resource):
        return
    where = f" in namespace {resource.namespace!r}" if resource.namespace else ""
    if pods:
        message = (f"the pods of this {resource.kind} are submitted to Kueue LocalQueue {queue!r} by their "
                   f"template's label (Kueue's pod integration manages each pod, as the {resource.kind} has no "
                   f"queue label of its own), which is not among the linted objects{where}: their scheduling "
                   "gate stays until that queue exists")
    else:
        message = (f"{resource.kind} is submitted to Kueue LocalQueue {queue!r}, which is not among the linted "
                   f"objects{where}: Kueue does not admit it (it stays suspended or pending) until that queue exists")
    yield Violation(path, message, at_value=True)


RULE = kueue_local_queue_missing
