"""One data-driven test over every rule fixture, through the public fixture runner (``guardlint.testing``):
the findings of the rule under test must be exactly the ``# expect: <rule>`` markers of the file (rule and
line), and what a user sees of them (location, message, offered fix, the file after ``--fix``) must equal the
committed snapshot. Rewrite snapshots with ``python -m guardlint.testing --update tests/fixtures/rules``."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardlint.testing import fixture_problems, orphan_snapshots
from tests.helpers import FIXTURES, Fixture, iter_fixtures, registry

ALL = iter_fixtures()


@pytest.mark.parametrize("fx", ALL, ids=[f.id for f in ALL])
def test_fixture(fx: Fixture) -> None:
    problems = fixture_problems(fx, registry())
    assert not problems, "\n".join(problems)


def test_no_orphan_snapshots() -> None:
    assert not orphan_snapshots(FIXTURES, ALL)


def test_fixable_rules_have_a_fixed_file() -> None:
    """Every rule that offers a fix has at least one fail fixture whose expected fixed file is committed."""
    fixable = {r.name for r in registry().rules if r.info.fixable}
    pinned = {fx.rule for fx in ALL if fx.verdict == "fail" and fx.fixed_path.exists()}
    assert fixable <= pinned, f"fixable rules without a .fixed fixture: {sorted(fixable - pinned)}"


def test_update_of_one_rule_folder_keeps_its_snapshots(tmp_path: Path) -> None:
    """``--update`` given one rule's folder (``tests/fixtures/rules/<rule>``) updates that rule's snapshots; it
    once found no fixture there and deleted every snapshot as an orphan."""
    import shutil

    from guardlint.testing import main

    source = FIXTURES / "probe-port-invalid"
    folder = tmp_path / "probe-port-invalid"
    shutil.copytree(source, folder)
    snapshots = sorted(p.name for p in folder.rglob("*.snapshot"))
    assert snapshots
    assert main(["--update", str(folder)]) == 0
    assert sorted(p.name for p in folder.rglob("*.snapshot")) == snapshots
    assert main([str(folder)]) == 0
    (folder / "fail" / snapshots[0]).unlink()
    assert main([str(folder)]) == 1
