"""duplicate-env-name: a container defines the same environment variable twice."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import iter_maps
from guardlint.model.workloads import iter_all_containers
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="RES073",
    name="duplicate-env-name",
    # Gate: the rule yields nothing when this does not hold: a finding is on a container's env entry.
    gates=("env",),
    pods_only=True,
    title="Container defines an environment variable twice",
    severity=Severity.WARNING,
    pack="resources",
    since="0.1.0",
    tags=("consistency",),
    remediation="Keep one definition of each environment variable in the container's env list.",
    references=(
        Reference("Kubernetes: Define Environment Variables for a Container",
                  "https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/"),
    ),
)
def duplicate_env_name(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports an `env` entry of a container, init container, sidecar or ephemeral container whose `name` was
    already defined earlier in the same list. The later entry is reported, at its `name`.

    ## Why is this bad?
    The API accepts the list (and warns since Kubernetes 1.29) but only the last value takes effect, so the
    earlier one is dead configuration that someone will edit in vain; with `kubectl apply` the strategic
    merge keyed on `name` can also drop or mix the entries (Kubernetes documentation, "Define Environment
    Variables for a Container").

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          containers:
            - name: api
              image: example.com/api:3.2.0
              env:
                - {name: LOG_LEVEL, value: info}
                - {name: LOG_LEVEL, value: debug}
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          containers:
            - name: api
              image: example.com/api:3.2.0
              env:
                - {name: LOG_LEVEL, value: debug}
    ```
    """
    for c in iter_all_containers(resource, ctx.workloads):
        seen: set[str] = set()
        for i, env in iter_maps(c.data, ("env",)):
            name = env.get("name")
            if not isinstance(name, str):
                continue
            if name in seen:
                yield Violation((*c.path, "env", i, "name"), f"{c.describe()} defines environment variable {name!r} "
                                "more than once; only the last value takes effect", at_value=True)
            seen.add(name)


RULE = duplicate_env_name
