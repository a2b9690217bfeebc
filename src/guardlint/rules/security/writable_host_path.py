"""writable-host-path: a container mounts a hostPath volume without readOnly."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.access import get_str, iter_maps
from guardlint.model.workloads import iter_pod_specs
from guardlint.rules.api import FixEdit, Resource, RuleContext, Severity, Violation, rule, structural_fix
from guardlint.rules.params import param
from guardlint.rules.references import HOST_PATH
from guardlint.rules.security._common import host_paths
from guardlint.rules.security._volumes import mounts_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated


class Params(NamedTuple):
    allowed_paths: Annotated[tuple[str, ...], param(
        "Host paths that may be mounted writable (for example a node-local cache directory). An entry ending in "
        "'/**' also allows everything below it.",
        unique_items=True,
        items={"minLength": 1},
    )] = ()


@rule(
    code="SEC037",
    fixable="unsafe",
    name="writable-host-path",
    # Gate: the rule yields nothing when this does not hold: a finding needs a hostPath volume of a pod.
    gates=("host-path",),
    pods_only=True,
    title="Container mounts a hostPath volume writable",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=("hardening", "host"),
    remediation="Set readOnly: true on the volumeMount, or replace the hostPath volume.",
    params=Params,
    enabled_by_default=False,
    references=(
        HOST_PATH,
    ),
)
def writable_host_path(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports every `volumeMounts` entry, on init, regular and ephemeral containers, that mounts a hostPath
    volume without `readOnly: true`, unless the host path is in `allowed-paths`. Off by default.

    ## Why is this bad?
    A writable host mount lets the container change files of the node: planting binaries or cron jobs,
    changing configuration, or filling the node's disk. The Kubernetes documentation recommends mounting
    hostPath volumes read-only (https://kubernetes.io/docs/concepts/storage/volumes/#hostpath).

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
                - {name: varlog, mountPath: /var/log}
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
                - {name: varlog, mountPath: /var/log, readOnly: true}
          volumes:
            - name: varlog
              hostPath: {path: /var/log}
    ```
    """
    allowed = host_paths(ctx.index, params.allowed_paths)
    for pod in iter_pod_specs(resource, ctx.workloads):
        for _, volume in iter_maps(pod.spec, ("volumes",)):
            if not isinstance(volume.get("hostPath"), dict):
                continue
            path = get_str(volume, ("hostPath", "path")) or ""
            if path and allowed.first_match(path):
                continue
            for c, j, read_only in mounts_of(pod, volume.get("name")):
                if read_only:
                    continue
                yield Violation(
                    (*c.path, "volumeMounts", j, "readOnly"),
                    f"{c.describe()} mounts hostPath volume {volume.get('name')!r} ({path!r}) writable",
                    fix=structural_fix("set readOnly to true on the mount",
                                       FixEdit("set", (*c.path, "volumeMounts", j, "readOnly"), True)),
                )


RULE = writable_host_path
