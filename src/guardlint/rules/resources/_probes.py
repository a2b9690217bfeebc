"""The shared check behind the "missing probe" rules."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.ports import container_ports
from guardlint.model.workloads import ContainerKind, iter_containers, iter_pod_specs
from guardlint.rules.api import Resource, RuleContext, Violation
from guardlint.rules.params import param
from guardlint.rules.resources._common import filled_by_operator, is_partial_object, is_run_to_completion

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated


class ProbeParams(NamedTuple):
    only_with_ports: Annotated[bool, param(
        "Only report containers that declare at least one container port (that serve traffic).",
    )] = False


def missing_probe(
    resource: Resource, ctx: RuleContext, probe: str, what: str, only_with_ports: bool
) -> Iterator[Violation]:
    """Regular containers of long-running pods that set no ``probe``.

    Whether the object is a fragment or an operator fills the probe in is asked only once a container lacks
    it: both are pure functions of the object and the run, and without such a container nothing is reported
    whatever they answer (most objects have no pods, or pods whose containers set the probe).
    """
    excused: bool | None = None
    for pod in iter_pod_specs(resource, ctx.workloads):
        if is_run_to_completion(pod):
            continue
        for c in iter_containers(pod, _CONTAINERS):
            if c.data.get(probe) is not None or c.completed_by_injector:
                continue
            if only_with_ports and not container_ports(c):
                continue
            if excused is None:
                excused = is_partial_object(resource, ctx) or filled_by_operator(resource, probe)
            if excused:
                return
            yield Violation((*c.path, probe), f"{c.describe()} has no {what} probe")


_CONTAINERS = (ContainerKind.CONTAINER,)
