"""default-namespace: an object is placed in the `default` namespace explicitly."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CLUSTER_SCOPED: frozenset[tuple[str, str]] = frozenset({
    ("", "Namespace"), ("", "Node"), ("", "PersistentVolume"), ("", "ComponentStatus"),
    ("rbac.authorization.k8s.io", "ClusterRole"), ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"), ("apiregistration.k8s.io", "APIService"),
    ("storage.k8s.io", "StorageClass"), ("storage.k8s.io", "CSIDriver"), ("storage.k8s.io", "CSINode"),
    ("storage.k8s.io", "VolumeAttachment"), ("storage.k8s.io", "VolumeAttributesClass"),
    ("scheduling.k8s.io", "PriorityClass"), ("node.k8s.io", "RuntimeClass"), ("networking.k8s.io", "IngressClass"),
    ("networking.k8s.io", "IPAddress"), ("networking.k8s.io", "ServiceCIDR"),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding"),
    ("certificates.k8s.io", "CertificateSigningRequest"), ("certificates.k8s.io", "ClusterTrustBundle"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"), ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
    ("resource.k8s.io", "DeviceClass"), ("resource.k8s.io", "ResourceSlice"),
    ("gateway.networking.k8s.io", "GatewayClass"), ("policy", "PodSecurityPolicy"),
})
"""Built-in cluster-scoped kinds: a namespace on them means nothing (the API ignores it)."""


@rule(
    code="SEC102",
    name="default-namespace",
    title="Object placed in the default namespace",
    severity=Severity.INFO,
    pack="security",
    since="0.2.0",
    status="preview",
    tags=("isolation", "opinionated"),
    remediation="Give the application a namespace of its own (metadata.namespace, or the Kustomization's or "
    "Helm release's namespace).",
    references=(
        Reference("Kubernetes: Namespaces", "https://kubernetes.io/docs/concepts/overview/working-with-objects/"
                  "namespaces/"),
        Reference("Kubernetes: Multi-tenancy", "https://kubernetes.io/docs/concepts/security/multi-tenancy/"),
    ),
    enabled_by_default=False,
)
def default_namespace(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports objects whose `metadata.namespace` is written as `default` (built-in cluster-scoped kinds, for
    which a namespace means nothing, are not reported). An object without `metadata.namespace` is not
    reported: it lands in whatever namespace `kubectl apply -n`, the current kubectl context, a
    Kustomization's `namespace:` or a Helm release chooses, which the manifest cannot tell; only with the
    usual default context does it end up in `default`. Off by default: examples and single-tenant clusters
    use `default` on purpose.

    ## Why is this bad?
    Namespaces are the unit of RBAC, NetworkPolicy, ResourceQuota, LimitRange and Pod Security Admission.
    The `default` namespace usually has none of these set up, is shared with everything else deployed
    without a namespace, and is where the `kubernetes` Service lives, so an application there gets no
    isolation and its policies cannot be scoped to it.

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      namespace: default
    data:
      mode: fast
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      namespace: shop
    data:
      mode: fast
    ```
    """
    if resource.namespace != "default" or (resource.group, resource.kind) in CLUSTER_SCOPED:
        return
    yield Violation(("metadata", "namespace"), f"{resource.describe()} is placed in the default namespace",
                    at_value=True)


RULE = default_namespace
