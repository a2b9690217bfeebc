"""The supported surface for rule packs outside guardlint (plugins).

A plugin imports from here, and from ``guardlint.testing`` in its tests, and nothing else of guardlint: the
names below keep their meaning within an API version, whatever moves inside guardlint. ``API_VERSION`` is
(major, minor): a minor step adds names; a major step changes or removes one, and is announced in the
changelog one release ahead. A pack can refuse to load against an API it does not know::

    from guardlint.plugin import API_VERSION
    if API_VERSION[0] != 1:
        raise ImportError("acme-guardlint needs guardlint's plugin API 1.x")

What is here:

- writing rules: ``rule`` (the decorator), ``param`` (a parameter's description and constraints, in
  ``Annotated`` on a field of the rule's params NamedTuple: the schema is derived from it), ``Rule``,
  ``RuleInfo`` (light metadata), ``RuleMeta`` (full metadata), ``RuleContext``, ``Violation``, ``Fix``,
  ``Severity``, ``Reference``, ``NoParams``, the lifecycle statuses ``STABLE``, ``PREVIEW``, ``DEPRECATED``;
- the object model: ``Resource`` (``describe()`` names it in messages), ``FieldPath``, ``to_dotted``,
  ``expand`` (the concrete paths of a pattern with ``*`` wildcards) and ``MISSING``;
- container iteration: ``iter_pod_specs``, ``iter_containers``, ``iter_all_containers``, ``PodSpecRef``,
  ``ContainerRef``, ``ContainerKind`` (every kind of the pod-template table, custom resources included);
- the effective security context: ``effective_security`` (the deciding value and the path that set it);
- access checks: typed field access (``get``, ``has``, ``get_map``, ``get_list``, ``get_str``, ``get_bool``,
  ``get_int``, ``iter_maps``) and RBAC access (``policy_rules``, ``PolicyRule``, ``grant``, ``is_role``,
  ``is_binding``: what a Role or ClusterRole allows, with the RBAC authorizer's matching);
- the missing-object policy: ``is_missing``, ``can_judge_missing``, ``can_judge_pods`` (ask before reporting
  that an object is absent or that no pod matches), ``can_judge_absence`` (before reporting that a namespace
  holds no object of a kind at all), ``visible_objects`` and ``known_keys`` (before comparing a reference with
  the content of the object it names: its ports, its keys);
- quantities: ``parse_quantity``, ``quantity_value``, ``format_quantity``, ``quantity_text``, ``Quantity``
  (exact, as the API parses them);
- label selectors: ``match_labels`` (a map selector), ``label_selector_matches`` (a LabelSelector),
  ``selector_is_valid``, ``selector_text``, ``pod_assumption`` (labels controllers add to pods);
- selection among the linted objects: ``pods_related_to``, ``selected_workloads``, ``pdbs_for``,
  ``hpas_for``, ``explicit_replicas`` (objects of the referrer's namespace and tree only);
- resource names and requirements: ``is_native``, ``is_extended``, ``iter_sites`` (every container's
  ``resources`` and operators' flattened shapes).

Added in 1.1: ``param``, ``Resource.describe()``, ``expand``, ``MISSING``, ``quantity_text``, the label
selectors, the selection helpers, resource names and requirements, ``can_judge_absence``, ``visible_objects``,
``known_keys``.

Added in 1.2: ``rule(..., pods_only=True)`` and ``RuleInfo.pods_only``/``RuleMeta.pods_only``: a rule that
yields nothing for an object without pod specs says so, and the engine does not call it on such objects.

Added in 1.3: ``rule(..., gates=(...))`` and ``RuleInfo.gates``/``RuleMeta.gates``: a rule names engine
predicates (``guardlint.rules.gates.GATES``: ``extended-resources``, ``resource-claims``, ``runtime-class``,
``pod-resources``, ``node-targeting``, ``host-path``, ``device-exposure``, ``host-namespaces``, ``host-ports``,
``security-context-options``, ``env``, ``device-list-mount``, ``probes``, ``container-ports``, ``limits``,
``references``, ``service-account``, ``secret``, ``seccomp``, ``apparmor``) and
declares that it yields nothing for an object for which none of them holds; the engine then neither imports nor
calls it on such objects. A rule without gates is called as before.

A pack is registered through the ``guardlint.rules`` entry-point group (a callable returning its rules);
see ``docs/writing-rules.md`` and the example pack in ``examples/plugin-pack/``.
"""

from __future__ import annotations

from guardlint.findings import Fix, FixEdit, Severity, structural_fix
from guardlint.model.access import get, get_bool, get_int, get_list, get_map, get_str, has, iter_maps
from guardlint.model.missing import (
    can_judge_absence,
    can_judge_missing,
    can_judge_pods,
    is_missing,
    known_keys,
    visible_objects,
)
from guardlint.model.paths import MISSING, FieldPath, expand, to_dotted
from guardlint.model.quantity import Quantity, format_quantity, parse_quantity, quantity_text, quantity_value
from guardlint.model.requirements import iter_sites
from guardlint.model.resource import Resource
from guardlint.model.resourcenames import is_extended, is_native
from guardlint.model.scaling import explicit_replicas, hpas_for
from guardlint.model.selection import pdbs_for, pods_related_to, selected_workloads
from guardlint.model.selectors import (
    label_selector_matches,
    match_labels,
    pod_assumption,
    selector_is_valid,
    selector_text,
)
from guardlint.model.workloads import (
    ContainerKind,
    ContainerRef,
    PodSpecRef,
    effective_security,
    iter_all_containers,
    iter_containers,
    iter_pod_specs,
)
from guardlint.rules.api import (
    DEPRECATED,
    PREVIEW,
    STABLE,
    NoParams,
    Reference,
    Rule,
    RuleContext,
    RuleInfo,
    RuleMeta,
    Violation,
    rule,
)
from guardlint.rules.params import param
from guardlint.rules.security._rbac import PolicyRule, grant, is_binding, is_role, policy_rules

API_VERSION = (1, 3)
"""(major, minor) of this surface; see the module documentation."""

__all__ = [
    "API_VERSION",
    "DEPRECATED",
    "MISSING",
    "PREVIEW",
    "STABLE",
    "ContainerKind",
    "ContainerRef",
    "FieldPath",
    "Fix",
    "FixEdit",
    "NoParams",
    "PodSpecRef",
    "PolicyRule",
    "Quantity",
    "Reference",
    "Resource",
    "Rule",
    "RuleContext",
    "RuleInfo",
    "RuleMeta",
    "Severity",
    "Violation",
    "can_judge_absence",
    "can_judge_missing",
    "can_judge_pods",
    "effective_security",
    "expand",
    "explicit_replicas",
    "format_quantity",
    "get",
    "get_bool",
    "get_int",
    "get_list",
    "get_map",
    "get_str",
    "grant",
    "has",
    "hpas_for",
    "is_binding",
    "is_extended",
    "is_missing",
    "is_native",
    "is_role",
    "iter_all_containers",
    "iter_containers",
    "iter_maps",
    "iter_pod_specs",
    "iter_sites",
    "known_keys",
    "label_selector_matches",
    "match_labels",
    "param",
    "parse_quantity",
    "pdbs_for",
    "pod_assumption",
    "pods_related_to",
    "policy_rules",
    "quantity_text",
    "quantity_value",
    "rule",
    "selected_workloads",
    "selector_is_valid",
    "selector_text",
    "structural_fix",
    "to_dotted",
    "visible_objects",
]
