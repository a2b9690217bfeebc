"""secret-env-reference: a container reads a Secret through environment variables instead of a volume."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.access import get_str, iter_maps
from guardlint.model.workloads import iter_all_containers
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param
from guardlint.rules.references import SECRETS_GOOD_PRACTICES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated


class Params(NamedTuple):
    include_env_from: Annotated[bool, param(
        "Also report envFrom[].secretRef, which turns every key of a Secret into a variable.",
    )] = True
    allowed_secrets: Annotated[tuple[str, ...], param(
        "Names of Secrets that may be read through the environment (for example for a vendor image that only reads "
        "variables).",
        unique_items=True,
        items={"minLength": 1},
    )] = ()


@rule(
    code="SEC041",
    name="secret-env-reference",
    pods_only=True,
    title="Container reads a Secret through environment variables",
    severity=Severity.INFO,
    pack="security",
    since="0.1.0",
    tags=("secrets",),
    remediation=(
        "Mount the Secret as a volume (secret or projected) and read the file, unless the program can only read "
        "variables."
    ),
    params=Params,
    enabled_by_default=False,
    references=(
        SECRETS_GOOD_PRACTICES,
        Reference("Kubernetes: Using Secrets as files from a Pod",
                  "https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-files-from-a-pod"),
    ),
)
def secret_env_reference(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports `env[].valueFrom.secretKeyRef` and (unless `include-env-from` is off) `envFrom[].secretRef` on
    init, regular and ephemeral containers, except for Secrets named in `allowed-secrets`. Off by default:
    many programs can only read their configuration from variables.

    ## Why is this bad?
    Environment variables leak more easily than files: they are inherited by every child process, written
    to crash reports and debug endpoints, visible in `/proc/<pid>/environ` to processes of the same user, and
    are not updated when the Secret is rotated, while a mounted Secret is
    (https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-files-from-a-pod).

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: worker
    spec:
      containers:
        - name: worker
          image: example.com/worker:2.0.0
          env:
            - name: API_TOKEN
              valueFrom:
                secretKeyRef: {name: worker-api, key: token}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: worker
    spec:
      containers:
        - name: worker
          image: example.com/worker:2.0.0
          volumeMounts:
            - {name: api, mountPath: /var/run/secrets/worker-api, readOnly: true}
      volumes:
        - name: api
          secret: {secretName: worker-api}
    ```
    """
    allowed = set(params.allowed_secrets)
    for c in iter_all_containers(resource, ctx.workloads):
        for i, item in iter_maps(c.data, ("env",)):
            secret = get_str(item, ("valueFrom", "secretKeyRef", "name"))
            ref = item.get("valueFrom", {}).get("secretKeyRef") if isinstance(item.get("valueFrom"), dict) else None
            if not isinstance(ref, dict) or secret in allowed:
                continue
            yield Violation(
                (*c.path, "env", i, "valueFrom", "secretKeyRef"),
                f"{c.describe()} reads key {ref.get('key')!r} of Secret {secret!r} into variable {item.get('name')!r}",
            )
        if not params.include_env_from:
            continue
        for i, item in iter_maps(c.data, ("envFrom",)):
            ref = item.get("secretRef")
            if not isinstance(ref, dict):
                continue
            secret = get_str(ref, ("name",))
            if secret in allowed:
                continue
            yield Violation(
                (*c.path, "envFrom", i, "secretRef"),
                f"{c.describe()} turns every key of Secret {secret!r} into environment variables",
            )


RULE = secret_env_reference
