"""Every rule declared ``pods_only`` yields nothing for an object without pod specs, so the engine may skip those
objects without calling it (``RuleInfo.pods_only``).

The declaration is checked against every object of every rule fixture and workload fixture that has no pod spec
(as the run sees it: ``ctx.workloads.pods_of``), with every rule running: a rule that reports anything there
(an operator's resources or environment outside a pod template, metadata, another object) must not declare it.
And the engine's skip is checked against the same runs with the skip turned off: the reports must be equal.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from guardlint import engine
from guardlint.engine import Run
from guardlint.findings import Report
from guardlint.model.index import KnownObject
from guardlint.source.loader import load_text
from guardlint.testing import Fixture, parse_fixture, settings_for
from tests.helpers import FIXTURES, ROOT, iter_fixtures, registry

WORKLOADS = ROOT / "tests" / "fixtures" / "workloads"

POD_LESS = """apiVersion: trainer.kubeflow.org/v1alpha1
kind: TrainJob
metadata: {name: flat, namespace: ml}
spec:
  runtimeRef: {name: torch-distributed}
  trainer:
    image: example.com/train:latest
    env:
      - {name: NVIDIA_VISIBLE_DEVICES, value: all}
      - {name: TOKEN, value: "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB"}
    resourcesPerNode:
      limits: {nvidia.com/gpu: 0.5, example.com/unknown: -1}
      requests: {nvidia.com/gpu: 2}
---
apiVersion: apps.nvidia.com/v1alpha1
kind: NIMService
metadata: {name: nim, namespace: ml}
spec:
  image: {repository: nvcr.io/nim/meta/llama, tag: latest}
  env: [{name: CUDA_VISIBLE_DEVICES, value: "0"}]
  resources:
    limits: {nvidia.com/gpu: 1}
    requests: {nvidia.com/gpu: 2}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: ml, annotations: {seccomp.security.alpha.kubernetes.io/pod: unconfined}}
data: {password: hunter2, image: "nginx:latest"}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ml}
spec:
  selector: {app: nothing}
  ports: [{port: 80, targetPort: http, hostPort: 22}]
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: shaped-like-a-container, namespace: ml}
spec:
  securityContext: {privileged: true, runAsUser: 0, capabilities: {add: [SYS_ADMIN]}}
  image: nginx:latest
  hostNetwork: true
  volumes: [{name: root, hostPath: {path: /}}]
"""


def _fixtures() -> list[Fixture]:
    extra = [parse_fixture(p, "workloads", "fail") for p in sorted(WORKLOADS.glob("*.yaml"))]
    return [*iter_fixtures(), *extra]


def _run(fx: Fixture, rules: list[str]) -> Run:
    """A run of ``rules`` over the fixture's text, configured as the fixture's header says."""
    extra: dict[str, Any] = {}
    if "known_objects" in fx.extra_config:
        extra["known_objects"] = tuple(KnownObject(**k) for k in fx.extra_config["known_objects"])
    if "options" in fx.extra_config:
        extra["options"] = fx.extra_config["options"]
    params = {fx.rule: fx.params} if fx.params and fx.rule != "workloads" else None
    plan = settings_for(registry(), rules, params, fx.kubernetes_version, extra).plan
    if fx.extra_config.get("partial"):
        plan = plan._replace(partial=True)
    return Run([load_text(fx.text, fx.path.name, nodes=False)], plan)


def _pods_only_rules() -> list[str]:
    return sorted(r.name for r in registry().rules if r.info.pods_only)


def test_rules_declare_pods_only_only_where_they_judge_pods() -> None:
    names = _pods_only_rules()
    assert len(names) >= 60  # the declaration is used (the pod rules of the security, resources and gpu packs)
    loaded_meta = {r.name: r.meta.pods_only for r in registry().rules}
    assert all(loaded_meta[n] for n in names)  # the generated catalog carries what the rule modules declare
    offenders: list[str] = []
    judged: Counter[str] = Counter()
    synthetic = parse_fixture(FIXTURES / "privileged-container" / "pass" / "more-kinds.yaml", "synthetic", "pass")
    for fx in [*_fixtures(), synthetic._replace(text=POD_LESS, path=Path("pod-less.yaml"), params={})]:
        run = _run(fx, ["all"])
        pod_less = [r for r in run.resources if not run.ctx.workloads.pods_of(r)]
        for active in run.plan.active:
            info = active.rule.info
            if not info.pods_only:
                continue
            for resource in pod_less:
                if info.kinds is not None and resource.kind not in info.kinds:
                    continue
                judged[resource.kind] += 1
                found = list(active.rule.check(resource, active.params, run.ctx))
                if found:
                    offenders.append(f"{info.name} on {resource.display()} in {fx.id}: {found[0].message}")
    assert not offenders, "\n".join(offenders[:20])
    # The objects judged include operator shapes with resources and environment outside any pod template.
    assert {"TrainJob", "NIMService", "ConfigMap", "Service", "Widget"} <= set(judged)
    assert sum(judged.values()) > 10_000


@pytest.mark.parametrize("rules", [pytest.param(["all"], marks=pytest.mark.slow), []], ids=["all", "fixture-rules"])
def test_skipping_pod_less_objects_changes_no_report(rules: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Each fixture linted as usual and with the skip turned off (every object counted as having pods)."""

    def report(fx: Fixture) -> Report:
        run = _run(fx, rules or (fx.select if fx.rule != "workloads" else ["all"]))
        run.check(raise_errors=True)
        return run.report()

    fixtures = _fixtures()
    skipped = [report(fx) for fx in fixtures]
    monkeypatch.setattr(engine, "_open_gates", lambda resource, workloads, names: frozenset(names))
    unskipped = [report(fx) for fx in fixtures]
    for fx, a, b in zip(fixtures, skipped, unskipped, strict=True):
        assert a == b, fx.id
    assert sum(len(r.findings) for r in skipped) > 1000


PODS_ELSEWHERE = """apiVersion: example.com/v1
kind: BatchRun
metadata: {name: listed-by-config, namespace: ml}
spec:
  template:
    spec:
      containers:
        - name: a
          image: example.com/a:1
          securityContext: {privileged: true}
---
apiVersion: other.example.com/v1
kind: Gadget
metadata: {name: found-by-shape, namespace: ml}
spec:
  runner:
    template:
      spec:
        containers:
          - name: b
            image: example.com/b:1
            securityContext: {privileged: true}
---
apiVersion: apps.nvidia.com/v1alpha1
kind: NIMService
metadata: {name: made-pod, namespace: ml}
spec:
  image: {repository: nvcr.io/nim/meta/llama, tag: "1.3.3"}
  resources:
    requests: {nvidia.com/gpu: 1}
    limits: {nvidia.com/gpu: 2}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nested, namespace: ml}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: c
              image: example.com/c:1
              securityContext: {privileged: true}
"""


@pytest.mark.parametrize("detect", [True, False])
def test_pods_found_by_configuration_detection_and_builders_are_still_judged(
    detect: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The skip must not hide a pod the rules find in an object of a kind listed by the configuration, in a
    custom resource by its shape (only with detection on), or in a pod an operator's builder makes."""
    from guardlint.model.workloads import TemplateKind, TemplatePath, WorkloadEntry

    entry = WorkloadEntry("example.com", "BatchRun", (TemplatePath(("spec", "template"), TemplateKind.POD_TEMPLATE),))
    plan = settings_for(registry(), ["privileged-container", "gpu-request-limit-mismatch"], None, None,
                        {"detect_embedded_pod_specs": detect, "workloads": (entry,)}).plan

    def report() -> list[tuple[str, str]]:
        run = Run([load_text(PODS_ELSEWHERE, "elsewhere.yaml", nodes=False)], plan)
        run.check(raise_errors=True)
        return sorted((f.rule, f.resource.name if f.resource else "") for f in run.report().findings)

    skipped = report()
    monkeypatch.setattr(engine, "_open_gates", lambda resource, workloads, names: frozenset(names))
    assert skipped == report()
    expected = [("gpu-request-limit-mismatch", "made-pod"), ("privileged-container", "listed-by-config"),
                ("privileged-container", "nested")]
    if detect:
        expected.append(("privileged-container", "found-by-shape"))
    assert skipped == sorted(expected)
