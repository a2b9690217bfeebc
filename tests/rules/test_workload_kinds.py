"""Every container and pod rule applies to every kind in the pod-template table.

Each fail fixture that is a single Pod is re-wrapped into every workload kind of the table (core kinds
and CRDs), and the rule must report the same fields, at the corresponding paths inside the template.
Rules whose verdict depends on the kind of controller (for example probes, which run-to-completion
workloads do not need) carry the tag ``kind-aware`` and are exempt.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from guardlint.engine import lint_loaded
from guardlint.model.paths import FieldPath
from guardlint.model.workloads import DEFAULT_CONTAINERS, TemplateKind, WorkloadEntry, default_table, iter_pod_specs
from guardlint.source.loader import load_text
from tests.helpers import Fixture, iter_fixtures, registry, settings_for

TABLE = default_table()


def _single_pod(fx: Fixture) -> dict[str, Any] | None:
    try:
        docs = [d for d in yaml.safe_load_all(fx.text) if d is not None]
    except yaml.YAMLError:
        return None
    if len(docs) != 1 or not isinstance(docs[0], dict) or docs[0].get("kind") != "Pod":
        return None
    return docs[0]


def _build(pattern: FieldPath, leaf: Any, as_list: bool) -> Any:
    if not pattern:
        return leaf
    head, rest = pattern[0], pattern[1:]
    inner = _build(rest, leaf, as_list)
    if head == "*":
        return [inner] if as_list else {"Worker": inner}
    return {head: inner}


def _wrap(entry: WorkloadEntry, pod: dict[str, Any]) -> dict[str, Any] | None:
    template = entry.templates[0]
    meta = pod.get("metadata") or {}
    spec = copy.deepcopy(pod.get("spec") or {})
    if template.kind is TemplateKind.POD_TEMPLATE:
        leaf: Any = {"metadata": {k: v for k, v in meta.items() if k in ("labels", "annotations")}, "spec": spec}
    else:
        leaf = spec
    version = entry.versions[0] if entry.versions else "v1"
    api = f"{entry.group}/{version}" if entry.group else version
    for as_list in (True, False):
        body = _build(template.path, leaf, as_list)
        obj = {"apiVersion": api, "kind": entry.kind, "metadata": {"name": meta.get("name", "x")}}
        if template.path:
            obj.update(body)
        else:
            obj = {**obj, **body, "metadata": meta}
        return obj if as_list is False or _finds_pod(obj, entry) else _wrap_map(entry, leaf, meta, api)
    return None


def _wrap_map(entry: WorkloadEntry, leaf: Any, meta: dict[str, Any], api: str) -> dict[str, Any]:
    obj = {"apiVersion": api, "kind": entry.kind, "metadata": {"name": meta.get("name", "x")}}
    obj.update(_build(entry.templates[0].path, leaf, False))
    return obj


def _finds_pod(obj: dict[str, Any], entry: WorkloadEntry) -> bool:
    loaded = load_text(yaml.safe_dump(obj), "x.yaml")
    from guardlint.model.resource import resources_of

    return any(True for d in loaded.documents for r in resources_of(d) for _ in iter_pod_specs(r, TABLE))


def _relative(path: FieldPath, spec_path: FieldPath, meta_path: FieldPath | None) -> FieldPath | None:
    if path[: len(spec_path)] == spec_path:
        return ("spec", *path[len(spec_path):])
    if meta_path is not None and path[: len(meta_path)] == meta_path:
        return ("metadata", *path[len(meta_path):])
    return None


def _findings(text: str, rule: str, fx: Fixture) -> set[FieldPath]:
    plan = settings_for(fx.select, {fx.rule: fx.params} if fx.params else None, fx.kubernetes_version).plan
    report = lint_loaded([load_text(text, "x.yaml")], plan, raise_errors=True)
    out: set[FieldPath] = set()
    from guardlint.model.resource import resources_of

    loaded = load_text(text, "x.yaml")
    pods = [p for d in loaded.documents for r in resources_of(d) for p in iter_pod_specs(r, TABLE)]
    for f in report.active:
        if f.rule != rule:
            continue
        for p in pods:
            rel = _relative(f.path, p.path, p.metadata_path)
            if rel is not None:
                out.add(rel)
                break
        else:
            out.add(("<outside the pod>", *f.path))
    return out


CASES = []
for _fx in iter_fixtures():
    if _fx.verdict != "fail" or _fx.select != [_fx.rule]:
        continue
    _rule = registry().get(_fx.rule)
    if _rule is None or "kind-aware" in _rule.meta.tags or _rule.meta.kinds is not None or _rule.meta.engine:
        continue
    if _single_pod(_fx) is not None:
        CASES.append(_fx)
# Rows whose first template keeps containers where a PodSpec does (Argo Workflows templates do not), and
# holds the pod as written (rows that embed a whole object, like Katib's, or whose pods a builder makes from
# operator fields, like Tekton's and Flink's, have their own fixtures under tests/fixtures/workloads/).
ENTRIES = [
    e for e in TABLE.entries
    if e.kind != "Pod" and e.templates and e.templates[0].containers == DEFAULT_CONTAINERS
    and e.templates[0].build is None and e.templates[0].kind is not TemplateKind.OBJECT
]


@pytest.mark.parametrize("fx", CASES, ids=[f.id for f in CASES])
@pytest.mark.parametrize("entry", ENTRIES, ids=[f"{e.group or 'core'}.{e.kind}" for e in ENTRIES])
def test_rule_applies_inside_every_workload_kind(fx: Fixture, entry: WorkloadEntry) -> None:
    pod = _single_pod(fx)
    assert pod is not None
    expected = _findings(fx.text, fx.rule, fx)
    wrapped = _wrap(entry, pod)
    assert wrapped is not None
    text = yaml.safe_dump(wrapped, sort_keys=False)
    got = _findings(text, fx.rule, fx)
    if entry.templates[0].kind is TemplateKind.POD_SPEC:
        expected = {p for p in expected if p[0] != "metadata"}
        got = {p for p in got if p[0] != "metadata"}
    assert got == expected, f"{fx.rule} in a {entry.kind}:\n{text}"
