"""A run finds each pod's containers once, and the shared answer is exactly what each rule computed for
itself before (the requirements sites made from them too): the same findings on every kind of pod (built-in
rows, a pod found by its shape in a custom resource, pods an operator makes, an object embedded in another,
aliases, strategic-merge directives), and far less work."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from guardlint.engine import lint_loaded
from guardlint.findings import Report
from guardlint.model import workloads
from guardlint.model.requirements import container_site, iter_sites
from guardlint.model.resource import Resource, resources_of
from guardlint.model.workloads import (
    ContainerKind,
    ContainerRef,
    PodMemo,
    PodSpecRef,
    WorkloadTable,
    default_table,
    iter_containers,
    iter_pod_specs,
)
from guardlint.source.loader import LoadedText, load_text
from tests.helpers import FIXTURES, settings_for

SHAPES = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: a}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      initContainers:
        - {name: init, image: "busybox:1.36", resources: {limits: {nvidia.com/gpu: 1}}}
        - {name: proxy, image: "envoy:1.30", restartPolicy: Always, resources: {requests: {cpu: 100m}}}
      containers:
        - name: app
          image: "app:1"
          resources: {requests: {cpu: "0.5", memory: 1Gi}, limits: {memory: 512Mi, nvidia.com/gpu: "1"}}
          securityContext: {privileged: true}
        - {name: side, image: "log:latest"}
      ephemeralContainers:
        - {name: debug, image: "busybox:1.36"}
---
apiVersion: v1
kind: Pod
metadata: {name: twin, namespace: a}
spec:
  initContainers:
    - &app {name: app, image: "app:1", resources: {limits: {nvidia.com/gpu: 1}}, securityContext: {privileged: true}}
  containers:
    - *app
    - name: gpu
      image: "cuda:12"
      resources: {limits: {nvidia.com/gpu: "0.5", amd.com/gpu: 2}, requests: {nvidia.com/gpu: 2}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: patched, namespace: a}
spec:
  template:
    spec:
      containers:
        - {name: app, $patch: delete}
        - {name: keep, image: "keep:1", resources: {limits: {cpu: "2", memory: 1G}, requests: {cpu: "3"}}}
---
apiVersion: sandbox.example.com/v1
kind: WarmPool
metadata: {name: pool, namespace: a}
spec:
  podTemplate:
    metadata: {labels: {app: pool}}
    spec:
      containers:
        - name: app
          image: "example.com/app:latest"
          securityContext: {privileged: true}
          resources: {limits: {nvidia.com/gpu: 1}}
---
apiVersion: tekton.dev/v1
kind: Task
metadata: {name: t, namespace: a}
spec:
  stepTemplate:
    securityContext: {runAsNonRoot: true}
  steps:
    - {name: a, image: "a:1", computeResources: {limits: {nvidia.com/gpu: 1}}}
    - {name: b, image: "b:latest", securityContext: {privileged: true}}
---
apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {name: s, namespace: a}
spec:
  type: Python
  image: "spark:3"
  driver: {memory: 2g, memoryOverhead: 512m, gpu: {name: nvidia.com/gpu, quantity: 1}}
  executor: {memory: 16g, instances: 2}
---
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: {name: e, namespace: a}
spec:
  trialTemplate:
    trialSpec:
      apiVersion: kubeflow.org/v1
      kind: PyTorchJob
      spec:
        pytorchReplicaSpecs:
          Master:
            replicas: 1
            template:
              spec:
                containers:
                  - {name: pytorch, image: "torch:2", resources: {limits: {nvidia.com/gpu: 8}}}
---
apiVersion: v1
kind: List
items:
  - apiVersion: batch/v1
    kind: Job
    metadata: {name: j, namespace: a}
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - {name: j, image: "j:1", resources: {limits: {nvidia.com/mig-1g.5gb: 1, nvidia.com/gpu: 1}}}
"""


def _fixture_texts() -> list[LoadedText]:
    return [load_text(p.read_text(encoding="utf-8"), str(p)) for p in sorted(FIXTURES.rglob("*.yaml"))]


def _findings(report: Report) -> list[tuple[object, ...]]:
    return [(f.file, f.location, f.rule, f.path, f.message, f.severity, f.suppressed) for f in report.findings]


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[PodSpecRef]:
    """Every pod whose containers were looked for."""
    calls: list[PodSpecRef] = []
    find = workloads._find_containers

    def counting(pod: PodSpecRef) -> Iterator[ContainerRef]:
        calls.append(pod)
        return find(pod)

    monkeypatch.setattr(workloads, "_find_containers", counting)
    return calls


def _without_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs use the configuration's table as it is: no pod-spec memo, so no pod memo either."""
    monkeypatch.setattr(WorkloadTable, "for_run", lambda self: self)


@pytest.mark.parametrize("source", ["shapes", pytest.param("fixtures", marks=pytest.mark.slow)])  # 480 files, twice
def test_shared_answers_give_the_same_findings_for_far_less_work(
    source: str, counted: list[PodSpecRef], monkeypatch: pytest.MonkeyPatch,
) -> None:
    loaded = [load_text(SHAPES, "shapes.yaml")] if source == "shapes" else _fixture_texts()
    plan = settings_for(["all"]).plan
    shared = lint_loaded(loaded, plan)
    shared_calls = len(counted)
    pods = {id(p) for p in counted}
    assert shared_calls == len(pods)  # each pod's containers were found once ...
    counted.clear()
    _without_memo(monkeypatch)
    alone = lint_loaded(loaded, plan)
    assert len(counted) > 10 * shared_calls  # ... where every rule looked for them again
    assert _findings(shared) == _findings(alone)
    assert len(shared.findings) > (40 if source == "shapes" else 1000)  # the inputs do reach the rules


def _resources(text: str) -> list[Resource]:
    return [r for doc in load_text(text, "x.yaml").documents for r in resources_of(doc)]


class _Run:
    def __init__(self, table: WorkloadTable) -> None:
        self.workloads = table
        self.index = None


def test_a_runs_pods_share_containers_equal_to_a_fresh_walk() -> None:
    table = default_table()
    view = table.for_run()
    for r in _resources(SHAPES):
        fresh = list(iter_pod_specs(r, table))
        pods = list(iter_pod_specs(r, view))
        assert pods == fresh  # a memo is not part of a pod's value
        assert all(p.memo is None for p in fresh) and all(isinstance(p.memo, PodMemo) for p in pods)
        for pod, alone in zip(pods, fresh, strict=True):
            first = list(iter_containers(pod))
            assert first == list(iter_containers(alone))
            assert all(a is b for a, b in zip(first, iter_containers(pod), strict=True))  # the same objects every time
            for kinds in ([ContainerKind.INIT], (ContainerKind.CONTAINER, ContainerKind.EPHEMERAL), set(), None):
                assert list(iter_containers(pod, kinds)) == list(iter_containers(alone, kinds))
            for c in first:
                assert container_site(c) == container_site(ContainerRef(c.kind, c.index, c.name, c.path, c.data, alone))
        for qualified_only in (True, False):
            sites = list(iter_sites(r, _Run(view), qualified_only=qualified_only))  # type: ignore[arg-type]
            assert sites == list(iter_sites(r, _Run(table), qualified_only=qualified_only))  # type: ignore[arg-type]


def test_the_shapes_cover_what_they_are_for() -> None:
    table = default_table().for_run()
    kinds: dict[str, list[str]] = {}
    made: dict[str, bool] = {}
    for r in _resources(SHAPES):
        kinds[r.kind] = [c.name for p in iter_pod_specs(r, table) for c in iter_containers(p)]
        made[r.kind] = table.has_made_pods(r)
    assert kinds["Deployment"] == ["app", "keep"]  # the patched one, found second (with its directive's item)
    assert kinds["WarmPool"] == ["app"]  # found by its shape
    assert kinds["Task"] == ["a", "b"]  # made by the Tekton builder
    assert len(kinds["SparkApplication"]) == 2 and made["SparkApplication"] and made["Task"]  # made pods
    assert kinds["Experiment"] == ["pytorch"]  # an object embedded in another
    assert kinds["Pod"] == ["app", "app", "gpu"]  # through an alias
    assert kinds["Job"] == ["j"]  # an item of a List
