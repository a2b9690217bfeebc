"""A CustomResourceDefinition version is served only with ``served: true``: the field is a required boolean of
CustomResourceDefinitionVersion (apiextensions.k8s.io/v1 and v1beta1), which the API server decodes as false when
it is missing; a value that is not a boolean makes it reject the definition."""

from __future__ import annotations

from typing import Any

import pytest

from guardlint.api import lint_text
from guardlint.apischema.crd import crd_versions, version_serving

SCHEMA = {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object", "properties": {
    "size": {"type": "integer"}}}}}}


def crd(served: dict[str, Any], api_version: str = "apiextensions.k8s.io/v1") -> dict[str, Any]:
    return {"apiVersion": api_version, "kind": "CustomResourceDefinition", "metadata": {"name": "widgets.example.org"},
            "spec": {"group": "example.org", "names": {"kind": "Widget", "plural": "widgets"}, "scope": "Namespaced",
                     "versions": [{"name": "v1", "storage": True, "schema": SCHEMA, **served}]}}


@pytest.mark.parametrize(("served", "is_served", "how"), [
    ({"served": True}, True, ""),
    ({"served": False}, False, "with served: false"),
    ({}, False, "without served (a required field: the API server reads a missing one as false)"),
    ({"served": "true"}, False, ("with served: 'true', not a boolean (the API server rejects the "
                                 "CustomResourceDefinition)")),
    ({"served": None}, False, "with served: None, not a boolean (the API server rejects the CustomResourceDefinition)"),
])
@pytest.mark.parametrize("api_version", ["apiextensions.k8s.io/v1", "apiextensions.k8s.io/v1beta1"])
def test_only_served_true_serves(served: dict[str, Any], is_served: bool, how: str, api_version: str) -> None:
    [version] = version_serving(crd(served, api_version))
    assert (version.served, version.unserved) == (is_served, how)
    assert [v.api_version for v in crd_versions(crd(served, api_version))] == (["example.org/v1"] if is_served else [])


def test_a_v1beta1_definition_with_one_version_field_serves_it() -> None:
    definition = crd({})
    definition["apiVersion"] = "apiextensions.k8s.io/v1beta1"
    definition["spec"] = {**definition["spec"], "version": "v1"}
    del definition["spec"]["versions"]
    [version] = version_serving(definition)
    assert version.served and version.storage


TEXT = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.org}
spec:
  group: example.org
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
    - name: v1
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {type: object, properties: {size: {type: integer}}}
---
apiVersion: example.org/v1
kind: Widget
metadata: {name: w, namespace: lab}
spec: {size: big}
"""


def test_objects_of_a_version_without_served_are_not_served_and_the_definition_is_reported() -> None:
    report = lint_text(TEXT, "crd.yaml", select=["schema"])
    found = [(f.rule, f.resource.kind if f.resource else None, f.line) for f in report.active]
    assert ("missing-required-field", "CustomResourceDefinition", 9) in found
    assert ("removed-api", "Widget", 17) in found
    # the version is not served, so its schema validates nothing (as for served: false)
    assert not [f for f in report.active if f.rule == "wrong-field-type"]
    served = lint_text(TEXT.replace("    - name: v1\n", "    - name: v1\n      served: true\n"), "crd.yaml",
                       select=["schema"])
    assert [(f.rule, f.line) for f in served.active] == [("wrong-field-type", 21)]  # one line further down
