"""shared-host-namespace: a pod shares the node's network, PID or IPC namespace (PSS hostNamespaces)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get_bool
from guardlint.rules.api import FixEdit, Reference, Resource, RuleContext, Severity, Violation, rule, structural_fix
from guardlint.rules.security import _pss

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CHECK = "hostNamespaces"

_EFFECT = {
    "hostNetwork": "the node's network stack (every interface and port, node-local services)",
    "hostPID": "the node's process table (every process on the node can be seen and signalled)",
    "hostIPC": "the node's IPC namespace (shared memory of every process on the node)",
}


@rule(
    code="SEC002",
    fixable="unsafe",
    name="shared-host-namespace",
    # Gate: the rule yields nothing when this does not hold: a finding is on a pod's hostNetwork, hostPID or hostIPC
    # set to true.
    gates=("host-namespaces",),
    pods_only=True,
    title="Pod shares a host namespace (network, PID or IPC)",
    severity=Severity.ERROR,
    pack="security",
    since="0.1.0",
    tags=_pss.TAGS_BASELINE,
    remediation="Remove hostNetwork, hostPID and hostIPC from the pod spec, or set them to false.",
    references=(
        _pss.PSS_BASELINE_REF,
        Reference(
            "Kubernetes API: PodSpec hostNetwork, hostPID, hostIPC",
            "https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#hostname-and-name-resolution",
        ),
    ),
    extra=_pss.extra("Host Namespaces", _pss.BASELINE, CHECK, "1.0"),
)
def shared_host_namespace(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports pod specs that set `hostNetwork`, `hostPID` or `hostIPC` to `true`. This is the
    `hostNamespaces` check of the Pod Security Standards, level baseline, at every policy version.

    ## Why is this bad?
    Sharing a namespace with the node removes a layer of isolation: with `hostPID` a container sees every
    process of the node (and their environment and `/proc` entries), with `hostIPC` it reads shared memory
    of other workloads, and with `hostNetwork` it binds node ports and reaches services listening on the
    node's loopback interface. The Pod Security Standards forbid all three from the baseline level
    (https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline).

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: DaemonSet
    metadata:
      name: probe
    spec:
      selector:
        matchLabels: {app: probe}
      template:
        metadata:
          labels: {app: probe}
        spec:
          hostPID: true
          containers:
            - name: probe
              image: example.com/probe:1.2.0
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: DaemonSet
    metadata:
      name: probe
    spec:
      selector:
        matchLabels: {app: probe}
      template:
        metadata:
          labels: {app: probe}
        spec:
          containers:
            - name: probe
              image: example.com/probe:1.2.0
    ```

    ## Known problems
    With `hostNetwork: true` the API server also defaults every container's `hostPort` to its
    `containerPort`, so admission reports a `hostPort` violation as well. guardlint lints the manifest as
    written and reports only the namespace here.
    """
    suffix = _pss.note(_pss.BASELINE, _pss.policy_version(ctx), CHECK)
    for pod in _pss.pods(resource, ctx):
        for key, effect in _EFFECT.items():
            if get_bool(pod.spec, (key,)) is True:
                yield Violation(
                    (*pod.path, key),
                    f"{_pss.pod_label(pod)} sets {key}=true and so shares {effect} {suffix}",
                    fix=structural_fix(f"remove {key}: true", FixEdit("remove", (*pod.path, key))),
                )


RULE = shared_host_namespace
