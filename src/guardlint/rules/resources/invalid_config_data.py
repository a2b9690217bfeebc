"""invalid-config-data: a ConfigMap or Secret the API server rejects (key names, size, the keys a Secret type needs)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint.model.ports import is_unrendered
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MAX_SIZE = 1024 * 1024
"""``core.MaxSecretSize``, which ``ValidateConfigMap`` uses too: 1 MiB of values in all."""
KEY_MAX = 253
"""``DNS1123SubdomainMaxLength``, the longest key ``IsConfigMapKey`` accepts (in bytes)."""
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._")
_KEY_REASON = ("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
               "'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")
_REQUIRED: Mapping[str, tuple[str, ...]] = {
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
}
"""The keys ``ValidateSecret`` requires for a Secret type, each one (basic-auth and ssh-auth are below)."""
_JSON_KEYS = {"kubernetes.io/dockercfg": ".dockercfg", "kubernetes.io/dockerconfigjson": ".dockerconfigjson"}
SECRET_TYPES = Reference("Kubernetes: Secrets, types of Secret",
                         "https://kubernetes.io/docs/concepts/configuration/secret/#secret-types")
CONFIG_MAPS = Reference("Kubernetes: ConfigMaps", "https://kubernetes.io/docs/concepts/configuration/configmap/")


def key_reasons(key: str) -> tuple[str, ...]:
    """``IsConfigMapKey``: at most 253 bytes of ``[-._a-zA-Z0-9]``, not ``.`` or ``..`` and not starting with
    ``..``."""
    reasons: tuple[str, ...] = ()
    if len(key.encode("utf-8", "surrogatepass")) > KEY_MAX:
        reasons += (f"must be no more than {KEY_MAX} characters",)
    if not key or not _KEY_CHARS.issuperset(key):
        reasons += (_KEY_REASON,)
    if key in (".", ".."):
        reasons += (f"must not be '{key}'",)
    elif key.startswith(".."):
        reasons += ("must not start with '..'",)
    return reasons


def _decoded(value: Any) -> bytes | None:
    """The bytes of a ``data``/``binaryData`` value (base64, as JSON decodes a ``[]byte``), or None when it is
    no base64 text (the schema's finding)."""
    if not isinstance(value, str):
        return None
    import base64
    import binascii

    try:
        return base64.b64decode(value.replace("\r", "").replace("\n", ""), validate=True)  # Go skips \r and \n
    except (binascii.Error, ValueError):
        return None


def _keys(section: Any, at: str, what: str) -> Iterator[Violation]:
    if not isinstance(section, Mapping):
        return
    for key in section:
        if isinstance(key, str) and not is_unrendered(key):
            reasons = key_reasons(key)
            if reasons:
                yield Violation((at, key), f"the API rejects {what} key {key!r}: {'; '.join(reasons)}")


def _size(total: int, at: str, what: str) -> Iterator[Violation]:
    if total > MAX_SIZE:
        yield Violation((at,), f"the {what}'s values hold {total:,} bytes in all, more than the {MAX_SIZE:,} (1 MiB) "
                        f"the API accepts (Too long: must have at most {MAX_SIZE} bytes)")


def _config_map(data: Mapping[str, Any]) -> Iterator[Violation]:
    """``ValidateConfigMap``."""
    text, binary = data.get("data"), data.get("binaryData")
    yield from _keys(text, "data", "ConfigMap")
    yield from _keys(binary, "binaryData", "ConfigMap")
    total = 0
    if isinstance(text, Mapping):
        for key, value in text.items():
            if isinstance(binary, Mapping) and key in binary:
                yield Violation(("data", key), f"the API rejects ConfigMap key {key!r} in both data and binaryData "
                                "(duplicate of key present in binaryData)")
            if isinstance(value, str):
                total += len(value.encode("utf-8", "surrogatepass"))
    if isinstance(binary, Mapping):
        for value in binary.values():
            decoded = _decoded(value)
            total += len(decoded) if decoded is not None else 0
    yield from _size(total, "data" if isinstance(text, Mapping) else "binaryData", "ConfigMap")


def _secret(resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    """``ValidateSecret`` on the Secret the API decodes: ``stringData`` merged over ``data``."""
    data = resource.data
    encoded, plain = data.get("data"), data.get("stringData")
    yield from _keys(encoded, "data", "Secret")
    yield from _keys(plain, "stringData", "Secret")
    from guardlint.model.sops import is_encrypted_document

    if is_encrypted_document(data):
        return  # SOPS: the values are ciphertext until decrypted; the keys are as they will be
    merged: dict[str, bytes | None] = {}
    if isinstance(encoded, Mapping):
        for key, value in encoded.items():
            merged[key] = _decoded(value) if value is not None else b""
    if isinstance(plain, Mapping):
        for key, value in plain.items():
            merged[key] = value.encode("utf-8", "surrogatepass") if isinstance(value, str) else (
                b"" if value is None else None)
    total = sum(len(v) for v in merged.values() if v is not None)
    yield from _size(total, "data" if isinstance(encoded, Mapping) else "stringData", "Secret")
    kind = data.get("type")
    if not isinstance(kind, str) or is_unrendered(kind):
        return
    from guardlint.model.patches import is_patch

    if is_patch(resource, ctx.index):
        return  # a patch sets what it changes: the base holds the other keys
    where = ("data",) if isinstance(encoded, Mapping) or not isinstance(plain, Mapping) else ("stringData",)
    if kind == "kubernetes.io/service-account-token":
        metadata = data.get("metadata")
        annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
        name = annotations.get("kubernetes.io/service-account.name") if isinstance(annotations, Mapping) else None
        if not name:
            yield Violation(("metadata", "annotations", "kubernetes.io/service-account.name"),
                            "the API rejects a kubernetes.io/service-account-token Secret without the annotation "
                            "kubernetes.io/service-account.name (Required value): name the ServiceAccount")
        return
    for key in _REQUIRED.get(kind, ()):
        if key not in merged:
            yield Violation((*where, key), f"the API rejects a {kind} Secret without the key {key} (Required value)")
    json_key = _JSON_KEYS.get(kind)
    if json_key is not None and json_key in merged:
        raw = merged[json_key]
        written = plain.get(json_key) if isinstance(plain, Mapping) else None
        unrendered = isinstance(written, str) and is_unrendered(written)
        if raw is not None and not unrendered and not _json_object(raw):
            at = ("stringData", json_key) if isinstance(plain, Mapping) and json_key in plain else ("data", json_key)
            yield Violation(at, f"the API rejects the {json_key} of a {kind} Secret: it is not a JSON object (the "
                            "API parses it as the registry file)", at_value=True)
    if kind == "kubernetes.io/basic-auth" and "username" not in merged and "password" not in merged:
        yield Violation((*where, "username"), "the API rejects a kubernetes.io/basic-auth Secret with neither the key "
                        "username nor password (Required value)")
    private_key = merged.get("ssh-privatekey", b"")  # None: not base64, the schema's finding
    if kind == "kubernetes.io/ssh-auth" and private_key is not None and not private_key:
        yield Violation((*where, "ssh-privatekey"), "the API rejects a kubernetes.io/ssh-auth Secret without a "
                        "non-empty ssh-privatekey (Required value)")


JSON_MAX_DEPTH = 10_000
"""Go's ``encoding/json`` nesting limit (``maxNestingDepth``): a deeper document is refused ("exceeded max depth")."""


def _json_object(raw: bytes) -> bool:
    """Whether Go's ``json.Unmarshal`` into a ``map[string]interface{}`` takes ``raw``: a JSON object, or ``null``,
    which leaves the map nil without an error (Go reads invalid UTF-8 as U+FFFD; it knows no NaN or Infinity).
    Python's parser gives up on nesting far below Go's limit (about a thousand levels): such a document is
    judged by its depth and its first character only (refused beyond ``JSON_MAX_DEPTH`` or when it is not an
    object; otherwise not judged)."""
    import json

    def refuse(constant: str) -> Any:
        raise ValueError(constant)

    text = raw.decode("utf-8", "replace")
    try:
        value = json.loads(text, parse_constant=refuse)
    except ValueError:
        return False
    except RecursionError:
        return text.lstrip(" \t\r\n")[:1] == "{" and _json_depth(text) <= JSON_MAX_DEPTH
    return value is None or isinstance(value, dict)


def _json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in a JSON text (brackets inside strings not counted)."""
    depth = deepest = 0
    in_string = escaped = False
    for c in text:
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "]}":
            depth -= 1
    return deepest


@rule(
    code="RES125",
    name="invalid-config-data",
    title="ConfigMap or Secret that the API rejects: key names, size, or the keys its Secret type needs",
    severity=Severity.ERROR,
    pack="resources",
    since="0.3.0",
    status="preview",
    tags=("consistency", "api-rejects"),
    remediation="Name keys with letters, digits, '-', '_' and '.' only (a file's base name, not a path); keep "
    "a ConfigMap's or Secret's values under 1 MiB in all (mount larger data from a volume or an image); give a typed "
    "Secret the keys its type needs (tls.crt and tls.key, .dockerconfigjson with a JSON registry file, username or "
    "password, ssh-privatekey).",
    references=(CONFIG_MAPS, SECRET_TYPES),
    kinds=("ConfigMap", "Secret"),
)
def invalid_config_data(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports core ConfigMaps and Secrets that the API server's `ValidateConfigMap` and `ValidateSecret` reject:

    - a key of `data`, `binaryData` or `stringData` that is not a valid config key (`IsConfigMapKey`: at most 253
      letters, digits, `-`, `_` and `.`, not `.` or `..` and not starting with `..`; a path such as
      `conf/app.yaml` or a name with a space is the usual slip);
    - a ConfigMap key in both `data` and `binaryData`;
    - values of more than 1 MiB in all (`data` as UTF-8 and `binaryData` decoded for a ConfigMap; for a Secret
      `data` decoded and `stringData`, which the API merges over it);
    - a Secret of a built-in type without the keys its type needs (after `stringData` is merged): `tls.crt` and
      `tls.key` for `kubernetes.io/tls`, `.dockerconfigjson` (`.dockercfg`) holding a JSON object for
      `kubernetes.io/dockerconfigjson` (`kubernetes.io/dockercfg`), `username` or `password` for
      `kubernetes.io/basic-auth`, a non-empty `ssh-privatekey` for `kubernetes.io/ssh-auth`, and the annotation
      `kubernetes.io/service-account.name` for `kubernetes.io/service-account-token`.

    A key or value with an unrendered template placeholder is not judged; a SOPS-encrypted Secret is judged for
    its key names only; a kustomize patch is not judged for the keys it leaves out.

    ## Why is this bad?
    The API server rejects the object (`data[conf/app.yaml]: Invalid value: "conf/app.yaml": a valid config
    key must consist of alphanumeric characters, '-', '_' or '.'`, `data[tls.key]: Required value`), so the sync
    fails and every pod that mounts or reads it waits for it (Kubernetes documentation, "ConfigMaps" and
    "Secrets": the data stored in a ConfigMap cannot exceed 1 MiB; each Secret type needs its keys).

    ## Example
    ```yaml
    apiVersion: v1
    kind: Secret
    metadata:
      name: web-tls
    type: kubernetes.io/tls
    data:
      tls/cert.pem: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Secret
    metadata:
      name: web-tls
    type: kubernetes.io/tls
    data:
      tls.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
      tls.key: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCg==
    ```
    """
    if resource.group != "":
        return
    if resource.kind == "ConfigMap":
        yield from _config_map(resource.data)
    elif resource.kind == "Secret":
        yield from _secret(resource, ctx)


RULE = invalid_config_data
