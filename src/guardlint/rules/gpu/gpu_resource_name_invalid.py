"""gpu-resource-name-invalid: a container resource name the API rejects."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.requirements import iter_sites
from guardlint.model.resourcenames import (
    STANDARD_CONTAINER_RESOURCES,
    is_extended,
    is_hugepages,
    is_native,
    qualified_name_problem,
)
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._support import gpu_facts, is_placeholder

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def name_problem(name: str) -> str | None:
    """Why the API rejects ``name`` as a container resource name (validateContainerResourceName), or None."""
    problem = qualified_name_problem(name)
    if problem is not None:
        return f"is not a valid resource name: it {problem}"
    if "/" not in name:
        if name not in STANDARD_CONTAINER_RESOURCES and not is_hugepages(name):
            return ("is not a standard container resource (cpu, memory, ephemeral-storage, hugepages-<size>) "
                    "and has no vendor domain")
        return None
    if not is_native(name) and not is_extended(name):
        if name.startswith("requests."):
            return "has the quota prefix 'requests.'; containers name extended resources without it"
        return "does not follow the extended resource name standard"
    return None


@rule(
    code="GPU006",
    name="gpu-resource-name-invalid",
    # Gate: the rule yields nothing when this does not hold: a finding needs an operator site (operator kinds only) or
    # a container resource name with a problem, and cpu, memory and ephemeral-storage have none.
    gates=("extended-resources",),
    title="Container resource name is not valid",
    severity=Severity.ERROR,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "api-rejects"),
    remediation="Use the vendor's resource name with its domain, for example nvidia.com/gpu, amd.com/gpu or "
    "google.com/tpu.",
    references=(_refs.EXTENDED_RESOURCES, _refs.VALIDATION),
)
def gpu_resource_name_invalid(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports resource names in container `resources.limits` and `resources.requests` (and in operator resource
    fields that become container resources) that the API server rejects: a name without a vendor domain that
    is not `cpu`, `memory`, `ephemeral-storage` or `hugepages-<size>` (for example `gpu: 1`), a quota-style
    name such as `requests.nvidia.com/gpu`, an upper-case domain (`NVIDIA.com/gpu`) or a name with two
    slashes.

    ## Why is this bad?
    `validateContainerResourceName` rejects such names with `must be a standard resource for containers` or
    `doesn't follow extended resource name standard`, so the workload (or, for a custom resource, every pod
    its operator creates) never exists. Extended resources are named `<vendor domain>/<name>`, as the
    Kubernetes documentation on extended resources describes.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: train
    spec:
      containers:
        - name: train
          image: nvcr.io/nvidia/pytorch:24.05-py3
          resources:
            limits:
              gpu: 1
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: train
    spec:
      containers:
        - name: train
          image: nvcr.io/nvidia/pytorch:24.05-py3
          resources:
            limits:
              nvidia.com/gpu: 1
    ```
    """
    facts = gpu_facts(resource, ctx)
    # A finding needs a name with a problem, in a container's resources (``resource_names`` holds every such
    # name of the object) or in an operator's shape (a site without a container). Most objects name only
    # cpu and memory, and end here.
    if all(f.site.container is not None for f in facts.sites) and not any(
        not is_placeholder(name) and name_problem(name) is not None for name in facts.resource_names
    ):
        return
    for site in iter_sites(resource, ctx, qualified_only=False):
        for v in site.values:
            if is_placeholder(v.name):
                continue
            problem = name_problem(v.name)
            if problem is None:
                continue
            when = "when the operator creates its pods" if site.operator_created else "at apply"
            yield Violation(v.name_path, f"{site.label}: resource name {v.name!r} {problem}; the API rejects it {when}")


RULE = gpu_resource_name_invalid
