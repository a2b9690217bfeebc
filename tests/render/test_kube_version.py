"""A chart's kubeVersion range read as Helm reads it (Masterminds semver v3 constraints)."""

from __future__ import annotations

import pytest

from guardlint.render.kubeversion import admits


@pytest.mark.parametrize(("constraint", "version", "expected"), [
    ("<1.20", (1, 37), False),
    ("<1.20", (1, 19), True),
    (">=1.19.0-0", (1, 37), True),
    (">=1.19.0-0", (1, 18), False),
    (">= 1.19.0-0 < 1.30.0-0", (1, 29), True),
    (">= 1.19.0-0 < 1.30.0-0", (1, 30), False),
    (">=1.21,<1.30", (1, 29), True),
    (">=1.21, <1.30", (1, 30), False),
    ("~1.20", (1, 20), True),
    ("~1.20", (1, 21), False),
    ("~> 1.20", (1, 21), False),
    ("^1.20", (1, 37), True),
    ("^1.20", (1, 19), False),
    ("1.x", (1, 5), True),
    ("1.25", (1, 25), True),
    ("1.25", (1, 26), False),
    ("=1.25.0", (1, 25), True),
    ("v1.2.3", (1, 2), False),
    ("*", (1, 37), True),
    ("1.19 - 1.25", (1, 25), True),
    ("1.19 - 1.25", (1, 26), False),
    ("<=1.25", (1, 25), True),
    ("<=1.25", (1, 26), False),
    (">1.25", (1, 25), False),
    (">1.25", (1, 26), True),
    (">1.25.0", (1, 25), False),
    ("!=1.25.0", (1, 25), False),
    ("!=1.25.0", (1, 26), True),
    (">=1.16.0-0 || <1.10", (1, 37), True),
    ("<1.10 || >=2", (1, 37), False),
    # Masterminds: "~0.0.0 is a special case where all constraints are accepted" (not ~0.0, ~0: those keep 0.x).
    ("~0.0.0", (1, 37), True),
    ("~>0.0.0", (1, 37), True),
    ("~0.0", (1, 37), False),
    ("~0", (1, 37), False),
    (">=*", (1, 37), True),
    ("x", (1, 37), True),
])
def test_ranges(constraint: str, version: tuple[int, int], expected: bool) -> None:
    assert admits(constraint, version) is expected


@pytest.mark.parametrize("constraint", ["", "garbage", ">=", "1.2.3.4", ">=1.20 &&  <1.30",
                                        # a wildcard major with an operator that Masterminds reads as 0.0.0
                                        ">*", "<=*", "!=*", "^*", ">=1.20 || >*"])
def test_a_range_that_cannot_be_read_is_not_judged(constraint: str) -> None:
    assert admits(constraint, (1, 30)) is None
