"""unknown-kind: guardlint has no schema for a kind (reported once per apiVersion/kind), so its fields are
not validated."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.apischema.lifecycle import is_builtin_group
from guardlint.apischema.store import api_key
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.schema._support import CRD_VALIDATION, find_schema, lifecycle_of, target_schemas

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _first_of_kind(ctx: RuleContext) -> dict[str, Resource]:
    def build() -> dict[str, Resource]:
        first: dict[str, Resource] = {}
        for r in ctx.index.resources:
            first.setdefault(api_key(r.api_version, r.kind), r)
        return first

    return ctx.index.memo("schema:first-of-kind", build)


@rule(
    code="SCH006",
    name="unknown-kind",
    title="No schema for this kind: its fields are not validated",
    severity=Severity.INFO,
    pack="schema",
    since="0.1.0",
    tags=("schema", "coverage"),
    remediation="Add the kind's CustomResourceDefinition to the linted files (or to the context), or name a schema "
    "folder or file under 'schemas' in the configuration, so its custom resources are validated.",
    references=(CRD_VALIDATION,),
)
def unknown_kind(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports, once per apiVersion/kind and run (on its first object), a custom resource kind for which
    guardlint has no schema: neither built into Kubernetes, nor defined by a CustomResourceDefinition among
    the linted files, nor found through the `schemas` setting (folders in the kubeconform layout
    `{group}/{kind}_{version}.json` such as a checked-out CRDs catalog, location templates, or files of
    CustomResourceDefinitions). Its objects are linted by the other rules but their fields are not validated.
    Change the severity (`rules: {unknown-kind: {severity: warning}}`) or turn it off to suit.

    ## Why is this bad?
    A silent gap: a misspelled field in such an object is not found. Knowing which kinds are not covered
    tells you which CRDs to add to the run.

    ## Example
    ```yaml
    apiVersion: example.com/v1
    kind: Widget
    metadata:
      name: w
    spec:
      size: 3
    ```

    ## Use instead
    ```yaml
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: widgets.example.com
    spec:
      group: example.com
      scope: Namespaced
      names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
      versions:
        - name: v1
          served: true
          storage: true
          schema:
            openAPIV3Schema:
              type: object
              properties:
                spec:
                  type: object
                  properties:
                    size: {type: integer}
    ---
    apiVersion: example.com/v1
    kind: Widget
    metadata:
      name: w
    spec:
      size: 3
    ```
    """
    # The tests are pure and all must pass; the one a built-in object fails (its lifecycle, asked of every object
    # by four rules and memoised per apiVersion and kind) comes first.
    if lifecycle_of(resource, ctx).state != "unknown":
        return
    if target_schemas(ctx) is None or is_builtin_group(resource.api_version):
        return
    if _first_of_kind(ctx).get(api_key(resource.api_version, resource.kind)) is not resource:
        return
    if find_schema(resource, ctx).node is not None:
        return
    yield Violation(
        ("kind",),
        f"no schema for {resource.api_version} {resource.kind}: fields of this kind are not validated "
        "(add its CustomResourceDefinition to the linted files, or a schema with the 'schemas' setting)",
        at_value=True,
    )


RULE = unknown_kind
