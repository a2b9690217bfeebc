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


def _registry_secret(config: str) -> str:
    return ("apiVersion: v1\nkind: Secret\nmetadata: {name: registry}\ntype: kubernetes.io/dockerconfigjson\ndata:\n"
            f"  .dockerconfigjson: {base64.b64encode(config.encode()).decode()}\n")


def test_registry_file_nested_deeper_than_python_parses_is_judged_by_go_s_limit() -> None:
    """Go's json.Unmarshal takes nesting up to 10,000 levels; Python's parser stops near 1,000 (RecursionError):
    the rule judged such a file with a rule-error (review8). 5,000 levels: not judged; 10,001: refused as Go
    refuses it ("exceeded max depth"); a deep array is not an object either way."""
    def nested(depth: int, opening: str = "{\"a\":") -> str:
        return opening * (depth - 1) + "{}" + "}" * (depth - 1) if opening.startswith("{") else (
            "[" * depth + "]" * depth)

    assert _findings(_registry_secret(nested(5000))) == []
    assert [path for path, _ in _findings(_registry_secret(nested(10_001)))] == ["data..dockerconfigjson"]
    assert [path for path, _ in _findings(_registry_secret(nested(5000, "[")))] == ["data..dockerconfigjson"]
    report = guardlint.lint_text(_registry_secret(nested(5000)), select=["invalid-config-data"])
    assert report.errors == () or list(report.errors) == []


def test_a_registry_file_of_null_is_accepted() -> None:
    """json.Unmarshal of ``null`` into a map leaves it nil without an error: the API accepts the Secret."""
    assert _findings(_registry_secret("null")) == []
    assert _findings(_registry_secret(" null\n")) == []
    assert [path for path, _ in _findings(_registry_secret("[]"))] == ["data..dockerconfigjson"]
