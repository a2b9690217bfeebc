"""Rules whose findings the engine produces itself (they need the document or the suppressions)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from guardlint.findings import Severity
from guardlint.model.resource import Resource
from guardlint.rules.api import Reference, RuleContext, Violation, rule


def _nothing(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    return iter(())


_DUPLICATE_KEY_DOC = """## What it does
Reports a key that appears twice in the same YAML mapping.

## Why is this bad?
YAML requires unique keys, but Kubernetes' decoder and most tools silently keep the *last* value. A
duplicated `resources:` or `securityContext:` block therefore discards the first one without a word: the
reviewer reads one setting and the cluster applies another.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
  labels: {app: api}
spec:
  containers:
    - name: web
      image: nginx:1.27
```

## Use instead
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
    - name: web
      image: nginx:1.27
```"""

_UNUSED_SUPPRESSION_DOC = """## What it does
Reports an `ignore.guardlint.dev/<rule>` annotation or a `# guardlint: ignore <rule>` comment that
suppressed nothing in this run, although the rule it names ran on that object.

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

_INVALID_SUPPRESSION_DOC = """## What it does
Reports a suppression that guardlint cannot honour: a comment directive without a rule name or without a
reason after ` -- `, an annotation with an empty value, or a rule name that does not exist. Such a
suppression suppresses nothing.

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

_RULE_ERROR_DOC = """## What it does
Reports that a rule raised an exception on an object instead of finishing. The other rules still ran, and
the finding names the rule and the error.

## Why is this bad?
A rule that crashes checks nothing: the object may have the problem the rule looks for. This finding keeps
that visible instead of silently passing."""


duplicate_key = rule(
    doc=_DUPLICATE_KEY_DOC,
    code="GL101",
    name="duplicate-key",
    title="Mapping has the same key twice",
    severity=Severity.ERROR,
    pack="core",
    tags=("yaml",),
    remediation="Delete one of the two keys, keeping the value you meant.",
    references=(Reference("YAML 1.2: mapping keys are unique", "https://yaml.org/spec/1.2.2/#mapping"),),
    engine=True,
)(_nothing)

unused_suppression = rule(
    doc=_UNUSED_SUPPRESSION_DOC,
    code="GL102",
    name="unused-suppression",
    title="Suppression matches no finding",
    severity=Severity.WARNING,
    pack="core",
    tags=("suppression",),
    remediation="Delete the suppression; the problem it silenced is gone.",
    engine=True,
)(_nothing)

invalid_suppression = rule(
    doc=_INVALID_SUPPRESSION_DOC,
    code="GL103",
    name="invalid-suppression",
    title="Suppression is malformed, has no reason or names an unknown rule",
    severity=Severity.ERROR,
    pack="core",
    tags=("suppression",),
    remediation="Write 'guardlint: ignore <rule-name> -- <reason>' (or the annotation with a non-empty reason).",
    engine=True,
)(_nothing)

rule_error = rule(
    doc=_RULE_ERROR_DOC,
    code="GL104",
    name="rule-error",
    title="A rule failed on this object",
    severity=Severity.ERROR,
    pack="core",
    tags=("internal",),
    remediation="Report the message to the rule's authors; the other rules still ran.",
    engine=True,
)(_nothing)

RULES = (duplicate_key, unused_suppression, invalid_suppression, rule_error)
