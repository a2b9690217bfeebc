"""plaintext-secret: a Secret with its data in plain form is committed to the repository."""

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
    PLACEHOLDER,
    CredentialNames,
    credential_names,
    file_credentials,
    placeholder_kind,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated

DEFAULT_PUBLIC_KEYS = ("ca.crt", "tls.crt", "ca-bundle.crt", "ca.pem", "ca-cert.pem", "cert.pem")


class Params(NamedTuple):
    public_keys: Annotated[tuple[str, ...], param(
        "Data keys that hold public material (CA bundles, certificates) and may stay in plain form.",
        unique_items=True,
        items={"minLength": 1},
    )] = DEFAULT_PUBLIC_KEYS


def _encrypted(value: object) -> bool:
    return isinstance(value, str) and value.startswith("ENC[") and value.rstrip().endswith("]")


def _text(field: str, value: object) -> str | None:
    """The plain text of a value: ``stringData`` as is, ``data`` base64-decoded (None when it is not text)."""
    if field == "stringData":
        return str(value)
    import base64
    import binascii

    try:
        return base64.b64decode(str(value), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None


def _placeholder(text: str | None, key: str) -> bool:
    """A placeholder (``<YOUR HF TOKEN>``) or a well-known default (``changeme``; reported by
    ``default-credential`` instead): the shared judgement of ``placeholder_kind``."""
    return text is not None and "\n" not in text.strip() and placeholder_kind(text, key) is not None


REGISTRY_KEYS = frozenset({".dockerconfigjson", ".dockercfg"})
"""The data keys of image pull Secrets (``kubernetes.io/dockerconfigjson`` and ``kubernetes.io/dockercfg``)."""

_REGISTRY_SECRET_FIELDS = ("password", "auth", "identitytoken", "registrytoken")
"""The fields of a registry entry that hold a credential (``username``, ``email`` and ``serveraddress`` do not)."""


def _registry_secret(field: str, value: str) -> bool:
    """Whether a registry entry's ``password``/``auth``/token value is a credential rather than a placeholder.
    ``auth`` is base64 of ``user:password``: its password part is judged (the whole value when it is not that)."""
    if field == "auth" and placeholder_kind(value) != PLACEHOLDER:
        import base64
        import binascii

        try:
            user_password = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            return True
        value = user_password.partition(":")[2]
    # Only a placeholder (``${NGC_API_KEY}``) stands for a value to fill in: a well-known default password is
    # still the password of a real registry account, reported here (``default-credential`` reads such a file
    # only when it is written on one line, and never ``auth``).
    return placeholder_kind(value) != PLACEHOLDER


def _registry_credentials(text: str | None) -> bool | None:
    """Whether an image pull Secret's registry file (``.dockerconfigjson``: ``{"auths": {registry: entry}}``;
    the legacy ``.dockercfg``: ``{registry: entry}``) holds a credential: True when an entry's password, auth or
    token is not a placeholder, False when every one is (a file rendered with ``envsubst`` or CI variables),
    None when the text is not such a JSON object (the value is then judged as any other).

    The file is read as JSON whatever its layout, so a file on one line and the same file laid out on several
    lines get the same verdict (the line-based configuration judgement reads neither ``auth``, base64 of
    ``user:password``, nor a one-line file)."""
    if text is None:
        return None
    import json

    try:
        config = json.loads(text)
    except ValueError:
        return None
    if not isinstance(config, dict):
        return None
    auths = config.get("auths")
    registries = auths if isinstance(auths, dict) else config
    return any(
        isinstance(entry, dict) and isinstance(entry.get(f), str) and _registry_secret(f, entry[f])
        for entry in registries.values()
        for f in _REGISTRY_SECRET_FIELDS
    )


def _plain(field: str, key: str, value: object, names: CredentialNames) -> bool:
    """Whether a non-empty ``data``/``stringData`` value is a credential in plain form."""
    text = _text(field, value)
    if key in REGISTRY_KEYS:
        verdict = _registry_credentials(text)
        if verdict is not None:
            return verdict
    return not _harmless_config(text, names) and not _placeholder(text, key)


def _harmless_config(text: str | None, names: CredentialNames) -> bool:
    """A multi-line configuration file with no credential in it (operators that read their configuration
    from a Secret, such as Alertmanager, make teams store plain settings there)."""
    if text is None:
        return False
    lines = [line for line in text.splitlines() if line.strip()]
    return len(lines) >= 2 and file_credentials(text, names) is None


@rule(
    code="SEC050",
    name="plaintext-secret",
    title="Secret data is committed in plain form",
    severity=Severity.ERROR,
    pack="security",
    since="0.1.0",
    tags=("secrets", "gitops"),
    remediation=(
        "Do not commit Secret values: encrypt the file with SOPS, or commit a SealedSecret or an ExternalSecret "
        "instead, and rotate the exposed values."
    ),
    params=Params,
    kinds=("Secret",),
    references=(
        SECRETS_GOOD_PRACTICES,
        Reference("SOPS: Secrets OPerationS", "https://getsops.io/docs/"),
        Reference("Sealed Secrets", "https://github.com/bitnami-labs/sealed-secrets"),
        Reference("External Secrets Operator", "https://external-secrets.io/latest/"),
    ),
)
def plaintext_secret(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports `kind: Secret` objects whose `data` or `stringData` holds a non-empty value in plain form.
    Values encrypted by SOPS (a file with a top-level `sops:` key and `ENC[...]` values) are accepted; in a
    SOPS file, keys left unencrypted are still reported. Keys listed in `public-keys` (CA bundles and
    certificates such as `ca.crt` and `tls.crt`) are accepted, and so are multi-line configuration files
    with no credential in them (no private key or well-known token, no URL with a password, no literal
    `password`/`token`/`secret`-like setting), which operators such as Alertmanager require to be stored in
    Secrets. SealedSecret and ExternalSecret objects are other kinds and never reported. base64 in `data` is
    an encoding, not encryption: `data` values are decoded before they are inspected. The registry file of an
    image pull Secret (`.dockerconfigjson`, `.dockercfg`) is read as JSON, whatever its layout: it is reported
    when a registry entry's `password`, `auth` (base64 of `user:password`, whose password is judged),
    `identitytoken` or `registrytoken` is not a placeholder, and accepted when every one is (a file that
    `envsubst` or CI fills in, such as `"password": "${NGC_API_KEY}"`).

    Placeholders are not credentials and are not reported: the judgement is shared by every secret rule
    (`secret-in-env-value`, `credentials-in-configmap`): empty values, `$(VAR)`/`${VAR}`/`{{ .x }}` references,
    anything in angle brackets (`<YOUR HF TOKEN>`, `<hf-token>`), upper-case names (`YOUR_API_KEY`),
    `your-...`/`insert-...`/`replace-me`/`placeholder`/`redacted`/`xxx`/`***`, "your" run into a credential word
    (`yourpassword`), a token prefix followed by a short upper-case word (`nvapi-NVKEY`), and the key's own name.
    Well-known default passwords (`changeme`, `password`, `test`, `admin`, ...) are left to `default-credential`, a
    warning: a rendered tutorial chart does not fail CI with an error, but a default that would be deployed is still
    reported. A registry file is the exception: a default password there is a registry account's password and is
    reported here as well.

    ## Why is this bad?
    Whoever can read the repository, its forks, clones, CI logs and history can read the credential, and
    removing it later does not remove it from the history. Kubernetes recommends keeping Secret values out of
    source control or encrypting them (https://kubernetes.io/docs/concepts/security/secrets-good-practices/).

    ## Example
    ```yaml
    apiVersion: v1
    kind: Secret
    metadata:
      name: api-db
    type: Opaque
    stringData:
      password: s3cr3t-Pa55w0rd
    ```

    ## Use instead
    ```yaml
    apiVersion: bitnami.com/v1alpha1
    kind: SealedSecret
    metadata:
      name: api-db
    spec:
      encryptedData:
        password: AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq0pZf6sEp1YkzgydZQnwfTlFtGDTcRFFnJD6CgHqKvjrYY3yq
    ```
    """
    sops = isinstance(resource.data.get("sops"), dict)
    public = set(params.public_keys)
    names = credential_names(ctx.index, DEFAULT_SECRET_WORDS, DEFAULT_IGNORED_SUFFIXES)
    for field in ("data", "stringData"):
        values = get_map(resource.data, (field,))
        if not values:
            continue
        plain = [
            str(k) for k, v in values.items()
            if k not in public and v is not None and str(v).strip() != "" and not (sops and _encrypted(v))
            and _plain(field, str(k), v, names)
        ]
        if not plain:
            continue
        keys = ", ".join(repr(k) for k in plain)
        if sops:
            text = f"the SOPS-encrypted Secret leaves {field} {keys} unencrypted"
        else:
            text = f"the Secret holds {field} {keys} in plain form (base64 is not encryption)" if field == "data" else (
                f"the Secret holds {field} {keys} in plain text"
            )
        yield Violation((field,), text)


RULE = plaintext_secret
