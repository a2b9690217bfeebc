"""host-path-volume: a pod mounts a hostPath volume (PSS hostPathVolumes)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import iter_maps
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import HOST_PATH
from guardlint.rules.security import _pss

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CHECK = "hostPathVolumes"


@rule(
    code="SEC005",
    name="host-path-volume",
    # Gate: the rule yields nothing when this does not hold: a finding is on a hostPath volume of a pod.
    gates=("host-path",),
    pods_only=True,
    title="Pod uses a hostPath volume",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=_pss.TAGS_BASELINE_ONLY,
    remediation=(
        "Replace the hostPath volume with an emptyDir, a persistentVolumeClaim, a configMap/secret/projected "
        "volume or a CSI driver."
    ),
    references=(
        _pss.PSS_BASELINE_REF,
        HOST_PATH,
    ),
    enabled_by_default=False,
    extra=_pss.extra("HostPath Volumes", _pss.BASELINE, CHECK, "1.0"),
)
def host_path_volume(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports every volume of a pod spec that has a `hostPath` source, whatever its path. This is the
    `hostPathVolumes` check of the Pod Security Standards, level baseline, at every policy version.

    The restricted level replaces this check with `restrictedVolumes` (rule `restricted-volume-type`, which
    reports hostPath volumes too), so this rule is tagged `pss-baseline` only. It is off by default: the
    default set reports the dangerous host paths through `sensitive-host-path`.

    ## Why is this bad?
    A hostPath volume exposes the node's file system to the container. Depending on the path it leaks
    credentials of the node or of other pods, gives control of the container runtime, or lets a process
    change the node's configuration. The Pod Security Standards forbid hostPath volumes from the baseline
    level (https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline).

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: DaemonSet
    metadata:
      name: logs
    spec:
      selector:
        matchLabels: {app: logs}
      template:
        metadata:
          labels: {app: logs}
        spec:
          containers:
            - name: shipper
              image: fluent/fluent-bit:3.1.9
              volumeMounts:
                - {name: varlog, mountPath: /var/log, readOnly: true}
          volumes:
            - name: varlog
              hostPath: {path: /var/log}
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: DaemonSet
    metadata:
      name: logs
    spec:
      selector:
        matchLabels: {app: logs}
      template:
        metadata:
          labels: {app: logs}
        spec:
          containers:
            - name: shipper
              image: fluent/fluent-bit:3.1.9
              volumeMounts:
                - {name: buffer, mountPath: /buffer}
          volumes:
            - name: buffer
              emptyDir: {}
    ```
    """
    suffix = _pss.note(_pss.BASELINE, _pss.policy_version(ctx), CHECK)
    for pod in _pss.pods(resource, ctx):
        for i, volume in iter_maps(pod.spec, ("volumes",)):
            host_path = volume.get("hostPath")
            if isinstance(host_path, dict):
                name = volume.get("name")
                path = host_path.get("path")
                where = f" for host path {path!r}" if isinstance(path, str) else ""
                yield Violation(
                    (*pod.path, "volumes", i, "hostPath"),
                    f"volume {name!r} is a hostPath volume{where} {suffix}",
                )


RULE = host_path_volume
