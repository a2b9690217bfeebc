"""Argo Workflows ``resource`` templates: the object a ``manifest`` string holds is linted as a document of its own,
with positions that are the file's (``guardlint.source.subdocs``)."""

from __future__ import annotations

import time

import pytest

from guardlint.api import lint_text
from guardlint.source.argoexpr import expression_at, mask, unmask
from guardlint.source.loader import load_text

HEAD = """apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: w-
spec:
  entrypoint: main
  templates:
    - name: main
      resource:
        action: create
"""

POD = ["apiVersion: v1", "kind: Pod", "metadata: {name: p}", "spec:", "  containers:",
       "    - name: c", "      image: alpine:3.19", "      securityContext: {privileged: true}"]


def _manifest(header: str, indent: int = 10, lines: list[str] = POD) -> str:
    return HEAD + f"        manifest: {header}\n" + "".join(" " * indent + line + "\n" for line in lines)


@pytest.mark.parametrize(("header", "indent"), [("|", 10), ("|-", 10), ("|+", 10), ("|2", 10), ("|-2", 10),
                                                ("|2-", 10), ("|4", 12), ("| # the pod", 10)])
def test_literal_blocks_map_line_by_line(header: str, indent: int) -> None:
    text = _manifest(header, indent)
    loaded = load_text(text, "wf.yaml", nodes=False)
    assert not loaded.warnings and len(loaded.documents) == 2
    doc = loaded.documents[1]
    assert doc.index == 1 and doc.embedded is not None and doc.embedded.path[-1] == "manifest"
    assert doc.data["spec"]["containers"][0]["securityContext"] == {"privileged": True}
    location, exact = doc.locate(("spec", "containers", 0, "securityContext", "privileged"))
    line = text.split("\n").index(" " * indent + POD[7]) + 1
    assert exact and (location.line, location.column) == (line, indent + 6 + len("securityContext: {") + 1)
    report = lint_text(text, "wf.yaml", select=["privileged-container"])
    assert [(f.line, f.column, f.fix) for f in report.findings] == [(location.line, location.column, None)]


@pytest.mark.parametrize(("manifest", "said"), [
    ('"apiVersion: v1\\nkind: Pod\\nmetadata: {name: p}"', "only a literal block scalar"),
    ("'apiVersion: v1'", "only a literal block scalar"),
    (">\n          apiVersion: v1\n          kind: Pod\n", "only a literal block scalar"),
    # the error after the block's last line, as for a file
    ("|\n          apiVersion: v1\n          kind: Pod\n          metadata: {name: [p\n", "it is not YAML (line 16"),
    ("|\n          kind: Pod\n          metadata:\n            name: {{=a: b}}\n",
     "not YAML until Argo substitutes its expressions"),
    ("|\n          apiVersion: v1\n          kind: Pod\n          ---\n          apiVersion: v1\n          kind: Pod\n",
     "holds 2 documents"),
])
def test_manifests_that_cannot_be_mapped_are_said_once_and_the_workflow_is_still_linted(
        manifest: str, said: str) -> None:
    text = HEAD + f"        manifest: {manifest}\n" + """    - name: other
      container:
        image: alpine:3.19
        securityContext: {privileged: true}
"""
    loaded = load_text(text, "wf.yaml", nodes=False)
    assert len(loaded.documents) == 1 and not loaded.errors
    (warning,) = loaded.warnings
    assert warning.startswith("wf.yaml:11: spec.templates[0].resource.manifest (create): not linted: ")
    assert said in warning
    report = lint_text(text, "wf.yaml", select=["privileged-container"])
    line = text.split("\n").index("        securityContext: {privileged: true}") + 1
    assert [f.line for f in report.findings] == [line]
    assert report.warnings == (warning,)


def test_actions_and_strategies() -> None:
    def docs(action: str, extra: str = "", lines: list[str] = POD) -> int:
        text = HEAD.replace("action: create", f"action: {action}{extra}") + "        manifest: |\n" + "".join(
            "          " + line + "\n" for line in lines)
        return len(load_text(text, "wf.yaml", nodes=False).documents) - 1

    assert [docs(a) for a in ("create", "apply", "replace", "patch", "get", "delete")] == [1, 1, 1, 1, 0, 0]
    assert docs("patch", "\n        mergeStrategy: merge") == 1
    assert docs("patch", "\n        mergeStrategy: json") == 0
    assert docs("patch", lines=["metadata:", "  annotations: {a: b}"]) == 0  # names its target through flags


def test_a_patch_is_a_partial_object_and_the_workflows_namespace_is_its_own() -> None:
    text = _manifest("|").replace("generateName: w-", "generateName: w-\n  namespace: jobs").replace(
        "action: create", "action: patch")
    loaded = load_text(text, "wf.yaml", nodes=False)
    doc = loaded.documents[1]
    assert doc.embedded is not None and doc.embedded.patch and doc.embedded.namespace == "jobs"
    from guardlint.model.resource import resources_of

    (resource,) = resources_of(doc)
    assert resource.namespace == "jobs"


def test_expressions_keep_columns_and_come_back_as_written() -> None:
    text = "name: {{workflow.name}}-x\nreplicas: {{inputs.parameters.n}}\n"
    masked = mask(text)
    assert masked is not None and len(masked) == len(text) and masked.count("\n") == 2
    loaded = load_text(masked, "m.yaml", nodes=False, embedded=False)
    assert unmask(loaded.documents[0].data) == {"name": "{{workflow.name}}-x", "replicas": "{{inputs.parameters.n}}"}
    assert mask("\ue000") is None
    data = {"spec": {"replicas": "{{x}}", "selector": {"app": "{{y}}"}, "resources": "{{r}}", "ok": {"a": 1}}}
    assert expression_at(data, ("spec", "replicas"))
    assert expression_at(data, ("spec", "selector"))  # a value holding one
    assert expression_at(data, ("spec", "resources", "limits", "memory"))  # under a string Argo fills in
    assert not expression_at(data, ("spec", "ok", "a")) and not expression_at(data, ("spec", "missing"))
    assert expression_at({"{{k}}": 1}, ("other",))  # a mapping with a key Argo fills in


def test_an_alias_bomb_in_a_manifest_is_refused_in_time() -> None:
    bomb = ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: b}", "data:",
            "  a: &a [x, x, x, x, x, x, x, x, x, x]"]
    bomb += [f"  {chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]" for i in range(9)]
    text = _manifest("|", lines=bomb)
    started = time.process_time()
    loaded = load_text(text, "wf.yaml", nodes=False)
    assert time.process_time() - started < 10  # a hang guard only: the budget ends it in milliseconds
    assert len(loaded.documents) == 1
    (warning,) = loaded.warnings
    assert "alias" in warning


def test_embedding_is_read_to_a_bounded_depth() -> None:
    # A Workflow whose manifest is a Workflow whose manifest is ... : MAX_LEVELS levels are read.
    from guardlint.source.subdocs import MAX_LEVELS

    def nest(level: int, indent: int) -> str:
        pad = " " * indent
        body = (f"{pad}apiVersion: argoproj.io/v1alpha1\n{pad}kind: Workflow\n{pad}metadata: {{name: w{level}}}\n"
                f"{pad}spec:\n{pad}  templates:\n{pad}    - name: m\n{pad}      resource:\n"
                f"{pad}        action: create\n{pad}        manifest: |\n")
        return body + (nest(level + 1, indent + 10) if level < 6 else f"{pad}          apiVersion: v1\n"
                       f"{pad}          kind: ConfigMap\n{pad}          metadata: {{name: leaf}}\n")

    loaded = load_text(nest(0, 0), "wf.yaml", nodes=False)
    names = [d.data["metadata"]["name"] for d in loaded.documents]
    assert names == [f"w{i}" for i in range(MAX_LEVELS + 1)]
    assert [d.index for d in loaded.documents] == list(range(MAX_LEVELS + 1))


def test_embedding_can_be_turned_off() -> None:
    assert len(load_text(_manifest("|"), "wf.yaml", nodes=False, embedded=False).documents) == 1


LISTED = """apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: settings, namespace: other}
  - apiVersion: argoproj.io/v1alpha1
    kind: Workflow
    metadata:
      generateName: w-
      namespace: ci
    spec:
      entrypoint: main
      templates:
        - name: main
          resource:
            action: create
            manifest: |
              apiVersion: v1
              kind: Pod
              metadata: {name: p}
              spec:
                containers:
                  - name: c
                    image: alpine:3.19
                    securityContext: {privileged: true}
        - name: quoted
          resource:
            action: create
            manifest: "apiVersion: v1\\nkind: Pod\\nmetadata: {name: q}\\n"
"""


def test_a_workflow_in_a_list_has_its_manifests_linted_at_their_lines() -> None:
    """A workflow that is an item of a ``kind: List`` was not read for manifests: the privileged pod it makes
    went unreported."""
    loaded = load_text(LISTED, "list.yaml", nodes=False)
    embedded = [d for d in loaded.documents if d.embedded is not None]
    assert len(embedded) == 1 and embedded[0].embedded is not None
    assert embedded[0].embedded.path == ("items", 1, "spec", "templates", 0, "resource", "manifest")
    assert embedded[0].embedded.namespace == "ci"  # the workflow's (the item's), not another item's
    report = lint_text(LISTED, "list.yaml", select=["privileged-container"])
    line = LISTED.split("\n").index("                    securityContext: {privileged: true}") + 1
    assert [(f.line, f.column, f.resource.namespace if f.resource else None) for f in report.findings] == [
        (line, 39, "ci")]
    # a manifest that cannot be mapped is said, as for a workflow of its own
    assert [w for w in loaded.warnings if "items[1].spec.templates[1].resource.manifest (create): not linted: "
            "only a literal block scalar" in w], loaded.warnings


def test_a_list_without_workflows_is_not_searched() -> None:
    text = ("apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: c}\n"
            "    data: {manifest: '|'}\n")
    loaded = load_text(text, "list.yaml", nodes=False)
    assert [d.embedded for d in loaded.documents] == [None] and not loaded.warnings
