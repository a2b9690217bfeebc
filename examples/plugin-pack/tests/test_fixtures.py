"""The pack tests itself as guardlint's built-in packs do: every fixture's findings must match its
'# expect:' markers and its committed snapshot. Needs the pack installed (pip install -e .), so that guardlint
finds it through its entry point. Rewrite snapshots with: python -m guardlint.testing --update tests/fixtures"""

from __future__ import annotations

from pathlib import Path

import pytest

from guardlint.testing import Fixture, fixture_problems, iter_fixtures, orphan_snapshots, registry_with

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REGISTRY = registry_with()  # the built-in rules and every installed pack, this one included
ALL = iter_fixtures(FIXTURES)


def test_the_pack_is_installed() -> None:
    for name in ("team-label-missing", "memory-limit-above-cap"):
        r = REGISTRY.get(name)
        assert r is not None, f"{name} is not registered: pip install -e . first"
        assert r.info.pack == "acme"


@pytest.mark.parametrize("fx", ALL, ids=[f.id for f in ALL])
def test_fixture(fx: Fixture) -> None:
    problems = fixture_problems(fx, REGISTRY)
    assert not problems, "\n".join(problems)


def test_every_rule_has_pass_and_fail_fixtures() -> None:
    for r in REGISTRY.rules:
        if r.info.pack == "acme":
            verdicts = {fx.verdict for fx in ALL if fx.rule == r.name}
            assert verdicts == {"pass", "fail"}, r.name


def test_no_orphan_snapshots() -> None:
    assert not orphan_snapshots(FIXTURES, ALL)
