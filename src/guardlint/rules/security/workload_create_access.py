"""workload-create-access: a role can create pods or workloads."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param
from guardlint.rules.security._rbac import ROLE_KINDS, grant, role_rules

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated, Literal

    WorkloadResource = Literal[
        "pods", "replicationcontrollers", "deployments", "replicasets", "statefulsets", "daemonsets", "jobs",
        "cronjobs",
    ]

WORKLOADS: dict[WorkloadResource, tuple[str, ...]] = {
    "pods": ("",),
    "replicationcontrollers": ("",),
    "deployments": ("apps", "extensions"),
    "replicasets": ("apps", "extensions"),
    "statefulsets": ("apps",),
    "daemonsets": ("apps", "extensions"),
    "jobs": ("batch",),
    "cronjobs": ("batch",),
}


class Params(NamedTuple):
    verbs: Annotated[tuple[str, ...], param(
        "Verbs to report ('*' always counts); add update and patch to also report changing workloads.",
        min_items=1,
        unique_items=True,
        items={"minLength": 1},
    )] = ("create",)
    # ``WorkloadResource`` spelled out: the parameter schema evaluates this annotation at run time, where the
    # alias (for type checkers only, like ``typing``) does not exist; mypy keeps the two equal (``tuple(WORKLOADS)``)
    resources: Annotated[tuple[Literal[
        "pods", "replicationcontrollers", "deployments", "replicasets", "statefulsets", "daemonsets", "jobs",
        "cronjobs",
    ], ...], param(
        "Workload resources to report.",
        min_items=1,
        unique_items=True,
    )] = tuple(WORKLOADS)


@rule(
    code="SEC065",
    name="workload-create-access",
    title="RBAC role can create pods or workloads",
    severity=Severity.INFO,
    pack="security",
    since="0.1.0",
    tags=("rbac",),
    remediation=(
        "Give workload-creating permissions only to deployment pipelines and controllers, and enforce Pod Security "
        "Admission in their namespaces."
    ),
    params=Params,
    kinds=ROLE_KINDS,
    enabled_by_default=False,
    references=(
        Reference("Kubernetes: RBAC Good Practices (workload creation)",
                  "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation"),
    ),
)
def workload_create_access(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports Role and ClusterRole rules that allow `create` (per `verbs`; `*` always counts) on pods or on a
    workload resource that creates pods (Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs,
    ReplicationControllers) in its API group. A `resources: ["*"]` is left to `wildcard-rbac-rule`. Off by
    default: controllers and deployment pipelines need it.

    ## Why is this bad?
    Whoever can create a pod can run it as any service account of the namespace and mount any Secret,
    ConfigMap or volume there; without an enforcing Pod Security Admission level they can also start a
    privileged pod and take over the node
    (https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation).

    ## Example
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      name: runner
      namespace: ci
    rules:
      - apiGroups: [""]
        resources: [pods]
        verbs: [create, delete, get]
    ```

    ## Use instead
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      name: runner
      namespace: ci
    rules:
      - apiGroups: [""]
        resources: [pods, pods/log]
        verbs: [get, list, watch]
    ```
    """
    for r in role_rules(resource, ctx.index):
        seen: set[int] = set()
        for name in params.resources:
            for group in WORKLOADS[name]:
                hit = grant(r, group, name, params.verbs, wildcard_resource=False)
                if hit is None or hit[0] in seen:
                    continue
                index, verb = hit
                seen.add(index)
                yield Violation(
                    (*r.path, "resources", index),
                    f"{resource.describe()} allows {verb!r} on {name}, which runs code with the namespace's "
                    "service accounts and Secrets",
                    at_value=True,
                )


RULE = workload_create_access
