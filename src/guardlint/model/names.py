"""Name formats as the API server's validation checks them (``k8s.io/apimachinery/pkg/util/validation`` and
``pkg/api/validation``): DNS-1123 subdomains and labels, DNS-1035 labels, path segments and C identifiers. Each
check returns the API server's own reasons (its wording, without the regular expression it quotes), in the order
it gives them; an empty tuple means the text is valid. No pattern is compiled: the character tests below read
the same strings as Kubernetes' patterns (Go's ``$`` is the end of the text, so a final line break is invalid
too)."""

from __future__ import annotations

from guardlint.model.resourcenames import is_dns_subdomain

_LOWER = "abcdefghijklmnopqrstuvwxyz"
_LOWER_ALNUM = _LOWER + "0123456789"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

DNS1123_SUBDOMAIN_MAX = 253
DNS1123_LABEL_MAX = 63
DNS1035_LABEL_MAX = 63

SUBDOMAIN_REASON = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                    "and must start and end with an alphanumeric character")
LABEL_REASON = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
                "start and end with an alphanumeric character")
DNS1035_REASON = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
                  "alphabetic character, and end with an alphanumeric character")
C_IDENTIFIER_REASON = ("a valid C identifier must start with alphabetic character or '_', followed by a string of "
                       "alphanumeric characters or '_'")


def max_len_reason(limit: int) -> str:
    """``MaxLenError``."""
    return f"must be no more than {limit} characters"


def is_dns_label(text: str) -> bool:
    """``[a-z0-9]([-a-z0-9]*[a-z0-9])?`` over the whole text."""
    return text != "" and text[0] in _LOWER_ALNUM and text[-1] in _LOWER_ALNUM and not text.strip(_LOWER_ALNUM + "-")


def is_dns1035_label(text: str) -> bool:
    """``[a-z]([-a-z0-9]*[a-z0-9])?`` over the whole text."""
    return is_dns_label(text) and text[0] in _LOWER


def dns_subdomain_reasons(text: str) -> tuple[str, ...]:
    """``IsDNS1123Subdomain``."""
    reasons = (max_len_reason(DNS1123_SUBDOMAIN_MAX),) if len(text) > DNS1123_SUBDOMAIN_MAX else ()
    return reasons if is_dns_subdomain(text) else (*reasons, SUBDOMAIN_REASON)


def dns_label_reasons(text: str) -> tuple[str, ...]:
    """``IsDNS1123Label``."""
    reasons = (max_len_reason(DNS1123_LABEL_MAX),) if len(text) > DNS1123_LABEL_MAX else ()
    return reasons if is_dns_label(text) else (*reasons, LABEL_REASON)


def dns1035_label_reasons(text: str) -> tuple[str, ...]:
    """``IsDNS1035Label``."""
    reasons = (max_len_reason(DNS1035_LABEL_MAX),) if len(text) > DNS1035_LABEL_MAX else ()
    return reasons if is_dns1035_label(text) else (*reasons, DNS1035_REASON)


def path_segment_reasons(text: str, *, prefix: bool = False) -> tuple[str, ...]:
    """``IsValidPathSegmentName`` (or, for a ``generateName`` prefix, ``IsValidPathSegmentPrefix``): a name that
    can be one segment of a URL path."""
    reasons: tuple[str, ...] = ()
    if not prefix and text in (".", ".."):
        reasons = (f"may not be '{text}'",)
    return reasons + tuple(f"may not contain '{c}'" for c in ("/", "%") if c in text)


def is_c_identifier(text: str) -> bool:
    """``[A-Za-z_][A-Za-z0-9_]*`` over the whole text."""
    return text != "" and text[0] in _LOWER + _UPPER + "_" and not text.strip(_LOWER_ALNUM + _UPPER + "_")


def mask_trailing_dash(text: str) -> str:
    """What ``pkg/api/validation``'s ``maskTrailingDash`` makes of a ``generateName`` prefix before checking it
    as a name: a final ``-`` (in a text longer than one character) is allowed, since a random suffix follows.
    Kubernetes replaces the last *two* characters with ``a`` (``text[:len-2] + "a"``), and so does this."""
    if len(text) > 1 and text.endswith("-"):
        return text[:-2] + "a"
    return text
