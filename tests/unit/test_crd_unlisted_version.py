"""An object whose apiVersion the run's CustomResourceDefinition of its kind does not list at all is not served
(the API server answers 'no matches for kind'), as one listed without served: true: removed-api, not unknown-kind."""

from __future__ import annotations

from guardlint.api import lint_text

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.org}
spec:
  group: example.org
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {type: object, properties: {size: {type: integer}}}
"""
OBJECTS = """\
---
apiVersion: example.org/v1
kind: Widget
metadata: {name: good, namespace: lab}
spec: {size: 1}
---
apiVersion: example.org/v2
kind: Widget
metadata: {name: newer, namespace: lab}
spec: {size: 1}
---
apiVersion: example.org/v1
kind: Gadget
metadata: {name: other-kind, namespace: lab}
"""


def found(text: str) -> list[tuple[str, str, int, str]]:
    report = lint_text(text, "crd.yaml", select=["schema"])
    return [(f.rule, f.resource.name if f.resource and f.resource.name else "", f.line, f.message)
            for f in report.active]


def test_a_version_the_definition_does_not_list_is_not_served() -> None:
    got = found(CRD + OBJECTS)
    removed = [g for g in got if g[0] == "removed-api"]
    assert [(name, line) for _, name, line, _ in removed] == [("newer", 23)]
    message = removed[0][3]
    assert "does not list version 'v2'" in message and "'widgets.example.org'" in message
    assert "use example.org/v1" in message
    # a kind no definition of the run defines stays unknown-kind, and a listed version is validated as before
    assert [name for rule, name, _, _ in got if rule == "unknown-kind"] == ["other-kind"]


def test_without_the_definition_the_version_stays_unknown() -> None:
    got = found(OBJECTS)
    assert not [g for g in got if g[0] == "removed-api"]
    assert ("unknown-kind", "newer") in [(rule, name) for rule, name, _, _ in got]
