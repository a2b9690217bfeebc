"""API groups: the sets of groups several parts of guardlint reason about, in one place."""

from __future__ import annotations

APPS_GROUPS = ("apps", "extensions")
"""The groups that serve the apps workloads (Deployment, ReplicaSet, StatefulSet, DaemonSet): ``apps`` and
its deprecated predecessor ``extensions``."""

BUILTIN_WORKLOAD_GROUPS = frozenset({"", *APPS_GROUPS, "batch", "apps.openshift.io"})
"""Groups of the workloads whose pods a built-in controller creates (core, apps, batch, and OpenShift's
DeploymentConfig): any other group that runs pods is an operator's, which may add labels and fields of its
own to the pods it makes."""


def api_group(api_version: str) -> str:
    """The group of an ``apiVersion`` (``apps/v1`` -> ``apps``, ``v1`` -> the core group ``""``)."""
    return api_version.rpartition("/")[0]


def groups_compatible(a: str, b: str) -> bool:
    """Whether two groups name the same kinds: equal, or both apps groups (a reference written against
    ``extensions`` still finds an ``apps`` Deployment)."""
    return a == b or (a in APPS_GROUPS and b in APPS_GROUPS)


KUBERNETES_GROUPS = frozenset({*BUILTIN_WORKLOAD_GROUPS, "policy", "autoscaling"})
"""Kubernetes' own API groups that do not end in ``.k8s.io`` (see ``is_kubernetes_group``)."""


def is_kubernetes_group(group: str) -> bool:
    """Kubernetes' own API groups: the core group, ``apps``, ``batch``, ... and every ``*.k8s.io`` group."""
    return group in KUBERNETES_GROUPS or group == "k8s.io" or group.endswith(".k8s.io")
