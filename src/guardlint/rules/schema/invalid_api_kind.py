"""invalid-api-kind: a built-in API group does not have this version or kind (a typo in apiVersion or kind)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.apischema.lifecycle import group_of, is_builtin_group, served, show
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.schema._support import API_REFERENCE, find_schema, lifecycle_of, target_schemas

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="SCH007",
    name="invalid-api-kind",
    title="Built-in API group has no such version or kind",
    severity=Severity.ERROR,
    pack="schema",
    since="0.1.0",
    tags=("schema", "api-rejects"),
    remediation="Fix the apiVersion or kind (see the suggestion).",
    references=(API_REFERENCE,),
)
def invalid_api_kind(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports objects whose apiVersion belongs to a built-in Kubernetes API group (the core group, `apps`,
    `batch`, `*.k8s.io`...) but whose version or kind the target Kubernetes version has never served:
    `apps/v1 Deploymnet`, `v1 Configmap`, `networking.k8s.io/v1 NetworkPolicies`. Removed and
    not-yet-available APIs are reported by `removed-api` and `api-not-yet-available` instead.

    ## Why is this bad?
    The API server answers `no matches for kind`; the object is also invisible to every rule that looks
    for its kind.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Configmap
    metadata:
      name: settings
    data:
      mode: fast
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
    data:
      mode: fast
    ```
    """
    # The tests are pure and all must pass; the one a served object fails (its lifecycle, asked of every object by
    # four rules and memoised per apiVersion and kind) comes first.
    if lifecycle_of(resource, ctx).state != "unknown":
        return
    schemas = target_schemas(ctx)
    if schemas is None or not is_builtin_group(resource.api_version) or find_schema(resource, ctx).node is not None:
        return
    group = group_of(resource.api_version)
    info = served()
    ever = {k.rsplit("/", 1)[1] for k in info.spans if group_of(k.rsplit("/", 1)[0]) == group}
    if resource.kind not in ever:
        from guardlint._similar import close_matches  # difflib's answer, importing it only when one may be close

        kinds = sorted(ever)
        lowered = {k.lower(): k for k in kinds}
        close = [lowered[resource.kind.lower()]] if resource.kind.lower() in lowered else close_matches(
            resource.kind, kinds, n=1, cutoff=0.7)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        yield Violation(
            ("kind",),
            f"the {group or 'core'} API group has no kind {resource.kind!r} in Kubernetes "
            f"{show(ctx.kubernetes_version)}{hint}",
            at_value=True,
        )
        return
    versions = sorted({k.rsplit("/", 1)[0] for k in info.spans if k.rsplit("/", 1)[1] == resource.kind
                       and group_of(k.rsplit("/", 1)[0]) == group})
    serving = [v for v in versions if f"{v}/{resource.kind}" in schemas.served]
    if serving:
        instead = f"; {resource.kind} is served as {', '.join(serving)}"
    else:
        last = max(versions, key=lambda v: info.spans[f"{v}/{resource.kind}"][1])
        instead = (f"; no version serves {resource.kind} any more (last: {last}, until Kubernetes "
                   f"{show(info.spans[f'{last}/{resource.kind}'][1])})")
    yield Violation(
        ("apiVersion",),
        f"{resource.api_version} is not an API version of Kubernetes {show(ctx.kubernetes_version)} for "
        f"{resource.kind}{instead}",
        at_value=True,
    )


RULE = invalid_api_kind
