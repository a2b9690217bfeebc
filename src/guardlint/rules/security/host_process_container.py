"""host-process-container: a Windows pod or container runs as a HostProcess container (PSS windowsHostProcess)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get_bool
from guardlint.model.workloads import iter_containers
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.security import _pss

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CHECK = "windowsHostProcess"


@rule(
    code="SEC001",
    name="host-process-container",
    # Gate: the rule yields nothing when this does not hold: a finding is on a pod's or container's
    # securityContext.windowsOptions.hostProcess.
    gates=("security-context-options",),
    pods_only=True,
    title="Windows pod or container runs as a HostProcess container",
    severity=Severity.ERROR,
    pack="security",
    since="0.1.0",
    tags=_pss.TAGS_BASELINE,
    remediation="Remove securityContext.windowsOptions.hostProcess or set it to false, at the pod and container level.",
    references=(
        _pss.PSS_BASELINE_REF,
        Reference(
            "Kubernetes: Create a Windows HostProcess Pod",
            "https://kubernetes.io/docs/tasks/configure-pod-container/create-hostprocess-pod/",
        ),
    ),
    extra=_pss.extra("HostProcess", _pss.BASELINE, CHECK, "1.0"),
)
def host_process_container(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports `securityContext.windowsOptions.hostProcess: true` on the pod (`spec.securityContext`) and on
    every init, regular and ephemeral container. This is the `windowsHostProcess` check of the Pod Security
    Standards, level baseline, at every policy version; it applies whatever `spec.os` says.

    ## Why is this bad?
    A Windows HostProcess container runs directly on the node with the node's network and file system and,
    usually, as `NT AUTHORITY\\SYSTEM`: it is the Windows equivalent of a privileged container. The Pod
    Security Standards forbid it from the baseline level
    (https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline).

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: node-tool
    spec:
      os: {name: windows}
      hostNetwork: true
      securityContext:
        windowsOptions:
          hostProcess: true
          runAsUserName: 'NT AUTHORITY\\SYSTEM'
      containers:
        - name: tool
          image: mcr.microsoft.com/windows/nanoserver:ltsc2022
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: node-tool
    spec:
      os: {name: windows}
      containers:
        - name: tool
          image: mcr.microsoft.com/windows/nanoserver:ltsc2022
    ```
    """
    version = _pss.policy_version(ctx)
    suffix = _pss.note(_pss.BASELINE, version, CHECK)
    for pod in _pss.pods(resource, ctx):
        if _host_process(pod.spec):
            yield Violation(
                _pss.pod_sc_path(pod, "windowsOptions", "hostProcess"),
                f"{_pss.pod_label(pod)} sets securityContext.windowsOptions.hostProcess=true {suffix}",
            )
        for c in iter_containers(pod):
            if _host_process(c.data):
                yield Violation(
                    _pss.c_sc_path(c, "windowsOptions", "hostProcess"),
                    f"{c.describe()} sets securityContext.windowsOptions.hostProcess=true {suffix}",
                )


def _host_process(owner: Any) -> bool:
    return get_bool(owner, ("securityContext", "windowsOptions", "hostProcess")) is True


RULE = host_process_container
