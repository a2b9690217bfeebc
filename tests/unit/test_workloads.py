"""The pod-template table: every built-in row finds its pod spec and containers at the right paths, and
effective security settings follow Kubernetes' container-over-pod rules."""

from __future__ import annotations

from typing import Any

import pytest

from guardlint.model.paths import FieldPath
from guardlint.model.resource import Resource, resources_of
from guardlint.model.workloads import (
    BUILTIN_WORKLOADS,
    ContainerKind,
    ContainerRef,
    WorkloadTable,
    effective_security,
    iter_all_containers,
    iter_containers,
    iter_pod_specs,
)
from guardlint.source.loader import load_text

TABLE = WorkloadTable(BUILTIN_WORKLOADS)

POD_SPEC = """initContainers:
  - name: init
    image: busybox:1.36
  - name: proxy
    image: envoy:1.30
    restartPolicy: Always
containers:
  - name: app
    image: app:1
  - name: side
    image: log:1
ephemeralContainers:
  - name: debug
    image: busybox:1.36
"""


def indent(text: str, spaces: int) -> str:
    return "".join(" " * spaces + line + "\n" if line else "\n" for line in text.splitlines())


def resource(api_version: str, kind: str, template_path: FieldPath) -> Resource:
    """A manifest of ``kind`` whose pod template sits at ``template_path`` (() for a Pod)."""
    body = "metadata:\n  labels: {app: x}\nspec:\n" + indent(POD_SPEC, 2)
    for key in reversed(template_path):
        body = f"{key}:\n" + indent(body, 2)
    text = f"apiVersion: {api_version}\nkind: {kind}\n" + body
    (doc,) = load_text(text, "w.yaml").documents
    (res,) = resources_of(doc)
    return res


ROWS = [
    ("v1", "Pod", ()),
    ("v1", "PodTemplate", ("template",)),
    ("v1", "ReplicationController", ("spec", "template")),
    *((f"{group}/{version}", kind, ("spec", "template"))
      for group, version in (("apps", "v1"), ("extensions", "v1beta1"))
      for kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")),
    ("batch/v1", "Job", ("spec", "template")),
    ("batch/v1", "CronJob", ("spec", "jobTemplate", "spec", "template")),
    ("batch/v1beta1", "CronJob", ("spec", "jobTemplate", "spec", "template")),
    ("apps.openshift.io/v1", "DeploymentConfig", ("spec", "template")),
]


@pytest.mark.parametrize(("api_version", "kind", "template"), ROWS, ids=[f"{a}-{k}" for a, k, _ in ROWS])
def test_builtin_row(api_version: str, kind: str, template: FieldPath) -> None:
    res = resource(api_version, kind, template)
    (pod,) = iter_pod_specs(res, TABLE)
    assert pod.path == (*template, "spec")
    assert pod.metadata_path == (*template, "metadata")
    assert pod.entry.kind == kind
    assert pod.labels == {"app": "x"}
    found = [(c.kind, c.index, c.name, c.path, c.is_sidecar, c.describe()) for c in iter_containers(pod)]
    spec = pod.path
    assert found == [
        (ContainerKind.INIT, 0, "init", (*spec, "initContainers", 0), False, "init container 'init'"),
        (ContainerKind.INIT, 1, "proxy", (*spec, "initContainers", 1), True, "sidecar container 'proxy'"),
        (ContainerKind.CONTAINER, 0, "app", (*spec, "containers", 0), False, "container 'app'"),
        (ContainerKind.CONTAINER, 1, "side", (*spec, "containers", 1), False, "container 'side'"),
        (ContainerKind.EPHEMERAL, 0, "debug", (*spec, "ephemeralContainers", 0), False, "ephemeral container 'debug'"),
    ]
    # every path leads to the container's data
    for c in iter_all_containers(res, TABLE):
        node: Any = res.data
        for part in c.path:
            node = node[part]
        assert node is c.data


@pytest.mark.parametrize(
    ("kind", "batch", "replicas"),
    [("Pod", False, None), ("PodTemplate", False, None), ("ReplicationController", False, ("spec", "replicas")),
     ("Deployment", False, ("spec", "replicas")), ("ReplicaSet", False, ("spec", "replicas")),
     ("StatefulSet", False, ("spec", "replicas")), ("DaemonSet", False, None), ("Job", True, None),
     ("CronJob", True, None), ("DeploymentConfig", False, ("spec", "replicas"))],
    ids=str,
)
def test_row_metadata(kind: str, batch: bool, replicas: FieldPath | None) -> None:
    rows = [e for e in BUILTIN_WORKLOADS if e.kind == kind]
    assert rows
    assert {(e.batch, e.replicas) for e in rows} == {(batch, replicas)}


def test_every_builtin_row_is_covered() -> None:
    covered = {(api.rpartition("/")[0], kind) for api, kind, _ in ROWS}
    assert {(e.group, e.kind) for e in BUILTIN_WORKLOADS} == covered


@pytest.mark.parametrize(
    ("api_version", "kind"),
    [("v1", "ConfigMap"), ("apps/v1", "Job"), ("batch/v1", "Deployment"), ("example.com/v1", "Pod"),
     ("v1", "Deployment")],
    ids=["not-a-workload", "job-in-apps", "deployment-in-batch", "pod-in-other-group", "deployment-in-core"],
)
def test_kind_must_match_its_group(api_version: str, kind: str) -> None:
    res = resource(api_version, kind, ("spec", "template"))
    assert list(iter_pod_specs(res, TABLE.with_detection(False))) == []
    # With structural detection (the default), only a custom resource's pod template is found by its shape:
    # Kubernetes' own groups are described by their rows alone.
    found = [p.path for p in iter_pod_specs(res, TABLE)]
    assert found == ([("spec", "template", "spec")] if api_version == "example.com/v1" else [])


def _only(text: str) -> Resource:
    (doc,) = load_text(text, "w.yaml").documents
    (res,) = resources_of(doc)
    return res


def test_malformed_templates_yield_nothing_and_keep_indexes() -> None:
    no_spec = _only("apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    metadata: {}\n")
    assert list(iter_pod_specs(no_spec, TABLE)) == []
    template_list = _only("apiVersion: apps/v1\nkind: Deployment\nspec:\n  template: [1]\n")
    assert list(iter_pod_specs(template_list, TABLE)) == []
    odd = _only("apiVersion: v1\nkind: Pod\nspec:\n  containers: [x, {name: b}, {image: c}]\n"
                "  initContainers: {name: a}\n")
    assert [(c.index, c.name, c.path) for c in iter_all_containers(odd, TABLE)] == [
        (1, "b", ("spec", "containers", 1)), (2, "#2", ("spec", "containers", 2))]


def test_container_kind_filter() -> None:
    (pod,) = iter_pod_specs(resource("v1", "Pod", ()), TABLE)
    assert [c.name for c in iter_containers(pod, [ContainerKind.EPHEMERAL, ContainerKind.INIT])] == [
        "init", "proxy", "debug"]


def test_list_items_are_workloads_too() -> None:
    text = ("apiVersion: v1\nkind: List\nitems:\n  - apiVersion: batch/v1\n    kind: Job\n    spec:\n"
            "      template:\n        spec:\n          containers: [{name: j, image: x}]\n")
    (doc,) = load_text(text, "l.yaml").documents
    (job,) = resources_of(doc)
    (c,) = iter_all_containers(job, TABLE)
    assert (job.prefix, c.path) == (("items", 0), ("spec", "template", "spec", "containers", 0))


# --- effective security settings ----------------------------------------------------------------------


def container(pod_sc: str, container_sc: str | None) -> ContainerRef:
    sc = f"\n      securityContext: {container_sc}" if container_sc is not None else ""
    text = f"""apiVersion: v1
kind: Pod
metadata: {{name: p}}
spec:
  securityContext: {pod_sc}
  containers:
    - name: c
      image: x:1{sc}
"""
    (c,) = iter_all_containers(_only(text), TABLE)
    return c


C_SC: FieldPath = ("spec", "containers", 0, "securityContext")
P_SC: FieldPath = ("spec", "securityContext")


@pytest.mark.parametrize(
    ("pod_sc", "container_sc", "field", "expected"),
    [
        ("{runAsNonRoot: true}", "{runAsNonRoot: false}", ("runAsNonRoot",), (False, (*C_SC, "runAsNonRoot"))),
        ("{runAsNonRoot: true}", "{runAsNonRoot: null}", ("runAsNonRoot",), (True, (*P_SC, "runAsNonRoot"))),
        ("{runAsNonRoot: true}", None, ("runAsNonRoot",), (True, (*P_SC, "runAsNonRoot"))),
        ("{runAsNonRoot: true}", "null", ("runAsNonRoot",), (True, (*P_SC, "runAsNonRoot"))),
        ("{runAsUser: 0}", "{}", ("runAsUser",), (0, (*P_SC, "runAsUser"))),
        ("{runAsUser: 1000}", "{runAsUser: 0}", ("runAsUser",), (0, (*C_SC, "runAsUser"))),
        ("{runAsGroup: 5}", "{}", ("runAsGroup",), (5, (*P_SC, "runAsGroup"))),
        ("{seccompProfile: {type: Unconfined}}", "{seccompProfile: {type: RuntimeDefault}}", ("seccompProfile", "type"),
         ("RuntimeDefault", (*C_SC, "seccompProfile", "type"))),
        ("{seccompProfile: {type: Unconfined}}", "{}", ("seccompProfile", "type"),
         ("Unconfined", (*P_SC, "seccompProfile", "type"))),
        ("{appArmorProfile: {type: Unconfined}}", "{}", ("appArmorProfile", "type"),
         ("Unconfined", (*P_SC, "appArmorProfile", "type"))),
        ("{seLinuxOptions: {type: spc_t}}", "{}", ("seLinuxOptions", "type"),
         ("spc_t", (*P_SC, "seLinuxOptions", "type"))),
        ("{windowsOptions: {hostProcess: true}}", "{windowsOptions: {runAsUserName: x}}",
         ("windowsOptions", "hostProcess"), (True, (*P_SC, "windowsOptions", "hostProcess"))),
        # pod-only fields are not container settings
        ("{fsGroup: 0}", "{}", ("fsGroup",), (None, None)),
        ("{supplementalGroups: [0]}", "{}", ("supplementalGroups",), (None, None)),
        ("{sysctls: [{name: a, value: b}]}", "{}", ("sysctls",), (None, None)),
        # container-only fields are not inherited from a (wrong) pod-level setting
        ("{privileged: true}", "{}", ("privileged",), (None, None)),
        ("{allowPrivilegeEscalation: true}", None, ("allowPrivilegeEscalation",), (None, None)),
        ("{capabilities: {add: [ALL]}}", "{}", ("capabilities", "add"), (None, None)),
        ("{}", "{privileged: true}", ("privileged",), (True, (*C_SC, "privileged"))),
        # neither level
        ("{}", "{}", ("runAsNonRoot",), (None, None)),
        ("null", None, ("runAsNonRoot",), (None, None)),
    ],
    ids=["container-overrides", "container-null", "container-unset", "container-sc-null", "pod-user-zero",
         "container-user-zero", "group", "seccomp-container", "seccomp-pod", "apparmor-pod", "selinux-pod",
         "windows-field-level", "fsgroup-pod-only", "supplemental-pod-only", "sysctls-pod-only",
         "privileged-not-inherited", "escalation-not-inherited", "capabilities-not-inherited",
         "container-only-field", "neither", "no-contexts"],
)
def test_effective_security(pod_sc: str, container_sc: str | None, field: FieldPath,
                            expected: tuple[Any, FieldPath | None]) -> None:
    assert effective_security(container(pod_sc, container_sc), field) == expected


def test_aggregate_amounts_counts_as_kubernetes_does() -> None:
    """Regular containers plus sidecars, or the largest init step (an init container with the sidecars started
    before it), whichever is more (AggregateContainerRequests)."""
    from fractions import Fraction
    from types import SimpleNamespace
    from typing import cast

    from guardlint.model.workloads import ContainerKind, aggregate_amounts

    def c(kind: ContainerKind, sidecar: bool = False) -> ContainerRef:
        return cast("ContainerRef", SimpleNamespace(kind=kind, is_sidecar=sidecar))

    app, init = ContainerKind.CONTAINER, ContainerKind.INIT
    f = Fraction
    # an init step before any sidecar: 4 alone; after the 1-cpu sidecar: 3 + 1; running: 2 + 1
    assert aggregate_amounts([(c(init), {"cpu": f(4)}), (c(init, True), {"cpu": f(1)}),
                              (c(init), {"cpu": f(3)}), (c(app), {"cpu": f(2)})]) == {"cpu": f(4)}
    assert aggregate_amounts([(c(init, True), {"cpu": f(1)}), (c(init), {"cpu": f(3)}),
                              (c(app), {"cpu": f(2)})]) == {"cpu": f(4)}
    assert aggregate_amounts([(c(init, True), {"cpu": f(1)}), (c(init), {"cpu": f(1)}),
                              (c(app), {"cpu": f(5)}), (c(app), {"memory": f(7)})]) == {"cpu": f(6), "memory": f(7)}
    assert aggregate_amounts([]) == {}
