"""Objects embedded as text in other objects: an Argo Workflows ``resource`` template's ``manifest``.

An Argo ``resource`` template (``resource: {action: create, manifest: |...}``) carries a Kubernetes object as a
YAML or JSON string, which the workflow creates when it runs. guardlint lints it as an object of its own, an
extra document of the file (``embedded_documents``), with exact positions in the file:

- The manifest must be a literal block scalar (``|``, ``|-``, ``|+``, with or without an indentation
  indicator): its content lines are lines of the file, so the text made of exactly those lines, each kept
  whole with its indentation and at its own line number, is YAML whose every line and column is the file's.
  It is used only when it loads to the same data as the string Argo reads (the scalar's value); otherwise
  (a ``---`` inside, which the indentation hides, or anything else that differs) the manifest is not linted.
- Other styles (plain, quoted, folded) fold or unescape their lines, so no place in the string is a place in
  the file: such a manifest is not linted. Both cases are said once each, located at the ``manifest`` field,
  as a run warning.
- Argo substitutes its expressions (``{{inputs.parameters.x}}``, ``{{workflow.name}}``) in the text before
  the object is read: they are masked (``source/argoexpr.py``: same length, same columns), so
  ``name: {{workflow.name}}`` reads as a string; the object keeps them as written, and the run knows its
  values hold expressions (``Embedded.expressions``). A manifest that is not YAML even then is not linted
  (a located warning: not YAML as written, or not until Argo substitutes its expressions).
- Which manifests: ``create``, ``apply`` and ``replace`` make the object (linted as a whole object);
  ``patch`` with the default strategic or a ``merge`` strategy is a partial object (linted as a patch: rules
  that report a missing field skip it, ``model/patches.is_patch``); a ``json`` patch (a list of operations),
  ``get`` and ``delete`` (which only name an object) make nothing to lint. ``manifestFrom`` (an artifact) is
  not in the file.
- Where: the workflow's templates and the inline templates of its DAG tasks and steps, for Workflow,
  WorkflowTemplate, ClusterWorkflowTemplate and CronWorkflow (``spec.workflowSpec``), as a document of its own
  or as an item of a ``kind: List``. The object is made in
  the workflow's namespace unless it names its own (``Embedded.namespace``).
- Bounds: each manifest is loaded by the file loader (its depth limit and its alias budget, proportional to
  the manifest's text, hold as for a file), and manifests inside embedded objects are read down to
  ``MAX_LEVELS`` levels of embedding (an embedded Workflow's own resource templates are one level more).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint._lazyre import lazy
from guardlint._record import NamedTuple
from guardlint.model.paths import FieldPath, to_dotted

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint.source.loader import Document, LoadMemo

ARGO_KINDS = frozenset({"Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow"})
MAX_LEVELS = 3
"""How many levels of embedding are read (a manifest of a Workflow whose own templates have manifests ...)."""

_MAKES_OBJECT = frozenset({"create", "apply", "replace"})
_HEADER = lazy(r"\|(?:[1-9][+-]?|[+-][1-9]?)?(?:[ \t]+#.*)?[ \t]*$")
"""A literal block scalar's header: ``|``, an indentation indicator and a chomping indicator in either order,
then an optional comment."""


class Embedded(NamedTuple):
    """Where an embedded object is written: the document and path of its ``manifest`` string, the template's
    ``resource.action``, and the namespace the workflow makes it in when it names none."""

    host_index: int
    path: FieldPath
    action: str
    namespace: str | None
    patch: bool
    """A partial object (``action: patch``): rules that report a missing field skip it."""


class Found(NamedTuple):
    """One manifest of a document: its path (from the document's root) and template facts."""

    path: FieldPath
    action: str
    strategy: str
    owner: FieldPath = ()
    """The path of the workflow that holds it: ``()`` for the document itself, ``("items", i)`` for an item of a
    ``kind: List``."""


def argo_manifests(data: Any) -> Iterator[Found]:
    """The ``resource.manifest`` strings of an Argo Workflows object's templates (named and inline), the object
    being the document or an item of a ``kind: List`` document (as ``model.resource.resources_of`` reads one)."""
    if type(data) is not dict:
        return
    kind, items = data.get("kind"), data.get("items")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(items, list):
        for i, item in enumerate(items):
            yield from _of_workflow(item, ("items", i))
        return
    yield from _of_workflow(data, ())


def _of_workflow(data: Any, owner: FieldPath) -> Iterator[Found]:
    if type(data) is not dict or data.get("kind") not in ARGO_KINDS:
        return
    api_version = data.get("apiVersion")
    if not isinstance(api_version, str) or not api_version.startswith("argoproj.io/"):
        return
    spec_path: FieldPath = (*owner, "spec", "workflowSpec") if data["kind"] == "CronWorkflow" else (*owner, "spec")
    spec: Any = data
    for part in spec_path[len(owner):]:
        spec = spec.get(part) if isinstance(spec, dict) else None
    templates = spec.get("templates") if isinstance(spec, dict) else None
    if not isinstance(templates, list):
        return
    for i, template in enumerate(templates):
        if not isinstance(template, dict):
            continue
        at: FieldPath = (*spec_path, "templates", i)
        yield from _of_template(template, at, owner)
        dag = template.get("dag")
        tasks = dag.get("tasks") if isinstance(dag, dict) else None
        for j, task in enumerate(tasks if isinstance(tasks, list) else ()):
            if isinstance(task, dict) and isinstance(task.get("inline"), dict):
                yield from _of_template(task["inline"], (*at, "dag", "tasks", j, "inline"), owner)
        steps = template.get("steps")
        for j, group in enumerate(steps if isinstance(steps, list) else ()):
            for k, step in enumerate(group if isinstance(group, list) else ()):
                if isinstance(step, dict) and isinstance(step.get("inline"), dict):
                    yield from _of_template(step["inline"], (*at, "steps", j, k, "inline"), owner)


def _of_template(template: Mapping[str, Any], at: FieldPath, owner: FieldPath) -> Iterator[Found]:
    resource = template.get("resource")
    if not isinstance(resource, dict) or not isinstance(resource.get("manifest"), str):
        return
    action = resource.get("action")
    strategy = resource.get("mergeStrategy")
    yield Found((*at, "resource", "manifest"), action if isinstance(action, str) else "",
                strategy if isinstance(strategy, str) else "strategic", owner)


def _lints(found: Found) -> bool:
    """Whether the manifest is an object (or a partial one) to lint; see the module docstring."""
    if found.action in _MAKES_OBJECT:
        return True
    return found.action == "patch" and found.strategy in ("strategic", "merge")


def embedded_documents(
    host: Document, lines: list[str], starts: list[int], number: int, builder: LoadMemo, nodes: bool,
    level: int = 1,
) -> tuple[list[Document], list[str]]:
    """The objects embedded in ``host`` (a document of the file whose text, as the loader parsed it, has the
    lines ``lines``, starting at the characters ``starts``) as documents numbered from ``number``, and the run
    warnings about manifests that are not linted."""
    docs: list[Document] = []
    warnings: list[str] = []
    for found in argo_manifests(host.data):
        if not _lints(found):
            continue
        made, warning = _embedded(host, lines, starts, found, len(docs) + number, builder, nodes)
        if warning is not None:
            warnings.append(warning)
        if made is None:
            continue
        docs.append(made)
        if level < MAX_LEVELS:
            more, said = embedded_documents(made, lines, starts, len(docs) + number, builder, nodes, level + 1)
            docs.extend(more)
            warnings.extend(said)
    return docs, warnings


def _embedded(host: Document, lines: list[str], starts: list[int], found: Found, number: int, builder: LoadMemo,
              nodes: bool) -> tuple[Document | None, str | None]:
    from guardlint.source.argoexpr import mask
    from guardlint.source.loader import load_block

    where, _ = host.locate(found.path, at_value=True)
    value: Any = host.data
    for part in found.path:
        value = value[part]
    label = f"{host.file}:{where.line}: {to_dotted(found.path)} ({found.action})"
    header_at = where.line - 1
    header = lines[header_at][where.column - 1:] if 0 <= header_at < len(lines) else ""
    if not _HEADER.match(header):
        return None, (f"{label}: not linted: only a literal block scalar ('|') keeps the manifest's lines and "
                      "columns those of the file; write it as 'manifest: |'")
    last = where.end_line if where.end_column > 1 else where.end_line - 1
    first = header_at + 1  # 0-based line of the first content line
    masked_value = mask(value)
    block = "\n".join(lines[first:last]) + "\n"
    masked_block = mask(block)
    if masked_value is None or masked_block is None:
        return None, f"{label}: not linted: the manifest holds private-use characters guardlint uses as markers"
    offset = starts[first]
    made, problem = load_block(masked_block, masked_value, first, offset, number, host, found, builder, nodes)
    if problem is not None:
        return None, f"{label}: not linted: {problem}"
    return made, None


def embedding(host: Document, found: Found) -> Embedded:
    """Where the object of ``found`` (a manifest of ``host``) is written, and the namespace the workflow makes it
    in when it names none (the workflow's own, or for an embedded workflow the one it is made in)."""
    workflow: Any = host.data
    for part in found.owner:  # the item of a List that holds the template
        workflow = workflow[part]
    meta = workflow.get("metadata") if isinstance(workflow, dict) else None
    namespace = meta.get("namespace") if isinstance(meta, dict) else None
    if not isinstance(namespace, str) or not namespace:
        namespace = host.embedded.namespace if host.embedded is not None else None
    return Embedded(host.index, found.path, found.action, namespace, found.action == "patch")
