"""The shared check behind the "missing request/limit" rules."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.findings import structural_fix
from guardlint.model.access import get
from guardlint.model.limitrange import limitrange_supplies
from guardlint.model.resource import Resource
from guardlint.model.workloads import iter_containers, iter_pod_specs
from guardlint.rules.api import FixEdit, RuleContext, Violation
from guardlint.rules.resources._common import (
    RESOURCE_CONTAINERS,
    filled_by_operator,
    is_partial_object,
)


def missing_resource(resource: Resource, ctx: RuleContext, name: str, section: str) -> Iterator[Violation]:
    """Containers and init containers (sidecars included) that set no ``section`` value for ``name``.

    A request is satisfied by the container's request, by its limit (the API copies a limit into a missing
    request), by a pod-level ``spec.resources`` request or limit, or by a LimitRange default in the same
    namespace; a limit by the container's limit, a pod-level limit or a LimitRange default.
    """
    if is_partial_object(resource, ctx) or filled_by_operator(resource, "resources"):
        return
    what = "request" if section == "requests" else "limit"
    sections = ("requests", "limits") if section == "requests" else ("limits",)
    supplied: bool | None = None
    for pod in iter_pod_specs(resource, ctx.workloads):
        if any(get(pod.spec, ("resources", s, name)) is not None for s in sections):
            continue
        for c in iter_containers(pod, RESOURCE_CONTAINERS):
            if any(c.get(("resources", s, name)) is not None for s in sections):
                continue
            if supplied is None:
                supplied = limitrange_supplies(ctx.index, resource, name, section)
            if supplied:
                return
            request = c.get(("resources", "requests", name)) if section == "limits" else None
            fix = None
            if isinstance(request, (int, str)) and not isinstance(request, bool):
                fix = structural_fix(f"set the {name} limit to the request, {request}",
                                     FixEdit("set", (*c.path, "resources", "limits", name), request))
            yield Violation((*c.path, "resources", section, name), f"{c.describe()} has no {name} {what}", fix=fix)
