"""invalid-config-data's 1 MiB limit (``core.MaxSecretSize``, used by ``ValidateConfigMap`` and ``ValidateSecret``),
on objects made here rather than a 1 MiB fixture: the values of a ConfigMap (``data`` as UTF-8, ``binaryData``
decoded) and of a Secret (``data`` decoded, ``stringData`` merged over it) count, the keys do not."""

from __future__ import annotations

import base64

import guardlint
from guardlint.rules.resources.invalid_config_data import MAX_SIZE, key_reasons


def _findings(text: str) -> list[tuple[str, str]]:
    report = guardlint.lint_text(text, select=["invalid-config-data"])
    return [(".".join(str(p) for p in f.path), f.message) for f in report.findings]


def _config_map(text_bytes: int, binary: bytes) -> str:
    return (f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big}}\ndata:\n  a: {'x' * text_bytes}\n"
            f"binaryData:\n  b: {base64.b64encode(binary).decode()}\n")


def test_config_map_at_the_limit_is_accepted_and_one_byte_more_is_not() -> None:
    assert _findings(_config_map(MAX_SIZE - 5, b"12345")) == []
    found = _findings(_config_map(MAX_SIZE - 5, b"123456"))
    assert [path for path, _ in found] == ["data"]
    assert "1,048,577 bytes" in found[0][1] and "at most 1048576 bytes" in found[0][1]


def test_multibyte_text_counts_in_bytes() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  a: " + "é" * (MAX_SIZE // 2 + 1) + "\n"
    assert [path for path, _ in _findings(text)] == ["data"]


def test_secret_counts_decoded_data_with_string_data_merged_over_it() -> None:
    encoded = base64.b64encode(b"y" * (MAX_SIZE - 1)).decode()
    base = f"apiVersion: v1\nkind: Secret\nmetadata: {{name: big}}\ndata:\n  a: {encoded}\n"
    assert _findings(base) == []  # 1,398,100 characters of base64, 1,048,575 bytes once decoded
    assert [path for path, _ in _findings(base + "stringData:\n  b: zz\n")] == ["data"]
    assert _findings(base + "stringData:\n  a: zz\n") == []  # stringData's a replaces data's a


def test_key_reasons() -> None:
    assert key_reasons("app.yaml") == ()
    assert key_reasons("..data") == ("must not start with '..'",)
    assert key_reasons(".") == ("must not be '.'",)
    assert len(key_reasons("a" * 254)) == 1
    assert key_reasons("")  # the regex needs one character
