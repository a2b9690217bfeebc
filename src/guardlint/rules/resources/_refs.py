"""Objects a pod references by name (ServiceAccount, ConfigMap, Secret, PersistentVolumeClaim), and the
shared check behind the "missing referenced object" rules.

Missing-object policy (see ``_common``): a reference is reported only when the run is not partial, the
linted set holds at least one object of the referenced kind in the pod's namespace (for objects without a
namespace: in the same directory tree), or config declares the namespace complete; the object is neither
among the linted objects nor in ``known-objects``; no linted object is known to produce it (below); and
nothing in scope may create such objects at run time (a Role in scope or any ClusterRole that grants
``create`` on them; for ConfigMaps, Secrets and claims, a custom resource an operator may act on).
References marked ``optional: true`` are never reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from guardlint.model.access import get, iter_maps
from guardlint.model.paths import FieldPath
from guardlint.model.resource import Resource
from guardlint.model.workloads import PodSpecRef, iter_containers, iter_pod_specs
from guardlint.rules.api import RuleContext, Violation
from guardlint.rules.resources._common import can_judge_missing, custom_resources_in_scope, in_scope

_PLURAL = {"ServiceAccount": "serviceaccounts", "ConfigMap": "configmaps", "Secret": "secrets",
           "PersistentVolumeClaim": "persistentvolumeclaims"}
_OPERATOR_MADE = frozenset({"ConfigMap", "Secret", "PersistentVolumeClaim"})

ALWAYS_PRESENT = {"ServiceAccount": frozenset({"default"}), "ConfigMap": frozenset({"kube-root-ca.crt"})}

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


def _generated(ctx: RuleContext, kind: str, name: str, namespace: str | None) -> bool:
    """Whether a linted object is known to produce a ``kind`` named ``name`` in ``namespace``."""
    if name in ALWAYS_PRESENT.get(kind, ()):
        return True
    if kind in ("ConfigMap", "Secret"):
        key = "configMapGenerator" if kind == "ConfigMap" else "secretGenerator"
        for k in ctx.index.of_kind("Kustomization", any_namespace=True):
            if any(g.get("name") == name for _, g in iter_maps(k.data, (key,))):
                return True
    if kind != "Secret":
        return False
    for r in ctx.index.of_kind("SealedSecret", namespace):
        if name in (r.name, get(r.data, ("spec", "template", "metadata", "name"))):
            return True
    for r in ctx.index.of_kind("ExternalSecret", namespace):
        target = get(r.data, ("spec", "target", "name"))
        if name == (target if isinstance(target, str) and target else r.name):
            return True
    return any(get(r.data, ("spec", "secretName")) == name for r in ctx.index.of_kind("Certificate", namespace))


def _created_at_run_time(ctx: RuleContext, kind: str, resource: Resource) -> bool:
    """Whether a linted Role in scope, or any linted ClusterRole, lets someone create ``kind`` objects: a pod
    (an init Job, an operator) then makes them at run time."""
    plural = _PLURAL[kind]
    for role_kind in ("Role", "ClusterRole"):
        for role in ctx.index.of_kind(role_kind, resource.namespace, any_namespace=role_kind == "ClusterRole"):
            if role_kind == "Role" and not in_scope(resource, role):
                continue
            for _, r in iter_maps(role.data, ("rules",)):
                resources, verbs = r.get("resources"), r.get("verbs")
                if (
                    isinstance(resources, list) and isinstance(verbs, list)
                    and (plural in resources or "*" in resources) and ("create" in verbs or "*" in verbs)
                ):
                    return True
    return False


def _can_judge(ctx: RuleContext, kind: str, resource: Resource) -> bool:
    if not can_judge_missing(ctx, kind, resource):
        return False
    if kind in _OPERATOR_MADE and custom_resources_in_scope(ctx, resource, include_workloads=True):
        return False
    return not _created_at_run_time(ctx, kind, resource)


def missing_references(resource: Resource, ctx: RuleContext, kind: str) -> Iterator[Violation]:
    namespace = resource.namespace
    judge: bool | None = None
    seen: set[tuple[Any, ...]] = set()
    for pod in iter_pod_specs(resource, ctx.workloads):
        for path, name, who in references(pod, kind):
            if judge is None:
                judge = _can_judge(ctx, kind, resource)
            if not judge:
                return
            if (path, name) in seen:
                continue
            seen.add((path, name))
            if ctx.index.exists(kind, name, namespace) or _generated(ctx, kind, name, namespace):
                continue
            where = f" in namespace {namespace!r}" if namespace else ""
            yield Violation(path, f"{who} refers to {kind} {name!r}, which is not among the linted objects{where}",
                            at_value=True)
