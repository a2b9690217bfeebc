"""A lint run's state lives on the run: nothing of a run outlives it through reused settings."""

from __future__ import annotations

import gc

import guardlint
from guardlint.model.resource import Resource
from tests.helpers import default_settings

POD = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web-%d}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - {name: web, image: "nginx:1.27", securityContext: {privileged: true}}
"""


def _live_resources(file: str) -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, Resource) and o.file == file)


def test_reused_settings_keep_no_object_of_a_finished_run() -> None:
    from guardlint.engine import lint_loaded
    from guardlint.source.loader import load_text

    settings = default_settings()
    text = "---\n".join(POD % i for i in range(50))
    report = lint_loaded([load_text(text, "kept.yaml")], settings.plan)
    assert any(f.rule == "privileged-container" for f in report.active)
    assert settings.plan.workloads._pods is None  # the configuration's table holds no per-run memo
    del report
    assert _live_resources("kept.yaml") == 0
    # and a second run with the same settings gives the same findings
    again = lint_loaded([load_text(text, "kept.yaml")], settings.plan)
    assert len(again.active) == len(lint_loaded([load_text(text, "kept.yaml")], settings.plan).active)


def test_a_run_view_of_the_table_memoises_pod_specs() -> None:
    from guardlint.source.loader import load_text

    table = default_settings().plan.workloads
    (resource,) = [r for d in load_text(POD % 1, "x.yaml").documents for r in guardlint.model.resource.resources_of(d)]
    view = table.for_run()
    assert view == table
    assert view.pods_of(resource) is view.pods_of(resource)
    assert table.pods_of(resource) == view.pods_of(resource)
    assert table._pods is None


def test_core_rules_are_known_by_member() -> None:
    """Each member of ``Core`` names a core rule module's ``RULE``, and every rule the engine emits is a member."""
    from guardlint.rules.core import Core
    from guardlint.rules.packs import pack_rules

    engine = {r.name for r in pack_rules("core") if r.info.engine}
    assert {c.value for c in Core} == engine
