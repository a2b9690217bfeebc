"""Input errors, documented like rules: what each kind means, why it fails the run, and how to fix it.

An input error is not a finding: guardlint could not read or parse an input (or render a chart or overlay),
so nothing in it was checked. Each kind has a stable name and code (``ErrorKind``); ``guardlint explain
yaml-syntax-error`` shows its page, and ``guardlint docs`` writes the pages next to the rules'. By default
an input error makes the run exit 2 whatever ``--fail-on`` says, because a file that was not checked must
not pass silently; ``--allow-input-errors`` reports them and lets the findings decide the exit code.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from guardlint._record import NamedTuple
from guardlint.findings import ErrorKind


class InputErrorDoc(NamedTuple):
    kind: ErrorKind
    title: str
    meaning: str
    fix: str


_DOCS: tuple[InputErrorDoc, ...] = (
    InputErrorDoc(
        ErrorKind.YAML_SYNTAX, "Input is not valid YAML or JSON",
        "A document of the file does not parse as YAML (or JSON): an unclosed bracket or quote, a bad "
        "indentation, a tab where YAML forbids one, a key without a value. The error is located where the "
        "parser stopped; the file's other documents and every other file are still linted.",
        "Fix the syntax at the reported line and column (the message says what the parser expected). "
        "`kubectl apply` would reject the file too.",
    ),
    InputErrorDoc(
        ErrorKind.UNRENDERED_TEMPLATE, "Input is an unrendered Helm or Go template",
        "The file contains template actions such as `{{ .Values.image }}`: it is a template, not a "
        "manifest, and its objects only exist once the chart is rendered. Templates inside a chart (a folder "
        "with a `Chart.yaml` above them) are skipped with a note instead; this error is for a template "
        "outside any chart.",
        "Render it and lint the output (`helm template RELEASE CHART | guardlint check -`), move it into its "
        "chart, or exclude it with `exclude:` in `.guardlint.yaml`.",
    ),
    InputErrorDoc(
        ErrorKind.ENCODING, "Input is not valid UTF-8 or UTF-16 text",
        "The file's bytes are not valid text in the encodings Kubernetes manifests use (UTF-8, or UTF-16 "
        "with a byte-order mark).",
        "Save the file as UTF-8.",
    ),
    InputErrorDoc(
        ErrorKind.BINARY, "Input is a binary file",
        "The file holds NUL bytes or other binary content, so it is not a YAML or JSON manifest (it was "
        "named explicitly, or has a manifest extension).",
        "Do not pass it to guardlint, or exclude it with `exclude:` in `.guardlint.yaml`.",
    ),
    InputErrorDoc(
        ErrorKind.TOO_LARGE, "Input is larger than the size limit",
        "The file is larger than the size limit (20 MB by default), so it is not read at all: a bound on "
        "what an untrusted repository can make guardlint read. What a Helm chart renders for one values set is "
        "held to the same limit (a template can write without bound): reported at the largest template, and "
        "nothing of that values set is linted.",
        "If the file is a real manifest, raise the limit with `max-file-size-mb:` in `.guardlint.yaml` or "
        "`--max-file-size MB`; otherwise exclude it.",
    ),
    InputErrorDoc(
        ErrorKind.UNREADABLE, "Input cannot be read",
        "The operating system refused to read the file or folder (permissions, a broken symbolic link, an "
        "I/O error), or it is not a regular file.",
        "Check the path and its permissions.",
    ),
    InputErrorDoc(
        ErrorKind.TOO_DEEP, "Input is nested too deeply",
        "A document nests mappings and sequences deeper than guardlint's bound, which no real manifest "
        "needs; the bound keeps a hostile file from exhausting the stack.",
        "Flatten the document; if it is generated, fix the generator.",
    ),
    InputErrorDoc(
        ErrorKind.ALIAS_BOMB, "Input expands YAML aliases beyond the limit",
        "The document's anchors and aliases expand to far more values than its text holds (a \"billion "
        "laughs\" alias bomb), so guardlint refuses to expand it.",
        "Write the values out, or use fewer nested aliases.",
    ),
    InputErrorDoc(
        ErrorKind.NOT_FOUND, "Input path does not exist",
        "A path given on the command line (or as `--context`) does not exist.",
        "Check the spelling of the path and the working directory.",
    ),
    InputErrorDoc(
        ErrorKind.RENDER_FAILED, "A Helm chart or kustomize overlay could not be rendered",
        "guardlint renders charts and overlays before linting them; this one failed to render, so its "
        "objects were not checked. The message carries the renderer's reason.",
        "Fix the chart or overlay so that it renders (`helm template` or `kustomize build` shows the same "
        "problem), or turn rendering off for it.",
    ),
    InputErrorDoc(
        ErrorKind.NO_RENDERER, "No Helm or kustomize renderer is installed",
        "The input needs rendering (a chart or a kustomize overlay) but no renderer for it is available, so "
        "its objects were not checked.",
        "Install the renderer the message names, or render the input yourself and lint the output.",
    ),
    InputErrorDoc(
        ErrorKind.INCOMPLETE_OBJECT, "Object has a kind but no apiVersion, or an apiVersion but no kind",
        "A document (or an item of a `kind: List`) is meant to be a Kubernetes object, since it has object "
        "metadata (`metadata` with a name, namespace, labels or annotations) and a `kind` or an `apiVersion`, "
        "but the other of the two is missing or is not a non-empty string. The API server and `kubectl apply` "
        "reject it, so guardlint does not lint it either, and says so instead of passing over it. The error is "
        "located at the field that is there. Documents without object metadata are not Kubernetes objects and "
        "are skipped as before whatever keys they hold: a Helm `Chart.yaml` (`apiVersion: v2` and no kind), a "
        "chart's values (`kind: DaemonSet` as a setting), compose files, CI workflows, tools' configuration; "
        "so is a `kind: Kustomization` without an apiVersion, which kustomize accepts.",
        "Add the missing field: `apiVersion` with the kind's group and version (`apps/v1` for a Deployment, "
        "`v1` for a ConfigMap), or the `kind`. If the file is not meant for Kubernetes, exclude it with "
        "`exclude:` in `.guardlint.yaml`.",
    ),
    InputErrorDoc(
        ErrorKind.NOT_AN_OBJECT, "A document among Kubernetes objects is not a mapping",
        "A YAML document of a file (or of standard input, or of a chart's rendered output) that holds Kubernetes "
        "objects is a plain string, a number, a boolean or a list instead of a mapping: a stray line between "
        "two `---`, a comment written without its `#`, text a template printed. `kubectl apply` fails on it "
        "(`error validating data: invalid object to validate`, or with `--validate=false` `unable to decode: "
        "json: cannot unmarshal string into Go value of type unstructured.detector`), and so does a GitOps "
        "sync of the file. The error is located at the document's content. Files without any Kubernetes "
        "object (a `.pre-commit-hooks.yaml`, which is a list, an Ansible playbook) are skipped as before.",
        "Delete the stray text, turn it into a comment with `#`, or fix the template that printed it. If the "
        "file is not meant for Kubernetes, exclude it with `exclude:` in `.guardlint.yaml`.",
    ),
)

INPUT_ERRORS: Mapping[ErrorKind, InputErrorDoc] = MappingProxyType({d.kind: d for d in _DOCS})


def find(name: str) -> InputErrorDoc | None:
    """The input error named ``name`` (its name, like ``yaml-syntax-error``, or code, like ``GL001``)."""
    key = name.strip().lower()
    for doc in _DOCS:
        if key in (doc.kind.slug, doc.kind.code.lower()):
            return doc
    return None


_FAILING = (
    "Nothing in an input that could not be read or parsed was checked, so by default the run fails with exit "
    "code 2 even when `--fail-on never` is given. With `--allow-input-errors` the error is still reported (in "
    "every output format) but the exit code depends on the findings alone (and on `--allow-no-objects` when no "
    "object was found). Input errors cannot be suppressed by comments or annotations."
)


def render_page(doc: InputErrorDoc) -> str:
    """The Markdown page of one input error (``guardlint explain`` and ``docs/rules/``)."""
    kind = doc.kind
    return "\n".join([
        f"# {kind.slug} ({kind.code})",
        "",
        "Input error · the run exits 2 whatever `--fail-on` says, unless `--allow-input-errors` is given",
        "",
        f"**{doc.title}.**",
        "",
        "## What it means",
        "",
        doc.meaning,
        "",
        "## How to fix",
        "",
        doc.fix,
        "",
        "## Failing the run or not",
        "",
        _FAILING,
        "",
    ])


def render_index_section() -> list[str]:
    """The input errors' table for the rule index."""
    intro = "Not rules: inputs that could not be read, parsed or rendered (exit code 2 unless `--allow-input-errors`)."
    lines = ["## Input errors", "", intro, "", "| code | name | title |", "|---|---|---|"]
    for doc in _DOCS:
        lines.append(f"| {doc.kind.code} | [{doc.kind.slug}]({doc.kind.slug}.md) | {doc.title} |")
    lines.append("")
    return lines
