"""Objects a pod references by name (ServiceAccount, ConfigMap, Secret, PersistentVolumeClaim), and the
shared check behind the "missing referenced object" rules.

Whether a reference is missing is decided by the one missing-object policy of ``guardlint.model.missing``
(complete tree and namespace, producers, run-time creation by RBAC or operators). References marked
``optional: true`` are never reported.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType

from guardlint.model.access import iter_maps
from guardlint.model.paths import FieldPath
from guardlint.model.workloads import PodSpecRef, iter_containers
from guardlint.rules.api import Resource, RuleContext, Violation
from guardlint.rules.resources._common import can_judge_missing, is_missing

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_VOLUME_FIELDS = {"ConfigMap": ("configMap", "name"), "Secret": ("secret", "secretName"),
                  "PersistentVolumeClaim": ("persistentVolumeClaim", "claimName")}
_PROJECTED = {"ConfigMap": "configMap", "Secret": "secret"}
_KEY_REF = {"ConfigMap": "configMapKeyRef", "Secret": "secretKeyRef"}
_ENV_FROM = {"ConfigMap": "configMapRef", "Secret": "secretRef"}


Reference = tuple[FieldPath, str, str]
"""(path of the name field, referenced name, who refers)."""

KINDS = ("ServiceAccount", "Secret", "ConfigMap", "PersistentVolumeClaim")
"""The kinds a pod references by name."""


def references(pod: PodSpecRef, kind: str) -> Iterator[Reference]:
    """(path of the name field, referenced name, who refers) for every non-optional reference to ``kind``."""
    return iter(pod_references(pod).get(kind, ()))


def pod_references(pod: PodSpecRef) -> dict[str, list[Reference]]:
    """Every non-optional reference of the pod by name, by kind (``KINDS``), in one walk over its fields. Each
    kind's list is in the order of the pod's fields: for a Secret, ``imagePullSecrets``, then the volumes (each
    one's source, then its projected sources), then each container's ``env`` and ``envFrom``."""
    out: dict[str, list[Reference]] = {kind: [] for kind in KINDS}
    spec = pod.spec
    for key in ("serviceAccountName", "serviceAccount"):
        name = spec.get(key)
        if isinstance(name, str) and name:
            out["ServiceAccount"].append(((*pod.path, key), name, "the pod"))
            break
    secrets = out["Secret"]
    for i, pull in iter_maps(spec, ("imagePullSecrets",)):
        name = pull.get("name")
        if isinstance(name, str) and name:
            secrets.append(((*pod.path, "imagePullSecrets", i, "name"), name, "the pod's imagePullSecrets"))
    for i, vol in iter_maps(spec, ("volumes",)):
        for kind, (field, name_field) in _VOLUME_FIELDS.items():
            source = vol.get(field)
            if isinstance(source, dict) and source.get("optional") is not True:
                name = source.get(name_field)
                if isinstance(name, str) and name:
                    out[kind].append(((*pod.path, "volumes", i, field, name_field), name, _volume_label(vol, i)))
        if "projected" not in vol:
            continue
        for j, src in iter_maps(vol, ("projected", "sources")):
            for kind, field in _PROJECTED.items():
                ref = src.get(field)
                if isinstance(ref, dict) and ref.get("optional") is not True:
                    name = ref.get("name")
                    if isinstance(name, str) and name:
                        path = (*pod.path, "volumes", i, "projected", "sources", j, field, "name")
                        out[kind].append((path, name, _volume_label(vol, i)))
    for c in iter_containers(pod):
        for k, env in iter_maps(c.data, ("env",)):
            value_from = env.get("valueFrom")
            if not isinstance(value_from, dict):
                continue
            for kind, field in _KEY_REF.items():
                ref = value_from.get(field)
                if isinstance(ref, dict) and ref.get("optional") is not True:
                    name = ref.get("name")
                    if isinstance(name, str) and name:
                        out[kind].append(((*c.path, "env", k, "valueFrom", field, "name"), name, c.describe()))
        for k, src in iter_maps(c.data, ("envFrom",)):
            for kind, field in _ENV_FROM.items():
                ref = src.get(field)
                if isinstance(ref, dict) and ref.get("optional") is not True:
                    name = ref.get("name")
                    if isinstance(name, str) and name:
                        out[kind].append(((*c.path, "envFrom", k, field, "name"), name, c.describe()))
    return out


def _volume_label(volume: Mapping[str, Any], i: int) -> str:
    name = volume.get("name")
    return f"volume {name!r}" if isinstance(name, str) else f"volume #{i}"


def account_references(resource: Resource, kind: str) -> Iterator[tuple[FieldPath, str, str]]:
    """A ServiceAccount's ``imagePullSecrets`` (added to every pod that runs as it)."""
    if kind != "Secret" or resource.kind != "ServiceAccount" or resource.group != "":
        return
    for i, ref in iter_maps(resource.data, ("imagePullSecrets",)):
        name = ref.get("name")
        if isinstance(name, str) and name:
            yield ("imagePullSecrets", i, "name"), name, f"ServiceAccount {resource.name!r} (imagePullSecrets)"


_NO_REFERENCES: Mapping[str, tuple[Reference, ...]] = MappingProxyType({})


def object_references(resource: Resource, ctx: RuleContext) -> Mapping[str, tuple[Reference, ...]]:
    """The references of an object by kind: a ServiceAccount's ``imagePullSecrets``, then each pod's
    (``pod_references``). Found once per object and run for the four rules that ask (one walk instead of one
    per kind); the table holds only what the object and the pod-template table decide, no other object."""
    pods = ctx.workloads.pods_of(resource)
    account = resource.kind == "ServiceAccount" and resource.group == ""
    if not pods and not account:
        return _NO_REFERENCES
    # A per-object cache: the names an object gives depend on that object alone.
    table: dict[int, tuple[Resource, Mapping[str, tuple[Reference, ...]]]] = ctx.index.object_memo(
        "resources.references", dict
    )
    hit = table.get(id(resource))
    if hit is not None and hit[0] is resource:
        return hit[1]
    found: dict[str, list[Reference]] = {kind: [] for kind in KINDS}
    found["Secret"].extend(account_references(resource, "Secret"))
    for pod in pods:
        for kind, refs in pod_references(pod).items():
            found[kind].extend(refs)
    answer = MappingProxyType({kind: tuple(refs) for kind, refs in found.items() if refs})
    table[id(resource)] = (resource, answer)  # the table keeps the object alive: its id is not reused
    return answer


def missing_references(resource: Resource, ctx: RuleContext, kind: str) -> Iterator[Violation]:
    namespace = resource.namespace
    judge: bool | None = None
    seen: set[tuple[Any, ...]] = set()
    for path, name, who in object_references(resource, ctx).get(kind, ()):
        if judge is None:
            judge = can_judge_missing(ctx, kind, resource)
        if not judge:
            return
        if (path, name) in seen:
            continue
        seen.add((path, name))
        if not is_missing(ctx, kind, name, resource):
            continue
        where = f" in namespace {namespace!r}" if namespace else ""
        yield Violation(path, f"{who} refers to {kind} {name!r}, which is not among the linted objects{where}",
                        at_value=True)
