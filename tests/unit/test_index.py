"""The run-wide index: lookups cost what they return, and no rule scans a kind per object.

Work is counted, not timed: every object the index hands out and every selector evaluated against a pod template
is counted on a run of N generated application units and on one of 4N; linear rules do about 4 times the work.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from guardlint.api import resolve_settings, run
from guardlint.model import selection
from guardlint.model.index import ResourceIndex, same_namespace
from guardlint.model.resource import Resource, resources_of
from guardlint.source.loader import load_text

ROOT = Path(__file__).resolve().parents[2]


def _write_units(out: Path, units: int) -> int:
    spec = importlib.util.spec_from_file_location("gen_scale", ROOT / "scripts" / "gen_scale.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    count: int = module.write_units(out, units, namespaces=4, folders=6)
    return count


def _work(tmp_path: Path, units: int, monkeypatch: pytest.MonkeyPatch) -> int:
    counter = {"n": 0}
    of_kind = ResourceIndex.of_kind

    def counting_of_kind(self: ResourceIndex, *args: Any, **kwargs: Any) -> Iterator[Any]:
        items = list(of_kind(self, *args, **kwargs))
        counter["n"] += len(items) + 1
        return iter(items)

    def counted(fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counter["n"] += 1
            return fn(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(ResourceIndex, "of_kind", counting_of_kind)
    monkeypatch.setattr(selection, "match_labels", counted(selection.match_labels))
    monkeypatch.setattr(selection, "label_selector_matches", counted(selection.label_selector_matches))
    monkeypatch.setattr(ResourceIndex, "same_tree", counted(ResourceIndex.same_tree))
    monkeypatch.setattr(ResourceIndex, "related", counted(ResourceIndex.related))  # candidates tried one by one
    out = tmp_path / f"u{units}"
    _write_units(out, units)
    report = run([str(out)], resolve_settings(use_config_file=False, select=["all"]))
    assert report.resources > 0
    monkeypatch.undo()
    return counter["n"]


def test_cross_object_work_grows_linearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small = _work(tmp_path, 24, monkeypatch)
    large = _work(tmp_path, 96, monkeypatch)
    # Four times the objects: a linear run does about four times the work; a per-object scan of a kind, 16.
    assert large <= 4 * small * 1.3, (small, large)


def _resources(files: dict[str, str]) -> tuple[Resource, ...]:
    return tuple(r for name, text in files.items() for doc in load_text(text, name).documents
                 for r in resources_of(doc))


def test_tree_sets_answer_as_same_tree_does() -> None:
    files = {
        "a/x/one.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one, namespace: team}\n",
        "a/two.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: two}\n",
        "b/three.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: three, namespace: other}\n",
        "b-sibling/four.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: four}\n",
        "top.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: five}\n",
        "k/base/six.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: six, namespace: team}\n",
        "k/overlay/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                                        "resources: [../base]\n",
        "k/overlay/seven.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: seven, namespace: team}\n",
        "ctx/eight.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: eight}\n",
    }
    resources = _resources(files)
    index = ResourceIndex(resources, shared_files=frozenset({"ctx/eight.yaml"}))
    for kind in ("ConfigMap", "Secret", "Kustomization"):
        for referrer in resources:
            for namespace in (None, "team", "other"):
                scan = [r for r in resources if r.kind == kind and same_namespace(r.namespace, namespace)
                        and index.same_tree(referrer, r)]
                got = index.kind_tree(kind).related(referrer, namespace)
                assert [id(r) for r in got] == [id(r) for r in scan], (kind, referrer.name, namespace)
                assert index.kind_tree(kind).any_related(referrer, namespace) == bool(scan)
                strict = [r for r in resources if r.kind == kind and r.namespace == namespace
                          and index.covers(referrer, r)]
                got = index.kind_tree(kind).related(referrer, namespace, strict=True)
                assert [id(r) for r in got] == [id(r) for r in strict], (kind, referrer.name, namespace, "strict")


def test_lookups_match_a_full_scan() -> None:
    text = "".join(
        f"---\napiVersion: v1\nkind: {kind}\nmetadata: {{name: n{i % 3}{ns}}}\n"
        for i, kind in enumerate(("ConfigMap", "Secret", "ConfigMap", "Service") * 3)
        for ns in ("", ", namespace: a", ", namespace: b")
    )
    resources = _resources({"x/all.yaml": text})
    index = ResourceIndex(resources)
    for kind in {r.kind for r in resources}:
        for namespace in (None, "a", "b", "missing"):
            scan = [r for r in resources if r.kind == kind and same_namespace(r.namespace, namespace)]
            assert [id(r) for r in index.of_kind(kind, namespace)] == [id(r) for r in scan]
            exact = [r for r in resources if r.kind == kind and r.namespace == namespace]
            assert [id(r) for r in index.in_namespace(kind, namespace)] == [id(r) for r in exact]
        for r in resources:
            if r.kind == kind and r.name:
                first = next(o for o in resources if o.kind == kind and o.name == r.name
                             and same_namespace(o.namespace, r.namespace))
                assert index.find(kind, r.name, r.namespace) is first


def _related_calls(tmp_path: Path, units: int, monkeypatch: pytest.MonkeyPatch, rule: str) -> int:
    calls = [0]
    related = ResourceIndex.related

    def counted(self: ResourceIndex, *args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return related(self, *args, **kwargs)

    monkeypatch.setattr(ResourceIndex, "related", counted)
    out = tmp_path / f"r{units}"
    _write_units(out, units)
    run([str(out)], resolve_settings(use_config_file=False, select=[rule]))
    monkeypatch.undo()
    return calls[0]


@pytest.mark.parametrize("rule", ["network-policy-peer-selects-no-pods", "network-policy-selects-no-pods"])
def test_a_selector_of_many_templates_tries_few_candidates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rule: str
) -> None:
    """Each unit's NetworkPolicy admits traffic from the pods of its team (``team: tN``, a label the templates of
    a fifth of all workloads carry): asking whether such a selector matches any pod of the referrer's namespace
    and tree tries a few candidates, not every template with the label (that grew as the square of the units:
    77 s of 114 s of rule time at 50,688 objects)."""
    small = _related_calls(tmp_path, 24, monkeypatch, rule)
    large = _related_calls(tmp_path, 96, monkeypatch, rule)
    assert large <= 4 * small * 1.3, (small, large)
