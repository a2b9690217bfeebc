"""dra-request-shape-invalid: a ResourceClaim device request has a shape the API rejects."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint.model.access import get_list, get_str
from guardlint.model.paths import FieldPath
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

NESTED_VERSIONS = frozenset({"v1", "v1beta2"})
"""Versions whose requests nest the device selection under ``exactly`` or ``firstAvailable``."""
FLAT_VERSIONS = frozenset({"v1beta1", "v1alpha3"})
"""Versions whose requests carry ``deviceClassName`` directly (or ``firstAvailable``)."""
FLAT_FIELDS = ("deviceClassName", "selectors", "allocationMode", "count", "adminAccess")
MODES = frozenset({"All", "ExactCount"})


def _allocation(obj: Mapping[str, Any], what: str) -> str | None:
    mode = obj.get("allocationMode")
    count = obj.get("count")
    if mode is not None and mode not in MODES:
        return f"{what} has allocationMode {mode!r}; supported values are All and ExactCount"
    if mode == "All" and count is not None:
        return f"{what} sets count with allocationMode All, which the API rejects"
    if mode in (None, "ExactCount") and count is not None:
        if isinstance(count, bool) or not isinstance(count, int):
            return None
        if count <= 0:
            return f"{what} asks for count {count}; an exact count must be greater than zero"
    return None


def _class_and_allocation(obj: Mapping[str, Any], what: str) -> str | None:
    if not get_str(obj, ("deviceClassName",)):
        return f"{what} has no deviceClassName"
    return _allocation(obj, what)


def _check_request(req: Mapping[str, Any], version: str, label: str) -> Iterator[tuple[FieldPath, str]]:
    exactly, first = req.get("exactly"), req.get("firstAvailable")
    if version in NESTED_VERSIONS:
        flat = [f for f in FLAT_FIELDS if f in req]
        if flat and exactly is None and first is None:
            yield (flat[0],), (f"{label} sets {', '.join(flat)} directly, the v1beta1 shape; in {version} they sit "
                               "under exactly, so the API sees an empty request and rejects it")
            return
        if exactly is None and first is None:
            yield (), f"{label} sets neither exactly nor firstAvailable; the API requires exactly one of them"
        elif exactly is not None and first is not None:
            yield (), f"{label} sets both exactly and firstAvailable; the API accepts only one of them"
        elif isinstance(exactly, dict):
            problem = _class_and_allocation(exactly, f"{label}'s exactly")
            if problem:
                yield ("exactly",), problem
    elif version in FLAT_VERSIONS:
        if exactly is not None:
            yield ("exactly",), (f"{label} uses exactly, the resource.k8s.io/v1 shape; {version} has no such field, "
                                 "so the request has no deviceClassName and the API rejects it")
            return
        if first is None:
            problem = _class_and_allocation(req, label)
            if problem:
                yield (), problem
    if isinstance(first, list):
        for j, sub in enumerate(first):
            if isinstance(sub, dict):
                problem = _class_and_allocation(sub, f"{label}'s firstAvailable[{j}]")
                if problem:
                    yield ("firstAvailable", j), problem


@rule(
    code="GPU083",
    name="dra-request-shape-invalid",
    title="Device request has a shape the API rejects",
    severity=Severity.ERROR,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "dra", "api-rejects"),
    remediation="Match the request to the apiVersion: in resource.k8s.io/v1 (and v1beta2) put deviceClassName, "
    "selectors, allocationMode and count under exactly (or list alternatives under firstAvailable); in v1beta1 "
    "they sit directly on the request.",
    references=(_refs.DRA_API, _refs.DRA),
    kinds=("ResourceClaim", "ResourceClaimTemplate"),
)
def dra_request_shape_invalid(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports device requests of `resource.k8s.io` ResourceClaims and ResourceClaimTemplates that the API
    rejects: in `v1` and `v1beta2`, a request without exactly one of `exactly` and `firstAvailable` (including
    a `v1beta1`-style request with `deviceClassName` directly on it); in `v1beta1` and `v1alpha3`, a request
    using `exactly`, or one with neither `deviceClassName` nor `firstAvailable`; in every version, a missing
    `deviceClassName`, an unknown `allocationMode`, a `count` with `allocationMode: All`, a non-positive exact
    count, and request names that are missing or repeated.

    ## Why is this bad?
    The request shape changed between API versions: `resource.k8s.io/v1` nests the device selection under
    `exactly` (or `firstAvailable`), while `v1beta1` kept `deviceClassName` on the request. Copying a request
    across versions leaves fields the API server does not know: they are dropped, and the request is rejected
    (`exactly one of exactly or firstAvailable is required`, `deviceClassName: Required value`), so the claim
    and every pod that needs it never come to exist.

    ## Example
    ```yaml
    apiVersion: resource.k8s.io/v1
    kind: ResourceClaimTemplate
    metadata:
      name: single-gpu
    spec:
      spec:
        devices:
          requests:
            - name: gpu
              deviceClassName: gpu.nvidia.com
    ```

    ## Use instead
    ```yaml
    apiVersion: resource.k8s.io/v1
    kind: ResourceClaimTemplate
    metadata:
      name: single-gpu
    spec:
      spec:
        devices:
          requests:
            - name: gpu
              exactly:
                deviceClassName: gpu.nvidia.com
    ```
    """
    if resource.group != "resource.k8s.io":
        return
    version = resource.version
    if version not in NESTED_VERSIONS and version not in FLAT_VERSIONS:
        return
    base: FieldPath = ("spec", "spec") if resource.kind == "ResourceClaimTemplate" else ("spec",)
    requests_path = (*base, "devices", "requests")
    seen: set[str] = set()
    for i, req in enumerate(get_list(resource.data, requests_path) or []):
        if not isinstance(req, dict):
            continue
        path = (*requests_path, i)
        name = get_str(req, ("name",))
        if not name:
            yield Violation(path, f"device request #{i} has no name; the API requires one")
            label = f"device request #{i}"
        else:
            if name in seen:
                yield Violation((*path, "name"), f"device request name {name!r} is used twice; names must be unique")
            seen.add(name)
            label = f"device request {name!r}"
        for rel, message in _check_request(req, version, label):
            yield Violation((*path, *rel), message)


RULE = dra_request_shape_invalid
