"""A shipped declarative rule is built from its entry in the catalog (``spec``) without parsing the rule file, into
the rule the file gives."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from guardlint.cli import main
from guardlint.rules import catalog, declarative

RECORDS = [rec for rec in catalog.read_catalog() or () if rec["module"] == catalog.DECLARATIVE]


def test_every_shipped_declarative_rule_carries_its_entry() -> None:
    assert RECORDS
    for rec in RECORDS:
        assert rec.get("spec") is not None, rec["name"]


@pytest.mark.parametrize("rec", RECORDS, ids=lambda rec: rec["name"])
def test_the_rule_from_the_catalog_is_the_rule_from_the_file(rec: dict[str, Any]) -> None:
    _, file_name, rule_name = rec["attr"].split(":", 2)
    from_spec = declarative.builtin_declarative_rule(file_name, rule_name, rec["spec"])
    from_file = declarative.builtin_declarative_rule(file_name, rule_name)
    assert from_spec is not from_file
    assert from_spec.meta == from_file.meta  # every field: code, texts, doc, tags, fix, source ...
    assert catalog.record_of(from_spec) == catalog.record_of(from_file) == rec


def test_a_run_builds_them_without_reading_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(file_name: str) -> Any:
        raise AssertionError(f"{file_name} parsed")

    monkeypatch.setattr(declarative, "_builtin_file", refuse)
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: n}\n"
        "spec:\n  serviceAccount: web\n  containers: [{name: c, image: nginx:1.27}]\n", encoding="utf-8")
    out = io.StringIO()
    main(["check", str(tmp_path / "pod.yaml"), "--no-config", "--select", "SEC090", "--fail-on", "never"],
         out=out, err=io.StringIO())
    assert "deprecated-service-account-field" in out.getvalue()


@pytest.mark.parametrize(("a", "b", "same"), [
    ({"a": 1}, {"a": 1}, True), ({"a": 1}, {"a": 1.0}, False), ({"a": True}, {"a": 1}, False),
    ([1, [2]], [1, [2]], True), ([1], [1, 2], False), ({"a": None}, {"b": None}, False), ("x", "x", True),
])
def test_same_data_is_equality_with_types(a: Any, b: Any, same: bool) -> None:
    assert declarative._same_data(a, b) is same


def test_an_entry_json_would_change_is_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "declarative"
    folder.mkdir()
    (folder / "x.yaml").write_text(
        "rules:\n  - {name: dated, since: 2024-01-01}\n  - {name: keyed, schema: {1: a}}\n  - {name: plain, n: 1}\n",
        encoding="utf-8")
    monkeypatch.setattr("guardlint.data.data_root", lambda name: str(tmp_path))
    assert declarative.builtin_spec("x.yaml", "dated") is None  # a YAML date
    assert declarative.builtin_spec("x.yaml", "keyed") is None  # a key that is not a string
    assert declarative.builtin_spec("x.yaml", "plain") == {"name": "plain", "n": 1}
    assert declarative.builtin_spec("x.yaml", "missing") is None


def test_shipped_rules_name_their_file_by_its_place_in_guardlint_not_the_install_folder(
        capsys: pytest.CaptureFixture[str]) -> None:
    """SARIF reports carry a rule's ``extra.source``: an absolute path of the installed package there made the
    report differ per machine and told every reader of an uploaded report where the runner keeps its venv."""
    import json

    from guardlint.data import data_root

    install = data_root("rules")
    shipped = declarative.builtin_declarative_rules()
    assert shipped
    for rule in shipped:
        assert rule.meta.extra["source"].startswith(declarative.SHIPPED_SOURCE), rule.name
        assert install not in rule.meta.extra["source"]
    examples = Path(__file__).resolve().parents[2] / "examples"
    main(["check", str(examples), "--format", "sarif", "--no-config", "--fail-on", "never", "--select", "all"])
    sarif = json.loads(capsys.readouterr().out)
    sources = [r["properties"]["extra"]["source"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]
               if "source" in r.get("properties", {}).get("extra", {})]
    assert sources and all(s.startswith(declarative.SHIPPED_SOURCE) for s in sources)
    assert install not in json.dumps(sarif)


def test_a_repository_rule_file_keeps_its_own_name(tmp_path: Path) -> None:
    f = tmp_path / "mine.yaml"
    entry = RECORDS[0]["spec"]
    import yaml

    f.write_text(yaml.safe_dump({"rules": [entry]}))
    (rule,) = declarative.load_rule_file(f)
    assert rule.meta.extra["source"] == str(f)
