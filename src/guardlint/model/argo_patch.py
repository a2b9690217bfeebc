"""Argo Workflows ``podSpecPatch``: the pod of a template as the controller makes it, with the workflow's and the
template's patches applied.

``podSpecPatch`` (WorkflowSpec and Template, a string of YAML or JSON) is a Kubernetes strategic merge patch
that the controller applies to the pod spec it made for a template (``createWorkflowPod``: the workflow's
patch, then the template's, each read as YAML, checked to be a PodSpec, and merged with the patch strategies
of the PodSpec type). It is how Argo sets fields that are not strings from parameters (resource limits), and
it can set any field a rule judges (``securityContext``, ``hostNetwork``, a container's ``privileged``).

What guardlint does with a template's pod (``patched``):

- A patch that reads as a mapping is applied as the strategic merge patch does, to the pod guardlint judges:
  maps merge (a null deletes the field), lists with a patch merge key in the PodSpec or Container type merge
  item by item by that key, other lists and scalars replace. The patch's ``containers`` go to the containers
  of the template by name: ``main`` is the template's ``container`` or ``script`` (Argo names its main
  container ``main``), other names are the template's sidecars or ``containerSet`` containers; a name that is
  none of them is a container the patch adds (judged as one); ``wait`` and ``init`` are Argo's own executor
  containers, which guardlint does not judge, and are left out. ``initContainers`` merge into the template's
  by name.
- A value the patch sets is led to the patch (the path inside the patch, located at the ``podSpecPatch``
  field, which is a string: the place in it is not known), so a finding the patch introduces points there,
  and a finding the patch removes is gone.
- A value that holds an Argo expression (``{{workflow.parameters.mem}}``) is only known at run time: findings
  at or under it are dropped (``PodSpecRef.unknown``).
- A patch that does not read as a mapping (not YAML until Argo substitutes its expressions, or not a
  mapping), or that uses a strategic merge directive (``$patch``, ``$retainKeys``, ``$setElementOrder``, ...),
  or that names a container by an expression, is not applied: the pod is judged as written (with the other
  patches that can be applied). Dropping every finding of such a pod would let one unreadable patch
  (``podSpecPatch: '{{inputs.parameters.p}}'``) hide a privileged container from the guardrail.
"""

from __future__ import annotations

from collections.abc import Mapping

from guardlint.model.paths import FieldPath

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_POD_MERGE_KEYS: Mapping[str, str] = {
    # k8s.io/api/core/v1 PodSpec: the lists with patchStrategy merge and their patchMergeKey.
    "volumes": "name", "initContainers": "name", "containers": "name", "ephemeralContainers": "name",
    "imagePullSecrets": "name", "hostAliases": "ip", "topologySpreadConstraints": "topologyKey",
    "resourceClaims": "name", "schedulingGates": "name",
}
_CONTAINER_MERGE_KEYS: Mapping[str, str] = {
    # k8s.io/api/core/v1 Container.
    "env": "name", "ports": "containerPort", "volumeMounts": "mountPath", "volumeDevices": "devicePath",
}
_EXECUTOR_CONTAINERS = frozenset({"wait", "init"})
"""Argo's own containers in every pod (the executor's ``wait`` sidecar and ``init`` container)."""
_MAIN = "main"


class Unknown(Exception):
    """The patch cannot be applied exactly: the whole pod is unknown."""


class _Patching:
    """One pod's patching: the made pod, the aliases to the patch and the unknown paths it collects."""

    def __init__(self, aliases: list[tuple[FieldPath, FieldPath]], unknown: list[FieldPath]) -> None:
        self.aliases = aliases
        self.unknown = unknown

    def set(self, made: FieldPath, written: FieldPath, value: Any) -> Any:
        """A value the patch sets whole, at ``made`` in the pod, written at ``written`` in the patch."""
        self.aliases.append((made, written))
        self._unknowns(value, made)
        return value

    def _unknowns(self, value: Any, made: FieldPath) -> None:
        from guardlint.source.argoexpr import has_expression

        if has_expression(value):
            self.unknown.append(made)
        elif isinstance(value, dict):
            for k, v in value.items():
                if has_expression(k):
                    self.unknown.append(made)
                    return
                self._unknowns(v, (*made, k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                self._unknowns(v, (*made, i))

    def merge_map(self, base: Any, patch: Mapping[str, Any], made: FieldPath, written: FieldPath,
                  keys: Mapping[str, str]) -> dict[str, Any]:
        from guardlint.source.argoexpr import has_expression

        out = dict(base) if isinstance(base, dict) else {}
        for key, value in patch.items():
            if key.startswith("$") or has_expression(key):
                raise Unknown
            if value is None:
                out.pop(key, None)  # a null deletes the field
                continue
            here, there = (*made, key), (*written, key)
            merge_key = keys.get(key)
            if isinstance(value, dict) and isinstance(out.get(key), dict):
                out[key] = self.merge_map(out[key], value, here, there, {})
            elif merge_key is not None and isinstance(value, list) and isinstance(out.get(key), list):
                out[key] = self.merge_list(out[key], value, merge_key, here, there,
                                           _CONTAINER_MERGE_KEYS if key in ("initContainers", "containers",
                                                                              "ephemeralContainers") else {})
            else:
                out[key] = self.set(here, there, value)
        return out

    def merge_list(self, base: list[Any], patch: list[Any], merge_key: str, made: FieldPath, written: FieldPath,
                   item_keys: Mapping[str, str]) -> list[Any]:
        """The strategic merge of a list with a merge key: an item of the patch merges into the item of the same
        key, a new key is appended (in the patch's order)."""
        out = list(base)
        at = {item.get(merge_key): i for i, item in enumerate(out) if isinstance(item, dict)
              and isinstance(item.get(merge_key), (str, int))}
        for j, item in enumerate(patch):
            key = item.get(merge_key) if isinstance(item, dict) else None
            if not isinstance(key, (str, int)) or (isinstance(item, dict) and any(
                    isinstance(k, str) and k.startswith("$") for k in item)):
                raise Unknown  # no key (or a directive): the merge cannot be told
            i = at.get(key)
            if i is None:
                at[key] = len(out)
                out.append(self.set((*made, len(out)), (*written, j), item))
            else:
                out[i] = self.merge_map(out[i], item, (*made, i), (*written, j), item_keys)
        return out


def _containers_of(spec: Mapping[str, Any]) -> dict[str, FieldPath]:
    """Where each container of an Argo template's pod sits (relative to the pod), by the name the pod gives it."""
    found: dict[str, FieldPath] = {}
    for key in ("container", "script"):
        if isinstance(spec.get(key), dict):
            found.setdefault(_MAIN, (key,))
    for field in (("sidecars",), ("containerSet", "containers")):
        items = spec.get(field[0]) if len(field) == 1 else (spec.get(field[0]) or {}).get(field[1]) \
            if isinstance(spec.get(field[0]), dict) else None
        if isinstance(items, list):
            for i, item in enumerate(items):
                name = item.get("name") if isinstance(item, dict) else None
                if isinstance(name, str):
                    found.setdefault(name, (*field, i))
    return found


def apply_patch(spec: Mapping[str, Any], patch: Mapping[str, Any], made: FieldPath, written: FieldPath,
                aliases: list[tuple[FieldPath, FieldPath]], unknown: list[FieldPath]) -> dict[str, Any]:
    """``spec`` (an Argo template's pod, at ``made``) with ``patch`` (read from the string at ``written``)
    applied; raises ``Unknown`` where the merge cannot be told exactly."""
    from guardlint.model.workloads import POD_SPEC_FIELDS

    work = _Patching(aliases, unknown)
    if any(isinstance(k, str) and k.startswith("$") for k in patch):
        raise Unknown
    # Argo reads the patched spec into the PodSpec type: a key that is no PodSpec field is dropped.
    rest = {k: v for k, v in patch.items() if k in POD_SPEC_FIELDS and k != "containers"}
    inits = rest.get("initContainers")
    if isinstance(inits, list):  # Argo's own ``init`` container is not judged
        rest["initContainers"] = [c for c in inits if not (isinstance(c, dict) and c.get("name") in
                                                            _EXECUTOR_CONTAINERS)]
    out = work.merge_map(spec, rest, made, written, _POD_MERGE_KEYS)
    containers = patch.get("containers")
    if containers is None:
        return out
    if not isinstance(containers, list):
        raise Unknown
    where = _containers_of(out)
    added: list[Any] = []
    for j, item in enumerate(containers):
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str) or "{{" in name or any(isinstance(k, str) and k.startswith("$") for k in item):
            raise Unknown
        if name in _EXECUTOR_CONTAINERS:
            continue
        at = where.get(name)
        if at is None:  # a container the patch adds to the pod
            added.append((j, item))
            continue
        # The merge key is the name the pod gives the container (Argo's ``main``): not a change to it.
        change = {k: v for k, v in item.items() if k != "name"}
        _set_in(out, at, work.merge_map(_get_in(out, at), change, (*made, *at), (*written, "containers", j),
                                        _CONTAINER_MERGE_KEYS))
    if added:
        own = out.get("containers")
        listed = list(own) if isinstance(own, list) else []
        for j, item in added:
            listed.append(work.set((*made, "containers", len(listed)), (*written, "containers", j), item))
        out["containers"] = listed
    return out


def _get_in(data: Mapping[str, Any], path: FieldPath) -> Any:
    node: Any = data
    for part in path:
        node = node[part]
    return node


def _set_in(data: dict[str, Any], path: FieldPath, value: Any) -> None:
    """Set ``value`` at ``path`` in ``data``, copying each container on the way (the pod's values are shared with
    the object's data, which is read-only)."""
    head, rest = path[0], path[1:]
    assert isinstance(head, str)
    if not rest:
        data[head] = value
        return
    child = data[head]
    if isinstance(child, list):
        copied: Any = list(child)
        index = rest[0]
        assert isinstance(index, int)
        if len(rest) == 1:
            copied[index] = value
        else:
            item = dict(copied[index])
            _set_in(item, rest[1:], value)
            copied[index] = item
    else:
        copied = dict(child)
        _set_in(copied, rest, value)
    data[head] = copied


def read_patch(text: Any) -> Mapping[str, Any] | None:
    """A ``podSpecPatch`` string read as Argo reads it once its expressions are filled in (YAML, JSON being
    YAML): the mapping, with each expression kept as written; None when it is not a mapping (or not YAML until
    Argo fills its expressions in). Read by guardlint's own loader: depth, aliases and size bounded as a file's."""
    from guardlint.source.argoexpr import mask, unmask
    from guardlint.source.loader import load_text

    if not isinstance(text, str):
        return None
    masked = mask(text)
    if masked is None:
        return None
    loaded = load_text(masked, "<podSpecPatch>", nodes=False, embedded=False)
    if loaded.errors or len(loaded.documents) != 1:
        return None
    data = loaded.documents[0].data
    return unmask(data) if isinstance(data, dict) else None


def patched(root: Mapping[str, Any], prefix: FieldPath, spec_path: FieldPath, path: FieldPath,
            spec: Mapping[str, Any], aliases: tuple[tuple[FieldPath, FieldPath], ...],
            ) -> tuple[Mapping[str, Any], tuple[tuple[FieldPath, FieldPath], ...], tuple[FieldPath, ...]]:
    """The pod of the Argo template at ``path`` (``spec``: completed and with the workflow-level fields, whose
    ``aliases`` say where its values are written) with the workflow's ``podSpecPatch`` and then the template's
    applied: the patched pod, the aliases it adds and its unknown paths (a patch that cannot be applied exactly
    is left out)."""
    from guardlint.model.access import get

    patches: list[tuple[Any, FieldPath]] = []
    workflow_patch = get(root, (*spec_path, "podSpecPatch"))
    if workflow_patch:
        patches.append((workflow_patch, (*prefix, *spec_path, "podSpecPatch")))
    own = spec.get("podSpecPatch")
    if own:
        # The template's patch may come from the templateDefaults: lead it to where it is written.
        written = next((w for m, w in aliases if m == (*path, "podSpecPatch")), (*path, "podSpecPatch"))
        patches.append((own, written))
    if not patches:
        return spec, (), ()
    added: list[tuple[FieldPath, FieldPath]] = []
    unknown: list[FieldPath] = []
    out: Mapping[str, Any] = spec
    for text, written in patches:
        patch = read_patch(text)
        if patch is None:  # not applied: the pod is judged as written (see the module's docstring)
            continue
        kept = len(added), len(unknown)
        try:
            out = apply_patch(out, patch, path, written, added, unknown)
        except Unknown:  # the same, with what this patch had led or marked taken back
            del added[kept[0]:], unknown[kept[1]:]
    return out, tuple(added), tuple(unknown)
