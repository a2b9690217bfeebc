"""How the engine calls rules: which rules judge an object is decided once per kind, a rule's check function and
parameters are resolved once per run, and a rule declared ``pods_only`` is called exactly on the objects with pod
specs, as the rules find them (custom resources of the pod-template table, pod specs detected by their shape in
unknown kinds, pods an operator makes), and its findings are those it gives when called on every object."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from guardlint.engine import lint_loaded
from guardlint.findings import Finding, Severity
from guardlint.model.resource import Resource
from guardlint.model.workloads import iter_all_containers
from guardlint.rules.api import Rule, RuleContext, RuleInfo, Violation, rule
from guardlint.source.loader import load_text
from guardlint.testing import registry_with, settings_for

OBJECTS = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27", securityContext: {privileged: true}}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {privileged: "true"}
---
apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: train}
spec:
  pytorchReplicaSpecs:
    Master:
      replicas: 1
      template:
        spec:
          containers: [{name: pytorch, image: "example.com/t:1", securityContext: {privileged: true}}]
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: embedded}
spec:
  podTemplate:
    spec:
      containers: [{name: app, image: "example.com/w:1", securityContext: {privileged: true}}]
---
apiVersion: tekton.dev/v1
kind: Task
metadata: {name: build}
spec:
  steps:
    - {name: compile, image: "example.com/c:1"}
  sidecars:
    - {name: dind, image: "docker:27-dind", securityContext: {privileged: true}}
---
apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {name: etl}
spec:
  type: Scala
  mode: cluster
  image: example.com/spark:3.5.1
  sparkVersion: "3.5.1"
  driver: {cores: 1, memory: 2g, securityContext: {privileged: true}}
  executor: {instances: 1, cores: 1, memory: 2g}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
"""

WITH_PODS = {"Deployment", "PyTorchJob", "Widget", "Task", "SparkApplication"}


def _privileged_rule(code: str, name: str, pods_only: bool, calls: list[str]) -> Rule[Any]:
    @rule(code=code, name=name, title="Privileged container", severity=Severity.ERROR, pack="test",
          remediation="Do not run it privileged.", pods_only=pods_only)
    def check(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
        calls.append(resource.kind)
        for c in iter_all_containers(resource, ctx.workloads):
            if c.get(("securityContext", "privileged")) is True:
                yield Violation((*c.path, "securityContext", "privileged"), f"{c.describe()} is privileged")

    return check


def _lint(rules: list[Rule[Any]], **extra: Any) -> list[Finding]:
    registry = registry_with(rules, entry_points=False)
    plan = settings_for(registry, [r.name for r in rules], extra=extra).plan
    return list(lint_loaded([load_text(OBJECTS, "objects.yaml", nodes=False)], plan, raise_errors=True).findings)


def _seen(findings: list[Finding]) -> list[tuple[str, int, int, tuple[Any, ...], str]]:
    return sorted((f.file, f.location.line, f.location.column, f.path, f.message) for f in findings)


@pytest.mark.parametrize("detect", [True, False])
def test_a_pods_only_rule_is_called_exactly_on_objects_with_pod_specs(detect: bool) -> None:
    skipping: list[str] = []
    every: list[str] = []
    skip_rule = _privileged_rule("TST901", "privileged-skipping", True, skipping)
    every_rule = _privileged_rule("TST902", "privileged-everywhere", False, every)
    assert skip_rule.info.pods_only and not every_rule.info.pods_only
    extra = {} if detect else {"detect_embedded_pod_specs": False}
    found_skipping = _lint([skip_rule], **extra)
    found_every = _lint([every_rule], **extra)
    expected = WITH_PODS if detect else WITH_PODS - {"Widget"}
    assert sorted(skipping) == sorted(expected)  # not the ConfigMap, the Service (nor the Widget unless detected)
    assert sorted(every) == sorted([*WITH_PODS, "ConfigMap", "Service"])
    # The same findings, at the same places (a made pod's finding on the field that was written).
    assert _seen(found_skipping) == _seen(found_every)
    kinds_found = {f.resource.kind for f in found_skipping if f.resource is not None}
    assert kinds_found == expected
    task = [f for f in found_skipping if f.resource is not None and f.resource.kind == "Task"]
    assert [f.path for f in task] == [("spec", "sidecars", 0, "securityContext", "privileged")]


def test_check_and_parameters_are_resolved_once_per_run() -> None:
    made: list[int] = []
    loads: list[int] = []

    class Params:
        _fields = ()  # no parameters, like a NamedTuple without fields

        def __init__(self) -> None:
            made.append(1)

    @rule(code="TST903", name="counted", title="Counted", severity=Severity.INFO, pack="test",
          remediation="None.", params=Params)
    def counted(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
        assert isinstance(params, Params)
        yield from ()

    def loader() -> Rule[Any]:
        loads.append(1)
        return counted

    lazy = Rule.lazy(counted.info, loader)
    assert _lint([lazy]) == []
    assert len(loads) == 1 and len(made) == 1  # seven objects, one load and one parameter object


def test_a_rule_that_cannot_load_is_reported_on_each_object_it_would_judge() -> None:
    """A catalog rule (validated when the catalog was written, so loaded only when it runs) whose module cannot
    be imported: a plugin's lazy rule is loaded when registered instead (``test_plugins``)."""
    from guardlint.rules.registry import build_registry

    info = RuleInfo(code="TST904", name="broken", title="Broken", severity=Severity.WARNING, pack="test",
                    remediation="Fix the plugin.", kinds=frozenset({"Deployment", "Service"}))

    def loader() -> Rule[Any]:
        raise ImportError("no module named broken_plugin")

    registry = build_registry([], checked=(*registry_with(entry_points=False).rules, Rule.lazy(info, loader)))
    plan = settings_for(registry, ["broken", "rule-error"]).plan
    report = lint_loaded([load_text(OBJECTS, "objects.yaml", nodes=False)], plan)
    errors = [f for f in report.findings if f.rule == "rule-error"]
    assert sorted(f.resource.kind for f in errors if f.resource is not None) == ["Deployment", "Service"]
    with pytest.raises(ImportError):
        lint_loaded([load_text(OBJECTS, "objects.yaml", nodes=False)], plan, raise_errors=True)


def test_a_pool_share_skips_pod_less_objects_for_pods_only_rules_too() -> None:
    from guardlint.parallel import per_object_work

    calls: list[str] = []
    skip_rule = _privileged_rule("TST905", "privileged-in-share", True, calls)
    registry = registry_with([skip_rule], entry_points=False)
    plan = settings_for(registry, [skip_rule.name]).plan
    checked, considered, _ = per_object_work([load_text(OBJECTS, "objects.yaml", nodes=False)], plan)
    assert sorted(calls) == sorted(WITH_PODS)
    assert skip_rule.name in considered["ConfigMap"]  # judged (nothing to report), so the parent asks no one
    found = [f for c in checked.values() for got in c.findings.values() for f in got]
    assert _seen(found) == _seen(_lint([skip_rule]))


def test_findings_of_one_object_share_one_resource_ref() -> None:
    """The engine makes an object's ResourceRef once and every finding of that object holds that value (equal
    to the one each would make for itself), so a run with many findings keeps one per object, not per finding."""
    from guardlint.api import lint_text
    from guardlint.findings import ResourceRef

    text = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: prod}\n"
        "spec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image: nginx\n"
        "---\napiVersion: v1\nkind: Pod\nmetadata: {name: solo}\n"
        "spec:\n  containers:\n  - name: b\n    image: busybox\n"
    )
    report = lint_text(text, "two.yaml", select=["all"])
    by_name: dict[str | None, list[ResourceRef]] = {}
    for f in report.findings:
        if f.resource is not None:
            by_name.setdefault(f.resource.name, []).append(f.resource)
    assert set(by_name) == {"web", "solo"}
    for refs in by_name.values():
        assert len(refs) > 3  # several rules report on each object
        assert all(r is refs[0] for r in refs)
    assert by_name["web"][0] == ResourceRef("apps/v1", "Deployment", "web", "prod")
    assert by_name["solo"][0] == ResourceRef("v1", "Pod", "solo", None)


def test_shared_values_share_only_what_is_equal_in_type_too() -> None:
    """The run's memo gives a finding a kept value only when it is equal in value and in types: a shortcut
    that kept ``("ports", 1)`` for ``("ports", True)``, or an edit setting ``0`` for one setting ``False``,
    would change the report."""
    from guardlint.engine import SharedValues
    from guardlint.findings import Fix, FixEdit, Location, structural_fix

    shared = SharedValues()
    path = ("spec", "containers", 0, "name")
    assert shared.path(path) is path
    assert shared.path(("spec", "containers", 0, "name")) is path
    one = ("ports", 1)
    assert shared.path(one) is one
    odd = ("ports", True)
    assert shared.path(odd) is odd  # never the kept ("ports", 1)
    text = "container 'a' has no limits"
    assert shared.text("".join(["container 'a' ", "has no limits"])) == text
    assert shared.text(text) is not text  # the first equal string was kept
    loc = Location(3, 5, 3, 9)
    assert shared.location(loc) is loc and shared.location(Location(3, 5, 3, 9)) is loc
    zero = structural_fix("set it", FixEdit("set", ("a",), 0))
    false = structural_fix("set it", FixEdit("set", ("a",), False))
    assert zero == false  # equal as tuples, yet they write different YAML
    assert shared.fix(zero) is zero
    assert shared.fix(false) is false
    assert shared.fix(structural_fix("set it", FixEdit("set", ("a",), 0))) is zero
    mapping = structural_fix("add", FixEdit("set", ("a",), {"b": 1}))
    assert shared.fix(mapping) is mapping  # unhashable: kept as it is
    assert shared.fix(None) is None
    plain = Fix("false", "set allowPrivilegeEscalation to false")
    assert shared.fix(Fix("false", "set allowPrivilegeEscalation to false")) is not plain
    assert shared.fix(plain) == plain


def test_a_run_keeps_one_value_for_equal_paths_messages_and_fixes() -> None:
    """Counted, not timed: two identical objects' findings hold the same path and message objects."""
    from guardlint.api import lint_text

    one = "apiVersion: v1\nkind: Pod\nmetadata: {name: same}\nspec:\n  containers:\n  - name: c\n    image: nginx\n"
    report = lint_text(one + "---\n" + one, "twice.yaml", select=["all"])
    findings = [f for f in report.findings if f.resource is not None]
    assert len(findings) > 6
    assert len({id(f.path) for f in findings}) == len({f.path for f in findings})
    assert len({id(f.message) for f in findings}) == len({f.message for f in findings})
    assert len({id(f.fix) for f in findings if f.fix is not None}) == len({f.fix for f in findings if f.fix})


def test_what_a_rule_returns_is_taken_whole_whatever_its_shape() -> None:
    """The engine asks a rule's result for its first violation and locates findings only when there is one:
    every violation of a list, a tuple or a generator is still reported, in order; a rule that fails after
    yielding, returns something that is not iterable, or yields something that is not a Violation (``None``
    included) fails as before (``rule-error``), and an empty result of any shape reports nothing."""
    def made(name: str, code: str, result: Any) -> Rule[Any]:
        @rule(code=code, name=name, title="Shape", severity=Severity.WARNING, pack="test", remediation="None.",
              kinds=frozenset({"ConfigMap"}))
        def check(resource: Resource, params: Any, ctx: RuleContext) -> Any:
            return result()

        return check

    two = [Violation(("data", "privileged"), "first"), Violation(("metadata", "name"), "second")]

    def generator() -> Iterator[Violation]:
        yield from two

    def fails_after_one() -> Iterator[Violation]:
        yield two[0]
        raise RuntimeError("broke after one")

    def yields_none() -> Iterator[Any]:
        yield None
        yield two[0]

    rules = [
        made("shape-list", "TST911", lambda: list(two)), made("shape-tuple", "TST912", lambda: tuple(two)),
        made("shape-generator", "TST913", generator), made("shape-empty-list", "TST914", list),
        made("shape-empty-generator", "TST915", lambda: iter(())),
        made("shape-fails", "TST916", fails_after_one), made("shape-none", "TST917", lambda: None),
        made("shape-yields-none", "TST918", yields_none),
    ]
    registry = registry_with(rules, entry_points=False)
    plan = settings_for(registry, [*(r.name for r in rules), "rule-error"]).plan
    report = lint_loaded([load_text(OBJECTS, "objects.yaml", nodes=False)], plan)
    by_rule: dict[str, list[str]] = {}
    for f in report.findings:
        by_rule.setdefault(f.rule, []).append(f.message)
    for name in ("shape-list", "shape-tuple", "shape-generator"):
        assert sorted(by_rule.pop(name)) == ["first", "second"]
    failed = by_rule.pop("rule-error")
    assert len(failed) == 3 and all("shape-fails" in m or "shape-none" in m or "shape-yields-none" in m
                                    for m in failed), failed
    assert by_rule == {}


def test_fixes_keyed_by_their_shape_are_shared_only_when_equal_in_types_too() -> None:
    """The memo keys a fix made of strings, integers, booleans and None by the types of its parts instead of by
    ``repr``: equal fixes whose parts differ in type (``1``/``True`` in a path or a value, a ``str`` subclass, a
    float ``-0.0`` against ``0.0``) still keep their own objects, and ``repr`` is not called for shaped fixes."""
    from guardlint.engine import SharedValues, _fix_shape
    from guardlint.findings import Fix, FixEdit, structural_fix

    class Text(str):
        pass

    shared = SharedValues()
    base = structural_fix("set it", FixEdit("set", ("spec", "containers", 0, "x"), True), safety="safe")
    assert _fix_shape(base) == (str, str, int, str, bool)
    assert shared.fix(base) is base
    again = structural_fix("set it", FixEdit("set", ("spec", "containers", 0, "x"), True), safety="safe")
    assert shared.fix(again) is base
    for other in (
        structural_fix("set it", FixEdit("set", ("spec", "containers", False, "x"), True), safety="safe"),
        structural_fix("set it", FixEdit("set", ("spec", "containers", 0, "x"), 1), safety="safe"),
        structural_fix("set it", FixEdit("set", ("spec", "containers", 0, Text("x")), True), safety="safe"),
        structural_fix(Text("set it"), FixEdit("set", ("spec", "containers", 0, "x"), True), safety="safe"),
    ):
        assert other == base
        alone = SharedValues()
        alone.fix(base)
        assert alone.fix(other) is other
    neg = structural_fix("zero", FixEdit("set", ("a",), -0.0))
    pos = structural_fix("zero", FixEdit("set", ("a",), 0.0))
    assert neg == pos and _fix_shape(neg) is None  # floats are keyed by repr, which tells them apart
    assert shared.fix(neg) is neg and shared.fix(pos) is pos
    plain = Fix("false", "set it to false")
    assert _fix_shape(plain) == ()
    assert shared.fix(plain) is plain and shared.fix(Fix("false", "set it to false")) is plain


def test_shaped_fixes_skip_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counted: sharing a run's ordinary fixes (strings, booleans, integers) calls no ``repr``."""
    import builtins

    from guardlint import engine
    from guardlint.findings import FixEdit, structural_fix

    calls = []
    real = builtins.repr
    monkeypatch.setattr(engine, "repr", lambda value: calls.append(value) or real(value), raising=False)
    shared = engine.SharedValues()
    for value in (True, "x", 3, None):
        shared.fix(structural_fix("d", FixEdit("set", ("a", 0), value)))
    assert calls == []
    shared.fix(structural_fix("d", FixEdit("set", ("a", 0), 1.5)))
    assert len(calls) == 1
