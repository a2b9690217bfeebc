"""The run's partial-pod-template warning skips the objects whose shape walk (the rules' pods, ``pods_of``) met no
mapping with a ``containers`` key (``WorkloadTable.walked_bare``): that walk visits what the warning's walk visits,
so the warning's walk would find nothing there. Compared with the warning worked out for every object."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guardlint.engine import Run, lint_loaded
from guardlint.model import embedded
from guardlint.model.embedded import MAX_DEPTH, partial_pod_templates, shape_walk
from guardlint.model.workloads import WorkloadTable
from guardlint.source.loader import load_text
from tests.helpers import iter_fixtures, settings_for

_PLAN = settings_for(["privileged-container"]).plan


def _run(text: str, name: str = "x.yaml") -> Run:
    return Run([load_text(text, name, nodes=False)], _PLAN)


def _check_object_by_object(run: Run) -> int:
    """For every object: a bare shape walk means no partial template. Returns how many were bare."""
    table = run.ctx.workloads
    bare = 0
    for r in run.resources:
        table.pods_of(r)
        if table.walked_bare(r):
            bare += 1
            assert partial_pod_templates(r, table) == [], r.display()
            assert table.entry_for(r) is None and table.may_embed(r)
    return bare


def test_every_fixture_object() -> None:
    bare = 0
    for fx in iter_fixtures():
        bare += _check_object_by_object(_run(fx.text, fx.path.name))
    assert bare > 50


def test_the_walk_says_what_it_met() -> None:
    table = _PLAN.workloads.for_run()
    cases = {
        "spec: {a: {b: [1, {c: 2}]}}": False,
        "spec: {containers: [{name: a, image: b}]}": True,  # a pod spec
        "spec: {containers: [{name: a}]}": True,  # a partial template
        "spec: {x: {containers: null}}": True,  # the key alone counts
        "status: {containers: [{name: a}]}": False,  # a key both walks skip
        "spec: {job: {apiVersion: batch/v1, kind: Job, spec: {template: {spec: {containers: [{name: a}]}}}}}": False,
    }
    for body, met in cases.items():
        r = _run(f"apiVersion: example.com/v1\nkind: Thing\nmetadata: {{name: t}}\n{body}\n").resources[0]
        assert shape_walk(r, table)[1] is met, body
    r = _run("apiVersion: kyverno.io/v1\nkind: Policy\nmetadata: {name: p}\nspec: {}\n").resources[0]
    assert shape_walk(r, table) == ([], None)  # refused: no walk, nothing proved
    deep = "spec: " + "{a: " * (MAX_DEPTH + 1) + "{containers: [{name: a}]}" + "}" * (MAX_DEPTH + 1)
    r = _run(f"apiVersion: example.com/v1\nkind: Thing\nmetadata: {{name: t}}\n{deep}\n").resources[0]
    assert shape_walk(r, table)[1] is False and partial_pod_templates(r, table) == []  # beyond both bounds


_KEYS = st.sampled_from(["spec", "template", "containers", "status", "data", "items", "x", "apiVersion", "kind",
                         "metadata", "podTemplate"])
_LEAF = st.one_of(st.sampled_from([None, 1, "s", "apps/v1", "Deployment", "example.com/v1", "Thing"]),
                  st.just({"name": "a"}), st.just({"name": "a", "image": "b"}))
_TREE = st.recursive(_LEAF, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                    st.dictionaries(_KEYS, inner, max_size=4)), max_leaves=25)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=_TREE)
def test_generated_objects(spec: Any) -> None:
    import yaml

    text = yaml.safe_dump({"apiVersion": "example.com/v1", "kind": "Thing", "metadata": {"name": "t"}, "spec": spec})
    _check_object_by_object(_run(text))


def _warning(text: str) -> tuple[str, ...]:
    return lint_loaded([load_text(text, "x.yaml")], _PLAN, raise_errors=True).warnings


def test_the_warning_is_the_same_and_the_second_walk_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    bare = "apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t%d}\nspec: {a: {b: [1, 2]}}\n"
    partial = ("apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: p}\n"
               "spec: {template: {spec: {containers: [{name: a}]}}}\n")
    text = "---\n".join([*(bare % i for i in range(4)), partial])
    walked: list[str] = []
    real = embedded.partial_pod_templates

    def counting(resource: Any, table: WorkloadTable) -> Any:
        walked.append(resource.name)
        return real(resource, table)

    monkeypatch.setattr(embedded, "partial_pod_templates", counting)
    with_skip = _warning(text)
    assert walked == ["p"] and len(with_skip) == 1 and "partial pod template" in with_skip[0]
    walked.clear()
    monkeypatch.setattr(WorkloadTable, "walked_bare", lambda self, resource: False)
    assert _warning(text) == with_skip
    assert walked == ["t0", "t1", "t2", "t3", "p"]
