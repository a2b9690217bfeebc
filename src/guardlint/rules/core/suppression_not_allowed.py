"""suppression-not-allowed: a suppression or configuration entry that tries to switch off a rule the policy
locks (found by the engine).

The engine produces this rule's findings itself; ``check`` yields nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from guardlint.config.model import ActiveRule, Refusal
    from guardlint.findings import Finding


@rule(
    code="GL105",
    name="suppression-not-allowed",
    title="Suppression or setting refused: the rule is locked by policy",
    severity=Severity.ERROR,
    pack="core",
    since="0.1.0",
    tags=("suppression", "policy"),
    remediation="Fix the finding instead: the rule is locked by the policy named in the message, and only "
    "that policy's owners can exempt it (an exemption in the policy file).",
    engine=True,
)
def suppression_not_allowed(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports every attempt to switch off a rule that the policy file (`--policy FILE` or the
    `GUARDLINT_POLICY` environment variable) lists under `locked:`: an `ignore.guardlint.dev/<rule>`
    annotation or a `# guardlint: ignore <rule>` comment on a finding of the rule, an exemption in the
    repository's `.guardlint.yaml` that matches one, and, in that configuration, an `ignore:` entry,
    `enabled: false` or a lower `severity:` for the rule. None of them takes effect: the finding stays
    active and the rule runs at the policy's severity. The message names the policy file that locks the
    rule.

    A policy can lock rules only on objects in some namespaces (`locked: [{rules: [...], namespaces:
    [...]}]`); suppressions elsewhere work as usual.

    ## Why is this bad?
    A platform team locks the rules that must never be merged broken (privileged containers, host
    namespaces). A suppression added to make a check pass, by a person or by an AI coding agent, would
    otherwise silence exactly those rules. Refusing it loudly shows the reviewer what was attempted.

    ## Example
    With a policy file holding `locked: [privileged-container]`:

    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      annotations:
        ignore.guardlint.dev/privileged-container: "needed to make CI pass"
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
    spec:
      containers:
        - name: web
          image: nginx:1.27
          securityContext: {privileged: false}
    ```"""
    return iter(())


def emit_refusals(refusals: Iterable[Refusal], active: ActiveRule) -> list[Finding]:
    """A finding at each configuration entry refused because of a lock (located in its configuration file)."""
    from guardlint.findings import Finding, Location

    meta = active.rule.info
    out = []
    for r in refusals:
        o = r.origin
        out.append(Finding(
            rule=meta.name, code=meta.code, severity=active.severity, message=r.message, file=o.file,
            location=Location(o.line, o.column, o.line, o.column), path=o.path, resource=None,
            remediation=meta.remediation,
        ))
    return out


RULE = suppression_not_allowed
