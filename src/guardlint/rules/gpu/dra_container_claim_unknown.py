"""dra-container-claim-unknown: a container uses a resource claim the pod does not declare."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get_list, get_str
from guardlint.model.workloads import ContainerKind, iter_containers
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._support import gpu_facts, pod_resource_claims

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="GPU080",
    name="dra-container-claim-unknown",
    # Gate: the rule yields nothing when this does not hold: it judges only containers' resources.claims
    # (``container_claims``).
    gates=("resource-claims",),
    pods_only=True,
    title="Container uses a resource claim the pod does not declare",
    severity=Severity.ERROR,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "dra", "api-rejects"),
    remediation="Declare the claim in the pod's spec.resourceClaims (with a resourceClaimName or "
    "resourceClaimTemplateName), or use the name of a declared claim.",
    references=(_refs.DRA, _refs.VALIDATION),
)
def dra_container_claim_unknown(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports `resources.claims[].name` entries of containers and init containers that name no entry of the
    pod's `spec.resourceClaims` (Dynamic Resource Allocation), in every workload kind. For Argo Workflows
    templates without claims of their own, the workflow-level `spec.resourceClaims` counts.

    ## Why is this bad?
    A container consumes a device claim through `resources.claims`, which must refer by name to a claim the
    pod declares in `spec.resourceClaims`. The API server rejects any other name (`validateResourceClaimNames`:
    `Not found: "<name>"`, must be one of the names in pod.spec.resourceClaims), so the workload, or for a
    custom resource every pod its operator creates, is rejected.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: infer
    spec:
      resourceClaims:
        - name: gpu
          resourceClaimTemplateName: single-gpu
      containers:
        - name: server
          image: vllm/vllm-openai:v0.6.3
          resources:
            claims:
              - name: gpus
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: infer
    spec:
      resourceClaims:
        - name: gpu
          resourceClaimTemplateName: single-gpu
      containers:
        - name: server
          image: vllm/vllm-openai:v0.6.3
          resources:
            claims:
              - name: gpu
    ```
    """
    facts = gpu_facts(resource, ctx)
    if not facts.container_claims:
        return  # no init or app container lists resources.claims, so none uses an undeclared claim
    for pod_facts in facts.pods:
        pod = pod_facts.pod
        declared = [get_str(rc, ("name",)) for rc in pod_resource_claims(pod)[1]]
        names = {n for n in declared if n}
        for c in iter_containers(pod, (ContainerKind.INIT, ContainerKind.CONTAINER)):
            for j, claim in enumerate(get_list(c.data, ("resources", "claims")) or []):
                name = get_str(claim, ("name",))
                if not name or name in names:
                    continue
                known = ", ".join(sorted(names)) if names else "none"
                yield Violation(
                    (*c.path, "resources", "claims", j, "name"),
                    f"{c.describe()} uses resource claim {name!r}, which the pod does not declare in "
                    f"spec.resourceClaims (declared: {known}); the API rejects it",
                )


RULE = dra_container_claim_unknown
