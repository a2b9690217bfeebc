"""default-credential: a Secret or a container's environment holds a well-known default password."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get_map, iter_maps
from guardlint.model.workloads import iter_all_containers
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import SECRETS_GOOD_PRACTICES
from guardlint.rules.security._common import (
    DEFAULT_IGNORED_SUFFIXES,
    DEFAULT_SECRET_WORDS,
    CredentialNames,
    credential_names,
    name_words,
    well_known_default,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _text(field: str, value: object) -> str | None:
    if field == "stringData":
        return str(value)
    import base64
    import binascii

    try:
        return base64.b64decode(str(value), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None


_USER_WORDS = frozenset({"USER", "USERNAME", "USR", "LOGIN", "ACCOUNT", "EMAIL", "UID"})
"""Last name words of a Secret key that holds who logs in, not the password (``username``, ``db-user``)."""


def _names_no_password(key: str) -> bool:
    """Whether a Secret key names a user or a setting about a credential rather than a password: its last word
    (``name_words``) is a user word or one of the suffixes ``secret-in-env-value`` ignores (``DB_NAME``,
    ``ACCESS_KEY_ID``, ``AUTH_MODE``). A key of one run-on word (``rootpasswd``, ``key``) is judged."""
    words = name_words(key)
    return bool(words) and (words[-1] in _USER_WORDS or words[-1] in _IGNORED_SUFFIXES)


_IGNORED_SUFFIXES = frozenset(DEFAULT_IGNORED_SUFFIXES)


def _secret(resource: Resource) -> Iterator[Violation]:
    for field in ("data", "stringData"):
        values = get_map(resource.data, (field,))
        if not values:
            continue
        for key, value in values.items():
            if value is None:
                continue
            text = _text(field, value)
            if text is None or "\n" in text.strip():
                continue
            if well_known_default(text, str(key)) and not _names_no_password(str(key)):
                yield Violation(
                    (field, key), f"the Secret sets {field} key {str(key)!r} to a well-known default password",
                    at_value=True,
                )


@rule(
    code="SEC073",
    name="default-credential",
    # Gates: the rule yields nothing when neither holds: it reads a core Secret's data and stringData, and
    # on any other object its containers' env entries.
    gates=("env", "secret"),
    title="Secret or environment variable holds a well-known default password",
    severity=Severity.WARNING,
    pack="security",
    tags=("secrets",),
    since="0.1.0",
    remediation=(
        "Generate the value at install time (a random password from the chart, an ExternalSecret or a "
        "SealedSecret) and pass it through a Secret, or leave it empty for the user to fill in."
    ),
    references=(
        Reference("OWASP: Testing for default credentials",
                  "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_"
                  "Testing/04-Authentication_Testing/02-Testing_for_Default_Credentials"),
        SECRETS_GOOD_PRACTICES,
    ),
)
def default_credential(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports `kind: Secret` values (in `stringData`, or base64-decoded from `data`) and literal `env` values of
    credential-like variables (`*_PASSWORD`, `*_TOKEN`, ...) in every pod template that are a well-known default
    password. Secret keys that name a user or a setting rather than a password (`username`, `user`, `db-user`,
    `DB_NAME`, `ACCESS_KEY_ID`, `auth-mode`: the last word is a user word or one of the `ignored-suffixes` of
    `secret-in-env-value`) are not judged: `username: admin` in a `kubernetes.io/basic-auth` Secret is a user name.
    The defaults: `changeme` and anything with "change me" or "change it" in it, `password`, `passw0rd`, `test`,
    `admin`, `root`, `secret`, `default`, `guest`, `demo`, `123456`, `letmein`, `minioadmin`, `prom-operator` and
    similar.

    One placeholder judgement is shared by every secret rule. **Placeholders** are never reported by any of them:
    empty values, `${VAR}`, `$(VAR)` or `{{ .x }}` references, anything in angle brackets (`<YOUR HF TOKEN>`,
    `<hf-token>`), upper-case names (`YOUR_API_KEY`), `your-...`, `insert-...`, `yourpassword`, `nvapi-NVKEY`,
    `replace-me`, `placeholder`, `redacted`, `xxx`, `***`, and the key's own name. **Well-known defaults** are
    reported by this rule only, as a warning; `plaintext-secret`, `secret-in-env-value` and
    `credentials-in-configmap` (errors) leave them out, so a chart rendered with its tutorial values does not fail
    CI, yet a default that would be deployed is still reported.

    ## Why is this bad?
    A default password is the first one an attacker tries: when it is deployed as committed, the service
    it protects (a database, an object store, a dashboard) opens to anyone who reaches it (OWASP, "Testing
    for default credentials").

    ## Example
    ```yaml
    apiVersion: v1
    kind: Secret
    metadata:
      name: minio
    stringData:
      rootUser: minio
      rootPassword: minioadmin
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Secret
    metadata:
      name: minio
    stringData:
      rootUser: minio
      rootPassword: ""
    ```
    """
    if resource.kind == "Secret" and resource.group == "":
        yield from _secret(resource)
        return
    names: CredentialNames | None = None
    for c in iter_all_containers(resource, ctx.workloads):
        for i, item in iter_maps(c.data, ("env",)):
            name, value = item.get("name"), item.get("value")
            if not isinstance(name, str) or not isinstance(value, str):
                continue
            if not well_known_default(value, name):
                continue
            if names is None:
                names = credential_names(ctx.index, DEFAULT_SECRET_WORDS, DEFAULT_IGNORED_SUFFIXES)
            if names(name):
                yield Violation((*c.path, "env", i, "value"),
                                f"{c.describe()} sets {name} to a well-known default password", at_value=True)


RULE = default_credential
