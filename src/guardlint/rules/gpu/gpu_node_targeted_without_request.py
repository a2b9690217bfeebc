"""gpu-node-targeted-without-request: a pod selects or tolerates GPU nodes but requests no accelerator."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._support import (
    DEFAULT_GPU_NODE_LABELS,
    DEFAULT_GPU_TAINT_KEYS,
    SYSTEM_IMAGES,
    SYSTEM_IMAGES_PARAM,
    SYSTEM_KINDS,
    SYSTEM_KINDS_PARAM,
    SYSTEM_NAMESPACES,
    SYSTEM_NAMESPACES_PARAM,
    PodFacts,
    gpu_facts,
    gpu_selector_paths,
    gpu_toleration_paths,
    is_system_component,
    pod_claims_devices,
)
from guardlint.rules.params import param

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated


class Params(NamedTuple):
    taint_keys: Annotated[tuple[str, ...], param(
        "Taints of accelerator nodes: a key, or key=value (AKS documents sku=gpu).",
    )] = (*DEFAULT_GPU_TAINT_KEYS, "sku=gpu")
    node_labels: Annotated[tuple[str, ...], param(
        "Node label keys (globs) that only accelerator nodes carry.",
    )] = DEFAULT_GPU_NODE_LABELS
    exempt_kinds: Annotated[tuple[str, ...], param(
        "Object kinds not reported: node agents that must run on every node, GPU nodes included.",
    )] = ("DaemonSet",)
    system_kinds: Annotated[tuple[str, ...], SYSTEM_KINDS_PARAM] = SYSTEM_KINDS
    system_namespaces: Annotated[tuple[str, ...], SYSTEM_NAMESPACES_PARAM] = SYSTEM_NAMESPACES
    system_images: Annotated[tuple[str, ...], SYSTEM_IMAGES_PARAM] = SYSTEM_IMAGES


@rule(
    code="GPU025",
    name="gpu-node-targeted-without-request",
    # Gate: the rule yields nothing when this does not hold: a finding needs a toleration or a node selector or
    # required node affinity term of a pod.
    gates=("node-targeting",),
    pods_only=True,
    title="Pod targets GPU nodes but requests no accelerator",
    severity=Severity.WARNING,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "kind-aware", "isolation", "cost"),
    remediation="Request the accelerator the pod needs in resources.limits, or remove the GPU toleration or "
    "node selection from pods that need no accelerator.",
    references=(
        _refs.TAINTS,
        _refs.DEVICE_PLUGIN,
        Reference("NVIDIA/k8s-device-plugin#195: a pod scheduled to a GPU node without a request sees all GPUs",
                  "https://github.com/NVIDIA/k8s-device-plugin/issues/195"),
    ),
    params=Params,
)
def gpu_node_targeted_without_request(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports pods that tolerate an accelerator taint (`nvidia.com/gpu`, `amd.com/gpu`, `google.com/tpu`, ...;
    parameter `taint-keys`) or select accelerator nodes through `nodeSelector` or required node affinity on a
    label only accelerator nodes carry (`nvidia.com/gpu.product`, `cloud.google.com/gke-accelerator`,
    `karpenter.k8s.aws/instance-gpu-name`, ...; parameter `node-labels`), while no container requests an
    accelerator and the pod claims no device through Dynamic Resource Allocation. DaemonSets (parameter
    `exempt-kinds`) and the GPU vendors' own system components are not reported, nor are the pods of a
    workload whose other pod templates request accelerators (a LeaderWorkerSet leader, a Ray head, an MPI
    launcher placed with its workers on purpose); tolerate-everything tolerations are not counted.

    ## Why is this bad?
    GPU node pools are tainted precisely so that only pods that request GPUs land there: the Kubernetes
    taints documentation describes this "special hardware" pattern, and the ExtendedResourceToleration
    admission plugin adds the toleration automatically to pods that request the device. A pod that tolerates
    the taint or selects GPU nodes without requesting a device occupies CPU and memory on the most expensive
    nodes, can block GPU pods from fitting, and on nodes where the NVIDIA runtime is the default it sees every
    GPU through a CUDA image's `NVIDIA_VISIBLE_DEVICES=all` (NVIDIA/k8s-device-plugin#195).

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          nodeSelector:
            cloud.google.com/gke-accelerator: nvidia-l4
          containers:
            - name: api
              image: ghcr.io/example/api:1.4.2
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          nodeSelector:
            cloud.google.com/gke-accelerator: nvidia-l4
          containers:
            - name: api
              image: ghcr.io/example/api:1.4.2
              resources:
                limits:
                  nvidia.com/gpu: 1
    ```
    """
    if resource.kind in params.exempt_kinds:
        return
    pods = gpu_facts(resource, ctx).pods

    def using(p: PodFacts) -> bool:
        return p.uses_accelerator or pod_claims_devices(p.pod)

    if len(pods) > 1 and any(using(p) for p in pods):
        # A coordinator pod (LeaderWorkerSet leader, Ray head, MPI launcher) placed with the workload's
        # accelerator pods on purpose.
        return
    for facts in pods:
        pod = facts.pod
        # Whether the pod uses a device is asked only of pods that target accelerator nodes (a finding needs
        # both), which most pods do not.
        hits = gpu_toleration_paths(pod, params.taint_keys) + gpu_selector_paths(pod, params.node_labels)
        if not hits or using(facts) or is_system_component(pod, params):
            continue
        path, key = hits[0]
        how = "tolerates the accelerator taint" if "tolerations" in path else "selects accelerator nodes by"
        yield Violation(
            path,
            f"{pod.where} {how} {key!r} but no container requests an accelerator: it occupies GPU nodes without "
            "using a device",
        )


RULE = gpu_node_targeted_without_request
