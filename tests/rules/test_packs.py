"""The built-in pack table and the discovery of rule modules in the pack folders."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from guardlint.errors import RuleLoadError
from guardlint.rules.packs import BUILTIN_PACKS, Pack, builtin_rules, discover
from tests.helpers import ROOT

RULE_SOURCE = '''
from guardlint.findings import Severity
from guardlint.rules.api import rule


@rule(code="{code}", name="{name}", title="Something is wrong", severity=Severity.WARNING, pack="{pack}",
      remediation="Fix it.")
def check(resource, params, ctx):
    return iter(())

{bind}
'''


@pytest.fixture
def package(tmp_path: Path) -> Iterator[Path]:
    """An empty importable package ``acme_pack_<n>``; removed from sys.modules afterwards."""
    name = f"acme_pack_{len(list(tmp_path.parent.iterdir()))}"
    folder = tmp_path / name
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    sys.path.insert(0, str(tmp_path))
    try:
        yield folder
    finally:
        sys.path.remove(str(tmp_path))
        for mod in [m for m in sys.modules if m == folder.name or m.startswith(folder.name + ".")]:
            del sys.modules[mod]


def _write(folder: Path, module: str, *, code: str = "ACME001", name: str = "team-label-missing",
           pack: str = "acme", bind: str = "RULE = check") -> None:
    (folder / f"{module}.py").write_text(RULE_SOURCE.format(code=code, name=name, pack=pack, bind=bind))


ACME = Pack("acme", "ACME", "Acme")


def test_discovers_rule_modules_and_skips_helpers(package: Path) -> None:
    _write(package, "team_label_missing")
    _write(package, "owner_label_missing", code="ACME002", name="owner-label-missing")
    (package / "_helpers.py").write_text("X = 1\n")
    (package / "tables.py").write_text("TABLE = (1, 2)\n")
    rules = discover(ACME, package.name)
    assert [r.name for r in rules] == ["team-label-missing", "owner-label-missing"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"module": "wrong_name"}, "must be named team_label_missing.py"),
        ({"pack": "other"}, "says pack='other'"),
        ({"code": "SEC001"}, "does not start with the pack's prefix ACME"),
        ({"bind": "OTHER = check"}, "binds no RULE"),
        ({"bind": "RULE = 3"}, "is a int, not a Rule"),
    ],
)
def test_discovery_rejects_malformed_rule_modules(package: Path, kwargs: dict[str, str], message: str) -> None:
    module = kwargs.pop("module", "team_label_missing")
    _write(package, module, **kwargs)
    with pytest.raises(RuleLoadError, match=message.replace("(", r"\(")):
        discover(ACME, package.name)


def test_pack_table_is_the_one_list() -> None:
    names = [p.name for p in BUILTIN_PACKS]
    folders = sorted(p.name for p in (ROOT / "src" / "guardlint" / "rules").iterdir()
                     if p.is_dir() and (p / "__init__.py").exists())
    assert sorted(names) == folders
    assert len({p.prefix for p in BUILTIN_PACKS}) == len(BUILTIN_PACKS)
    rules = builtin_rules()
    assert {r.info.pack for r in rules} == set(names)
    prefix = {p.name: p.prefix for p in BUILTIN_PACKS}
    assert all(r.code.startswith(prefix[r.info.pack]) for r in rules)


def test_pack_rules_shim_still_lists_the_pack() -> None:
    from guardlint.rules import gpu

    assert [r.name for r in gpu.rules()] == [r.name for r in builtin_rules() if r.info.pack == "gpu"]
