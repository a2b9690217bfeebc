"""The schema pack's data and engine: the lifecycle table against the served kinds of every shipped release,
one test per table row, exact positions of findings, CRD conversion and the validator's Kubernetes rules."""

from __future__ import annotations

from typing import Any

import pytest

from guardlint.apischema.crd import compile_root, compile_schema, crd_versions, go_pattern, version_serving
from guardlint.apischema.lifecycle import REMOVALS, Removal, served, show
from guardlint.apischema.store import schemas_for, shipped_versions
from guardlint.apischema.validate import BAD_VALUE, PLACEHOLDER, UNKNOWN_FIELD, WRONG_TYPE, validate
from guardlint.engine import lint_loaded
from guardlint.source.loader import load_text
from tests.helpers import settings_for

ROWS = [(r, kind) for r in REMOVALS for kind in r.kinds]
ROW_IDS = [f"{r.api_version}/{kind}" for r, kind in ROWS]
# Kinds the specification lists but that are not objects one applies (subresources and their kin).
NOT_APPLIED = {"Scale", "Eviction", "EphemeralContainers", "TokenRequest", "Binding"}


def _lint(text: str, version: str | None = None, select: tuple[str, ...] = ("schema",)) -> list[Any]:
    plan = settings_for(list(select), kubernetes_version=version).plan
    report = lint_loaded([load_text(text, "x.yaml")], plan, raise_errors=True)
    assert not report.errors
    return list(report.active)


def _object(api_version: str, kind: str) -> str:
    return f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: x\n"


@pytest.mark.parametrize(("row", "kind"), ROWS, ids=ROW_IDS)
def test_removal_row(row: Removal, kind: str) -> None:
    text = _object(row.api_version, kind)
    removed = _lint(text, show(row.removed_in), ("removed-api", "deprecated-api"))
    assert [f.rule for f in removed] == ["removed-api"]
    assert f"removed in Kubernetes {show(row.removed_in)}" in removed[0].message
    if row.replacement is not None and (row.replacement_since or (0, 0)) <= row.removed_in:
        assert f"use {row.replacement}" in removed[0].message
    elif row.replacement is not None:  # not served yet at that release: named with the release that serves it
        assert f"{row.replacement} is available since {show(row.replacement_since or (0, 0))}" in removed[0].message
    assert (removed[0].line, removed[0].column) == (1, 13)
    before = _lint(text, show((1, row.removed_in[1] - 1)), ("removed-api", "deprecated-api"))
    if row.deprecated_in is not None and row.deprecated_in < row.removed_in:
        assert [f.rule for f in before] == ["deprecated-api"]
        assert f"removed in {show(row.removed_in)}" in before[0].message
    else:
        assert before == []


@pytest.mark.parametrize(("row", "kind"), ROWS, ids=ROW_IDS)
def test_removal_row_agrees_with_the_specifications(row: Removal, kind: str) -> None:
    """A kind cannot be removed later than the first release whose specification lacks it."""
    span = served().spans.get(f"{row.api_version}/{kind}")
    if span is None:
        return  # gone before the oldest shipped specification (1.11)
    last = span[1]
    assert last < served().versions[-1], f"{row.api_version} {kind} is still in the newest specification"
    assert row.removed_in <= (1, last[1] + 1)
    if row.replacement is not None and row.replacement_since is not None:
        replacement = served().spans.get(f"{row.replacement}/{kind}")
        if replacement is not None and replacement[0] > served().versions[0]:
            assert replacement[0] <= row.replacement_since or row.replacement_since < served().versions[0]


@pytest.mark.parametrize(("row", "kind"), ROWS, ids=ROW_IDS)
def test_a_replacement_serves_the_same_kind(row: Removal, kind: str) -> None:
    """"use X" names an apiVersion that serves the kind (classic DRA's ResourceClass has no resource.k8s.io/v1
    counterpart: its row names none and says what took its place)."""
    if row.replacement is None:
        assert row.note
        return
    span = served().spans.get(f"{row.replacement}/{kind}")
    assert span is not None or (row.replacement_since or (1, 99)) < served().versions[0], (
        f"{row.replacement} serves no {kind}")


@pytest.mark.parametrize(("version", "expected", "not_expected"), [
    ("1.15", "use policy/v1beta1 (available since 1.10)", "itself deprecated"),
    ("1.22", "use policy/v1beta1 (available since 1.10), itself deprecated since 1.21 and removed in 1.25",
     "which replaced it"),
    ("1.25", ("removed in Kubernetes 1.16; policy/v1beta1, which replaced it, was removed in 1.25 too; use Pod "
             "Security Admission (namespace labels) or a policy engine instead"), "use policy/v1beta1"),
    ("1.37", "policy/v1beta1, which replaced it, was removed in 1.25 too; use Pod Security Admission",
     "use policy/v1beta1"),
])
def test_a_replacement_removed_by_the_target_is_followed(version: str, expected: str, not_expected: str) -> None:
    found = _lint(_object("extensions/v1beta1", "PodSecurityPolicy"), version, ("removed-api", "deprecated-api"))
    assert len(found) == 1 and expected in found[0].message and not_expected not in found[0].message


def test_every_kind_that_disappears_has_a_row() -> None:
    rows = {(r.api_version, kind) for r, kind in ROWS}
    newest = served().versions[-1]
    missing = []
    for key, (_, last) in served().spans.items():
        api_version, kind = key.rsplit("/", 1)
        if last < newest and last >= (1, 15) and kind not in NOT_APPLIED and (api_version, kind) not in rows:
            missing.append(f"{key} (last served in {show(last)})")
    assert not missing, "kinds that stop being served without a row: " + ", ".join(missing)


def test_flowcontrol_v1beta1_removed_in_126_not_129() -> None:
    text = _object("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema")
    assert [f.rule for f in _lint(text, "1.26", ("removed-api",))] == ["removed-api"]
    assert [f.rule for f in _lint(text, "1.25", ("deprecated-api",))] == ["deprecated-api"]


@pytest.mark.parametrize(("api_version", "kind", "version", "rule", "named"), [
    # what the deprecation guide says for those releases: v1beta3 "available since v1.26", v1beta2 before it
    ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", "1.24", "deprecated-api",
     "use flowcontrol.apiserver.k8s.io/v1beta2, which Kubernetes 1.24 serves"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "PriorityLevelConfiguration", "1.26", "removed-api",
     "use flowcontrol.apiserver.k8s.io/v1beta3, which Kubernetes 1.26 serves"),
    ("flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema", "1.28", "deprecated-api",
     "use flowcontrol.apiserver.k8s.io/v1beta3, which Kubernetes 1.28 serves"),
    # the API server's warning at 1.22: "deprecated in v1.22+, unavailable in v1.25+; use autoscaling/v2beta2"
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler", "1.22", "deprecated-api",
     "use autoscaling/v2beta2, which Kubernetes 1.22 serves (autoscaling/v2 is available since 1.23)"),
    # another group: networking.k8s.io/v1beta1 Ingress (1.14) before networking.k8s.io/v1 (1.19)
    ("extensions/v1beta1", "Ingress", "1.16", "deprecated-api",
     "use networking.k8s.io/v1beta1, which Kubernetes 1.16 serves"),
    # only alpha versions served then: none is named
    ("resource.k8s.io/v1alpha1", "ResourceClaim", "1.28", "removed-api",
     "Kubernetes 1.28 serves no beta or stable replacement yet (resource.k8s.io/v1 is available since 1.34)"),
    # once the replacement is served, it alone is named
    ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", "1.29", "removed-api",
     "use flowcontrol.apiserver.k8s.io/v1 (available since 1.29)"),
])
def test_replacement_named_is_one_the_target_serves(
    api_version: str, kind: str, version: str, rule: str, named: str
) -> None:
    """A message must not send a user to an apiVersion their cluster does not serve yet."""
    found = _lint(_object(api_version, kind), version, (rule,))
    assert len(found) == 1 and named in found[0].message, [f.message for f in found]


def test_not_yet_available_names_first_release() -> None:
    found = _lint(_object("resource.k8s.io/v1", "ResourceClaim"), "1.30", ("api-not-yet-available",))
    assert len(found) == 1 and "first available in Kubernetes 1.34" in found[0].message


def test_shipped_versions_cover_the_default_target() -> None:
    from guardlint.config.model import LATEST_KUBERNETES

    versions = shipped_versions()
    assert versions[0] == (1, 11) and versions[-1] == LATEST_KUBERNETES


def test_schema_data_is_consistent() -> None:
    """``definitions.txt`` and the version indexes are built together (``scripts/build_schemas.py``): each
    definition's offset is where the JSON of a line starts, the line's id is the hash of that JSON, and every
    line is used by some version. (A file changed by hand, or line endings rewritten by a checkout, fails here.)"""
    import gzip
    import hashlib
    import json

    from guardlint.apischema.store import _data_dir, _pool

    pool = _pool()[:]  # the mapped file's bytes
    with open(f"{_data_dir()}/definitions.txt", "rb") as fh:
        assert fh.read() == pool
    lines = pool.split(b"\n")
    assert lines[-1] == b""
    starts = {}
    at = 0
    for line in lines[:-1]:
        digest, _, text = line.partition(b"\t")
        assert hashlib.sha1(text).hexdigest()[:10].encode() == digest
        starts[at + len(digest) + 1] = at + len(line)
        at += len(line) + 1
    used = set()
    for version in shipped_versions():
        with open(f"{_data_dir()}/v{version[0]}.{version[1]}.json.gz", "rb") as fh:
            index = json.loads(gzip.decompress(fh.read()))
        for name, start in index["at"].items():
            assert start in starts, (version, name)
            json.loads(pool[start:starts[start]])
            used.add(start)
        assert set(index["kinds"].values()) <= set(index["at"])
    assert used == set(starts)


def test_definitions_are_read_from_the_mapped_file_as_from_its_bytes() -> None:
    """``_pool`` maps ``definitions.txt`` (only the pages of the definitions a run decodes are read): each
    definition's line is the same bytes as in the file read whole, and a line with no end is ``bytes.index``'s
    ``ValueError``."""
    import os

    from guardlint.apischema.store import _data_dir, _line_from, _pool

    pool = _pool()
    assert isinstance(pool, bytes) == (os.name == "nt")  # read whole on Windows (see ``_pool``)
    with open(f"{_data_dir()}/definitions.txt", "rb") as fh:
        whole = fh.read()
    for version in shipped_versions()[-2:]:
        schemas = schemas_for(version)
        assert schemas is not None
        for start in schemas._offsets.values():
            assert _line_from(pool, start) == whole[start:whole.index(b"\n", start)]
    for text in (b"abc", b"", b"a\nb"):
        start = len(text) - 1 if text else 0
        with pytest.raises(ValueError):
            text.index(b"\n", start)
        with pytest.raises(ValueError):
            _line_from(text, start)


def test_an_empty_definitions_file_is_read_not_mapped(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """``mmap`` refuses an empty file: it is read instead (bytes), as before."""
    from guardlint.apischema import store

    (tmp_path / "definitions.txt").write_bytes(b"")
    monkeypatch.setattr(store, "_data_dir", lambda: str(tmp_path))
    store._pool.cache_clear()
    try:
        assert store._pool() == b""
    finally:
        store._pool.cache_clear()


def test_the_definitions_file_is_read_whole_on_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """A mapped file cannot be replaced on Windows while the process lives: there ``_pool`` reads it."""
    from guardlint.apischema import store

    with open(f"{store._data_dir()}/definitions.txt", "rb") as fh:
        whole = fh.read()
    monkeypatch.setattr(store.os, "name", "nt")
    store._pool.cache_clear()
    try:
        pool = store._pool()
    finally:
        store._pool.cache_clear()
    assert isinstance(pool, bytes) and pool == whole


def test_served_spans_and_groups_are_those_of_the_file() -> None:
    """``served`` parses each distinct version string once and finds the groups from the distinct
    "group/version" prefixes: the same table as parsing every span and splitting every key."""
    import json
    import os

    from guardlint.apischema import lifecycle
    from guardlint.apischema.lifecycle import _parse

    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(lifecycle.__file__))), "_data",
                        "k8s-schemas", "served.json")
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    spans = {k: (_parse(a), _parse(b)) for k, (a, b) in data["served"].items()}
    assert served().spans == spans
    assert served().groups == frozenset(k.rsplit("/", 2)[0] if k.count("/") == 2 else "" for k in spans)
    assert served().versions == tuple(_parse(v) for v in data["versions"])
    for key in ("", "v1", "a/b", "a/b/c", "a/b/c/d", "/", "//", "///", "a//", "/b/"):
        new = frozenset(gv.rpartition("/")[0] if gv.count("/") == 1 else "" for gv in {key.rpartition("/")[0]})
        assert new == frozenset([key.rsplit("/", 2)[0] if key.count("/") == 2 else ""]), key


# --- exact positions, one per error class -----------------------------------------------------------------

POSITIONS = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: "3"
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
          securityContex: {}
          imagePullPolicy: always
          ports:
            - containerPort: ${PORT}
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
"""


def test_findings_at_exact_line_and_column() -> None:
    found = {(f.rule, f.line, f.column) for f in _lint(POSITIONS)}
    assert found == {
        ("missing-required-field", 5, 1),  # spec lacks selector: reported on the spec key
        ("wrong-field-type", 6, 13),
        ("unknown-field", 12, 11),
        ("unsupported-field-value", 13, 28),
        ("unrendered-placeholder", 15, 30),
        ("unknown-kind", 18, 7),
    }


def test_unknown_field_suggests_the_closest_field() -> None:
    found = [f for f in _lint(POSITIONS) if f.rule == "unknown-field"]
    assert found[0].message == "unknown field 'securityContex' in Container; did you mean 'securityContext'?"


# --- the validator's Kubernetes rules ----------------------------------------------------------------------

def _pod_problems(spec: dict[str, Any], version: tuple[int, int] = (1, 30)) -> list[Any]:
    schemas = schemas_for(version)
    assert schemas is not None
    node = schemas.kind_node("v1", "Pod")
    assert node is not None
    return validate({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}, node)


def test_null_integral_float_and_int_or_string() -> None:
    spec = {"containers": [{"name": "a", "image": "x", "ports": [{"containerPort": 80.0}],
                            "readinessProbe": {"httpGet": {"port": "http"}}, "livenessProbe": None}]}
    assert _pod_problems(spec) == []
    spec["containers"][0]["readinessProbe"] = {"httpGet": {"port": 1.5}}
    assert [p.kind for p in _pod_problems(spec)] == [WRONG_TYPE]


def test_quantities_as_the_api_parses_them() -> None:
    def problems(value: Any) -> list[str]:
        return [p.kind for p in _pod_problems({"containers": [{"name": "a", "image": "x",
                                                                "resources": {"limits": {"cpu": value}}}]})]

    assert problems("500m") == problems(0.5) == problems(2) == []
    assert problems("1gb") == [BAD_VALUE]
    assert problems("${CPU}") == [PLACEHOLDER]
    assert problems([1]) == [WRONG_TYPE]


def test_int32_range_and_base64_line_breaks() -> None:
    assert [p.kind for p in _pod_problems({"containers": [{"name": "a", "image": "x",
                                                            "ports": [{"containerPort": 2**31}]}]})] == [BAD_VALUE]
    schemas = schemas_for((1, 30))
    assert schemas is not None
    secret = schemas.kind_node("v1", "Secret")
    assert secret is not None
    assert validate({"data": {"a": "c2Vj\ncmV0"}}, secret) == []
    assert [p.kind for p in validate({"data": {"a": "abc"}}, secret)] == [BAD_VALUE]


def test_unknown_field_in_older_version_only() -> None:
    """A field added in 1.29 (pod-level resizePolicy is not it: container restartPolicy) is unknown before."""
    spec = {"initContainers": [{"name": "a", "image": "x", "restartPolicy": "Always"}],
            "containers": [{"name": "b", "image": "x"}]}
    assert _pod_problems(spec, (1, 30)) == []
    assert [p.kind for p in _pod_problems(spec, (1, 27))] == [UNKNOWN_FIELD]


# --- CustomResourceDefinition schemas ----------------------------------------------------------------------

def test_go_patterns() -> None:
    pattern = go_pattern("^(?i)(abort|warn)?$")
    assert pattern is not None and pattern.search("WARN")
    assert go_pattern(r"^a\z") is not None
    assert go_pattern(r"\p{Greek}") is None


def test_crd_conversion_semantics() -> None:
    schema = {
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "required": ["size"],
                "properties": {
                    "size": {"type": "integer", "minimum": 1},
                    "port": {"x-kubernetes-int-or-string": True},
                    "mode": {"type": "string", "enum": ["a", "b"], "nullable": True},
                    "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                    "embedded": {"type": "object", "x-kubernetes-embedded-resource": True,
                                 "x-kubernetes-preserve-unknown-fields": True},
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            },
        },
    }
    node = compile_root(schema, None)
    good = {"apiVersion": "example.com/v1", "kind": "W", "metadata": {"name": "w"},
            "spec": {"size": 2, "port": "http", "mode": None, "free": {"x": 1},
                     "embedded": {"apiVersion": "v1", "kind": "Pod", "spec": {}}, "labels": {"a": "b"}}}
    assert validate(good, node) == []
    bad = {"spec": {"size": 0, "port": 1.5, "mode": "c", "labels": {"a": 1}, "extra": True}}
    kinds = sorted(p.kind for p in validate(bad, node))
    assert kinds == sorted([BAD_VALUE, WRONG_TYPE, BAD_VALUE, WRONG_TYPE, UNKNOWN_FIELD])


def _duplicates(schema: dict[str, Any], value: Any) -> list[tuple[Any, str]]:
    return [(p.path, p.message) for p in validate(value, compile_schema(schema)) if p.kind == BAD_VALUE]


def test_crd_list_type_set_rejects_duplicate_values() -> None:
    """x-kubernetes-list-type: set, as the API server compares items (one problem per duplicated value, at
    its second occurrence; 1 and 1.0 are one JSON number, true and 1 are not; objects compare as JSON)."""
    schema = {"type": "array", "x-kubernetes-list-type": "set", "items": {"x-kubernetes-int-or-string": True}}
    assert _duplicates(schema, ["a", "b", "c"]) == []
    found = _duplicates(schema, ["a", "b", "a", "a", "b"])
    assert [path for path, _ in found] == [(2,), (4,)]
    assert found[0][1] == ("duplicate value 'a' (also item 0): the list is a set (x-kubernetes-list-type: set), so "
                           "each value may appear once")
    any_set = {"type": "array", "x-kubernetes-list-type": "set", "items": {}}
    assert [path for path, _ in _duplicates(any_set, [1, 1.0])] == [(1,)]
    assert _duplicates(any_set, [True, 1, "1"]) == []
    assert [path for path, _ in _duplicates(any_set, [{"a": 1, "b": 2}, {"b": 2, "a": 1}])] == [(1,)]
    atomic = {"type": "array", "x-kubernetes-list-type": "atomic", "items": {"type": "string"}}
    assert _duplicates(atomic, ["a", "a"]) == [] and _duplicates({**atomic, "x-kubernetes-list-type": None},
                                                                 ["a", "a"]) == []


def test_crd_list_type_map_rejects_duplicate_keys_with_defaults_filled_in() -> None:
    schema = {
        "type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["port", "protocol"],
        "items": {"type": "object", "required": ["port"], "properties": {
            "port": {"type": "integer"}, "protocol": {"type": "string", "default": "TCP"}, "name": {"type": "string"}}},
    }
    assert _duplicates(schema, [{"port": 80}, {"port": 80, "protocol": "UDP"}, {"port": 443}]) == []
    found = _duplicates(schema, [{"port": 80, "name": "a"}, {"port": 80, "protocol": "TCP", "name": "b"}, None])
    assert found == [((1,), ("duplicate entry port=80, protocol='TCP' (also item 0): the list is a map keyed by "
                             "port and protocol (x-kubernetes-list-type: map), so each key may appear once"))]
    single = {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
              "items": {"type": "object", "properties": {"name": {"type": "string"}, "v": {"type": "string"}}}}
    assert [path for path, _ in _duplicates(single, [{"name": "a"}, {"name": "b"}, {"name": "a", "v": "x"}])] == [(2,)]


def test_crd_embedded_resource_needs_api_version_and_kind() -> None:
    """The API server requires an embedded resource's apiVersion and kind (x-kubernetes-embedded-resource),
    whatever else the schema allows; a null embedded object is unset."""
    schema = {"type": "object", "properties": {"template": {
        "type": "object", "x-kubernetes-embedded-resource": True, "x-kubernetes-preserve-unknown-fields": True}}}
    node = compile_schema(schema)
    assert validate({"template": {"apiVersion": "v1", "kind": "ConfigMap", "data": {}}}, node) == []
    assert validate({"template": None}, node) == [] and validate({}, node) == []
    problems = validate({"template": {"metadata": {"name": "x"}, "data": {}}}, node)
    assert [(p.kind, p.path) for p in problems] == [("missing-required", ("template", "apiVersion")),
                                                     ("missing-required", ("template", "kind"))]
    assert [p.path for p in validate({"template": {"apiVersion": "v1"}}, node)] == [("template", "kind")]


def test_crd_alternatives_with_not_are_skipped() -> None:
    node = compile_schema({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
                           "oneOf": [{"not": {"anyOf": [{"required": ["a"]}]}}, {"required": ["a"]}]})
    assert validate({"a": "x"}, node) == []
    node = compile_schema({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
                           "anyOf": [{"required": ["a"]}, {"required": ["b"]}]})
    assert validate({"a": "x"}, node) == []
    assert [p.kind for p in validate({}, node)] == [BAD_VALUE]


# --- the README's command ----------------------------------------------------------------------------------

CRD = """\
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
                size: {type: integer}
"""


def test_readme_command_answers_for_a_version(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import json

    from guardlint.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "objects.yaml").write_text(
        _object("resource.k8s.io/v1", "ResourceClaim") + "---\n" + _object("policy/v1beta1", "PodSecurityPolicy")
        + "---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: big}\n",
        encoding="utf-8",
    )
    (tmp_path / "crds.yaml").write_text(CRD, encoding="utf-8")

    def check(*args: str) -> list[tuple[str, int]]:
        out, err = io.StringIO(), io.StringIO()
        main(["check", "--select", "schema", "--format", "json", *args], out=out, err=err)
        return sorted((f["rule"], f["line"]) for f in json.loads(out.getvalue())["findings"])

    assert check("--kubernetes-version", "1.30", "app") == [
        ("api-not-yet-available", 1), ("removed-api", 6), ("unknown-kind", 12),
    ]
    # The CustomResourceDefinition given as context validates the custom resource.
    assert check("--kubernetes-version", "1.24", "--context", "crds.yaml", "app") == [
        ("api-not-yet-available", 1), ("deprecated-api", 6), ("wrong-field-type", 14),
    ]
    # Older than the oldest shipped schemas (1.11): built-in kinds are not validated; lifecycle and CRDs still are.
    assert check("--kubernetes-version", "1.9", "--context", "crds.yaml", "app") == [
        ("api-not-yet-available", 1), ("wrong-field-type", 14),
    ]


# --- the 'schemas' setting ---------------------------------------------------------------------------------

WIDGET_SCHEMA = ('{"type": "object", "properties": {"spec": {"type": "object", "additionalProperties": false, '
                 '"properties": {"size": {"type": ["integer", "null"]}}}}}')
OBJECTS = """\
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec: {size: big, colour: red}
---
apiVersion: example.com/v1
kind: Gadget
metadata: {name: g}
spec: {mode: c}
"""


def _check_with_config(tmp_path: Any, config: str) -> tuple[int, list[tuple[str, int]], list[str]]:
    import io
    import json

    from guardlint.cli import main

    (tmp_path / "app").mkdir(exist_ok=True)
    (tmp_path / "app" / "objects.yaml").write_text(OBJECTS, encoding="utf-8")
    (tmp_path / ".guardlint.yaml").write_text(config, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", "--select", "schema", "--format", "json", "app"], out=out, err=err)
    if code == 2 and not out.getvalue():
        return code, [], [err.getvalue()]
    report = json.loads(out.getvalue())
    return (code, sorted((f["rule"], f["line"]) for f in report["findings"]),
            [e["message"] for e in report["errors"]])


def test_schema_folder_in_the_catalog_layout_and_a_crd_file(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "catalog" / "example.com").mkdir(parents=True)
    (tmp_path / "catalog" / "example.com" / "widget_v1.json").write_text(WIDGET_SCHEMA, encoding="utf-8")
    (tmp_path / "crds.yaml").write_text(CRD.replace("widgets.example.com", "gadgets.example.com")
                                        .replace("kind: Widget, plural: widgets", "kind: Gadget, plural: gadgets")
                                        .replace("size: {type: integer}", "mode: {type: string, enum: [a, b]}"),
                                        encoding="utf-8")
    _code, found, errors = _check_with_config(tmp_path, "schemas: [catalog, crds.yaml]\n")
    assert errors == []
    # JSON schema file: closed where it says so; CRD file: its enum.
    assert found == [("unknown-field", 4), ("unsupported-field-value", 9), ("wrong-field-type", 4)]


def test_schema_location_template(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "Widget-example.com-v1.json").write_text(WIDGET_SCHEMA, encoding="utf-8")
    _code, found, errors = _check_with_config(tmp_path, 'schemas: ["s/{Kind}-{group}-{version}.json"]\n')
    assert ("wrong-field-type", 4) in found and ("unknown-kind", 7) in found  # Gadget has no file
    assert errors == []


def test_schema_locations_are_untrusted(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from guardlint.apischema import user

    monkeypatch.chdir(tmp_path)
    code, _, errors = _check_with_config(tmp_path, 'schemas: ["https://example.com/{group}/{kind}.json"]\n')
    assert code == 2 and "schemas[0]" in errors[0]  # never fetched: refused as configuration
    (tmp_path / "c" / "example.com").mkdir(parents=True)
    os.mkfifo(tmp_path / "c" / "example.com" / "widget_v1.json")  # a FIFO is refused, never opened
    code, found, errors = _check_with_config(tmp_path, "schemas: [c]\n")
    assert len(errors) == 1 and "FIFO" in errors[0] and ("unknown-kind", 2) in found
    (tmp_path / "c" / "example.com" / "widget_v1.json").unlink()
    (tmp_path / "c" / "example.com" / "widget_v1.json").write_text(WIDGET_SCHEMA, encoding="utf-8")
    monkeypatch.setattr(user, "MAX_SCHEMA_BYTES", 20)
    code, found, errors = _check_with_config(tmp_path, "schemas: [c]\n")
    assert len(errors) == 1 and "limit" in errors[0]


def test_fill_template() -> None:
    from guardlint.apischema.user import fill

    assert fill("x/{group}/{kind}_{version}.json", "monitoring.coreos.com/v1", "ServiceMonitor") == (
        "x/monitoring.coreos.com/servicemonitor_v1.json")
    assert fill("{Kind}.json", "a.io/v2", "Thing") == "Thing.json"


def test_a_crd_version_with_served_false_gives_no_schema() -> None:
    schema = {"openAPIV3Schema": {"type": "object"}}
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "spec": {
        "group": "example.org", "names": {"kind": "Thing"}, "versions": [
            {"name": "v1alpha1", "served": False, "storage": False, "schema": schema},
            {"name": "v1", "served": True, "storage": True, "schema": schema},
            {"name": "v2", "storage": False, "schema": schema},  # served is required: the API server reads false
        ]}}
    assert [v.api_version for v in crd_versions(crd)] == ["example.org/v1"]
    assert [v[:3] for v in version_serving(crd)] == [
        ("example.org/v1alpha1", "Thing", False), ("example.org/v1", "Thing", True), ("example.org/v2", "Thing", False)]
    crd["spec"]["versions"][1].update(deprecated=True)
    crd["spec"]["versions"][2].update(deprecated=True, deprecationWarning="use example.org/v3")
    assert [v.deprecation for v in version_serving(crd)] == [
        None, "example.org/v1 Thing is deprecated", "use example.org/v3"]
    single = {"spec": {"group": "example.org", "names": {"kind": "Thing"}, "version": "v1beta1",
                       "validation": schema}}
    assert [v[:3] for v in version_serving(single)] == [("example.org/v1beta1", "Thing", True)]


def test_rebuilding_the_schemas_does_not_write_the_mapped_definitions_in_place(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """``store._pool`` maps definitions.txt: ``scripts/build_schemas.py`` replaces it by a rename, so a process
    that has it mapped keeps reading the old bytes instead of dying of SIGBUS on a page of a truncated file
    (review8: written in place, a library process reading a definition during a rebuild got a bus error)."""
    import importlib.util
    import mmap
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "build_schemas", Path(__file__).resolve().parents[2] / "scripts" / "build_schemas.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    monkeypatch.setattr(build, "OUT", tmp_path)
    old = b"old\t" + b"x" * 100_000 + b"\n"
    (tmp_path / "definitions.txt").write_bytes(old)
    with open(tmp_path / "definitions.txt", "rb") as fh:
        mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    try:
        build.write({"abc": '{"t":"o"}'}, {"1.30": {"ids": {"x": "abc"}, "kinds": {}, "served": []}},
                    [Path("kubernetes_validate.whl")])
        assert mapped[: len(old)] == old  # the mapped file was not truncated or rewritten
        assert (tmp_path / "definitions.txt").read_bytes() == b'abc\t{"t":"o"}\n'
        assert not (tmp_path / "definitions.txt.tmp").exists()
    finally:
        mapped.close()
