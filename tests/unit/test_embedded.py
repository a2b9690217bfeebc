"""Pod specs found by their shape in custom resources the pod-template table does not list, the places that
are never read as pods, the configuration switch, and objects with a kind but no apiVersion (or the reverse)."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardlint.engine import lint_loaded
from guardlint.model.paths import to_dotted
from guardlint.model.resource import resources_of
from guardlint.model.workloads import default_table, iter_all_containers, iter_pod_specs
from guardlint.source.loader import load_text
from tests.helpers import settings_for

TABLE = default_table()

CONTAINER = """- name: app
  image: example.com/app:latest
  securityContext:
    privileged: true
"""


def _indent(text: str, spaces: int) -> str:
    return "".join(" " * spaces + line + "\n" if line else "\n" for line in text.splitlines())


def _containers(text: str, table: object = TABLE) -> list[str]:
    out: list[str] = []
    for doc in load_text(text, "x.yaml").documents:
        for r in resources_of(doc):
            out.extend(to_dotted(c.path) for c in iter_all_containers(r, table))  # type: ignore[arg-type]
    return out


def _lint(text: str, rules: list[str], **extra: object) -> list[tuple[int, str, str]]:
    plan = settings_for(rules, extra=extra or None).plan
    report = lint_loaded([load_text(text, "x.yaml")], plan, raise_errors=True)
    return [(f.location.line, f.rule, to_dotted(f.path)) for f in report.active]


UNKNOWN = """apiVersion: sandbox.example.com/v1
kind: WarmPool
metadata:
  name: pool
spec:
  replicas: 2
  podTemplate:
    metadata:
      labels: {app: pool}
    spec:
      containers:
""" + _indent(CONTAINER, 8)


def test_an_unknown_kind_is_linted_with_every_pod_rule_at_the_real_path() -> None:
    assert _containers(UNKNOWN) == ["spec.podTemplate.spec.containers[0]"]
    (doc,) = load_text(UNKNOWN, "x.yaml").documents
    (r,) = resources_of(doc)
    (pod,) = iter_pod_specs(r, TABLE)
    assert pod.metadata_path == ("spec", "podTemplate", "metadata") and pod.labels == {"app": "pool"}
    found = _lint(UNKNOWN, ["privileged-container", "unpinned-image"])
    assert sorted(found) == [
        (13, "unpinned-image", "spec.podTemplate.spec.containers[0].image"),
        (15, "privileged-container", "spec.podTemplate.spec.containers[0].securityContext.privileged"),
    ]


def test_the_configuration_turns_detection_off() -> None:
    assert _lint(UNKNOWN, ["privileged-container"], detect_embedded_pod_specs=False) == []
    assert _containers(UNKNOWN, TABLE.with_detection(False)) == []


def test_the_switch_is_read_and_validated_from_the_config_file(tmp_path: Path) -> None:
    from guardlint.api import resolve_settings
    from guardlint.errors import GuardlintError

    (tmp_path / "m.yaml").write_text(UNKNOWN, encoding="utf-8")
    cfg = tmp_path / ".guardlint.yaml"
    cfg.write_text("detect-embedded-pod-specs: false\n", encoding="utf-8")
    settings = resolve_settings(config=cfg, entry_points=False)
    assert settings.plan.workloads.detect_embedded is False
    cfg.write_text("detect-embedded-pod-specs: 'no'\n", encoding="utf-8")
    with pytest.raises(GuardlintError) as info:
        resolve_settings(config=cfg, entry_points=False)
    assert "detect-embedded-pod-specs" in str(info.value) and ":1:" in str(info.value)


def test_a_pod_spec_at_any_depth_and_in_lists() -> None:
    text = """apiVersion: batch.example.com/v1
kind: Pipeline
metadata:
  name: p
spec:
  stages:
    - name: one
      runner:
        podSpec:
          containers:
""" + _indent(CONTAINER, 12)
    assert _containers(text) == ["spec.stages[0].runner.podSpec.containers[0]"]


@pytest.mark.parametrize("text", [
    # observed state
    """apiVersion: x.example.com/v1
kind: Thing
metadata: {name: t}
status:
  pod:
    containers: [{name: a, image: a:1}]
""",
    # a CustomResourceDefinition's schema (and its example values)
    """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: things.x.example.com}
spec:
  versions:
    - name: v1
      schema:
        openAPIV3Schema:
          example:
            containers: [{name: a, image: a:1}]
""",
    # a schema inside an unknown kind
    """apiVersion: x.example.com/v1
kind: Definition
metadata: {name: d}
spec:
  schema:
    openAPIV3Schema:
      default: {containers: [{name: a, image: a:1}]}
""",
    # text carried as data
    """apiVersion: v1
kind: ConfigMap
metadata: {name: c}
data:
  pod: '{"containers": [{"name": "a", "image": "a:1"}]}'
""",
    # container patches merged into the operator's own containers
    """apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: p}
spec:
  containers: [{name: prometheus, image: quay.io/prometheus/prometheus:latest}]
""",
    # a policy pattern that matches containers
    """apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: no-latest}
spec:
  rules:
    - name: tag
      validate:
        pattern:
          spec:
            containers: [{name: "*", image: "!*:latest"}]
""",
    # matching criteria of an allowlist
    """apiVersion: auto.gke.io/v1
kind: WorkloadAllowlist
metadata: {name: a}
matchingCriteria:
  containers: [{name: a, image: a:latest}]
""",
    # a fragment: an item without an image
    """apiVersion: x.example.com/v1
kind: Thing
metadata: {name: t}
spec:
  containers: [{name: a, image: a:1}, {name: b}]
""",
])
def test_places_that_are_not_pods(text: str) -> None:
    assert _containers(text) == []


def test_an_embedded_object_of_a_known_kind_is_read_through_its_row() -> None:
    text = """apiVersion: workload.codeflare.dev/v1beta2
kind: AppWrapper
metadata:
  name: aw
spec:
  components:
    - template:
        apiVersion: kubeflow.org/v1
        kind: PyTorchJob
        metadata: {name: job}
        spec:
          pytorchReplicaSpecs:
            Worker:
              replicas: 2
              template:
                spec:
                  containers:
                    - name: pytorch
                      image: example.com/train:1.0.0
"""
    assert _containers(text) == [
        "spec.components[0].template.spec.pytorchReplicaSpecs.Worker.template.spec.containers[0]"
    ]
    (doc,) = load_text(text, "x.yaml").documents
    (r,) = resources_of(doc)
    (pod,) = iter_pod_specs(r, TABLE)
    assert pod.entry.kind == "AppWrapper" and pod.entry.batch  # the embedded PyTorchJob runs to completion
    assert _lint(text, ["missing-liveness-probe"]) == []


def test_the_walk_is_bounded_in_depth() -> None:
    body = "containers: [{name: a, image: a:1}]"
    for i in range(20):
        body = f"k{i}:\n" + _indent(body, 2)
    text = "apiVersion: x.example.com/v1\nkind: Deep\nmetadata: {name: d}\nspec:\n" + _indent(body, 2)
    assert _containers(text) == []


def test_katib_trial_template_recursion_is_bounded() -> None:
    inner = ("apiVersion: batch/v1\nkind: Job\nspec:\n  template:\n    spec:\n"
             "      containers: [{name: a, image: a:1}]\n")
    for _ in range(5):
        inner = ("apiVersion: kubeflow.org/v1beta1\nkind: Experiment\nspec:\n  trialTemplate:\n    trialSpec:\n"
                 + _indent(inner, 6))
    text = inner.replace("kind: Experiment\n", "kind: Experiment\nmetadata: {name: e}\n", 1)
    assert _containers(text) == []  # five levels deep: past MAX_NESTING


# --- kind without apiVersion, apiVersion without kind ---------------------------------------------------------


def _errors(text: str) -> list[tuple[str, int, int, str]]:
    plan = settings_for(["privileged-container"]).plan
    report = lint_loaded([load_text(text, "x.yaml")], plan, raise_errors=True)
    return [(e.kind.slug, e.line, e.column, e.message) for e in report.errors]


def test_an_object_with_a_kind_and_no_api_version_is_an_input_error() -> None:
    text = "# a comment\nkind: Deployment\nmetadata:\n  name: web\nspec: {}\n"
    assert _errors(text) == [("incomplete-object", 2, 1, (
        "object of kind 'Deployment' has no apiVersion: the API server and kubectl reject it, so it was not linted"
    ))]
    text = "metadata:\n  name: cfg\n  namespace: app\napiVersion: v1\ndata: {a: b}\n"
    ((slug, line, _, message),) = _errors(text)
    assert (slug, line) == ("incomplete-object", 4) and "apiVersion 'v1' has no kind" in message
    text = "apiVersion: v1\nkind: List\nitems:\n  - kind: ConfigMap\n    metadata: {name: a}\n"
    ((slug, line, _, message),) = _errors(text)
    assert (slug, line) == ("incomplete-object", 4) and "item 0 of the list" in message


@pytest.mark.parametrize("text", [
    "apiVersion: v2\nname: mychart\nversion: 1.0.0\ndescription: A Helm chart\n",  # Chart.yaml
    "kind: DaemonSet\nimage:\n  repository: fluent/fluent-bit\n",  # a chart's values
    "kind: Kustomization\nmetadata: {name: base}\nresources: [deploy.yaml]\n",  # kustomize accepts it
    "version: '3'\nservices:\n  web:\n    image: nginx\n",  # docker compose
    "name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n",  # a GitHub workflow
    "apiVersion: v1\nentries: {}\ngenerated: '2024-01-01T00:00:00Z'\n",  # a Helm repository index
])
def test_documents_that_are_not_meant_for_kubernetes_are_not_errors(text: str) -> None:
    assert _errors(text) == []


# --- partial pod templates: said, not passed over in silence -------------------------------------------------

ECK = """apiVersion: elasticsearch.k8s.elastic.co/v1
kind: Elasticsearch
metadata: {name: es, namespace: logs}
spec:
  nodeSets:
    - name: default
      podTemplate:
        spec:
          containers:
            - name: elasticsearch
              resources: {limits: {memory: 2Gi}}
"""
POOLER = """apiVersion: postgresql.cnpg.io/v1
kind: Pooler
metadata: {name: pool}
spec:
  template:
    spec:
      containers: [{name: pgbouncer}, {name: side, image: example.com/side:1.0}]
"""
NOT_PARTIAL = [
    UNKNOWN,  # a full pod spec: read as a pod
    ("apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: p}\nspec:\n  rules:\n"
     "    - {validate: {pattern: {spec: {containers: [{name: '*'}]}}}}\n"),  # a policy engine's pattern
    "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a}]\n",  # the table's kind
    "apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t}\nspec:\n  containers: [{image: x}]\n",  # no name
    "apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t}\nstatus:\n  containers: [{name: a}]\n",
]


def _warnings(text: str, **extra: object) -> tuple[str, ...]:
    plan = settings_for(["privileged-container"], extra=extra or None).plan
    return lint_loaded([load_text(text, "x.yaml")], plan, raise_errors=True).warnings


def test_a_partial_pod_template_is_named_in_a_warning() -> None:
    [warning] = _warnings(ECK + "---\n" + POOLER)
    assert warning.startswith("pod rules did not check 2 partial pod templates (containers without an image, "
                              "which the object's operator completes; guardlint cannot tell what it adds): ")
    assert ("Elasticsearch logs/es at x.yaml:9 (spec.nodeSets[0].podTemplate.spec.containers); "
            "Pooler pool at x.yaml:19 (spec.template.spec.containers). The objects' other fields") in warning


@pytest.mark.parametrize("text", NOT_PARTIAL)
def test_what_is_not_a_partial_pod_template_gets_no_warning(text: str) -> None:
    assert _warnings(text) == ()


def test_no_warning_without_detection_or_pod_rules() -> None:
    assert _warnings(ECK, detect_embedded_pod_specs=False) == ()
    plan = settings_for(["duplicate-key"]).plan
    assert lint_loaded([load_text(ECK, "x.yaml")], plan, raise_errors=True).warnings == ()


def test_many_partial_templates_are_counted_and_three_named() -> None:
    many = "---\n".join(ECK.replace("name: es,", f"name: es{i},") for i in range(5))
    [warning] = _warnings(many)
    assert "did not check 5 partial pod templates" in warning and warning.count(" at x.yaml:") == 3
    assert "; and 2 more. The objects' other fields were checked." in warning


@pytest.mark.parametrize("api_version", [
    "v1", "apps/v1", "batch/v1", "policy/v1", "autoscaling/v2", "extensions/v1beta1", "networking.k8s.io/v1",
    "k8s.io/v1", "resource.k8s.io/v1beta1", "apps.openshift.io/v1", "sandbox.example.com/v1", "example.k8s.io.evil/v1",
])
def test_the_table_skips_detection_exactly_where_the_detection_finds_nothing(api_version: str) -> None:
    """``WorkloadTable.may_embed`` (which spares importing the detection for Kubernetes' own kinds) is False
    only where ``embedded_pod_specs`` and ``partial_pod_templates`` find nothing, whatever the object holds."""
    from guardlint.model.embedded import detection_applies, embedded_pod_specs, partial_pod_templates

    partial = "- name: app\n"  # a container without an image: a partial pod template
    for body in (CONTAINER, partial):
        text = (f"apiVersion: {api_version}\nkind: WarmPool\nmetadata:\n  name: p\nspec:\n  podTemplate:\n"
                f"    spec:\n      containers:\n{_indent(body, 8)}")
        (doc,) = load_text(text, "x.yaml").documents
        (r,) = resources_of(doc)
        assert TABLE.entry_for(r) is None
        assert TABLE.may_embed(r) == detection_applies(r)
        if not TABLE.may_embed(r):
            assert list(embedded_pod_specs(r, TABLE)) == [] and partial_pod_templates(r, TABLE) == []
        elif body is CONTAINER:
            assert list(embedded_pod_specs(r, TABLE))  # found by its shape
        else:
            assert partial_pod_templates(r, TABLE)  # reported as partial
        assert not TABLE.with_detection(False).may_embed(r)
