"""secret-in-env-value: a container sets a credential as a literal environment variable value."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.access import iter_maps
from guardlint.model.workloads import iter_all_containers
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param
from guardlint.rules.references import SECRETS_GOOD_PRACTICES
from guardlint.rules.security._common import (
    DEFAULT_IGNORED_SUFFIXES,
    DEFAULT_SECRET_WORDS,
    CredentialNames,
    credential_names,
    known_token,
    literal_credential,
    url_with_credentials,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated


class Params(NamedTuple):
    secret_words: Annotated[tuple[str, ...], param(
        "Words that mark a variable name as a credential, matched against the name's words (split at '_', '-', '.' "
        "and camelCase, case-insensitive); 'API_KEY' means the two words in a row.",
        unique_items=True,
        items={"minLength": 1},
    )] = DEFAULT_SECRET_WORDS
    ignored_suffixes: Annotated[tuple[str, ...], param(
        "Last words of a name that make the variable a setting about a credential, not the credential "
        "(PASSWORD_FILE, TOKEN_TTL).",
        unique_items=True,
        items={"minLength": 1},
    )] = DEFAULT_IGNORED_SUFFIXES
    allowed_names: Annotated[tuple[str, ...], param(
        "Exact variable names never reported (for example a public client ID your tooling names *_TOKEN).",
        unique_items=True,
        items={"minLength": 1},
    )] = ()


@rule(
    code="SEC040",
    name="secret-in-env-value",
    # Gate: the rule yields nothing when this does not hold: it reads only the containers' env entries.
    gates=("env",),
    pods_only=True,
    title="Container sets a credential as a literal environment variable",
    severity=Severity.ERROR,
    pack="security",
    since="0.1.0",
    tags=("secrets", "gitops"),
    remediation=(
        "Move the value into a Secret (or an external secret store) and reference it with valueFrom.secretKeyRef, "
        "or better mount it as a file; then rotate the exposed credential."
    ),
    params=Params,
    references=(
        SECRETS_GOOD_PRACTICES,
        Reference("Kubernetes: Distribute Credentials Securely Using Secrets",
                  "https://kubernetes.io/docs/tasks/inject-data-application/distribute-credentials-secure/"),
    ),
)
def secret_in_env_value(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports `env` entries, on init, regular and ephemeral containers, whose literal `value` is a
    credential: the name is credential-like (`DB_PASSWORD`, `apiKey`, `GITHUB_TOKEN`, `CLIENT_SECRET`, per
    `secret-words`, but not `PASSWORD_FILE`, `SECRET_ID` or `TOKEN_TTL`, per `ignored-suffixes`) and the value
    looks real: not empty, a boolean, a number, a path, a `$(VAR)`/`${VAR}`/`$VAR`/`{{ }}` reference, or a
    placeholder (`<token>`, `YOUR_API_KEY`, the variable's own name, `changeme`), nor ciphertext that its tool
    decrypts where it is used (a value SOPS encrypted, `ENC[AES256_GCM,...]`; Jasypt's `ENC(...)`; Spring Cloud
    Config's `{cipher}...`).
    Whatever the name, it also reports values that contain a private key, a well-known token format (AWS
    access key IDs, GitHub, GitLab, Slack tokens and webhook URLs, Google API and Stripe keys; Hugging Face
    tokens, NVIDIA, OpenAI and Anthropic API keys, whose body must mix upper- and lower-case letters, so
    `hf_xxxx...` is a placeholder) or a URL with a literal `user:password@` part.

    ## Why is this bad?
    A literal value is committed to Git with the manifest, shown by `kubectl describe` and `kubectl get -o
    yaml` to everyone who can read the workload, and copied into every rendered chart and CI log
    (https://kubernetes.io/docs/concepts/security/secrets-good-practices/).

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          containers:
            - name: api
              image: example.com/api:4.2.0
              env:
                - name: DB_PASSWORD
                  value: s3cr3t-Pa55w0rd
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          containers:
            - name: api
              image: example.com/api:4.2.0
              env:
                - name: DB_PASSWORD
                  valueFrom:
                    secretKeyRef: {name: api-db, key: password}
    ```
    """
    allowed = set(params.allowed_names)
    credential_name: CredentialNames | None = None
    for c in iter_all_containers(resource, ctx.workloads):
        for i, item in iter_maps(c.data, ("env",)):
            name, value = item.get("name"), item.get("value")
            if not isinstance(name, str) or not isinstance(value, str) or name in allowed:
                continue
            path = (*c.path, "env", i, "value")
            token = known_token(value)
            if token is not None:
                yield Violation(
                    path, f"{c.describe()} sets {name} to a literal value that contains {token}", at_value=True
                )
            elif url_with_credentials(value):
                yield Violation(path, f"{c.describe()} sets {name} to a URL with a literal password", at_value=True)
            else:
                if credential_name is None:
                    credential_name = credential_names(ctx.index, params.secret_words, params.ignored_suffixes)
                # The variable's name first: both tests are pure, and most variables do not name a credential, where
                # the value's test (several patterns) would be spent for nothing.
                if credential_name(name) and literal_credential(value, name):
                    yield Violation(
                        path, f"{c.describe()} sets the credential {name} as a literal value", at_value=True
                    )


RULE = secret_in_env_value
