"""invalid-pod-resources: pod-level resources the API server rejects against its containers' resources."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint.model.access import get_map
from guardlint.model.quantity import Amount, format_quantity, quantity_amount, quantity_text
from guardlint.model.workloads import ContainerKind, aggregate_amounts, iter_containers, iter_pod_specs
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import MANAGE_RESOURCES, POD_LEVEL_RESOURCES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint.model.workloads import PodSpecRef

_ENABLED = "where pod-level resources are enabled, by default from Kubernetes 1.34"


@rule(
    code="RES120",
    name="invalid-pod-resources",
    # Gate: the rule yields nothing when this does not hold: every finding compares a pod's pod-level resources.
    gates=("pod-resources",),
    pods_only=True,
    title="Pod-level resources are below what the containers set",
    severity=Severity.ERROR,
    pack="resources",
    since="0.3.0",
    status="preview",
    tags=("resources", "api-rejects"),
    remediation="Raise the pod-level spec.resources to cover the containers (or lower the containers' values); "
    "leave pod-level resources out of Windows pods.",
    references=(POD_LEVEL_RESOURCES, MANAGE_RESOURCES),
)
def invalid_pod_resources(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports pod-level `spec.resources` (the PodLevelResources feature) that the API server's pod validation
    (`validatePodResources`, `validatePodResourceConsistency`) rejects against the containers' own resources:
    - a container's limit above the pod-level limit of the same resource;
    - a pod-level request below what the containers request together, counted as the kubelet and the scheduler
      count a pod's requests: the regular containers and the sidecars (`restartPolicy: Always` init containers)
      together, or the largest init container with the sidecars started before it, whichever is more;
    - a pod-level huge-page limit below the containers' limits of that page size, counted the same way;
    - pod-level resources in a Windows pod (`spec.os.name: windows`).

    - a pod-level cpu or memory limit with no pod-level request of that resource, below what the containers
      request together: the API defaults the pod-level request to that aggregate and rejects a request above
      the limit.

    The containers' requests are counted as the API holds them once defaulted: a container that sets a limit
    and no request for a resource requests its limit. That defaulting runs on Pods only, not on the templates of
    Deployments, Jobs or custom resources: a template whose finding holds only once defaulted is accepted, and the
    message says that each pod made from it is rejected. Accelerators and other names that pod-level resources do
    not accept are `gpu-pod-level-resources`' findings.

    ## Why is this bad?
    The API server rejects the pod (`must be less than or equal to pod limits`, `must be greater than or equal to
    aggregate container requests`, `may not be set for a windows pod`), and for a Deployment, Job or any other
    controller the pods it creates, so nothing starts and a GitOps sync keeps failing. Where pod-level resources
    are disabled the field is dropped and the pod runs without the budget it was meant to have (Kubernetes
    documentation, "Assign Pod-level CPU and memory resources").

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      resources:
        requests: {cpu: "1", memory: 1Gi}
        limits: {memory: 1Gi}
      containers:
        - name: web
          image: example.com/web:2.1.0
          resources:
            requests: {cpu: 800m}
            limits: {memory: 2Gi}
        - name: log-agent
          image: example.com/log-agent:1.4.0
          resources:
            requests: {cpu: 400m}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      resources:
        requests: {cpu: 1500m, memory: 2Gi}
        limits: {memory: 2Gi}
      containers:
        - name: web
          image: example.com/web:2.1.0
          resources:
            requests: {cpu: 800m}
            limits: {memory: 2Gi}
        - name: log-agent
          image: example.com/log-agent:1.4.0
          resources:
            requests: {cpu: 400m}
    ```
    """
    for pod in iter_pod_specs(resource, ctx.workloads):
        pod_resources = pod.spec.get("resources")
        if not isinstance(pod_resources, Mapping) or not pod_resources:
            continue
        if pod.is_windows:
            yield Violation((*pod.path, "resources"), "pod-level resources are set in a Windows pod; the API rejects "
                            f"pod-level resources for Windows pods ({_ENABLED})")
            continue
        yield from _container_limits(pod)
        yield from _aggregates(pod, "requests")
        yield from _aggregates(pod, "limits")
        yield from _defaulted_requests(pod)


def _values(section: Any) -> dict[str, Amount]:
    """The parsed quantities of a ``requests`` or ``limits`` mapping (names that do not parse left out)."""
    out: dict[str, Amount] = {}
    if isinstance(section, Mapping):
        for name, raw in section.items():
            value = quantity_amount(raw)
            if isinstance(name, str) and value is not None:
                out[name] = value
    return out


def _container_limits(pod: PodSpecRef) -> Iterator[Violation]:
    """Each regular container's limit above the pod-level limit (the API checks ``spec.containers`` only)."""
    pod_limits = get_map(pod.spec, ("resources", "limits")) or {}
    limits = _values(pod_limits)
    if not limits:
        return
    for c in iter_containers(pod, (ContainerKind.CONTAINER,)):
        raw_limits = get_map(c.data, ("resources", "limits")) or {}
        for name, value in _values(raw_limits).items():
            pod_limit = limits.get(name)
            if pod_limit is not None and value > pod_limit:
                yield Violation(
                    (*c.path, "resources", "limits", name),
                    f"{c.describe()} limits {name} to {quantity_text(raw_limits[name])}, above the pod-level limit "
                    f"of {quantity_text(pod_limits[name])}; the API rejects a container limit above the pod's "
                    f"({_ENABLED})",
                    at_value=True,
                )


def _aggregates(pod: PodSpecRef, section: str) -> Iterator[Violation]:
    """A pod-level request (or huge-page limit) below the containers' aggregate of the same resource."""
    raw_pod = get_map(pod.spec, ("resources", section)) or {}
    pod_values = _values(raw_pod)
    if section == "limits":  # the API compares aggregate limits for huge pages only
        pod_values = {n: v for n, v in pod_values.items() if n.startswith("hugepages-")}
    if not pod_values:
        return
    names = frozenset(pod_values)
    total = _aggregate(pod, section, names)
    for name, value in pod_values.items():
        needed = total.get(name)
        if needed is not None and needed > value:
            what = "request" if section == "requests" else "limit"
            rejects = (_pods_rejected(pod) if _only_once_defaulted(pod, section, name, value)
                       else f"the API rejects a pod-level {what} below the containers' aggregate")
            yield Violation(
                (*pod.path, "resources", section, name),
                f"the pod-level {name} {what} of {quantity_text(raw_pod[name])} is below the {_amount(needed, name)} "
                f"the containers {what} together{_defaulted_note(pod, section, name)}; {rejects} ({_ENABLED})",
                at_value=True,
            )


def _defaulted_requests(pod: PodSpecRef) -> Iterator[Violation]:
    """A pod-level cpu or memory limit with no pod-level request of that resource, below what the containers
    request together: the API defaults the pod-level request to that aggregate (``defaultPodRequests``) and then
    rejects a request above the limit."""
    raw_limits = get_map(pod.spec, ("resources", "limits")) or {}
    requests = get_map(pod.spec, ("resources", "requests")) or {}
    limits = {n: v for n, v in _values(raw_limits).items() if n in ("cpu", "memory") and n not in requests}
    if not limits:
        return
    total = _aggregate(pod, "requests", frozenset(limits))
    for name, value in limits.items():
        needed = total.get(name)
        if needed is not None and needed > value:
            # The pod-level request is defaulted by SetDefaults_Pod too: a template is never rejected for it.
            rejects = (_pods_rejected(pod) if not pod.is_pod
                       else "the API defaults it to that aggregate and rejects a request above the limit")
            yield Violation(
                (*pod.path, "resources", "limits", name),
                f"the pod-level {name} limit of {quantity_text(raw_limits[name])} is below the {_amount(needed, name)} "
                f"the containers request together{_defaulted_note(pod, 'requests', name)}; with no pod-level {name} "
                f"request {rejects} ({_ENABLED})",
                at_value=True,
            )


_BINARY = (("Ti", 1024**4), ("Gi", 1024**3), ("Mi", 1024**2), ("Ki", 1024))
_BINARY_UP_TO = 1024**8
"""Larger amounts (a hostile `1e9999`) are left to ``format_quantity``, which renders any value."""


def _amount(value: Amount, name: str) -> str:
    """An aggregate for a message: bytes in the largest binary unit that divides them (``1536Mi``), other
    amounts as quantities (``1500m``)."""
    if (name == "memory" or name.startswith(("hugepages-", "ephemeral-storage"))) and value < _BINARY_UP_TO:
        for suffix, size in _BINARY:
            if value >= size and value % size == 0:
                return f"{value // size}{suffix}"
    return format_quantity(value)


def _aggregate(pod: PodSpecRef, section: str, names: frozenset[str], defaulted: bool = True
               ) -> dict[str, Amount]:
    """The containers' aggregate of ``section`` for ``names`` as the API counts it (``aggregate_amounts``), after
    the API's defaulting (unless ``defaulted`` is false): a container's request that it leaves out is its limit
    (``SetDefaults_Pod``)."""
    return aggregate_amounts(
        (c, {n: v for n, v in _container_values(c.data, section, defaulted).items() if n in names})
        for c in iter_containers(pod, (ContainerKind.CONTAINER, ContainerKind.INIT))
    )


def _only_once_defaulted(pod: PodSpecRef, section: str, name: str, value: Amount) -> bool:
    """Whether ``pod`` is a template (of a Deployment, a Job, a custom resource) whose containers' ``section``
    aggregate of ``name`` exceeds ``value`` only once each container's requests are defaulted from its limits:
    ``SetDefaults_Pod`` runs on Pods, not on templates, so the API accepts the object and rejects each pod made
    from it."""
    if section != "requests" or pod.is_pod:
        return False
    plain = _aggregate(pod, section, frozenset((name,)), defaulted=False).get(name)
    return plain is None or plain <= value


def _pods_rejected(pod: PodSpecRef) -> str:
    return (f"the API accepts the {pod.resource.kind or 'object'}, but it defaults each pod made from it this "
            "way and rejects the pod")


def _container_values(container: Any, section: str, defaulted: bool = True) -> dict[str, Amount]:
    """A container's ``requests`` or ``limits`` as the API holds them once defaulted (as written when
    ``defaulted`` is false): for requests, each limit whose resource has no request is the request too."""
    values = _values(get_map(container, ("resources", section)))
    if section == "requests" and defaulted:
        requests = get_map(container, ("resources", "requests")) or {}
        for name, value in _values(get_map(container, ("resources", "limits"))).items():
            if name not in requests:
                values[name] = value
    return values


def _defaulted_note(pod: PodSpecRef, section: str, name: str) -> str:
    """Words for a message whose aggregate counts a request the API defaults from a container's limit."""
    if section != "requests":
        return ""
    for c in iter_containers(pod, (ContainerKind.CONTAINER, ContainerKind.INIT)):
        requests = get_map(c.data, ("resources", "requests")) or {}
        if name not in requests and name in _values(get_map(c.data, ("resources", "limits"))):
            return f" ({c.describe()} sets a {name} limit and no request, so the API defaults its request to the limit)"
    return ""


RULE = invalid_pod_resources
