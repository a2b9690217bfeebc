"""exported-live-object: a manifest was exported from a cluster and still carries server-set fields."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint._record import NamedTuple
from guardlint.model.access import get_map
from guardlint.model.paths import FieldPath
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated, Any, Literal

    ServerField = Literal[
        "metadata.managedFields", "metadata.uid", "metadata.resourceVersion", "metadata.creationTimestamp",
        "metadata.selfLink", "metadata.generation", "last-applied-configuration", "status",
    ]

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

FIELDS: dict[ServerField, tuple[FieldPath, str]] = {
    "metadata.managedFields": (("metadata", "managedFields"), "server-side apply field ownership"),
    "metadata.uid": (("metadata", "uid"), "the UID of one particular object"),
    "metadata.resourceVersion": (("metadata", "resourceVersion"), "a resourceVersion, which makes updates conflict"),
    "metadata.creationTimestamp": (("metadata", "creationTimestamp"), "a creation time set by the API server"),
    "metadata.selfLink": (("metadata", "selfLink"), "a selfLink set by the API server"),
    "metadata.generation": (("metadata", "generation"), "a generation counter set by the API server"),
    "last-applied-configuration": (
        ("metadata", "annotations", LAST_APPLIED),
        "the kubectl last-applied annotation, a full copy of an earlier version",
    ),
    "status": (("status",), "a status written by a controller"),
}


_METADATA_KEYS = frozenset(str(path[1]) for path, _ in FIELDS.values() if len(path) == 2 and path[0] == "metadata")
"""The server-set fields of ``metadata`` (the last-applied annotation aside)."""


def _may_carry(data: Mapping[str, Any], meta: Mapping[str, Any]) -> bool:
    """Whether one of the server-set fields is present at all (a cheap test that most objects fail)."""
    if "status" in data or not meta.keys().isdisjoint(_METADATA_KEYS):
        return True
    annotations = meta.get("annotations")
    return isinstance(annotations, dict) and LAST_APPLIED in annotations


class Params(NamedTuple):
    # ``ServerField`` spelled out: the parameter schema evaluates this annotation at run time, where the alias
    # (for type checkers only, like ``typing``) does not exist; mypy keeps the two equal (``tuple(FIELDS)``)
    fields: Annotated[tuple[Literal[
        "metadata.managedFields", "metadata.uid", "metadata.resourceVersion", "metadata.creationTimestamp",
        "metadata.selfLink", "metadata.generation", "last-applied-configuration", "status",
    ], ...], param(
        "Server-set fields to report.",
        unique_items=True,
    )] = tuple(FIELDS)


def _meaningful(value: Any) -> bool:
    """Whether a value carries data: not null, empty, zero or false, also when nested."""
    if isinstance(value, dict):
        return any(_meaningful(v) for v in value.values())
    if isinstance(value, list):
        return any(_meaningful(v) for v in value)
    return value not in (None, "", 0, False)


@rule(
    code="SEC052",
    name="exported-live-object",
    title="Manifest carries fields of an object exported from a cluster",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=("gitops",),
    remediation=(
        "Remove the server-set fields (status, metadata.uid, resourceVersion, creationTimestamp, managedFields, "
        "generation, selfLink and the last-applied annotation) and keep only what you mean to declare."
    ),
    params=Params,
    references=(
        Reference("Kubernetes: Object Management", "https://kubernetes.io/docs/concepts/overview/working-with-objects/object-management/"),
        Reference("Kubernetes: Server-Side Apply (managed fields)", "https://kubernetes.io/docs/reference/using-api/server-side-apply/"),
    ),
)
def exported_live_object(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports objects that carry fields only the API server or a controller sets, which show that the
    manifest was copied from a live cluster (`kubectl get -o yaml`): `metadata.managedFields`,
    `metadata.uid`, `metadata.resourceVersion`, a non-null `metadata.creationTimestamp`,
    `metadata.selfLink`, `metadata.generation`, the `kubectl.kubernetes.io/last-applied-configuration`
    annotation and a non-empty `status` (per `fields`). One finding per object, at the first such field,
    lists them all. The `status: {}` and `creationTimestamp: null` that code generators write are not
    reported.

    ## Why is this bad?
    An applied `resourceVersion` or `uid` makes the apply fail or conflict once the object changes; the
    last-applied annotation and `status` carry stale data (sometimes secrets of an older version), and
    `managedFields` records owners that confuse server-side apply. Exported objects also tend to contain
    defaulted fields nobody meant to pin
    (https://kubernetes.io/docs/concepts/overview/working-with-objects/object-management/).

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      namespace: shop
      uid: 9d3f1a52-8a6e-4c3b-9a8e-0f5c2f1e7b21
      resourceVersion: "483920"
      creationTimestamp: "2025-03-14T09:26:53Z"
    data:
      mode: production
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      namespace: shop
    data:
      mode: production
    ```
    """
    meta = resource.data.get("metadata")  # (an object's data is a mapping: ``get_map``'s reading, without its walk)
    if not isinstance(meta, dict):
        meta = {}
    if not _may_carry(resource.data, meta):
        return  # none of the fields is there (most objects): every value below would be None
    found: list[ServerField] = []
    first: FieldPath | None = None
    for name in FIELDS:
        if name not in params.fields:
            continue
        path = FIELDS[name][0]
        if path[0] == "status":
            value = resource.data.get("status")
        elif name == "last-applied-configuration":
            value = (get_map(meta, ("annotations",)) or {}).get(LAST_APPLIED)
        else:
            value = meta.get(str(path[1]))
        if _meaningful(value):
            found.append(name)
            first = first or path
    if first is None:
        return
    if len(found) == 1:
        text = f"the manifest carries {found[0]}: {FIELDS[found[0]][1]}"
    else:
        text = "the manifest was exported from a cluster: it carries the server-set fields " + ", ".join(found)
    yield Violation(first, text)


RULE = exported_live_object
