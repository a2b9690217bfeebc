"""The API server's name formats (``guardlint.model.names``) against Kubernetes' own patterns."""

from __future__ import annotations

import re

import pytest

from guardlint.model import names

_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
PATTERNS = {
    "subdomain": re.compile(_LABEL + r"(\." + _LABEL + ")*"),
    "label": re.compile(_LABEL),
    "dns1035": re.compile("[a-z]([-a-z0-9]*[a-z0-9])?"),
    "c": re.compile("[A-Za-z_][A-Za-z0-9_]*"),
}
SAMPLES = (
    "", "a", "A", "-", "a-", "-a", "a-b", "1", "1a", "a1", "a.b", "a..b", ".a", "a.", "a_b", "a b", "web\n", "\nweb",
    "é", "ab-cd.ef-12", "x" * 63, "x" * 64, "a" * 253, "a" * 254, "_a", "a_1", "ABC", "aB", "a/b", "a%b", "..", ".",
)


@pytest.mark.parametrize("text", SAMPLES)
def test_formats_match_the_patterns(text: str) -> None:
    def full(kind: str) -> bool:
        return PATTERNS[kind].fullmatch(text) is not None

    assert names.is_dns_label(text) is full("label")
    assert names.is_dns1035_label(text) is full("dns1035")
    assert names.is_c_identifier(text) is full("c")
    assert (names.dns_subdomain_reasons(text) == ()) is (full("subdomain") and len(text) <= 253)
    assert (names.dns_label_reasons(text) == ()) is (full("label") and len(text) <= 63)
    assert (names.dns1035_label_reasons(text) == ()) is (full("dns1035") and len(text) <= 63)


def test_reasons_in_the_api_order() -> None:
    assert names.dns_label_reasons("A" * 64) == ("must be no more than 63 characters", names.LABEL_REASON)
    assert names.dns_subdomain_reasons("a" * 254) == ("must be no more than 253 characters",)
    assert names.path_segment_reasons("..") == ("may not be '..'",)
    assert names.path_segment_reasons("a/%") == ("may not contain '/'", "may not contain '%'")
    assert names.path_segment_reasons("..", prefix=True) == ()


def test_mask_trailing_dash_drops_two_characters_as_kubernetes_does() -> None:
    assert names.mask_trailing_dash("web-") == "wea"
    assert names.mask_trailing_dash("a-") == "a"
    assert names.mask_trailing_dash("-") == "-"
    assert names.mask_trailing_dash("web") == "web"


ENV_NAME = re.compile("[-._a-zA-Z][-._a-zA-Z0-9]*")


@pytest.mark.parametrize("text", [*SAMPLES, "1ST", "my.env-name", "MY_ENV.NAME", "a=b", "a b", "~", "\x7f", "..x"])
def test_env_names_match_the_api(text: str) -> None:
    from guardlint.rules.resources.invalid_pod_spec import env_name_reasons

    if not text:
        return  # an empty name is reported as a missing value, not through these checks
    strict = env_name_reasons(text, (1, 31))
    chdir = text in (".", "..") or text.startswith("..")
    assert bool(strict) is (ENV_NAME.fullmatch(text) is None or chdir)
    relaxed = env_name_reasons(text, (1, 32))
    assert bool(relaxed) is not all(0x20 <= ord(ch) <= 0x7E and ch != "=" for ch in text)
