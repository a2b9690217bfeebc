"""unused-suppression: a suppression or config exemption that silenced nothing although its rule ran (found by
the engine).

The engine produces this rule's findings itself; ``check`` yields nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from guardlint.findings import Severity
from guardlint.model.resource import Resource
from guardlint.rules.api import RuleContext, Violation, rule


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


RULE = unused_suppression
