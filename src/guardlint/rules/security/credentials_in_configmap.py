"""credentials-in-configmap: a ConfigMap holds a password, token or private key."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.access import get_map
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
        "Words that mark a data key as a credential (split at '_', '-', '.' and camelCase, case-insensitive); "
        "'API_KEY' means the two words in a row.",
        unique_items=True,
        items={"minLength": 1},
    )] = DEFAULT_SECRET_WORDS
    ignored_suffixes: Annotated[tuple[str, ...], param(
        "Last words of a key that make it a setting about a credential (password-file, token-ttl).",
        unique_items=True,
        items={"minLength": 1},
    )] = DEFAULT_IGNORED_SUFFIXES


@rule(
    code="SEC051",
    name="credentials-in-configmap",
    title="ConfigMap holds a credential or private key",
    severity=Severity.ERROR,
    pack="security",
    since="0.1.0",
    tags=("secrets", "gitops"),
    remediation=(
        "Move the value into a Secret (encrypted in the repository with SOPS, a SealedSecret or an ExternalSecret) "
        "and rotate it."
    ),
    params=Params,
    kinds=("ConfigMap",),
    references=(
        Reference("Kubernetes: ConfigMaps", "https://kubernetes.io/docs/concepts/configuration/configmap/"),
        SECRETS_GOOD_PRACTICES,
    ),
)
def credentials_in_configmap(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports ConfigMap `data` entries that hold a credential: any value that contains a private key
    (`-----BEGIN ... PRIVATE KEY-----`), a well-known token format (AWS access key IDs, GitHub, GitLab,
    Slack tokens and webhook URLs, Google API and Stripe keys; Hugging Face tokens, NVIDIA, OpenAI and
    Anthropic API keys) or a URL with a literal `user:password@` part, and single-line values
    of keys named like a credential (`password`, `api-key`, `clientSecret`, per `secret-words`; not
    `password-file`, per `ignored-suffixes`) that look real (not empty, a boolean, a number, a path, a
    reference, a placeholder, or ciphertext its tool decrypts: SOPS's `ENC[AES256_GCM,...]`, Jasypt's `ENC(...)`,
    Spring Cloud Config's `{cipher}...`). Certificates are public and not reported.

    ## Why is this bad?
    ConfigMaps are meant for non-confidential data: they are readable by far more roles than Secrets, are
    not encrypted at rest, and end up in the repository, in logs and in `kubectl describe` output
    (https://kubernetes.io/docs/concepts/configuration/configmap/).

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: app-config
    data:
      log-level: info
      db-password: s3cr3t-Pa55w0rd
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: app-config
    data:
      log-level: info
      db-password-file: /var/run/secrets/db/password
    ```
    """
    data = get_map(resource.data, ("data",))
    if not data:
        return
    credential_name: CredentialNames | None = None  # built once a value looks like a literal credential
    for key, value in data.items():
        if not isinstance(value, str) or not isinstance(key, str):
            continue
        token = known_token(value)
        if token is not None:
            yield Violation(("data", key), f"ConfigMap key {key!r} contains {token}")
        elif url_with_credentials(value):
            yield Violation(("data", key), f"ConfigMap key {key!r} holds a URL with a literal password")
        elif "\n" not in value.strip():
            if credential_name is None:
                credential_name = credential_names(ctx.index, params.secret_words, params.ignored_suffixes)
            # The key's name first: both tests are pure, and most keys do not name a credential, where the value's
            # test (several patterns) would be spent for nothing.
            if credential_name(key) and literal_credential(value, key):
                yield Violation(("data", key), f"ConfigMap key {key!r} holds a credential in plain text")


RULE = credentials_in_configmap
