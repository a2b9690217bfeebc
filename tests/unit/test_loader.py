"""The loader: YAML/JSON text -> documents with data, source positions, errors; and findings located in it.

Positions are checked through the real engine with a probe rule that reports the paths a test asks for,
so the same code path that places real findings is exercised.
"""

from __future__ import annotations

import codecs
import random
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

import guardlint
from guardlint.config.model import Config, make_plan
from guardlint.engine import lint_loaded
from guardlint.findings import ErrorKind, Finding, Location, Report
from guardlint.model.paths import FieldPath
from guardlint.model.resource import Resource, resources_of
from guardlint.model.workloads import default_table
from guardlint.rules.api import RuleContext, Severity, Violation, rule
from guardlint.rules.core import rules as core_rules
from guardlint.rules.registry import build_registry
from guardlint.source import loader
from guardlint.source.files import decode
from guardlint.source.loader import MAX_DEPTH, detect_unrendered_template, load_text, split_documents
from guardlint.source.sourcemap import locate

# --- helpers -------------------------------------------------------------------------------------------


@rule(code="TST001", name="probe", title="Reports the paths the test asks for", severity=Severity.ERROR,
      pack="test", remediation="Nothing to do.")
def _probe(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """Reports each path of ``options["probe"]`` on every object (``options["at_value"]`` for values)."""
    for path in ctx.options.get("probe", ()):
        yield Violation(tuple(path), "probe", at_value=bool(ctx.options.get("at_value")))


_REGISTRY = build_registry([core_rules(), [_probe]])


def lint(text: str, *paths: FieldPath, file: str = "m.yaml", at_value: bool = False) -> Report:
    """Lint ``text`` with the probe reporting ``paths`` on every object (plus the core rules)."""
    cfg = Config(select=("probe", "duplicate-key"), options={"probe": paths, "at_value": at_value})
    plan = make_plan(_REGISTRY, cfg, workloads=default_table())
    return lint_loaded([load_text(text, file)], plan, raise_errors=True)


def probes(report: Report) -> list[tuple[str | None, int, int, bool]]:
    """(object name, line, column, exact) of each probe finding, in report order."""
    return [(f.resource.name if f.resource else None, f.line, f.column, f.exact) for f in report.findings
            if f.rule == "probe"]


def pod(name: str, extra: str = "") -> str:
    return (f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n    - name: c\n"
            f"      image: nginx:1.27\n{extra}")


# --- multi-document streams ----------------------------------------------------------------------------


def test_documents_after_the_first_have_file_positions() -> None:
    text = pod("a") + "---\n" + pod("b") + "---\n\n# comment\n" + pod("c")
    report = lint(text, ("spec", "containers", 0, "image"))
    assert not report.errors
    # pod() is 8 lines; "---" adds one, the third document also has a blank and a comment line.
    assert probes(report) == [("a", 8, 7, True), ("b", 17, 7, True), ("c", 28, 7, True)]
    assert [f.document_index for f in report.findings] == [0, 1, 2]


def test_document_spans_and_content_lines() -> None:
    lt = load_text("a: 1\n---\nb: 2\n---\n\n# c\nc: 3\n", "x.yaml")
    assert [(d.index, d.start_line, d.end_line, d.content_line, d.data) for d in lt.documents] == [
        (0, 1, 1, 1, {"a": 1}),
        (1, 2, 3, 3, {"b": 2}),
        (2, 4, 7, 7, {"c": 3}),
    ]


def test_empty_documents_are_skipped_not_errors() -> None:
    text = "---\n---\n# only a comment\n---\n" + pod("a") + "---\n...\n"
    report = lint(text, ("metadata",))
    assert not report.errors
    assert report.resources == 1
    assert probes(report) == [("a", 7, 1, True)]
    assert all(s.reason == "empty document" for s in report.skipped)
    assert [s.line for s in report.skipped] == [1, 2, 13]  # an empty document's "content" is where it starts


def test_comment_only_and_empty_text_hold_no_documents() -> None:
    assert load_text("", "x.yaml").documents == ()
    assert load_text("# nothing here\n\n", "x.yaml").documents == ()
    assert load_text("", "x.yaml").errors == ()


def test_marker_with_content_on_the_same_line() -> None:
    text = "--- {apiVersion: v1, kind: Pod, metadata: {name: a}}\n--- # a comment\n" + pod("b") + "--- >\n  folded\n"
    report = lint(text, ("metadata", "name"))
    # The folded scalar is a document that is not a mapping among objects: kubectl fails on it (not-an-object),
    # located at its content, on the marker line.
    assert [(e.kind.slug, e.line, e.column) for e in report.errors] == [("not-an-object", 11, 5)]
    assert probes(report) == [("a", 1, 44, True), ("b", 6, 3, True)]
    assert load_text(text, "x").documents[2].data == "folded\n"


def test_block_mapping_on_the_marker_line_is_a_located_syntax_error() -> None:
    # libyaml (and go-yaml, which Kubernetes uses) reject a block mapping that starts on the '---' line.
    lt = load_text("--- a: 1\n--- {b: 2}\n", "x.yaml")
    assert [(e.kind, e.line, e.column) for e in lt.errors] == [(ErrorKind.YAML_SYNTAX, 1, 6)]
    assert [d.data for d in lt.documents] == [{"b": 2}]


def test_yaml_directives_stay_with_their_document() -> None:
    text = "%YAML 1.1\n%TAG !e! tag:example.com,2000:\n---\n" + pod("a") + "...\n%YAML 1.2\n---\n" + pod("b")
    lt = load_text(text, "x.yaml")
    assert not lt.errors
    assert [(d.start_line, d.content_line) for d in lt.documents] == [(1, 4), (13, 15)]
    assert probes(lint(text, ("kind",))) == [("a", 5, 1, True), ("b", 16, 1, True)]


def test_document_end_markers_without_a_following_marker() -> None:
    lt = load_text("a: 1\n...\nb: 2\n...\n", "x.yaml")
    assert not lt.errors
    assert [(d.data, d.start_line) for d in lt.documents] == [({"a": 1}, 1), ({"b": 2}, 3)]


def test_markers_inside_block_scalars_do_not_split() -> None:
    lt = load_text("a: |\n  ---\n  text\n  ...\nb: 1\n", "x.yaml")
    assert not lt.errors
    assert [d.data for d in lt.documents] == [{"a": "---\ntext\n...\n", "b": 1}]


def test_split_documents_offsets() -> None:
    chunks = split_documents("a: 1\n---\nb: 2\n")
    assert [(c.line, c.offset, c.end_line) for c in chunks] == [(0, 0, 0), (1, 5, 2)]


def test_syntax_error_in_document_two_of_three_leaves_the_others_linted() -> None:
    text = pod("a") + "---\nkind: [unclosed\n---\n" + pod("c")
    report = lint(text, ("metadata", "name"))
    assert [(e.kind, e.file, e.line) for e in report.errors] == [(ErrorKind.YAML_SYNTAX, "m.yaml", 11)]
    assert probes(report) == [("a", 4, 3, True), ("c", 15, 3, True)]


# --- JSON ----------------------------------------------------------------------------------------------

_JSON_POD = """{
\t"apiVersion": "v1",
\t"kind": "Pod",
\t"metadata": {"name": "j"},
\t"spec": {
\t\t"containers": [
\t\t\t{"name": "c", "image": "nginx:1.27", "args": ["a\\tb"]}
\t\t]
\t}
}
"""


@pytest.mark.parametrize("file", ["pod.json", "pod.yaml", "-"], ids=["json-name", "yaml-name", "stdin"])
def test_tab_indented_json_loads_with_positions(file: str) -> None:
    report = lint(_JSON_POD, ("spec", "containers", 0, "image"), file=file)
    assert not report.errors
    assert probes(report) == [("j", 7, 18, True)]  # a tab is one column
    doc = load_text(_JSON_POD, file).documents[0]
    assert doc.data["spec"]["containers"][0]["args"] == ["a\tb"]  # an escaped tab in a string stays a tab


def test_tabs_in_quoted_strings_of_flow_yaml_stay_data() -> None:
    (doc,) = load_text("[\t'a\tb',\t\"c\td\", 'it''s\t']\n", "-").documents
    assert doc.data == ["a\tb", "c\td", "it's\t"]


def test_single_line_json() -> None:
    text = '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "j"}, "spec": {"containers": []}}'
    assert probes(lint(text, ("spec", "containers"), file="p.json")) == [("j", 1, text.index('"containers"') + 1, True)]


# --- kind: List ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("api_version", ["rbac.authorization.k8s.io/v1", "apps/v1", "v1", "List"])
def test_a_list_of_any_api_version_is_read_as_kubectl_reads_it(api_version: str) -> None:
    """kubectl applies the items of a ``*List`` whatever its apiVersion (kube-prometheus ships
    ``rbac.authorization.k8s.io/v1 RoleList``): each item is an object of its own."""
    text = f"""apiVersion: {api_version}
kind: RoleList
items:
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata: {{name: reader, namespace: ops}}
    rules: [{{apiGroups: [""], resources: [pods], verbs: [get]}}]
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata: {{name: admin, namespace: ops}}
    rules: [{{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}}]
"""
    doc = load_text(text, "l.yaml").documents[0]
    assert [(r.kind, r.name, r.prefix) for r in resources_of(doc)] == [("Role", "reader", ("items", 0)),
                                                                     ("Role", "admin", ("items", 1))]
    report = guardlint.lint_text(text, "l.yaml", select=["wildcard-rbac-rule"])
    assert {(f.rule, f.resource.name if f.resource else None, f.line) for f in report.findings} == {
        ("wildcard-rbac-rule", "admin", 11)}


def test_list_items_are_resources_with_prefix_and_lines() -> None:
    text = """apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: one}
  - apiVersion: v1
    kind: Pod
    metadata:
      name: two
    spec:
      containers: [{name: c, image: x}]
"""
    doc = load_text(text, "l.yaml").documents[0]
    resources = list(resources_of(doc))
    assert [(r.kind, r.name, r.prefix) for r in resources] == [("ConfigMap", "one", ("items", 0)),
                                                                ("Pod", "two", ("items", 1))]
    report = lint(text, ("metadata", "name"), ("metadata", "labels", "app"))
    found = [(f.resource.name if f.resource else None, f.path, f.line, f.column, f.exact)
             for f in report.findings]
    assert found == [
        # missing: placed on the nearest existing parent (the metadata key), full path kept
        ("one", ("metadata", "labels", "app"), 6, 5, False),
        ("one", ("metadata", "name"), 6, 16, True),
        ("two", ("metadata", "labels", "app"), 9, 5, False),
        ("two", ("metadata", "name"), 10, 7, True),
    ]


# --- byte order marks and line endings -----------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16-le", "utf-16-be", "utf-32"],
                         ids=["utf8-bom", "utf16le-bom", "utf16be-bom", "utf32-bom"])
def test_byte_order_marks(encoding: str) -> None:
    text = pod("é") + "      securityContext: {privileged: true}\n"
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
    result = decode(bom + text.encode(encoding), "bom.yaml")
    assert result.error is None and result.text is not None
    assert not result.text.startswith("\ufeff")
    report = lint(result.text, ("spec", "containers", 0, "securityContext", "privileged"))
    assert probes(report) == [("é", 9, 25, True)]


def test_bom_in_text_is_dropped() -> None:
    assert probes(lint("\ufeff" + pod("a"), ("kind",))) == [("a", 2, 1, True)]


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "lone-cr"])
def test_other_line_endings_keep_lines_and_columns(newline: str) -> None:
    text = pod("a") + "---\n" + pod("b")
    paths = (("spec", "containers", 0, "image"), ("metadata",))
    expected = probes(lint(text, *paths))
    assert probes(lint(text.replace("\n", newline), *paths)) == expected
    raw = decode(text.replace("\n", newline).encode(), "x.yaml").text
    assert raw == text


def test_yaml_only_line_breaks_do_not_shift_lines() -> None:
    # YAML breaks lines at U+2028/U+2029/U+0085 too; editors and git do not, so neither do positions.
    text = pod("a", "      args: ['x\x85y', 'one\u2028two', \"\u2029\"]\n") + \
        "      securityContext: {privileged: true}\n"
    report = lint(text, ("spec", "containers", 0, "securityContext", "privileged"))
    assert probes(report) == [("a", 10, 25, True)]
    args = load_text(text, "x").documents[0].data["spec"]["containers"][0]["args"]
    assert args == ["x y", "one\u2028two", "\u2029"]
    bad = load_text("a: 'x\u2028y'\nb: [1\n", "x.yaml")
    assert [(e.line, e.column) for e in bad.errors] == [(3, 1)]
    # In a comment, U+2028 ends the comment for YAML: the rest is content, and the error says where.
    broken = load_text("# c\u2028 rest\nkey: 1\n", "x.yaml")
    assert [(e.line, e.column) for e in broken.errors] == [(2, 4)]


# --- anchors, aliases and merge keys -------------------------------------------------------------------

_MERGE = """defaults: &defaults
  image: nginx:1.27
  imagePullPolicy: Always
extra: &extra
  imagePullPolicy: Never
  workingDir: /extra
apiVersion: v1
kind: Pod
metadata: {name: m}
spec:
  containers:
    - <<: [*defaults, *extra]
      name: c
      imagePullPolicy: IfNotPresent
"""


def test_merge_keys_explicit_wins_and_earlier_sources_win() -> None:
    container = load_text(_MERGE, "m.yaml").documents[0].data["spec"]["containers"][0]
    assert container == {"name": "c", "imagePullPolicy": "IfNotPresent", "image": "nginx:1.27",
                         "workingDir": "/extra"}


def test_merged_fields_are_located_at_the_alias_they_come_through() -> None:
    c = ("spec", "containers", 0)
    report = lint(_MERGE, (*c, "image"), (*c, "imagePullPolicy"), (*c, "workingDir"), (*c, "missing"))
    assert probes(report) == [
        ("m", 12, 7, False),  # missing: the container item
        ("m", 12, 12, True),  # image comes from &defaults, through *defaults
        ("m", 12, 23, True),  # workingDir from &extra (defaults has none), through *extra
        ("m", 14, 7, True),  # imagePullPolicy is explicit
    ]


_ALIASED = """apiVersion: v1
kind: Pod
metadata: {name: m}
spec:
  containers:
    - name: a
      securityContext: &sc
        privileged: true
    - name: b
      securityContext: *sc
    - &base
      name: c
      resources: {limits: {cpu: "1"}}
    - <<: *base
      name: d
    - {<<: {image: x}, name: e}
"""


def test_what_an_alias_brings_is_located_at_the_alias() -> None:
    sc = ("securityContext",)
    report = lint(_ALIASED, *[("spec", "containers", i, *sc) for i in (0, 1)],
                  *[("spec", "containers", i, *sc, "privileged") for i in (0, 1)],
                  *[("spec", "containers", i, *sc, "missing") for i in (0, 1)],
                  *[("spec", "containers", i, "resources", "limits", "cpu") for i in (2, 3)],
                  ("spec", "containers", 4, "image"))
    assert probes(report) == [
        ("m", 7, 7, True),  # the anchor's own object: at its key
        ("m", 7, 7, False),  # a missing field of it: at the key
        ("m", 8, 9, True),
        ("m", 10, 7, True),  # the aliased value's own key is this object's
        ("m", 10, 7, False),  # missing under the alias: at the key that holds it
        ("m", 10, 24, True),  # a field inside the aliased value: at the alias
        ("m", 13, 28, True),
        ("m", 14, 11, True),  # a key the merge brings: at *base
        ("m", 16, 13, True),  # an inline merge source is this object's text: at its key
    ]


def test_an_aliased_value_spans_the_key_to_the_alias_and_at_value_is_the_alias() -> None:
    doc = load_text(_ALIASED, "m.yaml", nodes=False).documents[0]
    assert doc.root is not None and doc.positions is None
    path = ("spec", "containers", 1, "securityContext")
    assert doc.locate(path) == (Location(10, 7, 10, 27), True)
    assert doc.locate(path, at_value=True) == (Location(10, 24, 10, 27), True)
    assert doc.locate(("spec", "containers", 0, "securityContext"), at_value=True)[0].line == 7  # &sc
    assert set(doc.aliases) == {("spec", "containers", 1, "securityContext"), ("spec", "containers", 3, "<<")}
    assert load_text("a: 1\n", "x.yaml").documents[0].aliases == {}


def test_aliases_expand_to_equal_data() -> None:
    data = load_text("a: &x {k: [1, 2]}\nb: *x\nc: [*x, *x]\n", "x").documents[0].data
    assert data == {"a": {"k": [1, 2]}, "b": {"k": [1, 2]}, "c": [{"k": [1, 2]}, {"k": [1, 2]}]}


def test_many_legitimate_aliases_are_within_the_budget() -> None:
    text = "base: &b {cpu: 100m, memory: 128Mi}\nitems:\n" + "".join(f"  - {{name: n{i}, r: *b}}\n"
                                                                     for i in range(5000))
    lt = load_text(text, "x")
    assert not lt.errors
    assert len(lt.documents[0].data["items"]) == 5000


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("a: &a [*a]\n", "recursive alias", 1, 4),
        ("a: &a {<<: *a, b: 1}\n", "recursive alias", 1, 4),
        ("a: &a 1\nb: {<<: *a, c: 1}\n", "needs a mapping or a list of mappings, found a scalar", 1, 4),
        ("b: {<<: [{x: 1}, 2]}\n", "found a list holding other values", 1, 9),
    ],
    ids=["recursive-sequence", "recursive-merge", "merge-of-scalar", "merge-of-mixed-list"],
)
def test_bad_aliases_and_merges_are_located_errors(text: str, message: str, line: int, column: int) -> None:
    lt = load_text(text, "x.yaml")
    assert lt.documents == ()
    assert [(e.line, e.column) for e in lt.errors] == [(line, column)]
    assert message in lt.errors[0].message


def test_merge_bomb_of_empty_mappings_is_fast_and_small() -> None:
    # 9 merges of 9 merges ... of an empty mapping: nothing grows, so it loads, at once.
    lines = ["a0: &a0 {}"] + [f"a{i}: &a{i} {{<<: [{', '.join([f'*a{i - 1}'] * 9)}]}}" for i in range(1, 10)]
    started = time.perf_counter()
    lt = load_text("\n".join(lines) + "\n", "x.yaml")
    assert time.perf_counter() - started < 10  # milliseconds unloaded: a hang guard
    assert not lt.errors
    assert lt.documents[0].data == {f"a{i}": {} for i in range(10)}


def test_merge_bomb_of_a_shared_large_value_is_refused() -> None:
    # Merging shares values, so the data would grow without much work: the data size still counts.
    text = "big: &big [" + ", ".join(["1"] * 20_000) + "]\nm0: &m0 {v: *big}\n" + "".join(
        f"m{i}: &m{i} {{<<: *m{i - 1}, k{i}: 1}}\n" for i in range(1, 200)
    )
    assert [e.kind for e in load_text(text, "x.yaml").errors] == [ErrorKind.ALIAS_BOMB]


def test_long_merge_chain_is_bounded_and_short_one_locates() -> None:
    def chain(n: int) -> str:
        return "a0: &a0 {x: 1}\n" + "".join(f"a{i}: &a{i} {{<<: *a{i - 1}, y{i}: 1}}\n" for i in range(1, n))

    assert [e.kind for e in load_text(chain(3000), "x").errors] == [ErrorKind.ALIAS_BOMB]
    # The work is counted, not timed: the budget (proportional to the text) admits the chain only because a
    # merged source is built once and shared, not rebuilt for each mapping that merges it (2**400 units).
    loaded = load_text(chain(400), "x")
    assert loaded.errors == ()
    doc = loaded.documents[0]
    assert doc.data["a399"]["x"] == 1
    location, exists = locate(doc.root, ("a399", "x"), doc.line_offset)
    assert exists and (location.line, location.column) == (1, 10)
    location, exists = locate(doc.root, ("a399", "nope"), doc.line_offset)
    assert not exists and location.line == 400


# --- duplicate keys ------------------------------------------------------------------------------------


def test_duplicate_keys_are_reported_with_both_lines() -> None:
    text = pod("d") + "      image: nginx:1.28\n"
    lt = load_text(text, "x.yaml")
    assert [(d.path, d.line, d.column, d.first_line) for d in lt.documents[0].duplicate_keys] == [
        (("spec", "containers", 0, "image"), 9, 7, 8)
    ]
    report = lint(text)
    (dup,) = [f for f in report.findings if f.rule == "duplicate-key"]
    assert (dup.line, dup.column, dup.path) == (9, 7, ("spec", "containers", 0, "image"))
    assert "first on line 8" in dup.message
    assert lt.documents[0].data["spec"]["containers"][0]["image"] == "nginx:1.28"  # the last one wins


def test_duplicate_inside_an_aliased_mapping_is_reported_once() -> None:
    lt = load_text("a: &a {k: 1, k: 2}\nb: *a\nc: *a\n", "x.yaml")
    assert [(d.path, d.line) for d in lt.documents[0].duplicate_keys] == [(("a", "k"), 1)]


# --- scalars -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("nodes", [True, False])
@pytest.mark.parametrize("anchor", ["", "&x "])  # an anchor sends the document through the composing way
def test_plain_scalars_as_kubernetes_reads_them(nodes: bool, anchor: str) -> None:
    """Plain scalars mean what go-yaml v2 (sigs.k8s.io/yaml: kubectl, Helm, the API server) reads, where
    PyYAML's YAML 1.1 resolver differs (its reading in the comments)."""
    text = f"""a: {anchor}yes
b: No
c: on
d: OFF
e: y
f: 0755
g: 0x1f
h: 1_000
i: 1e3
j: 1.0e3
k: 1.0e+3
l: 0.5
m: 0o17
n: 1:20
o: ~
p: .inf
q: 09
r: +.5
s: N
t: 0X1F
u: 1e999
v: 18446744073709551615
w: 9_9.5e-1
x: '1e3'
y: 12:30:00
z: "y"
"""
    data = load_text(text, "x", nodes=nodes).documents[0].data
    assert data == {
        "a": True, "b": False, "c": True, "d": False,
        "e": True,  # PyYAML: "y"
        "f": 493, "g": 31, "h": 1000,
        "i": 1000.0, "j": 1000.0,  # PyYAML: strings (its floats need a dot and a signed exponent)
        "k": 1000.0, "l": 0.5,
        "m": 15,  # PyYAML: "0o17"
        "n": "1:20",  # PyYAML: 80 (base 60)
        "o": None, "p": float("inf"),
        "q": 9.0,  # not an octal integer, but a float to Go (PyYAML: "09")
        "r": 0.5,  # PyYAML: "+.5"
        "s": False, "t": 31,
        "u": "1e999",  # a float that overflows stays a string
        "v": 18446744073709551615,  # uint64
        "w": 9.95,
        "x": "1e3", "y": "12:30:00", "z": "y",  # quoted, and base 60 is no number
    }
    assert type(data["k"]) is float and type(data["f"]) is int and type(data["i"]) is float


def test_explicit_tags_keep_their_conversion() -> None:
    data = load_text("a: !!float 1\nb: !!str 1e3\nc: !!bool y\nd: !!int 0o17\n", "x").documents[0].data
    assert data == {"a": 1.0, "b": "1e3", "c": True, "d": 15}
    assert type(data["a"]) is float


def test_timestamps_and_binary_stay_strings() -> None:
    data = load_text("t: 2001-12-14t21:59:43.10-05:00\nd: 2002-12-14\nb: !!binary aGVsbG8=\n", "x").documents[0].data
    assert data == {"t": "2001-12-14t21:59:43.10-05:00", "d": "2002-12-14", "b": "aGVsbG8="}


def test_non_string_keys_keep_their_text() -> None:
    data = load_text("1: a\ntrue: b\nnull: c\n1.5: d\n[1, 2]: e\n{x: 1}: f\n", "x").documents[0].data
    assert data == {"1": "a", "true": "b", "null": "c", "1.5": "d",
                    "<complex key at line 5>": "e", "<complex key at line 6>": "f"}


@pytest.mark.parametrize(
    ("text", "message"),
    [("a: !!int abc\n", "cannot read 'abc' as !!int"), ("a: !!bool maybe\n", "cannot read 'maybe' as !!bool"),
     ("a: !!float x\n", "cannot read 'x' as !!float"), ('a: !!int ""\n', "cannot read '' as !!int")],
    ids=["int", "bool", "float", "empty-int"],
)
def test_explicit_tags_that_cannot_read_their_value_are_errors(text: str, message: str) -> None:
    lt = load_text("x: 1\n---\n" + text, "x.yaml")
    assert [(e.kind, e.line, e.column, e.message) for e in lt.errors] == [(ErrorKind.YAML_SYNTAX, 3, 4, message)]
    assert [d.data for d in lt.documents] == [{"x": 1}]


@pytest.mark.parametrize("loader_name", ["CSafeLoader", "SafeLoader"], ids=["libyaml", "pure-python"])
def test_disallowed_characters_are_located(loader_name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # libyaml reports a byte offset, PyYAML a character offset: both must come out as the same place.
    chosen = getattr(yaml, loader_name, yaml.SafeLoader)
    monkeypatch.setattr(loader, "yaml_loader", lambda: chosen)
    lt = load_text("x: 1\n---\né😀: 1\nb: x\x07y\n", "x.yaml")
    assert [(e.kind, e.line, e.column, e.message) for e in lt.errors] == [
        (ErrorKind.YAML_SYNTAX, 4, 5, "character U+0007 is not allowed in YAML (a control or non-printable character)")
    ]
    assert [d.data for d in lt.documents] == [{"x": 1}]


def test_lone_surrogate_in_text_is_an_encoding_error() -> None:
    lt = load_text("x: 1\n---\nb: \ud800\n", "x.yaml")
    assert [(e.kind, e.line, e.column) for e in lt.errors] in (
        [(ErrorKind.ENCODING, 3, 4)],  # libyaml cannot even encode it
        [(ErrorKind.YAML_SYNTAX, 3, 4)],  # the pure-Python reader rejects it as a character
    )


def test_unknown_tags_are_plain_data() -> None:
    data = load_text("a: !!python/object:os.system echo\nb: !custom {x: 1}\n", "x").documents[0].data
    assert data == {"a": "echo", "b": {"x": 1}}


# --- depth ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [lambda n: "[" * n + "]" * n, lambda n: "- " * n + "x", lambda n: "? " * n + "x",
     lambda n: "".join(" " * i + f"k{i}:\n" for i in range(n - 1)) + " " * (n - 1) + "- x"],
    ids=["flow", "block-sequence", "block-key", "block-indentation"],
)
def test_depth_limit_is_exact(make: Any) -> None:
    ok = load_text(make(MAX_DEPTH) + "\n", "x.yaml")
    assert not ok.errors and len(ok.documents) == 1
    deep = load_text(make(MAX_DEPTH + 1) + "\n", "x.yaml")
    assert [e.kind for e in deep.errors] == [ErrorKind.TOO_DEEP]


def test_depth_error_is_located_at_the_first_level_too_many() -> None:
    lt = load_text("ok: 1\n---\na: " + "[" * 600 + "]" * 600 + "\n", "x.yaml")
    assert [(e.line, e.column) for e in lt.errors] == [(3, 4 + MAX_DEPTH - 1)]


@pytest.mark.parametrize("levels", [10_000, 100_000])
def test_very_deep_flow_nesting_is_rejected_without_recursion(levels: int) -> None:
    # libyaml (>= 0.2.5) stops scanning at 1000 flow levels; that is still reported as too deep.
    lt = load_text("a: " + "[" * levels + "]" * levels + "\n", "x.yaml")
    assert [e.kind for e in lt.errors] == [ErrorKind.TOO_DEEP]
    assert lt.errors[0].line == 1


# --- the C and the pure-Python loader ------------------------------------------------------------------

_CORPUS = [
    pod("a") + "---\n" + pod("b"),
    _MERGE,
    _JSON_POD.replace("\t", "  "),
    "a: é\nb: [1, {c: 😀😀}]\nd: |\n  x\n  y\ne: >-\n  folded\n  text\nf: 'q''t'\ng: \"dq\\n\"\n",
    "a: 1\r\nb:\r\n  - x\r\n",
    "? [complex]\n: value\n? |\n  block key\n: v\n",
    "%YAML 1.1\n---\n!!map {a: !!str 1, b: &x [1, 2], c: *x}\n...\n",
    "a: x\u2028y\n",
    "- - - x\n  - y\n- z\n",
]


def _marks(node: yaml.Node) -> list[tuple[str, int, int, int, int, int, int]]:
    out = []
    stack = [node]
    while stack:
        n = stack.pop(0)
        s, e = n.start_mark, n.end_mark
        out.append((type(n).__name__, s.line, s.column, s.index, e.line, e.column, e.index))
        if isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
        elif isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                stack.extend((k, v))
    return out


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="libyaml is not installed")
@pytest.mark.parametrize("text", _CORPUS, ids=[f"corpus{i}" for i in range(len(_CORPUS))])
def test_c_and_python_composers_give_the_same_marks(text: str) -> None:
    if text.endswith("\u2028y\n"):
        # Both break the plain scalar at U+2028 and fail the same way.
        with pytest.raises(yaml.YAMLError) as c_err:
            list(yaml.compose_all(text, Loader=yaml.CSafeLoader))
        with pytest.raises(yaml.YAMLError) as py_err:
            list(yaml.compose_all(text, Loader=yaml.SafeLoader))
        c_mark, py_mark = c_err.value.problem_mark, py_err.value.problem_mark  # type: ignore[attr-defined]
        assert (c_mark.line, c_mark.column) == (py_mark.line, py_mark.column)
        return
    c_nodes = list(yaml.compose_all(text, Loader=yaml.CSafeLoader))
    py_nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    assert [_marks(n) for n in c_nodes] == [_marks(n) for n in py_nodes]


@pytest.mark.parametrize(
    "text",
    ["a: [1, 2\nb: 3\n", "a: 'x\n", "a:\n  - b\n c: d\n", "a: b: c\n", "{a: 1,, b}\n", "a: @x\n", "\tb: 1\n"],
    ids=["flow", "quote", "indent", "mapping-values", "double-comma", "reserved", "tab"],
)
def test_c_and_python_parsers_agree_where_an_error_is(text: str) -> None:
    def mark(loader_cls: Any) -> tuple[int, int]:
        with pytest.raises(yaml.MarkedYAMLError) as err:
            yaml.compose(text, Loader=loader_cls)
        m = err.value.problem_mark
        assert m is not None
        return m.line, m.column

    assert mark(yaml.CSafeLoader) == mark(yaml.SafeLoader)


def _summary(text: str) -> tuple[Any, ...]:
    lt = load_text(text, "x.yaml")
    return (
        [(e.kind, e.line, e.column) for e in lt.errors],
        [(d.index, d.start_line, d.end_line, d.content_line, d.data, d.duplicate_keys) for d in lt.documents],
    )


@pytest.mark.parametrize(
    "text",
    [*_CORPUS[:-2], "a: [1, 2\n---\nb: 1\n", "a: &a [*a]\n", "x: 1\nx: 2\n", "[" * 501 + "]" * 501 + "\n"],
    ids=[*(f"corpus{i}" for i in range(len(_CORPUS) - 2)), "error", "recursive", "duplicate", "too-deep"],
)
def test_load_text_is_the_same_with_the_pure_python_loader(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with_c = _summary(text)
    monkeypatch.setattr(loader, "yaml_loader", lambda: yaml.SafeLoader)
    assert _summary(text) == with_c


# --- source positions ----------------------------------------------------------------------------------


def test_findings_point_at_the_key_of_the_field() -> None:
    text = pod("p", "      securityContext:\n        privileged: true\n")
    path = ("spec", "containers", 0, "securityContext", "privileged")
    assert probes(lint(text, path)) == [("p", 10, 9, True)]
    assert probes(lint(text, path, at_value=True)) == [("p", 10, 21, True)]
    f = lint(text, path).findings[0]
    assert (f.location.end_line, f.location.end_column) == (10, 25)


def test_missing_fields_point_at_the_nearest_parent_and_keep_the_path() -> None:
    text = pod("p")
    path = ("spec", "containers", 0, "securityContext", "runAsNonRoot")
    (f,) = lint(text, path).findings
    assert (f.line, f.column, f.exact, f.path) == (7, 7, False, path)  # the container item
    (g,) = lint(text, ("spec", "containers", 3, "name")).findings
    assert (g.line, g.column, g.exact) == (6, 3, False)  # no 4th container: the containers key
    (h,) = lint(text, ("status", "phase")).findings
    assert (h.line, h.column, h.exact) == (1, 1, False)  # nothing: the document itself


def test_locate_through_a_scalar_is_missing() -> None:
    doc = load_text("a: {b: 1}\n", "x").documents[0]
    location, exists = locate(doc.root, ("a", "b", "c"), doc.line_offset)
    assert not exists and (location.line, location.column) == (1, 5)


# --- Helm output ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("leading", ["---\n", ""], ids=["leading-marker", "no-leading-marker"])
def test_helm_source_headers_become_the_origin(leading: str) -> None:
    text = (leading + "# Source: chart/templates/a.yaml\n" + pod("a") + "---\n# Source: chart/templates/b.yaml\n"
            + pod("b") + "---\n" + pod("c"))
    report = lint(text, ("kind",))
    origins = [(f.resource.name if f.resource else None, f.origin) for f in report.findings]
    assert origins == [("a", "chart/templates/a.yaml"), ("b", "chart/templates/b.yaml"), ("c", None)]


def test_source_comment_inside_data_is_not_an_origin() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  x: |\n    # Source: not/a/header.yaml\n"
    assert load_text(text, "x").documents[0].origin is None


def test_finding_origin_is_reported() -> None:
    f: Finding = lint("# Source: chart/templates/p.yaml\n" + pod("p"), ("kind",)).findings[0]
    assert f.origin == "chart/templates/p.yaml"


# --- unrendered templates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("metadata:\n  name: {{ .Release.Name }}\n", (2, 9)),
        ("{{- if .Values.enabled }}\na: 1\n{{- end }}\n", (1, 1)),
        ('image: "{{ .Values.image }}"\n', (1, 9)),
        ("a: 1\n{{ include \"x\" . | nindent 2 }}\n", (2, 1)),
        ("spec:\n  {{- toYaml .Values.spec | nindent 2 }}\n", (2, 3)),
        ("a: 1\n  {{/* comment */}}\n", (2, 3)),
    ],
    ids=["release", "control-line", "quoted-values", "include", "to-yaml", "template-comment"],
)
def test_helm_templates_are_detected(text: str, where: tuple[int, int]) -> None:
    assert detect_unrendered_template(text) == where
    lt = load_text(text, "t.yaml")
    assert [(e.kind, e.line, e.column) for e in lt.errors] == [(ErrorKind.UNRENDERED_TEMPLATE, *where)]
    assert "render it first" in lt.errors[0].message


@pytest.mark.parametrize(
    "text",
    [
        "args: ['{{inputs.parameters.x}}', '{{workflow.name}}']\n",
        "annotations:\n  summary: '{{ $labels.instance }} is down ({{ $value | humanize }})'\n",
        ("data:\n  slack.tmpl: |\n    {{ define \"slack.title\" }}{{ .CommonLabels.alertname }}{{ end }}\n"
         "    {{- if .Values }}{{ end }}\n"),
        "expr: up == 0\ndescription: >\n  {{ with $labels }}{{ .instance }}{{ end }}\n",
        "# rendered from {{ .Values.image }}\na: 1  # also {{ .Release.Name }}\n",
        "name: '{{.path.basename}}'\nvalues: '{{.values.cluster}}'\n",
    ],
    ids=["argo", "prometheus", "alertmanager-block", "prometheus-block", "comments", "argocd-appset"],
)
def test_other_template_syntaxes_are_data(text: str) -> None:
    assert detect_unrendered_template(text) is None
    assert not load_text(text, "x.yaml").errors


_CONTROL_LINE_REFERENCE = re.compile(r"^\s*" + loader._HELM_CONTROL.pattern, re.M)


def _block_scalars_reference(text: str, until: int) -> tuple[list[tuple[int, int]], int]:
    """What ``_block_scalars_and_gaps`` returned when it walked ``yaml.scan``'s generator."""
    spans: list[tuple[int, int]] = []
    reached = 0
    try:
        for token in yaml.scan(text, Loader=loader.yaml_loader()):
            start, end = token.start_mark.index, token.end_mark.index
            if isinstance(token, yaml.ScalarToken) and token.style in ("|", ">"):
                spans.append((start, end))
            reached = end
            if start > until:
                return spans, len(text)
    except yaml.YAMLError:
        return spans, reached
    return spans, len(text)


_TEMPLATE_TOKENS = ["{{", "{{-", "}}", " ", "\t", "\n", "\xa0", "\x1c", "\u2028", "if", "end", " .Values.x",
                    "/*", "include ", "a", ": ", "- ", "|\n", ">-\n", "  ", "#", "'", '"', "---\n", "[", "{", "\x00"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_TEMPLATE_TOKENS), max_size=40), st.integers(min_value=0, max_value=200))
def test_template_detection_matches_its_reference(tokens: list[str], until: int) -> None:
    """The control lines are found as the multi-line regular expression finds them, and the scan for block
    scalars (``get_token`` in a loop) gives what walking ``yaml.scan`` gave, scanner errors included."""
    text = "".join(tokens)
    assert loader._control_lines(text) == [text.index("{{", m.start())
                                           for m in _CONTROL_LINE_REFERENCE.finditer(text)]
    assert loader._block_scalars_and_gaps(text, until) == _block_scalars_reference(text, until)


@pytest.mark.parametrize("text", [
    "\t{{ if .x }}\n", "a: 1\n\xa0{{- end }}\n", "a\n \x1c{{/* c */}}", "x {{ if y }}\n", "\u2028{{ if y }}",
    "\n\n  \n{{ range . }}", "{{{{ if x }}", "  {{{ if x }}", "a: |\n  {{ if x }}\n{{ end }}\n", "{{\n if x }}",
    "\x85{{ else }}", "a:\v{{ with x }}",
])
def test_control_lines_match_the_multiline_pattern(text: str) -> None:
    assert loader._control_lines(text) == [text.index("{{", m.start())
                                           for m in _CONTROL_LINE_REFERENCE.finditer(text)]


def test_block_scalar_scan_on_fixtures_and_examples() -> None:
    """The same comparison on every fixture (whole file, every stop point at a ``{{`` or the end)."""
    root = Path(__file__).resolve().parents[2]
    files = sorted(p for d in ("tests/fixtures", "examples") for p in (root / d).rglob("*")
                   if p.suffix in (".yaml", ".yml"))
    assert len(files) > 100
    for p in files:
        text = p.read_text(encoding="utf-8", errors="replace")
        assert loader._control_lines(text) == [text.index("{{", m.start())
                                               for m in _CONTROL_LINE_REFERENCE.finditer(text)]
        for until in (0, len(text) // 2, len(text)):
            assert loader._block_scalars_and_gaps(text, until) == _block_scalars_reference(text, until), p


def _doc_facts(d: loader.Document) -> tuple[Any, ...]:
    return (d.index, d.data, None if d.positions is None else d.positions.tolist(), d.root is None, d.dollar,
            d.line_offset, d.index_offset, d.start_line, d.end_line, d.origin, d.directives, d.duplicate_keys,
            d.content_line, dict(d.aliases))


def _load_text_reference(text: str, file: str = "x.yaml") -> tuple[list[Any], list[tuple[Any, ...]]]:
    """What ``load_text(nodes=False)`` gave when the token scan decided every text (errors, document facts)."""
    text = loader._normalise(text)
    helm = detect_unrendered_template(text)
    if helm is not None:
        return [(ErrorKind.UNRENDERED_TEMPLATE, *helm)], []
    if "\t" in text and loader._looks_like_json(text, file):
        text = loader._untab_json(text)
    memo = loader.LoadMemo()
    chunks = split_documents(text)
    results = [loader._load_chunk(chunk, number, file, memo, nodes=False) for number, chunk in enumerate(chunks)]
    stream = loader._json_stream(text) if len(chunks) == 1 and results[0][0] is None else None
    if stream is not None:  # several JSON objects, read one by one (test_json_stream.py)
        results = [(None, problem) if (problem := loader._json_problem(chunk, file)) and number
                   else loader._load_chunk(chunk, number, file, memo, nodes=False)
                   for number, chunk in enumerate(stream)]
    errors: list[Any] = []
    docs: list[tuple[Any, ...]] = []
    for doc, problem in results:
        if problem is not None:
            errors.append((problem.kind, problem.line, problem.column))
        if doc is not None:
            docs.append(_doc_facts(doc))
    return errors, docs


def _check_blocks_from_events(text: str) -> bool:
    """When the event loop builds every document of ``text``, the block scalars it met are those the token scan
    of the whole text finds, and that scan meets no error (what ``load_text`` relies on to skip it); and
    ``load_text`` gives what deciding with the token scan gave. Whether every document was built."""
    file = "x.yaml"
    normal = loader._normalise(text)
    chunks = split_documents(normal)
    built, blocks = loader._built_chunks(chunks, file, loader.LoadMemo(), [])
    if built == len(chunks):
        assert loader._block_scalars_and_gaps(normal, len(normal)) == (blocks, len(normal))
    lt = load_text(text, file, nodes=False, embedded=False)  # objects embedded as text: test_argo_manifests
    expected_errors, expected_docs = _load_text_reference(text, file)
    assert [(e.kind, e.line, e.column) for e in lt.errors] == expected_errors
    assert [_doc_facts(d) for d in lt.documents] == expected_docs
    return built == len(chunks)


_DOCUMENT_TOKENS = [*_TEMPLATE_TOKENS, "...\n", "--- |\n", "%YAML 1.1\n", "a: |\n  {{ .Values.x }}\n",
                    "b: >-\n  x\n\n", "c: {{ .Release.Name }}\n", "  - {{ include \"x\" . }}\n", "k: v\n",
                    "# {{ .Values.y }}\n", "d: |\n  t\n---\n", "e: '{{ .Values.q }}'\n", "!t ", "&a ", "*a"]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_DOCUMENT_TOKENS), max_size=30))
@example(["{{", "}}", "{{", "}}"])  # '{{}}{{}}': YAML flow mappings, not a stream of JSON objects
@example(["{{", "}}", "{{", "\x00", "}}"])
@example(["{", '"', "a", '"', ": ", "{", "}}", "\n", "{", '"', "a", '"', ": ", "{", "}}"])  # a JSON stream
def test_template_detection_from_the_event_loop(tokens: list[str]) -> None:
    _check_blocks_from_events("".join(tokens))


@pytest.mark.parametrize(("text", "where"), [
    # an action after a block scalar that a document marker ends, in the next document
    ("a: |\n  {{ .Values.x }}\n---\nb: {{ .Values.y }}\n", (4, 4)),
    # block scalars in the second and third documents, the action outside them in the third: offsets count
    ("x: 1\n---\na: |\n  {{ .Values.x }}\n---\nc: >\n  {{ .Values.z }}\nd: {{ .Release.Name }}\n", (8, 4)),
    ("a: |\n  {{ .Values.x }}\n...\n{{- if .Values.y }}\nb: 1\n", (4, 1)),
    ("%YAML 1.1\n---\na: |\n  {{ .Values.x }}\nb: \"{{ .Values.y }}\"\n", (5, 5)),
    # a document the event loop leaves to the composer (a tag) after the action: the token scan decides
    ("a: {{ .Values.x }}\n---\nb: !t 1\n", (1, 4)),
], ids=["next-document", "offsets", "after-document-end", "directive", "fallback"])
def test_template_actions_outside_block_scalars_of_built_documents(text: str, where: tuple[int, int]) -> None:
    lt = load_text(text, "t.yaml", nodes=False)
    assert [(e.kind, e.line, e.column) for e in lt.errors] == [(ErrorKind.UNRENDERED_TEMPLATE, *where)]
    _check_blocks_from_events(text)


def test_template_detection_from_the_event_loop_skips_the_token_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rendered text whose actions all sit in block scalars is loaded without the token scan (the point of
    asking the event loop); a document the event loop cannot build still gets it."""
    text = "a: |\n  {{ .Values.x }}\n---\nkind: ConfigMap\ndata:\n  t: >\n    {{- if .Values.y }}\n"
    scans: list[int] = []
    real = loader._block_scalars_and_gaps

    def counted(text: str, until: int) -> tuple[list[tuple[int, int]], int]:
        scans.append(until)
        return real(text, until)

    monkeypatch.setattr(loader, "_block_scalars_and_gaps", counted)
    lt = load_text(text, "t.yaml", nodes=False)
    assert not lt.errors and len(lt.documents) == 2 and not scans
    assert not load_text(text + "---\nb: &x 1\nc: *x\n", "t.yaml", nodes=False).errors and len(scans) == 1
    assert not load_text(text, "t.yaml").errors and len(scans) == 2  # nodes=True: the composing way


def test_template_detection_from_the_event_loop_on_fixtures_and_examples() -> None:
    root = Path(__file__).resolve().parents[2]
    files = sorted(p for d in ("tests/fixtures", "examples") for p in (root / d).rglob("*")
                   if p.suffix in (".yaml", ".yml", ".json"))
    assert len(files) > 100
    built = 0
    for p in files:
        built += _check_blocks_from_events(p.read_text(encoding="utf-8", errors="replace"))
    assert built > 100


# --- robustness ----------------------------------------------------------------------------------------

_FUZZ_SEED = """apiVersion: v1
kind: Pod
metadata:
  name: p  # guardlint: ignore probe -- x
  labels: &l {a: b, "c": 'd'}
  annotations:
    ignore.guardlint.dev/probe: "why"
spec:
  <<: {hostNetwork: true}
  containers:
    - name: a
      image: nginx:1.27
      args: [1, 2.5, yes, ~, "x\\ty", 'q''s']
      env: [{name: A, value: *l}]
---
{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "j"}}]}
...
%YAML 1.1
--- |
  block
"""
_FUZZ_PIECES = [*"-:?[]{},#&*!|>'\"%@`\t\n \r\\.0aZ<", "---", "...", "<<: ", "\ufeff", "\u2028", "\x85", "\x00",
                "\x07", "😀", "{{ .Values.x }}", "{{x}}", "&a ", "*a", "!!int ", "!!bool ", "# guardlint: ignore ",
                " -- r"]


def _mutations(seed: int, count: int) -> list[str]:
    r = random.Random(seed)
    out = []
    for _ in range(count):
        chars = list(_FUZZ_SEED)
        for _ in range(r.randint(1, 6)):
            pos = r.randint(0, len(chars))
            if r.random() < 0.6:
                chars[pos:pos] = list(r.choice(_FUZZ_PIECES))
            else:
                del chars[pos:pos + r.randint(1, 5)]
        out.append("".join(chars))
    return out


@pytest.mark.parametrize("loader_name", ["CSafeLoader", "SafeLoader"], ids=["libyaml", "pure-python"])
def test_mutated_manifests_never_raise_and_stay_located(loader_name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = getattr(yaml, loader_name, yaml.SafeLoader)
    monkeypatch.setattr(loader, "yaml_loader", lambda: chosen)
    for text in _mutations(20261127, 250):
        report = lint(text, ("metadata", "name"), ("spec", "containers", 0, "image"))
        lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
        for e in report.errors:
            assert 1 <= e.line <= lines and e.column >= 1 and "\n" not in e.message, (text, e)
        for f in report.findings:
            assert 1 <= f.line <= lines and f.column >= 1, (text, f)


def test_documents_are_made_as_frozen_values_are_made() -> None:
    """``Document.__init__`` fills a document as its mutable twin and makes it a Document again: every slot holds
    what ``Frozen._set`` would have put there, the document is a plain immutable Document, and the twin class is
    never left behind (also for a subclass, which takes ``Frozen``'s way)."""
    texts = ["a: 1\n", "# Source: x/y.yaml\n---\nb: &x [1]\nc: *x\n", "on: yes\nx: 1\nx: 2\n", "[1, {a: b}]\n"]
    documents = [d for text in texts for nodes in (True, False)
                 for d in load_text(text, "f.yaml", nodes=nodes).documents]
    assert len(documents) == 8
    slots = loader.Document.__slots__
    for document in documents:
        assert type(document) is loader.Document
        reference = object.__new__(loader.Document)
        reference._set(**{name: getattr(document, name) for name in slots})
        assert all(getattr(reference, name) is getattr(document, name) for name in slots)
        with pytest.raises(AttributeError, match="immutable"):
            document.data = None  # type: ignore[misc]
        with pytest.raises(AttributeError, match="immutable"):
            del document.file

    class Sub(loader.Document):
        __slots__ = ()

    first = documents[1]
    made = Sub(**{name: getattr(first, name) for name in slots if name not in ("key_slots", "node_keys")})
    assert type(made) is Sub and all(getattr(made, name) is getattr(first, name) for name in slots)
    with pytest.raises(AttributeError, match="immutable"):
        made.data = None  # type: ignore[misc]
