"""referenced-key-missing: a pod reads a key that the linted Secret or ConfigMap does not have."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint.model.access import get, iter_maps
from guardlint.model.missing import known_keys
from guardlint.model.paths import FieldPath
from guardlint.model.workloads import PodSpecRef, iter_containers, iter_pod_specs
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_KEY_REF = (("Secret", "secretKeyRef"), ("ConfigMap", "configMapKeyRef"))
_VOLUME = (("Secret", "secret", "secretName"), ("ConfigMap", "configMap", "name"))
_PROJECTED = (("Secret", "secret"), ("ConfigMap", "configMap"))


class KeyRef:
    """One read of a key: where the key is written, the object kind and name, the key and who reads it."""

    __slots__ = ("key", "kind", "name", "path", "who")

    def __init__(self, path: FieldPath, kind: str, name: str, key: str, who: str) -> None:
        self.path, self.kind, self.name, self.key, self.who = path, kind, name, key, who


def _items(source: Mapping[str, Any], path: FieldPath, kind: str, name: str, who: str) -> Iterator[KeyRef]:
    for k, item in iter_maps(source, ("items",)):
        key = item.get("key")
        if isinstance(key, str) and key:
            yield KeyRef((*path, "items", k, "key"), kind, name, key, who)


def key_references(pod: PodSpecRef) -> Iterator[KeyRef]:
    """Every read of a named key that the pod needs to start: ``env[].valueFrom.secretKeyRef`` and
    ``configMapKeyRef`` of every container, and ``items[].key`` of ``secret``, ``configMap`` and projected volume
    sources, unless marked ``optional: true``. ``envFrom`` imports whatever keys there are and names none."""
    for c in iter_containers(pod):
        for k, env in iter_maps(c.data, ("env",)):
            for kind, field in _KEY_REF:
                ref = get(env, ("valueFrom", field))
                if not isinstance(ref, dict) or ref.get("optional") is True:
                    continue
                name, key = ref.get("name"), ref.get("key")
                if isinstance(name, str) and name and isinstance(key, str) and key:
                    var = env.get("name")
                    who = f"{c.describe()} (env {var})" if isinstance(var, str) else c.describe()
                    yield KeyRef((*c.path, "env", k, "valueFrom", field, "key"), kind, name, key, who)
    for i, vol in iter_maps(pod.spec, ("volumes",)):
        vname = vol.get("name")
        who = f"volume {vname!r}" if isinstance(vname, str) else f"volume #{i}"
        for kind, field, name_field in _VOLUME:
            source = vol.get(field)
            if isinstance(source, dict) and source.get("optional") is not True:
                name = source.get(name_field)
                if isinstance(name, str) and name:
                    yield from _items(source, (*pod.path, "volumes", i, field), kind, name, who)
        for j, src in iter_maps(vol, ("projected", "sources")):
            for kind, field in _PROJECTED:
                ref = src.get(field)
                if isinstance(ref, dict) and ref.get("optional") is not True:
                    name = ref.get("name")
                    if isinstance(name, str) and name:
                        path = (*pod.path, "volumes", i, "projected", "sources", j, field)
                        yield from _items(ref, path, kind, name, who)


def _listing(keys: frozenset[str]) -> str:
    shown = sorted(keys)
    text = ", ".join(repr(k) for k in shown[:8])
    return text + (f" and {len(shown) - 8} more" if len(shown) > 8 else "")


@rule(
    code="RES090",
    name="referenced-key-missing",
    # Gate: the rule yields nothing when this does not hold: a finding is a key read through an `env` entry's
    # valueFrom or the items of a secret, configMap or projected volume (`key_references`).
    gates=("references",),
    pods_only=True,
    title="Pod reads a key that the Secret or ConfigMap does not have",
    severity=Severity.WARNING,
    pack="resources",
    since="0.2.0",
    status="preview",
    tags=("consistency",),
    remediation="Fix the key name, add the key to the Secret or ConfigMap, or mark the reference optional: true.",
    references=(
        Reference("Kubernetes: Secrets", "https://kubernetes.io/docs/concepts/configuration/secret/"),
        Reference("Kubernetes: ConfigMaps", "https://kubernetes.io/docs/concepts/configuration/configmap/"),
    ),
)
def referenced_key_missing(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports pod templates of every workload kind that read a named key (`env[].valueFrom.secretKeyRef` or
    `configMapKeyRef`, `items[].key` of a `secret`, `configMap` or projected volume source) which the linted
    Secret or ConfigMap of that name does not hold. A Secret's keys are those of `data` and `stringData`; a
    ConfigMap's those of `data` and `binaryData`. References marked `optional: true` are not reported, and
    `envFrom` names no key.

    The object must be among the linted objects of the pod's namespace and tree (in a folder of independent
    alternatives, where two files define the same object, in the pod's own file; a missing object is
    `missing-secret`'s or `missing-config-map`'s business), and wholly visible there: the rule is quiet when one
    of its manifests is a patch or comes from another Helm release (another top-level chart) than the pod, when a
    producer in the tree makes or merges into it (a kustomize `secretGenerator` or `configMapGenerator`,
    `behavior: merge` included, a SealedSecret, an ExternalSecret, a cert-manager Certificate, ...), when a linted
    role in the tree may create, update or patch such objects, when it holds no keys at all (a placeholder that
    something fills at run time) and for `kubernetes.io/service-account-token` Secrets, whose keys the token
    controller writes. When several manifests of the object are in the tree (overlays), a key of any of them
    counts.

    ## Why is this bad?
    The kubelet does not start a container whose environment names a key the Secret or ConfigMap lacks: the pod
    stays in `CreateContainerConfigError`; a volume whose `items` name a missing key fails to mount and the pod
    stays in `ContainerCreating` (Kubernetes documentation, "Secrets" and "ConfigMaps"). It usually follows a key
    renamed on one side only.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Secret
    metadata:
      name: db-credentials
      namespace: shop
    type: Opaque
    stringData:
      password: change-me
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
      namespace: shop
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          containers:
            - name: api
              image: example.com/api:2.1.0
              env:
                - name: DB_PASSWORD
                  valueFrom:
                    secretKeyRef: {name: db-credentials, key: db-password}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Secret
    metadata:
      name: db-credentials
      namespace: shop
    type: Opaque
    stringData:
      password: change-me
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
      namespace: shop
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          containers:
            - name: api
              image: example.com/api:2.1.0
              env:
                - name: DB_PASSWORD
                  valueFrom:
                    secretKeyRef: {name: db-credentials, key: password}
    ```
    """
    judged: dict[tuple[str, str], frozenset[str] | None] = {}
    for pod in iter_pod_specs(resource, ctx.workloads):
        for ref in key_references(pod):
            target = (ref.kind, ref.name)
            if target not in judged:
                judged[target] = known_keys(ctx.index, ref.kind, ref.name, resource)
            keys = judged[target]
            if keys is None or ref.key in keys:
                continue
            yield Violation(ref.path, f"{ref.who} reads key {ref.key!r} of {ref.kind} {ref.name!r}, which has no "
                            f"such key (it has {_listing(keys)})", at_value=True)


RULE = referenced_key_missing
