"""env-reference-defined-later: an environment variable's value refers to a variable that the kubelet has not
defined yet when it expands the value."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._lazyre import lazy
from guardlint.model.access import iter_maps
from guardlint.model.workloads import iter_all_containers
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_SERVICE_VARIABLE = lazy(r"^[A-Z0-9_]+_(?:SERVICE_HOST|SERVICE_PORT(?:_[A-Z0-9_]+)?|PORT(?:_[A-Z0-9_]+)?)$")
"""The variables the kubelet makes for the Services of the namespace (``<SVC>_SERVICE_HOST``,
``<SVC>_SERVICE_PORT[_<PORT>]``, ``<SVC>_PORT[_...]``), which it also uses to expand references."""


def references(text: str) -> Iterator[str]:
    """The variable names ``$(NAME)`` in a value, read as the kubelet's expansion reads them: ``$$`` is an
    escaped ``$``, and a ``$(`` without a closing ``)`` is text."""
    i = 0
    n = len(text)
    while i < n:
        j = text.find("$", i)
        if j == -1 or j + 1 >= n:
            return
        nxt = text[j + 1]
        if nxt == "$":
            i = j + 2
        elif nxt == "(":
            end = text.find(")", j + 2)
            if end == -1:
                return
            yield text[j + 2:end]
            i = end + 1
        else:
            i = j + 1


@rule(
    code="RES130",
    name="env-reference-defined-later",
    # Gate: the rule yields nothing when this does not hold: a finding is on a container's env entry.
    gates=("env",),
    pods_only=True,
    title="Environment variable refers to a variable defined after it",
    severity=Severity.WARNING,
    pack="resources",
    since="0.3.0",
    tags=("consistency",),
    remediation="Define the variable before the entry that refers to it (the kubelet expands $(VAR) only with the "
                "variables defined earlier in the env list), or write the value out.",
    references=(
        Reference("Kubernetes: Define Dependent Environment Variables",
                  "https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-"
                  "variables/"),
    ),
)
def env_reference_defined_later(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports an `env` entry of a container, init container, sidecar or ephemeral container whose `value` refers
    with `$(NAME)` to a variable that the same list defines only at or after that entry (`PATH: $(PATH):/opt/bin`
    refers to itself). Not reported: references to variables defined earlier in the list, containers with
    `envFrom` (its keys are not known here and are defined before every `env` entry), `$$(NAME)` (an escaped
    reference, written as `$(NAME)`), and names the kubelet may define from the namespace's Services
    (`<SVC>_SERVICE_HOST`, `<SVC>_SERVICE_PORT...`, `<SVC>_PORT...`).

    ## Why is this bad?
    The kubelet expands a value's `$(NAME)` with the variables defined before it in the list (and the Service
    variables); a reference to a later one, or to the image's own environment, is left as written. The program
    gets the text `$(NAME)` instead of the value: `0.0.0.0:$(PORT)` as its listen address, or `$(PATH):/opt/bin`
    as its whole `PATH` (Kubernetes documentation, "Define Dependent Environment Variables").

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
                - {name: LISTEN, value: "0.0.0.0:$(PORT)"}
                - {name: PORT, value: "8080"}
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
                - {name: PORT, value: "8080"}
                - {name: LISTEN, value: "0.0.0.0:$(PORT)"}
    ```
    """
    for c in iter_all_containers(resource, ctx.workloads):
        if c.data.get("envFrom"):
            continue
        entries = list(iter_maps(c.data, ("env",)))
        if not any(isinstance(env.get("value"), str) and "$(" in env["value"] for _, env in entries):
            continue
        first: dict[str, int] = {}
        for position, (_, env) in enumerate(entries):
            defined = env.get("name")
            if isinstance(defined, str):
                first.setdefault(defined, position)
        for position, (i, env) in enumerate(entries):
            value = env.get("value")
            if not isinstance(value, str) or "$(" not in value:
                continue
            later: dict[str, int] = {}
            for ref in references(value):
                at = first.get(ref)
                if at is not None and at >= position and not _SERVICE_VARIABLE.match(ref):
                    later.setdefault(ref, at)
            if not later:
                continue
            refs = " and ".join(f"$({ref})" for ref in later)
            if list(later.values()) == [position]:
                what = "a reference to itself (the image's own environment is not expanded)"
            else:
                where = ", ".join("itself" if at == position else f"env[{entries[at][0]}]" for at in later.values())
                what = f"not defined before it ({where})"
            yield Violation(
                (*c.path, "env", i, "value"),
                f"{c.describe()} sets {env.get('name')!r} to a value with {refs}, {what}: the kubelet expands only "
                "variables defined earlier in the list, so the value keeps the reference as text",
                at_value=True,
            )

RULE = env_reference_defined_later
