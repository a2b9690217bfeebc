"""removed-api: the object's apiVersion/kind is no longer served by the target Kubernetes version."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.schema._support import DEPRECATION_GUIDE, lifecycle_of, successor_fix

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    fixable="unsafe",
    code="SCH010",
    name="removed-api",
    title="API version was removed in the target Kubernetes version",
    severity=Severity.ERROR,
    pack="schema",
    since="0.1.0",
    tags=("schema", "api-lifecycle", "api-rejects"),
    remediation="Move the object to the replacement apiVersion the message names (check the fields that changed "
    "between versions), or set kubernetes-version to the cluster's real version.",
    references=(DEPRECATION_GUIDE,),
)
def removed_api(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports objects whose apiVersion/kind the target Kubernetes version (`kubernetes-version`, default
    the newest guardlint knows) no longer serves, naming the release that removed it and its replacement:
    `extensions/v1beta1 Deployment was removed in Kubernetes 1.16; use apps/v1`. The data is guardlint's own
    table of every removal from 1.16 on (the Kubernetes deprecation guide), checked against the kinds the
    API specification of each release serves; alpha APIs that disappeared are reported with the last
    release that served them. When the target no longer serves the replacement either, the message follows
    the chain to what it can use (`extensions/v1beta1 PodSecurityPolicy ...; policy/v1beta1, which replaced
    it, was removed in 1.25 too; use Pod Security Admission ...`), and a kind the newer versions do not have
    (classic DRA's `ResourceClass`) names what took its place instead of an apiVersion without it.

    It also reports custom resources of a version that a CustomResourceDefinition among the linted files
    lists with `served: false` (how a CRD retires a version before removing it), unless another of the
    linted CustomResourceDefinitions (another release of the same CRD) serves it; such objects are not
    validated against the unserved version's schema either. A version without `served` is not served either:
    the field is a required boolean, which the API server reads as false when it is missing (and a value that
    is not a boolean makes it reject the whole CustomResourceDefinition); `missing-required-field` and
    `wrong-field-type` report the CustomResourceDefinition itself. A version that no CustomResourceDefinition of
    the kind among the linted files lists at all is not served either (`example.org/v2 Widget` when the CRD
    lists only `v1`): the API server answers `no matches for kind`. The message names the version to move to: a
    served version that is not `deprecated: true`, the one the CRD stores (`storage: true`) first, then the
    newest (`v2` before `v1`, `v1` before `v1beta1`); a deprecated version only when the CRD serves no other,
    saying that it is deprecated.

    ## Why is this bad?
    The API server answers `no matches for kind "Deployment" in version "extensions/v1beta1"`: the object
    cannot be applied, and an upgrade of the cluster breaks a pipeline that used to work.

    ## Example
    ```yaml
    apiVersion: policy/v1beta1
    kind: PodDisruptionBudget
    metadata:
      name: web
    spec:
      minAvailable: 1
      selector:
        matchLabels: {app: web}
    ```

    ## Use instead
    ```yaml
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: web
    spec:
      minAvailable: 1
      selector:
        matchLabels: {app: web}
    ```
    """
    state = lifecycle_of(resource, ctx)
    if state.state == "removed":
        yield Violation(("apiVersion",), state.message, at_value=True, fix=successor_fix(resource, ctx))


RULE = removed_api
