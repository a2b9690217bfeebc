"""unconfined-seccomp-profile: a pod or container turns seccomp off (PSS seccompProfile_baseline)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint.model.access import get_map
from guardlint.model.workloads import PodSpecRef, iter_containers
from guardlint.rules.api import Fix, FixEdit, Resource, RuleContext, Severity, Violation, rule, structural_fix
from guardlint.rules.references import SECCOMP
from guardlint.rules.security import _pss

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CHECK = "seccompProfile_baseline"
FIELDS_SINCE = (1, 19)


@rule(
    code="SEC011",
    fixable="unsafe",
    name="unconfined-seccomp-profile",
    # Gate: the rule yields nothing when this does not hold: a finding is a seccompProfile set in a pod's or
    # container's securityContext or, for policy versions before 1.19, an alpha seccomp annotation of the pod.
    gates=("seccomp",),
    pods_only=True,
    title="Pod or container sets a forbidden seccomp profile",
    severity=Severity.ERROR,
    pack="security",
    since="0.1.0",
    tags=_pss.TAGS_BASELINE_ONLY,
    remediation="Set seccompProfile.type to RuntimeDefault or Localhost, or remove it.",
    references=(
        _pss.PSS_BASELINE_REF,
        SECCOMP,
    ),
    extra=_pss.extra("Seccomp", _pss.BASELINE, CHECK, "1.0 (annotations), 1.19 (fields)"),
)
def unconfined_seccomp_profile(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    From policy 1.19, reports a `seccompProfile` whose `type` is not `RuntimeDefault` or `Localhost` (for
    example `Unconfined`, or a profile with no type) in the pod's `securityContext` or on any init, regular
    or ephemeral container; an unset profile is allowed at this level. Before 1.19 it checks the alpha
    annotations instead: `seccomp.security.alpha.kubernetes.io/pod` and
    `container.seccomp.security.alpha.kubernetes.io/<container name>` must be `runtime/default`,
    `docker/default` or `localhost/...`. This is the `seccompProfile_baseline` check of the Pod Security
    Standards.

    The restricted level replaces this check from policy 1.19 with `seccompProfile_restricted` (rule
    `missing-seccomp-profile`, which evaluates this check itself before 1.19), so this rule is tagged
    `pss-baseline` only.

    ## Why is this bad?
    Seccomp filters the system calls a container may make; the runtime default profile blocks the calls
    used by most container escapes and kernel exploits. `Unconfined` turns the filter off. The Pod
    Security Standards forbid it from the baseline level
    (https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline).

    ## Example
    ```yaml
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: migrate
    spec:
      template:
        spec:
          restartPolicy: Never
          securityContext:
            seccompProfile:
              type: Unconfined
          containers:
            - name: migrate
              image: example.com/migrate:3.1.0
    ```

    ## Use instead
    ```yaml
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: migrate
    spec:
      template:
        spec:
          restartPolicy: Never
          securityContext:
            seccompProfile:
              type: RuntimeDefault
          containers:
            - name: migrate
              image: example.com/migrate:3.1.0
    ```
    """
    version = _pss.policy_version(ctx)
    suffix = _pss.note(_pss.BASELINE, version, CHECK)
    for pod in _pss.pods(resource, ctx):
        if version < FIELDS_SINCE:
            yield from _pss.seccomp_annotations(pod, suffix)
        else:
            yield from seccomp_fields(pod, suffix)


def seccomp_fields(pod: PodSpecRef, suffix: str) -> Iterator[Violation]:
    """Profiles that are set to a type other than RuntimeDefault or Localhost (unset is allowed)."""
    is_set, kind = _pss.seccomp_type(pod.spec)
    if is_set and kind not in _pss.SECCOMP_TYPES:
        yield Violation(
            _pss.pod_sc_path(pod, "seccompProfile", "type"),
            f"{_pss.pod_label(pod)} sets securityContext.seccompProfile with {_pss.seccomp_type_text(kind)} {suffix}",
            at_value=bool(kind),
            fix=_runtime_default(pod.spec, _pss.pod_sc_path(pod, "seccompProfile", "type")),
        )
    for c in iter_containers(pod):
        is_set, kind = _pss.seccomp_type(c.data)
        if is_set and kind not in _pss.SECCOMP_TYPES:
            yield Violation(
                _pss.c_sc_path(c, "seccompProfile", "type"),
                f"{c.describe()} sets securityContext.seccompProfile with {_pss.seccomp_type_text(kind)} {suffix}",
                at_value=bool(kind),
                fix=_runtime_default(c.data, _pss.c_sc_path(c, "seccompProfile", "type")),
            )


def _runtime_default(owner: Mapping[str, Any], path: tuple[str | int, ...]) -> Fix | None:
    """Set the profile's type to RuntimeDefault; not offered when the profile names a localhostProfile, which
    only the Localhost type allows."""
    profile = get_map(owner, ("securityContext", "seccompProfile"))
    if profile is None or "localhostProfile" in profile:
        return None
    return structural_fix("set seccompProfile.type to RuntimeDefault", FixEdit("set", path, "RuntimeDefault"))


RULE = unconfined_seccomp_profile
