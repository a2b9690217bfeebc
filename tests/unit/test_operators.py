"""Pods made by the builders of operator rows: sizes converted the way the operators read them, and finding
paths led back to the fields that were written."""

from __future__ import annotations

import pytest

from guardlint.model.operators import _flink_memory, spark_mebibytes
from guardlint.model.resource import resources_of
from guardlint.model.workloads import default_table, iter_pod_specs
from guardlint.source.loader import load_text

TABLE = default_table()


@pytest.mark.parametrize(("text", "mib"), [
    ("512m", 512.0), ("2g", 2048.0), ("2G", 2048.0), ("1024", 1024.0), (1024, 1024.0), ("2048k", 2.0),
    ("1t", 1024.0 * 1024), ("1gb", 1024.0), ("lots", None), ("-1g", None), (True, None),
])
def test_spark_sizes_are_jvm_sizes(text: object, mib: float | None) -> None:
    assert spark_mebibytes(text) == mib


@pytest.mark.parametrize(("text", "quantity"), [
    ("2048m", "2048Mi"), ("1g", "1Gi"), ("1.5g", "1.5Gi"), ("4096 mb", "4096Mi"), ("2Gi", "2Gi"), (2, 2),
])
def test_flink_sizes_are_jvm_sizes(text: object, quantity: object) -> None:
    assert _flink_memory(text) == quantity


def _pods(text: str) -> list[dict[str, object]]:
    (doc,) = load_text(text, "x.yaml").documents
    (r,) = resources_of(doc)
    return [dict(p.spec) for p in iter_pod_specs(r, TABLE)]


def test_spark_memory_is_memory_plus_overhead() -> None:
    driver, executor = _pods("""apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {name: s}
spec:
  type: Python
  driver: {memory: 2g, memoryOverhead: 512m}
  executor: {memory: 16g}
""")
    main = driver["containers"][0]  # type: ignore[index]
    assert main["resources"] == {"requests": {"cpu": 1, "memory": "2560Mi"}, "limits": {"memory": "2560Mi"}}
    # Python jobs: overhead factor 0.4 (16384 MiB * 1.4, rounded up)
    assert executor["containers"][0]["resources"]["requests"]["memory"] == "22938Mi"  # type: ignore[index]


def test_paths_lead_back_to_the_written_fields() -> None:
    text = """apiVersion: tekton.dev/v1
kind: Task
metadata: {name: t}
spec:
  stepTemplate:
    securityContext: {runAsNonRoot: true}
  steps:
    - name: a
      image: a:1
"""
    (doc,) = load_text(text, "x.yaml").documents
    (r,) = resources_of(doc)
    view = TABLE.for_run()
    assert view.written_path(r, ("spec", "steps", 0, "resources", "requests")) == (
        "spec", "steps", 0, "computeResources", "requests")
    assert view.written_path(r, ("spec", "steps", 0, "securityContext", "runAsNonRoot")) == (
        "spec", "stepTemplate", "securityContext", "runAsNonRoot")
    assert view.written_path(r, ("spec", "steps", 0, "image")) == ("spec", "steps", 0, "image")
    assert view.written_path(r, ("spec", "tolerations")) is None  # a Task holds no pod-level fields
    assert view.written_path(r, ("spec", "volumes", 0)) == ("spec", "volumes", 0)


def test_the_builders_module_loads_only_when_an_operator_object_is_linted() -> None:
    import subprocess
    import sys

    pod = "apiVersion: v1\\nkind: Pod\\nmetadata: {name: a}\\nspec:\\n  containers: [{name: a, image: a:1}]\\n"
    task = "apiVersion: tekton.dev/v1\\nkind: Task\\nmetadata: {name: t}\\nspec:\\n  steps: [{name: a, image: a:1}]\\n"
    code = (
        "import sys\n"
        "from guardlint.api import lint_text\n"
        f"lint_text('{pod}')\n"
        "print('guardlint.model.operators' in sys.modules)\n"
        f"lint_text('{task}')\n"
        "print('guardlint.model.operators' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True"]
