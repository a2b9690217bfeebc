"""The gates' shape (``guardlint.rules.gates.Gate``: answered by API group and kind, else by any pod) answers
exactly what the predicates answered before it, and the engine's shortcut for objects without pod specs (one
answer per API group and kind) loses nothing.

``_reference`` keeps the predicates as they were written before the gates took that shape (each a walk of all
the object's pods); ``open_gates`` must agree with them for every gate on every fixture object, every workload
fixture and every generated near hit and near miss of ``tests/rules/test_gates.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from guardlint import engine
from guardlint.engine import Run
from guardlint.model.resource import Resource
from guardlint.model.workloads import ContainerKind, PodSpecRef, iter_containers
from guardlint.rules.gates import GATES, PODS, holds, open_gates, pod_less
from guardlint.source.loader import load_text
from guardlint.testing import parse_fixture, settings_for
from tests.helpers import FIXTURES, registry
from tests.rules.test_gates import NEAR_HITS, NEAR_MISSES, _fixtures, _run

_OPERATORS = {("trainer.kubeflow.org", "TrainJob"), ("apps.nvidia.com", "NIMService"),
              ("nvidia.com", "DynamoGraphDeployment")}


def _reference(name: str, resource: Resource, pods: Sequence[PodSpecRef]) -> bool:
    """The predicate ``name`` as written before ``Gate``: one walk of every pod per gate."""
    operator = (resource.group, resource.kind) in _OPERATORS
    containers = [c for pod in pods for c in iter_containers(pod)]
    if name == PODS:
        return bool(pods)
    if name == "extended-resources":
        if operator:
            return True
        for pod in pods:
            for c in iter_containers(pod, (ContainerKind.INIT, ContainerKind.CONTAINER)):
                resources = c.data.get("resources")
                if isinstance(resources, dict):
                    for section in ("limits", "requests"):
                        values = resources.get(section)
                        if isinstance(values, dict) and any(
                                n not in ("cpu", "memory", "ephemeral-storage") for n in values):
                            return True
        return False
    if name == "resource-claims":
        return resource.group == "argoproj.io" or any(p.spec.get("resourceClaims") for p in pods) or any(
            isinstance(c.data.get("resources"), dict) and c.data["resources"].get("claims") for c in containers)
    if name == "runtime-class":
        return any(p.spec.get("runtimeClassName") is not None for p in pods)
    if name == "pod-resources":
        return any(p.spec.get("resources") for p in pods)
    if name == "node-targeting":
        return any(p.spec.get("tolerations") or p.spec.get("nodeSelector") or p.spec.get("affinity") for p in pods)
    if name == "huge-page-volume":
        return any(isinstance(p.spec.get("volumes"), list) and any(
            isinstance(v, dict) and isinstance(v.get("emptyDir"), dict)
            and isinstance(v["emptyDir"].get("medium"), str) and v["emptyDir"]["medium"].startswith("HugePages")
            for v in p.spec["volumes"]) for p in pods)
    if name == "host-path":
        return any(isinstance(p.spec.get("volumes"), list)
                   and any(isinstance(v, dict) and "hostPath" in v for v in p.spec["volumes"]) for p in pods)
    if name == "device-exposure":
        return any(p.spec.get("hostIPC") or p.spec.get("hostPID") for p in pods) or any(
            _reference(n, resource, pods) for n in ("runtime-class", "node-targeting", "host-path")) or any(
            isinstance(c.data.get("securityContext"), dict) and c.data["securityContext"].get("privileged")
            for c in containers)
    if name == "host-namespaces":
        return any(p.spec.get("hostNetwork") or p.spec.get("hostPID") or p.spec.get("hostIPC") for p in pods)
    if name == "host-ports":
        return any(isinstance(c.data.get("ports"), list)
                   and any(isinstance(p, dict) and p.get("hostPort") for p in c.data["ports"]) for c in containers)
    if name == "security-context-options":
        for p in pods:
            context = p.spec.get("securityContext")
            if isinstance(context, dict) and any(
                    context.get(k) is not None for k in ("seLinuxOptions", "windowsOptions", "sysctls")):
                return True
        for c in containers:
            context = c.data.get("securityContext")
            if isinstance(context, dict) and (
                    any(context.get(k) is not None for k in ("seLinuxOptions", "windowsOptions", "procMount"))
                    or (isinstance(context.get("capabilities"), dict) and context["capabilities"].get("add"))):
                return True
        return False
    if name == "env":
        return operator or any(c.data.get("env") or c.data.get("envFrom") for c in containers)
    if name == "device-list-mount":
        return any(isinstance(c.data.get("volumeMounts"), list) and any(
            isinstance(m, dict) and isinstance(m.get("mountPath"), str)
            and "nvidia-container-devices" in m["mountPath"] for m in c.data["volumeMounts"]) for c in containers)
    # The gates added for the probe, port and reference rules, written independently of ``gates.py``.
    if name == "probes":
        return any(field in c.data and c.data[field] is not None for c in containers
                   for field in ("livenessProbe", "readinessProbe", "startupProbe", "lifecycle"))
    if name == "container-ports":
        return any(c.data.get("ports") not in (None, [], {}, "", 0, False) for c in containers)
    if name == "references":
        if (resource.group, resource.kind) == ("", "ServiceAccount"):
            return True
        for p in pods:
            if p.spec.get("imagePullSecrets"):
                return True
            volumes = p.spec.get("volumes")
            for v in volumes if isinstance(volumes, list) else ():
                if isinstance(v, dict) and not v.keys().isdisjoint({"secret", "configMap", "persistentVolumeClaim",
                                                                     "projected"}):
                    return True
        for c in containers:
            env = c.data.get("env")
            if c.data.get("envFrom") or (isinstance(env, list) and any(isinstance(e, dict) and "valueFrom" in e
                                                                       for e in env)):
                return True
        return False
    if name == "secret":
        return (resource.group, resource.kind) == ("", "Secret")
    if name == "limits":
        return any(isinstance(owner.get("resources"), dict) and bool(owner["resources"].get("limits"))
                   for owner in [*(p.spec for p in pods), *(c.data for c in containers)])
    if name == "service-account":
        # the key serviceAccount counts when null too (deprecated-service-account-field reports it)
        return any(p.spec.get("serviceAccountName") or "serviceAccount" in p.spec for p in pods)
    if name in ("seccomp", "apparmor"):
        field = "seccompProfile" if name == "seccomp" else "appArmorProfile"
        contexts = [p.spec.get("securityContext") for p in pods] + [c.data.get("securityContext") for c in containers]
        if any(isinstance(sc, dict) and sc.get(field) is not None for sc in contexts):
            return True
        keys = [k for p in pods for k in p.annotations]
        if any(not isinstance(k, str) for k in keys):  # a propertyNames pattern (the declarative rules) rejects it
            return True
        if name == "seccomp":
            return any(k == "seccomp.security.alpha.kubernetes.io/pod"
                       or k.startswith("container.seccomp.security.alpha.kubernetes.io/") for k in keys)
        return any(k.startswith("container.apparmor.security.beta.kubernetes.io/") for k in keys)
    raise AssertionError(name)


def _near_run() -> Run:
    synthetic = parse_fixture(FIXTURES / "privileged-container" / "pass" / "more-kinds.yaml", "synthetic", "pass")
    text = "---\n".join([NEAR_HITS, NEAR_MISSES])
    return _run(synthetic._replace(text=text, path=Path("near.yaml"), params={}), ["all"])


def test_gates_answer_what_the_old_predicates_answered() -> None:
    names = tuple(GATES)
    compared = 0
    opened = dict.fromkeys(names, 0)
    for run in [*(_run(fx, ["all"]) for fx in _fixtures()), _near_run()]:
        workloads = run.ctx.workloads
        for resource in run.resources:
            try:
                pods = workloads.pods_of(resource)
            except Exception:
                continue  # every gate holds then, in both
            expected = frozenset(n for n in names if _reference(n, resource, pods))
            assert open_gates(resource, workloads, names) == expected, resource.display()
            compared += 1
            for n in expected:
                opened[n] += 1
    assert compared > 1000
    assert all(opened[n] >= 3 for n in names), opened  # not vacuous: each gate opens somewhere


def test_all_gates_at_once_answer_what_each_gate_answers() -> None:
    """``open_gates`` (every gate an object's kind needs, the pod specs looked up once: what the engine uses)
    against ``holds`` (each gate on its own), on every object with pods of every fixture and generated object."""
    pods = 0
    opened = dict.fromkeys(GATES, 0)
    names = tuple(GATES)
    for run in [*(_run(fx, ["all"]) for fx in _fixtures()), _near_run()]:
        workloads = run.ctx.workloads
        for resource in run.resources:
            if pod_less(resource, workloads):
                continue
            expected = frozenset(n for n in names if holds(n, resource, workloads))
            assert open_gates(resource, workloads, names) == expected, resource.display()
            pods += len(workloads.pods_of(resource))
            for name in expected:
                opened[name] += 1
    assert pods > 500
    # ``secret`` holds by kind alone (a Secret has no pods): it never opens on an object with pods.
    assert all(opened[n] >= 3 for n in GATES if n != "secret"), opened
    assert opened["secret"] == 0


_TWO_TRAINJOBS = """apiVersion: example.com/v1
kind: TrainJob
metadata: {name: lookalike, namespace: ml}
spec: {trainer: {resourcesPerNode: {limits: {cpu: "1"}}}}
---
apiVersion: trainer.kubeflow.org/v1alpha1
kind: TrainJob
metadata: {name: finetune, namespace: ml}
spec:
  runtimeRef: {name: torch-distributed}
  trainer:
    numNodes: 1
    resourcesPerNode: {limits: {nvidia.com/gpu: 2}}
---
apiVersion: v1
kind: Service
metadata: {name: a, namespace: ml}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: b, namespace: ml}
spec: {ports: [{port: 81}]}
"""


def test_objects_without_pods_share_the_answers_of_their_group_and_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two objects of one kind and different API groups, both without pod specs: the operator's TrainJob opens
    ``extended-resources`` by its group and kind, the look-alike does not, and answering the second by the
    first's kind alone would lose the GPU rules' findings. Two Services without pods cost one gate
    computation."""
    plan = settings_for(registry(), ["all"], None, None, {}).plan
    calls: list[str] = []
    real = engine._open_gates

    def counting(resource: Any, workloads: Any, names: Any) -> frozenset[str]:
        calls.append(resource.name)
        return real(resource, workloads, names)

    monkeypatch.setattr(engine, "_open_gates", counting)
    gated = Run([load_text(_TWO_TRAINJOBS, "m.yaml", nodes=False)], plan)
    assert all(pod_less(r, gated.ctx.workloads) for r in gated.resources)
    gated.check(raise_errors=True)
    assert calls == ["lookalike", "finetune", "a"]  # the second Service is answered by the first's answers
    monkeypatch.setattr(engine, "_open_gates", lambda resource, workloads, names: frozenset(
        n for n in names if n != PODS or bool(workloads.pods_of(resource))))
    opened = Run([load_text(_TWO_TRAINJOBS, "m.yaml", nodes=False)], plan)
    opened.check(raise_errors=True)
    found = gated.report().findings
    assert found == opened.report().findings
    assert ("gpu-cpu-memory-requests-missing", "finetune") in {(f.rule, f.resource.name) for f in found
                                                              if f.resource is not None}
