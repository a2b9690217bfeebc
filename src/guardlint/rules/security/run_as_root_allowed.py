"""run-as-root-allowed: a pod or container does not require a non-root user (PSS runAsNonRoot)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get_bool
from guardlint.model.workloads import iter_containers
from guardlint.rules.api import Fix, FixEdit, Resource, RuleContext, Severity, Violation, rule, structural_fix
from guardlint.rules.references import SECURITY_CONTEXT
from guardlint.rules.security import _pss

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CHECK = "runAsNonRoot"
USER_NAMESPACE_SINCE = (1, 35)


@rule(
    code="SEC015",
    fixable="unsafe",
    name="run-as-root-allowed",
    pods_only=True,
    title="Pod or container does not require running as a non-root user",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=_pss.TAGS_RESTRICTED,
    remediation=(
        "Set spec.securityContext.runAsNonRoot: true in the pod (containers inherit it) and remove any "
        "runAsNonRoot: false."
    ),
    references=(
        _pss.PSS_RESTRICTED_REF,
        SECURITY_CONTEXT,
    ),
    enabled_by_default=False,
    extra=_pss.extra("Running as Non-root", _pss.RESTRICTED, CHECK, "1.0, 1.35 (hostUsers: false exempt)"),
)
def run_as_root_allowed(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports pods in which some init, regular or ephemeral container may run as root: a pod-level or
    container-level `runAsNonRoot: false`, or a container that leaves `runAsNonRoot` unset while the pod
    does not set it to `true`. A container that leaves it unset inherits the pod-level `true` and is not
    reported; a container-level `false` is reported even when the pod sets `true`. When neither the pod nor
    any container sets it, one finding is reported at the pod. `runAsUser` is not looked at. From policy
    1.35 pods with `hostUsers: false` are exempt. This is the `runAsNonRoot` check of the Pod Security
    Standards, level restricted. An Istio `istio-proxy` container with `image: auto` that leaves the field
    out counts as `true`: Istio's injector merges it onto its template's proxy, which runs as user 1337 with
    `runAsNonRoot: true` (unless the pod asks for TPROXY interception or NET_BIND_SERVICE for the proxy,
    where the template runs it as root).

    ## Why is this bad?
    Root in a container is root on the node's kernel: a container escape, a writable host mount or a
    kernel bug then gives full control of the node. `runAsNonRoot: true` makes the kubelet refuse to start
    a container whose image would run as UID 0. The restricted level requires it
    (https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted).

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: cache
    spec:
      serviceName: cache
      selector:
        matchLabels: {app: cache}
      template:
        metadata:
          labels: {app: cache}
        spec:
          containers:
            - name: cache
              image: redis:7.4.1
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: cache
    spec:
      serviceName: cache
      selector:
        matchLabels: {app: cache}
      template:
        metadata:
          labels: {app: cache}
        spec:
          securityContext:
            runAsNonRoot: true
            runAsUser: 999
          containers:
            - name: cache
              image: redis:7.4.1
    ```
    """
    version = _pss.policy_version(ctx)
    suffix = _pss.note(_pss.RESTRICTED, version, CHECK)
    for pod in _pss.pods(resource, ctx):
        if version >= USER_NAMESPACE_SINCE and _pss.user_namespace(pod):
            continue
        pod_value = get_bool(pod.spec, ("securityContext", "runAsNonRoot"))
        label = _pss.pod_label(pod)
        if pod_value is False:
            yield Violation(
                _pss.pod_sc_path(pod, "runAsNonRoot"), f"{label} sets securityContext.runAsNonRoot=false {suffix}",
                fix=_non_root(_pss.pod_sc_path(pod, "runAsNonRoot")),
            )
        explicit: list[Violation] = []
        unset = []
        any_set = False
        for c in iter_containers(pod):
            value = get_bool(c.data, ("securityContext", "runAsNonRoot"))
            if (value is None and "runAsNonRoot" not in c.security_context
                    and c.injected_security_context.get("runAsNonRoot") is True):
                value = True  # Istio's injector runs its proxy as user 1337
            if value is False:
                any_set = True
                explicit.append(
                    Violation(
                        _pss.c_sc_path(c, "runAsNonRoot"),
                        f"{c.describe()} sets securityContext.runAsNonRoot=false {suffix}",
                        fix=_non_root(_pss.c_sc_path(c, "runAsNonRoot")),
                    )
                )
            elif value is True:
                any_set = True
            else:
                unset.append(c)
        yield from explicit
        if pod_value is not None or not unset:
            continue  # a pod-level true covers unset containers; a pod-level false is reported above
        if not any_set:
            yield Violation(
                _pss.pod_sc_path(pod, "runAsNonRoot"),
                f"neither the {label} nor any container sets securityContext.runAsNonRoot=true {suffix}",
                fix=_non_root(_pss.pod_sc_path(pod, "runAsNonRoot")),
            )
            continue
        for c in unset:
            yield Violation(
                _pss.c_sc_path(c, "runAsNonRoot"),
                f"{c.describe()} does not set securityContext.runAsNonRoot=true and the {label} does not "
                f"either {suffix}",
                fix=_non_root(_pss.c_sc_path(c, "runAsNonRoot")),
            )


def _non_root(path: tuple[str | int, ...]) -> Fix:
    return structural_fix("set runAsNonRoot to true", FixEdit("set", path, True))


RULE = run_as_root_allowed
