"""gpu-in-init-container: an init container requests accelerators the app containers do not use."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.quantity import ZERO, Amount, format_quantity
from guardlint.model.workloads import ContainerKind
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._support import gpu_facts

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="GPU042",
    name="gpu-in-init-container",
    # Gate: the rule yields nothing when this does not hold: it reads only the containers that name an accelerator
    # (``used``), and an accelerator's name has a domain.
    gates=("extended-resources",),
    pods_only=True,
    title="Init container requests accelerators the app containers do not use",
    severity=Severity.WARNING,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "cost", "scheduling"),
    remediation="Move the GPU work into the app container (or a separate Job), or request in the init "
    "container no more devices than the app containers use.",
    references=(_refs.INIT_CONTAINER_RESOURCES, _refs.SCHEDULE_GPUS),
)
def gpu_in_init_container(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports init containers (not native sidecars) that request more of an accelerator than the pod's app
    containers and sidecars request together. Init containers that use the same devices as the app
    container (for example a model warm-up on the GPU the server then uses) are not reported.

    ## Why is this bad?
    The scheduler reserves a pod's effective request for the pod's whole life, and the effective request
    is the higher of the app containers' sum and the largest init container's request. The Kubernetes
    documentation on init containers: scheduling is done based on effective requests, which means init
    containers can reserve resources for initialization that are not used during the life of the pod. An
    init-only GPU is therefore held idle, and unavailable to every other pod, for as long as the pod runs.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: api
    spec:
      initContainers:
        - name: convert-model
          image: nvcr.io/nvidia/tensorrt:24.05-py3
          resources:
            limits:
              nvidia.com/gpu: 1
      containers:
        - name: api
          image: ghcr.io/example/api:1.4.2
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: api
    spec:
      initContainers:
        - name: convert-model
          image: nvcr.io/nvidia/tensorrt:24.05-py3
          resources:
            limits:
              nvidia.com/gpu: 1
      containers:
        - name: api
          image: ghcr.io/example/api:1.4.2
          resources:
            limits:
              nvidia.com/gpu: 1
    ```
    """

    for pod_facts in gpu_facts(resource, ctx).pods:
        app: dict[str, Amount] = {}
        inits = []
        # Only the containers that name an accelerator: the others add nothing to the sums and are no finding.
        for c, use in pod_facts.used:
            if c.kind is ContainerKind.CONTAINER or c.is_sidecar:
                for name, (amount, _, _) in use.items():
                    app[name] = app.get(name, ZERO) + amount
            else:
                inits.append((c, use))
        for c, use in inits:
            for name, (amount, value, _) in use.items():
                used = app.get(name, ZERO)
                if amount <= used:
                    continue
                yield Violation(
                    value.path,
                    f"{c.describe()} requests {format_quantity(amount)} {name} but the app containers use "
                    f"{format_quantity(used)}: the pod keeps the difference reserved, idle, for its whole life",
                )


RULE = gpu_in_init_container
