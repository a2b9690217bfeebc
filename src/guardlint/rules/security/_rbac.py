"""Reading RBAC Role and ClusterRole rules, with the matching semantics of the RBAC authorizer."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

from guardlint._record import NamedTuple
from guardlint.model.access import get_list, get_map, iter_maps
from guardlint.model.index import ResourceIndex
from guardlint.model.paths import FieldPath
from guardlint.model.resource import Resource

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

RBAC_GROUP = "rbac.authorization.k8s.io"
ROLE_KINDS = ("Role", "ClusterRole")
BINDING_KINDS = ("RoleBinding", "ClusterRoleBinding")


class PolicyRule(NamedTuple):
    """One entry of ``rules`` with its path; list fields hold only their string items."""

    path: FieldPath
    data: Mapping[str, Any]
    verbs: tuple[str, ...]
    api_groups: tuple[str, ...]
    resources: tuple[str, ...]
    resource_names: tuple[str, ...]

    def grants_verb(self, verbs: Sequence[str]) -> str | None:
        """The first item of ``verbs:`` that allows any of ``verbs`` (``*`` included)."""
        for v in self.verbs:
            if v == "*" or v in verbs:
                return v
        return None

    def in_group(self, group: str) -> bool:
        return "*" in self.api_groups or group in self.api_groups

    def resource_index(self, resource: str, *, wildcard: bool = True) -> int | None:
        """Index in ``resources`` of the item that matches ``resource`` (``pods`` or ``pods/exec``): the exact
        name, ``*/<subresource>``, or (when ``wildcard``) ``*``."""
        sub = resource.partition("/")[2]
        items = get_list(self.data, ("resources",)) or []
        for i, item in enumerate(items):
            if item == resource or (sub and item == "*/" + sub) or (wildcard and item == "*"):
                return i
        return None

    def item_path(self, field: str, value: str) -> FieldPath:
        items = get_list(self.data, (field,)) or []
        for i, item in enumerate(items):
            if item == value:
                return (*self.path, field, i)
        return (*self.path, field)


def _strings(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    return tuple(x for x in get_list(data, (key,)) or () if isinstance(x, str))


def is_role(resource: Resource) -> bool:
    return resource.kind in ROLE_KINDS and resource.group == RBAC_GROUP


def is_binding(resource: Resource) -> bool:
    return resource.kind in BINDING_KINDS and resource.group == RBAC_GROUP


def policy_rules(resource: Resource) -> Iterator[PolicyRule]:
    """The rules of a Role or ClusterRole; an aggregated ClusterRole's rules are filled in by the controller
    and are skipped."""
    if not is_role(resource) or get_map(resource.data, ("aggregationRule",)) is not None:
        return
    for i, item in iter_maps(resource.data, ("rules",)):
        yield PolicyRule(
            ("rules", i), item, _strings(item, "verbs"), _strings(item, "apiGroups"), _strings(item, "resources"),
            _strings(item, "resourceNames"),
        )


def role_rules(resource: Resource, index: ResourceIndex) -> tuple[PolicyRule, ...]:
    """``policy_rules`` of an object, read once per run and shared by every RBAC rule that asks (a
    ``PolicyRule`` is an immutable value)."""
    # A per-object cache: a Role's rules are read from that Role alone.
    table: dict[int, tuple[Resource, tuple[PolicyRule, ...]]] = index.object_memo("security.policy-rules", dict)
    hit = table.get(id(resource))
    if hit is not None and hit[0] is resource:
        return hit[1]
    rules = tuple(policy_rules(resource))
    table[id(resource)] = (resource, rules)  # the table keeps the object alive: its id is not reused
    return rules


def grant(
    r: PolicyRule, group: str, resource: str, verbs: Sequence[str], *, wildcard_resource: bool = True,
    wildcard_verb: bool = True,
) -> tuple[int, str] | None:
    """(index of the matching ``resources`` item, matching verb) when the rule allows one of ``verbs`` on
    ``group``/``resource``; ``wildcard_*`` decide whether a ``*`` item counts."""
    # The verbs first: most rules grant none of the few verbs asked (get, list and watch are the common ones).
    # The three tests are pure and all must pass, so their order does not change the answer.
    verb = r.grants_verb(verbs)
    if verb is None or (verb == "*" and not wildcard_verb):
        return None
    if not r.in_group(group):
        return None
    index = r.resource_index(resource, wildcard=wildcard_resource)
    if index is None:
        return None
    return index, verb


def is_full_access(r: PolicyRule) -> bool:
    """The rule allows every verb on every resource of every API group (what ``cluster-admin`` grants):
    ``*`` in ``verbs``, ``apiGroups`` and ``resources``, not limited by ``resourceNames``."""
    return "*" in r.verbs and "*" in r.api_groups and "*" in r.resources and not r.resource_names


CLUSTER_ADMIN_LABELS: Mapping[str, str] = {"kubernetes.io/bootstrapping": "rbac-defaults"}
"""The labels of the built-in ``cluster-admin`` ClusterRole, which every cluster has."""

LabelMatcher = Callable[["Mapping[str, Any]", "Mapping[str, Any]"], "bool | None"]


def aggregation_selectors(role: Resource) -> list[tuple[FieldPath, Mapping[str, Any]]]:
    """(path, selector) of each ``aggregationRule.clusterRoleSelectors`` entry of a ClusterRole."""
    return [(("aggregationRule", "clusterRoleSelectors", i), sel)
            for i, sel in iter_maps(role.data, ("aggregationRule", "clusterRoleSelectors"))]


def aggregated_sources(index: ResourceIndex, role: Resource, match: LabelMatcher) -> Iterator[Resource]:
    """The ClusterRoles in ``role``'s tree that one of its ``aggregationRule.clusterRoleSelectors`` selects:
    those whose rules the aggregation controller copies into it. ``match(selector, labels)`` is a
    LabelSelector matcher (True, False, or None for a malformed selector)."""
    selectors = [sel for _, sel in aggregation_selectors(role)]
    if not selectors:
        return
    for other in index.in_tree("ClusterRole", role):
        if other is role or not is_role(other):
            continue
        labels = get_map(other.data, ("metadata", "labels")) or {}
        if any(match(sel, labels) is True for sel in selectors):
            yield other
