"""invalid-huge-pages: huge-page resources the API server rejects, and huge-page volumes the kubelet cannot mount."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping

from guardlint.model.quantity import quantity_amount, quantity_text
from guardlint.model.workloads import iter_containers, iter_pod_specs
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import MANAGE_RESOURCES
from guardlint.rules.resources._common import RESOURCE_CONTAINERS, is_partial_object
from guardlint.rules.resources.invalid_volume_mount import KUBERNETES_POD_KINDS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from guardlint.model.paths import FieldPath
    from guardlint.model.workloads import PodSpecRef

    LimitRangeTest = Callable[[str, str], bool]

_PREFIX = "hugepages-"
"""``IsHugePageResourceName``: a resource name with this prefix is a huge-page resource."""
_MEDIUM = "HugePages"
"""``StorageMediumHugePages``; ``HugePages-<size>`` (``IsHugePageMedium``) names the page size too."""
_POD_LEVEL = "where pod-level resources are enabled, by default from Kubernetes 1.34"
_UNLESS = " (unless a LimitRange of its namespace gives the container a default)"
"""For a bare Pod: the LimitRanger admission plugin fills in a LimitRange's defaults before the API validates it
(a template is validated as written)."""
MANAGE_HUGE_PAGES = Reference("Kubernetes: Manage HugePages",
                              "https://kubernetes.io/docs/tasks/manage-hugepages/scheduling-hugepages/")


def page_size(name: str) -> int | None:
    """The page size in bytes of a huge-page resource name (``HugePageSizeFromResourceName``: the text after
    ``hugepages-`` as a quantity), or None when the API finds no usable page size there: the text does not parse,
    or the size is not a positive whole number of bytes (``IsHugePageResourceValueDivisible``)."""
    return _size(name[len(_PREFIX):])


def _size(text: str) -> int | None:
    value = quantity_amount(text) if text and text == text.strip() else None
    if value is None or value <= 0 or value != math.floor(value):
        return None
    return int(value)


def _divisibility(owner: str, section: str, name: str, raw: Any, at: FieldPath) -> Iterator[Violation]:
    """``validateResourceQuantityHugePageValue``: the amount, rounded up to whole bytes as ``Quantity.Value``
    rounds, is a multiple of the page size."""
    value = quantity_amount(raw)
    if value is None or value < 0:  # a negative amount is rejected as such (resource-out-of-bounds)
        return
    size = page_size(name)
    verb = "limits" if section == "limits" else "requests"
    reason = f"the API rejects it: {quantity_text(raw)} is not positive integer multiple of {name}"
    if size is None:
        yield Violation(at, f"{owner} {verb} {name}, but {name[len(_PREFIX):]!r} is not a page size (a positive "
                        f"whole number of bytes such as 2Mi or 1Gi); {reason}")
    elif math.ceil(value) % size:
        yield Violation(at, f"{owner} {verb} {quantity_text(raw)} of {name}, which is not a whole number of "
                        f"{name[len(_PREFIX):]} pages; {reason}", at_value=True)


def _requirements(owner: str, resources: Any, at: FieldPath, *, partial: bool, pod_level: bool,
                  limit_range: LimitRangeTest | None) -> Iterator[Violation]:
    """``validateResourceRequirements`` on one ``resources`` (a container's or the pod's), for huge pages.
    ``limit_range`` is given for the containers of a bare Pod: whether a LimitRange among the linted objects gives
    them a default of a resource (``limits`` or ``requests``) before the API validates the Pod."""
    if not isinstance(resources, Mapping):
        return
    limits, requests = resources.get("limits"), resources.get("requests")
    limits = limits if isinstance(limits, Mapping) else {}
    requests = requests if isinstance(requests, Mapping) else {}
    where = f" ({_POD_LEVEL})" if pod_level else ""
    unless = _UNLESS if limit_range is not None else ""
    first: FieldPath | None = None
    for section, values in (("limits", limits), ("requests", requests)):
        for name, raw in values.items():
            if not isinstance(name, str) or not name.startswith(_PREFIX):
                continue
            key = (*at, section, name)
            first = first or key
            yield from (Violation(v.path, v.message + where, v.at_value)
                        for v in _divisibility(owner, section, name, raw, key))
            if section == "requests" and name not in limits and not partial and not (
                    limit_range is not None and limit_range(name, "limits")):
                yield Violation(key, f"{owner} requests {quantity_text(raw)} of {name} without a limit; huge pages "
                                "cannot be overcommitted and the API rejects a request without a limit (Limit must "
                                f"be set for non overcommitable resources){unless}{where}")
    if first is None or partial:
        return
    if any(n in section for section in (limits, requests) for n in ("cpu", "memory")):
        return
    if limit_range is not None and any(limit_range(n, s) for n in ("cpu", "memory") for s in ("limits", "requests")):
        return
    yield Violation(first, f"{owner} sets huge pages but neither a cpu nor a memory request or limit; the API "
                    f"rejects huge pages without cpu or memory (HugePages require cpu or memory){unless}{where}")


def _requested_sizes(pod: PodSpecRef, *, pod_level: bool) -> tuple[set[int], bool]:
    """The page sizes the pod's init and app containers request once the API has defaulted each request from its
    limit (the kubelet reads the Pod's requests), with the pod-level ones when ``pod_level``; and whether some
    requested huge-page name has no page size (the kubelet then fails on it whatever the medium)."""
    sizes: set[int] = set()
    broken = False
    owners: list[Any] = [c.data.get("resources") for c in iter_containers(pod, RESOURCE_CONTAINERS)]
    if pod_level:
        owners.append(pod.spec.get("resources"))
    for resources in owners:
        if not isinstance(resources, Mapping):
            continue
        for section in ("requests", "limits"):
            values = resources.get(section)
            for name in values if isinstance(values, Mapping) else ():
                if isinstance(name, str) and name.startswith(_PREFIX):
                    size = page_size(name)
                    if size is None:
                        broken = True
                    else:
                        sizes.add(size)
    return sizes, broken


def _volumes(pod: PodSpecRef) -> Iterator[Violation]:
    """``getPageSizeMountOption`` (the kubelet's emptyDir plugin) for each huge-page ``emptyDir`` volume."""
    volumes = pod.spec.get("volumes")
    if not isinstance(volumes, list):
        return
    checked: tuple[set[int], set[int], bool] | None = None
    for i, volume in enumerate(volumes):
        empty_dir = volume.get("emptyDir") if isinstance(volume, dict) else None
        medium = empty_dir.get("medium") if isinstance(empty_dir, dict) else None
        if not isinstance(medium, str) or not (medium == _MEDIUM or medium.startswith(_MEDIUM + "-")):
            continue
        if checked is None:
            containers, broken = _requested_sizes(pod, pod_level=False)
            everything, _ = _requested_sizes(pod, pod_level=True)
            checked = (containers, everything, broken)
        containers, everything, broken = checked
        if broken:
            return
        name = volume.get("name")
        label = f"volume {name!r}" if isinstance(name, str) and name else f"volume {i}"
        at = (*pod.path, "volumes", i, "emptyDir", "medium")
        fails = "the API accepts the pod, but the kubelet cannot mount the volume and the pod never starts"
        if medium == _MEDIUM:
            if len(containers) > 1:
                yield Violation(at, f"{label} has medium {medium} while the containers request huge pages of "
                                f"{len(containers)} page sizes; {fails} (medium: HugePages can't be used if container "
                                "requests multiple huge page sizes): name the size in the medium "
                                "(HugePages-<size>), one volume per size", at_value=True)
            elif not everything:
                yield Violation(at, f"{label} has medium {medium} but no container requests huge pages; {fails} "
                                "(hugePages storage requested, but there is no resource request for huge pages)",
                                at_value=True)
            continue
        size = _size(medium[len(_MEDIUM) + 1:])
        if size is None:
            if quantity_amount(medium[len(_MEDIUM) + 1:]) is None:
                yield Violation(at, f"{label} has medium {medium}, whose page size does not parse as a quantity; "
                                f"{fails}", at_value=True)
            continue
        if size not in everything:
            yield Violation(at, f"{label} has medium {medium} but no container requests huge pages of that page "
                            f"size (hugepages-{medium[len(_MEDIUM) + 1:]}); {fails} (hugePages storage requested, "
                            "but there is no resource request for huge pages)", at_value=True)


@rule(
    code="RES122",
    name="invalid-huge-pages",
    # Gate: the rule yields nothing when none of these holds: a finding names a huge-page resource of a container
    # or an init container (a name other than cpu, memory and ephemeral-storage: extended-resources), one of the
    # pod-level resources (pod-resources), or a huge-page emptyDir volume (huge-page-volume).
    gates=("extended-resources", "pod-resources", "huge-page-volume"),
    pods_only=True,
    title="Huge pages that the API rejects or the kubelet cannot mount",
    severity=Severity.ERROR,
    pack="resources",
    since="0.3.0",
    status="preview",
    tags=("resources", "api-rejects"),
    remediation="Give each container that uses huge pages a cpu or memory request or limit, set each "
    "hugepages-<size> limit (equal to its request) to a whole number of pages, and request the page size a "
    "HugePages-<size> volume names (with the plain HugePages medium, request a single page size).",
    kinds=tuple(sorted({k for _, k in KUBERNETES_POD_KINDS})),
    references=(MANAGE_HUGE_PAGES, MANAGE_RESOURCES),
)
def invalid_huge_pages(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports, in the pods of Kubernetes' own workloads (Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job,
    CronJob, ReplicationController, PodTemplate), huge-page resources (`hugepages-<size>`) that the API server's
    `validateResourceRequirements` rejects, in a container's, an init container's or the pod-level `resources`:

    - huge pages in `resources` that name neither cpu nor memory, in `requests` or `limits`
      (`HugePages require cpu or memory`);
    - a huge-page request without a limit (`Limit must be set for non overcommitable resources`);
    - an amount that is not a whole number of pages, or a name whose size is not a page size
      (`is not positive integer multiple of hugepages-2Mi`).

    A request that differs from its limit is `request-exceeds-limit`'s finding.

    It also reports an `emptyDir` volume with a huge-page medium that the kubelet cannot mount (the API
    accepts the pod; the kubelet's emptyDir plugin refuses the volume): a `HugePages-<size>` medium when no
    container or init container requests huge pages of that size, and the plain `HugePages` medium when none
    requests huge pages or they request several page sizes. A request counts as the kubelet reads it, once the
    API has defaulted it from the container's limit; pod-level huge pages count as a request (the kubelet reads
    them where pod-level resources are enabled), but not as a further page size for the plain medium.

    A kustomize patch or another fragment is not judged for what it leaves out (the base may set it); an
    operator's custom resource is not judged (its controller builds the pods). A bare Pod whose containers get
    cpu or memory (or a huge-page limit) from a LimitRange among the linted objects is not reported for it, and
    the message for a bare Pod says that a LimitRange of its namespace could fill it in. A bare Pod's own
    pod-level resources are judged only for whole pages: the API fills in pod-level requests and huge-page
    limits from the containers' before it validates a Pod (a template is validated as written).

    ## Why is this bad?
    The API server rejects the pod, and with it the Deployment, StatefulSet, DaemonSet, Job or CronJob whose
    template it is (`spec.template.spec.containers[0].resources: Forbidden: HugePages require cpu or memory`),
    so a GitOps sync keeps failing. A huge-page volume the kubelet cannot mount leaves the pod in
    `ContainerCreating` with `FailedMount` events (`hugePages storage requested, but there is no resource
    request for huge pages`). Huge pages are requested with limits (the request defaults to the limit), in
    whole pages, next to a memory or cpu request (Kubernetes documentation, "Manage HugePages").

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: dpdk
    spec:
      selector:
        matchLabels: {app: dpdk}
      template:
        metadata:
          labels: {app: dpdk}
        spec:
          containers:
            - name: dpdk
              image: example.com/dpdk:23.11
              volumeMounts:
                - {name: hugepages, mountPath: /hugepages}
              resources:
                limits: {hugepages-1Gi: 2Gi}
          volumes:
            - name: hugepages
              emptyDir: {medium: HugePages-2Mi}
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: dpdk
    spec:
      selector:
        matchLabels: {app: dpdk}
      template:
        metadata:
          labels: {app: dpdk}
        spec:
          containers:
            - name: dpdk
              image: example.com/dpdk:23.11
              volumeMounts:
                - {name: hugepages, mountPath: /hugepages}
              resources:
                limits: {hugepages-1Gi: 2Gi, memory: 1Gi}
                requests: {memory: 1Gi}
          volumes:
            - name: hugepages
              emptyDir: {medium: HugePages-1Gi}
    ```
    """
    if (resource.group, resource.kind) not in KUBERNETES_POD_KINDS:
        return
    partial: bool | None = None
    limit_range: LimitRangeTest | None = None
    if resource.kind == "Pod":
        from guardlint.model.limitrange import limitrange_supplies

        def limit_range(name: str, section: str) -> bool:
            return limitrange_supplies(ctx.index, resource, name, section)
    for pod in iter_pod_specs(resource, ctx.workloads):
        if partial is None:
            partial = is_partial_object(resource, ctx)
        for c in iter_containers(pod, RESOURCE_CONTAINERS):
            yield from _requirements(c.describe(), c.data.get("resources"), (*c.path, "resources"),
                                     partial=partial, pod_level=False, limit_range=limit_range)
        # A Pod's own pod-level resources are defaulted from its containers' before validation
        # (``defaultHugePagePodLimits``, ``defaultPodRequests``): only what a template leaves out is judged.
        yield from _requirements("the pod", pod.spec.get("resources"), (*pod.path, "resources"),
                                 partial=partial or pod.is_pod, pod_level=True, limit_range=None)
        if not partial:
            yield from _volumes(pod)


RULE = invalid_huge_pages
