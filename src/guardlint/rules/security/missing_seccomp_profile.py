"""missing-seccomp-profile: a pod or container runs without a RuntimeDefault or Localhost seccomp profile (PSS)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.workloads import iter_containers
from guardlint.rules.api import Fix, FixEdit, Resource, RuleContext, Severity, Violation, rule, structural_fix
from guardlint.rules.references import SECCOMP
from guardlint.rules.security import _pss

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CHECK = "seccompProfile_restricted"
BASELINE_CHECK = "seccompProfile_baseline"
SINCE = (1, 19)
WINDOWS_EXEMPT_SINCE = (1, 25)


@rule(
    code="SEC017",
    fixable="unsafe",
    name="missing-seccomp-profile",
    pods_only=True,
    title="Pod or container does not set a RuntimeDefault or Localhost seccomp profile",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=_pss.TAGS_RESTRICTED,
    remediation=(
        "Set spec.securityContext.seccompProfile.type: RuntimeDefault in the pod (containers inherit it), or "
        "Localhost with a localhostProfile."
    ),
    references=(
        _pss.PSS_RESTRICTED_REF,
        SECCOMP,
    ),
    enabled_by_default=False,
    extra=_pss.extra(
        "Seccomp", _pss.RESTRICTED, CHECK, "1.19, 1.25 (Windows pods exempt); before 1.19: seccompProfile_baseline",
        replaces="seccompProfile_baseline",
    ),
)
def missing_seccomp_profile(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    From policy 1.19, reports pods in which some init, regular or ephemeral container runs without a
    `RuntimeDefault` or `Localhost` seccomp profile: a pod-level or container-level `seccompProfile` of
    another type (for example `Unconfined`), or a container without a profile while the pod has no valid
    one. Containers inherit a valid pod-level profile; a pod without one passes only if every container
    sets a valid profile. When no profile is set anywhere, one finding is reported at the pod. From policy
    1.25 pods with `spec.os.name: windows` are exempt. This is the `seccompProfile_restricted` check of the
    Pod Security Standards, level restricted.

    Before policy 1.19 the restricted level has no such requirement but still runs the baseline check
    `seccompProfile_baseline` (forbidden alpha seccomp annotations); this rule evaluates that check at
    those versions, because at the restricted level it replaces the baseline rule `unconfined-seccomp-profile`.

    ## Why is this bad?
    Without a seccomp profile a container runs `Unconfined`: every system call of the kernel is reachable,
    including the ones most container escapes and kernel exploits use. The restricted level requires the
    runtime default or a node-local profile
    (https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted).

    ## Example
    ```yaml
    apiVersion: batch/v1
    kind: CronJob
    metadata:
      name: cleanup
    spec:
      schedule: "0 4 * * *"
      jobTemplate:
        spec:
          template:
            spec:
              restartPolicy: OnFailure
              containers:
                - name: cleanup
                  image: example.com/cleanup:1.1.0
    ```

    ## Use instead
    ```yaml
    apiVersion: batch/v1
    kind: CronJob
    metadata:
      name: cleanup
    spec:
      schedule: "0 4 * * *"
      jobTemplate:
        spec:
          template:
            spec:
              restartPolicy: OnFailure
              securityContext:
                seccompProfile: {type: RuntimeDefault}
              containers:
                - name: cleanup
                  image: example.com/cleanup:1.1.0
    ```
    """
    version = _pss.policy_version(ctx)
    if version < SINCE:
        suffix = _pss.note(_pss.RESTRICTED, version, BASELINE_CHECK)
        for pod in _pss.pods(resource, ctx):
            yield from _pss.seccomp_annotations(pod, suffix)
        return
    suffix = _pss.note(_pss.RESTRICTED, version, CHECK)
    for pod in _pss.pods(resource, ctx):
        if version >= WINDOWS_EXEMPT_SINCE and pod.is_windows:
            continue
        label = _pss.pod_label(pod)
        pod_set, pod_kind = _pss.seccomp_type(pod.spec)
        pod_valid = pod_set and pod_kind in _pss.SECCOMP_TYPES
        if pod_set and not pod_valid:
            yield Violation(
                _pss.pod_sc_path(pod, "seccompProfile", "type"),
                f"{label} sets securityContext.seccompProfile with {_pss.seccomp_type_text(pod_kind)} {suffix}",
                at_value=bool(pod_kind),
            )
        unset = []
        any_set = False
        for c in iter_containers(pod):
            c_set, c_kind = _pss.seccomp_type(c.data)
            if not c_set:
                unset.append(c)
                continue
            any_set = True
            if c_kind not in _pss.SECCOMP_TYPES:
                yield Violation(
                    _pss.c_sc_path(c, "seccompProfile", "type"),
                    f"{c.describe()} sets securityContext.seccompProfile with "
                    f"{_pss.seccomp_type_text(c_kind)} {suffix}",
                    at_value=bool(c_kind),
                )
        if pod_set or not unset:
            continue  # a valid pod profile covers unset containers; an invalid one is reported above
        if not any_set:
            yield Violation(
                _pss.pod_sc_path(pod, "seccompProfile", "type"),
                f"neither the {label} nor any container sets securityContext.seccompProfile.type to RuntimeDefault "
                f"or Localhost {suffix}",
                fix=_runtime_default(_pss.pod_sc_path(pod, "seccompProfile")),
            )
            continue
        for c in unset:
            yield Violation(
                _pss.c_sc_path(c, "seccompProfile", "type"),
                f"{c.describe()} does not set securityContext.seccompProfile and the {label} does not either {suffix}",
                fix=_runtime_default(_pss.c_sc_path(c, "seccompProfile")),
            )


def _runtime_default(path: tuple[str | int, ...]) -> Fix:
    """Set seccompProfile to RuntimeDefault (offered only where no profile is set: a profile with no type may
    hold a localhostProfile that only the Localhost type allows)."""
    return structural_fix("set seccompProfile.type to RuntimeDefault",
                          FixEdit("set", (*path, "type"), "RuntimeDefault"))


RULE = missing_seccomp_profile
