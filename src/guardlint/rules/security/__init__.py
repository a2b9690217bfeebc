"""The security pack (SEC): Pod Security Standards and further workload, RBAC and GitOps checks."""

from __future__ import annotations

from typing import Any

from guardlint.rules.api import Rule


def rules() -> tuple[Rule[Any], ...]:
    from guardlint.rules.security import privileged_container, unpinned_image

    return (privileged_container.RULE, unpinned_image.RULE)
