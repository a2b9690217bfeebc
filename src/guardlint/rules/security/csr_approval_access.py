"""csr-approval-access: a ClusterRole can approve certificate requests for client certificates the API server
trusts."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.security._rbac import grant, role_rules

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

GROUP = "certificates.k8s.io"
CLIENT_SIGNERS = ("kubernetes.io/kube-apiserver-client", "kubernetes.io/kube-apiserver-client-kubelet")
"""The built-in signers whose certificates the API server accepts as client credentials (any user and group
for the first, ``system:node:<name>`` in ``system:nodes`` for the second)."""
_DOMAIN_WILDCARD = "kubernetes.io/*"
"""The approval check also asks for ``<domain>/*``, so this name covers every ``kubernetes.io`` signer."""


@rule(
    code="SEC105",
    name="csr-approval-access",
    title="RBAC role can approve client certificates the API server trusts",
    severity=Severity.WARNING,
    pack="security",
    since="0.3.0",
    status="preview",
    tags=("rbac",),
    remediation="Grant approve on signers only for the signer names the approver handles (resourceNames), never "
    "for kubernetes.io/kube-apiserver-client or kubernetes.io/kube-apiserver-client-kubelet, unless the role "
    "is the cluster's vetted approver.",
    kinds=("ClusterRole",),
    references=(
        Reference("Kubernetes: RBAC Good Practices (CSRs and certificate issuing)",
                  "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"
                  "#csrs-and-certificate-issuing"),
        Reference("Kubernetes: Certificates and Certificate Signing Requests (authorization)",
                  "https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/"
                  "#authorization"),
    ),
)
def csr_approval_access(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports ClusterRole rules that allow `approve` (or `*`) on `signers` in the `certificates.k8s.io` group
    (or `*` groups) for a signer whose certificates the API server trusts as client credentials:
    `kubernetes.io/kube-apiserver-client` or `kubernetes.io/kube-apiserver-client-kubelet`, named in
    `resourceNames`, covered by `kubernetes.io/*` (the approval check also asks for the signer's domain with
    `/*`), or not limited by `resourceNames` at all. Approvers limited to their own signer names are not
    reported, nor is `sign` (signing also needs the signer's CA key). `resources: ["*"]` is left to
    `wildcard-rbac-rule`. Roles are not reported: CertificateSigningRequests and signers are cluster-scoped.

    ## Why is this bad?
    Whoever can create a CertificateSigningRequest and approve it for these signers gets a client certificate
    for any user and group they choose (including `system:masters`) or for any node, and the cluster cannot
    revoke it before it expires. The Kubernetes RBAC good practices list approving such requests among the
    permissions that allow privilege escalation.

    ## Example
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: csr-approver
    rules:
      - apiGroups: [certificates.k8s.io]
        resources: [certificatesigningrequests/approval]
        verbs: [update]
      - apiGroups: [certificates.k8s.io]
        resources: [signers]
        verbs: [approve]
    ```

    ## Use instead
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: csr-approver
    rules:
      - apiGroups: [certificates.k8s.io]
        resources: [certificatesigningrequests/approval]
        verbs: [update]
      - apiGroups: [certificates.k8s.io]
        resources: [signers]
        resourceNames: [example.com/internal-mtls]
        verbs: [approve]
    ```
    """
    for r in role_rules(resource, ctx.index):
        hit = grant(r, GROUP, "signers", ("approve",), wildcard_resource=False)
        if hit is None:
            continue
        index, verb = hit
        if r.resource_names:
            named = [n for n in r.resource_names if n in CLIENT_SIGNERS or n == _DOMAIN_WILDCARD]
            if not named:
                continue
            which = ", ".join(named)
        else:
            named = [_DOMAIN_WILDCARD]
            which = "every signer, " + " and ".join(CLIENT_SIGNERS) + " included"
        # The kubelet signer issues only node identities (system:node:<name> in system:nodes); the other, any.
        who = "any node it names" if named == [CLIENT_SIGNERS[1]] else "any user or group it names"
        yield Violation(
            (*r.path, "resources", index),
            f"{resource.describe()} allows {verb!r} on signers ({which}): a CertificateSigningRequest it approves "
            f"there is issued a client certificate the API server accepts, for {who}",
            at_value=True,
        )


RULE = csr_approval_access
