"""gpu-visible-devices-env: a container selects GPUs itself through NVIDIA_VISIBLE_DEVICES."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint._record import NamedTuple
from guardlint.model.access import get, get_str, iter_maps
from guardlint.model.paths import FieldPath
from guardlint.model.requirements import iter_flat_envs
from guardlint.model.workloads import iter_containers
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
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

SAFE_VALUES = frozenset({"", "void", "none"})
"""Values that select no device: empty and ``void`` (not a GPU container), ``none`` (driver only)."""
MIG_VARIABLES = frozenset({"NVIDIA_MIG_CONFIG_DEVICES", "NVIDIA_MIG_MONITOR_DEVICES"})


class Params(NamedTuple):
    variables: Annotated[tuple[str, ...], param(
        "Environment variables through which a container runtime hook grants devices.",
    )] = (
        "NVIDIA_VISIBLE_DEVICES", "HABANA_VISIBLE_DEVICES", "NVIDIA_MIG_CONFIG_DEVICES", "NVIDIA_MIG_MONITOR_DEVICES",
    )
    system_kinds: Annotated[tuple[str, ...], SYSTEM_KINDS_PARAM] = SYSTEM_KINDS
    system_namespaces: Annotated[tuple[str, ...], SYSTEM_NAMESPACES_PARAM] = SYSTEM_NAMESPACES
    system_images: Annotated[tuple[str, ...], SYSTEM_IMAGES_PARAM] = SYSTEM_IMAGES


def _problem(name: str, entry: Mapping[str, Any]) -> str | None:
    if "valueFrom" in entry and entry.get("valueFrom") is not None:
        return f"sets {name} from valueFrom, so the devices it selects are not visible in the manifest"
    value = entry.get("value")
    text = "" if value is None else str(value).strip()
    if name in MIG_VARIABLES:
        if not text:
            return None
        return (
            f"sets {name}={text}, which grants MIG management of the node's GPUs (the NVIDIA hook refuses it "
            "in unprivileged containers)"
        )
    if text.lower() in SAFE_VALUES:
        return None
    return (
        f"sets {name}={text}, so the container runtime exposes the GPUs it names instead of the devices the "
        "scheduler allocated"
    )


def _config_map_keys(ctx: RuleContext, name: str, referrer: Resource) -> set[str]:
    cm = ctx.index.find_related("ConfigMap", name, referrer)
    data = get(cm.data, ("data",)) if cm is not None else None
    return {k for k in data if isinstance(k, str)} if isinstance(data, dict) else set()


@rule(
    code="GPU020",
    name="gpu-visible-devices-env",
    # Gate: the rule yields nothing when this does not hold: a finding is on a container's env or envFrom entry or an
    # operator kind's env list.
    gates=("env",),
    title="Container selects GPUs through NVIDIA_VISIBLE_DEVICES",
    severity=Severity.ERROR,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "isolation"),
    remediation="Remove the variable and request devices in resources.limits (for example nvidia.com/gpu: 1); "
    "set NVIDIA_VISIBLE_DEVICES=void only to hide GPUs from a CUDA image.",
    references=(
        _refs.TOOLKIT_ENV,
        _refs.DEVICE_PLUGIN,
        _refs.DEVICE_PLUGIN_ISSUE_ENV,
        Reference("NVIDIA/gpu-operator#372: harden the envvar device list (volume mounts, CDI)",
                  "https://github.com/NVIDIA/gpu-operator/issues/372"),
    ),
    params=Params,
)
def gpu_visible_devices_env(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports containers (and operator env lists such as a TrainJob's `spec.trainer.env`) that set
    `NVIDIA_VISIBLE_DEVICES` or `HABANA_VISIBLE_DEVICES` to anything but an empty value, `void` or `none`,
    or from `valueFrom`, that set `NVIDIA_MIG_CONFIG_DEVICES` or `NVIDIA_MIG_MONITOR_DEVICES`, or that load
    one of these variables through `envFrom` from a ConfigMap among the linted objects. The GPU vendors' own
    system DaemonSets (device plugin, GPU feature discovery, DCGM exporter, ...) are exempt (parameters
    `system-kinds`, `system-namespaces`, `system-images`).

    ## Why is this bad?
    The NVIDIA container runtime hook decides which GPUs to mount from `NVIDIA_VISIBLE_DEVICES`, and by
    default (`accept-nvidia-visible-devices-envvar-when-unprivileged = true`) it honours the variable in
    unprivileged containers: the device plugin's default `envvar` device-list strategy works that way. A
    manifest that sets the variable itself (`all`, an index or a UUID) gets GPUs the scheduler never
    allocated, so they are shared with the pods that did request them and the node's accounting is wrong
    (NVIDIA/k8s-device-plugin#87 and follow-ups; the device plugin README recommends the `volume-mounts` or
    CDI strategies to close this). The Intel Gaudi runtime has the same switch for `HABANA_VISIBLE_DEVICES`.
    The MIG variables grant MIG configuration and monitoring of the node's GPUs; the hook refuses them in
    unprivileged containers. Note that some policy libraries *require* `NVIDIA_VISIBLE_DEVICES` on GPU
    containers: guardlint deliberately does the opposite.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: inference
    spec:
      selector:
        matchLabels: {app: inference}
      template:
        metadata:
          labels: {app: inference}
        spec:
          containers:
            - name: server
              image: nvcr.io/nvidia/tritonserver:24.05-py3
              env:
                - name: NVIDIA_VISIBLE_DEVICES
                  value: all
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: inference
    spec:
      selector:
        matchLabels: {app: inference}
      template:
        metadata:
          labels: {app: inference}
        spec:
          containers:
            - name: server
              image: nvcr.io/nvidia/tritonserver:24.05-py3
              resources:
                limits:
                  nvidia.com/gpu: 1
    ```
    """
    wanted = frozenset(params.variables)
    facts = gpu_facts(resource, ctx)
    # A container finding needs one of the variables among its env names, or an envFrom list (the variables
    # may come from a ConfigMap); ``env_names`` and ``env_from`` cover every container of the object.
    pods = () if wanted.isdisjoint(facts.env_names) and not facts.env_from else facts.pods
    for pod_facts in pods:
        pod = pod_facts.pod
        if is_system_component(pod, params):
            continue
        for c in iter_containers(pod):
            for i, entry in iter_maps(c.data, ("env",)):
                name = entry.get("name")
                if isinstance(name, str) and name in wanted:
                    problem = _problem(name, entry)
                    if problem is not None:
                        yield Violation((*c.path, "env", i, "name"), f"{c.describe()} {problem}")
            for i, source in iter_maps(c.data, ("envFrom",)):
                cm_name = get_str(source, ("configMapRef", "name"))
                if not cm_name:
                    continue
                prefix = get_str(source, ("prefix",)) or ""
                keys = {prefix + k for k in _config_map_keys(ctx, cm_name, resource)} & wanted
                for key in sorted(keys):
                    yield Violation(
                        (*c.path, "envFrom", i, "configMapRef", "name"),
                        f"{c.describe()} loads {key} from ConfigMap {cm_name!r}, so the container runtime exposes "
                        "the GPUs it names instead of the devices the scheduler allocated",
                    )
    for path, label in iter_flat_envs(resource):
        yield from _flat(resource, path, label, wanted)


def _flat(resource: Resource, path: FieldPath, label: str, wanted: frozenset[str]) -> Iterator[Violation]:
    for i, entry in iter_maps(resource.data, path):
        name = entry.get("name")
        if isinstance(name, str) and name in wanted:
            problem = _problem(name, entry)
            if problem is not None:
                yield Violation((*path, i, "name"), f"{label} {problem}")


RULE = gpu_visible_devices_env
