"""gpu-privileged-container: a privileged container in a pod that uses GPUs."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.access import get_str
from guardlint.model.quantity import format_quantity
from guardlint.model.workloads import iter_containers
from guardlint.rules.api import FixEdit, Reference, Resource, RuleContext, Severity, Violation, rule, structural_fix
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._support import (
    SYSTEM_IMAGES,
    SYSTEM_IMAGES_PARAM,
    SYSTEM_KINDS,
    SYSTEM_KINDS_PARAM,
    SYSTEM_NAMESPACES,
    SYSTEM_NAMESPACES_PARAM,
    gpu_facts,
    is_system_component,
)
from guardlint.rules.params import param

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated, Any


class Params(NamedTuple):
    runtime_classes: Annotated[tuple[str, ...], param(
        "RuntimeClass names that run the GPU vendor's container runtime hook.",
    )] = ("nvidia", "nvidia-cdi", "nvidia-legacy")
    ignore_resources: Annotated[tuple[str, ...], param(
        "Accelerator resources whose pods are not reported (GKE's TPU examples run privileged).",
    )] = ("google.com/tpu",)
    system_kinds: Annotated[tuple[str, ...], SYSTEM_KINDS_PARAM] = SYSTEM_KINDS
    system_namespaces: Annotated[tuple[str, ...], SYSTEM_NAMESPACES_PARAM] = SYSTEM_NAMESPACES
    system_images: Annotated[tuple[str, ...], SYSTEM_IMAGES_PARAM] = SYSTEM_IMAGES


@rule(
    code="GPU021",
    fixable="unsafe",
    name="gpu-privileged-container",
    # Gate: the rule yields nothing when none of these holds: a pod is judged only when a container asks for an
    # accelerator (a name with a domain) or it sets a GPU runtimeClassName.
    gates=("extended-resources", "runtime-class"),
    pods_only=True,
    title="Privileged container in a GPU pod",
    severity=Severity.ERROR,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "isolation"),
    remediation="Remove securityContext.privileged and add only the capabilities the container needs; the "
    "devices it requested are mounted without privileges.",
    references=(
        Reference("NVIDIA/k8s-device-plugin#336: privileged containers see all GPUs",
                  "https://github.com/NVIDIA/k8s-device-plugin/issues/336"),
        _refs.DEVICE_PLUGIN,
        Reference("Pod Security Standards: Privileged Containers",
                  "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"),
    ),
    params=Params,
)
def gpu_privileged_container(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports privileged containers (`securityContext.privileged: true`) in pods that request an accelerator
    (in any container) or run with a GPU runtime class (`nvidia`, `nvidia-cdi`, `nvidia-legacy`; parameter
    `runtime-classes`). The GPU vendors' own system DaemonSets are exempt (parameters `system-kinds`,
    `system-namespaces`, `system-images`), and so are pods whose only accelerator is listed in
    `ignore-resources` (by default `google.com/tpu`: Google's GKE TPU examples run TPU containers
    privileged, and multi-host TPU pods take every chip of their node).

    ## Why is this bad?
    A privileged container gets every device node of the host: it sees and can use every GPU of the node,
    not only the ones the scheduler allocated to the pod (NVIDIA/k8s-device-plugin#336), so it silently
    shares the GPUs of other tenants and defeats the device plugin's accounting. Device plugins mount the
    allocated devices into unprivileged containers; privileges are never needed to use a GPU. Privileged
    containers are also forbidden by the Pod Security Standards baseline.

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
          securityContext:
            privileged: true
          resources:
            limits:
              nvidia.com/gpu: 1
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
          securityContext:
            allowPrivilegeEscalation: false
          resources:
            limits:
              nvidia.com/gpu: 1
    ```
    """
    for pod_facts in gpu_facts(resource, ctx).pods:
        pod = pod_facts.pod
        requested: dict[str, Any] = {}
        for _, use in pod_facts.used:  # the other containers request no accelerator
            for name, (amount, _, _) in use.items():
                if amount > 0 and name not in params.ignore_resources:
                    requested[name] = requested.get(name, 0) + amount
        runtime_class = get_str(pod.spec, ("runtimeClassName",))
        gpu_runtime = runtime_class is not None and runtime_class in params.runtime_classes
        if not requested and not gpu_runtime:
            continue
        if is_system_component(pod, params):
            continue
        if requested:
            what = ", ".join(f"{format_quantity(v)} {k}" for k, v in requested.items())
            why = f"the pod was allocated {what}"
        else:
            why = f"the pod runs with the GPU runtime class {runtime_class!r}"
        for c in iter_containers(pod):
            if c.get(("securityContext", "privileged")) is True:
                yield Violation(
                    (*c.path, "securityContext", "privileged"),
                    f"{c.describe()} is privileged, so it sees and can use every accelerator device of the node "
                    f"although {why}",
                    fix=structural_fix("remove privileged: true",
                                       FixEdit("remove", (*c.path, "securityContext", "privileged"))),
                )


RULE = gpu_privileged_container
