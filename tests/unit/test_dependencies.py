"""What docs/design.md and pyproject.toml say about dependencies stays true."""

from __future__ import annotations

import re

from tests.helpers import ROOT


def test_ruamel_is_declared_but_not_imported() -> None:
    """docs/design.md says ruamel.yaml is declared but unused; update it (and pyproject's comment) when the
    fix work starts importing it."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'fix = ["ruamel.yaml' in pyproject
    importing = [
        str(p.relative_to(ROOT)) for p in (ROOT / "src" / "guardlint").rglob("*.py")
        if re.search(r"^\s*(import ruamel|from ruamel)", p.read_text(encoding="utf-8"), re.M)
    ]
    assert not importing, f"ruamel.yaml is imported by {importing}: update docs/design.md and pyproject.toml"
    assert "**no code imports it**" in (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
