"""image-pull-policy-not-always: a container's image pull policy lets a node reuse a cached image."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.workloads import iter_all_containers
from guardlint.rules.api import (
    Fix,
    FixEdit,
    Reference,
    Resource,
    RuleContext,
    Severity,
    Violation,
    rule,
    structural_fix,
)
from guardlint.rules.params import param
from guardlint.rules.security.unpinned_image import is_image_reference, pinned_by_digest, split_image

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated, Literal


class Params(NamedTuple):
    allowed_policies: Annotated[tuple[Literal["Always", "IfNotPresent", "Never"], ...], param(
        "Pull policies that are accepted (after defaulting an unset policy as the API server does).",
        min_items=1,
        unique_items=True,
    )] = ("Always",)
    ignore_digests: Annotated[bool, param(
        "Accept any policy for images pinned by digest, whose content cannot change.",
    )] = True


@rule(
    code="SEC021",
    fixable="unsafe",
    name="image-pull-policy-not-always",
    pods_only=True,
    title="Container image pull policy is not Always",
    severity=Severity.INFO,
    pack="security",
    since="0.1.0",
    tags=("supply-chain", "images"),
    remediation="Set imagePullPolicy: Always, or pin the image by digest.",
    params=Params,
    enabled_by_default=False,
    references=(
        Reference("Kubernetes: Image pull policy", "https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy"),
    ),
)
def image_pull_policy_not_always(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports containers whose image pull policy is not one of `allowed-policies` (default `Always`). An unset
    policy is judged as the API server defaults it: `Always` for an image without a tag or tagged `latest`,
    `IfNotPresent` otherwise. Images pinned by digest are accepted with any policy unless `ignore-digests`
    is turned off. Off by default.

    ## Why is this bad?
    With `IfNotPresent` a node runs whatever image it cached under the tag, which may be another build than
    the registry now serves, and a pod on that node can use a private image that was pulled for another
    pod without presenting the image pull secret again
    (https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy).

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      containers:
        - name: web
          image: registry.example.com/team/web:2.4.1
          imagePullPolicy: IfNotPresent
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      containers:
        - name: web
          image: registry.example.com/team/web:2.4.1
          imagePullPolicy: Always
    ```
    """
    allowed = set(params.allowed_policies)
    for c in iter_all_containers(resource, ctx.workloads):
        image = c.data.get("image")
        if not isinstance(image, str) or not is_image_reference(image.strip()):
            continue
        _, tag, digest = split_image(image.strip())
        if params.ignore_digests and pinned_by_digest(digest):
            continue
        policy = c.data.get("imagePullPolicy")
        path = (*c.path, "imagePullPolicy")
        if isinstance(policy, str) and policy:
            if policy not in allowed:
                target = next((p for p in params.allowed_policies if p in ("Always", "IfNotPresent", "Never")), None)
                fix = Fix(target, f"set imagePullPolicy to {target}") if target else None
                yield Violation(path, f"{c.describe()} has imagePullPolicy {policy!r}", at_value=True, fix=fix)
            continue
        defaulted = "Always" if tag is None or tag == "latest" else "IfNotPresent"
        if defaulted not in allowed:
            target = next((p for p in params.allowed_policies if p in ("Always", "IfNotPresent", "Never")), None)
            yield Violation(
                path,
                f"{c.describe()} sets no imagePullPolicy, so image {image!r} is pulled with {defaulted!r}",
                fix=structural_fix(f"set imagePullPolicy to {target}", FixEdit("set", path, target))
                if target else None,
            )


RULE = image_pull_policy_not_always
