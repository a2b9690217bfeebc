"""gpu-rollout-needs-surge: a GPU Deployment's (or LeaderWorkerSet's) rolling update needs a spare GPU to make
progress."""

from __future__ import annotations

import math
from collections.abc import Iterator

from guardlint.model.access import get, get_str
from guardlint.model.groups import APPS_GROUPS
from guardlint.model.quantity import format_quantity
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._support import gpu_facts, is_shared_use

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _resolve(raw: Any, default: int | str, replicas: int, round_up: bool) -> int | None:
    """An IntOrString maxSurge/maxUnavailable against the replica count, as the Deployment controller (and the
    LeaderWorkerSet controller, with its own defaults) does."""
    value = default if raw is None else raw
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.endswith("%"):
        try:
            pct = int(value[:-1])
        except ValueError:
            return None
        exact = pct * replicas / 100
        return math.ceil(exact) if round_up else math.floor(exact)
    return None


@rule(
    code="GPU043",
    name="gpu-rollout-needs-surge",
    # Gate: the rule yields nothing when this does not hold: a finding needs a positive accelerator amount of a
    # container that names one (``used``), and an accelerator's name has a domain.
    gates=("extended-resources",),
    pods_only=True,
    title="GPU Deployment's or LeaderWorkerSet's rolling update needs a spare GPU",
    severity=Severity.WARNING,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "kind-aware", "rollout"),
    remediation="Use strategy.type: Recreate, or a rolling update that removes an old pod first "
    "(maxSurge: 0, maxUnavailable: 1); for a LeaderWorkerSet, a maxUnavailable of at least 1.",
    references=(
        _refs.ROLLING_UPDATE,
        Reference("vllm-project/production-stack#103: GPU rolling update stuck on a surge pod",
                  "https://github.com/vllm-project/production-stack/pull/103"),
        Reference("LeaderWorkerSet API: RollingUpdateConfiguration (maxUnavailable default 1, maxSurge default 0)",
                  "https://github.com/kubernetes-sigs/lws/blob/main/api/leaderworkerset/v1/leaderworkerset_types.go"),
    ),
)
def gpu_rollout_needs_surge(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports Deployments whose pods request an accelerator and whose rolling update, resolved against the
    replica count the way the Deployment controller does (`maxSurge` rounds up, `maxUnavailable` rounds
    down, both default to 25%), must start a new pod before it may stop an old one: an effective
    `maxUnavailable` of 0 with a `maxSurge` of at least 1. With the defaults this is every Deployment of
    fewer than 4 replicas. LeaderWorkerSets are reported the same way for their groups
    (`spec.rolloutStrategy.rollingUpdateConfiguration`: `maxUnavailable` defaults to 1 and `maxSurge` to 0, so
    only a configuration with a surge and `maxUnavailable: 0` waits for spare GPUs). Pods that request shares of
    a GPU (HAMi vGPU resources, time-sliced `.shared` resources) are not reported.

    ## Why is this bad?
    The surge pod needs GPUs that the old pods still hold. In a cluster (or node pool) with no spare GPU it
    stays Pending with `Insufficient nvidia.com/gpu`, and the controller never removes an old pod because
    no pod may become unavailable: the rollout is stuck until someone deletes a pod by hand. This is a
    frequently reported failure of GPU model servers (vLLM production-stack, Seldon, ClearML charts).

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: vllm
    spec:
      replicas: 1
      selector:
        matchLabels: {app: vllm}
      template:
        metadata:
          labels: {app: vllm}
        spec:
          containers:
            - name: vllm
              image: vllm/vllm-openai:v0.6.3
              resources:
                limits:
                  nvidia.com/gpu: 1
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: vllm
    spec:
      replicas: 1
      strategy:
        type: Recreate
      selector:
        matchLabels: {app: vllm}
      template:
        metadata:
          labels: {app: vllm}
        spec:
          containers:
            - name: vllm
              image: vllm/vllm-openai:v0.6.3
              resources:
                limits:
                  nvidia.com/gpu: 1
    ```

    ## Known problems
    Clusters that always keep spare GPUs (or autoscale GPU nodes quickly) are not deadlocked, only slowed
    down; disable the rule there.
    """
    if resource.kind == "LeaderWorkerSet" and resource.group == LWS_GROUP:
        yield from _leader_worker_set(resource, ctx)
        return
    if resource.kind != "Deployment" or resource.group not in APPS_GROUPS:
        return
    strategy_type = get_str(resource.data, ("spec", "strategy", "type"))
    if strategy_type not in (None, "RollingUpdate"):
        return
    replicas = _replicas(resource.data)
    if replicas is None:
        return
    gpus = _gpus(resource, ctx)
    if not gpus:
        return
    rolling = get(resource.data, ("spec", "strategy", "rollingUpdate"))
    rolling = rolling if isinstance(rolling, dict) else {}
    surge = _resolve(rolling.get("maxSurge"), "25%", replicas, round_up=True)
    unavailable = _resolve(rolling.get("maxUnavailable"), "25%", replicas, round_up=False)
    if surge is None or unavailable is None:
        return
    if surge == 0 and unavailable == 0:
        unavailable = 1
    if unavailable > 0 or surge < 1:
        return
    if "maxUnavailable" in rolling:
        path: tuple[str, ...] = ("spec", "strategy", "rollingUpdate", "maxUnavailable")
    else:
        path = ("spec", "strategy")
    yield Violation(
        path,
        f"Deployment with {replicas} replica{'s' if replicas != 1 else ''} of pods requesting {gpus} updates by "
        f"starting {surge} new pod{'s' if surge != 1 else ''} before stopping any (maxSurge {surge}, "
        f"maxUnavailable 0): without a spare GPU the new pod stays Pending and the rollout never finishes",
    )


LWS_GROUP = "leaderworkerset.x-k8s.io"


def _replicas(data: Any) -> int | None:
    """``spec.replicas`` of a Deployment or LeaderWorkerSet (1 when unset, as both APIs default it); None when it is
    not a whole number or below 1 (nothing rolls out, or another rule reports the value)."""
    raw = get(data, ("spec", "replicas"))
    if raw is None:
        return 1
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 1:
        return raw
    return None


def _gpus(resource: Resource, ctx: RuleContext) -> str:
    """The first positive accelerator request of the object's pods (``2 nvidia.com/gpu``); empty when none, or
    when a pod requests shares of a GPU (HAMi, time-slicing: a surge pod can fit beside the old one)."""
    gpus = ""
    for pod_facts in gpu_facts(resource, ctx).pods:
        for _, use in pod_facts.used:  # the other containers request no accelerator
            if is_shared_use(use):
                return ""
            for name, (amount, _, _) in use.items():
                if amount > 0 and not gpus:
                    gpus = f"{format_quantity(amount)} {name}"
    return gpus


def _leader_worker_set(resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    """A LeaderWorkerSet's rolling update (``spec.rolloutStrategy``, the only type ``RollingUpdate``) replaces whole
    groups: ``rollingUpdateConfiguration.maxUnavailable`` defaults to 1 and ``maxSurge`` to 0 (percentages of
    ``spec.replicas``, rounded down and up), so only a configuration that sets a surge and no unavailable group
    must start a new group, with every pod's GPUs, before it may stop an old one."""
    data = resource.data
    strategy_type = get_str(data, ("spec", "rolloutStrategy", "type"))
    if strategy_type not in (None, "RollingUpdate"):
        return
    replicas = _replicas(data)
    if replicas is None:
        return
    config = get(data, ("spec", "rolloutStrategy", "rollingUpdateConfiguration"))
    config = config if isinstance(config, dict) else {}
    surge = _resolve(config.get("maxSurge"), 0, replicas, round_up=True)
    unavailable = _resolve(config.get("maxUnavailable"), 1, replicas, round_up=False)
    if surge is None or unavailable is None or unavailable > 0 or surge < 1:
        return  # maxUnavailable 0 with maxSurge 0 is rejected by the LeaderWorkerSet webhook
    gpus = _gpus(resource, ctx)
    if not gpus:
        return
    path: tuple[str, ...] = (
        ("spec", "rolloutStrategy", "rollingUpdateConfiguration", "maxUnavailable") if "maxUnavailable" in config
        else ("spec", "rolloutStrategy", "rollingUpdateConfiguration", "maxSurge")
    )
    yield Violation(
        path,
        f"LeaderWorkerSet with {replicas} group{'s' if replicas != 1 else ''} of pods requesting {gpus} updates by "
        f"starting {surge} new group{'s' if surge != 1 else ''} before stopping any (maxSurge {surge}, "
        f"maxUnavailable 0): without spare GPUs for a whole group the new pods stay Pending and the rollout never "
        f"finishes",
    )


RULE = gpu_rollout_needs_surge
