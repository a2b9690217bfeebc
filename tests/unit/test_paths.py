"""Field paths (dotted and JSON pointer rendering, parsing) and the typed accessors over plain data."""

from __future__ import annotations

import random

import pytest

from guardlint.model.access import get, get_bool, get_int, get_list, get_map, get_str, has, iter_maps
from guardlint.model.paths import FieldPath, parse_dotted, to_dotted, to_json_pointer

RENDERED = [
    ((), ""),
    (("spec",), "spec"),
    (("spec", "containers", 0, "securityContext"), "spec.containers[0].securityContext"),
    (("metadata", "annotations", "example.com/key"), 'metadata.annotations["example.com/key"]'),
    (("data", "a.b"), 'data["a.b"]'),
    (("x", ""), 'x[""]'),
    (("x", "0abc"), 'x["0abc"]'),
    (("x", "a]b"), 'x["a]b"]'),
    (("x", 'say "hi"'), 'x["say \\"hi\\""]'),
    (("x", "back\\slash"), 'x["back\\\\slash"]'),
    (("x", "$ref", "a-b", "_c"), "x.$ref.a-b._c"),
    ((0, 1), "[0][1]"),
    (("x", "é"), 'x["é"]'),
]


@pytest.mark.parametrize(("path", "text"), RENDERED, ids=[t or "empty" for _, t in RENDERED])
def test_to_dotted_and_back(path: FieldPath, text: str) -> None:
    assert to_dotted(path) == text
    assert parse_dotted(text) == path


def test_round_trip_of_random_paths() -> None:
    r = random.Random(7)
    alphabet = 'ab.[]"\\\' *0-9_$-/~é'
    for _ in range(3000):
        path: FieldPath = tuple(
            r.randint(0, 12) if r.random() < 0.3 else "".join(r.choice(alphabet) for _ in range(r.randint(0, 5)))
            for _ in range(r.randint(0, 4))
        )
        if "*" in path:
            continue  # "*" is the wildcard when parsed
        assert parse_dotted(to_dotted(path)) == path, path


@pytest.mark.parametrize(
    ("text", "path"),
    [("a[*].b", ("a", "*", "b")), ("a.*", ("a", "*")), ('a["*"]', ("a", "*")), ("a['x.y']", ("a", "x.y")),
     ("a[ 3 ]", ("a", 3)), ('a[ "k" ]', ("a", "k")), ("spec.template", ("spec", "template"))],
    ids=["star-index", "star-key", "quoted-star", "single-quotes", "spaced-index", "spaced-key", "plain"],
)
def test_parse_dotted(text: str, path: FieldPath) -> None:
    assert parse_dotted(text) == path


@pytest.mark.parametrize(
    "text",
    ["a..b", ".a", "a.", "a[", "a[x]", "a[-1]", "a[1.5]", "a[0]b", 'a["x"', 'a["x"y]', "a[²]", "a[١]", 'a["x"]b'],
    ids=["double-dot", "leading-dot", "trailing-dot", "unclosed", "word-index", "negative", "float", "glued-key",
         "unclosed-quote", "text-after-quote", "superscript-digit", "arabic-digit", "glued-after-quote"],
)
def test_parse_dotted_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=r"in '|in \"|offset"):
        parse_dotted(text)


@pytest.mark.parametrize(
    ("path", "pointer"),
    [((), ""), (("a",), "/a"), (("a", 0, "b"), "/a/0/b"), (("a/b", "m~n"), "/a~1b/m~0n"), (("",), "/")],
    ids=["root", "key", "index", "escapes", "empty-key"],
)
def test_json_pointer(path: FieldPath, pointer: str) -> None:
    assert to_json_pointer(path) == pointer


# --- typed accessors -----------------------------------------------------------------------------------

DATA = {
    "s": "text",
    "n": None,
    "t": True,
    "f": False,
    "i": 3,
    "fl": 3.0,
    "half": 2.5,
    "l": [{"a": 1}, "x", {"b": 2}],
    "m": {"k": "v"},
    "strbool": "true",
}


def test_get() -> None:
    assert get(DATA, ("m", "k")) == "v"
    assert get(DATA, ("l", 0, "a")) == 1
    assert get(DATA, ()) is DATA
    assert get(DATA, ("l", 3)) is None
    assert get(DATA, ("l", "0")) is None  # a string does not index a list
    assert get(DATA, ("m", 0)) is None  # an int does not index a mapping
    assert get(DATA, ("s", "x")) is None
    assert get(DATA, ("n", "x")) is None
    assert get(DATA, ("missing",)) is None


def test_negative_indexes_are_not_positions() -> None:
    # Paths come from manifests: -1 is not an item, here as in has() and in source positions.
    assert get(DATA, ("l", -1)) is None
    assert not has(DATA, ("l", -1))


def test_has_counts_explicit_null() -> None:
    assert has(DATA, ("n",))
    assert not has(DATA, ("missing",))
    assert has(DATA, ("l", 2, "b"))
    assert not has(DATA, ("l", 1, "b"))
    assert has(DATA, ())


def test_typed_getters() -> None:
    assert get_str(DATA, ("s",)) == "text" and get_str(DATA, ("i",)) is None
    assert get_bool(DATA, ("t",)) is True and get_bool(DATA, ("f",)) is False
    assert get_bool(DATA, ("strbool",)) is None  # "true" is a type error, not a boolean
    assert get_bool(DATA, ("i",)) is None
    assert get_int(DATA, ("i",)) == 3 and get_int(DATA, ("fl",)) == 3
    assert get_int(DATA, ("half",)) is None and get_int(DATA, ("t",)) is None and get_int(DATA, ("s",)) is None
    assert get_map(DATA, ("m",)) == {"k": "v"} and get_map(DATA, ("l",)) is None and get_map(DATA) is DATA
    assert get_list(DATA, ("l",)) == DATA["l"] and get_list(DATA, ("m",)) is None and get_list([1]) == [1]


def test_iter_maps_skips_non_mappings() -> None:
    assert iter_maps(DATA, ("l",)) == [(0, {"a": 1}), (2, {"b": 2})]
    assert iter_maps(DATA, ("m",)) == []
    assert iter_maps(DATA, ("missing",)) == []
