"""low-user-or-group-id: a container runs with a user or group ID that may overlap with the node's."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.access import get_int, get_list
from guardlint.model.paths import FieldPath
from guardlint.model.workloads import iter_containers, iter_pod_specs
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param
from guardlint.rules.references import SECURITY_CONTEXT
from guardlint.rules.security._pss import user_namespace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated


class Params(NamedTuple):
    min_user_id: Annotated[int, param(
        "Lowest accepted runAsUser (user IDs below it are reported; 1 reports only root).",
        minimum=1,
    )] = 10000
    min_group_id: Annotated[int, param(
        "Lowest accepted runAsGroup (group IDs below it are reported; 1 reports only root).",
        minimum=1,
    )] = 10000


@rule(
    code="SEC033",
    name="low-user-or-group-id",
    pods_only=True,
    title="Container runs with a low or zero user or group ID",
    severity=Severity.INFO,
    pack="security",
    since="0.1.0",
    tags=("hardening",),
    remediation=(
        "Set runAsUser and runAsGroup to IDs above the node's range (10000 and up), and keep group 0 out of "
        "fsGroup and supplementalGroups."
    ),
    params=Params,
    enabled_by_default=False,
    references=(
        SECURITY_CONTEXT,
    ),
)
def low_user_or_group_id(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports a `runAsUser` below `min-user-id` and a `runAsGroup` below `min-group-id` (both default 10000),
    set on the pod (`spec.securityContext`, where containers inherit it) or on an init, regular or
    ephemeral container, and group 0 (root) in the pod's `fsGroup` or `supplementalGroups`. Each value is
    reported once, at the field that sets it. Unset IDs are not reported (the image decides; see
    `run-as-root-allowed`), nor are Windows pods or pods with their own user namespace (`hostUsers: false`),
    whose IDs do not map to the node's. Off by default.

    ## Why is this bad?
    Without user namespaces a container's user and group IDs are the node's. Low IDs coincide with system
    accounts and users of the node, so a process that escapes the container, or reaches a host mount,
    acts with their file permissions; group 0 gives access to files owned by the root group.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: db
    spec:
      serviceName: db
      selector:
        matchLabels: {app: db}
      template:
        metadata:
          labels: {app: db}
        spec:
          securityContext:
            runAsUser: 999
            runAsGroup: 999
          containers:
            - name: db
              image: postgres:16.4
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: db
    spec:
      serviceName: db
      selector:
        matchLabels: {app: db}
      template:
        metadata:
          labels: {app: db}
        spec:
          securityContext:
            runAsUser: 10999
            runAsGroup: 10999
          containers:
            - name: db
              image: postgres:16.4
    ```
    """
    limits = (("runAsUser", "user", params.min_user_id), ("runAsGroup", "group", params.min_group_id))
    for pod in iter_pod_specs(resource, ctx.workloads):
        if pod.is_windows or user_namespace(pod):
            continue
        containers = list(iter_containers(pod))
        for key, what, minimum in limits:
            pod_value = get_int(pod.spec, ("securityContext", key))
            inherited = [c for c in containers if get_int(c.data, ("securityContext", key)) is None]
            if pod_value is not None and pod_value < minimum and inherited:
                names = ", ".join(repr(c.name) for c in inherited)
                yield _low(
                    (*pod.path, "securityContext", key), f"the pod sets {key}={pod_value}", what, minimum,
                    f" (inherited by {names})",
                )
            for c in containers:
                value = get_int(c.data, ("securityContext", key))
                if value is not None and value < minimum:
                    yield _low(
                        (*c.path, "securityContext", key), f"{c.describe()} sets {key}={value}", what, minimum, ""
                    )
        fs_group = get_int(pod.spec, ("securityContext", "fsGroup"))
        if fs_group == 0:
            yield Violation(
                (*pod.path, "securityContext", "fsGroup"),
                "the pod sets fsGroup=0, which gives the root group ownership of its volumes",
                at_value=True,
            )
        for i, gid in enumerate(get_list(pod.spec, ("securityContext", "supplementalGroups")) or ()):
            if gid == 0 and not isinstance(gid, bool):
                    yield Violation(
                    (*pod.path, "securityContext", "supplementalGroups", i),
                    "the pod adds the root group (0) to supplementalGroups",
                    at_value=True,
                )


def _low(path: FieldPath, what_set: str, kind: str, minimum: int, tail: str) -> Violation:
    text = f"the root {kind}" if what_set.endswith("=0") else f"a {kind} ID below {minimum}"
    return Violation(path, f"{what_set}, {text}{tail}", at_value=True)


RULE = low_user_or_group_id
