"""credentials-in-inline-config: a GitOps release or a virtual machine carries a credential in its inline
configuration (Helm values of a Flux HelmRelease or an Argo CD Application, cloud-init user data of a KubeVirt
virtual machine)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._lazyre import lazy
from guardlint._record import NamedTuple
from guardlint.model.access import get, iter_maps
from guardlint.model.paths import FieldPath
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param
from guardlint.rules.references import SECRETS_GOOD_PRACTICES
from guardlint.rules.security._common import (
    DEFAULT_IGNORED_SUFFIXES,
    DEFAULT_SECRET_WORDS,
    CredentialNames,
    credential_names,
    file_credentials,
    known_token,
    literal_credential,
    name_words,
    url_with_credentials,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated, Any

KINDS = ("HelmRelease", "Application", "ApplicationSet", "VirtualMachine", "VirtualMachineInstance")
_MAX_DEPTH = 64
"""Values nest a few levels deep; a deeper structure is not walked further."""


class Params(NamedTuple):
    secret_words: Annotated[tuple[str, ...], param(
        "Words that mark a key as a credential (split at '_', '-', '.' and camelCase, case-insensitive); "
        "'API_KEY' means the two words in a row.",
        unique_items=True,
        items={"minLength": 1},
    )] = DEFAULT_SECRET_WORDS
    ignored_suffixes: Annotated[tuple[str, ...], param(
        "Last words of a key that make it a setting about a credential (existingSecret-key, password-file).",
        unique_items=True,
        items={"minLength": 1},
    )] = DEFAULT_IGNORED_SUFFIXES


_CREDENTIAL_WORDS = frozenset({"PASSWORD", "PASSWD", "PASSPHRASE", "TOKEN", "CREDENTIAL", "CREDENTIALS", "APIKEY"})
_CRYPT_HASH = lazy(r"^\$(?:1|2[abxy]?|5|6|7|y|gy|apr1|argon2(?:id|i|d)|scrypt|pbkdf2[-_a-z0-9]*)\$")
"""A password hash in crypt(3) form (bcrypt ``$2a$10$...``, ``$6$``, htpasswd's ``$apr1$``, yescrypt, argon2),
which charts ask for instead of the password (Argo CD's argocdServerAdminPassword): not the password itself."""
_OBJECT_NAME = lazy(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def names_a_secret_reference(key: str, value: str) -> bool:
    """Whether a Helm value names a Secret or a key of one rather than holding a credential, as charts spell
    it: ``existingSecret``, ``existingSecretPasswordKey`` (an ``existing`` word), ``passwordSecret`` or
    ``tokenSecret`` (the Secret that holds the password), ``adminPasswordKey`` or ``passwordSecretKey`` (the key
    of the Secret that holds it: a last word ``secret`` or ``key`` after a password or token word), and a bare
    ``secret`` key (``tls.secret``, ``auth.secret``) whose value reads like an object name with a ``-`` or ``.``
    in it (``my-tls``). ``clientSecret: 3f8a1c9e...`` and ``secretKey: s3cr3t`` are values."""
    words = name_words(key)
    if "EXISTING" in words:
        return True
    if len(words) >= 2 and words[-1] in ("SECRET", "KEY", "KEYS") and not _CREDENTIAL_WORDS.isdisjoint(words[:-1]):
        return True  # passwordSecret, adminPasswordKey, passwordSecretKey: the Secret, or its key, that holds it
    text = value.strip()
    return bool(words) and words[-1] == "SECRET" and ("-" in text or "." in text) and len(text) <= 253 \
        and _OBJECT_NAME.match(text) is not None


class _Walk:
    """Reports the credentials in one tree of Helm values; the name matcher is built at the first key whose
    value could be a literal credential."""

    __slots__ = ("ctx", "names", "params", "seen", "what")

    def __init__(self, what: str, params: Params, ctx: RuleContext) -> None:
        self.what = what
        self.params = params
        self.ctx = ctx
        self.names: CredentialNames | None = None
        self.seen: set[int] = set()
        """The mappings and lists walked already: a YAML alias shares one, which is walked once (an alias bomb
        stays linear)."""

    def _names(self) -> CredentialNames:
        if self.names is None:
            self.names = credential_names(self.ctx.index, self.params.secret_words, self.params.ignored_suffixes)
        return self.names

    def value(self, key: str, value: str, path: FieldPath, label: str) -> Iterator[Violation]:
        token = known_token(value)
        if token is not None:
            yield Violation(path, f"{self.what} {label} contains {token}", at_value=True)
        elif url_with_credentials(value):
            yield Violation(path, f"{self.what} {label} holds a URL with a literal password", at_value=True)
        elif "\n" in value.strip():
            found = file_credentials(value, self._names())
            if found is not None:
                yield Violation(path, f"{self.what} {label} holds {found}", at_value=True)
        elif self._names()(key) and literal_credential(value, key) and not names_a_secret_reference(key, value) \
                and _CRYPT_HASH.match(value.strip()) is None:
            yield Violation(path, f"{self.what} {label} holds a credential in plain text", at_value=True)

    def tree(self, node: Any, path: FieldPath, dotted: str, depth: int = 0) -> Iterator[Violation]:
        if depth > _MAX_DEPTH or id(node) in self.seen:
            return
        self.seen.add(id(node))
        if isinstance(node, dict):
            for key, value in node.items():
                if not isinstance(key, str):
                    continue
                name = f"{dotted}.{key}" if dotted else key
                if isinstance(value, str):
                    yield from self.value(key, value, (*path, key), repr(name))
                elif isinstance(value, (dict, list)):
                    yield from self.tree(value, (*path, key), name, depth + 1)
        elif isinstance(node, list):
            for i, item in enumerate(node):
                if isinstance(item, (dict, list)):
                    yield from self.tree(item, (*path, i), f"{dotted}[{i}]", depth + 1)


def _helm_sources(resource: Resource) -> Iterator[tuple[FieldPath, Any]]:
    """The ``helm`` sections of an Argo CD Application (``spec.source``, each of ``spec.sources``) or of an
    ApplicationSet's template (``spec.template.spec``)."""
    base: FieldPath = ("spec",) if resource.kind == "Application" else ("spec", "template", "spec")
    helm = get(resource.data, (*base, "source", "helm"))
    if isinstance(helm, dict):
        yield (*base, "source", "helm"), helm
    for i, source in iter_maps(resource.data, (*base, "sources")):
        helm = source.get("helm")
        if isinstance(helm, dict):
            yield (*base, "sources", i, "helm"), helm


def _parse_values(text: str) -> dict[str, Any] | None:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        tree = yaml.load(text, Loader=loader)  # a safe loader
    except yaml.YAMLError:
        return None
    return tree if isinstance(tree, dict) else None


def _argo(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    walk = _Walk("Helm value", params, ctx)
    parameters = _Walk("Helm parameter", params, ctx)
    for path, helm in _helm_sources(resource):
        values_object = helm.get("valuesObject")
        if isinstance(values_object, dict):
            yield from walk.tree(values_object, (*path, "valuesObject"), "")
        values = helm.get("values")
        if isinstance(values, str) and values.strip():
            # The text is Helm values in YAML: read as the controller reads it and judged as valuesObject is, all
            # reported on the text (a text that does not parse as a mapping is not judged).
            tree = _parse_values(values)
            if tree is not None:
                found = list(_Walk("Helm values text key", params, ctx).tree(tree, (), ""))
                if found:
                    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
                    yield Violation((*path, "values"), found[0].message + more, at_value=True)
        for i, parameter in iter_maps(helm, ("parameters",)):
            name, value = parameter.get("name"), parameter.get("value")
            if isinstance(name, str) and isinstance(value, str):
                last = name.rsplit(".", 1)[-1]
                yield from parameters.value(last, value, (*path, "parameters", i, "value"), repr(name))


def _cloud_init(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    base: FieldPath = ("spec", "template", "spec") if resource.kind == "VirtualMachine" else ("spec",)
    names: CredentialNames | None = None
    for i, volume in iter_maps(resource.data, (*base, "volumes")):
        for source in ("cloudInitNoCloud", "cloudInitConfigDrive"):
            cloud_init = volume.get(source)
            if not isinstance(cloud_init, dict):
                continue
            for field in ("userData", "userDataBase64"):
                text = cloud_init.get(field)
                if not isinstance(text, str) or not text.strip():
                    continue
                if field == "userDataBase64":
                    import base64
                    import binascii

                    try:
                        text = base64.b64decode(text, validate=True).decode("utf-8")
                    except (binascii.Error, ValueError):
                        continue
                if names is None:
                    names = credential_names(ctx.index, params.secret_words, params.ignored_suffixes)
                found = file_credentials(text, names)
                if found is not None:
                    volume_name = volume.get("name")
                    which = f"volume {volume_name!r}" if isinstance(volume_name, str) else f"volume #{i}"
                    yield Violation(
                        (*base, "volumes", i, source, field),
                        f"the cloud-init {field} of {which} holds {found}: anyone who can read the "
                        f"{resource.kind} can read it",
                        at_value=True,
                    )


@rule(
    code="SEC114",
    name="credentials-in-inline-config",
    title="Inline Helm values or cloud-init user data hold a credential",
    severity=Severity.ERROR,
    pack="security",
    since="0.3.0",
    tags=("secrets", "gitops"),
    remediation=(
        "Keep the value in a Secret and refer to it: a HelmRelease's valuesFrom, an Argo CD Application's values "
        "from a Secret-backed plugin or an ExternalSecret, a KubeVirt userDataSecretRef; rotate the exposed value."
    ),
    params=Params,
    kinds=KINDS,
    references=(
        Reference("Flux: HelmRelease valuesFrom",
                  "https://fluxcd.io/flux/components/helm/helmreleases/#values-references"),
        Reference("KubeVirt: Startup scripts (cloud-init user data in a Secret)",
                  "https://kubevirt.io/user-guide/user_workloads/startup_scripts/"),
        SECRETS_GOOD_PRACTICES,
    ),
)
def credentials_in_inline_config(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports credentials written inline in objects that are not Secrets but carry configuration for something
    else:

    - the Helm values of a Flux `HelmRelease` (`spec.values`, group `helm.toolkit.fluxcd.io`) and of an Argo CD
      `Application` or `ApplicationSet` template (`helm.valuesObject`, the `helm.values` text and
      `helm.parameters`, group `argoproj.io`);
    - the cloud-init user data of a KubeVirt `VirtualMachine` or `VirtualMachineInstance` (`cloudInitNoCloud` or
      `cloudInitConfigDrive`, `userData` or the decoded `userDataBase64`, group `kubevirt.io`).

    A value is reported as `credentials-in-configmap` judges a ConfigMap entry: a private key or well-known
    token format anywhere, a URL with a literal `user:password@` part, a single-line value of a key named like
    a credential (`password`, `secretAccessKey`, `apiKey`, per `secret-words`; not `existingSecretPasswordKey`
    or `password-file`, per `ignored-suffixes`) that looks real, and in a multi-line text (a configuration file
    in a value, the user data) a line that sets such a key to a literal (`password: s3cret`). Placeholders are
    not reported: empty values, `${VAR}` (Flux's post-build substitution), `$(VAR)`, `{{ }}`, `<...>`,
    `changeme`-like well-known defaults (left to `default-credential` for Secrets and env), ciphertext
    (`ENC[...]`) and password hashes in crypt form (`$2a$10$...`, `$apr1$...`). Helm values that name a Secret
    or one of its keys are not credentials: `existingSecret...`, a last word `secret` or `key` after a password
    or token word (`passwordSecret`, `adminPasswordKey`), and `secret: my-tls`-like object names. References
    to Secrets (`valuesFrom`, `userDataSecretRef`, `networkDataSecretRef`) are what the rule asks for and are
    never read.

    ## Why is this bad?
    These objects are committed to the repository and stored in the cluster as plain objects: whoever can read
    the repository, its history or the object (far more roles than can read Secrets) can read the credential.
    Flux and KubeVirt both provide a reference to a Secret for exactly this (`valuesFrom`,
    `userDataSecretRef`).

    ## Example
    ```yaml
    apiVersion: helm.toolkit.fluxcd.io/v2
    kind: HelmRelease
    metadata:
      name: loki
    spec:
      interval: 30m
      chart:
        spec:
          chart: loki
          sourceRef: {kind: HelmRepository, name: grafana}
      values:
        loki:
          storage:
            s3:
              secretAccessKey: 9x2hQm4TzL7vR1kP8wN3cY6bJ5fD0sG
    ```

    ## Use instead
    ```yaml
    apiVersion: helm.toolkit.fluxcd.io/v2
    kind: HelmRelease
    metadata:
      name: loki
    spec:
      interval: 30m
      chart:
        spec:
          chart: loki
          sourceRef: {kind: HelmRepository, name: grafana}
      valuesFrom:
        - kind: Secret
          name: loki-s3
          valuesKey: secretAccessKey
          targetPath: loki.storage.s3.secretAccessKey
    ```
    """
    group = resource.group
    if group == "helm.toolkit.fluxcd.io":
        if resource.kind == "HelmRelease":
            values = get(resource.data, ("spec", "values"))
            if isinstance(values, dict):
                yield from _Walk("Helm value", params, ctx).tree(values, ("spec", "values"), "")
    elif group == "argoproj.io":
        if resource.kind in ("Application", "ApplicationSet"):
            yield from _argo(resource, params, ctx)
    elif group == "kubevirt.io" and resource.kind in ("VirtualMachine", "VirtualMachineInstance"):
        yield from _cloud_init(resource, params, ctx)


RULE = credentials_in_inline_config
