"""YAML or JSON text -> documents with plain data, their composed nodes (for positions) and load errors.

The text is split into documents on ``---`` / ``...`` markers first, so a syntax error in one document is
a located error for that document while the others still load. Each document is composed with PyYAML's
C composer (the pure-Python one when libyaml is missing); the plain data is built from the composed
nodes by one walk that also notes duplicate keys and bounds alias expansion.

Scalars follow PyYAML's YAML 1.1 resolution (``yes``/``on`` are booleans, ``0755`` is octal), which is
also what Kubernetes' own YAML decoder (go-yaml v2 via sigs.k8s.io/yaml) does. Timestamps and binary
scalars stay strings, as Kubernetes sees them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from guardlint.findings import ErrorKind, InputError
from guardlint.model.paths import FieldPath
from guardlint.source.directives import Directive, scan_directives

MAX_DEPTH = 500
"""Deeper nesting is rejected: no Kubernetes object comes near it, and libyaml's composer recurses."""

_ALIAS_BUDGET_FLOOR = 200_000

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_MARKER = re.compile(r"^(---|\.\.\.)(?=[ \t\r\n]|$)", re.MULTILINE)
_SOURCE = re.compile(r"^#\s*Source:\s*(\S.*?)\s*$")
_HELM_ACTION = re.compile(
    r"\{\{-?\s*(?:[^{}]*?\.(?:Values|Release|Chart|Capabilities|Files|Template)\b|include\s|toYaml\b|tpl\s|define\s)"
)
_HELM_CONTROL_LINE = re.compile(r"^\s*\{\{-?\s*(?:if|else|end|range|with|define|template|include|/\*)\b", re.M)

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    path: FieldPath
    line: int
    column: int
    first_line: int


@dataclass(frozen=True, slots=True, eq=False)
class Document:
    """One YAML document of a file: its data, its composed node tree and its place in the file."""

    file: str
    index: int
    data: Any
    root: Node | None
    line_offset: int
    """0-based line of the document's first line in the file (node marks are relative to it)."""
    index_offset: int
    start_line: int
    end_line: int
    origin: str | None
    directives: tuple[Directive, ...]
    duplicate_keys: tuple[DuplicateKey, ...]
    content_line: int
    """1-based line where the document's content starts (after ``---`` and leading comments)."""


@dataclass(frozen=True, slots=True)
class LoadedText:
    file: str
    documents: tuple[Document, ...]
    errors: tuple[InputError, ...]


@dataclass(frozen=True, slots=True)
class _Chunk:
    text: str
    line: int  # 0-based line offset in the file
    index: int  # character offset in the file
    end_line: int  # 0-based last line


class _TooDeep(Exception):
    def __init__(self, line: int, column: int) -> None:
        super().__init__(line, column)
        self.line = line
        self.column = column


class _AliasBomb(Exception):
    pass


def split_documents(text: str) -> list[_Chunk]:
    """Split a YAML stream at document markers, keeping ``%`` directives with the document they precede."""
    starts: list[int] = [0]
    for m in _MARKER.finditer(text):
        if m.group(1) == "---":
            pos = m.start()
            # Pull preceding %-directive lines into this document.
            back = pos
            while back > 0:
                prev_start = text.rfind("\n", 0, back - 1) + 1
                if text.startswith("%", prev_start):
                    back = prev_start
                else:
                    break
            if back > starts[-1]:
                starts.append(back)
            elif back == starts[-1]:
                continue
        else:
            nl = text.find("\n", m.end())
            if nl < 0:
                continue
            if nl + 1 > starts[-1]:
                starts.append(nl + 1)
    chunks: list[_Chunk] = []
    line = 0
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        if end <= start and i > 0:
            continue
        body = text[start:end]
        nlines = body.count("\n")
        chunks.append(_Chunk(body, line, start, line + max(nlines - (1 if body.endswith("\n") else 0), 0)))
        line += nlines
    return chunks


def detect_unrendered_template(text: str) -> tuple[int, int] | None:
    """Return the 1-based (line, column) of the first Helm template action, or None.

    Only Helm-specific actions count (``.Values``, ``.Release``, ``include``, control lines such as
    ``{{- if``): Argo Workflows ``{{inputs.parameters.x}}`` and Prometheus ``{{ $labels.x }}`` strings
    are ordinary data in rendered manifests.
    """
    if "{{" not in text:
        return None
    m = _HELM_ACTION.search(text) or _HELM_CONTROL_LINE.search(text)
    if m is None:
        return None
    start = m.start()
    if text[start].isspace():
        start = text.index("{{", start)
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return line, column


def load_text(text: str, file: str) -> LoadedText:
    """Load every document of ``text``; never raises for bad input."""
    if text.startswith("\ufeff"):
        text = text[1:]
    helm = detect_unrendered_template(text)
    if helm is not None:
        err = InputError(
            ErrorKind.UNRENDERED_TEMPLATE,
            file,
            helm[0],
            helm[1],
            "this is an unrendered Helm template (it contains template actions such as '{{ .Values }}'); "
            "render it first",
            hint="run 'helm template RELEASE CHART | guardlint check -' and lint the rendered output",
        )
        return LoadedText(file, (), (err,))
    if file.endswith(".json") and "\t" in text:
        # JSON allows tabs as whitespace, YAML does not; outside strings they are only whitespace and
        # inside strings JSON forbids raw tabs, so a one-for-one replacement keeps every position.
        text = text.replace("\t", " ")
    documents: list[Document] = []
    errors: list[InputError] = []
    builder = _Builder()
    for number, chunk in enumerate(split_documents(text)):
        doc, problem = _load_chunk(chunk, number, file, builder)
        if problem is not None:
            errors.append(problem)
        if doc is not None:
            documents.append(doc)
    return LoadedText(file, tuple(documents), tuple(errors))


def _load_chunk(chunk: _Chunk, number: int, file: str, builder: _Builder) -> tuple[Document | None, InputError | None]:
    body = chunk.text
    try:
        _check_depth(body)
        root = yaml.compose(body, Loader=_Loader)
    except _TooDeep as exc:
        return None, InputError(
            ErrorKind.TOO_DEEP,
            file,
            chunk.line + exc.line + 1,
            exc.column + 1,
            f"nesting deeper than {MAX_DEPTH} levels; no Kubernetes object is this deep",
        )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = chunk.line + (mark.line if mark else 0) + 1
        column = (mark.column if mark else 0) + 1
        problem = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        return None, InputError(ErrorKind.YAML_SYNTAX, file, line, column, f"{problem}{context}")
    except yaml.YAMLError as exc:  # pragma: no cover - libyaml reports marks for all syntax errors
        return None, InputError(ErrorKind.YAML_SYNTAX, file, chunk.line + 1, 1, str(exc))
    except RecursionError:
        return None, InputError(
            ErrorKind.TOO_DEEP, file, chunk.line + 1, 1, f"nesting deeper than {MAX_DEPTH} levels"
        )
    if root is None:
        return None, None
    try:
        data, dups = builder.build(root, budget=max(_ALIAS_BUDGET_FLOOR, 4 * len(body)))
    except _AliasBomb:
        mark = root.start_mark
        return None, InputError(
            ErrorKind.ALIAS_BOMB,
            file,
            chunk.line + mark.line + 1,
            mark.column + 1,
            "YAML aliases expand to far more values than the text holds (an alias bomb); refusing to expand",
        )
    except RecursionError:
        return None, InputError(
            ErrorKind.TOO_DEEP, file, chunk.line + 1, 1, f"nesting deeper than {MAX_DEPTH} levels"
        )
    origin = None
    lines = body.split("\n", 40)[:40]
    content_line = chunk.line + root.start_mark.line + 1
    for raw in lines:
        stripped = raw.strip()
        m = _SOURCE.match(stripped)
        if m:
            origin = m.group(1)
            break
    directives = scan_directives(body, chunk.line) if "guardlint" in body else ()
    doc = Document(
        file=file,
        index=number,
        data=data,
        root=root,
        line_offset=chunk.line,
        index_offset=chunk.index,
        start_line=chunk.line + 1,
        end_line=chunk.end_line + 1,
        origin=origin,
        directives=directives,
        duplicate_keys=tuple(
            DuplicateKey(path, chunk.line + line + 1, col + 1, chunk.line + first + 1)
            for path, line, col, first in dups
        ),
        content_line=content_line,
    )
    return doc, None


def _leading_run(body: str) -> int:
    longest = 0
    for m in re.finditer(r"^[ \t?:-]+", body, re.MULTILINE):
        n = m.end() - m.start()
        if n > longest:
            longest = n
    return longest


def _check_depth(body: str) -> None:
    """Reject documents nested deeper than MAX_DEPTH before libyaml's recursive composer sees them."""
    bound = body.count("[") + body.count("{") + _leading_run(body) + 1
    if bound <= MAX_DEPTH:
        return
    depth = 0
    for event in yaml.parse(body, Loader=_Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                raise _TooDeep(mark.line if mark else 0, mark.column if mark else 0)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


class _Builder:
    """Turns composed nodes into plain Python data (dict, list, str, int, float, bool, None)."""

    def __init__(self) -> None:
        self._constructor = SafeConstructor()

    def build(self, root: Node, budget: int) -> tuple[Any, list[tuple[FieldPath, int, int, int]]]:
        dups: list[tuple[FieldPath, int, int, int]] = []
        remaining = [budget]
        constructor = self._constructor

        def scalar(node: ScalarNode) -> Any:
            tag = node.tag
            if tag == _STR:
                return node.value
            if tag == _NULL:
                return None
            if tag == _BOOL:
                return constructor.construct_yaml_bool(node)
            if tag == _INT:
                return constructor.construct_yaml_int(node)
            if tag == _FLOAT:
                return constructor.construct_yaml_float(node)
            return node.value

        def walk(node: Node, path: tuple[str | int, ...], track: bool) -> Any:
            remaining[0] -= 1
            if remaining[0] < 0:
                raise _AliasBomb
            if isinstance(node, ScalarNode):
                return scalar(node)
            if isinstance(node, SequenceNode):
                return [walk(child, (*path, i), track) for i, child in enumerate(node.value)]
            if isinstance(node, MappingNode):
                return mapping(node, path, track)
            return None  # pragma: no cover - only three node kinds exist

        def mapping(node: MappingNode, path: tuple[str | int, ...], track: bool) -> dict[str, Any]:
            out: dict[str, Any] = {}
            merges: list[Node] = []
            seen: dict[str, int] | None = {} if track else None
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE:
                    merges.append(value_node)
                    continue
                key = key_node.value if isinstance(key_node, ScalarNode) else _complex_key(key_node)
                if seen is not None:
                    first = seen.get(key)
                    if first is not None:
                        dups.append(((*path, key), key_node.start_mark.line, key_node.start_mark.column, first))
                    else:
                        seen[key] = key_node.start_mark.line
                out[key] = walk(value_node, (*path, key), track)
            if merges:
                for source in _merge_sources(merges):
                    # Keys from a merge never override explicit keys; earlier sources win over later ones.
                    merged = mapping(source, path, False)
                    for k, v in merged.items():
                        out.setdefault(k, v)
            return out

        data = walk(root, (), True)
        return data, dups


def _merge_sources(values: list[Node]) -> Iterator[MappingNode]:
    for value in values:
        if isinstance(value, MappingNode):
            yield value
        elif isinstance(value, SequenceNode):
            for item in value.value:
                if isinstance(item, MappingNode):
                    yield item


def _complex_key(node: Node) -> str:
    # Kubernetes rejects non-scalar keys; keep a readable stand-in so the rest of the object still loads.
    return f"<complex key at line {node.start_mark.line + 1}>"
