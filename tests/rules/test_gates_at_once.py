"""``gates.pod_gates`` (every gate's ``pod`` test answered from one look at a pod) against the tests themselves,
one by one: on every pod of every fixture and on generated pods that set, unset, null or misshape each field a
test reads; and ``open_gates`` when a pod makes a test fail."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guardlint.engine import Run
from guardlint.model.workloads import PodSpecRef
from guardlint.rules import gates
from guardlint.rules.gates import GATES, open_gates, pod_gates
from guardlint.source.loader import load_text
from guardlint.testing import settings_for
from tests.helpers import iter_fixtures, registry


def _one_by_one(pod: PodSpecRef) -> set[str]:
    return {name for name, gate in GATES.items() if gate.pod(pod)}


def _pods(text: str, name: str = "t.yaml") -> list[PodSpecRef]:
    run = Run([load_text(text, name, nodes=False)], settings_for(registry(), ["all"], None, None, {}).plan)
    return [pod for r in run.resources for pod in run.ctx.workloads.pods_of(r)]


def test_pod_gates_answers_every_gate() -> None:
    assert set(GATES) == gates._AT_ONCE and not gates._ASKED_ALONE


def test_a_gate_pod_gates_does_not_answer_is_asked_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    text = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n"
            "      containers: [{name: c, image: x}]\n")
    run = Run([load_text(text, "t.yaml", nodes=False)], settings_for(registry(), ["all"], None, None, {}).plan)
    resource = run.resources[0]
    new_gate = GATES["env"]._replace(pod=lambda pod: True)
    monkeypatch.setattr(gates, "GATES", {**GATES, "new-gate": new_gate})
    monkeypatch.setattr(gates, "_ASKED_ALONE", frozenset({"new-gate"}))
    assert "new-gate" in open_gates(resource, run.ctx.workloads, ("new-gate", "env"))
    assert "env" not in open_gates(resource, run.ctx.workloads, ("new-gate", "env"))


def test_every_fixture_pod() -> None:
    seen = 0
    held: set[str] = set()
    for fx in iter_fixtures():
        for pod in _pods(fx.text, fx.path.name):
            want = _one_by_one(pod)
            assert pod_gates(pod) == want, (fx.path, pod.path)
            held |= want
            seen += 1
    assert seen > 1000
    assert held == set(GATES) - {"secret"}  # every pod test held somewhere (the secret gate has none)


_SCALARS = st.sampled_from([None, "", "x", 0, 1, True, False, "Always"])
_VALUES = st.one_of(_SCALARS, st.just([]), st.just({}), st.just([{}]), st.just({"a": 1}))


def _maybe(keys: list[str], values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(keys), values, max_size=4)


_QUANTITIES = _maybe(["cpu", "memory", "ephemeral-storage", "nvidia.com/gpu", "hugepages-2Mi"], _SCALARS)
_SECURITY = st.one_of(_VALUES, _maybe(
    ["privileged", "seLinuxOptions", "windowsOptions", "procMount", "seccompProfile", "appArmorProfile",
     "runAsUser", "sysctls"], _VALUES,
).flatmap(lambda d: st.one_of(st.just(d), _maybe(["add", "drop"], _VALUES).map(lambda c: {**d, "capabilities": c}))))
_RESOURCES = st.one_of(_VALUES, st.fixed_dictionaries({}, optional={
    "limits": st.one_of(_VALUES, _QUANTITIES), "requests": st.one_of(_VALUES, _QUANTITIES), "claims": _VALUES,
}))
_LISTS = st.one_of(_VALUES, st.lists(st.one_of(_VALUES, _maybe(
    ["hostPort", "containerPort", "valueFrom", "name", "mountPath", "secret", "configMap", "hostPath",
     "persistentVolumeClaim", "projected", "emptyDir"],
    st.one_of(_SCALARS, st.sampled_from(["/var/run/nvidia-container-devices", "/run/nvidia-container-devices/x",
                                         "/data"]))),
), max_size=3))
_CONTAINER = st.fixed_dictionaries({"name": st.just("c"), "image": st.just("x")}, optional={
    "securityContext": _SECURITY, "resources": _RESOURCES, "ports": _LISTS, "env": _LISTS, "envFrom": _LISTS,
    "volumeMounts": _LISTS, "livenessProbe": _VALUES, "readinessProbe": _VALUES, "startupProbe": _VALUES,
    "lifecycle": _VALUES, "restartPolicy": _SCALARS,
})
_SPEC = st.fixed_dictionaries({"containers": st.lists(_CONTAINER, min_size=1, max_size=2)}, optional={
    "initContainers": st.lists(_CONTAINER, max_size=2), "ephemeralContainers": st.lists(_CONTAINER, max_size=1),
    "runtimeClassName": _SCALARS, "resources": _RESOURCES, "tolerations": _VALUES, "nodeSelector": _VALUES,
    "affinity": _VALUES, "volumes": _LISTS, "hostNetwork": _SCALARS, "hostPID": _SCALARS, "hostIPC": _SCALARS,
    "serviceAccountName": _SCALARS, "serviceAccount": _SCALARS, "resourceClaims": _VALUES,
    "imagePullSecrets": _VALUES, "securityContext": _SECURITY,
})
_ANNOTATIONS = st.dictionaries(st.sampled_from([
    "a", "seccomp.security.alpha.kubernetes.io/pod", "container.seccomp.security.alpha.kubernetes.io/c",
    "container.apparmor.security.beta.kubernetes.io/c", "x.container.apparmor.security.beta.kubernetes.io/c", 1,
]), st.just("v"), max_size=3)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=_SPEC, annotations=_ANNOTATIONS)
def test_generated_pods(spec: dict[str, Any], annotations: dict[Any, str]) -> None:
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                  "spec": {"template": {"metadata": {"annotations": annotations}, "spec": spec}}}
    pods = _pods(yaml.safe_dump(deployment))
    assert pods
    for pod in pods:
        assert pod_gates(pod) == _one_by_one(pod)


def test_a_failing_test_opens_only_its_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    """When a pod makes ``pod_gates`` fail, each gate is asked alone, and only the failing test's gate holds
    because of it (``holds``)."""
    text = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n"
            "      containers: [{name: c, image: x, ports: [{containerPort: 80}]}]\n")
    run = Run([load_text(text, "t.yaml", nodes=False)], settings_for(registry(), ["all"], None, None, {}).plan)
    resource = run.resources[0]
    names = tuple(GATES)
    before = open_gates(resource, run.ctx.workloads, names)

    def failing(pod: PodSpecRef) -> set[str]:
        raise RuntimeError("boom")

    def failing_env(pod: PodSpecRef) -> bool:
        raise RuntimeError("boom")

    monkeypatch.setattr(gates, "pod_gates", failing)
    assert open_gates(resource, run.ctx.workloads, names) == before
    patched = {**GATES, "env": GATES["env"]._replace(pod=failing_env)}
    monkeypatch.setattr(gates, "GATES", patched)
    assert open_gates(resource, run.ctx.workloads, names) == before | {"env"}
