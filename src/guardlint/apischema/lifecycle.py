"""The lifecycle of built-in Kubernetes APIs: when an apiVersion/kind was deprecated, when it stopped being
served, and what replaces it.

``REMOVALS`` is guardlint's own table, re-expressed from the facts of the Kubernetes "Deprecated API
Migration Guide" (https://kubernetes.io/docs/reference/using-api/deprecation-guide/) and from the kinds the
published OpenAPI specifications serve version by version (``_data/k8s-schemas/served.json``, built by
``scripts/build_schemas.py``). Where the guide names no deprecation release, ``deprecated_in`` is the
release that made the replacement available (beta APIs are deprecated when their successor ships), unless
the API server's own deprecation warning ("... is deprecated in v1.22+, unavailable in v1.25+") starts
earlier.
Alpha APIs have no deprecation period: they are listed with the first release that no longer serves them.

Checked by the tests: every ``removed_in`` is at most the first release whose specification lacks the
kind, and every kind that disappears from the specifications between two shipped releases has a row.
(``flowcontrol.apiserver.k8s.io/v1beta1`` stopped being served in 1.26, as the guide says; some tools
say 1.29.)
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping

from guardlint._record import NamedTuple
from guardlint.data import parse_shipped_json


class Removal(NamedTuple):
    api_version: str
    kinds: tuple[str, ...]
    removed_in: tuple[int, int]
    deprecated_in: tuple[int, int] | None
    replacement: str | None
    """The apiVersion to use instead (None: no replacement, see ``note``)."""
    replacement_since: tuple[int, int] | None = None
    note: str = ""


def _v(minor: int) -> tuple[int, int]:
    return (1, minor)


_APPS = ("Deployment", "StatefulSet", "ReplicaSet", "DaemonSet", "ControllerRevision")
_RBAC = ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")
_FLOW = ("FlowSchema", "PriorityLevelConfiguration")
_ACCESS_REVIEWS = ("SubjectAccessReview", "LocalSubjectAccessReview", "SelfSubjectAccessReview",
                   "SelfSubjectRulesReview")
_VAP = ("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding")

_NO_SCHEDULING_CONTEXT = "it went with classic DRA; structured parameters need no scheduling context"
_USE_DEVICE_CLASS = ("classic DRA was replaced by structured parameters: a DeviceClass (resource.k8s.io/v1, since "
                     "1.34) takes the place of a ResourceClass")

REMOVALS: tuple[Removal, ...] = (
    # --- 1.16 -------------------------------------------------------------------------------------------
    Removal("extensions/v1beta1", ("Deployment", "DaemonSet", "ReplicaSet"), _v(16), _v(9), "apps/v1", _v(9)),
    Removal("apps/v1beta1", ("Deployment", "StatefulSet", "ControllerRevision"), _v(16), _v(9), "apps/v1", _v(9)),
    Removal("apps/v1beta2", _APPS, _v(16), _v(9), "apps/v1", _v(9)),
    Removal("extensions/v1beta1", ("NetworkPolicy",), _v(16), _v(9), "networking.k8s.io/v1", _v(8)),
    Removal("extensions/v1beta1", ("PodSecurityPolicy",), _v(16), _v(11), "policy/v1beta1", _v(10)),
    # --- 1.17 - 1.21 (alpha APIs) -------------------------------------------------------------------------
    Removal("discovery.k8s.io/v1alpha1", ("EndpointSlice",), _v(17), None, "discovery.k8s.io/v1", _v(21)),
    Removal("auditregistration.k8s.io/v1alpha1", ("AuditSink",), _v(19), None, None,
            note="configure audit webhooks on the API server instead"),
    Removal("settings.k8s.io/v1alpha1", ("PodPreset",), _v(20), None, None,
            note="use a mutating admission webhook or a policy engine instead"),
    Removal("batch/v2alpha1", ("CronJob",), _v(21), None, "batch/v1", _v(21)),
    Removal("flowcontrol.apiserver.k8s.io/v1alpha1", _FLOW, _v(21), None, "flowcontrol.apiserver.k8s.io/v1", _v(29)),
    # --- 1.22 -------------------------------------------------------------------------------------------
    Removal("admissionregistration.k8s.io/v1beta1", ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"),
            _v(22), _v(16), "admissionregistration.k8s.io/v1", _v(16)),
    Removal("apiextensions.k8s.io/v1beta1", ("CustomResourceDefinition",), _v(22), _v(16), "apiextensions.k8s.io/v1",
            _v(16)),
    Removal("apiregistration.k8s.io/v1beta1", ("APIService",), _v(22), _v(19), "apiregistration.k8s.io/v1", _v(10)),
    Removal("authentication.k8s.io/v1beta1", ("TokenReview",), _v(22), _v(19), "authentication.k8s.io/v1", _v(6)),
    Removal("authorization.k8s.io/v1beta1", _ACCESS_REVIEWS, _v(22), _v(19), "authorization.k8s.io/v1", _v(6)),
    Removal("certificates.k8s.io/v1beta1", ("CertificateSigningRequest",), _v(22), _v(19), "certificates.k8s.io/v1",
            _v(19)),
    Removal("coordination.k8s.io/v1beta1", ("Lease",), _v(22), _v(19), "coordination.k8s.io/v1", _v(14)),
    Removal("extensions/v1beta1", ("Ingress",), _v(22), _v(14), "networking.k8s.io/v1", _v(19)),
    Removal("networking.k8s.io/v1beta1", ("Ingress", "IngressClass"), _v(22), _v(19), "networking.k8s.io/v1", _v(19)),
    Removal("rbac.authorization.k8s.io/v1beta1", _RBAC, _v(22), _v(17), "rbac.authorization.k8s.io/v1", _v(8)),
    Removal("rbac.authorization.k8s.io/v1alpha1", _RBAC, _v(22), _v(17), "rbac.authorization.k8s.io/v1", _v(8)),
    Removal("scheduling.k8s.io/v1beta1", ("PriorityClass",), _v(22), _v(14), "scheduling.k8s.io/v1", _v(14)),
    Removal("storage.k8s.io/v1beta1", ("CSIDriver",), _v(22), _v(19), "storage.k8s.io/v1", _v(19)),
    Removal("storage.k8s.io/v1beta1", ("CSINode",), _v(22), _v(17), "storage.k8s.io/v1", _v(17)),
    Removal("storage.k8s.io/v1beta1", ("StorageClass",), _v(22), _v(19), "storage.k8s.io/v1", _v(6)),
    Removal("storage.k8s.io/v1beta1", ("VolumeAttachment",), _v(22), _v(19), "storage.k8s.io/v1", _v(13)),
    # --- 1.23, 1.24 (alpha APIs) ----------------------------------------------------------------------------
    Removal("scheduling.k8s.io/v1alpha1", ("PriorityClass",), _v(23), None, "scheduling.k8s.io/v1", _v(14)),
    Removal("storage.k8s.io/v1alpha1", ("VolumeAttachment",), _v(23), None, "storage.k8s.io/v1", _v(13)),
    Removal("node.k8s.io/v1alpha1", ("RuntimeClass",), _v(24), None, "node.k8s.io/v1", _v(20)),
    Removal("storage.k8s.io/v1alpha1", ("CSIStorageCapacity",), _v(24), None, "storage.k8s.io/v1", _v(24)),
    # --- 1.25 -------------------------------------------------------------------------------------------
    Removal("batch/v1beta1", ("CronJob",), _v(25), _v(21), "batch/v1", _v(21)),
    Removal("discovery.k8s.io/v1beta1", ("EndpointSlice",), _v(25), _v(21), "discovery.k8s.io/v1", _v(21)),
    Removal("events.k8s.io/v1beta1", ("Event",), _v(25), _v(19), "events.k8s.io/v1", _v(19)),
    # The API server warns "deprecated in v1.22+" for v2beta1 (a release before autoscaling/v2 shipped).
    Removal("autoscaling/v2beta1", ("HorizontalPodAutoscaler",), _v(25), _v(22), "autoscaling/v2", _v(23)),
    Removal("policy/v1beta1", ("PodDisruptionBudget",), _v(25), _v(21), "policy/v1", _v(21)),
    Removal("policy/v1beta1", ("PodSecurityPolicy",), _v(25), _v(21), None,
            note="use Pod Security Admission (namespace labels) or a policy engine instead"),
    Removal("node.k8s.io/v1beta1", ("RuntimeClass",), _v(25), _v(20), "node.k8s.io/v1", _v(20)),
    # --- 1.26 -------------------------------------------------------------------------------------------
    Removal("flowcontrol.apiserver.k8s.io/v1beta1", _FLOW, _v(26), _v(23), "flowcontrol.apiserver.k8s.io/v1", _v(29)),
    Removal("autoscaling/v2beta2", ("HorizontalPodAutoscaler",), _v(26), _v(23), "autoscaling/v2", _v(23)),
    # --- 1.27 -------------------------------------------------------------------------------------------
    Removal("storage.k8s.io/v1beta1", ("CSIStorageCapacity",), _v(27), _v(24), "storage.k8s.io/v1", _v(24)),
    Removal("resource.k8s.io/v1alpha1", ("ResourceClaim", "ResourceClaimTemplate"), _v(27), None, "resource.k8s.io/v1",
            _v(34)),
    Removal("resource.k8s.io/v1alpha1", ("PodScheduling",), _v(27), None, None, note=_NO_SCHEDULING_CONTEXT),
    Removal("resource.k8s.io/v1alpha1", ("ResourceClass",), _v(27), None, None, note=_USE_DEVICE_CLASS),
    # --- 1.29 -------------------------------------------------------------------------------------------
    Removal("flowcontrol.apiserver.k8s.io/v1beta2", _FLOW, _v(29), _v(26), "flowcontrol.apiserver.k8s.io/v1", _v(29)),
    Removal("networking.k8s.io/v1alpha1", ("ClusterCIDR",), _v(29), None, None,
            note="configure pod CIDRs on the controller manager instead"),
    # --- 1.31 -------------------------------------------------------------------------------------------
    Removal("networking.k8s.io/v1alpha1", ("IPAddress", "ServiceCIDR"), _v(31), None, "networking.k8s.io/v1", _v(33)),
    Removal("resource.k8s.io/v1alpha2", ("ResourceClaim", "ResourceClaimTemplate", "ResourceSlice"),
            _v(31), None, "resource.k8s.io/v1", _v(34),
            note="classic DRA (ResourceClass, PodSchedulingContext, claim parameters) was replaced by structured "
                 "parameters (DeviceClass)"),
    Removal("resource.k8s.io/v1alpha2", ("PodSchedulingContext",), _v(31), None, None, note=_NO_SCHEDULING_CONTEXT),
    Removal("resource.k8s.io/v1alpha2", ("ResourceClass",), _v(31), None, None, note=_USE_DEVICE_CLASS),
    Removal("resource.k8s.io/v1alpha2", ("ResourceClaimParameters", "ResourceClassParameters"), _v(31), None, None,
            note="classic DRA's parameter objects went with it: structured parameters put the device requests in "
                 "the ResourceClaim and the device selection in a DeviceClass (resource.k8s.io/v1, since 1.34)"),
    # --- 1.32 -------------------------------------------------------------------------------------------
    Removal("flowcontrol.apiserver.k8s.io/v1beta3", _FLOW, _v(32), _v(29), "flowcontrol.apiserver.k8s.io/v1", _v(29)),
    Removal("admissionregistration.k8s.io/v1alpha1", _VAP, _v(32), None, "admissionregistration.k8s.io/v1", _v(30)),
    Removal("authentication.k8s.io/v1alpha1", ("SelfSubjectReview",), _v(32), None, "authentication.k8s.io/v1",
            _v(28)),
    Removal("coordination.k8s.io/v1alpha1", ("LeaseCandidate",), _v(32), None, "coordination.k8s.io/v1beta1", _v(33)),
    Removal("resource.k8s.io/v1alpha3", ("PodSchedulingContext",), _v(32), None, None, note=_NO_SCHEDULING_CONTEXT),
    # --- 1.33 - 1.37 ------------------------------------------------------------------------------------
    Removal("authentication.k8s.io/v1beta1", ("SelfSubjectReview",), _v(33), _v(28), "authentication.k8s.io/v1",
            _v(28)),
    Removal("admissionregistration.k8s.io/v1beta1", _VAP, _v(34), _v(30), "admissionregistration.k8s.io/v1", _v(30)),
    Removal("resource.k8s.io/v1alpha3", ("DeviceClass", "ResourceClaim", "ResourceClaimTemplate", "ResourceSlice"),
            _v(34), None, "resource.k8s.io/v1", _v(34)),
    Removal("certificates.k8s.io/v1alpha1", ("PodCertificateRequest",), _v(35), None, "certificates.k8s.io/v1beta1",
            _v(35)),
    Removal("storage.k8s.io/v1alpha1", ("VolumeAttributesClass",), _v(35), None, "storage.k8s.io/v1", _v(34)),
    Removal("storagemigration.k8s.io/v1alpha1", ("StorageVersionMigration",), _v(35), None,
            "storagemigration.k8s.io/v1beta1", _v(35)),
    Removal("scheduling.k8s.io/v1alpha1", ("Workload",), _v(36), None, "scheduling.k8s.io/v1beta1", _v(37)),
    Removal("certificates.k8s.io/v1alpha1", ("ClusterTrustBundle",), _v(37), None, "certificates.k8s.io/v1", _v(37)),
    Removal("networking.k8s.io/v1beta1", ("IPAddress", "ServiceCIDR"), _v(37), _v(33), "networking.k8s.io/v1", _v(33)),
    Removal("storage.k8s.io/v1beta1", ("VolumeAttributesClass",), _v(37), _v(34), "storage.k8s.io/v1", _v(34)),
    Removal("scheduling.k8s.io/v1alpha2", ("PodGroup", "Workload"), _v(37), None, "scheduling.k8s.io/v1beta1",
            _v(37)),
)


@functools.lru_cache(maxsize=1)
def removals_by_kind() -> Mapping[tuple[str, str], Removal]:
    return {(r.api_version, kind): r for r in REMOVALS for kind in r.kinds}


class Served(NamedTuple):
    """The shipped Kubernetes versions and, for each built-in kind, the first and last version serving it."""

    versions: tuple[tuple[int, int], ...]
    spans: Mapping[str, tuple[tuple[int, int], tuple[int, int]]]
    groups: frozenset[str]
    """Every built-in API group ("" for the core group)."""


def _parse(text: str) -> tuple[int, int]:
    major, minor = text.split(".")
    return int(major), int(minor)


@functools.lru_cache(maxsize=1)
def served() -> Served:
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "_data", "k8s-schemas",
                        "served.json")
    with open(path, encoding="utf-8") as fh:
        data = parse_shipped_json(fh.read())
    # Two versions per built-in kind (about 200), of a few dozen distinct strings: each is parsed once (the
    # spans share the tuples, which are immutable).
    parsed = {text: _parse(text) for text in {text for pair in data["served"].values() for text in pair}}
    spans = {k: (parsed[a], parsed[b]) for k, (a, b) in data["served"].items()}
    # A key is "group/version/Kind" or "version/Kind" (the core group, ""): the group of each of the few dozen
    # distinct "group/version" prefixes, asked once each.
    groups = frozenset(gv.rpartition("/")[0] if gv.count("/") == 1 else ""
                       for gv in {k.rpartition("/")[0] for k in spans})
    return Served(tuple(_parse(v) for v in data["versions"]), spans, groups)


def group_of(api_version: str) -> str:
    return api_version.rpartition("/")[0]


def is_builtin_group(api_version: str) -> bool:
    return group_of(api_version) in served().groups


def _version_rank(api_version: str) -> tuple[int, int, int] | None:
    """The order Kubernetes gives the versions of a group (v1alpha1 < v1beta1 < v1beta2 < v1 < v2beta1 < v2),
    or None for a version that does not follow the pattern."""
    version = api_version.rpartition("/")[2]
    m = re.fullmatch(r"v(\d+)(?:(alpha|beta)(\d+))?", version)
    if m is None:
        return None
    stage = {"alpha": 0, "beta": 1, None: 2}[m.group(2)]
    return int(m.group(1)), stage, int(m.group(3) or 0)


def served_interim(api_version: str, kind: str, replacement: str, version: tuple[int, int]) -> str | None:
    """The apiVersion to move ``kind`` to when the target ``version`` does not serve ``replacement`` yet: the
    newest beta or GA version of the replacement's group that ``version`` serves, not newer than the
    replacement and, within the object's own group, newer than ``api_version`` (what the API server's
    warnings name: "autoscaling/v2beta1 HorizontalPodAutoscaler is deprecated in v1.22+, unavailable in
    v1.25+; use autoscaling/v2beta2"). None when no such version is served."""
    group = group_of(replacement)
    ceiling = _version_rank(replacement)
    floor = _version_rank(api_version) if group_of(api_version) == group else None
    best: tuple[tuple[int, int, int], str] | None = None
    for key, (first, last) in served().spans.items():
        candidate, _, candidate_kind = key.rpartition("/")
        rank = _version_rank(candidate)
        if (candidate_kind != kind or group_of(candidate) != group or candidate == api_version or rank is None
                or rank[1] == 0 or not first <= version <= last):
            continue
        if (ceiling is not None and rank > ceiling) or (floor is not None and rank <= floor):
            continue
        if best is None or rank > best[0]:
            best = (rank, candidate)
    return best[1] if best is not None else None


def show(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"
