"""gpu-resource-name-unknown: an accelerator resource name that no device plugin advertises."""

from __future__ import annotations

import re
from collections.abc import Iterator

from guardlint._lazyre import lazy
from guardlint.model.resourcenames import qualified_name_problem
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._support import accelerators, gpu_facts, is_placeholder
from guardlint.rules.gpu.accelerators import AcceleratorTable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

VENDOR_DOMAINS = frozenset({
    "nvidia.com", "amd.com", "gpu.intel.com", "intel.com", "google.com", "habana.ai", "aws.amazon.com",
})
_TOKEN = lazy(r"gpu|mig|tpu|neuron|gaudi|accel", re.IGNORECASE)

KNOWN_RETIRED = {
    "aws.amazon.com/neurondevice": "was renamed to aws.amazon.com/neuron in Neuron 2.20, and current Neuron "
    "device plugins no longer advertise it",
    "alpha.kubernetes.io/nvidia-gpu": "is the alpha GPU resource that Kubernetes removed in favour of device "
    "plugins",
}


def _suggest(name: str, table: AcceleratorTable) -> str | None:
    candidates = table.names()
    lowered = {c.lower(): c for c in candidates}
    if name.lower() in lowered:
        return lowered[name.lower()]
    from guardlint._similar import close_matches  # difflib's answer, importing it only when one may be close

    close = close_matches(name.lower(), list(lowered), n=1, cutoff=0.8)
    return lowered[close[0]] if close else None


def unknown_reason(name: str, table: AcceleratorTable) -> tuple[str, str | None] | None:
    """(why, suggestion) when ``name`` looks like an accelerator but is not in the registry."""
    if table.lookup(name) is not None or "/" not in name or qualified_name_problem(name) is not None:
        return None
    if name in KNOWN_RETIRED:
        return KNOWN_RETIRED[name], None
    for prefix in ("limits.", "requests."):
        bare = name[len(prefix):]
        if name.startswith(prefix) and table.lookup(bare) is not None:
            return f"is the ResourceQuota spelling of {bare}, not a container resource", bare
    domain, local = name.split("/", 1)
    suggestion = _suggest(name, table)
    if "kubernetes.io" in domain:
        if domain.startswith("deviceclass.resource.") or not _TOKEN.search(local):
            return None
        return "is in the kubernetes.io namespace, where no device plugin advertises accelerators", suggestion
    if domain in VENDOR_DOMAINS:
        if _TOKEN.search(local) or (suggestion is not None and suggestion.split("/", 1)[0] == domain):
            return f"is not a resource that the {domain} device plugins advertise", suggestion
        return None
    if suggestion is not None:
        import difflib

        s_domain, s_local = suggestion.split("/", 1)
        domain_close = (
            s_domain.startswith(domain.lower() + ".")
            or difflib.SequenceMatcher(None, domain.lower(), s_domain).ratio() >= 0.85
        )
        if local.lower() == s_local.lower() and domain_close:
            return "is not an accelerator resource name of the registry", suggestion
    return None


@rule(
    code="GPU007",
    name="gpu-resource-name-unknown",
    # Gate: the rule yields nothing when this does not hold: it reads only ``gpu_facts(...).sites``, which are empty
    # unless an init or app container names a resource with a domain or the object is an operator kind.
    gates=("extended-resources",),
    title="Accelerator resource name is not advertised by any device plugin",
    severity=Severity.WARNING,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "pending-forever"),
    remediation="Fix the resource name (for example nvidia.com/gpu). If the cluster runs a device plugin that "
    "advertises this name, add it to the accelerators list of the configuration.",
    references=(_refs.EXTENDED_RESOURCES, _refs.DEVICE_PLUGIN, _refs.SCHEDULE_GPUS),
)
def gpu_resource_name_unknown(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports resource names that look like accelerators but are not in the accelerator registry: a name of a
    GPU vendor's domain whose name part mentions a GPU, MIG, TPU, Neuron or Gaudi device
    (`nvidia.com/gpus`, `nvidia.com/GPU`, `amd.com/gpus`, `google.com/tpus`), a near-miss of a registry name
    (`nvidia/gpu`, `nvida.com/gpu`), a `kubernetes.io` accelerator name (`alpha.kubernetes.io/nvidia-gpu`) and
    retired names (`aws.amazon.com/neurondevice`). The registry holds the names of the NVIDIA (whole GPUs,
    MIG profiles, `.shared` time-slicing and MPS replicas, HAMi vGPU), AMD, Intel, Google TPU, AWS Neuron
    and Intel Gaudi device plugins, and the configuration's `accelerators:` list extends it.

    ## Why is this bad?
    The API accepts any well-formed extended resource name, so a misspelled one passes validation; but no
    node advertises it, the scheduler finds no node with `Insufficient nvidia.com/gpus`, and the pod stays
    Pending forever (the name part of a qualified name may contain upper case, so even `nvidia.com/GPU` is a
    valid, distinct, never-advertised resource).

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
              nvidia.com/gpus: 1
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

    ## Known problems
    Clusters whose device plugin renames resources (for example the NVIDIA plugin's `rename` option) must
    list the new names under `accelerators:` in the configuration.
    """
    table = accelerators(ctx)
    # The sites ``iter_sites`` yields, computed once per run for every rule of the pack (none when no container
    # names a resource with a domain, as in most objects).
    for site_facts in gpu_facts(resource, ctx).sites:
        site = site_facts.site
        seen: set[str] = set()
        for v in site.values:
            if v.name in seen or is_placeholder(v.name):
                continue
            seen.add(v.name)
            found = unknown_reason(v.name, table)
            if found is None:
                continue
            why, suggestion = found
            hint = f"; did you mean {suggestion!r}?" if suggestion and suggestion != v.name else ""
            yield Violation(
                v.name_path,
                f"{site.label} asks for {v.name!r}, which {why}: no node offers it and the pod stays Pending{hint}",
            )


RULE = gpu_resource_name_unknown
