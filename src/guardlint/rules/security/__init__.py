"""The security pack (SEC): Pod Security Standards and further workload, RBAC, networking and GitOps checks.

Codes: SEC001-SEC019 one rule per Pod Security Standards check (tags ``pss``, ``pss-baseline``,
``pss-restricted``); SEC020-SEC029 images; SEC030-SEC049 workload hardening and secrets in pods; SEC050-SEC059
GitOps hygiene; SEC060-SEC069 RBAC; SEC070-SEC079 networking; SEC090 (declarative) deprecated fields.
"""

from __future__ import annotations

from guardlint.rules.api import Rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def rules() -> tuple[Rule[Any], ...]:
    """This pack's rules. Deprecated: the registry finds a pack's rules by walking its folder
    (``guardlint.rules.packs``); this function only remains for code that called it."""
    from guardlint.rules.packs import pack_rules

    return pack_rules("security")
