"""rule-error: a rule that raised an exception on an object (reported by the engine).

The engine produces this rule's findings itself; ``check`` yields nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint.config.model import ActiveRule
    from guardlint.findings import Finding


@rule(
    code="GL104",
    name="rule-error",
    title="A rule failed on this object",
    severity=Severity.ERROR,
    pack="core",
    since="0.1.0",
    tags=("internal",),
    remediation="Report the message to the rule's authors; the other rules still ran.",
    engine=True,
)
def rule_error(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports that a rule raised an exception on an object instead of finishing. The other rules still ran, and
    the finding names the rule and the error.

    ## Why is this bad?
    A rule that crashes checks nothing: the object may have the problem the rule looks for. This finding keeps
    that visible instead of silently passing."""
    return iter(())


def emit(active: ActiveRule, failed: ActiveRule, resource: Resource, exc: Exception) -> Finding:
    """The finding that rule ``failed`` raised ``exc`` on ``resource``."""
    from guardlint.engine import make_finding

    meta = failed.rule.info
    message = f"rule {meta.name!r} ({meta.code}) failed on {resource.display()}: {type(exc).__name__}: {exc}"
    return make_finding(active, resource, resource.document, (), message)


RULE = rule_error
