"""writable-root-filesystem: a container's root file system is writable."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.workloads import ContainerKind, iter_containers, iter_pod_specs
from guardlint.rules.api import FixEdit, Resource, RuleContext, Severity, Violation, rule, structural_fix
from guardlint.rules.params import param
from guardlint.rules.references import SECURITY_CONTEXT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated


class Params(NamedTuple):
    check_init_containers: Annotated[bool, param(
        "Also report init containers (sidecars are always reported, they run all the time).",
    )] = True


@rule(
    code="SEC030",
    fixable="unsafe",
    name="writable-root-filesystem",
    pods_only=True,
    title="Container root file system is writable",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=("hardening",),
    remediation=(
        "Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir volume where the program needs to "
        "write (for example /tmp)."
    ),
    params=Params,
    enabled_by_default=False,
    references=(
        SECURITY_CONTEXT,
    ),
)
def writable_root_filesystem(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports containers and sidecars (and init containers, unless `check-init-containers` is off) whose
    `securityContext.readOnlyRootFilesystem` is not `true`. There is no pod-level field. Ephemeral
    (debugging) containers and Windows pods, where the field is not supported, are not reported, nor is an
    Istio `istio-proxy` container with `image: auto` that leaves the field out (Istio's injector completes it
    from its template, which sets it). Off by default: many images still write to their own file system.

    ## Why is this bad?
    A writable root file system lets an attacker who gained code execution replace binaries and
    libraries, drop tools, or persist changes for the container's lifetime. A read-only root with explicit
    writable volumes also documents where the program writes
    (https://kubernetes.io/docs/tasks/configure-pod-container/security-context/).

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          containers:
            - name: api
              image: example.com/api:4.2.0
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          containers:
            - name: api
              image: example.com/api:4.2.0
              securityContext:
                readOnlyRootFilesystem: true
              volumeMounts:
                - {name: tmp, mountPath: /tmp}
          volumes:
            - name: tmp
              emptyDir: {}
    ```
    """
    for pod in iter_pod_specs(resource, ctx.workloads):
        if pod.is_windows:
            continue
        for c in iter_containers(pod, (ContainerKind.INIT, ContainerKind.CONTAINER)):
            if c.kind is ContainerKind.INIT and not c.is_sidecar and not params.check_init_containers:
                continue
            value = c.get(("securityContext", "readOnlyRootFilesystem"))
            if value is True or (value is None and c.completed_by_injector):
                continue
            text = "sets readOnlyRootFilesystem=false" if value is False else "does not set readOnlyRootFilesystem=true"
            path = (*c.path, "securityContext", "readOnlyRootFilesystem")
            yield Violation(path, f"{c.describe()} {text}", fix=structural_fix(
                "set readOnlyRootFilesystem to true", FixEdit("set", path, True)))


RULE = writable_root_filesystem
