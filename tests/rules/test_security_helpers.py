"""Edge cases of the security pack's shared helpers that fixtures express poorly."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from guardlint.rules.security._common import (
    DEFAULT_IGNORED_SUFFIXES,
    DEFAULT_SECRET_WORDS,
    CredentialNames,
    capability,
    file_credentials,
    host_path_matches,
    known_token,
    literal_credential,
    name_words,
    normalize_host_path,
    url_with_credentials,
)
from guardlint.rules.security._pss import LATEST
from guardlint.rules.security.unpinned_image import is_image_reference
from tests.helpers import ROOT, registry

NAMES = CredentialNames(DEFAULT_SECRET_WORDS, DEFAULT_IGNORED_SUFFIXES)


@pytest.mark.parametrize(
    ("name", "words"),
    [("DB_PASSWORD", ["DB", "PASSWORD"]), ("apiKey", ["API", "KEY"]), ("tls.private-key", ["TLS", "PRIVATE", "KEY"])],
)
def test_name_words(name: str, words: list[str]) -> None:
    assert name_words(name) == words


@pytest.mark.parametrize(
    "name", ["DB_PASSWORD", "apiKey", "GITHUB_TOKEN", "clientSecret", "AWS_SECRET_ACCESS_KEY", "db-passwd"]
)
def test_credential_names(name: str) -> None:
    assert NAMES(name)


@pytest.mark.parametrize(
    "name", ["PASSWORD_FILE", "TOKEN_TTL", "SECRET_NAME", "SECRET_ID", "KEYCLOAK_URL", "MONKEY", "TOKENIZER", "PWD"]
)
def test_not_credential_names(name: str) -> None:
    assert not NAMES(name)


@pytest.mark.parametrize("value", ["s3cr3t-Pa55w0rd", "hunter22", "4f9c2a7be1d84c6f", "correct horse battery"])
def test_literal_credentials(value: str) -> None:
    assert literal_credential(value, "PASSWORD")


@pytest.mark.parametrize(
    "value",
    ["", "ab", "true", "12345", "1h", "$(DB_PASSWORD)", "${PASS}", "$PASS", "{{ .Values.pw }}", "<password>",
     "/var/run/secrets/x", "https://auth.example.com/token", "YOUR_API_KEY", "PASSWORD", "changeme",
     "replace-me", "-----BEGIN CERTIFICATE-----"],
)
def test_not_literal_credentials(value: str) -> None:
    assert not literal_credential(value, "PASSWORD")


def test_url_credentials() -> None:
    assert url_with_credentials("postgres://app:hunter2@db:5432/app")
    assert not url_with_credentials("postgres://app:$(DB_PASSWORD)@db:5432/app")
    assert not url_with_credentials("https://example.com/path@x")


def test_known_tokens() -> None:
    assert known_token("x AKIAIOSFODNN7EXAMPLE y") == "an AWS access key ID"
    assert known_token("-----BEGIN RSA PRIVATE KEY-----\nabc") == "a private key"
    assert known_token("ghp_" + "a" * 36) == "a GitHub token"
    assert known_token("high ghost AKIA short") is None
    assert known_token("HF_TOKEN=hf_" + "aB3" * 12) == "a Hugging Face token"
    assert known_token("nvapi-" + "Xy7-" * 16) == "an NVIDIA API key"
    assert known_token("sk-ant-api03-" + "Qw1-" * 23 + "AA") == "an Anthropic API key"
    # Placeholders of those formats: a body of one letter case, or too short.
    for placeholder in ("hf_" + "x" * 34, "hf_" + "X" * 34, "nvapi-" + "x" * 64, "nvapi-NVKEY", "hf_transfer",
                        "sk-ant-api03-your-key-here", "sk-proj-" + "X" * 48, "sk-ant-api03-" + "x" * 95,
                        "sk-ant-api03-" + "X" * 93 + "AA"):
        assert known_token(placeholder) is None, placeholder


def test_file_credentials() -> None:
    assert file_credentials("[security]\nadmin_password = hunter22\n", NAMES) == "a literal admin_password"
    assert file_credentials("global:\n  resolve_timeout: 5m\n", NAMES) is None
    assert file_credentials("password_file: /etc/pw\npassword: ${PW}\n", NAMES) is None


def test_capability_spellings() -> None:
    assert {capability(c) for c in ("SYS_ADMIN", "sys_admin", "CAP_SYS_ADMIN", " cap_sys_admin ")} == {"SYS_ADMIN"}


@pytest.mark.parametrize(
    ("path", "norm"),
    [("/var/run//docker.sock/", "/var/run/docker.sock"), ("//etc/../etc", "/etc"), ("/", "/"),
     ("C:\\var\\log", "C:\\var\\log")],
)
def test_normalize_host_path(path: str, norm: str) -> None:
    assert normalize_host_path(path) == norm


def test_host_path_patterns() -> None:
    patterns = ("/etc", "/proc/sys/**")
    assert host_path_matches("/etc/", patterns) == "/etc"
    assert host_path_matches("/etc/ssl", patterns) is None
    assert host_path_matches("/proc/sys", patterns) == "/proc/sys/**"
    assert host_path_matches("/proc/sys/net/ipv4", patterns) == "/proc/sys/**"
    assert host_path_matches("/proc/system", patterns) is None


@pytest.mark.parametrize(
    ("image", "ok"),
    [("busybox", True), ("localhost:5000/tools:2024.10", True), ("nginx@sha256:" + "a" * 64, True),
     ("$IMAGE", False), ("{{inputs.parameters.image}}", False), ("<image>", False), ("IMAGE_NAME", False),
     ("REGION-docker.pkg.dev/PROJECT_ID/app", False)],
)
def test_image_references(image: str, ok: bool) -> None:
    assert is_image_reference(image) is ok


def test_pss_latest_matches_the_default_target() -> None:
    from guardlint.config.model import LATEST_KUBERNETES

    assert LATEST == LATEST_KUBERNETES


@pytest.mark.parametrize("level", ["baseline", "restricted"])
def test_presets_select_the_level_and_fail_on_any_finding(level: str) -> None:
    data = yaml.safe_load(Path(ROOT, "rules", "presets", f"pss-{level}.yaml").read_text(encoding="utf-8"))
    assert data == {"select": [f"pss-{level}"], "fail-on": "warning"}
    assert any(f"pss-{level}" in r.meta.tags for r in registry().rules)


def test_security_codes_are_in_range() -> None:
    for r in registry().rules:
        if r.meta.pack == "security":
            assert r.code.startswith("SEC") and 1 <= int(r.code[3:]) <= 199, r.code


@pytest.mark.parametrize(
    ("value", "kind"),
    [("<YOUR HF TOKEN>", "placeholder"), ("<hf-token>", "placeholder"), ("YOUR_API_KEY", "placeholder"),
     ("${HF_TOKEN}", "placeholder"), ("replace-me", "placeholder"), ("", "placeholder"),
     ("changeme", "well-known default"), ("password", "well-known default"), ("test", "well-known default"),
     ("Please-Change-Me", "well-known default"), ("hf_AbCdEf0123456789", None), ("s3cr3t-Pa55w0rd", None),
     ("yourpassword", "placeholder"), ("YourApiKey", "placeholder"), ("nvapi-NVKEY", "placeholder"),
     ("sk-YOUR_KEY", "placeholder"), ("yourselves", None), ("pw-Q7RX2", None), ("young-kestrel-42", None)],
)
def test_one_placeholder_judgement(value: str, kind: str | None) -> None:
    from guardlint.rules.security._common import placeholder_kind

    assert placeholder_kind(value, "TOKEN") == kind
    # Neither placeholders nor defaults are leaked credentials; the rest are.
    assert literal_credential(value, "TOKEN") is (kind is None)
