"""dra-pod-claim-source-invalid: a pod resource claim names no source, or two."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get_map, get_str
from guardlint.model.paths import FieldPath
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._support import gpu_facts, pod_resource_claims

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FLAT_FIELDS = ("resourceClaimName", "resourceClaimTemplateName")


@rule(
    code="GPU081",
    name="dra-pod-claim-source-invalid",
    # Gate: the rule yields nothing when this does not hold: it judges only pods' resourceClaims (``pod_claims``: the
    # pod's own or an Argo workflow's default).
    gates=("resource-claims",),
    pods_only=True,
    title="Pod resource claim does not name exactly one source",
    severity=Severity.ERROR,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "dra", "api-rejects"),
    remediation="Set exactly one of resourceClaimName and resourceClaimTemplateName directly on the "
    "spec.resourceClaims entry (since Kubernetes 1.31; earlier versions nest them under source).",
    references=(
        _refs.DRA,
        Reference("kubernetes/kubernetes#125116: flatten the pod resource claim source (1.31)",
                  "https://github.com/kubernetes/kubernetes/pull/125116"),
    ),
)
def dra_pod_claim_source_invalid(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports `spec.resourceClaims` entries of pods (in every workload kind) that do not name exactly one of
    `resourceClaimName` and `resourceClaimTemplateName`. For a target Kubernetes version of 1.31 or later an
    entry that still uses the older `source:` wrapper is reported; for earlier versions the fields must sit
    under `source:`.

    ## Why is this bad?
    Each pod claim must say where its claim comes from: an existing ResourceClaim or a ResourceClaimTemplate
    from which one is generated per pod. The API server rejects an entry with neither (`must specify one of:
    resourceClaimName, resourceClaimTemplateName`) or both (`at most one of ... may be specified`).
    Kubernetes 1.31 removed the `source` wrapper (kubernetes/kubernetes#125116); an entry that keeps it loses
    the unknown field and is then rejected for having no source.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: infer
    spec:
      resourceClaims:
        - name: gpu
          source:
            resourceClaimTemplateName: single-gpu
      containers:
        - name: server
          image: vllm/vllm-openai:v0.6.3
          resources:
            claims:
              - name: gpu
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
    if not facts.pod_claims:
        return  # every pod's resource claims are empty: nothing to judge
    flat = ctx.kubernetes_version >= (1, 31)
    done: set[FieldPath] = set()
    for pod_facts in facts.pods:
        pod = pod_facts.pod
        claims_path, claims = pod_resource_claims(pod)
        if claims_path in done:
            continue
        done.add(claims_path)
        for i, rc in enumerate(claims):
            if not isinstance(rc, dict):
                continue
            name = get_str(rc, ("name",)) or f"#{i}"
            holder = rc if flat else (get_map(rc, ("source",)) or {})
            set_fields = [f for f in FLAT_FIELDS if get_str(holder, (f,))]
            path = (*claims_path, i)
            if len(set_fields) == 1:
                continue
            if len(set_fields) == 2:
                yield Violation(path, f"resource claim {name!r} sets both resourceClaimName and "
                                      "resourceClaimTemplateName; the API accepts exactly one")
            elif flat and isinstance(rc.get("source"), dict):
                yield Violation((*path, "source"), f"resource claim {name!r} uses the 'source' wrapper that "
                                "Kubernetes 1.31 removed, so the API sees no claim source and rejects it")
            elif not flat and any(get_str(rc, (f,)) for f in FLAT_FIELDS):
                yield Violation(path, f"resource claim {name!r} sets its source directly, which Kubernetes "
                                f"{ctx.kubernetes_version[0]}.{ctx.kubernetes_version[1]} expects under 'source'")
            else:
                yield Violation(path, f"resource claim {name!r} names neither resourceClaimName nor "
                                      "resourceClaimTemplateName; the API rejects it")


RULE = dra_pod_claim_source_invalid
