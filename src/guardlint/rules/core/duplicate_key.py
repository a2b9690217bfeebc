"""duplicate-key: a key that appears twice in the same YAML mapping (found by the loader).

The engine produces this rule's findings itself; ``check`` yields nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from guardlint.findings import Severity
from guardlint.model.resource import Resource
from guardlint.rules.api import Reference, RuleContext, Violation, rule


@rule(
    code="GL101",
    name="duplicate-key",
    title="Mapping has the same key twice",
    severity=Severity.ERROR,
    pack="core",
    since="0.1.0",
    tags=("yaml",),
    remediation="Delete one of the two keys, keeping the value you meant.",
    references=(Reference("YAML 1.2: mapping keys are unique", "https://yaml.org/spec/1.2.2/#mapping"),),
    engine=True,
)
def duplicate_key(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
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
    return iter(())


RULE = duplicate_key
