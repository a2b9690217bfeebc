"""invalid-object-name: an object name, generateName or namespace that the API server's validation rejects."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.names import (
    dns1035_label_reasons,
    dns_label_reasons,
    dns_subdomain_reasons,
    mask_trailing_dash,
    path_segment_reasons,
)
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

# The name function each built-in kind's validation passes to ValidateObjectMeta (pkg/apis/*/validation):
# "subdomain" is NameIsDNSSubdomain, "label" NameIsDNSLabel, "dns1035" NameIsDNS1035Label and "segment"
# path.ValidatePathSegmentName. Kinds not listed here (events, CSI and flow-control objects, custom resources) are
# not judged. The second value says whether the kind is namespaced (its metadata.namespace is then checked).
_SUBDOMAIN_CORE = ("Pod", "PodTemplate", "ReplicationController", "Secret", "ConfigMap", "ServiceAccount",
                   "Endpoints", "LimitRange", "ResourceQuota", "PersistentVolumeClaim")
_NAME_RULES: dict[tuple[str, str], tuple[str, bool]] = {
    **{("", kind): ("subdomain", True) for kind in _SUBDOMAIN_CORE},
    ("", "PersistentVolume"): ("subdomain", False),
    ("", "Node"): ("subdomain", False),
    ("", "Namespace"): ("label", False),
    ("", "Service"): ("dns1035", True),
    **{(group, kind): ("subdomain", True)
       for group in ("apps", "extensions") for kind in ("Deployment", "ReplicaSet", "DaemonSet")},
    ("apps", "ControllerRevision"): ("subdomain", True),
    ("apps", "StatefulSet"): ("statefulset", True),
    ("batch", "Job"): ("subdomain", True),
    ("batch", "CronJob"): ("subdomain", True),
    ("networking.k8s.io", "NetworkPolicy"): ("subdomain", True),
    ("networking.k8s.io", "Ingress"): ("subdomain", True),
    ("extensions", "NetworkPolicy"): ("subdomain", True),
    ("extensions", "Ingress"): ("subdomain", True),
    ("networking.k8s.io", "IngressClass"): ("subdomain", False),
    # ValidatePodDisruptionBudget validates the spec only: the path segment that rest.BeforeCreate holds every
    # object to is the only check of the name (a PodDisruptionBudget named ``Web_PDB`` is accepted).
    ("policy", "PodDisruptionBudget"): ("segment", True),
    ("autoscaling", "HorizontalPodAutoscaler"): ("subdomain", True),
    ("storage.k8s.io", "StorageClass"): ("subdomain", False),
    ("scheduling.k8s.io", "PriorityClass"): ("subdomain", False),
    ("node.k8s.io", "RuntimeClass"): ("subdomain", False),
    ("coordination.k8s.io", "Lease"): ("subdomain", True),
    ("discovery.k8s.io", "EndpointSlice"): ("subdomain", True),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"): ("subdomain", False),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"): ("subdomain", False),
    ("apiextensions.k8s.io", "CustomResourceDefinition"): ("subdomain", False),
    ("rbac.authorization.k8s.io", "Role"): ("segment", True),
    ("rbac.authorization.k8s.io", "RoleBinding"): ("segment", True),
    ("rbac.authorization.k8s.io", "ClusterRole"): ("segment", False),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): ("segment", False),
}
KINDS = tuple(sorted({kind for _, kind in _NAME_RULES}))

STATEFULSET_LABEL_SINCE = (1, 27)
"""kubernetes/kubernetes#114172: a StatefulSet's name is a DNS label (it becomes its pods' hostnames); a
subdomain before."""
RELAXED_SERVICE_NAMES_SINCE = (1, 36)
"""RelaxedServiceNameValidation (KEP-5311): a new Service's name is a DNS-1123 label, so it may start with a digit.
Alpha (off by default) in 1.34 and 1.35: its promotion to beta for 1.35 (kubernetes/kubernetes#134493) was reverted
before 1.35 shipped (#135426), so a 1.35 API server still rejects a Service named ``1abc``. Beta, on by default, in
1.36 (#136389); GA in 1.37 (#139282)."""
CRONJOB_NAME_MAX = 52
"""ValidateCronJob: at most 63 - 11 characters, room for the suffix of the Jobs it makes."""

_WHAT = {"subdomain": "a DNS subdomain", "label": "a DNS label", "dns1035": "a DNS-1035 label",
         "segment": "a path segment"}


def _reasons_of(function: str, text: str, *, prefix: bool) -> tuple[str, ...]:
    """The reasons ``NameIs*(text, prefix)`` gives: a generateName prefix is checked after maskTrailingDash."""
    if function == "segment":
        return path_segment_reasons(text, prefix=prefix)
    check: Callable[[str], tuple[str, ...]] = (
        dns_subdomain_reasons if function == "subdomain" else dns_label_reasons if function == "label"
        else dns1035_label_reasons
    )
    return check(mask_trailing_dash(text) if prefix else text)


def _unrendered(text: str) -> bool:
    """A placeholder that a later step fills in (Helm, envsubst, Argo, kustomize replacements): not judged."""
    return "{{" in text or "${" in text or "$(" in text


def _crd_name(resource: Resource, metadata: dict[str, Any]) -> Iterator[Violation]:
    """ValidateCustomResourceDefinition: the name is ``<spec.names.plural>.<spec.group>``."""
    name = metadata.get("name")
    spec = resource.data.get("spec")
    names = spec.get("names") if isinstance(spec, dict) else None
    plural = names.get("plural") if isinstance(names, dict) else None
    group = spec.get("group") if isinstance(spec, dict) else None
    if not (isinstance(name, str) and isinstance(plural, str) and isinstance(group, str)) or not plural or not group:
        return
    if any(_unrendered(t) for t in (name, plural, group)) or name == f"{plural}.{group}":
        return
    yield Violation(
        ("metadata", "name"),
        f"the API rejects CustomResourceDefinition name {name!r}: must be spec.names.plural+\".\"+spec.group "
        f"({plural + '.' + group!r})",
        at_value=True,
    )


def name_function(group: str, kind: str, version: tuple[int, int]) -> str | None:
    """The name check the API server applies to objects of ``kind`` at ``version``, or None (not judged)."""
    entry = _NAME_RULES.get((group, kind))
    if entry is None:
        return None
    function = entry[0]
    if function == "statefulset":
        return "label" if version >= STATEFULSET_LABEL_SINCE else "subdomain"
    if function == "dns1035" and version >= RELAXED_SERVICE_NAMES_SINCE:
        return "label"
    return function


@rule(
    code="SCH013",
    name="invalid-object-name",
    title="Object name, generateName or namespace the API rejects",
    severity=Severity.ERROR,
    pack="schema",
    since="0.3.0",
    status="preview",
    tags=("schema", "api-rejects"),
    remediation="Rename the object within its kind's format: lowercase letters, digits and '-' (and '.' where a "
    "DNS subdomain is allowed), starting and ending with a letter or digit; a Service name starts with a letter, "
    "RBAC and PodDisruptionBudget names may hold anything but '/' and '%'.",
    kinds=KINDS,
    references=(
        Reference("Kubernetes: Object Names and IDs",
                  "https://kubernetes.io/docs/concepts/overview/working-with-objects/names/"),
    ),
)
def invalid_object_name(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports, on Kubernetes' own kinds, a `metadata.name`, `metadata.generateName` or `metadata.namespace` that
    the API server's object-metadata validation rejects, with the reason it gives. Each kind's name has the
    format its validation code names:

    - a DNS subdomain (at most 253 lowercase letters, digits, `-` and `.`, starting and ending with a letter or
      digit) for most kinds: Pod, Deployment, ConfigMap, Secret, Ingress, Job, PersistentVolumeClaim, ...;
    - a DNS label (at most 63 lowercase letters, digits and `-`, no `.`) for a Namespace, and for a
      StatefulSet from Kubernetes 1.27 (a subdomain before; its name becomes its pods' hostnames);
    - a DNS-1035 label (a DNS label that starts with a letter) for a Service, up to Kubernetes 1.35; from
      1.36 a DNS label (`RelaxedServiceNameValidation`, on by default from its beta in 1.36);
    - a path segment (anything but `.`, `..` and names holding `/` or `%`) for Role, ClusterRole, RoleBinding
      and ClusterRoleBinding, and for a PodDisruptionBudget (its validation checks no name format of its own);
    - a CronJob's name is also at most 52 characters, and a CustomResourceDefinition's is
      `<spec.names.plural>.<spec.group>`.

    A `generateName` is checked as a prefix (a final `-` is fine); `metadata.namespace` of a namespaced kind
    must be a DNS label. The target version is the `kubernetes-version` setting. Names with an unrendered
    placeholder (`{{ }}`, `${...}`, `$(...)`) are not judged, nor values that are not strings
    (`wrong-field-type`), nor custom resources and kinds not listed above.

    ## Why is this bad?
    The API server refuses to create the object (`metadata.name: Invalid value: "Web_App": a lowercase RFC
    1123 subdomain must consist of ...`), so `kubectl apply`, Helm or Argo CD fails on it. Capitals and `_`
    are the usual cause, as are a Service named after a version (`1-api`) on older clusters, a dotted
    StatefulSet name, and a CronJob name too long for the Jobs it makes.

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: Web_Settings
    data:
      mode: fast
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: web-settings
    data:
      mode: fast
    ```
    """
    function = name_function(resource.group, resource.kind, ctx.kubernetes_version)
    metadata = resource.data.get("metadata")
    if function is None or not isinstance(metadata, dict):
        return
    kind = resource.kind
    for key, prefix in (("name", False), ("generateName", True)):
        text = metadata.get(key)
        if not isinstance(text, str) or not text or _unrendered(text):
            continue
        reasons = _reasons_of(function, text, prefix=prefix)
        if not prefix and kind == "CronJob" and len(text) > CRONJOB_NAME_MAX:
            reasons = (*reasons, f"must be no more than {CRONJOB_NAME_MAX} characters")
        if reasons:
            what = f"{kind} name" if not prefix else f"{kind} generateName prefix"
            yield Violation(
                ("metadata", key),
                f"the API rejects {what} {text!r} ({_WHAT[function]}): {'; '.join(reasons)}",
                at_value=True,
            )
    if kind == "CustomResourceDefinition":
        yield from _crd_name(resource, metadata)
    namespace = metadata.get("namespace")
    if (_NAME_RULES[(resource.group, kind)][1] and isinstance(namespace, str) and namespace
            and not _unrendered(namespace)):
        reasons = dns_label_reasons(namespace)
        if reasons:
            yield Violation(
                ("metadata", "namespace"),
                f"the API rejects namespace {namespace!r} (a DNS label): {'; '.join(reasons)}",
                at_value=True,
            )


RULE = invalid_object_name
