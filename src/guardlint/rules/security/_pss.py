"""Shared pieces of the Pod Security Standards rules: versions, levels, messages and shared predicates.

Each PSS rule implements exactly one check of the reference implementation (``k8s.io/pod-security-admission``)
with its versioned variants. Selecting the tag ``pss-baseline`` runs every baseline check; ``pss-restricted``
runs every restricted check plus the baseline checks that the reference still evaluates at the restricted
level. Where a restricted check *replaces* a baseline check (``restrictedVolumes`` over ``hostPathVolumes``,
``seccompProfile_restricted`` over ``seccompProfile_baseline`` from 1.19, ``capabilities_restricted`` over
``capabilities_baseline`` from 1.22, ``procMount_restricted`` over ``procMount`` from 1.35), the baseline rule is
tagged ``pss-baseline`` only and the restricted rule evaluates the baseline check itself at the versions
before the replacement, so ``--select pss-restricted`` gives the reference verdict at every version.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint.model.access import get_bool, get_list, get_map, get_str
from guardlint.model.paths import FieldPath
from guardlint.model.workloads import ContainerRef, PodSpecRef, iter_containers, iter_pod_specs
from guardlint.rules.api import Fix, Reference, Resource, RuleContext, Violation

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

LATEST: tuple[int, int] = (1, 37)
"""The newest policy version of the reference implementation; newer targets evaluate as this one."""
OLDEST: tuple[int, int] = (1, 0)

BASELINE = "baseline"
RESTRICTED = "restricted"

TAGS_BASELINE = ("pss", "pss-baseline", "pss-restricted")
"""A baseline check that the reference also runs, unchanged, at the restricted level."""
TAGS_BASELINE_ONLY = ("pss", "pss-baseline")
"""A baseline check that a restricted check replaces (at least at some versions)."""
TAGS_RESTRICTED = ("pss", "pss-restricted")

PSS_DOC = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
PSS_BASELINE_REF = Reference("Pod Security Standards: Baseline", PSS_DOC + "#baseline")
PSS_RESTRICTED_REF = Reference("Pod Security Standards: Restricted", PSS_DOC + "#restricted")
PSA_REF = Reference("Pod Security Admission", "https://kubernetes.io/docs/concepts/security/pod-security-admission/")


def policy_version(ctx: RuleContext) -> tuple[int, int]:
    """The policy version to evaluate: the target Kubernetes minor, clamped to what the reference knows."""
    version = ctx.kubernetes_version
    if version > LATEST:
        return LATEST
    if version < OLDEST:
        return OLDEST
    return version


def note(level: str, version: tuple[int, int], check: str) -> str:
    """The message suffix that names the level, the policy version and the reference check."""
    return f'(violates PodSecurity "{level}:v{version[0]}.{version[1]}", check {check})'


def extra(control: str, level: str, check: str, versions: str, replaces: str = "") -> dict[str, str]:
    """Rule metadata naming the PSS control, its level and the reference check id and versions."""
    out = {"pss-control": control, "pss-level": level, "pss-check": check, "pss-versions": versions}
    if replaces:
        out["pss-replaces"] = replaces
    return out


def pods(resource: Resource, ctx: RuleContext) -> Iterator[PodSpecRef]:
    return iter_pod_specs(resource, ctx.workloads)


def pod_label(pod: PodSpecRef) -> str:
    """``pod`` for a Pod, ``pod template`` for the template of a workload."""
    return "pod" if pod.is_pod else "pod template"


def pod_sc_path(pod: PodSpecRef, *rest: str | int) -> FieldPath:
    return (*pod.path, "securityContext", *rest)


def c_sc_path(c: ContainerRef, *rest: str | int) -> FieldPath:
    return (*c.path, "securityContext", *rest)


def user_namespace(pod: PodSpecRef) -> bool:
    """Only an explicit ``hostUsers: false`` puts the pod in its own user namespace."""
    return get_bool(pod.spec, ("hostUsers",)) is False


def present(data: Any, path: FieldPath) -> bool:
    """Whether the field at ``path`` is set to a non-null value (a Go pointer that is not nil)."""
    node = data
    for part in path:
        if not isinstance(node, dict):
            return False
        node = node.get(part)
        if node is None:
            return False
    return True


# -- capabilities_baseline ----------------------------------------------------------------------------------

BASELINE_CAPABILITIES = frozenset(
    {
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
        "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
    }
)


def capabilities_baseline(pod: PodSpecRef, suffix: str) -> Iterator[Violation]:
    """Added capabilities outside the 13 the baseline level allows (exact, case-sensitive names)."""
    for c in iter_containers(pod):
        for i, cap in enumerate(get_list(c.data, ("securityContext", "capabilities", "add")) or ()):
            if isinstance(cap, str) and cap not in BASELINE_CAPABILITIES:
                yield Violation(
                    c_sc_path(c, "capabilities", "add", i),
                    f"{c.describe()} adds capability {cap!r}, which is not in the baseline set {suffix}",
                    at_value=True,
                )


# -- seccompProfile_baseline before 1.19 (annotations) ------------------------------------------------------

SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER_ANNOTATION = "container.seccomp.security.alpha.kubernetes.io/"


def _seccomp_annotation_ok(value: str) -> bool:
    return value in ("runtime/default", "docker/default") or value.startswith("localhost/")


def seccomp_annotations(pod: PodSpecRef, suffix: str) -> Iterator[Violation]:
    """The alpha seccomp annotations (policy versions before 1.19): ``""`` and ``unconfined`` are forbidden."""
    if pod.metadata_path is None:
        return
    annotations = pod.annotations
    keys = [SECCOMP_POD_ANNOTATION]
    keys.extend(
        SECCOMP_CONTAINER_ANNOTATION + c.name for c in iter_containers(pod) if isinstance(c.data.get("name"), str)
    )
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            continue
        seen.add(key)
        value = annotations.get(key)
        if isinstance(value, str) and not _seccomp_annotation_ok(value):
            yield Violation(
                (*pod.metadata_path, "annotations", key),
                f"annotation {key}={value!r} sets a forbidden seccomp profile {suffix}",
                at_value=True,
            )


# -- seccompProfile fields ------------------------------------------------------------------------------------

SECCOMP_TYPES = frozenset({"RuntimeDefault", "Localhost"})


def seccomp_type(sc_owner: Mapping[str, Any]) -> tuple[bool, str | None]:
    """(set, type) of ``securityContext.seccompProfile`` in a pod spec or a container.

    ``set`` is true when ``seccompProfile`` is a mapping (even ``{}``, whose type is the empty string).
    """
    profile = get_map(sc_owner, ("securityContext", "seccompProfile"))
    if profile is None:
        return False, None
    kind = profile.get("type")
    return True, kind if isinstance(kind, str) else ("" if kind is None else None)


def seccomp_type_text(kind: str | None) -> str:
    return "no type" if kind == "" else (repr(kind) if kind is not None else "an invalid type")


# -- procMount -------------------------------------------------------------------------------------------------


def proc_mount(pod: PodSpecRef, suffix: str) -> Iterator[Violation]:
    """Containers whose ``procMount`` is set to anything but ``Default``."""
    for c in iter_containers(pod):
        value = get_str(c.data, ("securityContext", "procMount"))
        if value is not None and value != "Default":
            yield Violation(
                c_sc_path(c, "procMount"),
                f"{c.describe()} sets securityContext.procMount to {value!r} {suffix}",
                at_value=True,
                fix=Fix("Default", "set procMount to Default (the masked /proc)"),
            )
