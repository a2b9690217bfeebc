"""unused-suppression: a suppression or config exemption that silenced nothing although its rule ran (found by
the engine).

The engine produces this rule's findings itself; ``check`` yields nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from guardlint.config.model import ActiveRule, Plan
    from guardlint.engine import Run
    from guardlint.findings import Finding
    from guardlint.suppress import Problem


@rule(
    code="GL102",
    name="unused-suppression",
    title="Suppression matches no finding",
    severity=Severity.WARNING,
    pack="core",
    since="0.1.0",
    tags=("suppression",),
    remediation="Delete the suppression (or the exemption); the problem it silenced is gone.",
    engine=True,
)
def unused_suppression(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports an `ignore.guardlint.dev/<rule>` annotation or a `# guardlint: ignore <rule>` comment that
    suppressed nothing in this run, although the rule it names ran on that object.

    It also reports an entry of `exemptions:` in the configuration that matched no finding, at the entry in
    the configuration file, when every rule the entry names ran (any rule, for an entry that names none). An
    exemption is judged only in a run that saw every file: not with `--partial` (the pre-commit hook lints
    only the changed files) and not when an input could not be read.

    ## Why is this bad?
    Stale suppressions hide future regressions: when someone reintroduces the problem, the old comment
    silences it again. Removing them keeps every exception deliberate.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      annotations:
        ignore.guardlint.dev/privileged-container: "needs raw sockets"
    spec:
      containers:
        - name: web
          image: nginx:1.27
          securityContext: {privileged: false}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
          securityContext: {privileged: false}
    ```"""
    return iter(())


def emit(run: Run, active: ActiveRule, problem: Problem) -> Finding:
    """The finding for one unused suppression, on the object it stands on (or the document's only one)."""
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


def emit_exemptions(findings: Sequence[Finding], plan: Plan, active: ActiveRule) -> list[Finding]:
    """An ``unused-suppression`` finding at each configured exemption that matched nothing in this run.

    Only for a complete run: in a ``partial`` run (pre-commit) or one where an input could not be read, the
    findings an exemption is meant for may be in the files that were not linted.
    """
    from guardlint.findings import Finding, Location
    from guardlint.suppress import unused_exemptions

    meta = active.rule.info
    out = []
    for ex in unused_exemptions(findings, plan):
        if ex.origin is None:
            continue  # built in code, not read from a file: nowhere to report it
        o = ex.origin
        rules = f" for {', '.join(ex.rules)}" if ex.rules else ""
        out.append(Finding(
            rule=meta.name, code=meta.code, severity=active.severity,
            message=f"exemption{rules} ({ex.reason}) suppresses nothing: no finding matched it",
            file=o.file, location=Location(o.line, o.column, o.line, o.column), path=o.path, resource=None,
            remediation=meta.remediation,
        ))
    return out


RULE = unused_suppression
