"""duplicate-object: the same object (group, kind, namespace, name) is defined twice."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from types import MappingProxyType

from guardlint._record import NamedTuple
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param
from guardlint.rules.resources._common import is_partial_object

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated, Literal


class Params(NamedTuple):
    scope: Annotated[Literal["file", "directory", "run"], param(
        "Where two definitions count as duplicates: in one file (always applied together), in one directory (what "
        "`kubectl apply -f dir/` or a GitOps application path applies together), or anywhere in the run.",
    )] = "file"


def _scope_key(resource: Resource, scope: str) -> str:
    if scope == "file":
        return resource.file
    if scope == "directory":
        return posixpath.dirname(resource.file.replace("\\", "/"))
    return ""


@rule(
    code="RES071",
    name="duplicate-object",
    title="Object is defined twice",
    severity=Severity.ERROR,
    pack="resources",
    since="0.1.0",
    tags=("consistency", "gitops"),
    remediation="Remove or rename one of the two definitions.",
    references=(
        Reference("Kubernetes: Object names and IDs",
                  "https://kubernetes.io/docs/concepts/overview/working-with-objects/names/"),
    ),
    params=Params,
)
def duplicate_object(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports an object whose API group, kind, namespace and name equal those of an object defined earlier in
    the same file (`scope`, default `file`; `directory` or `run` widen it). Only the later definition is
    reported, at its `metadata.name`. Objects without a namespace only match others without
    one (their namespace is chosen at apply time), different API versions of one group count as the same
    object, and objects without a name (`generateName`) are never duplicates.

    ## Why is this bad?
    Both definitions are applied to the same object, so the later one silently overwrites the earlier one
    (or, with server-side apply, they conflict); GitOps tools show the resource as permanently out of sync
    or refuse to sync (Kubernetes documentation, "Object Names and IDs": a name is unique for a kind in a
    namespace).

    ## Known problems
    Repositories often keep alternative variants of one object side by side (`deploy-gpu.yaml` and
    `deploy-tpu.yaml`, applied one at a time) and kustomize overlays repeat their base's objects in other
    directories, so the default scope is one file; set `scope: directory` where a directory is applied as
    a whole (a GitOps application path). Kustomize patches in the same file or directory are not counted,
    nor are objects an Argo workflow makes from a `resource` template's manifest (made when the workflow
    runs, often by alternative templates, not applied with the file).

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
    data:
      mode: fast
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
    data:
      mode: safe
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
    data:
      mode: fast
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings-safe
    data:
      mode: safe
    ```
    """
    name = resource.name
    if not name or name.endswith("*") or resource.document.embedded is not None:
        return
    first, first_ids = ctx.index.memo(f"duplicate-object:first:{params.scope}",
                                      lambda: _first_definitions(ctx, params.scope))
    # Most objects are the first definition of their identity (``other is resource`` below): known by the
    # object alone, without making its identity. Exact: ``first_ids`` holds the objects ``first`` maps to.
    if first_ids.get(id(resource)) is resource:
        return
    other = first.get(_identity(resource, params.scope))
    if other is None or other is resource:
        return
    if is_partial_object(resource, ctx) or is_partial_object(other, ctx):
        return
    where = "earlier in this file" if other.file == resource.file else f"in {other.file}"
    yield Violation(("metadata", "name"), f"{resource.describe()} is already defined {where}", at_value=True)


Identity = tuple[str, str, str, "str | None", str]


def _identity(resource: Resource, scope: str) -> Identity:
    return (_scope_key(resource, scope), resource.group, resource.kind, resource.namespace, resource.name or "")


def _first_definitions(
    ctx: RuleContext, scope: str,
) -> tuple[Mapping[Identity, Resource], Mapping[int, Resource]]:
    """Each identity (scope, group, kind, namespace, name) with its first definition in the run's order:
    one pass over the index, so the rule is linear in the number of objects (comparing every object with
    every earlier one of its kind took quadratic time); and those first definitions by ``id`` (the run keeps
    every object alive, so an ``id`` is not reused while the table lasts)."""
    first: dict[Identity, Resource] = {}
    for kind in ctx.index.kinds():
        for r in ctx.index.of_kind(kind, any_namespace=True):
            if r.name and r.document.embedded is None:
                first.setdefault(_identity(r, scope), r)
    return MappingProxyType(first), MappingProxyType({id(r): r for r in first.values()})


RULE = duplicate_object
