"""The replacement that removed-api and deprecated-api suggest for a custom resource of a version its
CustomResourceDefinition does not serve or deprecates: a served, undeprecated version (the storage version
first, then the newest), a deprecated one only when nothing else is served (and saying so)."""

from __future__ import annotations

from typing import Any

import yaml

from guardlint.api import lint_text
from guardlint.apischema.crd import compare_kube_versions, version_serving

SCHEMA = {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}


def crd(kind: str, *versions: dict[str, Any], group: str = "tools.example.org") -> dict[str, Any]:
    plural = kind.lower() + "s"
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{plural}.{group}"},
            "spec": {"group": group, "names": {"kind": kind, "plural": plural}, "scope": "Namespaced",
                     "versions": [{"schema": SCHEMA, "storage": False, **v} for v in versions]}}


def obj(api_version: str, kind: str) -> dict[str, Any]:
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x", "namespace": "lab"}}


def messages(*docs: dict[str, Any], rule: str) -> list[str]:
    report = lint_text(yaml.safe_dump_all(docs), "crd.yaml", select=[rule])
    return [f.message for f in report.findings if f.rule == rule]


def suggestion(*docs: dict[str, Any], rule: str = "removed-api") -> str:
    found = messages(*docs, rule=rule)
    assert len(found) == 1, found
    return found[0].partition("'no matches for kind')")[2] if rule == "removed-api" else found[0]


def test_a_deprecated_version_is_not_the_suggested_replacement() -> None:
    gadget = crd("Gadget", {"name": "v1alpha1", "served": False},
                 {"name": "v1beta1", "served": True, "deprecated": True},
                 {"name": "v1", "served": True, "storage": True})
    assert suggestion(gadget, obj("tools.example.org/v1alpha1", "Gadget")) == (
        "; use tools.example.org/v1, the version the CustomResourceDefinition stores")


def test_the_storage_version_comes_first_then_the_newest() -> None:
    gadget = crd("Gadget", {"name": "v1alpha1", "served": False}, {"name": "v1beta1", "served": True},
                 {"name": "v2", "served": True}, {"name": "v1", "served": True, "storage": True},
                 {"name": "v3alpha1", "served": True})
    assert suggestion(gadget, obj("tools.example.org/v1alpha1", "Gadget")) == (
        "; use tools.example.org/v1, the version the CustomResourceDefinition stores (also served: "
        "tools.example.org/v2, tools.example.org/v1beta1, tools.example.org/v3alpha1)")
    # A storage version that is deprecated is passed over for a served one that is not.
    gadget["spec"]["versions"][3]["deprecated"] = True
    assert suggestion(gadget, obj("tools.example.org/v1alpha1", "Gadget")) == (
        "; use tools.example.org/v2 (also served: tools.example.org/v1beta1, tools.example.org/v3alpha1)")


def test_a_deprecated_version_is_named_only_when_nothing_else_is_served() -> None:
    widget = crd("Widget", {"name": "v1alpha1", "served": False},
                 {"name": "v1beta1", "served": True, "deprecated": True},
                 {"name": "v1beta2", "served": True, "storage": True, "deprecated": True})
    assert suggestion(widget, obj("tools.example.org/v1alpha1", "Widget")) == (
        "; use tools.example.org/v1beta2, although the CustomResourceDefinition marks it deprecated: true (no "
        "served version of the kind is undeprecated)")


def test_no_served_version_at_all() -> None:
    doodad = crd("Doodad", {"name": "v1", "served": False, "storage": True})
    assert suggestion(doodad, obj("tools.example.org/v1", "Doodad")) == "; no version of the kind is served"


def test_two_releases_of_one_crd() -> None:
    # The older release serves v1beta1 undeprecated: it stays a candidate (deprecated only where every release
    # that serves it deprecates it), but the version the newer release stores comes first.
    old = crd("Gadget", {"name": "v1alpha1", "served": False}, {"name": "v1beta1", "served": True, "storage": True})
    new = crd("Gadget", {"name": "v1alpha1", "served": False},
              {"name": "v1beta1", "served": True, "deprecated": True},
              {"name": "v1", "served": True, "storage": True})
    assert suggestion(old, new, obj("tools.example.org/v1alpha1", "Gadget")) == (
        "; use tools.example.org/v1, the version the CustomResourceDefinition stores (also served: "
        "tools.example.org/v1beta1)")
    # Both releases deprecate v1beta1: it is no longer a candidate.
    old["spec"]["versions"][1]["deprecated"] = True
    assert suggestion(old, new, obj("tools.example.org/v1alpha1", "Gadget")) == (
        "; use tools.example.org/v1, the version the CustomResourceDefinition stores")


def test_a_version_both_served_and_deprecated_is_deprecated_not_removed() -> None:
    gadget = crd("Gadget", {"name": "v1beta1", "served": True, "deprecated": True},
                 {"name": "v1", "served": True, "storage": True})
    docs = (gadget, obj("tools.example.org/v1beta1", "Gadget"))
    assert messages(*docs, rule="removed-api") == []
    # The API server's default warning names the newest served, undeprecated version after the deprecated one;
    # guardlint quotes it and adds nothing.
    assert suggestion(*docs, rule="deprecated-api") == (
        "tools.example.org/v1beta1 Gadget is deprecated by its CustomResourceDefinition among the linted files, and "
        "the API server warns on every request: 'tools.example.org/v1beta1 Gadget is deprecated; use "
        "tools.example.org/v1 Gadget'")


def test_deprecated_api_suggests_no_older_or_deprecated_version() -> None:
    gadget = crd("Gadget", {"name": "v1alpha1", "served": True},
                 {"name": "v1beta1", "served": True, "deprecated": True, "deprecationWarning": "going away"},
                 {"name": "v1beta2", "served": True, "deprecated": True},
                 {"name": "v1", "served": True, "storage": True})
    assert suggestion(gadget, obj("tools.example.org/v1beta1", "Gadget"), rule="deprecated-api").endswith(
        "'going away'; use tools.example.org/v1")
    gadget["spec"]["versions"][3]["deprecated"] = True
    # Only v1alpha1 is undeprecated: an older, less stable version is no replacement.
    assert suggestion(gadget, obj("tools.example.org/v1beta1", "Gadget"), rule="deprecated-api").endswith(
        "'going away'")


def test_a_warning_naming_a_longer_version_does_not_name_the_replacement() -> None:
    gadget = crd("Gadget", {"name": "v1beta1", "served": True, "deprecated": True,
                            "deprecationWarning": "use tools.example.org/v1beta2"},
                 {"name": "v1beta2", "served": True, "deprecated": True},
                 {"name": "v1", "served": True, "storage": True})
    assert suggestion(gadget, obj("tools.example.org/v1beta1", "Gadget"), rule="deprecated-api").endswith(
        "'use tools.example.org/v1beta2'; use tools.example.org/v1")


def test_the_api_servers_default_deprecation_warning() -> None:
    gadget = crd("Gadget", {"name": "v1alpha1", "served": True, "deprecated": True},
                 {"name": "v1beta1", "served": True, "deprecated": True},
                 {"name": "v1beta2", "served": False}, {"name": "v1", "served": True, "storage": True},
                 {"name": "v2alpha1", "served": True})
    assert [v.deprecation for v in version_serving(gadget)] == [
        "tools.example.org/v1alpha1 Gadget is deprecated; use tools.example.org/v1 Gadget",
        "tools.example.org/v1beta1 Gadget is deprecated; use tools.example.org/v1 Gadget", None, None, None]
    assert [v.storage for v in version_serving(gadget)] == [False, False, False, True, False]


def test_kubernetes_version_order() -> None:
    names = ["foo", "v1alpha1", "v1", "v2", "v1beta2", "bar", "v10beta1", "v1beta10", "v2alpha1", "v11alpha2"]
    from functools import cmp_to_key

    assert sorted(names, key=cmp_to_key(compare_kube_versions), reverse=True) == [
        "v2", "v1", "v10beta1", "v1beta10", "v1beta2", "v11alpha2", "v2alpha1", "v1alpha1", "bar", "foo"]
    assert compare_kube_versions("v1", "v1") == 0
