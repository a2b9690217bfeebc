"""invalid-rbac: a Role, ClusterRole or binding the API server rejects for a reason no schema states."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint.model.names import dns_subdomain_reasons, path_segment_reasons
from guardlint.model.ports import is_unrendered
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import RBAC_GOOD_PRACTICES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

GROUP = "rbac.authorization.k8s.io"
_ROLES = ("Role", "ClusterRole")
_BINDINGS = ("RoleBinding", "ClusterRoleBinding")
_SUBJECT_KINDS = ("ServiceAccount", "User", "Group")
RBAC = Reference("Kubernetes: Using RBAC Authorization", "https://kubernetes.io/docs/reference/access-authn-authz/rbac/")


def _filled(value: Any) -> bool:
    """A list field as the API counts it (``len(...) > 0``): a non-empty list; null and ``[]`` are empty."""
    return isinstance(value, list) and len(value) > 0


def _rule_problems(rule_: dict[str, Any], at: tuple[Any, ...], namespaced: bool) -> Iterator[Violation]:
    """``validatePolicyRule``."""
    verbs = rule_.get("verbs")
    if isinstance(verbs, list) and not verbs:  # a missing verbs is the schema's finding (missing-required-field)
        yield Violation((*at, "verbs"), "the API rejects a rule without verbs (verbs must contain at least one value)",
                        at_value=True)
    if _filled(rule_.get("nonResourceURLs")):
        if namespaced:
            yield Violation((*at, "nonResourceURLs"), "the API rejects nonResourceURLs in a Role (namespaced rules "
                            "cannot apply to non-resource URLs): grant them in a ClusterRole")
        both = [key for key in ("apiGroups", "resources", "resourceNames") if _filled(rule_.get(key))]
        if both:
            yield Violation((*at, "nonResourceURLs"), f"the API rejects a rule with nonResourceURLs and "
                            f"{' and '.join(both)} (rules cannot apply to both regular resources and non-resource "
                            "URLs): write them as two rules")
        return
    if not _filled(rule_.get("apiGroups")):
        yield Violation((*at, "apiGroups"), "the API rejects a resource rule without apiGroups (resource rules must "
                        "supply at least one api group): use [\"\"] for the core group (pods, services, secrets)")
    if not _filled(rule_.get("resources")):
        yield Violation((*at, "resources"), "the API rejects a rule with neither resources nor nonResourceURLs "
                        "(resource rules must supply at least one resource)")


def _binding_problems(data: Mapping[str, Any], kind: str) -> Iterator[Violation]:
    """``ValidateRoleBinding`` and ``ValidateClusterRoleBinding`` after the v1 defaults (``SetDefaults_RoleBinding``
    and ``SetDefaults_Subject`` fill in an empty ``roleRef.apiGroup``, and a User's or Group's ``apiGroup``)."""
    ref = data.get("roleRef")
    if isinstance(ref, dict):
        group = ref.get("apiGroup")
        if isinstance(group, str) and group and group != GROUP and not is_unrendered(group):
            yield Violation(("roleRef", "apiGroup"), f"the API rejects roleRef.apiGroup {group!r}: supported values: "
                            f"{GROUP!r}", at_value=True)
        ref_kind = ref.get("kind")
        allowed = ("ClusterRole",) if kind == "ClusterRoleBinding" else _ROLES
        if isinstance(ref_kind, str) and ref_kind not in allowed and not is_unrendered(ref_kind):
            hint = " (a ClusterRoleBinding binds a ClusterRole; bind a Role with a RoleBinding)" if (
                ref_kind == "Role") else ""
            yield Violation(("roleRef", "kind"), f"the API rejects roleRef.kind {ref_kind!r} in a {kind}: supported "
                            f"values: {', '.join(repr(k) for k in allowed)}{hint}", at_value=True)
        name = ref.get("name")
        if isinstance(name, str) and name and not is_unrendered(name):
            reasons = path_segment_reasons(name)
            if reasons:
                yield Violation(("roleRef", "name"), f"the API rejects roleRef.name {name!r}: {'; '.join(reasons)}",
                                at_value=True)
    subjects = data.get("subjects")
    for i, subject in enumerate(subjects if isinstance(subjects, list) else ()):
        if isinstance(subject, dict):
            yield from _subject_problems(subject, ("subjects", i))


def _subject_problems(subject: dict[str, Any], at: tuple[Any, ...]) -> Iterator[Violation]:
    """``validateRoleBindingSubject`` for what a manifest gets wrong: the kind, the apiGroup of each kind, a
    ServiceAccount's name. (A ServiceAccount of a ClusterRoleBinding without a namespace is not judged: kustomize's
    namespace transformer fills it in for the objects of a kustomization.)"""
    kind = subject.get("kind")
    if not isinstance(kind, str) or is_unrendered(kind):
        return
    if kind not in _SUBJECT_KINDS:
        yield Violation((*at, "kind"), f"the API rejects subject kind {kind!r}: supported values: 'ServiceAccount', "
                        "'User', 'Group'", at_value=True)
        return
    group = subject.get("apiGroup")
    if isinstance(group, str) and group and not is_unrendered(group):
        expected = "" if kind == "ServiceAccount" else GROUP
        if group != expected:
            yield Violation((*at, "apiGroup"), f"the API rejects apiGroup {group!r} for a {kind} subject: supported "
                            f"values: {expected!r}" + (" (leave it out)" if kind == "ServiceAccount" else ""),
                            at_value=True)
    name = subject.get("name")
    if kind == "ServiceAccount" and isinstance(name, str) and name and not is_unrendered(name):
        reasons = dns_subdomain_reasons(name)
        if reasons:
            yield Violation((*at, "name"), f"the API rejects ServiceAccount name {name!r}: {'; '.join(reasons)}",
                            at_value=True)


@rule(
    code="RES124",
    name="invalid-rbac",
    title="Role, ClusterRole or binding that the API rejects: rule shape, roleRef or subject",
    severity=Severity.ERROR,
    pack="resources",
    since="0.3.0",
    status="preview",
    tags=("consistency", "api-rejects"),
    remediation="Give each resource rule apiGroups ([\"\"] for the core group), resources and verbs; grant "
    "nonResourceURLs only in a ClusterRole, in a rule of their own; bind a ClusterRole with a ClusterRoleBinding "
    "and a Role with a RoleBinding; give subjects the kind ServiceAccount, User or Group and leave their apiGroup "
    "out.",
    references=(RBAC, RBAC_GOOD_PRACTICES),
    kinds=(*_ROLES, *_BINDINGS),
)
def invalid_rbac(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports `rbac.authorization.k8s.io` objects that the API server's RBAC validation rejects for reasons the
    schema does not state:

    - in a Role's or ClusterRole's `rules` (`validatePolicyRule`): an empty `verbs` list; `nonResourceURLs` in
      a Role (`namespaced rules cannot apply to non-resource URLs`) or next to `apiGroups`, `resources` or
      `resourceNames` in one rule; a resource rule without `apiGroups` (`resource rules must supply at least one
      api group`; the core group is `""`) or without `resources`;
    - in a RoleBinding or ClusterRoleBinding: a `roleRef.kind` other than `ClusterRole` in a ClusterRoleBinding
      (or other than `Role` and `ClusterRole` in a RoleBinding), a `roleRef.apiGroup` other than
      `rbac.authorization.k8s.io` (an empty one is filled in), a `roleRef.name` with `/` or `%` or that is `.`
      or `..`; a subject whose `kind` is not ServiceAccount, User or Group, whose `apiGroup` is not the one of
      its kind (empty for a ServiceAccount, `rbac.authorization.k8s.io` for a User or Group, which an empty
      one becomes), or a ServiceAccount subject whose name is not a DNS subdomain.

    A value with an unrendered template placeholder is not judged. A ServiceAccount subject of a
    ClusterRoleBinding without a namespace is not reported (kustomize's namespace transformer fills it in).

    ## Why is this bad?
    The API server rejects the object (`rules[0].apiGroups: Required value: resource rules must supply at
    least one api group`, `roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"`), so the
    sync fails and the workload runs without the permissions it needs. A rule without `apiGroups` is the usual
    slip: the core group is written `apiGroups: [""]`, not left out (Kubernetes documentation, "Using RBAC
    Authorization").

    ## Example
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      name: pod-reader
      namespace: web
    rules:
      - resources: [pods]
        verbs: [get, list, watch]
      - nonResourceURLs: [/healthz]
        verbs: [get]
    ```

    ## Use instead
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      name: pod-reader
      namespace: web
    rules:
      - apiGroups: [""]
        resources: [pods]
        verbs: [get, list, watch]
    ```
    """
    if resource.group != GROUP:
        return
    data = resource.data
    kind = resource.kind
    if kind in _ROLES:
        rules = data.get("rules")
        for i, rule_ in enumerate(rules if isinstance(rules, list) else ()):
            if isinstance(rule_, dict):
                yield from _rule_problems(rule_, ("rules", i), kind == "Role")
    elif kind in _BINDINGS:
        yield from _binding_problems(data, kind)


RULE = invalid_rbac
