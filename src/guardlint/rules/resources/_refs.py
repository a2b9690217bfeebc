"""Objects a pod references by name (ServiceAccount, ConfigMap, Secret, PersistentVolumeClaim), and the
shared check behind the "missing referenced object" rules.

Whether a reference is missing is decided by the one missing-object policy of ``guardlint.model.missing``
(complete tree and namespace, producers, run-time creation by RBAC or operators). References marked
``optional: true`` are never reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from guardlint.model.access import get, iter_maps
from guardlint.model.paths import FieldPath
from guardlint.model.resource import Resource
from guardlint.model.workloads import PodSpecRef, iter_containers, iter_pod_specs
from guardlint.rules.api import RuleContext, Violation
from guardlint.rules.resources._common import can_judge_missing, is_missing

_VOLUME_FIELDS = {"ConfigMap": ("configMap", "name"), "Secret": ("secret", "secretName"),
                  "PersistentVolumeClaim": ("persistentVolumeClaim", "claimName")}
_PROJECTED = {"ConfigMap": "configMap", "Secret": "secret"}
_KEY_REF = {"ConfigMap": "configMapKeyRef", "Secret": "secretKeyRef"}
_ENV_FROM = {"ConfigMap": "configMapRef", "Secret": "secretRef"}


def references(pod: PodSpecRef, kind: str) -> Iterator[tuple[FieldPath, str, str]]:
    """(path of the name field, referenced name, who refers) for every non-optional reference to ``kind``."""
    if kind == "ServiceAccount":
        for key in ("serviceAccountName", "serviceAccount"):
            name = pod.spec.get(key)
            if isinstance(name, str) and name:
                yield (*pod.path, key), name, "the pod"
                return
        return
    if kind == "Secret":
        for i, pull in iter_maps(pod.spec, ("imagePullSecrets",)):
            name = pull.get("name")
            if isinstance(name, str) and name:
                yield (*pod.path, "imagePullSecrets", i, "name"), name, "the pod's imagePullSecrets"
    volume = _VOLUME_FIELDS.get(kind)
    for i, vol in iter_maps(pod.spec, ("volumes",)):
        vname = vol.get("name")
        who = f"volume {vname!r}" if isinstance(vname, str) else f"volume #{i}"
        if volume is not None:
            source = vol.get(volume[0])
            if isinstance(source, dict) and source.get("optional") is not True:
                name = source.get(volume[1])
                if isinstance(name, str) and name:
                    yield (*pod.path, "volumes", i, volume[0], volume[1]), name, who
        projected = _PROJECTED.get(kind)
        if projected is not None:
            for j, src in iter_maps(vol, ("projected", "sources")):
                ref = src.get(projected)
                if isinstance(ref, dict) and ref.get("optional") is not True:
                    name = ref.get("name")
                    if isinstance(name, str) and name:
                        yield (*pod.path, "volumes", i, "projected", "sources", j, projected, "name"), name, who
    key_ref, env_from = _KEY_REF.get(kind), _ENV_FROM.get(kind)
    if key_ref is None or env_from is None:
        return
    for c in iter_containers(pod):
        for k, env in iter_maps(c.data, ("env",)):
            ref = get(env, ("valueFrom", key_ref))
            if isinstance(ref, dict) and ref.get("optional") is not True:
                name = ref.get("name")
                if isinstance(name, str) and name:
                    yield (*c.path, "env", k, "valueFrom", key_ref, "name"), name, c.describe()
        for k, src in iter_maps(c.data, ("envFrom",)):
            ref = src.get(env_from)
            if isinstance(ref, dict) and ref.get("optional") is not True:
                name = ref.get("name")
                if isinstance(name, str) and name:
                    yield (*c.path, "envFrom", k, env_from, "name"), name, c.describe()


def account_references(resource: Resource, kind: str) -> Iterator[tuple[FieldPath, str, str]]:
    """A ServiceAccount's ``imagePullSecrets`` (added to every pod that runs as it)."""
    if kind != "Secret" or resource.kind != "ServiceAccount" or resource.group != "":
        return
    for i, ref in iter_maps(resource.data, ("imagePullSecrets",)):
        name = ref.get("name")
        if isinstance(name, str) and name:
            yield ("imagePullSecrets", i, "name"), name, f"ServiceAccount {resource.name!r} (imagePullSecrets)"


def _all_references(resource: Resource, ctx: RuleContext, kind: str) -> Iterator[tuple[FieldPath, str, str]]:
    yield from account_references(resource, kind)
    for pod in iter_pod_specs(resource, ctx.workloads):
        yield from references(pod, kind)


def missing_references(resource: Resource, ctx: RuleContext, kind: str) -> Iterator[Violation]:
    namespace = resource.namespace
    judge: bool | None = None
    seen: set[tuple[Any, ...]] = set()
    for path, name, who in _all_references(resource, ctx, kind):
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
