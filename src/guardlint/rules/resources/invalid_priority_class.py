"""invalid-priority-class: a PriorityClass the API server rejects for a reason no schema states (a reserved
``system-`` name, a value above what user classes may have)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SYSTEM_PREFIX = "system-"
"""``scheduling.SystemPriorityClassPrefix``."""
HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000
"""``scheduling.HighestUserDefinablePriority``."""
SYSTEM_PRIORITY_CLASSES = {
    "system-node-critical": 2 * HIGHEST_USER_DEFINABLE_PRIORITY + 1000,
    "system-cluster-critical": 2 * HIGHEST_USER_DEFINABLE_PRIORITY,
}
"""``systemPriorityClasses`` (``SystemCriticalPriority`` is twice the highest user priority): name -> value; their
``globalDefault`` is false."""


def _known_system_class_error(name: str, value: int, global_default: bool) -> str | None:
    """``IsKnownSystemPriorityClass``'s error for a ``system-`` name, or None when the class is one of them."""
    expected = SYSTEM_PRIORITY_CLASSES.get(name)
    if expected is None:
        return f"{name} is not a known system priority class"
    if value != expected:
        return f"value of {name} PriorityClass must be {expected}"
    if global_default:
        return f"globalDefault of {name} PriorityClass must be false"
    return None


@rule(
    code="RES121",
    name="invalid-priority-class",
    title="PriorityClass that the API rejects: a reserved system- name or a value above 1,000,000,000",
    severity=Severity.ERROR,
    pack="resources",
    since="0.3.0",
    status="preview",
    tags=("consistency", "api-rejects"),
    remediation="Name the PriorityClass without the 'system-' prefix (reserved for system-node-critical and "
    "system-cluster-critical) and give it a value of at most 1000000000; pods that need more use the built-in "
    "system classes.",
    kinds=("PriorityClass",),
    references=(
        Reference("Kubernetes: Pod Priority and Preemption, PriorityClass",
                  "https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/#priorityclass"),
    ),
)
def invalid_priority_class(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports a PriorityClass (`scheduling.k8s.io`) that the API server's `ValidatePriorityClass` rejects beyond
    the schema, with its reason:

    - a name starting with `system-` that is not one of the built-in system classes as Kubernetes defines them:
      `system-node-critical` (value 2000001000) and `system-cluster-critical` (value 2000000000), both with
      `globalDefault` false. Any other `system-` name, or one of those names with another value or with
      `globalDefault: true`, is rejected (`priority class names with 'system-' prefix are reserved for system
      use only`);
    - any other PriorityClass with a `value` above 1000000000 (`maximum allowed value of a user defined
      priority is 1000000000`).

    A name or value that is an unrendered placeholder, or not of its type (`wrong-field-type`'s), is not judged.

    ## Why is this bad?
    The API server refuses to create the PriorityClass, and every pod that names it in `priorityClassName` is
    then rejected by the Priority admission plugin (`no PriorityClass with name ... was found`). Values above one
    billion are kept for the system classes so that no workload can outrank the cluster's own critical pods;
    charts that copy a system class to give an agent "critical" priority hit both limits.

    ## Example
    ```yaml
    apiVersion: scheduling.k8s.io/v1
    kind: PriorityClass
    metadata:
      name: system-agent-critical
    value: 2000000000
    description: Node agents.
    ```

    ## Use instead
    ```yaml
    apiVersion: scheduling.k8s.io/v1
    kind: PriorityClass
    metadata:
      name: agent-critical
    value: 1000000000
    description: Node agents.
    ```
    """
    if resource.group != "scheduling.k8s.io":
        return
    data = resource.data
    metadata = data.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    raw = data.get("value")
    value = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
    if isinstance(name, str) and name.startswith(SYSTEM_PREFIX):
        if "{{" in name or "${" in name or "$(" in name:
            return
        if value is None and raw is not None:  # not an integer: wrong-field-type's
            return
        global_default = data.get("globalDefault") is True
        error = _known_system_class_error(name, value or 0, global_default)
        if error is not None:
            yield Violation(("metadata", "name"), f"the API rejects PriorityClass {name!r}: priority class names "
                            f"with '{SYSTEM_PREFIX}' prefix are reserved for system use only. error: {error}",
                            at_value=True)
    elif value is not None and value > HIGHEST_USER_DEFINABLE_PRIORITY:
        what = f"PriorityClass {name!r}" if isinstance(name, str) else "a PriorityClass"
        yield Violation(("value",), f"the API rejects value {value} of {what}: maximum allowed value of a user "
                        f"defined priority is {HIGHEST_USER_DEFINABLE_PRIORITY}", at_value=True)


RULE = invalid_priority_class
