"""invalid-object-meta: finalizers or owner references in an object's metadata that the API server rejects."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

ORPHAN = "orphan"
FOREGROUND = "foregroundDeletion"
"""``metav1.FinalizerOrphanDependents`` and ``FinalizerDeleteDependents``: never both."""
_OWNER_FIELDS = ("apiVersion", "kind", "name", "uid")


def _placeholder(text: str) -> bool:
    return "{{" in text or "${" in text or "$(" in text


def _finalizers(finalizers: list[Any]) -> Iterator[Violation]:
    """``ValidateFinalizers``: each name a qualified name (``IsQualifiedName``), not ``orphan`` next to
    ``foregroundDeletion``."""
    from guardlint.model.resourcenames import qualified_name_problem

    for i, name in enumerate(finalizers):
        if not isinstance(name, str) or _placeholder(name):
            continue
        problem = qualified_name_problem(name)
        if problem is not None:
            yield Violation(("metadata", "finalizers", i), f"the API rejects finalizer {name!r}: it {problem} (a "
                            "finalizer is a qualified name such as example.com/cleanup)", at_value=True)
    if ORPHAN in finalizers and FOREGROUND in finalizers:
        yield Violation(("metadata", "finalizers"), f"the API rejects finalizers {ORPHAN} and {FOREGROUND} together "
                        "(cannot be both set): keep the one deletion policy you mean")


def _owner_references(owners: list[Any]) -> Iterator[Violation]:
    """``ValidateOwnerReferences``: every field set, no Event as an owner, at most one controller."""
    controller: str | None = None
    for i, ref in enumerate(owners):
        if not isinstance(ref, Mapping):
            continue
        at = ("metadata", "ownerReferences", i)
        for key in _OWNER_FIELDS:
            value = ref.get(key)
            if value == "":
                what = "version" if key == "apiVersion" else key
                yield Violation((*at, key), f"the API rejects an owner reference with an empty {key} ({what} must not "
                                "be empty)", at_value=True)
            elif key == "apiVersion" and isinstance(value, str) and value.endswith("/"):
                yield Violation((*at, key), f"the API rejects owner apiVersion {value!r}, which names no version after "
                                "the group (version must not be empty)", at_value=True)
        if ref.get("apiVersion") == "v1" and ref.get("kind") == "Event":
            yield Violation((*at, "kind"), "the API rejects an Event as an owner (/v1, Kind=Event is disallowed from "
                            "being an owner)", at_value=True)
        if ref.get("controller") is True:
            name = f"{ref.get('kind')}/{ref.get('name')}"
            if controller is not None:
                yield Violation((*at, "controller"), f"the API rejects a second controller reference ({name} after "
                                f"{controller}): only one reference can have controller set to true", at_value=True)
            else:
                controller = name


@rule(
    code="SCH014",
    name="invalid-object-meta",
    title="Finalizer or owner reference the API rejects",
    severity=Severity.ERROR,
    pack="schema",
    since="0.3.0",
    status="preview",
    tags=("schema", "api-rejects"),
    remediation="Name each finalizer as a qualified name (example.com/cleanup); set orphan or foregroundDeletion, "
    "not both; give every owner reference its apiVersion, kind, name and uid, and at most one controller: true.",
    references=(
        Reference("Kubernetes: Finalizers", "https://kubernetes.io/docs/concepts/overview/working-with-objects/finalizers/"),
        Reference("Kubernetes: Owners and Dependents",
                  "https://kubernetes.io/docs/concepts/overview/working-with-objects/owners-dependents/"),
    ),
)
def invalid_object_meta(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports, in any object's `metadata`, what the API server's `ValidateObjectMeta` rejects beyond the name,
    labels and annotations (`invalid-object-name`, `invalid-label`):

    - a finalizer that is not a qualified name (`IsQualifiedName`: an optional DNS-subdomain prefix and `/`,
      then at most 63 letters, digits, `-`, `_` and `.` starting and ending with a letter or digit), so not
      `example.com/clean up` or `a/b/c`; and the finalizers `orphan` and `foregroundDeletion` together;
    - an owner reference with an empty `apiVersion` (or one without a version after the group), `kind`, `name`
      or `uid` (a missing one is `missing-required-field`'s), an Event as the owner, or a second reference with
      `controller: true`.

    A finalizer without a prefix (`cleanup`) is accepted with a warning and not reported. Values with an
    unrendered placeholder are not judged.

    ## Why is this bad?
    The API server rejects the object (`metadata.finalizers: Invalid value: "example.com/clean up": name part
    must consist of alphanumeric characters...`, `metadata.ownerReferences: Invalid value: ...: Only one
    reference can have Controller set to true`), so the apply or the sync fails (Kubernetes documentation,
    "Finalizers", "Owners and Dependents").

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      finalizers:
        - example.com/clean up
    data:
      mode: fast
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      finalizers:
        - example.com/cleanup
    data:
      mode: fast
    ```
    """
    metadata = resource.data.get("metadata")
    if not isinstance(metadata, dict):
        return
    finalizers = metadata.get("finalizers")
    if isinstance(finalizers, list) and finalizers:
        yield from _finalizers(finalizers)
    owners = metadata.get("ownerReferences")
    if isinstance(owners, list) and owners:
        yield from _owner_references(owners)


RULE = invalid_object_meta
