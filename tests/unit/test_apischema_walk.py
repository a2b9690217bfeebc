"""The schema pack's shortcuts are exact: values the walker skips (``Node.free``), one walk per object shared by
the pack's rules and the lifecycle computed once per apiVersion/kind. Each test here would fail if a shortcut
skipped something it must not: int-or-string values, preserved fields under a typed field, CRD schemas found
in the run, list-map items, embedded resources and unknown fields deep in a custom resource's pod template."""

from __future__ import annotations

from typing import Any

import pytest

from guardlint.apischema import validate as walker
from guardlint.apischema.crd import compile_root, compile_schema
from guardlint.apischema.node import ANY, Node, seal
from guardlint.apischema.store import schemas_for
from guardlint.apischema.validate import UNKNOWN_FIELD, WRONG_TYPE, validate
from guardlint.engine import lint_loaded
from guardlint.source.loader import load_text
from tests.helpers import settings_for

PROBLEM_RULES = ("unknown-field", "wrong-field-type", "missing-required-field", "unsupported-field-value",
                 "unrendered-placeholder")


def _lint(text: str, select: tuple[str, ...] = ("schema",)) -> list[tuple[str, int, int, str]]:
    plan = settings_for(list(select)).plan
    report = lint_loaded([load_text(text, "x.yaml")], plan, raise_errors=True)
    assert not report.errors
    return sorted((f.rule, f.line, f.column, f.message) for f in report.active)


def _rules(text: str) -> list[tuple[str, int]]:
    return [(rule, line) for rule, line, _, _ in _lint(text)]


# --- what seal() lets the walker skip -------------------------------------------------------------------------

def _node(**attrs: Any) -> Node:
    node = Node()
    for name, value in attrs.items():
        setattr(node, name, value)
    return seal(node)


def test_seal_skips_only_what_cannot_have_a_problem() -> None:
    none = type(None)
    assert ANY.free is object
    assert _node(type="string").free is str
    assert _node(type="boolean").free is bool
    assert _node(type="object").free is dict  # not closed, nothing declared: a free-form object
    # Constraints keep the walk.
    assert _node(type="string", format="byte").free is none
    assert _node(type="string", enum=("a",)).free is none
    assert _node(type="string", min_length=1).free is none
    assert _node(type="string", pattern=compile_schema({"pattern": "^a$"}).pattern).free is none
    assert _node(type="boolean", enum=(True,)).free is none
    assert _node(type="string", any_of=(_node(type="string"),)).free is none
    assert _node(type="object", closed=True).free is none
    assert _node(type="object", values=_node(type="string")).free is none
    assert _node(type="object", required=("a",)).free is none
    assert _node(type="object", properties={"a": _node(type="string")}).free is none
    assert _node(properties={}).free is none  # no type but a (empty) set of properties: map values are checked
    assert _node(required=("a",)).free is none
    # Integers are always walked: a bool is an int to isinstance, and int32/int64 have ranges.
    assert _node(type="integer").free is none
    assert _node(type="int-or-string").free is none
    assert _node(type="quantity").free is none
    assert _node(type="array").free is none


def test_a_free_node_passes_every_value_of_its_type() -> None:
    """What ``free`` claims, checked against the full walk for a spread of values."""
    values: list[Any] = ["", "x", "${A}", "0x1", True, False, 0, 1, -1, 1.5, 2**40, {}, {"a": 1}, {"a": {"b": [1]}},
                         [], [1, "a"], None]
    nodes = [ANY, _node(type="string"), _node(type="boolean"), _node(type="object"), _node(type="integer"),
             _node(type="string", enum=("a",)), _node(type="object", closed=True),
             _node(properties={}, values=_node(type="integer"))]
    for node in nodes:
        for value in values:
            if isinstance(value, node.free):
                assert validate(value, node) == [], (node, value)


def test_values_of_a_typeless_node_with_empty_properties_are_checked() -> None:
    node = compile_schema({"properties": {}, "additionalProperties": {"type": "integer"}})
    assert [p.kind for p in validate({"a": "x", "b": 1}, node)] == [WRONG_TYPE]
    outer = compile_schema({"type": "object", "properties": {"m": {"properties": {},
                                                                   "additionalProperties": {"type": "integer"}}}})
    assert [(p.kind, p.path) for p in validate({"m": {"a": True}}, outer)] == [(WRONG_TYPE, ("m", "a"))]


def test_free_strings_are_not_walked() -> None:
    """A ConfigMap with many string values costs one call per mapping, not one per value."""
    schemas = schemas_for((1, 30))
    assert schemas is not None
    node = schemas.kind_node("v1", "ConfigMap")
    assert node is not None
    data = {f"key{i}": f"value {i}" for i in range(500)}
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labels": {"a": "b"}}, "data": data}
    calls = 0
    original = walker._check

    def counting(*args: Any) -> None:
        nonlocal calls
        calls += 1
        original(*args)

    mp = pytest.MonkeyPatch()
    mp.setattr(walker, "_check", counting)
    try:
        assert validate(obj, node) == []
        assert calls < 10, calls  # root, metadata, data, labels: not the 500 values
        data["key7"] = 7  # a value that is not a string is walked and reported
        found = validate(obj, node)
    finally:
        mp.undo()
    assert [(p.kind, p.path) for p in found] == [(WRONG_TYPE, ("data", "key7"))]


# --- edge cases through the rules ---------------------------------------------------------------------------

def test_int_or_string_values() -> None:
    text = """\
apiVersion: v1
kind: Service
metadata:
  name: s
spec:
  ports:
    - port: 80
      targetPort: http
    - port: 81
      targetPort: 8081
    - port: 82
      targetPort: true
    - port: 83
      targetPort: 1.5
"""
    assert _rules(text) == [("wrong-field-type", 12), ("wrong-field-type", 14)]


CRD_HEAD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
"""


def _crd(schema: str) -> str:
    return CRD_HEAD + "".join(f"          {line}\n" for line in schema.splitlines())


WIDGET_SCHEMA = """\
type: object
properties:
  spec:
    type: object
    properties:
      config:
        type: object
        x-kubernetes-preserve-unknown-fields: true
        properties:
          mode: {type: string, enum: [fast, safe]}
          name: {type: string}
      raw:
        type: object
        x-kubernetes-preserve-unknown-fields: true
      settings:
        type: object
      open:
        type: object
        additionalProperties: true
      port:
        x-kubernetes-int-or-string: true
      ports:
        type: array
        x-kubernetes-list-type: map
        x-kubernetes-list-map-keys: [name]
        items:
          type: object
          required: [name]
          properties:
            name: {type: string}
            number: {type: integer}
      child:
        type: object
        x-kubernetes-embedded-resource: true
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
      template:
        type: object
        properties:
          metadata:
            type: object
            properties:
              labels:
                type: object
                additionalProperties: {type: string}
          spec:
            type: object
            properties:
              containers:
                type: array
                items:
                  type: object
                  required: [name]
                  properties:
                    name: {type: string}
                    image: {type: string}
                    securityContext:
                      type: object
                      properties:
                        runAsNonRoot: {type: boolean}
                        runAsUser: {type: integer}
"""


def test_custom_resource_before_its_crd_in_the_run() -> None:
    """The CRD is found wherever it is in the run: here after the object it defines."""
    widget = """\
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
spec:
  sizee: 1
---
"""
    assert _rules(widget + _crd(WIDGET_SCHEMA)) == [("unknown-field", 6)]


def test_preserved_fields_under_a_typed_field_and_free_form_objects() -> None:
    widget = """\
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
spec:
  config:
    anything: {deep: [1, 2]}
    mode: slow
    name: 3
  raw:
    whatever: {x: 1}
    more: [true]
  settings:
    dropped: 1
  open:
    kept: {x: 1}
  port: http
"""
    text = _crd(WIDGET_SCHEMA) + widget
    found = _lint(text)
    lines = text.splitlines()

    def at(rule: str, needle: str) -> tuple[str, int]:
        return (rule, next(i for i, line in enumerate(lines, 1) if needle in line))

    assert [(r, line) for r, line, _, _ in found] == sorted([
        at("unsupported-field-value", "mode: slow"),
        at("wrong-field-type", "name: 3"),
        at("unknown-field", "dropped: 1"),
    ])


def test_list_map_items_are_each_walked() -> None:
    widget = """\
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
spec:
  ports:
    - name: a
      number: 1
    - name: b
      number: "2"
    - number: 3
    - name: d
      numbr: 4
"""
    text = _crd(WIDGET_SCHEMA) + widget
    base = len(_crd(WIDGET_SCHEMA).splitlines()) + 1  # the "---" line
    assert _rules(text) == sorted([
        ("wrong-field-type", base + 10),
        ("missing-required-field", base + 11),
        ("unknown-field", base + 13),
    ])


def test_embedded_resource_fields() -> None:
    widget = """\
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
spec:
  child:
    apiVersion: v1
    kind: Thing
    metadata: {name: c}
    spec:
      size: "3"
    status: {}
"""
    text = _crd(WIDGET_SCHEMA) + widget
    base = len(_crd(WIDGET_SCHEMA).splitlines()) + 1
    assert _rules(text) == sorted([("wrong-field-type", base + 11), ("unknown-field", base + 12)])


def test_unknown_field_deep_in_a_custom_resource_pod_template() -> None:
    widget = """\
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
spec:
  template:
    metadata:
      labels: {app: web, version: 1.0}
    spec:
      containers:
        - name: web
          image: nginx:1.27
        - name: sidecar
          image: 5
          securityContext:
            runAsNonRoot: "true"
            runAsUsr: 1000
"""
    text = _crd(WIDGET_SCHEMA) + widget
    base = len(_crd(WIDGET_SCHEMA).splitlines()) + 1
    found = _lint(text)
    assert [(r, line) for r, line, _, _ in found] == sorted([
        ("wrong-field-type", base + 8),   # version: 1.0 (a number for a string)
        ("wrong-field-type", base + 14),  # image: 5
        ("wrong-field-type", base + 16),  # runAsNonRoot: "true"
        ("unknown-field", base + 17),     # runAsUsr
    ])
    unknown = [f for f in found if f[0] == "unknown-field"]
    assert unknown[0][3] == "unknown field 'runAsUsr'; did you mean 'runAsUser'?"


def test_crd_root_without_a_type_is_closed() -> None:
    """compile_root makes the root an object after compile_schema sealed it: it must be sealed again."""
    node = compile_root({"description": "no type"}, None)
    assert node.free is type(None)
    assert [(p.kind, p.path) for p in validate({"apiVersion": "a/v1", "kind": "K", "spec": {}}, node)] == [
        (UNKNOWN_FIELD, ("spec",))]


def test_builtin_metadata_and_pod_template_values_are_checked() -> None:
    """Free strings are skipped, but every other leaf of a Deployment is still walked."""
    text = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: 2}
  annotations: {note: true}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
    spec:
      hostNetwork: "false"
      containers:
        - name: web
          image: nginx:1.27
          stdin: yes
          tty: 1
          imagePullPolicy: always
          ports:
            - containerPort: 80
              protocol: TCP
              nam: http
"""
    assert _rules(text) == [
        ("unknown-field", 23),
        ("unsupported-field-value", 19),
        ("wrong-field-type", 5),
        ("wrong-field-type", 6),
        ("wrong-field-type", 13),
        ("wrong-field-type", 18),
    ]


# --- work done once ---------------------------------------------------------------------------------------

def test_one_walk_per_object_for_all_the_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    from guardlint.rules.schema import _support

    walks: list[Any] = []
    lifecycles: list[Any] = []
    lookups: list[Any] = []
    original_validate, original_lifecycle, original_find = _support.validate, _support.lifecycle, _support._find_schema

    def counting_validate(value: Any, node: Node, path: Any = ()) -> Any:
        walks.append(value)
        return original_validate(value, node, path)

    def counting_lifecycle(resource: Any, version: Any) -> Any:
        lifecycles.append(resource)
        return original_lifecycle(resource, version)

    def counting_find(api_version: str, kind: str, ctx: Any) -> Any:
        lookups.append(kind)
        return original_find(api_version, kind, ctx)

    monkeypatch.setattr(_support, "validate", counting_validate)
    monkeypatch.setattr(_support, "lifecycle", counting_lifecycle)
    monkeypatch.setattr(_support, "_find_schema", counting_find)
    objects = "".join(f"""\
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: c{i}
data:
  a: {i}
---
apiVersion: v1
kind: Service
metadata:
  name: s{i}
spec:
  ports: [{{port: 80, targetPort: http}}]
""" for i in range(20))
    found = _lint(objects)
    assert [r for r, _, _, _ in found] == ["wrong-field-type"] * 20
    assert len(walks) == 40  # one walk per object, though five rules read its problems
    assert len(lifecycles) == 2  # once per apiVersion/kind: ConfigMap and Service
    assert sorted(lookups) == ["ConfigMap", "Service"]  # the schema too


def test_schema_lookups_once_per_kind_for_custom_resources(monkeypatch: pytest.MonkeyPatch) -> None:
    """Kinds with no schema and kinds a CRD of the run defines are looked up once each, and still reported."""
    from guardlint.rules.schema import _support

    lookups: list[str] = []
    original_find = _support._find_schema

    def counting_find(api_version: str, kind: str, ctx: Any) -> Any:
        lookups.append(kind)
        return original_find(api_version, kind, ctx)

    monkeypatch.setattr(_support, "_find_schema", counting_find)
    gadgets = "".join(f"---\napiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g{i}\n" for i in range(5))
    widgets = "".join(f"---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w{i}\nspec:\n"
                      f"  sise: {i}\n" for i in range(5))
    found = _lint(_crd(WIDGET_SCHEMA) + gadgets + widgets)
    assert [r for r, _, _, _ in found].count("unknown-field") == 5
    assert [r for r, _, _, _ in found].count("unknown-kind") == 1
    assert sorted(lookups) == ["CustomResourceDefinition", "Gadget", "Widget"]



# --- definitions compiled when first read -------------------------------------------------------------------

def _filled(schemas: Any) -> int:
    """How many definitions are compiled; each compiled one is a plain ``Node`` (its slots read as any node's),
    each other still a ``_Definition`` that knows where its data is."""
    from guardlint.apischema.store import _Definition

    for node in schemas._compiled.values():
        assert (type(node) is Node and node.source is None) or (type(node) is _Definition and node.source)
    return sum(1 for node in schemas._compiled.values() if type(node) is Node)


def _force(node: Node, seen: set[int]) -> None:
    """Read every node reachable from ``node`` (compiling every definition on the way)."""
    if id(node) in seen:
        return
    seen.add(id(node))
    for child in (*(node.properties or {}).values(), node.values, node.items, *node.any_of):
        if child is not None:
            _force(child, seen)


def test_definitions_compile_when_first_read() -> None:
    """A Deployment reaches over a hundred definitions; validating a small one compiles only those it reads,
    and finds what a fully compiled schema finds."""
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "labels": {"a": 1}},
                  "spec": {"selector": {"matchLabels": {"a": "b"}}, "replicas": "2", "template": {"spec": {
                      "containers": [{"name": "c", "image": "i", "resourcez": {}, "ports": [{"containerPort": "80"}]}],
                  }}}}
    lazy = schemas_for.__wrapped__((1, 30))
    node = lazy.kind_node("apps/v1", "Deployment")
    lazy_found = validate(deployment, node)
    assert 5 < _filled(lazy) < 25
    eager = schemas_for.__wrapped__((1, 30))
    root = eager.kind_node("apps/v1", "Deployment")
    _force(root, set())
    assert _filled(eager) > 100
    assert validate(deployment, root) == lazy_found
    assert sorted((p.kind, p.path) for p in lazy_found) == sorted([
        (WRONG_TYPE, ("metadata", "labels", "a")), (WRONG_TYPE, ("spec", "replicas")),
        (UNKNOWN_FIELD, ("spec", "template", "spec", "containers", 0, "resourcez")),
        (WRONG_TYPE, ("spec", "template", "spec", "containers", 0, "ports", 0, "containerPort")),
    ])
    with pytest.raises(AttributeError):
        root.no_such_attribute  # noqa: B018


def test_recursive_definition_compiled_on_first_read() -> None:
    """JSONSchemaProps refers to itself: a CRD's schema is validated at any depth."""
    text = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                deep:
                  type: object
                  properties:
                    deeper:
                      type: object
                      properties:
                        deepest:
                          type: string
                          propertiez: {}
                          minLength: "3"
"""
    assert _rules(text) == [("unknown-field", 28), ("wrong-field-type", 29)]


def test_schema_tables_in_a_pool_share() -> None:
    """A process of a ``--jobs`` pool has no run-wide index: an object of a built-in kind is validated there
    (its lifecycle, schema and problems are what the object alone decides), while a custom resource needs the
    run's CRDs (for its schema, and for its lifecycle: a version may be listed with served: false) and is left to
    the parent (``NeedsIndex``) with nothing cached for it (as is an object with an
    unknown or missing field: whether it is a patch is a question for the run)."""
    from guardlint.model.resource import resources_of
    from guardlint.parallel import NeedsIndex, _NoIndex
    from guardlint.rules.api import RuleContext
    from guardlint.rules.schema._support import find_schema, lifecycle_of, of_kind

    text = ("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: '80'}]}\n---\n"
            "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 1}\n")
    service, widget = (r for doc in load_text(text, "x.yaml").documents for r in resources_of(doc))
    plan = settings_for(["schema"]).plan
    share: Any = _NoIndex()
    ctx = RuleContext(share, plan.kubernetes_version, plan.workloads.for_run(), plan.options)
    assert [p.path for p in of_kind(service, ctx, WRONG_TYPE)] == [("spec", "ports", 0, "port")]
    with pytest.raises(NeedsIndex):  # whether a CRD of the run lists its version with served: false
        lifecycle_of(widget, ctx)
    with pytest.raises(NeedsIndex):
        find_schema(widget, ctx)
    with pytest.raises(NeedsIndex):
        of_kind(widget, ctx, UNKNOWN_FIELD)
    targets = share.object_memo("schema:targets", dict)
    assert set(targets) == {("v1", "Service")}
    assert set(share.object_memo("schema:lifecycle", dict)) == {("v1", "Service")}
