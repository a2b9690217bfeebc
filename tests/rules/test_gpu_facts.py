"""The GPU pack's per-run facts (``rules/gpu/_support.gpu_facts``) and the rules' early exits.

The facts answer, once per object and run, what the pack's rules used to find out one by one: the resource
sites (``iter_sites``), which containers name an accelerator (``container_accelerators``), which pods use one
(``pod_uses_accelerator``), and the env names, mount paths, resource names and DRA container claims of every
container. They must equal the answers of those functions on every shape the project knows (every rule and
workload fixture), and every rule that leaves early on a fact must still report what sits in an unusual
place: an accelerator only in an init container or only in limits, a device claimed through DRA, a pod that
targets GPU nodes only by node selector or runtime class, another vendor's extended resource, operator pods
(Spark, Flink, Tekton, Ray, KServe), an embedded pod found by its shape, an ephemeral container.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from guardlint.api import lint_text
from guardlint.engine import Run
from guardlint.model.access import get_list, get_str, iter_maps
from guardlint.model.requirements import iter_sites
from guardlint.model.resource import Resource
from guardlint.model.workloads import ContainerKind, iter_containers, iter_pod_specs
from guardlint.rules.api import RuleContext
from guardlint.rules.gpu import _support
from guardlint.rules.gpu._support import (
    accelerators,
    container_accelerators,
    gpu_facts,
    pod_resource_claims,
    pod_uses_accelerator,
    site_accelerators,
)
from guardlint.source.loader import load_text
from tests.helpers import ROOT, default_settings

FIXTURE_FILES = sorted([
    *(ROOT / "tests" / "fixtures" / "rules").rglob("*.yaml"),
    *(ROOT / "tests" / "fixtures" / "workloads").glob("*.yaml"),
])
INIT_AND_APP = (ContainerKind.INIT, ContainerKind.CONTAINER)


def _run(text: str, name: str = "t.yaml") -> Run:
    return Run([load_text(text, name, nodes=False)], default_settings().plan)


def _expected_facts(resource: Resource, ctx: RuleContext) -> dict[str, Any]:
    """What the facts must hold, computed the slow way with the functions the rules used before."""
    table = accelerators(ctx)
    env: set[str] = set()
    mounts: set[str] = set()
    names: set[str] = set()
    env_from = claims = pod_claims = False
    pods = []
    for pod in iter_pod_specs(resource, ctx.workloads):
        pod_claims = pod_claims or bool(pod_resource_claims(pod)[1])
        for c in iter_containers(pod):
            env.update(n for _, e in iter_maps(c.data, ("env",)) if isinstance(n := e.get("name"), str))
            mounts.update(p for _, m in iter_maps(c.data, ("volumeMounts",)) if (p := get_str(m, ("mountPath",))))
            env_from = env_from or bool(get_list(c.data, ("envFrom",)))
        used = []
        for c in iter_containers(pod, INIT_AND_APP):
            resources = c.data.get("resources")
            if isinstance(resources, dict):
                for section in ("limits", "requests"):
                    if isinstance(resources.get(section), dict):
                        names.update(k for k in resources[section] if isinstance(k, str))
            claims = claims or bool(get_list(c.data, ("resources", "claims")))
            use = container_accelerators(c, table)
            if use:
                used.append((c.path, use))
        pods.append((pod.path, used, pod_uses_accelerator(pod, table)))
    return {
        "sites": tuple(iter_sites(resource, ctx)), "pods": pods, "env_names": env, "env_from": env_from,
        "mount_paths": mounts, "container_claims": claims, "resource_names": names, "pod_claims": pod_claims,
    }


FIXTURE_IDS = [str(p.relative_to(ROOT / "tests" / "fixtures")) for p in FIXTURE_FILES]


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=FIXTURE_IDS)
def test_facts_equal_the_slow_answers(path: Path) -> None:
    """On every fixture of every rule and workload kind, the facts are exactly what the helpers compute."""
    run = _run(path.read_text(encoding="utf-8"), path.name)
    for resource in run.resources:
        facts = gpu_facts(resource, run.ctx)
        want = _expected_facts(resource, run.ctx)
        assert tuple(f.site for f in facts.sites) == want["sites"], resource.display()
        for f in facts.sites:
            assert f.amounts == tuple(v.value for v in f.site.values)
            assert dict(f.use) == site_accelerators(f.site, accelerators(run.ctx))
            assert all(f.amount(v) == v.value for v in f.site.values)
        got_pods = [
            (p.pod.path, [(u.container.path, dict(u.use)) for u in p.used], p.uses_accelerator) for p in facts.pods
        ]
        assert got_pods == want["pods"], resource.display()
        for field in ("env_names", "mount_paths", "resource_names"):
            got = getattr(facts, field)
            assert set(got) == want[field] and len(got) == len(set(got)), field
        assert facts.env_from == want["env_from"]
        assert facts.container_claims == want["container_claims"]
        assert facts.pod_claims == want["pod_claims"]


def test_facts_are_computed_once_per_object_per_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every rule of the pack asks; the walk happens once per object (counted, not timed)."""
    calls: list[str] = []
    real = _support._compute_facts

    def counting(resource: Resource, *args: Any) -> Any:
        calls.append(resource.name)
        return real(resource, *args)

    monkeypatch.setattr(_support, "_compute_facts", counting)
    text = "\n---\n".join(
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d{i}}}\nspec:\n  template:\n    spec:\n"
        f"      containers: [{{name: c, image: 'x@sha256:{'a' * 64}', resources: {{limits: {{nvidia.com/gpu: 1}}}}}}]"
        for i in range(5)
    )
    report = lint_text(text, select=["gpu"], raise_errors=True)
    assert len({f.rule for f in report.findings if f.rule.startswith("gpu-")}) >= 1  # the pack's rules ran
    assert sorted(calls) == [f"d{i}" for i in range(5)]


def test_facts_follow_the_run_registry() -> None:
    """A configured accelerator is in the facts of a run configured with it, not in those of another run."""
    text = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: x\n"
            "      resources: {limits: {acme.io/npu: 1}}\n")
    run = _run(text)
    (resource,) = run.resources
    assert not gpu_facts(resource, run.ctx).uses_accelerator
    options = {**run.ctx.options, "accelerators": ({"name": "acme.io/npu", "kind": "gpu"},)}
    other = RuleContext(run.ctx.index, run.ctx.kubernetes_version, run.ctx.workloads, options)
    assert gpu_facts(resource, other).uses_accelerator


def _plain(path: tuple[str | int, ...]) -> str:
    """A finding's path as the cases write it: keys joined by dots, unquoted (``limits.nvidia.com/gpu``)."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + part
    return out


def _found(text: str, rule: str) -> list[str]:
    report = lint_text(text, select=[rule], raise_errors=True)
    return [_plain(f.path) for f in report.findings if f.rule == rule]


POD = """apiVersion: v1
kind: Pod
metadata: {{name: p}}
spec:
{spec}"""


def _pod(spec: str) -> str:
    return POD.format(spec="\n".join("  " + line for line in spec.strip("\n").splitlines()))


# Each case puts what a rule needs where a wrong shortcut would miss it: (rule, manifest, expected paths).
CASES: list[tuple[str, str, str, list[str]]] = [
    ("init-only", "gpu-in-init-container", _pod("""
initContainers:
  - {name: warm, image: x, resources: {limits: {nvidia.com/gpu: 2}}}
containers:
  - {name: app, image: x}
"""), ["spec.initContainers[0].resources.limits.nvidia.com/gpu"]),
    ("init-only-capacity", "gpu-exceeds-node-capacity", _pod("""
initContainers:
  - {name: warm, image: x, resources: {limits: {nvidia.com/gpu: 9}}}
containers:
  - {name: app, image: x}
"""), ["spec.initContainers[0].resources.limits.nvidia.com/gpu"]),
    ("limits-only-privileged", "gpu-privileged-container", _pod("""
containers:
  - {name: app, image: x, resources: {limits: {amd.com/gpu: 1}}}
  - {name: side, image: x, securityContext: {privileged: true}}
"""), ["spec.containers[1].securityContext.privileged"]),
    ("runtime-class-only-privileged", "gpu-privileged-container", _pod("""
runtimeClassName: nvidia
containers:
  - {name: app, image: x, securityContext: {privileged: true}}
"""), ["spec.containers[0].securityContext.privileged"]),
    ("runtime-class-only", "gpu-runtime-class-without-request", _pod("""
runtimeClassName: nvidia
containers:
  - {name: app, image: x}
"""), ["spec.runtimeClassName"]),
    ("dra-claim-is-a-request", "gpu-runtime-class-without-request", _pod("""
runtimeClassName: nvidia
resourceClaims:
  - {name: gpu, resourceClaimTemplateName: one-gpu}
containers:
  - {name: app, image: x, resources: {claims: [{name: gpu}]}}
"""), []),
    ("node-selector-only", "gpu-node-targeted-without-request", _pod("""
nodeSelector: {cloud.google.com/gke-accelerator: nvidia-l4}
containers:
  - {name: app, image: x}
"""), ["spec.nodeSelector.cloud.google.com/gke-accelerator"]),
    ("toleration-only", "gpu-node-targeted-without-request", _pod("""
tolerations:
  - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
containers:
  - {name: app, image: x}
"""), ["spec.tolerations[0].key"]),
    ("node-selector-with-dra-claim", "gpu-node-targeted-without-request", _pod("""
nodeSelector: {cloud.google.com/gke-accelerator: nvidia-l4}
resourceClaims:
  - {name: gpu, resourceClaimTemplateName: one-gpu}
containers:
  - {name: app, image: x, resources: {claims: [{name: gpu}]}}
"""), []),
    ("node-selector-with-init-request", "gpu-node-targeted-without-request", _pod("""
nodeSelector: {cloud.google.com/gke-accelerator: nvidia-l4}
initContainers:
  - {name: warm, image: x, resources: {limits: {nvidia.com/gpu: 1}}}
containers:
  - {name: app, image: x}
"""), []),
    ("undeclared-claim-in-init-container", "dra-container-claim-unknown", _pod("""
initContainers:
  - {name: warm, image: x, resources: {claims: [{name: gpu}]}}
containers:
  - {name: app, image: x}
"""), ["spec.initContainers[0].resources.claims[0].name"]),
    ("other-vendor-request-without-limit", "gpu-request-without-limit", _pod("""
containers:
  - {name: app, image: x, resources: {requests: {example.com/fpga: 1}}}
"""), ["spec.containers[0].resources.requests.example.com/fpga"]),
    ("other-vendor-fraction", "gpu-fractional-quantity", _pod("""
containers:
  - {name: app, image: x, resources: {limits: {example.com/fpga: 500m}}}
"""), ["spec.containers[0].resources.limits.example.com/fpga"]),
    ("negative-in-init", "gpu-negative-quantity", _pod("""
initContainers:
  - {name: warm, image: x, resources: {limits: {example.com/fpga: -1}}}
containers:
  - {name: app, image: x}
"""), ["spec.initContainers[0].resources.limits.example.com/fpga"]),
    ("zero-in-requests-only", "gpu-zero-quantity", _pod("""
containers:
  - {name: app, image: x, resources: {requests: {nvidia.com/gpu: 0}}}
"""), ["spec.containers[0].resources.requests.nvidia.com/gpu"]),
    ("invalid-name-in-init-only", "gpu-resource-name-invalid", _pod("""
initContainers:
  - {name: warm, image: x, resources: {limits: {gpu: 1}}}
containers:
  - {name: app, image: x, resources: {limits: {cpu: 1, memory: 1Gi}}}
"""), ["spec.initContainers[0].resources.limits.gpu"]),
    ("visible-devices-in-ephemeral-container", "gpu-visible-devices-env", _pod("""
containers:
  - {name: app, image: x, env: [{name: OTHER, value: "1"}]}
ephemeralContainers:
  - {name: debug, image: x, env: [{name: NVIDIA_VISIBLE_DEVICES, value: all}]}
"""), ["spec.ephemeralContainers[0].env[0].name"]),
    ("device-list-mount-not-normalised", "gpu-device-list-mount", _pod("""
containers:
  - name: app
    image: x
    volumeMounts: [{name: l, mountPath: /var/run//nvidia-container-devices/../nvidia-container-devices/all}]
"""), ["spec.containers[0].volumeMounts[0].mountPath"]),
    ("visible-devices-in-init-on-gpu-node", "gpu-visible-devices-without-request", _pod("""
nodeSelector: {nvidia.com/gpu.product: A100}
initContainers:
  - {name: warm, image: x, env: [{name: CUDA_VISIBLE_DEVICES, value: "0"}]}
containers:
  - {name: app, image: x}
"""), ["spec.initContainers[0].env[0].name"]),
]


@pytest.mark.parametrize(("rule", "text", "paths"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_early_exits_keep_findings_in_unusual_places(rule: str, text: str, paths: list[str]) -> None:
    assert _found(text, rule) == paths


def test_visible_devices_from_a_config_map() -> None:
    """The variable comes from a ConfigMap through envFrom: no env name of the object names it."""
    text = """apiVersion: v1
kind: ConfigMap
metadata: {name: gpus}
data: {NVIDIA_VISIBLE_DEVICES: all}
---
""" + _pod("""
containers:
  - {name: app, image: x, envFrom: [{configMapRef: {name: gpus}}]}
""")
    assert _found(text, "gpu-visible-devices-env") == ["spec.containers[0].envFrom[0].configMapRef.name"]


OPERATOR_CASES: list[tuple[str, str, str, list[str]]] = [
    ("spark-executor-gpu", "gpu-exceeds-node-capacity", """apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {name: s}
spec:
  type: Scala
  mode: cluster
  image: x
  driver: {cores: 1, memory: 1g}
  executor:
    instances: 1
    cores: 1
    memory: 1g
    gpu: {name: nvidia.com/gpu, quantity: 12}
""", ["spec.executor.gpu"]),
    ("flink-pod-template-gpu-request", "gpu-request-without-limit", """apiVersion: flink.apache.org/v1beta1
kind: FlinkDeployment
metadata: {name: f}
spec:
  image: x
  flinkVersion: v1_18
  taskManager:
    resource: {memory: 2048m, cpu: 1}
    podTemplate:
      spec:
        containers:
          - name: flink-main-container
            resources: {requests: {nvidia.com/gpu: 1}}
""", ["spec.taskManager.podTemplate.spec.containers[0].resources.requests.nvidia.com/gpu"]),
    ("tekton-step-visible-devices", "gpu-visible-devices-env", """apiVersion: tekton.dev/v1
kind: Task
metadata: {name: t}
spec:
  steps:
    - name: train
      image: x
      env: [{name: NVIDIA_VISIBLE_DEVICES, value: "0"}]
""", ["spec.steps[0].env[0].name"]),
    ("ray-worker-init-gpu", "gpu-in-init-container", """apiVersion: ray.io/v1
kind: RayCluster
metadata: {name: r}
spec:
  headGroupSpec:
    template:
      spec:
        containers: [{name: head, image: x}]
  workerGroupSpecs:
    - groupName: gpu
      template:
        spec:
          initContainers:
            - {name: warm, image: x, resources: {limits: {nvidia.com/gpu: 1}}}
          containers: [{name: worker, image: x}]
""", ["spec.workerGroupSpecs[0].template.spec.initContainers[0].resources.limits.nvidia.com/gpu"]),
    ("kserve-predictor-privileged", "gpu-privileged-container", """apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata: {name: k}
spec:
  predictor:
    containers:
      - name: kserve-container
        image: x
        resources: {limits: {nvidia.com/gpu: 1}}
        securityContext: {privileged: true}
""", ["spec.predictor.containers[0].securityContext.privileged"]),
    ("embedded-pod-found-by-shape", "gpu-request-without-limit", """apiVersion: example.com/v1
kind: Trainer
metadata: {name: e}
spec:
  template:
    spec:
      containers:
        - {name: c, image: x, resources: {requests: {nvidia.com/gpu: 1}}}
""", ["spec.template.spec.containers[0].resources.requests.nvidia.com/gpu"]),
    ("embedded-pod-node-selector", "gpu-node-targeted-without-request", """apiVersion: example.com/v1
kind: Trainer
metadata: {name: e}
spec:
  template:
    spec:
      nodeSelector: {cloud.google.com/gke-accelerator: nvidia-l4}
      containers:
        - {name: c, image: x}
""", ["spec.template.spec.nodeSelector.cloud.google.com/gke-accelerator"]),
    ("argo-workflow-default-claim-two-sources", "dra-pod-claim-source-invalid", """apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: w}
spec:
  entrypoint: main
  resourceClaims:
    - {name: gpu, resourceClaimTemplateName: a, resourceClaimName: b}
  templates:
    - name: main
      container: {image: x}
""", ["spec.resourceClaims[0]"]),
    ("trainjob-resources-per-node", "gpu-fractional-quantity", """apiVersion: trainer.kubeflow.org/v1alpha1
kind: TrainJob
metadata: {name: tj}
spec:
  runtimeRef: {name: torch}
  trainer:
    numNodes: 1
    resourcesPerNode: {limits: {nvidia.com/gpu: 1500m}}
""", ["spec.trainer.resourcesPerNode.limits.nvidia.com/gpu"]),
]


@pytest.mark.parametrize(("rule", "text", "paths"), [c[1:] for c in OPERATOR_CASES], ids=[c[0] for c in OPERATOR_CASES])
def test_early_exits_keep_findings_in_operator_pods(rule: str, text: str, paths: list[str]) -> None:
    assert _found(text, rule) == paths
