"""One data-driven test over every rule fixture: the findings of the rule under test must be exactly the
``# expect: <rule>`` markers of the file (rule and line), no more and no fewer."""

from __future__ import annotations

import pytest

from tests.helpers import Fixture, found_counter, iter_fixtures, run_fixture

FIXTURES = iter_fixtures()


@pytest.mark.parametrize("fx", FIXTURES, ids=[f.id for f in FIXTURES])
def test_fixture(fx: Fixture) -> None:
    report = run_fixture(fx)
    assert not report.errors, f"fixture does not load: {report.errors}"
    assert report.resources > 0, "fixture holds no Kubernetes object"
    found = found_counter(report, fx.select)
    if fx.verdict == "pass":
        assert not fx.expected, "pass fixtures carry no '# expect:' markers"
        assert not found, "unexpected findings:\n" + "\n".join(
            f"  line {f.line}: {f.rule}: {f.message}" for f in report.active
        )
    else:
        assert fx.expected, "fail fixtures need at least one '# expect: <rule>' marker"
        details = "\n".join(f"  line {f.line}: {f.rule}: {f.message}" for f in report.active)
        assert found == fx.expected, f"expected {sorted(fx.expected.elements())}, found:\n{details}"
