"""The shared check behind the "missing request/limit" rules."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.limitrange import limitrange_supplies
from guardlint.model.workloads import iter_containers, iter_pod_specs
from guardlint.rules.api import FixEdit, Resource, RuleContext, Violation, structural_fix
from guardlint.rules.resources._common import (
    RESOURCE_CONTAINERS,
    filled_by_operator,
    is_partial_object,
    resources_set_by_train_job,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _sets(resources: Any, sections: tuple[str, ...], name: str) -> bool:
    """Whether a ``resources`` mapping sets ``name`` (not null) in one of ``sections``."""
    if not isinstance(resources, dict):
        return False
    for section in sections:
        values = resources.get(section)
        if isinstance(values, dict) and values.get(name) is not None:
            return True
    return False


def missing_resource(resource: Resource, ctx: RuleContext, name: str, section: str) -> Iterator[Violation]:
    """Containers and init containers (sidecars included) that set no ``section`` value for ``name``.

    A request is satisfied by the container's request, by its limit (the API copies a limit into a missing
    request), by a pod-level ``spec.resources`` request or limit, or by a LimitRange default in the same
    namespace; a limit by the container's limit, a pod-level limit or a LimitRange default. The trainer
    container of a Kubeflow (Cluster)TrainingRuntime gets its resources from each TrainJob
    (``resources_set_by_train_job``) and is not judged.

    What rules the whole object out (a fragment, an operator that fills resources in, a LimitRange default)
    is asked only once a container lacks the value: each of those questions is a pure function of the object
    and the run, and without such a container nothing is reported whatever they answer, so asking them
    later gives the same findings while most objects (no pods, or pods that set the value) never ask.
    """
    what = "request" if section == "requests" else "limit"
    sections = ("requests", "limits") if section == "requests" else ("limits",)
    excused: bool | None = None
    for pod in iter_pod_specs(resource, ctx.workloads):
        if _sets(pod.spec.get("resources"), sections, name):
            continue
        for c in iter_containers(pod, RESOURCE_CONTAINERS):
            resources = c.data.get("resources")
            if _sets(resources, sections, name) or resources_set_by_train_job(resource, c) or c.completed_by_injector:
                continue
            if excused is None:
                excused = (
                    is_partial_object(resource, ctx)
                    or filled_by_operator(resource, "resources")
                    or limitrange_supplies(ctx.index, resource, name, section)
                )
            if excused:
                return
            request = _value(resources, "requests", name) if section == "limits" else None
            fix = None
            if isinstance(request, (int, str)) and not isinstance(request, bool):
                fix = structural_fix(f"set the {name} limit to the request, {request}",
                                     FixEdit("set", (*c.path, "resources", "limits", name), request))
            yield Violation((*c.path, "resources", section, name), f"{c.describe()} has no {name} {what}", fix=fix)


def _value(resources: Any, section: str, name: str) -> Any:
    """``resources.<section>.<name>`` (None when missing)."""
    values = resources.get(section) if isinstance(resources, dict) else None
    return values.get(name) if isinstance(values, dict) else None
