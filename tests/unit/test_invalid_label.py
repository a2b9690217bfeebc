"""The label and annotation syntax of ``invalid-label`` against the API's rules (k8s.io/apimachinery
``IsQualifiedName`` and ``IsValidLabelValue``), at their limits."""

from __future__ import annotations

import pytest

from guardlint.rules.schema.invalid_label import name_part_problem, qualified_name_problem

LABEL_63 = "a" * 63
PREFIX_253 = ".".join(["b" * 63] * 3 + ["c" * 61])  # 63 * 3 + 61 + 3 dots = 253


def test_prefix_limit_is_exact() -> None:
    assert len(PREFIX_253) == 253


@pytest.mark.parametrize("key", [
    "app", "a", "A", "9", "a.b_c-d", LABEL_63, "example.com/app", f"{PREFIX_253}/{LABEL_63}", "a/b",
    "app.kubernetes.io/name", "x-1.example/Name_1",
])
def test_valid_qualified_names(key: str) -> None:
    assert qualified_name_problem(key) is None


@pytest.mark.parametrize("key", [
    "", "-a", "a-", "_a", "a_", ".a", "a b", "a+b", "a:b", LABEL_63 + "a", "/a", "a/", "a/b/c",
    "Example.com/a", "example_com/a", "-example.com/a", "example.com./a", f"{PREFIX_253}b/a", "example.com/-a",
])
def test_invalid_qualified_names(key: str) -> None:
    assert qualified_name_problem(key) is not None


@pytest.mark.parametrize("value", ["a", "A.b_c-9", LABEL_63, "1.2.0-build.5"])
def test_valid_label_values(value: str) -> None:
    assert name_part_problem(value) is None


@pytest.mark.parametrize("value", ["1.2.0+build", "a/b", "a b", "-a", "a.", LABEL_63 + "a", "é"])
def test_invalid_label_values(value: str) -> None:
    assert name_part_problem(value) is not None


def _config_map(name: str, labels: str, annotations: str = "{}") -> str:
    return (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: shop\n"
            f"  labels: {labels}\n  annotations: {annotations}\n")


def test_texts_found_valid_earlier_do_not_hide_a_new_problem() -> None:
    """The run's memo of valid texts (the shortcut) answers only for texts it checked: an object whose keys and
    values all recur but one, or whose annotations grow past the size limit, is still reported."""
    from guardlint.api import lint_text

    big = "x" * (64 * 1024 + 1)  # 4 x (64 KiB + 1) characters of one byte each: past the limit, by 20 bytes
    docs = [
        _config_map("a", "{app: web, tier: backend}", "{example.com/note: small}"),
        _config_map("b", "{app: web, tier: backend}", "{example.com/note: small}"),
        _config_map("c", "{app: web, tier: back/end}", "{example.com/note: small}"),
        _config_map("d", "{app: web, tier: backend}", f"{{example.com/note: {big * 4}}}"),
        _config_map("e", "{app: web, tier: 7}", "{example.com/note: small}"),
    ]
    report = lint_text("---\n".join(docs), "labels.yaml", select=["invalid-label"])
    found = sorted((f.path, f.message.split(":")[0]) for f in report.findings)
    assert found == [
        (("metadata", "annotations"),
         "the annotations of the ConfigMap hold 262,164 bytes, more than the 262,144 the API accepts"),
        (("metadata", "labels", "tier"), "the API rejects the value 'back/end' of label 'tier' of the ConfigMap"),
    ]  # the number 7 is wrong-field-type's
