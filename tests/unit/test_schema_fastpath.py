"""The fast JSON Schema path (``guardlint.schema.is_valid``) must agree exactly with jsonschema's
Draft202012Validator. The fast path is checked on its own (``_valid``), so a silent fallback to
jsonschema cannot hide a disagreement; the public ``is_valid`` is checked too."""

from __future__ import annotations

import json
import random
from typing import Any

import jsonschema
import pytest

from guardlint.schema import SchemaError, Unsupported, _valid, is_valid

V = jsonschema.Draft202012Validator

DEFS = {
    "pos": {"type": "number", "exclusiveMinimum": 0},
    "name": {"type": "string", "minLength": 1, "pattern": "^[a-z]"},
    "names": {"type": "array", "items": {"$ref": "#/$defs/name"}},
    "a/b": {"const": "slash"},
    "t~": {"const": "tilde"},
    "node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/node"}}, "required": ["v"]},
}

# (schema, instances): each instance is checked against jsonschema, so the table needs no verdicts.
TABLE: list[tuple[Any, list[Any]]] = [
    # type
    ({"type": "integer"}, [1, 1.0, 1.5, True, False, -0.0, 10**30, 1e300, "1", None]),
    ({"type": "number"}, [1, 1.5, True, "1", None, -2]),
    ({"type": "boolean"}, [True, False, 0, 1, "true", None]),
    ({"type": "null"}, [None, 0, False, "", []]),
    ({"type": "string"}, ["", "x", 1, None]),
    ({"type": "array"}, [[], [1], {}, "[]"]),
    ({"type": "object"}, [{}, {"a": 1}, [], None]),
    ({"type": ["string", "null"]}, ["x", None, 1, True]),
    ({"type": ["integer", "boolean"]}, [1, 1.0, 1.5, True]),
    # enum and const: JSON equality (1 == 1.0, true != 1, lists and objects deep)
    ({"enum": [1, "a", None]}, [1, 1.0, True, "a", None, False, "1"]),
    ({"enum": [True]}, [True, 1, 1.0, False]),
    ({"enum": [False, 0]}, [False, 0, 0.0, None]),
    ({"enum": [[1, 2], {"a": [1]}]}, [[1, 2], [1.0, 2.0], [True, 2], [2, 1], {"a": [1.0]}, {"a": [True]},
                                      {"a": [1], "b": 1}]),
    ({"const": 1}, [1, 1.0, True, "1"]),
    ({"const": 0}, [0, 0.0, -0.0, False, None]),
    ({"const": None}, [None, False, 0, ""]),
    ({"const": {"a": [1, {"b": True}]}}, [{"a": [1, {"b": True}]}, {"a": [1.0, {"b": 1}]}, {"a": [1, {"b": True}],
                                                                                           "c": 1}]),
    ({"const": [[]]}, [[[]], [[], []], [{}]]),
    # numbers
    ({"minimum": 1}, [1, 0.999, 1.0, 2, "0"]),
    ({"maximum": 1.5}, [1.5, 1.6, True]),
    ({"exclusiveMinimum": 0}, [0, 0.0, 1e-300, -1]),
    ({"exclusiveMaximum": 10}, [10, 9.999, 10.0]),
    ({"multipleOf": 2}, [4, 4.0, 5, 4.5, 0, -6, 1e300, 2**70, True]),
    ({"multipleOf": 7}, [14, 1e300, 7.0, 1e16]),  # 1e300 / 7 is a whole float, 1e300 % 7 is not 0
    ({"multipleOf": 0.1}, [0.3, 0.30000000000000004, 1, 2.5, 1e308]),
    ({"multipleOf": 0.01}, [0.07, 19.99, 1.005]),
    ({"multipleOf": 1.5}, [3, 4.5, 4, 1e308]),
    ({"multipleOf": 1e-300}, [1e300, 1.0, 3]),  # the quotient overflows: exact fractions decide
    ({"multipleOf": 2.0}, [4, 5, 4.0]),
    # strings (length in code points)
    ({"minLength": 2}, ["a", "ab", "😀", "😀😀", 1]),
    ({"maxLength": 1}, ["", "a", "ab", "é", "😀"]),
    ({"pattern": "^a"}, ["abc", "bac", "", 1]),
    ({"pattern": "b"}, ["abc", "ac"]),  # search, not match
    ({"pattern": "^[a-z]+$"}, ["abc", "abc\n", "ab1"]),
    ({"format": "email"}, ["not an email", 1]),  # an annotation only
    # arrays
    ({"minItems": 1, "maxItems": 2}, [[], [1], [1, 2], [1, 2, 3], "xx"]),
    ({"items": {"type": "integer"}}, [[1, 2], [1, "2"], [], [1.0]]),
    ({"items": False}, [[], [1]]),
    ({"prefixItems": [{"type": "string"}, {"type": "integer"}]}, [["a", 1], ["a"], [1, "a"], ["a", 1, None], []]),
    ({"prefixItems": [{"type": "string"}], "items": {"type": "integer"}}, [["a", 1, 2], ["a", "b"], [1]]),
    ({"prefixItems": [True, True], "items": False}, [[1, 2], [1, 2, 3], [1]]),
    ({"contains": {"type": "integer"}}, [[1], ["a"], [], ["a", 2]]),
    ({"contains": {"const": 1}, "minContains": 2}, [[1], [1, 1], [1, 1.0, True]]),
    ({"contains": {"const": 1}, "maxContains": 1}, [[1], [1, 1], [2]]),
    ({"contains": {"const": 1}, "minContains": 0}, [[], [2], [1]]),
    ({"contains": {"const": 1}, "minContains": 0, "maxContains": 0}, [[], [1], [2]]),
    ({"minContains": 5}, [[1]]),  # without contains: no effect
    ({"uniqueItems": True}, [[1, 2], [1, 1], [1, 1.0], [1, True], [0, False], [True, True], [False, False],
                             [[1], [True]], [[0], [False], [0]], [{"a": 1}, {"a": 1.0}], [{"a": 1}, {"a": True}],
                             ["a", "a"], ["1", 1], [None, None], [[], {}], [[1, [2]], [1, [2.0]]], []]),
    ({"uniqueItems": False}, [[1, 1]]),
    # objects
    ({"required": ["a"]}, [{"a": None}, {}, {"b": 1}, ["a"]]),
    ({"minProperties": 1, "maxProperties": 1}, [{}, {"a": 1}, {"a": 1, "b": 2}]),
    ({"properties": {"a": {"type": "integer"}}}, [{"a": 1}, {"a": "x"}, {"b": "x"}]),
    ({"properties": {"a": True}, "additionalProperties": False}, [{"a": 1}, {"a": 1, "b": 2}, {}]),
    ({"patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": {"type": "integer"}},
     [{"x-a": "s", "b": 1}, {"x-a": 1}, {"b": "s"}, {"ax-": 1}]),
    ({"properties": {"ab": {"minimum": 5}}, "patternProperties": {"^a": {"maximum": 7}}},
     [{"ab": 6}, {"ab": 4}, {"ab": 8}, {"ac": 8}]),  # both apply to "ab"
    ({"propertyNames": {"pattern": "^[a-z]+$"}}, [{"abc": 1}, {"Abc": 1}, {}, {"1": 1}]),
    ({"propertyNames": {"maxLength": 2}}, [{"ab": 1, "abc": 2}]),
    ({"propertyNames": False}, [{}, {"a": 1}]),
    ({"dependentRequired": {"a": ["b", "c"]}}, [{"a": 1, "b": 1, "c": 1}, {"a": 1, "b": 1}, {"b": 1}, {}]),
    # combinators
    ({"allOf": [{"type": "integer"}, {"minimum": 2}]}, [1, 2, 2.5]),
    ({"anyOf": [{"type": "string"}, {"type": "null"}]}, ["a", None, 1]),
    ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, [1, 1.5, "a"]),
    ({"oneOf": [{"minimum": 0}, {"maximum": 10}]}, [5, -1, 11]),
    ({"not": {"type": "string"}}, ["a", 1]),
    ({"not": {}}, [1, None]),
    # if / then / else
    ({"if": {"type": "integer"}, "then": {"minimum": 0}, "else": {"type": "string"}}, [1, -1, "a", None, 1.0]),
    ({"if": {"required": ["a"]}, "then": {"required": ["b"]}}, [{"a": 1}, {"a": 1, "b": 1}, {}]),
    ({"if": {"const": 1}, "else": False}, [1, 2]),
    ({"then": False}, [1]),  # then without if: no effect
    # local $ref into $defs (and JSON pointer escapes), recursion through $ref, $ref with siblings
    ({"$defs": DEFS, "$ref": "#/$defs/pos"}, [1, 0, -1, "x"]),
    ({"$defs": DEFS, "$ref": "#/$defs/names"}, [["a"], ["A"], [""], []]),
    ({"$defs": DEFS, "$ref": "#/$defs/a~1b"}, ["slash", "x"]),
    ({"$defs": DEFS, "$ref": "#/$defs/t~0"}, ["tilde", "x"]),
    ({"$defs": DEFS, "$ref": "#/$defs/node"}, [{"v": 1}, {"v": 1, "next": {"v": 2}}, {"v": 1, "next": {}}]),
    ({"$defs": DEFS, "$ref": "#/$defs/pos", "maximum": 5}, [3, 6]),
    ({"definitions": {"s": {"type": "string"}}, "items": {"$ref": "#/definitions/s"}}, [["a"], [1]]),
    # booleans and annotations
    (True, [1, None]),
    (False, [1, None]),
    ({}, [1, None, [], {}]),
    ({"title": "t", "description": "d", "default": 1, "examples": [1], "$comment": "c", "deprecated": True},
     [1, "x"]),
]

PAIRS = [(schema, instance) for schema, instances in TABLE for instance in instances]


def _id(pair: tuple[Any, Any]) -> str:
    text = json.dumps(pair[0], sort_keys=True) + " | " + repr(pair[1])
    return text if len(text) < 90 else text[:87] + "..."


@pytest.mark.parametrize(("schema", "instance"), PAIRS, ids=[_id(p) for p in PAIRS])
def test_table(schema: Any, instance: Any) -> None:
    expected = V(schema).is_valid(instance)
    root = schema if isinstance(schema, dict) else {}
    assert _valid(schema, instance, root) is expected, "fast path disagrees with jsonschema"
    assert is_valid(schema, instance) is expected


# --- a seeded random corpus ----------------------------------------------------------------------------

_SCALARS: list[Any] = [0, 1, -1, 2, 3, 7, 1.0, 1.5, 0.5, -2.5, 2.0, 0.1, 0.3, 10, 1e300, 2**64, True, False, None,
                       "", "a", "ab", "abc", "A1", "x-y", "1", "😀", "aa"]
_KEYS = ["a", "b", "c", "ab", "x-1", "1", "A"]
_TYPES = ["object", "array", "string", "boolean", "null", "number", "integer"]
_KEYWORDS = ["type", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
             "minLength", "maxLength", "pattern", "items", "prefixItems", "contains", "minContains", "maxContains",
             "uniqueItems", "minItems", "maxItems", "properties", "required", "additionalProperties",
             "patternProperties", "propertyNames", "dependentRequired", "minProperties", "maxProperties", "allOf",
             "anyOf", "oneOf", "not", "if", "then", "else", "$ref"]


def _value(r: random.Random, depth: int = 0) -> Any:
    k = r.random()
    if depth > 2 or k < 0.55:
        return r.choice(_SCALARS)
    if k < 0.8:
        if r.random() < 0.3:  # repeated and near-repeated items exercise uniqueItems
            item = _value(r, depth + 1)
            return [item, r.choice([item, True, False, 1, 0, 1.0])]
        return [_value(r, depth + 1) for _ in range(r.randint(0, 4))]
    return {r.choice(_KEYS): _value(r, depth + 1) for _ in range(r.randint(0, 3))}


def _schema(r: random.Random, depth: int = 0) -> Any:
    if depth > 2 or r.random() < 0.1:
        return r.choice([True, False, {}])
    s: dict[str, Any] = {}
    for _ in range(r.randint(1, 3)):
        kw = r.choice(_KEYWORDS)
        if kw == "type":
            s[kw] = r.choice(_TYPES) if r.random() < 0.6 else r.sample(_TYPES, r.randint(1, 3))
        elif kw == "enum":
            s[kw] = [_value(r, 1) for _ in range(r.randint(1, 4))]
        elif kw == "const":
            s[kw] = _value(r, 1)
        elif kw in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            s[kw] = r.choice([0, 1, -1, 1.5, 2, 0.5, 10, True])
        elif kw == "multipleOf":
            s[kw] = r.choice([1, 2, 3, 7, 0.5, 0.1, 0.01, 1.5, 2.0, 1e-300, 1e-5])
        elif kw in ("minLength", "maxLength", "minItems", "maxItems", "minContains", "maxContains",
                    "minProperties", "maxProperties"):
            s[kw] = r.randint(0, 3)
        elif kw == "pattern":
            s[kw] = r.choice(["^a", "b$", "[0-9]", "^$", "a+", "^[a-z]+$", "😀"])
        elif kw in ("items", "contains", "additionalProperties", "propertyNames", "not", "if", "then", "else"):
            s[kw] = _schema(r, depth + 1)
        elif kw == "prefixItems":
            s[kw] = [_schema(r, depth + 1) for _ in range(r.randint(1, 3))]
        elif kw == "uniqueItems":
            s[kw] = r.random() < 0.8
        elif kw == "properties":
            s[kw] = {r.choice(_KEYS): _schema(r, depth + 1) for _ in range(r.randint(1, 2))}
        elif kw == "patternProperties":
            s[kw] = {r.choice(["^a", "b", "^[0-9]+$", "-", "^$"]): _schema(r, depth + 1) for _ in range(2)}
        elif kw == "required":
            s[kw] = r.sample(_KEYS, r.randint(0, 2))
        elif kw == "dependentRequired":
            s[kw] = {r.choice(_KEYS): r.sample(_KEYS, r.randint(0, 2))}
        elif kw in ("allOf", "anyOf", "oneOf"):
            s[kw] = [_schema(r, depth + 1) for _ in range(r.randint(1, 3))]
        else:
            s[kw] = r.choice(["#/$defs/pos", "#/$defs/name", "#/$defs/names", "#/$defs/node"])
    return s


def _random_pairs(seed: int, n: int) -> list[tuple[Any, Any]]:
    r = random.Random(seed)
    pairs = []
    while len(pairs) < n:
        schema = _schema(r)
        if isinstance(schema, dict):
            schema["$defs"] = DEFS
        pairs.append((schema, _value(r)))
    return pairs


RANDOM = _random_pairs(20261127, 600)


@pytest.mark.parametrize("index", range(len(RANDOM)), ids=[f"random{i}" for i in range(len(RANDOM))])
def test_random(index: int) -> None:
    schema, instance = RANDOM[index]
    expected = V(schema).is_valid(instance)
    root = schema if isinstance(schema, dict) else {}
    assert _valid(schema, instance, root) is expected, f"{json.dumps(schema)} | {instance!r}"


def test_random_corpus_is_balanced() -> None:
    verdicts = [V(s).is_valid(i) for s, i in RANDOM]
    assert 0.2 < sum(verdicts) / len(verdicts) < 0.8  # the generator finds both outcomes


# --- what the fast path leaves to jsonschema -----------------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "instance"),
    [
        ({"unevaluatedProperties": False, "properties": {"a": True}}, {"a": 1, "b": 2}),
        ({"dependentSchemas": {"a": {"required": ["b"]}}}, {"a": 1}),
        ({"$ref": "#"}, 1),
        ({"$ref": "#/$defs/a%20b", "$defs": {"a b": {"type": "string"}}}, 1),
        ({"$ref": "#/$defs/x/0", "$defs": {"x": [{"type": "string"}]}}, 1),
        ({"$ref": "#/$defs/missing", "$defs": {}}, 1),
        ({"items": {"$id": "http://example.com/item", "$ref": "#/$defs/s", "$defs": {"s": {"type": "string"}}},
          "$defs": {"s": {"type": "integer"}}}, ["a"]),
        ({"items": [{"type": "string"}]}, [1]),
        ({"$anchor": "x", "$ref": "#x"}, 1),
    ],
    ids=["unevaluated", "dependent-schemas", "root-ref", "percent-encoded-ref", "array-index-ref", "missing-ref",
         "nested-id", "items-array", "anchor-ref"],
)
def test_unsupported_schemas_fall_back(schema: dict[str, Any], instance: Any) -> None:
    with pytest.raises(Unsupported):
        _valid(schema, instance, schema)
    try:
        expected: Any = V(schema).is_valid(instance)
    except Exception as exc:  # an unresolvable $ref: jsonschema raises, and so does is_valid
        with pytest.raises(type(exc)):
            is_valid(schema, instance)
        return
    assert is_valid(schema, instance) is expected


@pytest.mark.parametrize(
    ("schema", "instance"),
    [({"$schema": "http://json-schema.org/draft-07/schema#", "items": [{"type": "string"}]}, [1]),
     ({"$schema": "http://json-schema.org/draft-04/schema#", "minimum": 1, "exclusiveMinimum": True}, 1),
     ({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "integer"}, 1.0)],
    ids=["draft7", "draft4", "2020-12"],
)
def test_other_drafts_follow_their_schema_keyword(schema: dict[str, Any], instance: Any) -> None:
    cls = jsonschema.validators.validator_for(schema)
    assert is_valid(schema, instance) is cls(schema).is_valid(instance)


def test_non_string_schema_keyword_is_a_schema_error() -> None:
    with pytest.raises(SchemaError, match="must be a URI string"):
        is_valid({"$schema": 7, "type": "integer"}, 1)
