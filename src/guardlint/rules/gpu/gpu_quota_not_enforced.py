"""gpu-quota-not-enforced: a ResourceQuota limits an accelerator under a key quota never counts."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint.model.access import get_map
from guardlint.model.quantity import quantity_text
from guardlint.model.resourcenames import is_extended
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._support import accelerators

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="GPU009",
    name="gpu-quota-not-enforced",
    title="ResourceQuota names an accelerator in a form quota never enforces",
    severity=Severity.WARNING,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "quota"),
    remediation="Name extended resources in a quota with the requests. prefix, for example "
    "requests.nvidia.com/gpu.",
    references=(_refs.RESOURCE_QUOTA_EXTENDED,),
    kinds=("ResourceQuota",),
)
def gpu_quota_not_enforced(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports `ResourceQuota` `spec.hard` keys that name an accelerator as `limits.<name>` or as the bare
    `<name>` (for example `limits.nvidia.com/gpu` or `nvidia.com/gpu`), and other extended resources as
    `limits.<name>`.

    ## Why is this bad?
    The Kubernetes documentation on resource quota for extended resources: as overcommit is not allowed for
    extended resources, only quota items with the prefix `requests.` are allowed. The API server still
    accepts the other spellings (any qualified name is a valid quota key), but the pod quota evaluator only
    counts `requests.<extended resource>`, so the GPU budget the quota seems to set is never enforced.

    ## Example
    ```yaml
    apiVersion: v1
    kind: ResourceQuota
    metadata:
      name: gpu-budget
      namespace: team-a
    spec:
      hard:
        limits.nvidia.com/gpu: "4"
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: ResourceQuota
    metadata:
      name: gpu-budget
      namespace: team-a
    spec:
      hard:
        requests.nvidia.com/gpu: "4"
    ```
    """
    table = accelerators(ctx)
    hard: Mapping[Any, Any] = get_map(resource.data, ("spec", "hard")) or {}
    for key, raw in hard.items():
        if not isinstance(key, str):
            continue
        name = key.removeprefix("limits.")
        known = table.lookup(name) is not None
        # Bare names are judged only for accelerators: other qualified quota keys are object counts
        # (count/<resource>) and storage-class quotas (<class>.storageclass.storage.k8s.io/requests.storage).
        if not known and not (key.startswith("limits.") and is_extended(name) and "storage.k8s.io/" not in name):
            continue
        yield Violation(
            ("spec", "hard", key),
            f"quota key {key!r} ({quantity_text(raw)}) is accepted but never enforced: quota counts extended resources "
            f"only as 'requests.{name}'",
        )


RULE = gpu_quota_not_enforced
