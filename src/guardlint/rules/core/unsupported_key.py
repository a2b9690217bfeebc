"""unsupported-key: a mapping key that kubectl cannot turn into a JSON key (found by the loader).

The engine produces this rule's findings itself; ``check`` yields nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint.config.model import ActiveRule
    from guardlint.engine import Run


@rule(
    code="GL107",
    name="unsupported-key",
    title="Mapping key that kubectl cannot read",
    severity=Severity.ERROR,
    pack="core",
    since="0.3.0",
    tags=("yaml",),
    remediation="Give the key a name, or quote it (\"~\": ...) if that text is the name you meant.",
    references=(
        Reference("sigs.k8s.io/yaml: how YAML keys become JSON keys (convertToJSONableObject)",
                  "https://github.com/kubernetes-sigs/yaml/blob/master/yaml.go"),
    ),
    engine=True,
)
def unsupported_key(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports a mapping key that Kubernetes' YAML decoder cannot make a JSON key of: a null key (`~`, `null`,
    `Null`, `NULL`, or an empty key), a plain integer of 2**63 or more (go-yaml reads it as an unsigned 64-bit
    integer), and a list or a mapping used as a key (`? [a, b]`).

    ## Why is this bad?
    kubectl, Helm, Argo CD and Flux turn YAML into JSON with sigs.k8s.io/yaml, which accepts string, boolean,
    integer and floating-point keys only. On any other key the whole file fails (`error converting YAML to
    JSON: Unsupported map key of type`, or go-yaml's `invalid map key`), and nothing in it is applied.

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
    data:
      ~: "default"
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
    data:
      default: "default"
    ```"""
    return iter(())


def emit(run: Run, active: ActiveRule) -> None:
    """Add a finding to ``run`` for each key of the linted objects that kubectl cannot read."""
    from guardlint.rules.core.converted_key import _emit

    _emit(run, active, converted=False)


RULE = unsupported_key
