"""Kubernetes-version boundaries of invalid-object-name's name formats."""

from __future__ import annotations

import pytest

from guardlint.api import lint_text
from guardlint.rules.schema.invalid_object_name import name_function


def test_service_names_relaxed_from_1_36_not_1_35() -> None:
    # RelaxedServiceNameValidation: alpha (off) in 1.34 and 1.35 (the 1.35 beta was reverted, kubernetes#135426),
    # beta and on by default in 1.36.
    assert name_function("", "Service", (1, 34)) == "dns1035"
    assert name_function("", "Service", (1, 35)) == "dns1035"
    assert name_function("", "Service", (1, 36)) == "label"
    assert name_function("", "Service", (1, 37)) == "label"


def test_statefulset_names_are_labels_from_1_27() -> None:
    assert name_function("apps", "StatefulSet", (1, 26)) == "subdomain"
    assert name_function("apps", "StatefulSet", (1, 27)) == "label"


# Each kind's name function as its validation passes it to ValidateObjectMeta, read in the Go source
# (pkg/apis/*/validation): every one of these is NameIsDNSSubdomain (ValidateReplicationControllerName for the HPA,
# ValidateClassName for the StorageClass, ValidatePriorityClass, ValidateRuntimeClass, ValidateLease,
# ValidateEndpointSliceName, ValidateIngressClassName, ValidateIngressName, ValidateNetworkPolicyName,
# ValidateControllerRevisionName, the webhook configurations' genericvalidation.NameIsDNSSubdomain,
# ValidateLimitRangeName, ValidateResourceQuotaName, ValidateNodeName), and the second value is whether the kind
# is namespaced (ValidateObjectMeta's requiresNamespace).
SUBDOMAIN_KINDS = (
    ("autoscaling", "HorizontalPodAutoscaler", True),
    ("scheduling.k8s.io", "PriorityClass", False),
    ("node.k8s.io", "RuntimeClass", False),
    ("coordination.k8s.io", "Lease", True),
    ("discovery.k8s.io", "EndpointSlice", True),
    ("networking.k8s.io", "IngressClass", False),
    ("networking.k8s.io", "Ingress", True),
    ("networking.k8s.io", "NetworkPolicy", True),
    ("storage.k8s.io", "StorageClass", False),
    ("apps", "ControllerRevision", True),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration", False),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration", False),
    ("", "LimitRange", True),
    ("", "ResourceQuota", True),
    ("", "Node", False),
)


@pytest.mark.parametrize(("group", "kind", "namespaced"), SUBDOMAIN_KINDS, ids=[k for _, k, _ in SUBDOMAIN_KINDS])
def test_name_formats_per_kind(group: str, kind: str, namespaced: bool) -> None:
    api_version = f"{group}/v1" if group else "v1"

    def findings(name: str) -> list[str]:
        metadata = f"  name: {name}\n" + ("  namespace: Bad_NS\n" if namespaced else "")
        text = f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n{metadata}"
        report = lint_text(text, select=["invalid-object-name"])
        return [f.message for f in report.findings if f.rule == "invalid-object-name"]

    for version in ((1, 26), (1, 37)):
        assert name_function(group, kind, version) == "subdomain", (kind, version)
    # a dotted name is a subdomain (accepted); capitals and '_' are not (rejected with the subdomain reason)
    dotted = findings("web.example-1")
    assert not any(f"{kind} name" in m for m in dotted), dotted
    bad = findings("Web_1")
    assert any(f"the API rejects {kind} name 'Web_1' (a DNS subdomain)" in m for m in bad), bad
    # the namespace is checked only on namespaced kinds
    assert any("namespace 'Bad_NS'" in m for m in bad) == namespaced, bad
