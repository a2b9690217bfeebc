"""credentials-in-inline-config: what names a Secret in Helm values, and an alias bomb in a values text."""

from __future__ import annotations

import pytest

from guardlint.api import lint_text
from guardlint.rules.security.credentials_in_inline_config import names_a_secret_reference


@pytest.mark.parametrize(("key", "value", "reference"), [
    ("existingSecret", "redis-auth", True),
    ("existingSecretPasswordKey", "redis-password", True),
    ("passwordSecret", "podinfo-auth", True),
    ("adminPasswordKey", "postgres-password", True),
    ("passwordSecretKey", "admin-password", True),
    ("awsSecretKey", "s3cr3t-Key-9", False),
    ("secret", "shop-tls", True),
    ("secret", "wJalrXUtnFEMI/K7MDENG", False),
    ("clientSecret", "3f8a1c9e7b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a", False),
    ("secretKey", "s3cr3t-Key-9", False),
    ("password", "hunter2-prod-77", False),
])
def test_names_a_secret_reference(key: str, value: str, reference: bool) -> None:
    assert names_a_secret_reference(key, value) is reference


def test_an_alias_bomb_in_a_values_text_is_walked_once() -> None:
    pairs = zip("abcdefgh", "bcdefghi", strict=True)
    rows = "\n".join(f"        {c}: &{c} [{', '.join(['*' + p] * 10)}]" for p, c in pairs)
    text = f"""apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: bomb
spec:
  source:
    helm:
      values: |
        a: &a [{{password: "Zq8-vLm3-Rt7x"}}, {{password: "Zq8-vLm3-Rt7x"}}]
{rows}
"""
    report = lint_text(text, select=["credentials-in-inline-config"])
    [finding] = report.findings
    assert finding.message == "Helm values text key 'a[0].password' holds a credential in plain text (and 1 more)"
