"""The schema walker (``apischema.validate``) against a plain reference walker, on random and adversarial objects.

The walker takes shortcuts that are exact by construction (``Node.free``: values that cannot have a problem are not
visited; ``Node.mapping`` and ``Node.listing``: a mapping or a list goes straight to its properties or items),
and the shipped definitions are compiled the first time a walk reads them (``store._Definition``, a plain
``Node`` from then on). The reference below has none of that: it visits every value with one function, as the
plain reading of the schema does, and reads definitions compiled before the walk. Both must give the same
problems, in the same order, with the same messages, for objects made from the schemas and then damaged: wrong
types, unknown fields deep in lists, nulls, int-or-string values, quantities, enums, duplicated list items,
preserve-unknown-fields, embedded resources, ``x-kubernetes-*`` extensions, ``anyOf``.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from guardlint.apischema import validate as walker
from guardlint.apischema.crd import compile_root
from guardlint.apischema.node import (
    ARRAY,
    BOOLEAN,
    INT_OR_STRING,
    INTEGER,
    NUMBER,
    OBJECT,
    QUANTITY,
    STRING,
    Node,
)
from guardlint.apischema.store import schemas_for
from guardlint.apischema.validate import Problem, validate
from tests.fuzzing import WRONG_VALUES, mutate

# --- the reference: every value visited, no shortcut ------------------------------------------------------------


def reference(value: Any, node: Node) -> list[Problem]:
    out: list[Problem] = []
    _ref_check(value, node, (), out)
    return out


def _ref_check(value: Any, node: Node, path: tuple[Any, ...], out: list[Problem]) -> None:
    if value is None:
        return
    if node.any_of:
        _ref_alternatives(value, node, path, out)
    t = node.type
    if t is None:
        if node.enum is not None:
            walker._check_enum(value, node, path, out)
        if isinstance(value, dict) and (node.properties is not None or node.required):
            _ref_object(value, node, path, out)
        return
    if t == STRING:
        if not isinstance(value, str):
            walker._type_problem(value, node, path, out)
            return
        walker._check_string(value, node, path, out)
        return
    if t == OBJECT:
        if not isinstance(value, dict):
            walker._type_problem(value, node, path, out)
            return
        _ref_object(value, node, path, out)
    elif t == ARRAY:
        if not isinstance(value, list):
            walker._type_problem(value, node, path, out)
            return
        if node.items is not None:
            for i, item in enumerate(value):
                _ref_check(item, node.items, (*path, i), out)
        if node.list_type is not None:
            walker._check_unique(value, node, path, out)
        if node.min_items is not None and len(value) < node.min_items:
            out.append(Problem(walker.BAD_VALUE, path, f"has {len(value)} items; at least {node.min_items} required"))
        if node.max_items is not None and len(value) > node.max_items:
            out.append(Problem(walker.BAD_VALUE, path, f"has {len(value)} items; at most {node.max_items} allowed"))
    elif t == INTEGER:
        if not walker._is_int(value):
            walker._type_problem(value, node, path, out)
            return
        limits = walker._RANGES.get(node.format or "")
        if limits is not None and not limits[0] <= value <= limits[1]:
            out.append(Problem(walker.BAD_VALUE, path, f"{int(value)} is out of range for an {node.format} field"))
            return
        walker._check_number(value, node, path, out)
    elif t == NUMBER:
        if not walker._is_number(value):
            walker._type_problem(value, node, path, out)
            return
        walker._check_number(value, node, path, out)
    elif t == BOOLEAN:
        if not isinstance(value, bool):
            walker._type_problem(value, node, path, out)
            return
    elif t == QUANTITY:
        walker._check_quantity(value, node, path, out)
        return
    elif t == INT_OR_STRING:
        if not (isinstance(value, str) or walker._is_int(value)):
            walker._type_problem(value, node, path, out)
            return
        if isinstance(value, str):
            walker._check_string(value, node, path, out)
            return
    if node.enum is not None:
        walker._check_enum(value, node, path, out)


def _ref_object(value: dict[str, Any], node: Node, path: tuple[Any, ...], out: list[Problem]) -> None:
    for key, item in value.items():
        child = (node.properties or {}).get(key)
        if child is None:
            child = node.values
        if child is None:
            if node.closed and not (node.embedded and key in walker._EMBEDDED):
                walker._unknown_field(value, node, path, key, out)
            continue
        _ref_check(item, child, (*path, key), out)
    for key in node.required:
        if value.get(key) is None:
            where = f" of {node.title}" if node.title else ""
            out.append(Problem(walker.MISSING_REQUIRED, (*path, key), f"missing required field {key!r}{where}",
                               at_value=False))


def _ref_alternatives(value: Any, node: Node, path: tuple[Any, ...], out: list[Problem]) -> None:
    results = []
    for alternative in node.any_of:
        found: list[Problem] = []
        _ref_check(value, alternative, path, found)
        if not found:
            return
        results.append(found)
    if len(results) == 1:
        out.extend(results[0])
        return
    first = min(results, key=len)[0]
    out.append(Problem(
        first.kind if first.kind == walker.PLACEHOLDER else walker.BAD_VALUE, path,
        f"matches none of the {len(results)} forms the schema allows (closest: {first.message})",
    ))


# --- objects made from a schema, then damaged -------------------------------------------------------------------

STRINGS = ("a", "", "Always", "always", "TCP", "${PORT}", "$(VAR)", "2024-01-31T12:00:00Z", "2024-01-31", "aGVsbG8=",
           "aGVs\nbG8=", "not base64!", "x" * 70, "80", "1.5", "true", "500m", "1Gi", "1.5x", "http", "-", "a.b")
INTEGERS = (0, 1, -1, 80, 2**31, 2**31 - 1, -(2**31) - 1, 2**63, 1.0, 1.5, True, "1", "${N}", float("inf"))
QUANTITIES = ("500m", "1Gi", "2", "1.5x", "", "${MEM}", 2, 0.5, float("inf"), float("nan"), True, "1e3", [])
UNKNOWN_KEYS = ("unknownField", "specc", "securityContex", "apiVersion", "kind", "metadata", "$patch", "sops", "Name",
                "x-kubernetes-embedded-resource", "")


def generate(rng: random.Random, node: Node, depth: int = 0) -> Any:
    if depth > 7 or rng.random() < 0.04:
        return rng.choice(WRONG_VALUES)
    if node.any_of and rng.random() < 0.5:
        node = rng.choice(node.any_of)
    if node.enum is not None and rng.random() < 0.6:
        return rng.choice([*node.enum, "", "Other", str(node.enum[0]).lower()])
    t = node.type
    if t == OBJECT or (t is None and (node.properties is not None or node.values is not None)):
        value: dict[str, Any] = {}
        fields = sorted((node.properties or {}).items())
        for key, child in rng.sample(fields, min(len(fields), rng.randint(0, 7))):
            value[key] = generate(rng, child, depth + 1)
        if node.values is not None:
            for j in range(rng.randint(0, 3)):
                value[f"key{j}"] = generate(rng, node.values, depth + 1)
        for key in node.required:
            if key in dict(fields) and rng.random() < 0.85:
                value[key] = generate(rng, dict(fields)[key], depth + 1)
        if rng.random() < 0.15:
            value[rng.choice(UNKNOWN_KEYS)] = rng.choice([*WRONG_VALUES, {"a": 1}])
        return value
    if t == ARRAY:
        items = [generate(rng, node.items, depth + 1) if node.items is not None else rng.choice(WRONG_VALUES)
                 for _ in range(rng.randint(0, 3))]
        if items and rng.random() < 0.2:
            items.append(items[0])  # a duplicate (list-type set and map)
        return items
    if t == STRING:
        return rng.choice(STRINGS)
    if t in (INTEGER, NUMBER):
        return rng.choice(INTEGERS)
    if t == BOOLEAN:
        return rng.choice((True, False, "true", "yes", 1))
    if t == QUANTITY:
        return rng.choice(QUANTITIES)
    if t == INT_OR_STRING:
        return rng.choice((80, "http", "50%", 1.5, True, "${PORT}", 2**40))
    return rng.choice(WRONG_VALUES)


def damaged(rng: random.Random, node: Node, count: int) -> list[Any]:
    objects = []
    for _ in range(count):
        value = generate(rng, node)
        if rng.random() < 0.6:
            value = mutate(rng, value, rounds=rng.randint(1, 4))
        objects.append(value)
    return objects


BUILTIN_KINDS = (
    ("apps/v1", "Deployment"), ("v1", "Pod"), ("v1", "Service"), ("batch/v1", "CronJob"), ("apps/v1", "StatefulSet"),
    ("networking.k8s.io/v1", "Ingress"), ("networking.k8s.io/v1", "NetworkPolicy"), ("v1", "Secret"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"), ("autoscaling/v2", "HorizontalPodAutoscaler"),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"), ("v1", "PersistentVolume"),
    ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration"),
)


@pytest.mark.parametrize(("version", "kind"), [(v, k) for v, k in BUILTIN_KINDS])
def test_builtin_walk_matches_the_reference(version: str, kind: str) -> None:
    """Objects of built-in kinds: the walker on definitions it compiles as it reads them, the reference on the
    same definitions compiled before (separate copies of the version's schemas)."""
    generating = schemas_for.__wrapped__((1, 37))
    node = generating.kind_node(version, kind)
    if node is None:
        pytest.skip(f"{version} {kind} has no schema in 1.37")
    rng = random.Random(f"{version}/{kind}")
    objects = damaged(rng, node, 250)
    lazy = schemas_for.__wrapped__((1, 37))
    lazy_node = lazy.kind_node(version, kind)
    assert lazy_node is not None
    problems = 0
    for value in objects:
        expected = reference(value, node)
        assert validate(value, lazy_node) == expected, value
        problems += len(expected)
    assert problems > 100  # the objects are damaged enough to test something


CRD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "required": ["size"],
            "properties": {
                "size": {"type": "integer", "minimum": 1, "maximum": 10, "format": "int32"},
                "ratio": {"type": "number", "exclusiveMinimum": True, "minimum": 0},
                "mode": {"type": "string", "enum": ["Fast", "Slow"]},
                "name": {"type": "string", "pattern": "^[a-z]+$", "minLength": 2, "maxLength": 8},
                "port": {"x-kubernetes-int-or-string": True, "anyOf": [{"type": "integer"}, {"type": "string"}]},
                "memory": {"anyOf": [{"type": "integer"}, {"type": "string"}], "x-kubernetes-int-or-string": True,
                           "pattern": "^[0-9]+(Mi|Gi)?$"},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                "typedFree": {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
                              "properties": {"level": {"type": "integer"}}},
                "template": {"type": "object", "x-kubernetes-embedded-resource": True,
                             "properties": {"spec": {"type": "object", "properties": {
                                 "replicas": {"type": "integer"}}}}},
                "tags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set",
                         "maxItems": 3},
                "workers": {
                    "type": "array", "minItems": 1, "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["name", "protocol"],
                    "items": {"type": "object", "required": ["name"], "properties": {
                        "name": {"type": "string"}, "protocol": {"type": "string", "default": "TCP"},
                        "env": {"type": "array", "items": {"type": "object", "properties": {
                            "name": {"type": "string"}, "value": {"type": "string", "nullable": True}}}},
                    }},
                },
                "plainList": {"type": "array", "items": {"type": "object", "properties": {
                    "deep": {"type": "array", "items": {"type": "object", "properties": {
                        "leaf": {"type": "boolean"}}}}}}},
                "hosts": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
                "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["port"],
                          "items": {"type": "object", "properties": {"port": {"type": "integer"}}}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "matrix": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
                "either": {"type": "object", "oneOf": [{"required": ["a"]}, {"required": ["b"]}],
                           "properties": {"a": {"type": "string"}, "b": {"type": "string"}}},
                "when": {"type": "string", "format": "date-time"},
                "blob": {"type": "string", "format": "byte"},
                "cpu": {"x-kubernetes-int-or-string": True, "anyOf": [{"type": "integer"}, {"type": "string"}],
                        "pattern": "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|"
                                   "([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$"},
            },
        },
        "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
    },
}


@pytest.mark.parametrize("preserve_unknown", [False, True])
def test_crd_walk_matches_the_reference(preserve_unknown: bool) -> None:
    """A custom resource's schema with every extension the walker reads: the same problems either way."""
    meta = schemas_for((1, 37))
    assert meta is not None
    node = compile_root(CRD_SCHEMA, meta.definition("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"),
                        preserve_unknown=preserve_unknown)
    rng = random.Random(f"crd/{preserve_unknown}")
    problems = 0
    for value in damaged(rng, node, 600):
        expected = reference(value, node)
        assert validate(value, node) == expected, value
        problems += len(expected)
    assert problems > 300


def test_lists_go_straight_to_their_items_only_when_that_is_all_a_list_needs() -> None:
    """``Node.listing`` (a list checked item by item and nothing else) is off for a list with alternatives, an
    enum, a list type or bounds on its length, each of which the walk must still check."""
    meta = schemas_for((1, 37))
    assert meta is not None
    node = compile_root(CRD_SCHEMA, meta.definition("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"))
    spec = node.properties["spec"]  # type: ignore[index]
    assert spec.properties["plainList"].listing
    assert spec.properties["matrix"].listing
    assert not spec.properties["tags"].listing  # a set, at most 3 items
    assert not spec.properties["workers"].listing  # a map, at least 1 item
    assert not spec.properties["hosts"].listing  # a set
    assert not spec.properties["ports"].listing  # a map
    value = {"apiVersion": "example.com/v1", "kind": "W", "metadata": {"name": "w"},
             "spec": {"size": 1, "tags": ["a", "a", "b", "c"], "workers": [],
                      "plainList": [{"deep": [{"leaf": "yes", "leff": True}]}], "matrix": [[1, "2"]]}}
    assert [(p.kind, p.path) for p in validate(value, node)] == [
        ("bad-value", ("spec", "tags", 1)), ("bad-value", ("spec", "tags")), ("bad-value", ("spec", "workers")),
        ("wrong-type", ("spec", "plainList", 0, "deep", 0, "leaf")),
        ("unknown-field", ("spec", "plainList", 0, "deep", 0, "leff")),
        ("wrong-type", ("spec", "matrix", 0, 1)),
    ]
    assert validate(value, node) == reference(value, node)
