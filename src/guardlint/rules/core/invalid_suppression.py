"""invalid-suppression: a malformed suppression, one without a reason or one naming no rule (found by the engine).

The engine produces this rule's findings itself; ``check`` yields nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint.config.model import ActiveRule
    from guardlint.engine import Run
    from guardlint.findings import Finding
    from guardlint.suppress import Problem


@rule(
    code="GL103",
    name="invalid-suppression",
    title="Suppression is malformed, has no reason or names an unknown rule",
    severity=Severity.ERROR,
    pack="core",
    since="0.1.0",
    tags=("suppression",),
    remediation="Make the suppression one guardlint honours: 'guardlint: ignore <rule-name> -- <reason>' (or the "
    "annotation with a non-empty reason) naming a rule that exists, with a reason that matches the policy's "
    "pattern; an expired one suppresses nothing: fix the finding, or renew its 'until' date if the exception "
    "still holds.",
    engine=True,
)
def invalid_suppression(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports a suppression that guardlint cannot honour: a comment directive without a rule name or without a
    reason after ` -- `, an annotation with an empty value, or a rule name that does not exist. Such a
    suppression suppresses nothing.

    It also reports a suppression that has expired (an exemption's `until: 2027-03-31`, or a reason that
    starts with `until 2027-03-31` in an annotation or comment, judged against today's date) and one whose
    reason does not match the policy's `suppression-reason-pattern` (see `--policy`): they suppress nothing
    either.

    ## Why is this bad?
    Every exception to a policy should say why it exists, so that reviewers and later readers can judge it.
    A typo in the rule name would otherwise silently fail to suppress, or worse, look like it did.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      annotations:
        ignore.guardlint.dev/privileged-container: ""
    spec:
      containers:
        - name: web
          image: nginx:1.27
          securityContext: {privileged: true}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      annotations:
        ignore.guardlint.dev/privileged-container: "CNI agent; needs to configure host networking"
    spec:
      containers:
        - name: web
          image: nginx:1.27
          securityContext: {privileged: true}
    ```"""
    return iter(())


def emit(run: Run, active: ActiveRule, problem: Problem) -> Finding:
    """The finding for one invalid suppression, on the object it stands on (or the document's only one)."""
    from guardlint.engine import make_finding
    from guardlint.findings import Location

    where: Location | None = None
    if problem.line is not None and problem.column is not None:
        where = Location(problem.line, problem.column, problem.line, problem.column)
    rel = problem.path[len(problem.resource.prefix):] if problem.resource is not None else problem.path
    holder: Resource | None = problem.resource
    if holder is None:
        candidates = run.resources_by_doc.get(problem.document) or []
        holder = candidates[0] if len(candidates) == 1 else None
    return make_finding(active, holder, problem.document, rel, problem.message, location=where)


RULE = invalid_suppression
