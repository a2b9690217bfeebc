"""gpu-exceeds-node-capacity: a pod requests more accelerators than the largest node has."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType

from guardlint._record import NamedTuple
from guardlint.model.quantity import ZERO, Amount, format_quantity
from guardlint.model.requirements import SiteValue
from guardlint.model.workloads import aggregate_amounts
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._support import gpu_facts
from guardlint.rules.gpu.accelerators import Accelerator
from guardlint.rules.params import param

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated


class Params(NamedTuple):
    max_per_node: Annotated[int, param(
        "Devices on the largest node, for whole-device accelerators (GPUs, TPU chips, Gaudi) whose registry row "
        "gives no size.",
        minimum=1,
    )] = 8
    node_sizes: Annotated[Mapping[str, int], param(
        "Per resource name, the devices on the largest node (overrides max-per-node and the registry), for example "
        "{\"nvidia.com/gpu\": 16}.",
        values={"minimum": 1},
    )] = MappingProxyType({})


def _capacity(name: str, acc: Accelerator, params: Params) -> int | None:
    if name in params.node_sizes:
        return params.node_sizes[name]
    if acc.max_per_node is not None:
        return acc.max_per_node
    return params.max_per_node if acc.whole_device and acc.sized else None


@rule(
    code="GPU040",
    name="gpu-exceeds-node-capacity",
    # Gate: the rule yields nothing when this does not hold: its sums are over the containers that name an accelerator
    # (``used``) and the operator sites' accelerators: none without a resource name other than cpu, memory and
    # ephemeral-storage in an init or app container, or an operator kind.
    gates=("extended-resources",),
    title="Pod requests more accelerators than a node has",
    severity=Severity.ERROR,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "pending-forever", "scheduling"),
    remediation="Request at most one node's devices per pod and spread larger jobs over several pods "
    "(a multi-node job), or set the rule's node size when the cluster has larger nodes.",
    references=(_refs.SCHEDULE_GPUS, _refs.INIT_CONTAINER_RESOURCES, _refs.DEVICE_PLUGIN),
    params=Params,
)
def gpu_exceeds_node_capacity(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Computes each pod's effective request of every accelerator, the way the scheduler does (the sum over app
    containers and sidecars, or the largest init container plus the sidecars started before it, whichever is
    higher), and reports it when it exceeds the devices of the largest node: `max-per-node` (default 8, the
    size of 8-GPU servers such as HGX/DGX, p4d/p5, A3 and ND H100) for whole GPUs, TPU chips and Gaudi
    cards, the registry's size where it has one (16 for `aws.amazon.com/neuron`), or a per-resource
    `node-sizes` entry. Operator fields (a TrainJob's `resourcesPerNode`, a SparkApplication's executor
    `gpu`, ...) are checked per pod as well.

    ## Why is this bad?
    A pod runs on one node and devices are not shared between nodes, so a pod that needs more devices than
    any node has can never be scheduled: it stays Pending with `Insufficient nvidia.com/gpu`, and the cluster
    autoscaler cannot help because no node shape fits.

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
              nvidia.com/gpu: 16
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
              nvidia.com/gpu: 8
    ```

    ## Known problems
    Clusters with 16-GPU machines (for example a2-megagpu-16g), time-sliced or HAMi-virtualised GPUs
    advertised under `nvidia.com/gpu`, or partitioned AMD GPUs must set `max-per-node` or `node-sizes`.
    """
    for pod_facts in gpu_facts(resource, ctx).pods:
        pod = pod_facts.pod
        biggest: dict[str, tuple[Amount, SiteValue, str]] = {}
        rows: dict[str, Accelerator] = {}
        # Only the containers that name an accelerator: the others add nothing to any sum below.
        for c, use in pod_facts.used:
            for name, (amount, value, acc) in use.items():
                rows[name] = acc
                if name not in biggest or amount > biggest[name][0]:
                    biggest[name] = (amount, value, c.describe())
        needed = aggregate_amounts((c, {n: a for n, (a, _, _) in use.items()}) for c, use in pod_facts.used)
        for name, acc in rows.items():
            limit = _capacity(name, acc, params)
            total = max(needed.get(name, ZERO), ZERO)
            if limit is None or total <= limit:
                continue
            amount, value, who = biggest[name]
            if amount == total:
                msg = f"{who} requests {format_quantity(total)} {name} but the largest node has {limit}"
            else:
                msg = (f"{pod.where} requests {format_quantity(total)} {name} in total "
                       f"({who}: {format_quantity(amount)}) "
                       f"but the largest node has {limit}")
            yield Violation(value.path, msg + ": a pod cannot span nodes, so it is never scheduled")
    for site_facts in gpu_facts(resource, ctx).sites:
        site = site_facts.site
        if site.container is not None:
            continue  # a container's site: counted per pod above; the others are iter_flat_sites
        for name, (amount, value, acc) in site_facts.use.items():
            limit = _capacity(name, acc, params)
            if limit is not None and amount > limit:
                yield Violation(
                    value.path,
                    f"{site.label} requests {format_quantity(amount)} {name} per pod but the largest node has {limit}: "
                    "a pod cannot span nodes, so it is never scheduled",
                )


RULE = gpu_exceeds_node_capacity
