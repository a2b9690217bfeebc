"""What the schema pack's rules share: the schema of an object (built-in, or from a CustomResourceDefinition
of the run) and its problems, computed once per object and run (one walk of the object serves the five rules
that report problems), and its API lifecycle, computed once per apiVersion/kind and run."""

from __future__ import annotations

from collections.abc import Mapping

from guardlint._record import NamedTuple
from guardlint.apischema.lifecycle import Removal, removals_by_kind, served, served_interim, show
from guardlint.apischema.node import Node
from guardlint.apischema.store import VersionSchemas, api_key, schemas_for
from guardlint.apischema.validate import MISSING_REQUIRED, UNKNOWN_FIELD, Problem, validate
from guardlint.rules.api import Fix, Reference, Resource, RuleContext

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

API_REFERENCE = Reference("Kubernetes API reference", "https://kubernetes.io/docs/reference/kubernetes-api/")
FIELD_VALIDATION = Reference(
    "Kubernetes: server-side field validation",
    "https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation",
)
DEPRECATION_GUIDE = Reference(
    "Kubernetes: Deprecated API Migration Guide", "https://kubernetes.io/docs/reference/using-api/deprecation-guide/"
)
CRD_VALIDATION = Reference(
    "Kubernetes: CustomResourceDefinition validation",
    "https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#validation",
)


class Lifecycle(NamedTuple):
    state: str
    """"removed", "deprecated", "not-yet" or "served" (or "unknown": not a built-in kind we know)."""
    message: str = ""


def lifecycle(resource: Resource, version: tuple[int, int]) -> Lifecycle:
    """Whether the target Kubernetes version serves the object's apiVersion/kind."""
    key = (resource.api_version, resource.kind)
    row = removals_by_kind().get(key)
    what = f"{resource.api_version} {resource.kind}"
    if row is not None:
        instead = _instead(row, resource.api_version, resource.kind, version)
        if version >= row.removed_in:
            return Lifecycle("removed", f"{what} was removed in Kubernetes {show(row.removed_in)}{instead}")
        if row.deprecated_in is not None and version >= row.deprecated_in:
            return Lifecycle(
                "deprecated",
                f"{what} is deprecated since Kubernetes {show(row.deprecated_in)} and removed in "
                f"{show(row.removed_in)}{instead}",
            )
    info = served()
    span = info.spans.get(api_key(resource.api_version, resource.kind))
    if span is None or not info.versions:
        return Lifecycle("unknown")
    first, last = span
    oldest, newest = info.versions[0], info.versions[-1]
    if version < first and first > oldest:  # introduced in a release guardlint has the specification of
        return Lifecycle("not-yet", f"{what} is not served by Kubernetes {show(version)}: it is first available in "
                                    f"Kubernetes {show(first)}")
    if last < version <= newest and row is None:
        return Lifecycle("removed", f"{what} is no longer served by Kubernetes {show(version)} (last served in "
                                    f"{show(last)})")
    return Lifecycle("served")


def _instead(row: Removal, api_version: str, kind: str, version: tuple[int, int]) -> str:
    """What to use instead of a removed or deprecated apiVersion/kind, for the target ``version``: the
    replacement, or, when the target no longer serves the replacement either (extensions/v1beta1
    PodSecurityPolicy was replaced by policy/v1beta1, itself removed in 1.25), what replaced that."""
    instead = ""
    while row.replacement is not None:
        after = removals_by_kind().get((row.replacement, kind))
        if after is None or version < after.removed_in:
            break
        instead += f"; {row.replacement}, which replaced it, was removed in {show(after.removed_in)} too"
        api_version, row = row.replacement, after
    if row.replacement is not None and row.replacement_since is not None and version < row.replacement_since:
        # The target does not serve the replacement yet: name what it does serve (as the API server does)
        interim = served_interim(api_version, kind, row.replacement, version)
        later = f"{row.replacement} is available since {show(row.replacement_since)}"
        instead += (f"; use {interim}, which Kubernetes {show(version)} serves ({later})" if interim is not None
                    else f"; Kubernetes {show(version)} serves no beta or stable replacement yet ({later})")
    elif row.replacement is not None:
        since = f" (available since {show(row.replacement_since)})" if row.replacement_since else ""
        instead += f"; use {row.replacement}{since}"
        after = removals_by_kind().get((row.replacement, kind))
        if after is not None and after.deprecated_in is not None and version >= after.deprecated_in:
            instead += (f", itself deprecated since {show(after.deprecated_in)} and removed in "
                        f"{show(after.removed_in)}")
    if row.note:
        instead += f"; {row.note}"
    return instead


def lifecycle_of(resource: Resource, ctx: RuleContext) -> Lifecycle:
    """``lifecycle`` of the object for the run's target version, computed once per apiVersion/kind and run
    (it depends on nothing else: five rules ask it of every object)."""
    # A per-object cache: a function of the apiVersion, the kind and the target version alone.
    # A kind no built-in table knows may be a version that a CustomResourceDefinition of the run does not
    # serve: that reads the index (so a --jobs share leaves the object to the parent before anything is cached).
    table: dict[tuple[str, str], Lifecycle] = ctx.index.object_memo("schema:lifecycle", dict)
    key = (resource.api_version, resource.kind)
    found = table.get(key)
    if found is None:
        found = lifecycle(resource, ctx.kubernetes_version)
        if found.state == "unknown":
            found = _crd_lifecycle(resource, ctx) or found
        table[key] = found
    return found


def _crd_lifecycle(resource: Resource, ctx: RuleContext) -> Lifecycle | None:
    """What the run's CustomResourceDefinitions say of the object's version: "removed" when one lists it without
    ``served: true`` (false, missing or not a boolean: see ``ServedVersion.served``) and none serves it,
    "deprecated" when every one that serves it marks it ``deprecated``
    (several releases of one CRD may be vendored: one that serves the version, or serves it undeprecated, keeps
    it valid), else None."""
    def build() -> dict[tuple[str, str], Lifecycle]:
        definitions = [crd for crd in ctx.index.of_kind("CustomResourceDefinition", any_namespace=True)
                       if crd.api_version.startswith("apiextensions.k8s.io/")]
        if not definitions:
            return {}  # (most small runs: the CRD module is not imported)
        from functools import cmp_to_key

        from guardlint.apischema.crd import compare_kube_versions, version_serving

        served: dict[tuple[str, str], list[str]] = {}  # (group, kind) -> the apiVersions some CRD serves
        # (apiVersion, kind) -> the CRDs that do not serve it, each with how it lists the version
        unserved: dict[tuple[str, str], list[tuple[str, str]]] = {}
        warnings: dict[tuple[str, str], list[str | None]] = {}  # (apiVersion, kind) -> each serving CRD's warning
        stored: set[tuple[str, str]] = set()  # (apiVersion, kind) that some CRD serves and stores
        listed: dict[tuple[str, str], list[str]] = {}  # (group, kind) -> the CRDs defining it (their names)
        listed_versions: set[tuple[str, str]] = set()  # (apiVersion, kind) that some CRD lists, served or not
        for crd in definitions:
            for v in version_serving(crd.data):
                key = (v.api_version, v.kind)
                listed_versions.add(key)
                definers = listed.setdefault((v.api_version.rpartition("/")[0], v.kind), [])
                if (crd.name or v.kind) not in definers:
                    definers.append(crd.name or v.kind)
                if not v.served:
                    names = unserved.setdefault(key, [])
                    if (crd.name or v.kind, v.unserved) not in names:
                        names.append((crd.name or v.kind, v.unserved))
                    continue
                versions = served.setdefault((v.api_version.rpartition("/")[0], v.kind), [])
                if v.api_version not in versions:
                    versions.append(v.api_version)
                warnings.setdefault(key, []).append(v.deprecation)
                if v.storage:
                    stored.add(key)

        def undeprecated(api_version: str, kind: str) -> bool:
            return None in warnings.get((api_version, kind), [])

        def preferred(api_versions: list[str], kind: str) -> list[str]:
            # The order a replacement is suggested in: a version some CRD stores first (the API server persists
            # every object in it, so it is the version the CRD's authors keep current; no conversion), then
            # the others newest first in the order of Kubernetes version names (v2 > v1 > v1beta1 > v1alpha1),
            # the order discovery and the API server's own deprecation warning prefer.
            def newest_first(a: str, b: str) -> int:
                return compare_kube_versions(b.rpartition("/")[2], a.rpartition("/")[2])

            ordered = sorted(api_versions, key=cmp_to_key(newest_first))
            return sorted(ordered, key=lambda v: (v, kind) not in stored)

        # A version no CRD of the kind lists at all is not served either (the API server answers 'no matches for
        # kind' for it): the same as a version listed without served: true.
        for r in ctx.index.resources:
            group_kind = (r.api_version.rpartition("/")[0], r.kind)
            if group_kind in listed and (r.api_version, r.kind) not in listed_versions:
                names = unserved.setdefault((r.api_version, r.kind), [])
                for name in listed[group_kind]:
                    if (name, "does not list it") not in names:
                        names.append((name, "does not list it"))
        out: dict[tuple[str, str], Lifecycle] = {}
        for (api_version, kind), crds in unserved.items():
            serving = served.get((api_version.rpartition("/")[0], kind), [])
            if api_version in serving:
                continue
            hows = list(dict.fromkeys(how for _, how in crds))
            if len(hows) == 1:  # "the CustomResourceDefinition 'a' ... lists version 'v1' with served: false"
                named = ", ".join(repr(n) for n, _ in dict.fromkeys(crds))
                how = hows[0]
            else:  # several releases that differ in how: each with its own
                named = ", ".join(f"{n!r} ({h})" for n, h in crds)
                how = "without serving it"
            current = preferred([v for v in serving if undeprecated(v, kind)], kind)
            if current:
                instead = f"; use {current[0]}"
                if (current[0], kind) in stored:
                    instead += ", the version the CustomResourceDefinition stores"
                if len(current) > 1:
                    instead += f" (also served: {', '.join(current[1:])})"
            elif serving:
                # Every served version is deprecated: name one all the same (it is what the API server accepts
                # today), and say so.
                old = preferred(serving, kind)
                instead = (f"; use {old[0]}, although the CustomResourceDefinition marks it deprecated: true (no "
                           f"served version of the kind is undeprecated)")
            else:
                instead = "; no version of the kind is served"
            version_name = api_version.rpartition("/")[2]
            says = (f"does not list version {version_name!r}" if how == "does not list it"
                    else f"lists version {version_name!r} {how}")
            out[(api_version, kind)] = Lifecycle(
                "removed", f"{api_version} {kind} is not served: the CustomResourceDefinition {named} among the "
                           f"linted files {says}: the object cannot be applied (kubectl answers 'no matches for "
                           f"kind'){instead}")
        for (api_version, kind), said in warnings.items():
            if None in said:
                continue  # a CRD of the run serves the version without deprecating it
            name = api_version.rpartition("/")[2]
            # Like the API server's default warning, recommend only a version after the deprecated one (v1 for
            # a deprecated v1beta1, never a v1alpha1 that happens to be undeprecated), unless some CRD stores it.
            others = preferred(
                [v for v in served.get((api_version.rpartition("/")[0], kind), [])
                 if v != api_version and undeprecated(v, kind)
                 and ((v, kind) in stored or compare_kube_versions(name, v.rpartition("/")[2]) < 0)], kind)
            warning = said[0] or ""
            instead = f"; use {others[0]}" if others and not any(_names(warning, v) for v in others) else ""
            out[(api_version, kind)] = Lifecycle(
                "deprecated", f"{api_version} {kind} is deprecated by its CustomResourceDefinition among the "
                              f"linted files, and the API server warns on every request: {warning!r}{instead}")
        return out

    return ctx.index.memo("schema:crd-lifecycle", build).get((resource.api_version, resource.kind))


def _names(text: str, api_version: str) -> bool:
    """Whether ``text`` names ``api_version`` as a whole (``tools.example.org/v1`` is not named by
    ``tools.example.org/v1beta2``)."""
    import re

    return re.search(rf"{re.escape(api_version)}(?![\w-]|\.\w)", text) is not None


def successor_fix(resource: Resource, ctx: RuleContext) -> Fix | None:
    """Moving the object to the apiVersion that replaces its removed or deprecated one, offered only when the
    target Kubernetes version serves the successor and the object, unchanged but for its apiVersion, is valid
    under the successor's schema. Unsafe: the successor may default fields differently (apps/v1 keeps 10
    old ReplicaSets where extensions/v1beta1 kept all of them; an empty PodDisruptionBudget selector selects
    no pod in policy/v1beta1 and every pod in policy/v1)."""
    row = removals_by_kind().get((resource.api_version, resource.kind))
    schemas = target_schemas(ctx)
    if row is None or row.replacement is None or schemas is None:
        return None
    if row.replacement_since is not None and ctx.kubernetes_version < row.replacement_since:
        return None
    node = schemas.kind_node(row.replacement, resource.kind)
    if node is None or validate({**resource.data, "apiVersion": row.replacement}, node):
        return None
    return Fix(row.replacement, f"move to {row.replacement} (the object is valid under it; check the defaults that "
                                "changed)", safety="unsafe")


class Target(NamedTuple):
    node: Node | None
    source: str
    """"builtin", "crd" (a CRD of the run), "file" (from the ``schemas`` setting) or "" (no schema)."""
    others: tuple[Node, ...] = ()
    """The other schemas the run's CRDs give the same apiVersion/kind when they differ (several releases of one
    CRD, vendored by different charts): a problem counts only when every one of them has it."""


def _crd_table(ctx: RuleContext) -> Mapping[str, Any]:
    def build() -> dict[str, Any]:
        table: dict[str, list[Any]] = {}
        for crd in ctx.index.of_kind("CustomResourceDefinition", any_namespace=True):
            if not crd.api_version.startswith("apiextensions.k8s.io/"):
                continue
            from guardlint.apischema.crd import crd_versions  # imported only when the run has a CRD

            for version in crd_versions(crd.data):
                found = table.setdefault(api_key(version.api_version, version.kind), [])
                if version not in found:  # the same definition in several files (an install and its HA variant)
                    found.append(version)
        return table

    return ctx.index.memo("schema:crd-schemas", build)


def target_schemas(ctx: RuleContext) -> VersionSchemas | None:
    return schemas_for(ctx.kubernetes_version)


def find_schema(resource: Resource, ctx: RuleContext) -> Target:
    """The object's schema: the built-in one of the target version, else the one a CustomResourceDefinition of
    the run gives, else one the ``schemas`` setting found. Found (and compiled) once per apiVersion/kind and
    run: it depends on nothing else."""
    # A per-object cache: a built-in schema depends on the apiVersion and kind alone; finding one in the run's
    # CRDs reads the index, which leaves the pair to the parent in a --jobs share before anything is cached.
    targets: dict[tuple[str, str], Target] = ctx.index.object_memo("schema:targets", dict)
    key = (resource.api_version, resource.kind)
    target = targets.get(key)
    if target is None:
        target = targets[key] = _find_schema(resource.api_version, resource.kind, ctx)
    return target


def _find_schema(api_version: str, kind: str, ctx: RuleContext) -> Target:
    schemas = target_schemas(ctx)
    if schemas is not None:
        node = schemas.kind_node(api_version, kind)
        if node is not None:
            return Target(node, "builtin")
    key = api_key(api_version, kind)
    meta = schemas.definition(OBJECT_META) if schemas is not None else None
    crds = _crd_table(ctx).get(key)
    if crds:
        from guardlint.apischema.crd import compile_root

        first, *rest = (compile_root(c.schema, meta, preserve_unknown=c.preserve_unknown) for c in crds)
        return Target(first, "crd", tuple(rest))
    user = ctx.options.get("user-schemas", {}).get(key)
    if user is None:
        return Target(None, "")  # (the custom resources of most small runs: the CRD compiler is not imported)
    from guardlint.apischema.crd import compile_root

    return Target(compile_root(user.schema, meta, structural=user.structural, preserve_unknown=user.preserve_unknown),
                  "file")


_NO_PROBLEMS: Mapping[str, tuple[Problem, ...]] = {}


def problems(resource: Resource, ctx: RuleContext) -> Mapping[str, tuple[Problem, ...]]:
    """The object's problems against its schema by kind of problem (``UNKNOWN_FIELD``...), each kind in
    document order; empty when it has none, no schema, or its API is not served. One walk per object and run,
    whichever rule of the pack asks first."""
    # A per-object cache: the object, the target version and its kind's schema decide the problems; what needs
    # the run (CRDs of the run, is_patch) reads the index before anything is cached.
    cache: dict[int, tuple[Resource, Mapping[str, tuple[Problem, ...]]]] = ctx.index.object_memo(
        "schema:problems", dict
    )
    hit = cache.get(id(resource.data))
    if hit is not None and hit[0] is resource:
        return hit[1]
    grouped: Mapping[str, tuple[Problem, ...]] = _NO_PROBLEMS
    found = _compute(resource, ctx)
    if found:
        by_kind: dict[str, list[Problem]] = {}
        for p in found:
            by_kind.setdefault(p.kind, []).append(p)
        grouped = {kind: tuple(ps) for kind, ps in by_kind.items()}
    cache[id(resource.data)] = (resource, grouped)
    return grouped


def _compute(resource: Resource, ctx: RuleContext) -> list[Problem]:
    if lifecycle_of(resource, ctx).state in ("removed", "not-yet"):
        return []
    target = find_schema(resource, ctx)
    if target.node is None:
        return []
    found = validate(resource.data, target.node)
    name_missing = _name_missing(resource)
    if name_missing is not None:
        found.insert(0, name_missing)
    for other in target.others:
        if not found:
            break
        # Which release of the CRD the cluster has is unknown: keep what every one of them rejects (the first
        # schema's message), so the report does not depend on the order of the linted files.
        also = {(p.kind, p.path) for p in validate(resource.data, other)}
        found = [p for p in found if (p.kind, p.path) in also]
    if found and "sops" in resource.data:
        from guardlint.model.access import get
        from guardlint.model.sops import is_ciphertext, is_encrypted_document

        if is_encrypted_document(resource.data):
            # A SOPS-encrypted file is applied decrypted, without its ``sops`` metadata: that key is no field of
            # the object, and a value SOPS encrypted is not the value the API will read.
            found = [
                p for p in found
                if not (p.kind == UNKNOWN_FIELD and p.path == ("sops",))
                and not is_ciphertext(get(resource.data, p.path))
            ]
    if found and any(p.kind in (MISSING_REQUIRED, UNKNOWN_FIELD) for p in found):
        from guardlint.model.patches import is_directive, is_patch

        if is_patch(resource, ctx.index):
            found = [
                p for p in found
                if p.kind != MISSING_REQUIRED
                and not (p.kind == UNKNOWN_FIELD and isinstance(p.path[-1], str) and is_directive(p.path[-1]))
            ]
    return found


_NAMELESS_GROUPS = frozenset(("authorization.k8s.io", "authentication.k8s.io"))
"""API groups whose kinds are reviews the API server answers without storing them (SubjectAccessReview,
TokenReview, SelfSubjectReview, ...): they are created without a name."""


def _name_missing(resource: Resource) -> Problem | None:
    """The API server stores no object without ``metadata.name`` or ``metadata.generateName`` (it answers
    ``metadata.name: Required value: name or generateName is required``), whatever the kind's schema says."""
    meta = resource.data.get("metadata")
    if isinstance(meta, dict) and (meta.get("name") or meta.get("generateName")):
        return None
    if resource.group in _NAMELESS_GROUPS:
        return None
    return Problem(MISSING_REQUIRED, ("metadata", "name"),
                   "missing required field 'name' of ObjectMeta: the API server stores no object without a name "
                   "(or a generateName)", at_value=False)


def of_kind(resource: Resource, ctx: RuleContext, kind: str) -> tuple[Problem, ...]:
    """The object's problems of one kind, in document order."""
    return problems(resource, ctx).get(kind, ())
