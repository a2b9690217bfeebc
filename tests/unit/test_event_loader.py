"""A lint run builds documents straight from the parser's events (``guardlint.source.events``); whatever that
way does not handle goes the composing way. Both must give the same documents, and the fast way must be
taken only where it is exact."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guardlint.model.index import ResourceIndex
from guardlint.model.patches import is_patch
from guardlint.model.resource import resources_of
from guardlint.source import loader
from guardlint.source.loader import Document, LoadedText, load_text, split_documents

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _same(a: Any, b: Any) -> bool:
    """Equal values of the same types all the way down (``1 == True == 1.0`` does not count; NaN equals NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def _fields(doc: Document) -> tuple[Any, ...]:
    return (doc.file, doc.index, doc.line_offset, doc.index_offset, doc.start_line, doc.end_line, doc.origin,
            doc.directives, doc.duplicate_keys, doc.content_line, doc.key_reads)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix, (*prefix, "missing"), (*prefix, 99)]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _paths(value, (*prefix, i))
    return out


def assert_same_load(text: str, name: str = "x.yaml") -> LoadedText:
    """``load_text(nodes=False)`` (the lint run's way) gives what the composing way (``nodes=True``) gives."""
    fast = load_text(text, name, nodes=False)
    full = load_text(text, name)
    assert fast.errors == full.errors, name
    assert len(fast.documents) == len(full.documents), name
    for a, b in zip(fast.documents, full.documents, strict=True):
        assert _same(a.data, b.data), (name, a.index)
        assert _fields(a) == _fields(b), (name, a.index)
        for path in _paths(a.data):
            for at_value in (False, True):
                assert a.locate(path, at_value=at_value) == b.locate(path, at_value=at_value), (name, path)
    return fast


def _composed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count the documents that go the composing way."""
    calls: list[str] = []
    compose = loader._compose

    def counting(body: str, memo: dict[tuple[str, Any], str]) -> Any:
        calls.append(body)
        return compose(body, memo)

    monkeypatch.setattr(loader, "_compose", counting)
    return calls


PLAIN = (
    "# Source: chart/templates/web.yaml\n"
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {app: web, 'tier': \"front\"}\n"
    "spec:\n  replicas: 3\n  paused: no\n  minReadySeconds: 0x1F\n  template:\n    spec:\n      containers:\n"
    "      - name: a\n        image: 'x:1'\n"
    "        args: [1, 1.5, 1e3, 1.0e+3, .inf, -.NaN, ~, null, '', \"\", =, <<]\n"
    "        env:\n        - {name: A, value: \"0755\"}\n        - name: B\n          value: 0755\n"
    "        command:\n        - |\n          echo $HOME # not a comment\n        - >-\n          folded\n"
    "        ports: []\n        resources: {}\n"
    "---\n"
    "just a scalar\n"
    "---\n"
    "# only a comment\n"
    "...\n"
    "---\n"
    "- [a, [b, [c]]]\n- {k: {j: {i: 2001-12-14}}}\n"
)


def test_plain_documents_take_the_event_way_and_load_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    composed = _composed(monkeypatch)
    loaded = load_text(PLAIN, "web.yaml", nodes=False)
    assert composed == []
    assert len(loaded.documents) == 4 and all(d.root is None and d.positions is not None for d in loaded.documents)
    assert loaded.documents[0].origin == "chart/templates/web.yaml"
    container = loaded.documents[0].data["spec"]["template"]["spec"]["containers"][0]
    assert container["args"][:4] == [1, 1.5, 1000.0, 1000.0] and container["env"][1]["value"] == 493
    monkeypatch.undo()
    assert_same_load(PLAIN, "web.yaml")


@pytest.mark.parametrize(("what", "text"), [
    ("an anchor and an alias", "a: &x {b: 1}\nc: *x\n"),
    ("an anchor only", "a: &x 1\n"),
    ("an anchored sequence", "a: &x [1]\n"),
    ("a merge key", "base: {a: 1}\nm:\n  <<: {a: 2, b: 3}\n  c: 4\n"),
    ("a duplicate key", "a: 1\nb: 2\na: 3\n"),
    ("a duplicate key three times", "k: {a: 1, a: 2, a: 3}\n"),
    ("a complex key", "? [a, b]\n: 1\nc: 2\n"),
    ("a tagged scalar", "a: !!str 1\nb: !!int '7'\nc: !custom x\n"),
    ("a tagged collection", "a: !!map {b: 1}\nc: !!seq [1]\n"),
    ("a bare ! tag", "a: ! 12\n"),
    ("an explicit merge tag", "a: {b: 1}\nc:\n  !!merge <<: {d: 1}\n"),
    ("a YAML-only line break", "a: 'x\u2028y'\nb: 1\n"),
    ("a syntax error", "a: [1, 2\nb: 3\n"),
    ("a bad value for its tag", "a: !!int abc\n"),
    ("an undefined alias", "a: *nope\n"),
    ("a plain key kubectl reads as a boolean", "a: 1\nb: {on: 2}\n"),
    ("a plain key kubectl reads as another number", "a: 1\n010: 2\n"),
    ("a float key", "a: 1\n1.0: 2\n"),
    ("a null key", "a: 1\n~: 2\n"),
    ("an empty key", "a: 1\n? \n: 2\n"),
    ("two keys kubectl reads as one", "yes: 1\non: 2\n"),
])
def test_what_the_event_way_does_not_handle_goes_the_composing_way(
    monkeypatch: pytest.MonkeyPatch, what: str, text: str
) -> None:
    composed = _composed(monkeypatch)
    load_text(text, "x.yaml", nodes=False)
    assert composed, what
    monkeypatch.undo()
    assert_same_load(text)


def test_quoted_merge_key_and_dollar_keys_stay_on_the_event_way(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "'<<': {a: 1}\n\"<<x\": 2\n$patch: delete\nurl: 'https://x?a=1&b=2'\nnot: 'a !tag'\n"
    composed = _composed(monkeypatch)
    doc = load_text(text, "x.yaml", nodes=False).documents[0]
    assert composed == []
    assert doc.data == {"<<": {"a": 1}, "<<x": 2, "$patch": "delete", "url": "https://x?a=1&b=2", "not": "a !tag"}
    monkeypatch.undo()
    assert_same_load(text)


def test_keys_kubectl_reads_as_written_stay_on_the_event_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a plain key that kubectl reads as other text leaves the event way: not its quoted form, nor canonical
    numbers and booleans, nor strings that only start like a number."""
    text = "true: 1\n1: 2\n'on': 3\n-3: 4\n2024-01-31: 5\n\"010\": 6\nyes-no: 7\n8080-8090: 8\nfalse: 9\n"
    composed = _composed(monkeypatch)
    load_text(text + "---\n" + text, "x.yaml", nodes=False)  # the second document from the memo of known keys
    assert composed == []
    monkeypatch.undo()
    assert assert_same_load(text).documents[0].key_reads is None


def test_directive_found_in_an_event_built_document(monkeypatch: pytest.MonkeyPatch) -> None:
    text = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n"
            "      containers:\n      - name: a\n        $patch: delete\n")
    composed = _composed(monkeypatch)
    doc = load_text(text, "web.yaml", nodes=False).documents[0]
    assert composed == []
    resource = next(resources_of(doc))
    assert is_patch(resource, ResourceIndex((resource,)))


def test_errors_of_the_event_way_are_the_composing_ways() -> None:
    deep = "a:\n" + "".join("  " * i + "- b:\n" for i in range(1, 260)) + "  " * 260 + "- 1\n"
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    for text in (deep, bomb, "a: b: c\n", "a: \x07\n", "[" * 600 + "]" * 600 + "\n", deep.replace("- b:", "- &x b:")):
        loaded = assert_same_load(text)
        assert loaded.errors, text[:40]


def test_suppression_comments_skip_quoted_and_block_scalars() -> None:
    text = ("a: 1  # guardlint: ignore r -- why\n"
            "b: 'x # guardlint: ignore q -- data'\n"
            "b2: \"y # guardlint: ignore p -- data\"\n"
            "e: >\n  z # guardlint: ignore o -- data\n"
            "c: |\n  # guardlint: ignore s -- data\n"
            "d: 2\n")
    doc = assert_same_load(text).documents[0]
    assert [d.rules for d in doc.directives] == [("r",)]


def test_plain_scalars_are_resolved_once_per_file(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    plain_value = loader.LoadMemo.plain_value

    def counting(self: loader.LoadMemo, text: str) -> Any:
        calls.append(text)
        return plain_value(self, text)

    monkeypatch.setattr(loader.LoadMemo, "plain_value", counting)
    unit = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {replicas: '3', enabled: yes}\n"
    load_text("---\n".join([unit] * 50), "many.yaml", nodes=False)
    assert sorted(calls) == ["ConfigMap", "a", "v1", "yes"]  # keys are never resolved; values once each


def test_plain_scalars_are_resolved_once_per_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``load_inputs`` shares one ``LoadMemo`` between the files of a run; the data is what loading each file
    alone gives, including values that are not strings (shared between files, as they are immutable)."""
    from guardlint.api import load_inputs
    from guardlint.source.files import Input

    calls: list[str] = []
    plain_value = loader.LoadMemo.plain_value

    def counting(self: loader.LoadMemo, text: str) -> Any:
        calls.append(text)
        return plain_value(self, text)

    unit = "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\ndata: {{m: 3, up: yes, t: 2001-12-14}}\n"
    paths = []
    for name in ("a", "b", "c"):
        path = tmp_path / f"{name}.yaml"
        path.write_text(unit.format(name=name), encoding="utf-8")
        paths.append(str(path))
    alone = [load_text(unit.format(name=name), p, nodes=False) for name, p in zip("abc", paths, strict=True)]
    monkeypatch.setattr(loader.LoadMemo, "plain_value", counting)
    together = load_inputs([Input(p, p) for p in paths], 1 << 20)
    assert sorted(calls) == ["2001-12-14", "3", "ConfigMap", "a", "b", "c", "v1", "yes"]
    for one, run in zip(alone, together, strict=True):
        assert [repr(d.data) for d in one.documents] == [repr(d.data) for d in run.documents]
        assert [d.positions for d in one.documents] == [d.positions for d in run.documents]


def test_fixtures_load_the_same_both_ways() -> None:
    files = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
    assert len(files) > 100
    for p in files:
        assert_same_load(p.read_text(encoding="utf-8", errors="replace"), p.name)


_TOKENS = ["a", "b", "1", "0755", "yes", "~", "1.5", "'q'", '"d"', ": ", ":", "- ", "-", "\n", "  ", "{", "}",
           "[", "]", ", ", "#c", " # guardlint: ignore r -- x", "&x ", "*x", "!!str ", "<<", "---\n", "...\n",
           "? ", "|\n  t\n", "$patch", "\t", "é", "\U0001F600"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=40))
def test_any_text_loads_the_same_both_ways(tokens: list[str]) -> None:
    assert_same_load("".join(tokens))


_MARKER = re.compile(r"^(---|\.\.\.)(?=[ \t\r\n]|$)", re.MULTILINE)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["---", "...", "\n", " ", "\t", "\r", "%YAML 1.1\n", "a", "-", ".", "#"]),
                max_size=30))
def test_markers_are_found_where_the_regular_expression_finds_them(parts: list[str]) -> None:
    text = "".join(parts)
    assert loader._markers(text) == [(m.start(), m.group(1)) for m in _MARKER.finditer(text)]
    assert "".join(c.text for c in split_documents(text)) == text


def test_keys_and_short_plain_strings_are_shared_across_files() -> None:
    """A run holds every object: a key or a short plain string repeated in every object is one string."""
    text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
    # Built at run time, so neither text shares the compiler's constants with the other or with this test.
    first = load_text("".join(list(text)), "a.yaml", nodes=False).documents[0].data
    second = load_text("".join(list(text)), "b.yaml", nodes=False).documents[0].data
    key_a = next(k for k in first if k == "apiVersion")
    key_b = next(k for k in second if k == "apiVersion")
    assert key_a is key_b
    assert first["kind"] is second["kind"] and first["metadata"]["name"] is second["metadata"]["name"]


def test_events_come_from_the_loaders_own_parser() -> None:
    """The event way reads libyaml's bare parser (no constructor or resolver set up per document): the same
    ``get_event`` as the composing loader's, so the same events."""
    assert issubclass(loader.yaml_loader(), loader._events_parser())
    assert loader._events_parser().get_event is loader.yaml_loader().get_event
    text = "a: [1, {b: c}]\n"
    bare, full = loader._events_parser()(text), loader.yaml_loader()(text)
    try:
        seen = 0
        while (one := bare.get_event()) is not None:
            two = full.get_event()
            assert type(one) is type(two) and one.start_mark.index == two.start_mark.index
            seen += 1
        assert full.get_event() is None and seen == 14
    finally:
        bare.dispose()
        full.dispose()


def _resolved_for_kubernetes(text: str) -> Any:
    """A plain scalar's value as Kubernetes' YAML decoder reads it (``resolve_plain``; "<<" as a value is text)."""
    from guardlint.source.scalars import MERGE, resolve_plain

    tag, value = resolve_plain(text)
    return text if tag == MERGE else value


_PLAIN_TEXTS = ["", "a", "nginx", "null", "Null", "no", "n", "on", "off", "yes", "y", "true", "True", "TRUE", "t",
                "~", "0", "0755", "0x1F", "0b101", "1_000", "1.5", "1e3", "1.0e+3", ".inf", "-.inf", ".NaN", ".5",
                "-1", "+1", "=", "<<", "<", "!", "&", "*", "2001-12-14", "1:20", "190:20:30", "app", "$patch",
                "é", "\U0001F600", "Off", "FALSE", "fAlse", "-", "+", ".", "0o17", "3.", "nullx", "Yes!"]


@settings(max_examples=600, deadline=None)
@given(st.one_of(st.sampled_from(_PLAIN_TEXTS), st.text(max_size=6),
                 st.builds(lambda a, b: a + b, st.sampled_from(_PLAIN_TEXTS), st.text(max_size=3))))
def test_plain_values_are_what_kubernetes_reads(text: str) -> None:
    """``plain_value`` (the event way) and the composing way give each plain scalar the value, of the same
    type, that Kubernetes' decoder gives it."""
    assert _same(loader.LoadMemo().plain_value(text), _resolved_for_kubernetes(text))
    plain = text.strip() == text and all(c.isprintable() and c not in "#:{}[],&*!|>'\"%@`?-" for c in text)
    if text and plain:  # the composing way (the anchor sends the document there), where the text is plain YAML
        composed = loader.load_text(f"k: {text}\nz: &a 1\n", "x.yaml").documents
        if composed and isinstance(composed[0].data, dict) and "k" in composed[0].data:
            assert _same(composed[0].data["k"], _resolved_for_kubernetes(text))


def test_plain_values_never_ask_pyyamls_resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    asked: list[str] = []
    resolve = yaml.resolver.Resolver.resolve

    def counting(self: Any, kind: Any, value: str, implicit: Any) -> str:
        asked.append(value)
        return str(resolve(self, kind, value, implicit))

    monkeypatch.setattr(yaml.resolver.Resolver, "resolve", counting)
    memo = loader.LoadMemo()
    for text in ("nginx", "app", "", "null", "no", "y", "0755", "1.5", "1e3", "~", "-1", ".inf", "<<", "12:30"):
        memo.plain_value(text)
    assert asked == []


@given(st.lists(st.one_of(st.integers(min_value=-2, max_value=2**31 - 1), st.integers(min_value=-2, max_value=2**40)),
                min_size=1, max_size=50))
def test_position_arrays_are_what_the_array_constructor_makes(values: list[int]) -> None:
    from array import array

    from guardlint.source.events import position_array

    made = position_array(values, max(values))
    assert made == array("q", values)
    assert made.typecode == ("i" if max(values) < 2**31 else "q")
