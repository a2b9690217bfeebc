"""forbidden-apparmor-profile: a pod or container disables or overrides AppArmor (PSS appArmorProfile)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint.model.access import get_map
from guardlint.model.paths import FieldPath
from guardlint.model.workloads import iter_containers
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.security import _pss

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CHECK = "appArmorProfile"
ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/"
ALLOWED_TYPES = frozenset({"RuntimeDefault", "Localhost"})


@rule(
    code="SEC008",
    name="forbidden-apparmor-profile",
    # Gate: the rule yields nothing when this does not hold: a finding is an appArmorProfile set in a pod's or
    # container's securityContext or a pod's container.apparmor.security.beta.kubernetes.io annotation.
    gates=("apparmor",),
    pods_only=True,
    title="Pod or container sets a forbidden AppArmor profile",
    severity=Severity.ERROR,
    pack="security",
    since="0.1.0",
    tags=_pss.TAGS_BASELINE,
    remediation=(
        "Remove the AppArmor setting, or set appArmorProfile.type to RuntimeDefault or Localhost "
        "(annotations: runtime/default or localhost/<profile>)."
    ),
    references=(
        _pss.PSS_BASELINE_REF,
        Reference("Kubernetes: Restrict a Container's Access to Resources with AppArmor",
                  "https://kubernetes.io/docs/tutorials/security/apparmor/"),
    ),
    extra=_pss.extra("AppArmor", _pss.BASELINE, CHECK, "1.0"),
)
def forbidden_apparmor_profile(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports an `appArmorProfile` whose `type` is not `RuntimeDefault` or `Localhost` (for example
    `Unconfined`, or a profile with no type), in the pod's `securityContext` and on every init, regular
    and ephemeral container, and every pod (template) annotation whose key starts with
    `container.apparmor.security.beta.kubernetes.io/` and whose value is not empty, `runtime/default` or
    `localhost/...`. This is the `appArmorProfile` check of the Pod Security Standards, level baseline, at
    every policy version (the fields are checked at every version, as a current API server does).

    ## Why is this bad?
    AppArmor confines what a container's processes may do on the node (mounts, raw sockets, writes to
    `/proc` and `/sys`). An `Unconfined` profile removes that layer, and a custom profile name given as
    anything other than `localhost/...` is not a profile the node loaded. The Pod Security Standards allow
    only the runtime default and node-local profiles from the baseline level
    (https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline).

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      containers:
        - name: web
          image: nginx:1.27.3
          securityContext:
            appArmorProfile:
              type: Unconfined
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      securityContext:
        appArmorProfile:
          type: RuntimeDefault
      containers:
        - name: web
          image: nginx:1.27.3
    ```
    """
    suffix = _pss.note(_pss.BASELINE, _pss.policy_version(ctx), CHECK)
    for pod in _pss.pods(resource, ctx):
        yield from _field(pod.spec, _pss.pod_sc_path(pod), _pss.pod_label(pod), suffix)
        for c in iter_containers(pod):
            yield from _field(c.data, _pss.c_sc_path(c), c.describe(), suffix)
        if pod.metadata_path is None:
            continue
        for key, value in pod.annotations.items():
            if not (isinstance(key, str) and key.startswith(ANNOTATION_PREFIX) and isinstance(value, str)):
                continue
            if value in ("", "runtime/default") or value.startswith("localhost/"):
                continue
            yield Violation(
                (*pod.metadata_path, "annotations", key),
                f"annotation {key}={value!r} sets a forbidden AppArmor profile {suffix}",
                at_value=True,
            )


def _field(owner: Mapping[str, Any], sc_path: FieldPath, who: str, suffix: str) -> Iterator[Violation]:
    profile = get_map(owner, ("securityContext", "appArmorProfile"))
    if profile is None:
        return
    kind = profile.get("type")
    if kind in ALLOWED_TYPES:
        return
    shown = "no type" if kind is None or kind == "" else f"type {kind!r}"
    yield Violation(
        (*sc_path, "appArmorProfile", "type"),
        f"{who} sets securityContext.appArmorProfile with {shown} {suffix}",
        at_value=kind is not None,
    )


RULE = forbidden_apparmor_profile
