"""Shared helpers of the security pack: credential-like names and values, capabilities and host paths."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable

from guardlint._lazyre import LazyPattern, lazy

TYPE_CHECKING = False
if TYPE_CHECKING:
    from guardlint.model.index import ResourceIndex

# -- credential-like names ------------------------------------------------------------------------------------

DEFAULT_SECRET_WORDS: tuple[str, ...] = (
    "PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "API_KEY", "ACCESS_KEY", "SECRET_KEY",
    "PRIVATE_KEY", "CREDENTIAL", "CREDENTIALS", "AUTH_KEY",
)
"""Name words that mark a credential; ``A_B`` means the words A and B next to each other in the name."""

DEFAULT_IGNORED_SUFFIXES: tuple[str, ...] = (
    "ID", "FILE", "FILES", "PATH", "DIR", "DIRECTORY", "NAME", "REF", "URL", "URI", "ENDPOINT", "HOST", "PORT", "TTL",
    "TIMEOUT", "EXPIRY", "EXPIRATION", "EXPIRES", "LIFETIME", "DURATION", "LENGTH", "SIZE", "ENABLED", "DISABLED",
    "ENABLE", "DISABLE", "TYPE", "MODE", "HEADER", "FORMAT", "ALGORITHM", "ISSUER", "AUDIENCE", "SCOPE", "SCOPES",
    "POLICY", "VERSION", "COUNT", "LIMIT", "INTERVAL", "PERIOD", "FIELD", "PREFIX", "SUFFIX", "REGEX", "PATTERN",
    "KIND", "LOCATION", "SOURCE", "MOUNT", "NAMESPACE", "PROVIDER", "METHOD", "STORE", "LABEL", "SELECTOR",
)
"""Last name words that make the value *about* a credential rather than the credential itself."""

_WORD_SPLIT = lazy(r"[^A-Za-z0-9]+")
_CAMEL = lazy(r"(?<=[a-z0-9])(?=[A-Z])")


def name_words(name: str) -> list[str]:
    """``dbPassword`` / ``DB_PASSWORD`` / ``db.password`` -> ``["DB", "PASSWORD"]``."""
    return [w.upper() for w in _WORD_SPLIT.split(_CAMEL.sub("_", name)) if w]


_SEPARATORS = lazy(r"[_\-. ]+")


class CredentialNames:
    """Decides whether a name names a credential (``DB_PASSWORD``, ``apiKey``) and not a setting about one
    (``PASSWORD_FILE``, ``TOKEN_TTL``). Built once per run and parameters (``credential_names``); never changed
    after it is made."""

    __slots__ = ("_firsts", "_ignored", "_sequences", "_words")

    def __init__(self, secret_words: Iterable[str], ignored_suffixes: Iterable[str]) -> None:
        sequences = [tuple(w.upper() for w in _SEPARATORS.split(word) if w) for word in secret_words]
        # A one-word sequence is found in a name exactly when the word is one of the name's words: a set test.
        self._words = frozenset(seq[0] for seq in sequences if len(seq) == 1)
        self._sequences = [seq for seq in sequences if len(seq) > 1]
        self._ignored = frozenset(s.upper() for s in ignored_suffixes)
        firsts = {seq[0] for seq in sequences if seq}
        # (A first word that holds another is found wherever that one is: the shorter one's test suffices.)
        self._firsts = tuple(sorted(w for w in firsts if not any(o != w and o in w for o in firsts)))

    def __call__(self, name: str) -> bool:
        # Most names hold no credential word at all. A word of the name (``name_words``) is a piece of the name,
        # upper-cased, so a sequence is found only where its first word occurs in ``name.upper()`` (``upper``
        # maps each character on its own): where none does, the answer is False without splitting the name
        # (two patterns).
        upper = name.upper()
        if not any(w in upper for w in self._firsts):
            return False
        words = name_words(name)
        if not words or words[-1] in self._ignored:
            return False
        if not self._words.isdisjoint(words):
            return True
        for seq in self._sequences:
            n = len(seq)
            if any(tuple(words[i : i + n]) == seq for i in range(len(words) - n + 1)):
                return True
        return False


def credential_names(
    index: ResourceIndex, secret_words: tuple[str, ...], ignored_suffixes: tuple[str, ...]
) -> CredentialNames:
    """The ``CredentialNames`` of these parameters, built once per run (a ``CredentialNames`` is never changed
    after it is made, so every object of the run can share it) instead of once per object."""
    # A per-object cache: a matcher depends on the rule's parameters alone.
    table: dict[tuple[tuple[str, ...], tuple[str, ...]], CredentialNames] = index.object_memo(
        "security:credential-names", dict
    )
    key = (tuple(secret_words), tuple(ignored_suffixes))
    names = table.get(key)
    if names is None:
        names = table[key] = CredentialNames(*key)
    return names


_BOOLISH = frozenset({"true", "false", "yes", "no", "on", "off", "enabled", "disabled", "none", "null", "nil"})
_NUMBER = lazy(r"^[+-]?[0-9]+(?:\.[0-9]+)?[a-zA-Z]{0,2}$")
_NUMBER_STARTS = ("+", "-", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9")
"""What a text ``_NUMBER`` matches starts with: others never compile or run the pattern."""
_REFERENCE = lazy(r"^\s*(?:\$\(|\$\{|\$[A-Za-z_]|\{\{|%\{|<[^>]*>$|\[\[)")
_PLACEHOLDER = lazy(
    r"^(?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|(?i:(?:your|insert|replace|enter|put|set|add|paste)[-_ ].*"
    # "yourpassword", "YourApiKey": "your" run into the name of what to fill in.
    r"|your[a-z0-9]*?(?:pass(?:word|wd|phrase)?|pwd|secret|token|key|credentials?)[a-z0-9]*"
    r"|.*replace[-_ ]?me.*|.*fill[-_ ]?me.*|placeholder|redacted|dummy|x{3,}|\*{3,}|\.{3}|todo|tbd|none|n/a)"
    # A token format's prefix followed by a short upper-case word ("nvapi-NVKEY", "sk-YOURKEY", "hf_TOKEN"):
    # real tokens continue with long random mixed-case letters and digits.
    r"|[a-z][a-z0-9]{1,9}[-_][A-Z][A-Z_]{1,19})$"
)
WELL_KNOWN_DEFAULTS = frozenset(
    {
        "changeme", "change-me", "change_me", "changeit", "password", "passw0rd", "p@ssw0rd", "pass", "secret",
        "test", "testing", "admin", "administrator", "root", "default", "guest", "demo", "example", "letmein",
        "qwerty", "123456", "1234567", "12345678", "123456789", "1234", "12345", "admin123", "password123",
        "postgres", "mysql", "redis", "minio123", "minioadmin", "prom-operator",
    }
)
"""Well-known default passwords: a deployable Secret that holds one as is, is not a leak of a credential but a
weak default to change (``default-credential``, a warning), never a placeholder."""

_CHANGE_ME = lazy(r"(?i)^.*change[-_ ]?(?:me|it).*$")


def _says_change(text: str) -> bool:
    """``_CHANGE_ME.match(text)``, running (and compiling) the pattern only where it may match: in an ASCII text,
    case-insensitively, it needs "change" (only non-ASCII characters match ASCII letters of another case, such as
    the Kelvin sign K)."""
    return (not text.isascii() or "change" in text.lower()) and _CHANGE_ME.match(text) is not None

PLACEHOLDER = "placeholder"
WELL_KNOWN_DEFAULT = "well-known default"


def placeholder_kind(value: str, name: str | None = None) -> str | None:
    """The one placeholder judgement every secret rule shares.

    ``PLACEHOLDER`` for a value that stands for one to fill in: empty, a variable or template reference (``$(VAR)``,
    ``${VAR}``, ``$VAR``, ``{{ .x }}``), anything in angle brackets (``<YOUR HF TOKEN>``, ``<hf-token>``), an
    upper-case name (``YOUR_API_KEY``), a phrase starting with your/insert/replace/enter/add/paste, "your" run into
    a credential word (``yourpassword``, ``YourApiKey``), a token prefix followed by a short upper-case word
    (``nvapi-NVKEY``, ``sk-YOURKEY``), ``replace-me``, ``placeholder``, ``redacted``, ``dummy``, ``xxx``, ``***``,
    ``...``, ``todo``, or the key's own name. ``WELL_KNOWN_DEFAULT`` for a well-known default password
    (``changeme``, ``password``, ``test``, ``admin``, anything with "change me" in it, ...; see
    ``WELL_KNOWN_DEFAULTS``).
    None for anything else.
    """
    text = value.strip()
    if not text or _REFERENCE.match(text) or _PLACEHOLDER.match(text):
        return PLACEHOLDER
    if name is not None and text.upper() == name.strip().upper():
        return PLACEHOLDER
    if text.lower() in WELL_KNOWN_DEFAULTS or _says_change(text):
        return WELL_KNOWN_DEFAULT
    return None


def well_known_default(value: str, name: str | None = None) -> bool:
    """Whether ``placeholder_kind(value, name)`` is ``WELL_KNOWN_DEFAULT``, deciding first whether the value could
    be one at all (``default-credential`` asks it of every literal env value, and almost none is).

    Exact: ``placeholder_kind`` answers ``WELL_KNOWN_DEFAULT`` only after the same test (the stripped text is in
    ``WELL_KNOWN_DEFAULTS`` or ``_says_change``) holds, so a value that fails it gets another answer; one
    that passes it is judged by ``placeholder_kind`` itself (a placeholder test comes first there). The
    placeholder patterns, the dearest of the pack to compile, are then compiled only when a value could be a
    default."""
    text = value.strip()
    if not (text.lower() in WELL_KNOWN_DEFAULTS or _says_change(text)):
        return False
    return placeholder_kind(value, name) == WELL_KNOWN_DEFAULT


def literal_credential(value: str, name: str | None = None) -> bool:
    """Whether ``value`` looks like a real credential: not empty, a boolean, a number, a path, a URL without
    credentials, a placeholder or a well-known default password (``placeholder_kind``; defaults are reported
    by ``default-credential``, a warning, rather than as leaked credentials)."""
    text = value.strip()
    if not 3 <= len(text) <= 512 or "\\n" in text or text.lower() in _BOOLISH:
        return False
    if (text.startswith(_NUMBER_STARTS) and _NUMBER.match(text)) or placeholder_kind(text, name) is not None:
        return False
    if text.startswith(("/", "./", "../", "~/", "file:", "vault:", "ref+", "arn:aws:secretsmanager")):
        return False
    if ("://" in text and not url_with_credentials(text)) or text.startswith("-----BEGIN CERTIFICATE"):
        return False
    # Last: asked only of a value that would otherwise be a credential (few are).
    return not (text.startswith(_ENCRYPTED_STARTS) and _encrypted_value(text))


_ENCRYPTED_STARTS = ("ENC[", "ENC(", "{cipher}")
"""How the encrypted values of the tools that keep them in manifests start (``_encrypted_value``)."""


def _encrypted_value(text: str) -> bool:
    """Whether a value is ciphertext that its tool decrypts where it is used, and so is meant to be committed: a
    value SOPS encrypted (``ENC[AES256_GCM,data:...]``, ``guardlint.model.sops``), a Jasypt value (``ENC(...)``,
    jasypt-spring-boot's default wrapping) or a Spring Cloud Config value (``{cipher}...``)."""
    if text.startswith("ENC["):
        from guardlint.model.sops import is_ciphertext

        return is_ciphertext(text)
    if text.startswith("ENC("):
        return text.endswith(")") and len(text) > 5 and _BASE64_BODY.match(text, 4, len(text) - 1) is not None
    return _CIPHER_BODY.match(text, len("{cipher}")) is not None


_BASE64_BODY = lazy(r"[A-Za-z0-9+/=_-]+\Z")
_CIPHER_BODY = lazy(r"(?:\{[a-z]+:[^}]*\})*[A-Za-z0-9+/=_-]+\Z")
"""Spring Cloud Config's ``{cipher}`` value: optional ``{key:name}`` options, then the hex or base64 ciphertext."""

_URL_CREDENTIALS = lazy(r"^[a-zA-Z][a-zA-Z0-9+.-]*://([^/\s:@]+):([^/\s@]+)@")


def url_with_credentials(value: str) -> bool:
    """A URL with a literal ``user:password@`` part (not a ``$(VAR)`` or ``{{ }}`` reference)."""
    if "://" not in value:  # the pattern needs it: most values are spared the strip and the pattern
        return False
    m = _URL_CREDENTIALS.match(value.strip())
    if not m:
        return False
    password = m.group(2)
    if "$" in password or "{{" in password or password in ("*", "***", "password", "PASSWORD"):
        return False
    return placeholder_kind(password) != PLACEHOLDER


_KNOWN_TOKENS: tuple[tuple[str, tuple[str, ...], LazyPattern], ...] = (
    # (what it is, literal markers that must occur first, the full pattern)
    ("a private key", ("PRIVATE KEY",), lazy(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")),
    ("an AWS access key ID", ("AKIA", "ASIA"), lazy(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    (
        "a GitHub token",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
        lazy(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})\b"),
    ),
    ("a GitLab token", ("glpat-",), lazy(r"\bglpat-[A-Za-z0-9_\-]{20,}\b")),
    ("a Slack token", ("xox",), lazy(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b")),
    # An incoming webhook URL is the credential itself: whoever holds it posts to the channel. Its secret part
    # is 24 random letters and digits of both cases, so the documentation's T00000000/B00000000/XXXX... is not one.
    (
        "a Slack webhook URL",
        ("hooks.slack.com/services/",),
        lazy(r"hooks\.slack\.com/services/T[A-Z0-9]{8,}/B[A-Z0-9]{8,}/"
             r"(?=[A-Za-z0-9]*[A-Z])(?=[A-Za-z0-9]*[a-z])[A-Za-z0-9]{24}(?![A-Za-z0-9])"),
    ),
    ("a Google API key", ("AIza",), lazy(r"\bAIza[0-9A-Za-z_\-]{35}\b")),
    ("a Stripe live key", ("k_live_",), lazy(r"\b[sr]k_live_[0-9a-zA-Z]{24,}\b")),
    # The keys of AI model hubs and inference APIs, which the manifests of inference and training workloads
    # carry. A real key's body is long and random: it mixes upper- and lower-case letters (and digits, where
    # the format has them), so documentation placeholders (hf_xxxxxxxx..., nvapi-XXXXXXXX...) are not keys.
    (
        "a Hugging Face token",
        ("hf_",),
        lazy(r"\bhf_(?=[A-Za-z0-9]*[A-Z])(?=[A-Za-z0-9]*[a-z])[A-Za-z0-9]{30,}\b"),
    ),
    (
        "an NVIDIA API key",
        ("nvapi-",),
        lazy(r"\bnvapi-(?=[A-Za-z0-9_-]*[A-Z])(?=[A-Za-z0-9_-]*[a-z])(?=[A-Za-z0-9_-]*[0-9])[A-Za-z0-9_-]{40,}"),
    ),
    (
        "an OpenAI API key",
        ("sk-proj-", "sk-svcacct-", "sk-admin-"),
        lazy(r"\bsk-(?:proj|svcacct|admin)-(?=[A-Za-z0-9_-]*[A-Z])(?=[A-Za-z0-9_-]*[a-z])"
             r"(?=[A-Za-z0-9_-]*[0-9])[A-Za-z0-9_-]{40,}"),
    ),
    (
        "an Anthropic API key",
        ("sk-ant-",),
        lazy(r"\bsk-ant-(?:api|admin)[0-9]{2}-(?=[A-Za-z0-9_-]*[A-Z])(?=[A-Za-z0-9_-]*[a-z])[A-Za-z0-9_-]{80,}"),
    ),
)


_ANY_MARKER = lazy("|".join(re.escape(marker) for _, markers, _ in _KNOWN_TOKENS for marker in markers))
"""Every literal marker of ``_KNOWN_TOKENS``, made from the table itself: one scan of a value finds whether any
occurs, where testing each marker scans the value once per marker (20 times)."""


def known_token(value: str) -> str | None:
    """What kind of well-known credential ``value`` contains (a private key, a cloud or SaaS token), if any.
    A pattern runs only when one of its literal markers occurs in the value (large ConfigMaps stay cheap)."""
    # Exact: the loop below runs a pattern only where one of its markers occurs, so a value in which no marker
    # of the table occurs (``_ANY_MARKER``) contains no token. On the shared corpus no value holds a marker.
    if _ANY_MARKER.search(value) is None:
        return None
    for label, markers, pattern in _KNOWN_TOKENS:
        for marker in markers:
            if marker in value:  # the cheap test first: the pattern needs one of its markers
                if pattern.search(value):
                    return label
                break
    return None


_ASSIGNMENT = lazy(
    r"""^\s*(?:-\s+)?["']?(?P<key>[A-Za-z_][A-Za-z0-9_.\-]*)["']?\s*[:=]\s*["']?(?P<value>[^"'\s#][^"'#]*?)["']?\s*,?\s*$"""
)


def file_credentials(text: str, names: CredentialNames) -> str | None:
    """What credential a configuration file's text holds, if any: a private key or well-known token, a URL
    with a password, or a line that assigns a literal to a credential-like key (``password = s3cret``,
    ``"apiKey": "..."``, ``token: ...``)."""
    token = known_token(text)
    if token is not None:
        return token
    for line in text.splitlines():
        if "://" in line and url_with_credentials(line.split(":", 1)[-1].strip().strip("\"'")):
            return "a URL with a literal password"
        m = _ASSIGNMENT.match(line)
        if m and literal_credential(m.group("value"), m.group("key")) and names(m.group("key")):
            return f"a literal {m.group('key')}"
    return None


# -- capabilities -----------------------------------------------------------------------------------------------


def capability(name: str) -> str:
    """The runtime's reading of a capability name: case-insensitive, with or without ``CAP_``."""
    upper = name.strip().upper()
    return upper[4:] if upper.startswith("CAP_") else upper


# -- host paths -------------------------------------------------------------------------------------------------


def normalize_host_path(path: str) -> str:
    """``/var/run//docker.sock/`` -> ``/var/run/docker.sock``; Windows paths are returned unchanged."""
    text = path.strip()
    if not text.startswith("/"):
        return text
    return posixpath.normpath("/" + text.lstrip("/"))


class HostPaths:
    """``host_path_matches`` for one list of patterns, each pattern normalised once (``host_paths``: once per run
    and parameters) rather than for every volume it is compared with. Never changed after it is made."""

    __slots__ = ("_entries",)

    def __init__(self, patterns: Iterable[str]) -> None:
        entries: list[tuple[str, str, str | None]] = []
        for pattern in patterns:
            if pattern.endswith("/**"):
                base = normalize_host_path(pattern[:-3] or "/")
                entries.append((pattern, base, base.rstrip("/") + "/"))
            else:
                entries.append((pattern, normalize_host_path(pattern), None))
        self._entries = tuple(entries)
        """(pattern, the normalised path it names, the prefix of the paths below it for ``/**``, else None)."""

    def first_match(self, path: str) -> str | None:
        norm = normalize_host_path(path)
        for pattern, base, below in self._entries:
            if norm == base or (below is not None and norm.startswith(below)):
                return pattern
        return None

    def first_below(self, path: str) -> str | None:
        """The first pattern naming a path strictly below this one (``/var/lib`` holds ``/var/lib/kubelet``): a
        folder hands over whatever it holds. ``/`` holds every absolute path; Windows paths hold nothing here."""
        norm = normalize_host_path(path)
        if not norm.startswith("/"):
            return None
        prefix = norm.rstrip("/") + "/"
        for pattern, base, _ in self._entries:
            if base.startswith(prefix) and base != norm:
                return pattern
        return None


def host_path_matches(path: str, patterns: Iterable[str]) -> str | None:
    """The first pattern that matches a host path. ``/etc`` matches only ``/etc``; ``/etc/**`` matches
    ``/etc`` and everything below it."""
    return HostPaths(patterns).first_match(path)


def host_paths(index: ResourceIndex, patterns: tuple[str, ...]) -> HostPaths:
    """The ``HostPaths`` of these patterns, built once per run (it is never changed, so every object shares it)."""
    # A per-object cache: a matcher depends on the rule's parameters alone.
    table: dict[tuple[str, ...], HostPaths] = index.object_memo("security:host-paths", dict)
    key = tuple(patterns)
    found = table.get(key)
    if found is None:
        found = table[key] = HostPaths(key)
    return found
