"""Shared helpers of the resources pack: resource values, run-to-completion pods, kustomize fragments and what
operators fill in, and the missing-object policy with the rule's context.

Selection among the linted objects is ``guardlint.model.selection``, replicas and autoscalers
``guardlint.model.scaling``, container ports ``guardlint.model.ports``, label selectors
``guardlint.model.selectors``. Cross-object "missing" judgements follow the one policy of
``guardlint.model.missing`` (shared with every pack and with plugins).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from guardlint.model import missing as _missing
from guardlint.model.access import get
from guardlint.model.index import directory
from guardlint.model.paths import FieldPath
from guardlint.model.workloads import ContainerKind, ContainerRef, PodSpecRef, WorkloadTable
from guardlint.rules.api import Resource, RuleContext

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

RESOURCE_CONTAINERS = (ContainerKind.INIT, ContainerKind.CONTAINER)
"""Containers that may set resources (ephemeral containers may not); a tuple, which ``iter_containers`` filters by
without hashing its members."""

# --- resources ---------------------------------------------------------------------------------------


def resource_value(data: Mapping[str, Any], section: str, name: str) -> Any:
    """``data.resources.<section>.<name>`` (None when missing)."""
    return get(data, ("resources", section, name))


def same_quantity_text(a: Any, b: Any) -> bool:
    """Whether two raw quantities are written alike (the same string, or numbers of one type and value), so
    that they parse to the same value or both fail to parse: a comparison of the two needs no parsing.

    The type must match: ``9.223372036854775808e+18 == 9223372036854775808`` (2**63) holds in Python, but the
    float is read through its shortest decimal text (9223372036854776000) and the int is not.
    """
    return type(a) is type(b) and a == b


# --- label selectors -----------------------------------------------------------------------------------


# --- pod templates among the linted objects --------------------------------------------------------------


def _directory(resource: Resource) -> str:
    return directory(resource.file)


def related(ctx: RuleContext, a: Resource, b: Resource) -> bool:
    """Whether two objects may be applied together (``ResourceIndex.related``)."""
    return ctx.index.related(a, b)


def can_judge_missing(ctx: RuleContext, kind: str, resource: Resource, namespace: str | None = None) -> bool:
    """Steps 1 and 2 of the missing-object policy (``guardlint.model.missing.can_judge_missing``)."""
    return _missing.can_judge_missing(ctx.index, kind, resource, namespace)


def is_missing(ctx: RuleContext, kind: str, name: str, resource: Resource, namespace: str | None = None) -> bool:
    """The whole missing-object policy (``guardlint.model.missing.is_missing``)."""
    return _missing.is_missing(ctx.index, ctx.workloads, kind, name, resource, namespace)


def sees_namespace(ctx: RuleContext, resource: Resource) -> bool:
    """Step 1 of the missing-object policy (``guardlint.model.missing.sees_namespace``): where it is False,
    ``can_judge_missing`` and ``can_judge_pods`` are False for the object's own namespace, so a rule that would
    report only with one of them may ask it first and leave before finding a selector's pods."""
    return _missing.sees_namespace(ctx.index, resource)


def can_judge_pods(ctx: RuleContext, resource: Resource) -> bool:
    """Whether "no pod matches" may be reported for a selector of ``resource``
    (``guardlint.model.missing.can_judge_pods``)."""
    return _missing.can_judge_pods(ctx.index, ctx.workloads, resource)


# --- replicas and autoscalers ----------------------------------------------------------------------------


# --- ports -----------------------------------------------------------------------------------------------


def is_run_to_completion(pod: PodSpecRef) -> bool:
    """Batch workloads (Jobs, CronJobs, batch CRDs) and bare pods that do not restart on success."""
    if pod.entry.batch:
        return True
    return pod.resource.kind == "Pod" and pod.spec.get("restartPolicy") in ("Never", "OnFailure")


def first_index(items: Sequence[Any], value: Any) -> int:
    for i, item in enumerate(items):
        if item == value:
            return i
    return -1


# --- disruption budgets ----------------------------------------------------------------------------------


# --- partial objects (kustomize patches) --------------------------------------------------------------------


class _PartialMemo:
    """``is_partial_object``'s answers in one run, by the ``id`` of the object (kept alive with its answer, so
    the identity cannot be reused while the run lasts), for the run's pod-template table."""

    __slots__ = ("by_id", "workloads")

    def __init__(self) -> None:
        self.workloads: WorkloadTable | None = None
        self.by_id: dict[int, tuple[Resource, bool]] = {}


_PARTIAL_MEMO = "resources:is-partial-object"


def is_partial_object(resource: Resource, ctx: RuleContext) -> bool:
    """Whether ``resource`` is a fragment rather than a whole object: a patch (``guardlint.model.patches``:
    listed by a linted Kustomization, using a strategic-merge directive or in a file named as a patch), or a
    built-in workload whose pod template has no containers or a container without an
    image (the API accepts neither from a whole manifest in practice; patches leave them to the base).

    Rules that report a *missing* field skip fragments: the field is usually in the base the patch applies to.
    About ten rules ask this of the same object (every "missing" rule whose field a container lacks), so the
    answer is kept for the run: it is a function of the object, the run's index (``is_patch``) and its
    pod-template table (``incomplete_workload``), and a context with another table (never within a run) gets
    its answer computed, not remembered.
    """
    memo: _PartialMemo = ctx.index.memo(_PARTIAL_MEMO, _PartialMemo)
    if memo.workloads is None:
        memo.workloads = ctx.workloads
    shared = memo.workloads is ctx.workloads
    if shared:
        hit = memo.by_id.get(id(resource))
        if hit is not None and hit[0] is resource:
            return hit[1]
    from guardlint.model.patches import incomplete_workload, is_patch

    answer = incomplete_workload(resource, ctx.workloads) or is_patch(resource, ctx.index)
    if shared:
        memo.by_id[id(resource)] = (resource, answer)
    return answer


_FILLED_BY_OPERATOR: dict[tuple[str, str], frozenset[str]] = {
    # KServe's webhook gives predictor, transformer and explainer containers default requests and limits.
    ("serving.kserve.io", "InferenceService"): frozenset({"resources"}),
    ("serving.kubeflow.org", "InferenceService"): frozenset({"resources"}),  # KFServing, before the rename
    # KubeRay injects readiness and liveness probes into Ray head and worker containers.
    ("ray.io", "*"): frozenset({"readinessProbe", "livenessProbe"}),
    # Knative Serving gives the user container a default readiness probe on its port.
    ("serving.knative.dev", "*"): frozenset({"readinessProbe"}),
}


_TRAINER_GROUP = "trainer.kubeflow.org"
_TRAINER_RUNTIMES = frozenset({"TrainingRuntime", "ClusterTrainingRuntime"})
_TRAINER_JOBS: FieldPath = ("spec", "template", "spec", "replicatedJobs")
_ANCESTOR_LABEL = "trainer.kubeflow.org/trainjob-ancestor-step"


def resources_set_by_train_job(resource: Resource, c: ContainerRef) -> bool:
    """Whether a Kubeflow Trainer TrainJob sets this container's resources: a TrainJob's
    ``spec.trainer.resourcesPerNode`` (with its image, command and env) goes into the container named ``node``
    of each replicated job of its (Cluster)TrainingRuntime whose Job template is labelled
    ``trainer.kubeflow.org/trainjob-ancestor-step: trainer``. The runtime is a template shared by TrainJobs
    that each size their nodes, so it leaves that container's resources out by design. The initializer
    containers (``dataset-initializer``, ``model-initializer``) get nothing from the TrainJob and are judged."""
    if c.name != "node" or resource.group != _TRAINER_GROUP or resource.kind not in _TRAINER_RUNTIMES:
        return False
    n = len(_TRAINER_JOBS)
    if len(c.path) <= n or c.path[:n] != _TRAINER_JOBS:
        return False
    labels = get(resource.data, (*c.path[: n + 1], "template", "metadata", "labels"))
    return isinstance(labels, dict) and labels.get(_ANCESTOR_LABEL) == "trainer"


def filled_by_operator(resource: Resource, what: str) -> bool:
    """Whether the operator of a custom resource fills ``what`` ("resources" or a probe field) into the pods
    it creates when the manifest leaves it out."""
    for key in ((resource.group, resource.kind), (resource.group, "*")):
        if what in _FILLED_BY_OPERATOR.get(key, ()):
            return True
    return False
