"""Patches: documents that describe a change to an object rather than a whole object.

A kustomize patch (listed under ``patches``, ``patchesStrategicMerge`` or ``patchesJson6902`` of a
Kustomization in the run), a strategic-merge fragment that uses a directive (``$patch: delete``,
``$setElementOrder/...``, ``$retainKeys``, ``$deleteFromPrimitiveList/...``), a document in a file named as a
patch (``patch.yaml``, ``manager_config_patch.yaml``, ``patches/replicas.yaml``) or in a kustomize
``overlays/`` tree (whose Kustomization may not be among the linted files) carries only the fields it
changes. Rules that report a *missing* field, and schema validation of required fields, skip patches: the
field is usually in the base the patch applies to.
"""

from __future__ import annotations

import posixpath

from guardlint._lazyre import LazyPattern
from guardlint.model.access import get
from guardlint.model.groups import BUILTIN_WORKLOAD_GROUPS
from guardlint.model.index import ResourceIndex
from guardlint.model.resource import Resource
from guardlint.model.workloads import WorkloadTable, iter_pod_specs

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_PATCH_FILE = LazyPattern(r"(?i)(?:^|[-_.])patch(?:es)?(?:[-_.]|$)")
DIRECTIVE_PREFIXES = ("$patch", "$setElementOrder/", "$retainKeys", "$deleteFromPrimitiveList/")


def is_directive(key: str) -> bool:
    """Whether a mapping key is a strategic-merge-patch directive."""
    return key.startswith(DIRECTIVE_PREFIXES)


def _has_directive(value: Any) -> bool:
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            for key, item in current.items():
                if isinstance(key, str) and key.startswith("$") and is_directive(key):
                    return True
                if isinstance(item, (dict, list)):
                    stack.append(item)
        elif isinstance(current, list):
            stack.extend(item for item in current if isinstance(item, (dict, list)))
    return False


def named_as_patch(file: str) -> bool:
    """Whether a manifest file's name or folder says it holds patches (a rendered stream, named after the
    overlay or chart it was built from, never does)."""
    parts = file.replace("\\", "/").split("/")
    stem, dot, ext = parts[-1].rpartition(".")
    if not dot or ext.lower() not in ("yaml", "yml", "json"):
        return False
    # "patch" in the lowered stem is what the pattern needs first (no other letters case-fold to these five)
    if "patch" in stem.lower() and _PATCH_FILE.search(stem):
        return True
    return any(p.lower() in ("patches", "overlays") for p in parts[:-1])


def listed_as_patch(index: ResourceIndex, resource: Resource) -> bool:
    """Whether a Kustomization of the run lists the resource's file as a patch."""
    own = posixpath.normpath(resource.file.replace("\\", "/"))
    for k in index.of_kind("Kustomization", any_namespace=True):
        base = k.file.replace("\\", "/").rpartition("/")[0]
        entries: list[Any] = list(get(k.data, ("patchesStrategicMerge",)) or [])
        for key in ("patches", "patchesJson6902"):
            entries.extend(p.get("path") for p in get(k.data, (key,)) or [] if isinstance(p, dict))
        for entry in entries:
            if isinstance(entry, str) and posixpath.normpath(posixpath.join(base, entry)) == own:
                return True
    return False


def is_patch(resource: Resource, index: ResourceIndex) -> bool:
    """Whether ``resource`` is a patch or a strategic-merge fragment rather than a whole object. Rendered
    output (Helm, kustomize) holds whole objects, whatever its file is named. Decided once per object and
    run."""
    embedded = resource.document.embedded
    if embedded is not None:  # an object an Argo workflow makes: a patch exactly when the template patches
        return embedded.patch
    if resource.document.origin is not None:
        return False
    cache: dict[int, tuple[Resource, bool]] = index.memo("model:is-patch", dict)
    hit = cache.get(id(resource.data))
    if hit is not None and hit[0] is resource:
        return hit[1]
    answer = named_as_patch(resource.file) or (resource.document.dollar and _has_directive(resource.data)) or (
        index.has_kind("Kustomization") and listed_as_patch(index, resource)
    )
    cache[id(resource.data)] = (resource, answer)
    return answer


def incomplete_workload(resource: Resource, workloads: WorkloadTable) -> bool:
    """Whether ``resource`` is a built-in workload (``BUILTIN_WORKLOAD_GROUPS``) whose pod template has no
    containers or a container without an image. The API accepts neither from a whole manifest in practice, so
    such a document is a fragment: a patch leaves them to the base it applies to."""
    if resource.group not in BUILTIN_WORKLOAD_GROUPS:
        return False
    for pod in iter_pod_specs(resource, workloads):
        containers = pod.spec.get("containers")
        if not isinstance(containers, list) or not containers:
            return True
        if any(isinstance(c, dict) and not c.get("image") for c in containers):
            return True
    return False
