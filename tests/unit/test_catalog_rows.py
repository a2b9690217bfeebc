"""The rule catalog's rows (``rules/catalog.py``): each row is its rule's record by position, and a file whose rows
have other fields is not read as if they were the same."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guardlint.rules import catalog
from guardlint.rules.api import RuleInfo
from guardlint.rules.packs import builtin_rules


def test_each_row_is_the_record_of_its_rule() -> None:
    rows = catalog.read_rows()
    assert rows is not None
    rules = sorted(builtin_rules(), key=lambda r: r.code)
    assert [catalog.record_of_row(row) for row in rows] == [catalog.record_of(r) for r in rules]
    assert all(len(row) == len(catalog.ROW) for row in rows)
    for row, r in zip(rows, rules, strict=True):
        assert catalog.row_of(catalog.record_of(r)) == row
        assert catalog.info_of(row) == r.info._replace(extra=row[catalog.ROW.index("extra")])


def test_the_row_holds_every_field_a_record_names() -> None:
    assert set(catalog.ROW) == set(catalog.FIELDS)
    assert catalog.ROW[:18] == tuple(f.replace("_", "-") for f in RuleInfo._fields)


def test_one_rule_per_line() -> None:
    lines = Path(catalog.CATALOG_PATH).read_text(encoding="utf-8").splitlines()
    rows = catalog.read_rows()
    assert rows is not None
    assert len(lines) == len(rows) + 3  # the header, "rules": [, the rows, ]}
    assert [json.loads(line.rstrip(",")) for line in lines[2:-1]] == rows


def test_a_catalog_of_other_fields_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A row read with the wrong field order would give rules wrong metadata; such a file counts as no catalog (the
    rules are then imported, as without one)."""
    text = Path(catalog.CATALOG_PATH).read_text(encoding="utf-8")
    data = json.loads(text)
    data["fields"] = [*catalog.ROW[1:], catalog.ROW[0]]
    other = tmp_path / "_catalog.json"
    other.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(catalog, "CATALOG_PATH", str(other))
    assert catalog.read_rows() is None and catalog.lazy_builtin_rules() is None and catalog.read_catalog() is None
    del data["fields"]
    other.write_text(json.dumps(data), encoding="utf-8")
    assert catalog.read_rows() is None
    monkeypatch.setattr(catalog, "CATALOG_PATH", str(tmp_path / "missing.json"))
    assert catalog.read_rows() is None
