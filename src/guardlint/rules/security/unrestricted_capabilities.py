"""unrestricted-capabilities: a container does not drop ALL capabilities or adds more than NET_BIND_SERVICE (PSS)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get_list, get_map
from guardlint.model.workloads import iter_containers
from guardlint.rules.api import Fix, FixEdit, Resource, RuleContext, Severity, Violation, rule, structural_fix
from guardlint.rules.references import CAPABILITIES
from guardlint.rules.security import _pss

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CHECK = "capabilities_restricted"
BASELINE_CHECK = "capabilities_baseline"
SINCE = (1, 22)
WINDOWS_EXEMPT_SINCE = (1, 25)


@rule(
    code="SEC018",
    fixable="unsafe",
    name="unrestricted-capabilities",
    pods_only=True,
    title="Container does not drop ALL capabilities or adds more than NET_BIND_SERVICE",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=_pss.TAGS_RESTRICTED,
    remediation=(
        'Set securityContext.capabilities.drop: ["ALL"] on every container and add back at most NET_BIND_SERVICE.'
    ),
    references=(
        _pss.PSS_RESTRICTED_REF,
        CAPABILITIES,
    ),
    enabled_by_default=False,
    extra=_pss.extra(
        "Capabilities", _pss.RESTRICTED, CHECK, "1.22, 1.25 (Windows pods exempt); before 1.22: capabilities_baseline",
        replaces="capabilities_baseline",
    ),
)
def unrestricted_capabilities(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    From policy 1.22, reports every init, regular and ephemeral container whose
    `securityContext.capabilities.drop` does not contain exactly `ALL` (dropping each capability by name or
    writing `all` does not count), and every entry of `capabilities.add` other than exactly
    `NET_BIND_SERVICE`. From policy 1.25 pods with `spec.os.name: windows` are exempt. This is the
    `capabilities_restricted` check of the Pod Security Standards, level restricted. An Istio `istio-proxy`
    container with `image: auto` that writes no drop list gets the one of Istio's injection template
    (`ALL`), which the injector merges in before admission judges the pod: that missing list is not reported.

    Before policy 1.22 the restricted level has no drop requirement but still runs the baseline check
    `capabilities_baseline` (only the 13 default capabilities may be added); this rule evaluates that check
    at those versions, because at the restricted level it replaces the baseline rule `non-default-capability`.

    ## Why is this bad?
    Container runtimes grant a default set of capabilities (`CHOWN`, `DAC_OVERRIDE`, `FOWNER`, `SETUID`,
    `NET_RAW`, ...) that few applications need and that widen the damage of a compromise. Dropping `ALL`
    and adding back only `NET_BIND_SERVICE` (to bind ports below 1024) is what the restricted level
    requires (https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted).

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
            - name: web
              image: nginx:1.27.3
              securityContext:
                capabilities:
                  add: [CHOWN]
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
            - name: web
              image: nginx:1.27.3
              securityContext:
                capabilities:
                  drop: [ALL]
                  add: [NET_BIND_SERVICE]
    ```
    """
    version = _pss.policy_version(ctx)
    if version < SINCE:
        suffix = _pss.note(_pss.RESTRICTED, version, BASELINE_CHECK)
        for pod in _pss.pods(resource, ctx):
            yield from _pss.capabilities_baseline(pod, suffix)
        return
    suffix = _pss.note(_pss.RESTRICTED, version, CHECK)
    for pod in _pss.pods(resource, ctx):
        if version >= WINDOWS_EXEMPT_SINCE and pod.is_windows:
            continue
        for c in iter_containers(pod):
            caps = get_map(c.data, ("securityContext", "capabilities"))
            drop_path = _pss.c_sc_path(c, "capabilities", "drop")
            injected = c.injected_security_context.get("capabilities", {}).get("drop", ())
            if caps is None and "ALL" in injected:
                continue  # Istio's injector drops ALL for its proxy
            if caps is None:
                yield Violation(
                    drop_path, f'{c.describe()} does not set securityContext.capabilities.drop=["ALL"] {suffix}',
                    fix=_drop_all(drop_path),
                )
                continue
            drop = get_list(caps, ("drop",))
            if (drop is None or "ALL" not in drop) and not (caps.get("drop") is None and "ALL" in injected):
                written = caps.get("drop")
                if drop is not None:
                    text = "does not include \"ALL\" in securityContext.capabilities.drop"
                elif written is None:
                    text = "does not set securityContext.capabilities.drop"
                else:  # the API server cannot decode it: wrong-field-type says so too
                    kind = _TYPE_NAMES.get(type(written), "value")
                    text = f"sets securityContext.capabilities.drop to a {kind}, not a list that includes \"ALL\""
                yield Violation(drop_path, f"{c.describe()} {text} {suffix}",
                                fix=_drop_all(drop_path) if drop is not None or written is None else None)
            for i, cap in enumerate(get_list(caps, ("add",)) or ()):
                if isinstance(cap, str) and cap != "NET_BIND_SERVICE":
                    yield Violation(
                        _pss.c_sc_path(c, "capabilities", "add", i),
                        f"{c.describe()} adds capability {cap!r}; only NET_BIND_SERVICE may be added {suffix}",
                        at_value=True,
                    )


_TYPE_NAMES = {str: "string", int: "number", float: "number", bool: "boolean", dict: "mapping"}


def _drop_all(path: tuple[str | int, ...]) -> Fix:
    return structural_fix('add "ALL" to capabilities.drop', FixEdit("append", path, "ALL"))


RULE = unrestricted_capabilities
