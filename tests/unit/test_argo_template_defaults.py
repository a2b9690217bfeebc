"""Argo Workflows ``templateDefaults``: merged into each template as the controller merges them (a strategic
merge patch of the template onto the defaults, the template keeping its own type), with findings on a
defaulted value led to where the default is written."""

from __future__ import annotations

from typing import Any

from guardlint.model.crds import argo_template_defaults
from guardlint.model.resource import resources_of
from guardlint.model.workloads import default_table, iter_all_containers, iter_pod_specs
from guardlint.source.loader import load_text

SPEC = ("spec",)


def _merge(defaults: dict[str, Any], template: dict[str, Any]) -> tuple[Any, dict[Any, Any]]:
    root = {"spec": {"templateDefaults": defaults, "templates": [template]}}
    merged, aliases = argo_template_defaults(root, (), SPEC, ("spec", "templates", 0), template)
    return merged, dict(aliases)


def test_maps_merge_and_the_template_wins() -> None:
    merged, aliases = _merge(
        {"container": {"resources": {"limits": {"memory": "1Gi", "cpu": "1"}}, "image": "base:1"},
         "nodeSelector": {"pool": "batch"}, "timeout": "1h"},
        {"container": {"image": "own:2", "resources": {"limits": {"cpu": "2"}}}, "nodeSelector": {"zone": "a"}},
    )
    assert merged["container"] == {"image": "own:2", "resources": {"limits": {"memory": "1Gi", "cpu": "2"}}}
    assert merged["nodeSelector"] == {"pool": "batch", "zone": "a"} and merged["timeout"] == "1h"
    t = ("spec", "templates", 0)
    assert aliases[(*t, "container", "resources", "limits", "memory")] == (
        "spec", "templateDefaults", "container", "resources", "limits", "memory")
    assert aliases[(*t, "timeout")] == ("spec", "templateDefaults", "timeout")
    assert (*t, "container", "image") not in aliases  # the template's own value stays where it is written


def test_lists_with_a_merge_key_merge_and_others_are_replaced() -> None:
    merged, aliases = _merge(
        {"container": {"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}], "args": ["--x"]},
         "tolerations": [{"key": "gpu", "operator": "Exists"}]},
        {"container": {"env": [{"name": "C", "value": "3"}, {"name": "B", "value": "own"}], "args": ["--y"]},
         "tolerations": [{"key": "spot", "operator": "Exists"}]},
    )
    assert merged["container"]["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "own"},
                                          {"name": "C", "value": "3"}]
    assert merged["container"]["args"] == ["--y"]
    assert [t["key"] for t in merged["tolerations"]] == ["gpu", "spot"]
    env = ("spec", "templates", 0, "container", "env")
    assert aliases[(*env, 0)] == ("spec", "templateDefaults", "container", "env", 0)
    assert (*env, 1) not in aliases  # the template's B, completed from the defaults' B, stays at index 1
    assert aliases[(*env, 2)] == (*env, 0)  # the template's C, moved after the defaults' items


def test_a_template_keeps_its_own_type() -> None:
    defaults = {"container": {"securityContext": {"privileged": True}}, "script": {"image": "x"},
                "activeDeadlineSeconds": 60}
    merged, _ = _merge(defaults, {"script": {"image": "python:3", "source": "print(1)"}})
    assert "container" not in merged and merged["script"] == {"image": "python:3", "source": "print(1)"}
    assert merged["activeDeadlineSeconds"] == 60
    merged, _ = _merge(defaults, {"containerSet": {"containers": [{"name": "a", "image": "a:1"}]}})
    assert "container" not in merged and "script" not in merged
    merged, _ = _merge(defaults, {"container": {"image": "c:1"}, "sidecars": None})
    assert merged["container"]["securityContext"] == {"privileged": True} and "script" not in merged


def test_pods_of_every_argo_kind_and_inline_templates_take_the_defaults() -> None:
    text = """apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata: {name: nightly}
spec:
  schedule: "0 2 * * *"
  workflowSpec:
    entrypoint: main
    templateDefaults:
      container:
        resources: {limits: {nvidia.com/gpu: 1}}
    templates:
      - name: main
        dag:
          tasks:
            - name: train
              inline:
                container: {image: trainer:1}
      - name: eval
        container: {image: eval:1}
"""
    resource = next(r for doc in load_text(text, "cron.yaml").documents for r in resources_of(doc))
    table = default_table()
    pods = list(iter_pod_specs(resource, table))
    assert len(pods) == 2
    for c in iter_all_containers(resource, table):
        assert c.data["resources"] == {"limits": {"nvidia.com/gpu": 1}}
    assert table.real_path(resource, (*pods[0].path, "container", "resources", "limits")) == (
        "spec", "workflowSpec", "templateDefaults", "container", "resources", "limits")


def test_no_defaults_no_change() -> None:
    template = {"container": {"image": "a:1"}}
    merged, aliases = _merge({}, template)
    assert merged is template and aliases == {}


def test_a_merge_key_that_is_not_a_scalar_matches_nothing() -> None:
    # An unquoted Argo placeholder reads as a mapping: it is no key (and must not be hashed).
    placeholder = {"inputs.parameters.name": None}
    merged, _ = _merge({"volumes": [{"name": {"x": None}, "emptyDir": {}}]},
                       {"container": {"image": "a:1"}, "volumes": [{"name": placeholder, "emptyDir": {}}]})
    assert merged["volumes"] == [{"name": {"x": None}, "emptyDir": {}}, {"name": placeholder, "emptyDir": {}}]


def _pods(text: str) -> list[Any]:
    resource = next(r for doc in load_text(text, "wf.yaml").documents for r in resources_of(doc))
    return list(iter_pod_specs(resource, default_table()))


def test_pod_spec_fields_argo_templates_do_not_have_are_not_read() -> None:
    # Argo's Template type has no hostNetwork, hostPID, dnsPolicy, imagePullSecrets, runtimeClassName,
    # containers, ...: written on a template they are dropped when the controller reads it; the workflow-level
    # hostNetwork, dnsPolicy and imagePullSecrets apply instead.
    pods = _pods("""apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: w}
spec:
  hostNetwork: true
  dnsPolicy: Default
  templateDefaults: {hostIPC: true, schedulerName: batch}
  templates:
    - name: main
      hostNetwork: false
      hostPID: true
      dnsPolicy: None
      runtimeClassName: kata
      containers: [{name: x, image: x:1}]
      serviceAccountName: runner
      nodeSelector: {pool: a}
      container: {image: alpine:3.19}
""")
    (pod,) = pods
    spec = pod.spec
    assert spec["hostNetwork"] is True and spec["dnsPolicy"] == "Default"  # the workflow's, not the template's
    assert "hostPID" not in spec and "hostIPC" not in spec and "runtimeClassName" not in spec
    assert "containers" not in spec
    assert spec["serviceAccountName"] == "runner" and spec["nodeSelector"] == {"pool": "a"}
    assert spec["schedulerName"] == "batch" and spec["container"] == {"image": "alpine:3.19"}


def test_a_template_without_a_type_is_not_a_pod() -> None:
    # Argo validates each template's own type before templateDefaults are merged: a template with none (or a
    # null one) is rejected ("template type unspecified"), so the defaults' container never runs.
    text = """apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: w}
spec:
  templateDefaults:
    container: {image: alpine:3.19, securityContext: {privileged: true}}
  templates:
    - name: none
      nodeSelector: {pool: a}
    - name: nulled
      container: null
      script: null
    - name: real
      script: {image: python:3.12, source: "print(1)"}
"""
    pods = _pods(text)
    assert [p.path for p in pods] == [("spec", "templates", 2)]
    assert "container" not in pods[0].spec


def test_pod_resources_are_the_pods_resources() -> None:
    # Argo's podResources (Template, templateDefaults, WorkflowSpec) become the pod's own resources; a
    # template's own `resources` is no Template field and is dropped.
    text = """apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: w}
spec:
  podResources: {limits: {memory: 1Gi}}
  templateDefaults:
    podResources: {limits: {memory: 2Gi}}
  templates:
    - name: defaulted
      container: {image: a:1}
    - name: own
      podResources: {limits: {memory: 3Gi}}
      resources: {limits: {memory: 9Gi}}
      container: {image: a:1}
"""
    resource = next(r for doc in load_text(text, "wf.yaml").documents for r in resources_of(doc))
    table = default_table()
    pods = list(iter_pod_specs(resource, table))
    assert [p.spec["resources"] for p in pods] == [{"limits": {"memory": "2Gi"}}, {"limits": {"memory": "3Gi"}}]
    assert table.real_path(resource, ("spec", "templates", 0, "resources", "limits")) == (
        "spec", "templateDefaults", "podResources", "limits")
    assert table.real_path(resource, ("spec", "templates", 1, "resources")) == (
        "spec", "templates", 1, "podResources")
    pods = _pods(text.replace("  templateDefaults:\n    podResources: {limits: {memory: 2Gi}}\n", ""))
    assert pods[0].spec["resources"] == {"limits": {"memory": "1Gi"}}
