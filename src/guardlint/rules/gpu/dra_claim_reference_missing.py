"""dra-claim-reference-missing: a pod resource claim refers to a claim or template that does not exist."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get_str
from guardlint.model.missing import is_missing
from guardlint.model.paths import FieldPath
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._support import argo_makes_objects, argo_spec_path, gpu_facts, pod_resource_claims

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FIELDS = (("resourceClaimTemplateName", "ResourceClaimTemplate"), ("resourceClaimName", "ResourceClaim"))


@rule(
    code="GPU082",
    name="dra-claim-reference-missing",
    # Gate: the rule yields nothing when this does not hold: it judges only pods' resourceClaims (``pod_claims``: the
    # pod's own or an Argo workflow's default).
    gates=("resource-claims",),
    pods_only=True,
    title="Pod resource claim refers to a missing ResourceClaim or ResourceClaimTemplate",
    severity=Severity.WARNING,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "dra", "cross-object"),
    remediation="Add the ResourceClaimTemplate or ResourceClaim to the manifests applied with the workload, "
    "fix the name, or declare it under known-objects when it is created elsewhere.",
    references=(_refs.DRA, _refs.DRA_API),
)
def dra_claim_reference_missing(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports pod `spec.resourceClaims` entries (in every workload kind) whose `resourceClaimTemplateName` or
    `resourceClaimName` names an object that is not among the linted objects of the same namespace. It
    follows the shared missing-object policy (see "Writing rules"): it judges only when the run is not
    partial and the pod's own tree holds at least one object of that kind in that namespace (or the
    namespace is declared complete); a producer in the tree (an NVIDIA `ComputeDomain` makes the template
    named in `spec.channel.resourceClaimTemplate.name`), a role there that may create such objects, or a
    custom resource an operator acts on keeps it quiet; objects created elsewhere can be declared under
    `known-objects`. For Argo Workflows, a template's pod gets the workflow-level `spec.resourceClaims` when
    the template has no list of its own; the Argo controller passes claims to the pods as written and makes no
    claim objects, so a workflow keeps the rule quiet only when it has a `resource` template (which may
    create one at run time).

    ## Why is this bad?
    The scheduler cannot allocate devices for a claim whose template or claim does not exist: the pod stays
    Pending (with a "waiting for resource claim" condition) until the object appears, which for a typo is
    never.

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
              exactly:
                deviceClassName: gpu.nvidia.com
    ---
    apiVersion: v1
    kind: Pod
    metadata:
      name: infer
    spec:
      resourceClaims:
        - name: gpu
          resourceClaimTemplateName: singel-gpu
      containers:
        - name: server
          image: vllm/vllm-openai:v0.6.3
          resources:
            claims:
              - name: gpu
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
    ---
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
    if not facts.pod_claims:
        return  # every pod's resource claims are empty: nothing refers to a claim
    # An Argo workflow without resource templates makes no claim objects: it does not keep itself quiet as a
    # custom resource whose operator might (other custom resources of the tree still do).
    may_make = argo_spec_path(resource) is None or argo_makes_objects(resource)
    done: set[FieldPath] = set()
    for pod_facts in facts.pods:
        pod = pod_facts.pod
        claims_path, claims = pod_resource_claims(pod)
        if claims_path in done:
            continue
        done.add(claims_path)
        for i, rc in enumerate(claims):
            for holder_path in ((), ("source",)):
                for field, kind in FIELDS:
                    target = get_str(rc, (*holder_path, field))
                    if not target:
                        continue
                    if not is_missing(ctx.index, ctx.workloads, kind, target, resource, referrer_may_make=may_make):
                        continue
                    ns = f" in namespace {resource.namespace!r}" if resource.namespace else ""
                    yield Violation(
                        (*claims_path, i, *holder_path, field),
                        f"resource claim {get_str(rc, ('name',)) or i!r} refers to {kind} {target!r}, which is not "
                        f"among the linted objects{ns}: the pod stays Pending until it exists",
                        at_value=True,
                    )


RULE = dra_claim_reference_missing
