"""A stream of JSON objects (one after another, as JSON-lines tools write them) is read object by object, as kubectl
reads it (``YAMLOrJSONDecoder``'s JSON way); before, the file was one YAML syntax error and lost every object."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guardlint.cli import main
from guardlint.findings import ErrorKind
from guardlint.source.loader import document_chunks, load_text

CM = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"%s","namespace":"app"},"data":{"k":"v { } ["}}'
POD = ('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"app"},'
       '"spec":{"containers":[{"name":"c","image":"nginx"}]}}')


@pytest.mark.parametrize("nodes", [True, False])
def test_each_object_is_a_document_at_its_place(nodes: bool) -> None:
    text = CM % "a" + "\n" + POD + "  " + CM % "b" + "\n"
    loaded = load_text(text, "s.json", nodes=nodes)
    assert not loaded.errors
    assert [d.data["metadata"]["name"] for d in loaded.documents] == ["a", "p", "b"]
    assert [d.index for d in loaded.documents] == [0, 1, 2]
    pod = loaded.documents[1]
    location, exact = pod.locate(("spec", "containers", 0, "image"), at_value=True)
    line = text.split("\n")[1]
    assert exact and (location.line, location.column) == (2, line.index('"nginx"') + 1)
    third, exact = loaded.documents[2].locate(("metadata", "name"), at_value=True)
    assert exact and (third.line, third.column) == (2, line.index('"b"') + 1)


def test_pretty_printed_objects() -> None:
    text = json.dumps(json.loads(CM % "a"), indent=2) + "\n" + json.dumps(json.loads(CM % "b"), indent=2) + "\n"
    loaded = load_text(text, "s.json")
    assert not loaded.errors
    assert [(d.data["metadata"]["name"], d.start_line) for d in loaded.documents] == [("a", 1), ("b", 12)]


@pytest.mark.parametrize("text", [
    CM % "a" + "\n",  # one object: one document, as always
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
])
def test_one_document_is_read_as_before(text: str) -> None:
    assert len(document_chunks(text)) == 1
    loaded = load_text(text, "a.json")
    assert not loaded.errors and len(loaded.documents) == 1


@pytest.mark.parametrize("text", [
    CM % "a" + "\n[1]\n",  # kubectl decodes objects only
    CM % "a" + "\n" + "x: 1\n",  # YAML after JSON: kubectl's JSON way fails there
    '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}\n' + CM % "b" + "\n",  # unbalanced
])
def test_what_is_not_a_stream_of_objects_stays_an_error(text: str) -> None:
    loaded = load_text(text, "s.json")
    assert loaded.errors and not loaded.documents
    assert len(document_chunks(text)) == 1


def test_a_broken_object_is_located_and_the_others_are_linted() -> None:
    broken = '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"} "x": 1}'
    text = CM % "a" + "\n" + broken + "\n" + CM % "c" + "\n"
    loaded = load_text(text, "s.json")
    assert [d.data["metadata"]["name"] for d in loaded.documents] == ["a", "c"]
    assert [e.line for e in loaded.errors] == [2]


def test_cli_lints_and_fixes_a_stream(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.json"
    path.write_text(CM % "a" + "\n" + POD + "\n")
    assert main(["check", str(path), "--no-config", "--select", "unpinned-image,writable-root-filesystem",
                 "--format", "json", "--fail-on", "never"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert sorted((f["rule"], f["line"]) for f in report["findings"]) == [
        ("unpinned-image", 2), ("writable-root-filesystem", 2)]
    assert main(["check", str(path), "--no-config", "--select", "writable-root-filesystem", "--fix", "--unsafe-fixes",
                 "--fail-on", "never"]) == 0
    capsys.readouterr()
    lines = path.read_text().split("\n")
    assert lines[0] == CM % "a"
    fixed = json.loads(lines[1])
    assert fixed["spec"]["containers"][0]["securityContext"] == {"readOnlyRootFilesystem": True}


@pytest.mark.parametrize("text", [
    "{{}}{{}}",  # a YAML flow mapping with a mapping as its key, twice: kubectl's JSON decoder fails at once
    "{a: 1}\n{b: 2}\n",  # YAML flow mappings, not JSON
    "{a: 1}\n" + CM % "b" + "\n",
])
def test_a_first_value_that_is_not_json_is_no_stream(text: str) -> None:
    loaded = load_text(text, "s.yaml")
    assert len(loaded.errors) == 1 and not loaded.documents
    assert len(document_chunks(text)) == 1


@pytest.mark.parametrize("nodes", [True, False])
def test_a_later_value_only_yaml_reads_is_an_error_at_its_place(nodes: bool) -> None:
    text = CM % "a" + "\n  {name: b}\n" + CM % "c" + "\n"
    loaded = load_text(text, "s.json", nodes=nodes)
    assert [d.data["metadata"]["name"] for d in loaded.documents] == ["a", "c"]
    assert [(e.line, e.column) for e in loaded.errors] == [(2, 4)]
    assert "not a JSON object" in loaded.errors[0].message


def test_an_object_nested_too_deep_is_a_located_error_not_a_crash() -> None:
    deep = '{"a":' * 50_000 + "1" + "}" * 50_000
    for text in (deep + "\n" + CM % "b" + "\n", CM % "a" + "\n" + deep + "\n"):
        loaded = load_text(text, "s.json", nodes=False)
        assert len(loaded.errors) == 1 and loaded.errors[0].kind is ErrorKind.TOO_DEEP
        assert len(loaded.documents) == 1
