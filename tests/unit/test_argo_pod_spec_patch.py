"""Argo Workflows ``podSpecPatch``: the workflow's and the template's patches applied to the template's pod as
the controller applies them (a strategic merge patch of the pod spec), what they set led to the patch, values
Argo fills in at run time unknown, and a patch that cannot be told exactly left out (the pod judged as written)."""

from __future__ import annotations

from typing import Any

import pytest

from guardlint.api import lint_text
from guardlint.model.argo_patch import read_patch
from guardlint.model.resource import resources_of
from guardlint.model.workloads import default_table, iter_containers, iter_pod_specs
from guardlint.source.loader import load_text


def _pods(text: str) -> list[Any]:
    resource = next(r for doc in load_text(text, "wf.yaml").documents for r in resources_of(doc))
    return list(iter_pod_specs(resource, default_table()))


def _workflow(template: str, spec: str = "") -> str:
    return f"""apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {{name: w}}
spec:
  entrypoint: main
{spec}  templates:
    - name: main
{template}"""


def test_containers_merge_by_name_and_lists_by_their_keys() -> None:
    (pod,) = _pods(_workflow("""      podSpecPatch: |
        containers:
          - name: main
            env: [{name: B, value: patched}, {name: C, value: "3"}]
            args: [--patched]
            resources: {limits: {cpu: "2"}}
          - name: proxy
            image: envoy:2
          - name: wait
            securityContext: {privileged: true}
          - name: extra
            image: extra:1
        tolerations: [{key: spot, operator: Exists}]
        volumes: [{name: data, emptyDir: {medium: Memory}}]
      container:
        image: alpine:3.19
        env: [{name: A, value: "1"}, {name: B, value: "2"}]
        args: [--own]
        resources: {limits: {memory: 1Gi}}
      sidecars:
        - name: proxy
          image: envoy:1
      tolerations: [{key: gpu, operator: Exists}]
      volumes: [{name: data, emptyDir: {}}, {name: cache, emptyDir: {}}]
"""))
    main = pod.spec["container"]
    assert main["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "patched"}, {"name": "C", "value": "3"}]
    assert main["args"] == ["--patched"] and main["resources"] == {"limits": {"memory": "1Gi", "cpu": "2"}}
    assert "name" not in main  # the pod's name for it (main) is no change to the container
    assert pod.spec["sidecars"] == [{"name": "proxy", "image": "envoy:2"}]
    assert pod.spec["tolerations"] == [{"key": "spot", "operator": "Exists"}]  # no merge key in PodSpec: replaced
    assert pod.spec["volumes"] == [{"name": "data", "emptyDir": {"medium": "Memory"}},
                                   {"name": "cache", "emptyDir": {}}]
    names = [c.name for c in iter_containers(pod)]
    assert names == ["container", "proxy", "extra"]  # wait (Argo's executor) is not judged; extra is added
    table = default_table()
    t = ("spec", "templates", 0)
    patch = (*t, "podSpecPatch")
    assert table.real_path(pod.resource, (*t, "container", "args")) == (*patch, "containers", 0, "args")
    assert table.real_path(pod.resource, (*t, "container", "resources", "limits", "cpu")) == (
        *patch, "containers", 0, "resources", "limits", "cpu")
    assert table.real_path(pod.resource, (*t, "container", "image")) == (*t, "container", "image")
    assert table.real_path(pod.resource, (*t, "containers", 0, "image")) == (*patch, "containers", 3, "image")


def test_the_workflow_patch_then_the_templates_and_nulls_delete() -> None:
    (pod,) = _pods(_workflow("""      podSpecPatch: '{"securityContext": {"runAsUser": null, "fsGroup": 2}}'
      securityContext: {runAsUser: 0, runAsNonRoot: false}
      container: {image: alpine:3.19}
""", spec="""  podSpecPatch: '{"securityContext": {"runAsNonRoot": true, "fsGroup": 1}}'
"""))
    assert pod.spec["securityContext"] == {"runAsNonRoot": True, "fsGroup": 2}


def test_run_time_values_are_unknown() -> None:
    (pod,) = _pods(_workflow("""      podSpecPatch: >-
        {"containers": [{"name": "main", "resources": {"limits": {{inputs.parameters.r}},
        "requests": {"cpu": "{{inputs.parameters.cpu}}"}}}]}
      container: {image: alpine:3.19}
"""))
    t = ("spec", "templates", 0, "container", "resources")
    assert set(pod.unknown) == {(*t, "limits"), (*t, "requests", "cpu")}
    assert pod.spec["container"]["resources"]["limits"] == "{{inputs.parameters.r}}"  # as written


@pytest.mark.parametrize("patch", [
    "'{{inputs.parameters.patch}}'",  # not YAML until Argo fills it in
    "'[1, 2]'",  # not a mapping
    '\'{"containers": [{"name": "main", "$patch": "delete"}]}\'',  # a directive
    '\'{"$setElementOrder/containers": [{"name": "main"}]}\'',
    '\'{"containers": [{"name": "{{inputs.parameters.c}}", "image": "x"}]}\'',  # a container named at run time
    '\'{"containers": [{"image": "x"}]}\'',  # no merge key
    "'{\"a\": [1, 2'",  # not YAML at all
])
def test_a_patch_that_cannot_be_told_is_not_applied_and_hides_nothing(patch: str) -> None:
    """An unreadable patch must not be a way to hide a privileged container: the pod is judged as written."""
    (pod,) = _pods(_workflow(f"""      podSpecPatch: {patch}
      container: {{image: alpine:3.19, securityContext: {{privileged: true}}}}
"""))
    assert pod.unknown == () and pod.aliases == ()
    report = lint_text(_workflow(f"""      podSpecPatch: {patch}
      container: {{image: alpine:3.19, securityContext: {{privileged: true}}}}
"""), "wf.yaml", select=["privileged-container"])
    assert [(f.rule, f.path) for f in report.findings] == [
        ("privileged-container", ("spec", "templates", 0, "container", "securityContext", "privileged"))]


def test_an_unreadable_patch_leaves_the_other_patch_applied() -> None:
    (pod,) = _pods(_workflow(
        """      podSpecPatch: '{{inputs.parameters.patch}}'
      container: {image: alpine:3.19}
""",
        spec="""  podSpecPatch: '{"hostPID": true}'
"""))
    assert pod.spec["hostPID"] is True


def test_a_patch_from_the_template_defaults_is_led_to_the_defaults() -> None:
    text = _workflow("""      container: {image: alpine:3.19}
""", spec="""  templateDefaults:
    podSpecPatch: '{"hostPID": true}'
""")
    report = lint_text(text, "wf.yaml", select=["shared-host-namespace"])
    assert [(".".join(map(str, f.path)), f.line) for f in report.findings] == [
        ("spec.templateDefaults.podSpecPatch.hostPID", 7)]


def test_keys_that_are_no_pod_spec_fields_are_dropped() -> None:
    # Argo reads the patched spec into the PodSpec type: "container" or "script" in a patch change nothing.
    (pod,) = _pods(_workflow("""      podSpecPatch: '{"container": {"securityContext": {"privileged": true}}}'
      container: {image: alpine:3.19}
"""))
    assert pod.spec["container"] == {"image": "alpine:3.19"} and not pod.unknown


def test_read_patch_is_bounded_like_a_file() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(9))
    assert read_patch(bomb) is None  # the loader's alias budget refuses it: not a patch guardlint can read
    assert read_patch("hostPID: true") == {"hostPID": True}
    assert read_patch("\ue000x") is None  # a private-use marker character: cannot be unmasked exactly
