"""Hostile input costs work linear in its size: duplicated keys, objects with a duplicate each, long lines,
deep nesting, many documents, huge flow collections, many suppression comments, many anchors. Work is
counted (calls, keys visited), never timed."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from types import FrameType
from typing import Any

import pytest

from guardlint.api import resolve_settings
from guardlint.engine import Run
from guardlint.model.resource import Resource
from guardlint.rules.core import duplicate_key
from guardlint.source import loader
from guardlint.source.loader import load_text


def _duplicated(n: int) -> str:
    """A mapping of ``n`` keys, each written twice (the second time after all the first ones)."""
    return "".join(f"k{i}: {i}\n" for i in range(n)) + "".join(f"k{i}: again\n" for i in range(n))


class _CCalls:
    """Counts the calls of C functions and methods by name while active (``sys.setprofile``)."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}

    def __call__(self, frame: FrameType, event: str, arg: Any) -> None:
        if event == "c_call":
            name = getattr(arg, "__name__", "?")
            self.calls[name] = self.calls.get(name, 0) + 1

    def __enter__(self) -> _CCalls:
        sys.setprofile(self)
        return self

    def __exit__(self, *exc: object) -> None:
        sys.setprofile(None)


def test_20000_duplicated_keys_load_in_linear_work(monkeypatch: pytest.MonkeyPatch) -> None:
    n = 20_000
    tables = 0
    real = loader._first_lines

    def counting(pairs: Any) -> dict[str, int]:
        nonlocal tables
        tables += 1
        return real(pairs)

    monkeypatch.setattr(loader, "_first_lines", counting)
    with _CCalls() as profile:
        doc = load_text(_duplicated(n), "dups.yaml", nodes=False).documents[0]
    # One table of first lines for the mapping, not a scan of its keys per duplicate (list(out).index before:
    # n * n / 2 keys visited).
    assert tables == 1
    assert profile.calls.get("index", 0) == 0
    assert len(doc.duplicate_keys) == n
    assert [(d.path, d.line, d.column, d.first_line) for d in doc.duplicate_keys[:2]] == [
        (("k0",), n + 1, 1, 1), (("k1",), n + 2, 1, 2)]
    assert doc.duplicate_keys[-1].first_line == n
    assert doc.data["k0"] == "again" and len(doc.data) == n  # the last value wins, as Kubernetes keeps it
    # The position map still places each key at its first occurrence's slot: the value is the last one's.
    location, exists = doc.locate((f"k{n - 1}",), at_value=True)
    assert exists and location.line == 2 * n


class _CountingList(list[Resource]):
    """The objects of a document, counting the ones iterated over."""

    visited = 0

    def __iter__(self) -> Iterator[Resource]:
        for r in super().__iter__():
            type(self).visited += 1
            yield r


def test_a_list_of_objects_with_a_duplicate_key_each_is_reported_in_linear_work() -> None:
    n = 3_000
    items = "".join(f"  - {{apiVersion: v1, kind: ConfigMap, metadata: {{name: c{i}, name: d{i}}}}}\n"
                    for i in range(n))
    loaded = load_text("apiVersion: v1\nkind: List\nitems:\n" + items, "list.yaml", nodes=False)
    (doc,) = loaded.documents
    assert len(doc.duplicate_keys) == n
    settings = resolve_settings(use_config_file=False, select=("duplicate-key",))
    run = Run([loaded], settings.plan)
    owned = _CountingList(run.resources_by_doc[doc])
    assert len(owned) == n
    run.resources_by_doc[doc] = owned
    active = run.active("duplicate-key")
    assert active is not None
    _CountingList.visited = 0
    duplicate_key.emit(run, active)
    assert _CountingList.visited <= n  # one pass to index them (n * n / 2 objects visited before)
    found = [f for f, _ in run.findings]
    assert len(found) == n
    assert [(f.resource.name if f.resource else None, f.path, f.line) for f in found[:2]] == [
        ("d0", ("metadata", "name"), 4), ("d1", ("metadata", "name"), 5)]


def test_many_exemptions_for_other_rules_cost_linear_work(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A configuration (untrusted) with E exemptions and a repository with N findings of other rules: each
    finding is tried only against the exemptions naming its rule (or none), not all E (N * E before)."""
    import json

    from guardlint import suppress
    from guardlint.cli import main

    n, e = 400, 1_000
    pods = "---\n".join(
        f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}\nspec:\n  containers:\n    - name: a\n"
        "      image: nginx:1.27\n      securityContext: {privileged: true}\n" for i in range(n))
    (tmp_path / "pods.yaml").write_text(pods)
    exemptions = "".join(f"  - {{reason: r{i}, rules: [host-port], names: [x{i}]}}\n" for i in range(e))
    (tmp_path / ".guardlint.yaml").write_text(
        "select: [privileged-container, host-port]\nexemptions:\n" + exemptions
        + "  - {reason: kept, rules: [SEC003], names: [p7]}\n  - {reason: any rule, names: [p9]}\n")
    monkeypatch.chdir(tmp_path)
    calls = 0
    real = suppress._exempt

    def counting(*args: Any) -> bool:
        nonlocal calls
        calls += 1
        return real(*args)

    monkeypatch.setattr(suppress, "_exempt", counting)
    import io

    out, err = io.StringIO(), io.StringIO()
    assert main(["check", "pods.yaml", "--format", "json", "--fail-on", "never"], out=out, err=err) == 0, err.getvalue()
    report = json.loads(out.getvalue())
    quiet = sorted((f["resource"]["name"], f["suppressionReason"]) for f in report["findings"] if f["suppressed"])
    assert quiet == [("p7", "exemption: kept"), ("p9", "exemption: any rule")]
    assert sum(f["rule"] == "unused-suppression" for f in report["findings"]) == e  # each host-port one
    # apply: each of n findings tries the two exemptions that can match it; unused: the two try the n findings
    # until one matches, each of the e others tries none (they name a rule with no finding)
    assert calls <= 4 * n, calls  # n * (e + 2) = 400,800 before


def _count_exempt(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    from guardlint import suppress

    calls = [0]
    real = suppress._exempt

    def counting(*args: Any) -> bool:
        calls[0] += 1
        return real(*args)

    monkeypatch.setattr(suppress, "_exempt", counting)
    return calls


def _pods(n: int) -> str:
    return "---\n".join(
        f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}\n  namespace: ns{i % 3}\nspec:\n  containers:\n"
        "    - name: a\n      image: nginx:1.27\n      securityContext: {privileged: true}\n" for i in range(n))


def _lint(tmp_path: Any, monkeypatch: pytest.MonkeyPatch, config: str) -> dict[str, Any]:
    import io
    import json

    from guardlint.cli import main

    (tmp_path / ".guardlint.yaml").write_text(config)
    monkeypatch.chdir(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    assert main(["check", "pods.yaml", "--format", "json", "--fail-on", "never"], out=out, err=err) == 0, err.getvalue()
    report: dict[str, Any] = json.loads(out.getvalue())
    return report


def test_one_exemption_repeated_for_one_rule_costs_linear_work(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """E copies of one exemption for the rule every finding has: equal exemptions are tried once, as a group
    (N * E tries in applying them and N * E again in looking for unused ones before)."""
    n, e = 300, 1_000
    (tmp_path / "pods.yaml").write_text(_pods(n))
    calls = _count_exempt(monkeypatch)
    config = ("select: [privileged-container]\nexemptions:\n"
              + "  - {reason: legacy, rules: [privileged-container], namespaces: ['x*']}\n" * e
              + "  - {reason: ns1, rules: [SEC003], namespaces: ['ns1*']}\n")
    report = _lint(tmp_path, monkeypatch, config)
    quiet = {f["resource"]["name"]: f["suppressionReason"] for f in report["findings"] if f["suppressed"]}
    assert quiet == {f"p{i}": "exemption: ns1" for i in range(1, n, 3)}
    assert sum(f["rule"] == "unused-suppression" for f in report["findings"]) == e  # each copy reported
    assert calls[0] <= 4 * n, calls[0]  # 2 groups: n tries each in applying, at most n each for unused


def test_distinct_exemptions_naming_objects_of_one_rule_cost_linear_work(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """E different exemptions for the rule every finding has, each naming objects without globs: a finding is
    tried only against those naming its object (its name, namespace or kind), in configured order."""
    n, e = 300, 1_000
    (tmp_path / "pods.yaml").write_text(_pods(n))
    calls = _count_exempt(monkeypatch)
    config = ("select: [privileged-container]\nexemptions:\n"
              + "".join(f"  - {{reason: r{i}, rules: [privileged-container], names: [x{i}]}}\n" for i in range(e))
              + "  - {reason: first, rules: [privileged-container], names: [p7, p8]}\n"
              + "  - {reason: second, names: [p7]}\n"  # p7: the first in order wins
              + "  - {reason: by namespace, namespaces: [ns2], kinds: [Pod]}\n"
              + "  - {reason: by kind, rules: [SEC003], kinds: [Pod], names: ['p1?']}\n")
    report = _lint(tmp_path, monkeypatch, config)
    quiet = {f["resource"]["name"]: f["suppressionReason"] for f in report["findings"] if f["suppressed"]}
    expected = {f"p{i}": "exemption: by namespace" for i in range(2, n, 3)}
    expected |= {f"p{i}": "exemption: by kind" for i in range(10, 20) if f"p{i}" not in expected}
    expected |= {"p7": "exemption: first", "p8": "exemption: first"}
    assert quiet == expected
    unused = sorted(f["message"] for f in report["findings"] if f["rule"] == "unused-suppression")
    assert len(unused) == e  # "second" matched p7 (though "first" suppressed it): not unused
    assert calls[0] <= 6 * n, calls[0]  # n * (e + 4) tries before


def _kustomization(d: str, refs: tuple[str, ...] = (), patches: tuple[Any, ...] = ()) -> Any:
    from guardlint.render.kustomize import Kustomization

    return Kustomization(d, f"{d}/kustomization.yaml", d, refs, (), patches, None, False, ())


def test_a_long_overlay_chain_is_planned_in_linear_work() -> None:
    """Overlay i builds on overlay i-1, all of them linted: the folders to build are found in one walk up (a walk
    per folder visited n * n / 2 folders before), and the chain is walked with a queue (list.pop(0) before)."""
    from guardlint.render import kustomize as kz

    n = 2_000
    nodes = {f"/k{i}": _kustomization(f"/k{i}", (f"/k{i - 1}",) if i else ()) for i in range(n)}

    class CountingParents(dict[str, set[str]]):
        lookups = 0

        def get(self, key: str, default: Any = None) -> Any:
            type(self).lookups += 1
            return super().get(key, default)

    parents = CountingParents({f"/k{i - 1}": {f"/k{i}"} for i in range(1, n)})
    graph = kz.Graph(nodes, parents)
    assert kz.overlays_for(list(nodes), graph, set(nodes)) == [f"/k{n - 1}"]
    assert CountingParents.lookups <= n, CountingParents.lookups  # n * (n + 1) / 2 before
    assert kz.overlays_for(["/k5", "/k7"], graph, {f"/k{i}" for i in range(10)}) == ["/k9"]
    with _CCalls() as profile:
        members = kz.chain(f"/k{n - 1}", graph)
    assert [k.directory for k in members] == [f"/k{i}" for i in reversed(range(n))]
    assert profile.calls.get("pop", 0) == 0 and profile.calls.get("popleft", 0) == n


def test_findings_on_a_long_overlay_chain_try_only_the_patches_for_their_object(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A chain of n kustomizations, each patching a ConfigMap of its own, and findings on n Deployments: each
    object's patches are chosen once, among those for its kind or any kind (n * n patch tests before), in the
    order a scan of every patch tries them."""
    import yaml

    from guardlint.render import kmap
    from guardlint.render.kustomize import Built, Patch, patch_applies

    n = 1_000
    node = yaml.compose("{}")

    def patch(i: int, kind: str | None, name: str | None) -> Patch:
        return Patch(f"/k{i}/patch.yaml", node, 0, 0, False, kind, name)

    members = [_kustomization(f"/k{i}", patches=(patch(i, "ConfigMap", f"cm{i}"),)) for i in range(n)]
    members[3] = _kustomization("/k3", patches=(patch(3, None, "web"), patch(3, "Deployment", "web"),
                                                patch(3, "Deployment", None), patch(3, None, None)))
    members[9] = _kustomization("/k9", patches=(patch(9, "Deployment", "we.*"), patch(9, "Deployment", "db")))
    tests = 0

    def counting(*args: Any) -> bool:
        nonlocal tests
        tests += 1
        return patch_applies(*args)

    monkeypatch.setattr(kmap, "patch_applies", counting)
    mapper = kmap.KustomizeMapper("kustomize overlay /k0", "", [], Built([], []), members, 1 << 20)
    for i in range(n):
        for _ in range(3):  # three findings on each object
            mapper._applying_to("Deployment", [f"app{i}", ""])
    assert tests <= 7 * n, tests  # 3 * n * n before
    scan = [p for k in members for p in reversed(k.patches)]
    for kind, names in (("Deployment", ["web", "web-src"]), ("ConfigMap", ["cm7"]), ("Deployment", ["db"]),
                        ("Service", ["web"])):
        assert mapper._applying_to(kind, names) == [p for p in scan if patch_applies(p, kind, names)]
