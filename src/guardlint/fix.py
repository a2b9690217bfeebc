"""``--fix``: apply the value replacements that rules offer, through one safety layer, and write files atomically.

Only what the report shows is changed: each applied fix corresponds to one reported, unsuppressed finding
whose rule offered a ``Fix``. Every change, whoever asks for it, goes through the same layer:

1. **Edits, not text.** A change is an ``Edit``: set the value at a field path of one document. The file is
   parsed again into an *occurrence tree* (the YAML events, with aliases kept as what they are in the
   text) and the path is followed through it, merge keys included, exactly as the loader builds data.
2. **Shared values.** A value that other fields share through an anchor (``&flag``) is only changed in
   place when every field that reads it asks for the same new value. Otherwise an alias (``*flag``) at the
   edited field is replaced by the value itself, so the anchor and every other user keep theirs; and when
   the field sits inside an aliased or merged collection, the fix is refused with a reason.
3. **Rendering.** The new value is written as JSON in a JSON document, and otherwise in the original
   quoting style, keeping the anchor and a tag that still fits the value (a core tag that no longer fits
   is dropped; any other tag makes the fix refuse). Block scalars are refused.
4. **Verification.** The fixed text is loaded again: every document must load, the documents must be the
   same ones, a JSON document must still be JSON, suppression comments must be unchanged, and the data must
   equal the old data with exactly the intended values set, compared strictly (types included). Otherwise
   nothing is written to that file and the reason is reported.
5. **Writing.** The real file behind a symbolic link is replaced (the link stays); a file with several hard
   links, a read-only one (no write permission for its owner) or one whose owner could not be kept is
   refused; the mode and owner are kept. Helm-rendered output
   (the next render would overwrite it), standard input, and files whose bytes would not round-trip (CRLF
   line endings, a byte-order mark) are left alone and reported as such.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Iterable, Sequence

from guardlint._record import NamedTuple
from guardlint._rewrite import file_problem
from guardlint.findings import SAFE, Finding, Fix, Report
from guardlint.model.paths import FieldPath, to_dotted
from guardlint.source.loader import Document, LoadedText, document_chunks, load_text, prepare_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint.report import FixKey

_MERGE_KEY = "<<"
_KEY_USE = "\0key"
"""Marks a reader that uses a scalar as a mapping key (no edit path ends with it)."""
_CORE_TAG = "tag:yaml.org,2002:"
_STR = _CORE_TAG + "str"
_BOOL = _CORE_TAG + "bool"
_INT = _CORE_TAG + "int"
_FLOAT = _CORE_TAG + "float"
_NULL = _CORE_TAG + "null"
_PLAIN_SAFE = re.compile(r"^[A-Za-z0-9_./][A-Za-z0-9_./+@=-]*$")
_PLAIN_SAFE_BLOCK = re.compile(r"^[A-Za-z0-9_./][A-Za-z0-9_./+@=:-]*(?<!:)$")


class Edit(NamedTuple):
    """One intended change to document ``document_index`` at ``path`` (from the document's root): with ``op``
    ``set`` (the default), set the field to ``value`` (a plain Python scalar as the loader reads values, or a
    mapping or list of them), creating missing parent mappings; ``append`` adds ``value`` to the list there
    (made when missing; a value already in it is not added again); ``remove`` deletes the field; ``rename``
    renames its key to ``value``. A parent mapping or an appended-to list written as null (``null``, ``~``,
    nothing) counts as missing, as the Kubernetes API reads it: the null is replaced by what the edits add."""

    document_index: int
    path: FieldPath
    value: Any
    finding: Finding | None = None
    op: str = "set"


class Refusal(NamedTuple):
    edit: Edit
    reason: str


class Plan(NamedTuple):
    """The outcome of planning edits on one text: the new text (None when nothing changes or when the
    whole file is refused), the edits it carries out, the edits refused one by one, and a reason when the
    whole file is refused."""

    text: str | None
    applied: tuple[Edit, ...]
    refused: tuple[Refusal, ...]
    failure: str | None = None


class FixResult(NamedTuple):
    applied: tuple[Finding, ...]
    skipped: tuple[tuple[str, str], ...]
    """(file, reason) for files with fixes that were not applied."""
    refused: tuple[tuple[Finding, str], ...] = ()
    """(finding, reason) for single fixes that were refused while others in the file may apply."""


# --- the occurrence tree ------------------------------------------------------------------------------------


class _Occ:
    """One node as it occurs in the text: a scalar, a mapping, a sequence, or an alias to an anchored node."""

    __slots__ = ("anchor", "content", "end", "flow", "items", "kind", "start", "style", "tag", "target", "value")

    def __init__(self, kind: str, start: int, end: int, *, flow: bool) -> None:
        self.kind = kind
        self.start = start
        self.end = end
        self.content = start
        """Where the scalar's own text starts, after its anchor and tag."""
        self.flow = flow
        self.anchor: str | None = None
        self.tag: str | None = None
        self.style: str | None = None
        self.value = ""
        self.items: list[Any] = []  # mapping: [(key, value)], sequence: [value]
        self.target: _Occ | None = None  # alias: the anchored occurrence


def _occurrences(body: str) -> _Occ | None:
    """The occurrence tree of one document's text (None for an empty document)."""
    import yaml

    from guardlint.source.loader import yaml_loader

    loader = yaml_loader()
    contents = {t.end_mark.index: t.start_mark.index for t in yaml.scan(body, Loader=loader)
                if isinstance(t, yaml.ScalarToken)}
    anchors: dict[str, _Occ] = {}
    stack: list[tuple[_Occ, list[_Occ]]] = []  # open collections and, for mappings, a pending key
    root: _Occ | None = None

    def attach(occ: _Occ) -> None:
        nonlocal root
        if not stack:
            root = occ
            return
        parent, pending = stack[-1]
        if parent.kind == "seq":
            parent.items.append(occ)
        elif pending:
            parent.items.append((pending.pop(), occ))
        else:
            pending.append(occ)

    for ev in yaml.parse(body, Loader=loader):
        # Inside a flow collection at any depth. A collection's ``flow`` already includes its ancestors' (it is
        # made ``flow or flow_style`` below and never changed), so the innermost one answers for the whole
        # stack: one look instead of one per level of nesting for every event.
        flow = stack[-1][0].flow if stack else False
        if isinstance(ev, yaml.ScalarEvent):
            occ = _Occ("scalar", _at(ev.start_mark), _at(ev.end_mark), flow=flow)
            occ.content = contents.get(occ.end, occ.end)
            occ.tag, occ.style, occ.value = ev.tag, ev.style, ev.value
        elif isinstance(ev, yaml.AliasEvent):
            occ = _Occ("alias", _at(ev.start_mark), _at(ev.end_mark), flow=flow)
            occ.anchor = ev.anchor
            occ.target = anchors.get(ev.anchor or "")
            attach(occ)
            continue
        elif isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            kind = "map" if isinstance(ev, yaml.MappingStartEvent) else "seq"
            occ = _Occ(kind, _at(ev.start_mark), _at(ev.end_mark), flow=flow or bool(ev.flow_style))
            occ.tag = ev.tag
            if ev.anchor:
                occ.anchor = ev.anchor
                anchors[ev.anchor] = occ
            stack.append((occ, []))
            continue
        elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            done, _ = stack.pop()
            done.end = _at(ev.end_mark)
            attach(done)
            continue
        else:
            continue
        if ev.anchor:
            occ.anchor = ev.anchor
            anchors[ev.anchor] = occ
        attach(occ)
    return root


def _at(mark: Any) -> int:
    return int(mark.index)


def _resolved(occ: _Occ) -> _Occ:
    return occ.target if occ.kind == "alias" and occ.target is not None else occ


def _key_text(occ: _Occ) -> str | None:
    occ = _resolved(occ)
    return occ.value if occ.kind == "scalar" else None


def _entries(mapping: _Occ) -> list[tuple[str, _Occ]]:
    """The (key, value occurrence) pairs that make up a mapping's data, in the loader's order of precedence:
    explicit keys (the last duplicate wins) before merged ones, earlier merge sources before later ones."""
    out: dict[str, _Occ] = {}
    merged: dict[str, _Occ] = {}
    stack: list[_Occ] = [mapping]
    seen: set[int] = set()
    first = True
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        target = out if first else merged
        sources: list[_Occ] = []
        for k, v in current.items:
            key = _key_text(k)
            if key is None:
                continue
            if key == _MERGE_KEY and _resolved(k).tag in (None, _CORE_TAG + "merge") and not _resolved(k).style:
                rv = _resolved(v)
                if rv.kind == "map":
                    sources.append(rv)
                elif rv.kind == "seq":
                    sources.extend(_resolved(i) for i in rv.items if _resolved(i).kind == "map")
                continue
            if first:
                target[key] = v  # the last duplicate wins
            elif key not in out and key not in merged:
                merged[key] = v
        first = False
        stack.extend(reversed(sources))
    return [*out.items(), *((k, v) for k, v in merged.items() if k not in out)]


def _step(occ: _Occ, part: str | int) -> _Occ | None:
    node = _resolved(occ)
    if node.kind == "seq" and isinstance(part, int):
        return node.items[part] if 0 <= part < len(node.items) else None
    if node.kind == "map" and isinstance(part, str):
        return next((v for k, v in _entries(node) if k == part), None)
    return None


def _follow(root: _Occ, path: FieldPath) -> _Occ | None:
    node: _Occ | None = root
    for part in path:
        node = _step(node, part) if node is not None else None
    return node


def _readers(root: _Occ, limit: int) -> dict[int, list[FieldPath]] | None:
    """For each occurrence (by id), every data path that reads it: an anchored node is read at its own
    place and at each alias or merge that uses it. None when the expansion exceeds ``limit`` paths."""
    readers: dict[int, list[FieldPath]] = {}
    stack: list[tuple[_Occ, FieldPath]] = [(root, ())]
    count = 0
    while stack:
        occ, path = stack.pop()
        count += 1
        if count > limit:
            return None
        readers.setdefault(id(occ), []).append(path)
        node = _resolved(occ)
        if node is not occ:
            readers.setdefault(id(node), []).append(path)
        if node.kind == "seq":
            stack.extend((item, (*path, i)) for i, item in enumerate(node.items))
        elif node.kind == "map":
            stack.extend((v, (*path, k)) for k, v in _entries(node))
            for k, _ in node.items:  # an anchored scalar may also be used as a key, which no edit asks for
                if k.kind == "alias" and k.target is not None:
                    readers.setdefault(id(k.target), []).append((*path, _KEY_USE))
    return readers


def _has_alias(root: _Occ) -> bool:
    stack = [root]
    while stack:
        occ = stack.pop()
        if occ.kind == "alias":
            return True
        if occ.kind == "seq":
            stack.extend(occ.items)
        elif occ.kind == "map":
            for k, v in occ.items:
                stack.append(k)
                stack.append(v)
    return False


# --- rendering ----------------------------------------------------------------------------------------------


def _type_tag(value: Any) -> str:
    if value is None:
        return _NULL
    if isinstance(value, bool):
        return _BOOL
    if isinstance(value, int):
        return _INT
    if isinstance(value, float):
        return _FLOAT
    return _STR


def _plain(value: Any) -> str | None:
    """The plain YAML text of a non-string scalar."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        text = repr(value)
        return text if "." in text and "e" not in text else None
    return None


def _plain_string(value: str, flow: bool) -> str | None:
    """``value`` as a plain scalar when it reads back as that same string, else None."""
    from yaml.nodes import ScalarNode
    from yaml.resolver import Resolver

    if not (_PLAIN_SAFE if flow else _PLAIN_SAFE_BLOCK).match(value):
        return None
    if Resolver().resolve(ScalarNode, value, (True, False)) != _STR:  # type: ignore[no-untyped-call]
        return None
    from guardlint.source.scalars import STR, resolve_plain

    # What Kubernetes (go-yaml v2) reads it as, too: ``y`` and ``1e3`` are no strings there.
    return value if resolve_plain(value)[0] == STR else None


def _quoted(value: str, style: str | None) -> str:
    if style == "'" and value.isprintable():
        return "'" + value.replace("'", "''") + "'"
    return json.dumps(value, ensure_ascii=False)


def _render(value: Any, occ: _Occ, *, json_doc: bool, keep_tag: bool) -> str | None:
    """The text of ``value`` in place of the scalar ``occ`` (its tag kept when ``keep_tag``)."""
    if json_doc:
        return json.dumps(value, ensure_ascii=False, allow_nan=False) if _plain(value) is not None or isinstance(
            value, str) else None
    if not isinstance(value, str):
        return _plain(value)
    if keep_tag or occ.style in ("'", '"'):
        return _quoted(value, occ.style) if occ.style in ("'", '"') else (
            _plain_string(value, occ.flow) or _quoted(value, "'"))
    return _plain_string(value, occ.flow) or _quoted(value, "'")


def _tag_fits(tag: str | None, value: Any) -> bool:
    """Whether a scalar written with ``tag`` (None: no tag) can hold ``value`` as the loader reads it."""
    if tag is None:
        return True
    if tag in (_BOOL, _INT, _FLOAT, _NULL):
        return _type_tag(value) == tag
    return isinstance(value, str)  # !!str, '!' and any other tag: the loader reads the text as a string


class _TextEdit(NamedTuple):
    start: int
    end: int
    text: str


def _scalar_edit(occ: _Occ, body: str, value: Any, *, json_doc: bool) -> _TextEdit | str:
    """The text edit that sets the scalar ``occ`` (in place, keeping anchor and fitting tag) to ``value``."""
    if occ.style in ("|", ">"):
        return "the value is a block scalar ('|' or '>'); edit it by hand"
    if occ.content >= occ.end:
        return "the value is empty in the source"
    tag = occ.tag if occ.tag != "!" else _STR
    if _tag_fits(tag, value):
        text = _render(value, occ, json_doc=json_doc, keep_tag=tag is not None)
        if text is None:
            return f"cannot write {value!r} here"
        return _TextEdit(occ.content, occ.end, text)
    if tag is not None and not tag.startswith(_CORE_TAG):
        written = body[occ.start:occ.content].rsplit(maxsplit=1)[-1]
        return f"the value carries the tag {written!r}, which the fixed value cannot keep"
    text = _render(value, occ, json_doc=json_doc, keep_tag=False)
    if text is None:
        return f"cannot write {value!r} here"
    prefix = f"&{occ.anchor} " if occ.anchor else ""
    return _TextEdit(occ.start, occ.end, prefix + text)


def _alias_edit(occ: _Occ, value: Any) -> _TextEdit | str:
    """Replace the alias ``occ`` (``*name``) by the value itself: the anchor and its other users keep theirs."""
    style = occ.target.style if occ.target is not None else None
    if isinstance(value, str) and style in ("'", '"'):
        text: str | None = _quoted(value, style)  # the anchor's quoting
    elif isinstance(value, str):
        text = _plain_string(value, occ.flow) or _quoted(value, "'")
    else:
        text = _plain(value)
    if text is None:
        return f"cannot write {value!r} here"
    return _TextEdit(occ.start, occ.end, text)


# --- planning and verification ------------------------------------------------------------------------------


def _is_json(body: str, file: str) -> bool:
    if file.endswith(".json"):
        return True
    stripped = body.strip()
    if not stripped.startswith(("{", "[")):
        return False
    try:
        json.loads(stripped)
    except ValueError:
        return False
    return True


def _doc_edits(body: str, file: str, edits: Sequence[Edit]) -> tuple[list[tuple[_TextEdit, Edit]], list[Refusal]]:
    """Text edits (relative to ``body``) for the edits of one document, and the refusals."""
    root = _occurrences(body)
    planned: list[tuple[_TextEdit | str, Edit]] = []
    refused: list[Refusal] = []
    if root is None:
        return [], [Refusal(e, "the document is empty") for e in edits]
    json_doc = _is_json(body, file)
    readers = None
    if _has_alias(root):
        readers = _readers(root, max(200_000, 4 * len(body)))
        if readers is None:
            return [], [Refusal(e, "the document uses too many aliases to check what else an edit would change")
                        for e in edits]
    wanted: dict[FieldPath, Any] = {}
    for e in edits:
        if e.op == "set":
            wanted.setdefault(e.path, e.value)

    def all_agree(paths: Iterable[FieldPath], value: Any) -> bool:
        return all(p in wanted and _same_value(wanted[p], value) for p in paths)

    structural = _Structural(body, root, readers, json_doc)
    for e in edits:
        conflict = structural.conflict(e)
        if conflict is not None:
            refused.append(Refusal(e, conflict))
            continue
        chain = _chain(root, e.path)
        if e.op != "set" or len(chain) <= len(e.path) or isinstance(e.value, (dict, list)):
            problem = structural.add(e, chain)
            if problem is not None:
                refused.append(Refusal(e, problem))
            continue
        occ = chain[-1]
        node = _resolved(occ)
        if node.kind != "scalar":
            refused.append(Refusal(e, "the field does not hold a single value"))
            continue
        if not _same_value(wanted[e.path], e.value):
            refused.append(Refusal(e, "two fixes set the same field to different values"))
            continue
        structural.claim(e)
        shared_ok = readers is None or all_agree(readers.get(id(node), [e.path]), e.value)
        if shared_ok:
            planned.append((_scalar_edit(node, body, e.value, json_doc=json_doc), e))
        elif occ.kind == "alias" and all_agree(readers.get(id(occ), [e.path]) if readers else [e.path], e.value):
            planned.append((_alias_edit(occ, e.value), e))
        else:
            others = [p for p in (readers or {}).get(id(node), []) if p != e.path]
            where = ""
            if others:
                other = others[0]
                shown = f"a key in {to_dotted(other[:-1]) or 'the document'}" if other[-1:] == (_KEY_USE,) else (
                    to_dotted(other))
                where = f" (also read at {shown})"
            how = (f"through the YAML anchor '&{node.anchor}'" if node.anchor
                   else "because it sits in a collection shared through a YAML anchor or merge key")
            refused.append(Refusal(
                e, f"the value is shared {how}{where}; changing it here would change the other uses too"))
    planned.extend(structural.text_edits())
    kept: list[tuple[_TextEdit, Edit]] = []
    for text_edit, e in planned:
        if isinstance(text_edit, str):
            refused.append(Refusal(e, text_edit))
        else:
            kept.append((text_edit, e))
    return kept, refused


# --- structural edits: insert, append, remove, rename --------------------------------------------------------


def _chain(root: _Occ, path: FieldPath) -> list[_Occ]:
    """The occurrences along ``path`` from the root, as far as the path exists (the root first)."""
    out = [root]
    for part in path:
        nxt = _step(out[-1], part)
        if nxt is None:
            break
        out.append(nxt)
    return out


def _col(body: str, pos: int) -> int:
    return pos - (body.rfind("\n", 0, pos) + 1)


def _last_end(occ: _Occ, body: str) -> int:
    """Where the text of ``occ`` ends (for a block collection: where its last value ends; for a block scalar:
    after its last character that is not a space or a line break, since the parser's end of a block scalar
    may lie past the indentation of the next line)."""
    while occ.kind in ("map", "seq") and not occ.flow and occ.items:
        last = occ.items[-1]
        occ = last[1] if occ.kind == "map" else last
    if occ.kind == "scalar" and occ.style in ("|", ">"):
        return max(occ.start + 1, len(body[:occ.end].rstrip(" \t\n")))
    return occ.end


def _after_line(body: str, end: int) -> int:
    """The index just past the line break that ends the line holding ``end`` (a block scalar's text already
    ends with its line break)."""
    if end > 0 and body[end - 1] == "\n":
        return end
    nl = body.find("\n", end)
    return len(body) if nl < 0 else nl + 1


def _past_comments(body: str, pos: int, indent: int) -> int:
    """``pos`` (a line start or the end of the text) moved past the comment lines that follow it indented
    deeper than ``indent``, and the blank lines among them: those comment on the nested block above."""
    best = i = pos
    while i < len(body):
        nl = body.find("\n", i)
        line_end = len(body) if nl < 0 else nl + 1
        line = body[i:line_end]
        stripped = line.strip()
        if stripped and not (stripped.startswith("#") and len(line) - len(line.lstrip(" ")) > indent):
            break
        if stripped:
            best = line_end
        i = line_end
    return best


def _layout(root: _Occ, body: str) -> tuple[int, int]:
    """The document's indentation step for nested mappings and the offset of a block list's dash from its
    key, as the document writes them (2 and 2 when it shows neither)."""
    step = offset = None
    stack = [root]
    while stack and (step is None or offset is None):
        occ = stack.pop()
        if occ.kind == "map" and not occ.flow:
            for k, v in occ.items:
                if v.kind == "map" and not v.flow and v.items and step is None:
                    step = _col(body, v.items[0][0].start) - _col(body, k.start)
                elif v.kind == "seq" and not v.flow and v.items and offset is None:
                    offset = _col(body, v.start) - _col(body, k.start)
                stack.append(v)
        elif occ.kind == "seq" and not occ.flow:
            stack.extend(occ.items)
    step = step if step is not None and 1 <= step <= 8 else 2
    offset = offset if offset is not None and 0 <= offset <= 8 else step
    return step, offset


def _json_step(root: _Occ, body: str) -> int:
    stack = [root]
    while stack:
        occ = stack.pop()
        if occ.kind == "map":
            for k, v in occ.items:
                if v.kind == "map" and v.items:
                    inner = _col(body, v.items[0][0].start) - _col(body, k.start)
                    if 1 <= inner <= 8 and body.count("\n", k.start, v.items[0][0].start):
                        return inner
                stack.append(v)
        elif occ.kind == "seq":
            stack.extend(occ.items)
    return 2


def _scalar_text(value: Any, *, flow: bool, json_doc: bool) -> str | None:
    if json_doc:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    if isinstance(value, str):
        return _plain_string(value, flow) or json.dumps(value, ensure_ascii=False)
    return _plain(value)


def _flow_text(value: Any, *, json_doc: bool) -> str | None:
    """``value`` written on one line in flow style (JSON in a JSON document)."""
    if isinstance(value, dict):
        parts = []
        for k, v in value.items():
            key, text = _scalar_text(str(k), flow=True, json_doc=json_doc), _flow_text(v, json_doc=json_doc)
            if key is None or text is None:
                return None
            parts.append(f"{key}: {text}")
        return "{" + ", ".join(parts) + "}"
    if isinstance(value, list):
        items = [_flow_text(v, json_doc=json_doc) for v in value]
        return None if any(i is None for i in items) else "[" + ", ".join(i for i in items if i is not None) + "]"
    return _scalar_text(value, flow=True, json_doc=json_doc)


def _block_lines(tree: dict[str, Any], indent: int, step: int, offset: int) -> list[str] | None:
    """The lines of block YAML that write the mapping ``tree`` at ``indent``."""
    lines: list[str] = []
    pad = " " * indent
    for k, v in tree.items():
        key = _scalar_text(k, flow=False, json_doc=False)
        if key is None:
            return None
        if isinstance(v, dict) and v:
            inner = _block_lines(v, indent + step, step, offset)
            if inner is None:
                return None
            lines.append(f"{pad}{key}:")
            lines.extend(inner)
        elif isinstance(v, list) and v:
            lines.append(f"{pad}{key}:")
            dash = " " * (indent + offset) + "- "
            for item in v:
                if isinstance(item, dict) and item:
                    sub = _block_lines(item, indent + offset + 2, step, offset)
                    if sub is None:
                        return None
                    lines.append(dash + sub[0].lstrip(" "))
                    lines.extend(sub[1:])
                else:
                    text = _flow_text(item, json_doc=False)
                    if text is None:
                        return None
                    lines.append(dash + text)
        else:
            text = _flow_text(v, json_doc=False)
            if text is None:
                return None
            lines.append(f"{pad}{key}: {text}")
    return lines


def _json_pretty(value: Any, indent: int, step: int) -> str:
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, indent=step)
    return text.replace("\n", "\n" + " " * indent)


class _Insert:
    __slots__ = ("edits", "occ", "tree")

    def __init__(self, occ: _Occ) -> None:
        self.occ = occ
        self.tree: dict[str, Any] = {}
        self.edits: list[Edit] = []


class _Structural:
    """The structural edits of one document: what goes into which mapping or list, what is removed or
    renamed; ``text_edits`` turns them into text edits."""

    def __init__(self, body: str, root: _Occ, readers: dict[int, list[FieldPath]] | None, json_doc: bool) -> None:
        self.body, self.root, self.readers, self.json_doc = body, root, readers, json_doc
        self.inserts: dict[int, _Insert] = {}
        self.appends: dict[int, _Insert] = {}
        self.fills: dict[int, _Insert] = {}  # null scalars replaced by what the edits add (tree key "")
        self.removals: list[tuple[Edit, _Occ, int]] = []  # (edit, parent, item index)
        self.renames: list[tuple[Edit, _Occ]] = []  # (edit, key occurrence)
        self.claimed: dict[FieldPath, Edit] = {}
        self.cut: list[FieldPath] = []  # removed or renamed paths

    def claim(self, e: Edit) -> None:
        self.claimed.setdefault(e.path, e)
        if e.op in ("remove", "rename"):
            self.cut.append(e.path)

    def conflict(self, e: Edit) -> str | None:
        """Why ``e`` cannot go with the edits already taken (None when it can)."""
        for path in self.cut:
            if e.path[:len(path)] == path:
                return "another fix removes or renames this field"
        if e.op in ("remove", "rename") and any(p[:len(e.path)] == e.path for p in self.claimed):
            return "another fix changes a field inside the one this fix removes or renames"
        prior = self.claimed.get(e.path)
        if prior is not None and (prior.op != e.op or (e.op in ("remove", "rename") and prior.value != e.value)):
            return "another fix changes the same field differently"
        return None

    def _shared(self, chain: Sequence[_Occ]) -> str | None:
        if any(occ.kind == "alias" for occ in chain[1:]):
            return ("the field sits in a collection shared through a YAML alias; changing it would change the "
                    "other uses too")
        target = _resolved(chain[-1])
        if self.readers is not None and len(self.readers.get(id(target), ())) > 1:
            return ("the field sits in a collection shared through a YAML anchor; changing it would change the "
                    "other uses too")
        if target.kind == "map" and any(_key_text(k) == _MERGE_KEY for k, _ in target.items):
            return "the mapping takes keys from a YAML merge key (<<); edit it by hand"
        return None

    def add(self, e: Edit, chain: list[_Occ]) -> str | None:
        full = len(chain) == len(e.path) + 1
        if e.op in ("remove", "rename"):
            if not full:
                return "the field is no longer where the finding was (the file changed)"
            parent = _resolved(chain[-2])
            problem = self._shared(chain[:-1])
            if problem is not None:
                return problem
            index = self._item_index(parent, e.path[-1])
            if index is None:
                return "the field appears more than once or through a merge key; edit it by hand"
            if e.op == "remove":
                # Refused here, not when the text is made: the span of a removal depends on which of its
                # neighbours are removed too (see ``_remove``).
                item = parent.items[index]
                anchor = _anchor_in(item[0]) or _anchor_in(item[1]) if parent.kind == "map" else _anchor_in(item)
                if anchor is not None:
                    return f"the field defines the YAML anchor '&{anchor}'; remove it by hand"
                self.removals.append((e, parent, index))
            else:
                if parent.kind != "map" or not isinstance(e.value, str):
                    return "only a mapping key can be renamed"
                if any(k == e.value for k, _ in _entries(parent)):
                    return f"the mapping already has the key {e.value!r}"
                key = parent.items[index][0]
                if key.kind != "scalar" or key.anchor or key.tag or key.style in ("|", ">"):
                    return "the key carries an anchor or a tag; rename it by hand"
                self.renames.append((e, key))
            self.claim(e)
            return None
        if e.op not in ("set", "append"):
            return f"unknown fix operation {e.op!r}"
        problem = self._shared(chain)
        if problem is not None:
            return problem
        if full:
            target = _resolved(chain[-1])
            if e.op == "set":
                return "the field holds a mapping or a list, which this fix does not replace"
            if _is_null(target):  # a null list is an empty one: it becomes the list of the appended values
                return self._fill(target, e, (), [])
            if target.kind != "seq":
                return "the field is not a list"
            entry = self.appends.setdefault(id(target), _Insert(target))
            if not any(_same_value(v, e.value) for v in entry.tree.setdefault("", [])):
                entry.tree[""].append(e.value)
            entry.edits.append(e)
            self.claim(e)
            return None
        target = _resolved(chain[-1])
        rest = e.path[len(chain) - 1:]
        if _is_null(target) and all(isinstance(p, str) for p in rest):  # a null mapping is an empty one
            return self._fill(target, e, rest, {})
        if target.kind != "map" or not all(isinstance(p, str) for p in rest):
            where = to_dotted(e.path[:len(chain) - 1]) or "the document"
            return f"{where} is not a mapping (it holds {'a list' if target.kind == 'seq' else 'a value'})"
        entry = self.inserts.setdefault(id(target), _Insert(target))
        problem = _plan_path(entry.tree, rest, e)
        if problem is not None:
            return problem
        entry.edits.append(e)
        self.claim(e)
        return None

    def _fill(self, target: _Occ, e: Edit, rest: FieldPath, empty: dict[str, Any] | list[Any]) -> str | None:
        """Plan ``e`` into the null scalar ``target``: its value becomes the mapping (``rest`` below it) or the
        list (``rest`` empty) that the edits into it make."""
        entry = self.fills.setdefault(id(target), _Insert(target))
        top: Any = entry.tree.setdefault("", empty)
        if isinstance(top, list) != isinstance(empty, list):
            return "another fix writes a different kind of value where this fix needs " + (
                "a list" if isinstance(empty, list) else "a mapping")
        if not rest:  # a null list: ``top`` is the list the appends make
            if not any(_same_value(v, e.value) for v in top):
                top.append(e.value)
        else:  # a null mapping: ``top`` is the mapping the edits below it make
            problem = _plan_path(top, rest, e)
            if problem is not None:
                return problem
        entry.edits.append(e)
        self.claim(e)
        return None

    def _filled(self, entry: _Insert) -> _TextEdit | str:
        """The text edit that replaces a null scalar by the value the edits into it make, in flow style (JSON
        in a JSON document): ``drop: null`` becomes ``drop: [NET_RAW]``, an empty value ``drop:`` too."""
        occ, body = entry.occ, self.body
        text = _flow_text(entry.tree[""], json_doc=self.json_doc)
        if text is None:
            return "cannot write the new value"
        if occ.anchor:
            text = f"&{occ.anchor} {text}"
        if occ.start < occ.end:
            return _TextEdit(occ.start, occ.end, text)
        # An empty value: PyYAML places it after the ':' that follows its key (and any spaces); the value goes
        # right after the ':', what followed it (spaces, a comment) stays.
        colon = len(body[:occ.start].rstrip(" \t")) - 1
        if colon < 0 or body[colon] != ":":
            return "cannot find where the empty value is written"
        return _TextEdit(colon + 1, colon + 1, " " + text)

    @staticmethod
    def _item_index(parent: _Occ, part: str | int) -> int | None:
        if parent.kind == "seq" and isinstance(part, int):
            return part if 0 <= part < len(parent.items) else None
        if parent.kind != "map":
            return None
        found = [i for i, (k, _) in enumerate(parent.items) if _key_text(k) == part]
        return found[0] if len(found) == 1 else None

    def text_edits(self) -> list[tuple[_TextEdit | str, Edit]]:
        out: list[tuple[_TextEdit | str, Edit]] = []
        removed: dict[int, set[int]] = {}
        for _, parent, index in self.removals:
            removed.setdefault(id(parent), set()).add(index)
        inserting: set[int] = set()
        additions: list[tuple[_TextEdit | str, _Insert, int]] = []  # (text, entry, depth)
        for entry in self.inserts.values():
            text = self._insert(entry, removed.get(id(entry.occ), set()))
            if not isinstance(text, str):
                inserting.add(id(entry.occ))
            depth = _col(self.body, entry.occ.items[0][0].start) if entry.occ.items else 0
            additions.append((text, entry, depth))
        for entry in self.appends.values():
            additions.append((self._append(entry.occ, entry.tree[""]), entry, _col(self.body, entry.occ.start)))
        for entry in self.fills.values():
            out.extend((self._filled(entry), e) for e in entry.edits)
        # Additions at one place (the end of a nested block and of its parents): the deepest first.
        at: dict[int, list[tuple[_TextEdit, int]]] = {}
        for text, _, depth in additions:
            if not isinstance(text, str) and text.start == text.end:
                at.setdefault(text.start, []).append((text, depth))
        for text, entry, _ in additions:
            made = text
            if not isinstance(text, str) and len(at.get(text.start, ())) > 1 and text.start == text.end:
                group = sorted(at[text.start], key=lambda td: -td[1])
                made = _TextEdit(text.start, text.end, "".join(t.text for t, _ in group))
            out.extend((made, e) for e in entry.edits)
        for e, parent, index in self.removals:
            out.append((self._remove(parent, index, removed[id(parent)], id(parent) in inserting), e))
        for e, key in self.renames:
            name = _scalar_text(e.value, flow=key.flow, json_doc=self.json_doc)
            if name is not None and key.style == "'" and not self.json_doc:
                name = _quoted(e.value, "'")
            out.append((_TextEdit(key.content, key.end, name) if name is not None else
                        f"cannot write the key {e.value!r}", e))
        return out

    def _insert(self, entry: _Insert, removed: set[int]) -> _TextEdit | str:
        body, m = self.body, entry.occ
        kept = [i for i in range(len(m.items)) if i not in removed]
        if m.flow:
            return self._flow_insert(m, entry.tree, kept)
        indent = _col(body, m.items[0][0].start)
        step, offset = _layout(self.root, body)
        lines = _block_lines(entry.tree, indent, step, offset)
        if lines is None:
            return "cannot write the new fields"
        if not kept:  # every key is removed: the new ones take the place of the first
            first = m.items[0][0].start
            line_start = body.rfind("\n", 0, first) + 1
            if body[line_start:first].strip():
                return "the fix would replace every key of the mapping; edit it by hand"
            return _TextEdit(line_start, line_start, "\n".join(lines) + "\n")
        end = _last_end(m.items[kept[-1]][1], body)
        pos = _past_comments(body, _after_line(body, end), indent)
        if pos > 0 and body[pos - 1] == "\n":
            return _TextEdit(pos, pos, "\n".join(lines) + "\n")
        return _TextEdit(pos, pos, "\n" + "\n".join(lines))

    def _flow_insert(self, m: _Occ, tree: dict[str, Any], kept: list[int]) -> _TextEdit | str:
        body = self.body
        if body[m.end - 1:m.end] != "}":
            return "cannot find where the mapping ends"
        multiline = bool(m.items) and "\n" in body[m.start:m.items[0][0].start]
        indent = _col(body, m.items[0][0].start) if m.items else 0
        parts = []
        for k, v in tree.items():
            key = _scalar_text(k, flow=True, json_doc=self.json_doc)
            if multiline and self.json_doc:
                value: str | None = _json_pretty(v, indent, _json_step(self.root, body))
            else:
                value = _flow_text(v, json_doc=self.json_doc)
            if key is None or value is None:
                return "cannot write the new fields"
            parts.append(f"{key}: {value}")
        sep = ",\n" + " " * indent if multiline else ", "
        if kept:
            pos = m.items[kept[-1]][1].end
            return _TextEdit(pos, pos, sep + sep.join(parts))
        return _TextEdit(m.end - 1, m.end - 1, ", ".join(parts))

    def _append(self, seq: _Occ, values: list[Any]) -> _TextEdit | str:
        body = self.body
        styles = {_resolved(i).style for i in seq.items if _resolved(i).kind == "scalar"}
        quote = styles.pop() if len(styles) == 1 and not self.json_doc else None
        if quote in ("'", '"'):  # new strings are quoted as the list's items are
            texts = [_quoted(v, quote) if isinstance(v, str) else _flow_text(v, json_doc=False) for v in values]
        else:
            texts = [_flow_text(v, json_doc=self.json_doc) for v in values]
        if seq.flow:
            if body[seq.end - 1:seq.end] != "]":
                return "cannot find where the list ends"
            if any(t is None for t in texts):
                return "cannot write the new items"
            if not seq.items:
                return _TextEdit(seq.end - 1, seq.end - 1, ", ".join(t for t in texts if t))
            multiline = "\n" in body[seq.start:seq.items[0].start]
            sep = ",\n" + " " * _col(body, seq.items[0].start) if multiline else ", "
            pos = seq.items[-1].end
            return _TextEdit(pos, pos, sep + sep.join(t for t in texts if t))
        dash = " " * _col(body, seq.start) + "- "
        lines = []
        for text in texts:
            if text is None:
                return "cannot write the new items"
            lines.append(dash + text)
        pos = _past_comments(body, _after_line(body, _last_end(seq, body)), _col(body, seq.start))
        if pos > 0 and body[pos - 1] == "\n":
            return _TextEdit(pos, pos, "\n".join(lines) + "\n")
        return _TextEdit(pos, pos, "\n" + "\n".join(lines))

    def _remove(self, parent: _Occ, index: int, removed: set[int], inserting: bool) -> _TextEdit | str:
        body = self.body
        is_map = parent.kind == "map"
        start = parent.items[index][0].start if is_map else parent.items[index].start
        value = parent.items[index][1] if is_map else parent.items[index]
        anchor = _anchor_in(parent.items[index][0]) if is_map else None
        anchor = anchor or _anchor_in(value)
        if anchor is not None:
            return f"the field defines the YAML anchor '&{anchor}'; remove it by hand"
        end = _last_end(value, body)
        others = [i for i in range(len(parent.items)) if i not in removed]
        if parent.flow:
            # Neighbouring removed items go as one span, the same text edit for each of their removals (one
            # text edit may serve several edits): two spans of their own would overlap at the separator.
            first, last = index, index
            while first - 1 in removed:
                first -= 1
            while last + 1 in removed:
                last += 1
            item = parent.items[first]
            start = item[0].start if is_map else item.start
            end = _last_end(parent.items[last][1] if is_map else parent.items[last], body)
            if last + 1 < len(parent.items):  # up to the next item, which stays
                nxt = parent.items[last + 1]
                return _TextEdit(start, nxt[0].start if is_map else nxt.start, "")
            if first > 0:  # from the end of the item before, which stays
                prev = parent.items[first - 1]
                return _TextEdit((prev[1] if is_map else prev).end, end, "")
            return _TextEdit(start, end, "")
        if not is_map:
            start = body.rfind("-", 0, start)
        line_start = body.rfind("\n", 0, start) + 1
        first_on_line = body[line_start:start].strip() == ""
        if not others and not inserting:
            empty = "{}" if is_map else "[]"
            if not first_on_line:  # "- key: value" in a list: the item becomes an empty mapping
                return _TextEdit(start, end, empty)
            owner = self._owner_key(parent)
            if owner is None or not re.fullmatch(r"[ \t]*:[ \t]*\n[ \t\n]*", body[owner.end:start]):
                return "the fix would leave an empty collection here; edit it by hand"
            return _TextEdit(owner.end, end, ": " + empty)
        if first_on_line:
            return _TextEdit(line_start, _after_line(body, end), "")
        following = [i for i in range(index + 1, len(parent.items)) if i not in removed]
        if following:
            nxt = parent.items[following[0]]
            nxt_start = nxt[0].start if is_map else body.rfind("-", 0, nxt.start)
            stop = _after_line(body, end)
            if body[stop:nxt_start].strip(" ") == "" and "\n" not in body[stop:nxt_start]:
                return _TextEdit(start, nxt_start, "")
        return "the field shares its line with other text; remove it by hand"

    def _owner_key(self, collection: _Occ) -> _Occ | None:
        """The key whose value is ``collection`` (None when it is the root or a list item)."""
        stack = [self.root]
        while stack:
            occ = stack.pop()
            if occ.kind == "map":
                for k, v in occ.items:
                    if v is collection:
                        found: _Occ = k
                        return found
                    stack.append(v)
            elif occ.kind == "seq":
                stack.extend(occ.items)
        return None


def _is_null(occ: _Occ) -> bool:
    """Whether the loader reads the scalar ``occ`` as null (a plain ``null``/``Null``/``NULL``/``~``, nothing, or
    a ``!!null`` tag)."""
    if occ.kind != "scalar":
        return False
    if occ.tag is not None:
        return occ.tag == _NULL
    return not occ.style and occ.value in ("", "~", "null", "Null", "NULL")  # a plain scalar's style is ""


def _anchor_in(occ: _Occ) -> str | None:
    """The first anchor defined in the text of ``occ`` (aliases do not count)."""
    stack = [occ]
    while stack:
        node = stack.pop()
        if node.kind == "alias":
            continue
        if node.anchor:
            return node.anchor
        if node.kind == "seq":
            stack.extend(node.items)
        elif node.kind == "map":
            for k, v in node.items:
                stack.extend((k, v))
    return None


def _same_data(a: Any, b: Any) -> bool:
    return _difference(a, b) is None


def _copy_data(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_data(v) for v in value]
    return value


def _plan_path(node: dict[str, Any], rest: FieldPath, e: Edit) -> str | None:
    """Plan ``e`` into the planned mapping ``node`` along the keys ``rest``: the mappings on the way made as
    needed, then the last key's list appended to (once per value) or the key set; the reason it conflicts with
    another fix's plan, or None."""
    for part in rest[:-1]:
        child = node.setdefault(str(part), {})
        if not isinstance(child, dict):
            return "another fix writes a value where this fix needs a mapping"
        node = child
    leaf = str(rest[-1])
    if e.op == "append":
        current = node.setdefault(leaf, [])
        if not isinstance(current, list):
            return "another fix writes a value where this fix needs a list"
        if not any(_same_value(v, e.value) for v in current):
            current.append(e.value)
    elif leaf in node:
        if not _same_data(node[leaf], e.value):
            return "another fix sets the same field to a different value"
    else:
        node[leaf] = _copy_data(e.value)
    return None


def _same_value(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def plan_edits(text: str, file: str, edits: Sequence[Edit], *, loaded: LoadedText | None = None) -> Plan:
    """Plan ``edits`` on ``text`` (the whole file) and verify the result; see the module docstring.

    The returned text, when not None, has been loaded again and differs from ``text`` in exactly the
    values of ``applied``. This is the one way any change to a manifest is made.

    Edits refused because another field shared the value are planned again on the edited text while that
    makes progress: replacing an alias by its value may leave an anchor with no other reader, and the
    result is then what a second run of ``--fix`` would give.
    """
    loaded = loaded if loaded is not None else load_text(text, file)
    if loaded.errors:
        return Plan(None, (), (), "the file has a document that does not load")
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    crlf = "\r" in text
    if crlf and not text.count("\r") == text.count("\r\n") == text.count("\n"):
        return Plan(None, (), (), "it mixes line endings (CRLF with lone CR or LF), which a rewrite would not keep")
    if bom or crlf:
        work = text[len(bom):].replace("\r\n", "\n")
        plan = plan_edits(work, file, edits, loaded=loaded)
        if plan.text is None:
            return plan
        final = bom + (plan.text.replace("\n", "\r\n") if crlf else plan.text)
        problem = verify(text, loaded, final, file, plan.applied)
        return plan._replace(text=final) if problem is None else Plan(None, (), plan.refused, problem)
    pending = list(edits)
    dropped: list[Refusal] = []
    while True:  # a fix is applied whole or not at all: drop every edit of a fix that lost one, and plan again
        plan = _plan_rounds(text, file, pending, loaded)
        lost = {id(r.edit.finding) for r in plan.refused if r.edit.finding is not None}
        partial = [e for e in plan.applied if e.finding is not None and id(e.finding) in lost]
        if not partial:
            return plan._replace(refused=(*plan.refused, *dropped))
        cut = {id(e.finding) for e in partial}
        reasons = {id(r.edit.finding): r.reason for r in plan.refused if r.edit.finding is not None}
        dropped.extend(Refusal(e, f"part of the fix cannot be made ({reasons[id(e.finding)]})") for e in partial)
        pending = [e for e in pending if e.finding is None or id(e.finding) not in cut]


_SHARED = "the value is shared "


def _plan_rounds(text: str, file: str, edits: Sequence[Edit], loaded: LoadedText) -> Plan:
    current, current_loaded, pending = text, loaded, list(edits)
    applied: list[Edit] = []
    refused: list[Refusal] = []
    final_refused: list[Refusal] = []
    new: str | None = None
    while True:
        new, done, refused = _plan_once(current, file, pending, current_loaded)
        applied.extend(done)
        final_refused.extend(r for r in refused if not r.reason.startswith(_SHARED))
        retry = [r for r in refused if r.reason.startswith(_SHARED)]
        if new is None or not retry:
            final_refused.extend(retry)
            break
        current = new
        current_loaded = load_text(current, file)
        if current_loaded.errors:
            break  # verification below says why
        pending = [r.edit for r in retry]
    refused = final_refused
    if not applied:
        return Plan(None, (), tuple(refused))
    final = new if new is not None else current
    problem = verify(text, loaded, final, file, applied)
    if problem is not None:
        return Plan(None, (), tuple(refused), problem)
    return Plan(final, tuple(applied), tuple(refused))


def _plan_once(
    text: str, file: str, edits: Sequence[Edit], loaded: LoadedText
) -> tuple[str | None, tuple[Edit, ...], list[Refusal]]:
    """One round of planning: the edited text (None when no edit applies), the edits applied, the refusals."""
    chunks = document_chunks(prepare_text(text, file))  # what the loader parsed; same offsets as ``text``
    by_doc: dict[int, list[Edit]] = {}
    for e in edits:
        by_doc.setdefault(e.document_index, []).append(e)
    docs = {d.index: d for d in loaded.documents}
    text_edits: list[tuple[_TextEdit, Edit]] = []
    refused: list[Refusal] = []
    for index, doc_edits in sorted(by_doc.items()):
        doc = docs.get(index)
        if doc is None or index >= len(chunks):
            refused.extend(Refusal(e, "the document is no longer there (the file changed)") for e in doc_edits)
            continue
        if doc.origin is not None:
            refused.extend(Refusal(e, "the document is Helm output; fix the chart instead") for e in doc_edits)
            continue
        chunk = chunks[index]
        planned, no = _doc_edits(chunk.text, file, doc_edits)
        refused.extend(no)
        text_edits.extend((_TextEdit(t.start + chunk.offset, t.end + chunk.offset, t.text), e) for t, e in planned)
    # One text edit may serve several edits (a shared value everybody wants changed the same way).
    merged: dict[tuple[int, int], tuple[_TextEdit, list[Edit]]] = {}
    for t, e in text_edits:
        entry = merged.setdefault((t.start, t.end), (t, []))
        if entry[0].text != t.text:
            refused.append(Refusal(e, "another fix writes different text at the same place"))
        else:
            entry[1].append(e)
    ordered = sorted(merged.values(), key=lambda m: (m[0].start, m[0].end), reverse=True)
    accepted: list[tuple[_TextEdit, list[Edit]]] = []
    for item in ordered:
        if accepted and item[0].end > accepted[-1][0].start:
            refused.extend(Refusal(e, "two fixes touch the same text") for e in item[1])
            continue
        accepted.append(item)
    applied = tuple(e for _, es in reversed(accepted) for e in es)
    if not applied:
        return None, (), refused
    new = text
    for t, _ in accepted:
        new = new[: t.start] + t.text + new[t.end:]
    return new, applied, refused


def verify(old_text: str, old: LoadedText, new_text: str, file: str, edits: Sequence[Edit]) -> str | None:
    """Load ``new_text`` and check it against ``old`` (loaded from ``old_text``) with exactly ``edits``
    applied; the reason when it fails, None when the new text is what the edits promise."""
    new = load_text(new_text, file)
    if new.errors:
        err = new.errors[0]
        return f"the fixed text would not load (line {err.line}: {err.message}); nothing was written"
    if [d.index for d in new.documents] != [d.index for d in old.documents]:
        return "the fixed text would not hold the same documents; nothing was written"
    by_doc: dict[int, list[Edit]] = {}
    for e in edits:
        by_doc.setdefault(e.document_index, []).append(e)
    old_chunks = document_chunks(prepare_text(old_text, file))
    new_chunks = document_chunks(prepare_text(new_text, file))
    if len(old_chunks) != len(new_chunks):
        return "the fixed text would not hold the same documents; nothing was written"
    for o, n in zip(old.documents, new.documents, strict=True):
        expected: Any = o.data
        for e in by_doc.get(o.index, ()):
            expected = _apply(expected, e)
            if expected is _MISSING:
                return f"the field {to_dotted(e.path)} does not exist; nothing was written"
        difference = _difference(expected, n.data)
        if difference is not None:
            return (f"the fixed text would change {to_dotted(difference) or 'the document'} in document "
                    f"{o.index + 1} besides the intended values; nothing was written")
        if o.origin != n.origin or _directive_keys(o) != _directive_keys(n):
            return "the fixed text would change a comment guardlint reads; nothing was written"
        if o.index in by_doc and _is_json(old_chunks[o.index].text, "") and not _is_json(
                new_chunks[o.index].text, ""):
            return "the fixed document would no longer be JSON; nothing was written"
    return None


def _directive_keys(doc: Document) -> list[tuple[int, str, int, tuple[str, ...], str]]:
    return [(d.line, d.scope.value, d.target_line, d.rules, d.reason) for d in doc.directives]


class _Missing:
    pass


_MISSING: Any = _Missing()


def _apply(data: Any, edit: Edit) -> Any:
    """A copy of ``data`` with ``edit`` carried out (only the containers on the path are copied), or _MISSING
    when the edit does not fit the data."""
    path, op = edit.path, edit.op
    if not path:
        return _copy_data(edit.value) if op == "set" else _MISSING
    head, rest = path[0], path[1:]
    if isinstance(data, dict) and isinstance(head, str):
        if not rest:
            if op == "set":
                return {**data, head: _copy_data(edit.value)}
            if op == "append":
                current = data.get(head)
                current = [] if current is None else current  # null is an empty list (Edit)
                if not isinstance(current, list):
                    return _MISSING
                grown = current if any(_same_value(v, edit.value) for v in current) else [*current, edit.value]
                return {**data, head: grown}
            if head not in data:
                return _MISSING
            if op == "remove":
                return {k: v for k, v in data.items() if k != head}
            if op == "rename" and isinstance(edit.value, str) and edit.value not in data:
                return {(edit.value if k == head else k): v for k, v in data.items()}
            return _MISSING
        if data.get(head) is None:  # missing, or null: an empty mapping (Edit)
            if op not in ("set", "append") or not all(isinstance(p, str) for p in rest):
                return _MISSING
            inner = _apply({}, edit._replace(path=rest))
        else:
            inner = _apply(data[head], edit._replace(path=rest))
        return _MISSING if inner is _MISSING else {**data, head: inner}
    if isinstance(data, list) and isinstance(head, int) and 0 <= head < len(data):
        if not rest:
            if op == "set":
                return [*data[:head], _copy_data(edit.value), *data[head + 1:]]
            if op == "remove":
                return [*data[:head], *data[head + 1:]]
            return _MISSING
        inner = _apply(data[head], edit._replace(path=rest))
        if inner is _MISSING:
            return _MISSING
        return [*data[:head], inner, *data[head + 1:]]
    return _MISSING


def _difference(a: Any, b: Any) -> FieldPath | None:
    """The first path where ``a`` and ``b`` differ (types compared strictly), or None when they are equal."""
    stack: list[tuple[Any, Any, FieldPath]] = [(a, b, ())]
    while stack:
        x, y, path = stack.pop()
        if x is y:
            continue
        if type(x) is not type(y):
            return path
        if isinstance(x, dict):
            if list(x) != list(y):
                return path
            stack.extend((x[k], y[k], (*path, k)) for k in x)
        elif isinstance(x, list):
            if len(x) != len(y):
                return path
            stack.extend((xi, yi, (*path, i)) for i, (xi, yi) in enumerate(zip(x, y, strict=True)))
        elif isinstance(x, float) and math.isnan(x) and math.isnan(y):
            continue
        elif x != y:
            return path
    return None


# --- files --------------------------------------------------------------------------------------------------


def applies(fix: Fix, unsafe: bool) -> bool:
    """Whether ``--fix`` applies ``fix`` (safe fixes always, unsafe ones with ``--unsafe-fixes``)."""
    return unsafe or fix.safety == SAFE


def fixable(report: Report, *, unsafe: bool = True) -> dict[str, list[Finding]]:
    """The active findings whose fix would be applied (all offered fixes when ``unsafe``), by file."""
    by_file: dict[str, list[Finding]] = {}
    for f in report.active:
        if f.fix is not None and f.file != "-" and applies(f.fix, unsafe) and not_applicable(f) is None:
            by_file.setdefault(f.file, []).append(f)
    return by_file


def refused_keys(report: Report, result: FixResult, *, unsafe: bool) -> frozenset[FixKey]:
    """The ``fix_key`` of each finding of ``report`` whose fix ``apply_fixes`` tried and refused, alone or with
    its whole file (``result.skipped``): what the report that follows no longer counts as fixable."""
    from guardlint.report import fix_key

    left_alone = {file for file, _ in result.skipped}
    keys = {fix_key(f) for f, _ in result.refused}
    keys.update(fix_key(f) for file, found in fixable(report, unsafe=unsafe).items() if file in left_alone
                for f in found)
    return frozenset(keys)


def not_applicable(f: Finding) -> str | None:
    """Why the fix of ``f`` cannot be applied where the finding is (None when it can): the object is Helm
    output, or guardlint rendered it (a chart or an overlay) and the finding was mapped back to the file a
    person edits, where the fix's paths do not lead."""
    if f.rendered is not None:
        from guardlint.fix_values import scalar_target, values_candidate

        what = f.fix.description if f.fix is not None else "the fix"
        if values_candidate(f):
            target = scalar_target(f)
            if isinstance(target, str):
                return f"the object is rendered from the {f.rendered.source}; {target}"
            return (f"the object is rendered from the {f.rendered.source}; the change ({what}) is made in the "
                    "values file this finding points at only by --fix or --diff on the chart, which render it "
                    "again to check the change")
        return (f"the object is rendered from the {f.rendered.source}; the change ({what}) belongs in the "
                f"{f.rendered.mapped_to} file this finding points at, which --fix does not edit (it changes a "
                "values file only where the field's value comes from it): make it by hand")
    if f.origin is not None:
        return f"the document is Helm output ({f.origin}); the next render would overwrite the fix: fix the chart"
    return None


def fix_value(text: str) -> Any:
    """The value a rule's replacement text stands for, read as the loader reads a plain scalar; raises
    ValueError when the text is not one scalar."""
    loaded = load_text(text, "<fix>")
    if loaded.errors or len(loaded.documents) != 1:
        raise ValueError(f"{text!r} is not a YAML scalar")
    value = loaded.documents[0].data
    if isinstance(value, (dict, list)):
        raise ValueError(f"{text!r} is not a single value")
    return value


def edits_for(loaded: LoadedText, findings: Sequence[Finding]) -> tuple[list[Edit], list[Refusal]]:
    """The edits that carry out the fixes of ``findings`` (all of one file), located through the data."""
    from guardlint.model.resource import resources_of

    edits: list[Edit] = []
    refused: list[Refusal] = []
    docs = {d.index: d for d in loaded.documents}
    for f in findings:
        assert f.fix is not None
        doc = docs.get(f.document_index)
        owner = next((r for r in resources_of(doc) if r.ref == f.resource), None) if doc is not None else None
        if owner is None:
            refused.append(Refusal(Edit(f.document_index, f.path, None, f),
                                   "the object is no longer there (the file changed)"))
            continue
        if f.fix.edits:
            edits.extend(Edit(f.document_index, (*owner.prefix, *x.path), x.value, f, x.op) for x in f.fix.edits)
            continue
        try:
            value = fix_value(f.fix.value)
        except ValueError as exc:
            refused.append(Refusal(Edit(f.document_index, f.path, None, f), str(exc)))
            continue
        edits.append(Edit(f.document_index, (*owner.prefix, *f.path), value, f))
    return edits, refused


_BOMS = (  # the longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
)


def decode_exactly(raw: bytes, file: str) -> str | None:
    """The text of ``raw`` as the linter reads it but with its line endings kept (and without its byte-order
    mark), or None when it is not text in an encoding YAML allows."""
    from guardlint.source.files import decode

    if decode(raw, file).text is None:
        return None
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return raw[len(bom):].decode(codec)
    return raw.decode("utf-8")


def encode_like(raw: bytes, text: str) -> bytes:
    """``text`` (decoded from ``raw`` without its byte-order mark) encoded as ``raw`` was: the same encoding,
    the same byte-order mark."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return bom + (text[1:] if text.startswith("\ufeff") else text).encode(codec)
    return text.encode("utf-8")


Relint = Callable[[str, str], Sequence[Finding]]
"""Lints a text (the whole file) under a file name with the run's settings and returns its active findings."""


class TextFix(NamedTuple):
    """The outcome of fixing one file's text: the new text (None when nothing changes or the file is left
    alone), the findings fixed, the single fixes refused with their reasons, and why the whole file is
    left alone (None when it is not)."""

    text: str | None
    applied: tuple[Finding, ...]
    refused: tuple[tuple[Finding, str], ...]
    failure: str | None = None
    new_finding: tuple[str, Any, str] | None = None
    """When the fixes would bring a finding nothing fixes: its (rule, object, dotted path)."""


FIX_ROUNDS = 8
"""The most further rounds of ``fix_text`` after the first (each lints the fixed text again). Rounds stop as
soon as one has nothing left to fix."""


def _key(f: Finding) -> tuple[str, Any, str]:
    return (f.rule, f.resource, to_dotted(f.path))


def fix_text(text: str, file: str, findings: Sequence[Finding], relint: Relint | None = None, *,
             unsafe: bool = True, loaded: LoadedText | None = None, _retries: int = 8) -> TextFix:
    """Carry out the fixes of ``findings`` (all of ``file``, whose text is ``text``) and verify the result:
    the text is loaded again and, with ``relint``, linted again before and after: every fixed finding must
    be gone and no finding may appear that was not there before. Otherwise the file is left alone.

    The result is a fixed point, as far as ``FIX_ROUNDS`` further rounds reach: ``--fix`` run again on it
    applies nothing. After each round the text is linted again, and a further round fixes, on that text and
    with the findings' new paths, what a second ``--fix`` would still fix among what it may touch:

    - a finding the fixes brought that was hidden (removing ``privileged: true`` makes the capability rules
      look at the container), when its fix applies (safe ones, unsafe ones too with ``unsafe``);
    - a finding of ``findings`` whose fix was refused in an earlier round and that is still reported: a
      refusal can be due to another fix of the same round (two removals in one flow mapping touch the same
      text), and on the edited text the fix may apply. A refusal that stands is made again, and the finding
      stays refused with its reason.

    A finding fixed in a later round is reported as fixed (not as refused). ``loaded`` is ``text`` already
    loaded, when the caller has it."""
    loaded = loaded if loaded is not None else load_text(text, file)
    if loaded.errors:
        return TextFix(None, (), (), "the file has a document that does not load")
    first = _fix_round(text, file, loaded, findings)
    if first.failure is not None or first.text is None or relint is None:
        return first
    from collections import Counter

    before = Counter(_key(f) for f in relint(text, file))
    current, applied = first.text, list(first.applied)
    refused_keys = Counter(_key(f) for f, _ in first.refused)
    later: Counter[tuple[str, Any, str]] = Counter()  # findings of ``findings`` fixed in a further round
    after = relint(current, file)
    for _ in range(FIX_ROUNDS):
        new = Counter(_key(f) for f in after) - before
        again = [f for f in after if (new[_key(f)] or refused_keys[_key(f)] > later[_key(f)])
                 and f.fix is not None and f.origin is None and applies(f.fix, unsafe)]
        if not again:
            break
        more = _fix_round(current, file, load_text(current, file), again)
        if more.text is None or more.failure is not None:
            break
        current = more.text
        applied.extend(more.applied)
        for f in more.applied:
            if not new[_key(f)]:
                later[_key(f)] += 1
        after = relint(current, file)
    counts = Counter(_key(f) for f in after)
    for f in first.applied:
        if counts[_key(f)] >= before[_key(f)] and counts[_key(f)]:
            return TextFix(None, (), first.refused, (
                f"after the fixes, {f.rule} still reports {to_dotted(f.path) or 'the object'}; nothing was "
                "written"))
    new = counts - before
    if new:
        rule, _, path = key = next(iter(new))
        why = f"the fixes would bring a new {rule} finding at {path or 'the object'}"
        if _retries > 0:
            return _leave_out(text, file, findings, relint, unsafe, loaded, key, _retries, first)
        return TextFix(None, (), first.refused, f"{why}; nothing was written", key)
    refused: list[tuple[Finding, str]] = []
    for f, reason in first.refused:  # those fixed in a further round are not refused
        if later[_key(f)]:
            later[_key(f)] -= 1
        else:
            refused.append((f, reason))
    return TextFix(current, tuple(applied), tuple(refused))


def _leave_out(text: str, file: str, findings: Sequence[Finding], relint: Relint, unsafe: bool,
               loaded: LoadedText, key: tuple[str, Any, str], retries: int, first: TextFix) -> TextFix:
    """The fixes of ``findings`` but those that bring a finding nothing fixes: for each such new finding
    (``key`` is the first), the fix of the same object whose absence makes it go away is left out, one at a
    time (at most ``retries`` left out, each found among at most 12 fixes of the object)."""
    left_out: list[tuple[Finding, str]] = []
    rest = list(findings)
    for _ in range(retries):
        why = f"the fixes would bring a new {key[0]} finding at {key[2] or 'the object'} (no fix for it)"
        for culprit in [f for f in rest if f.resource == key[1]][:12]:
            attempt = [f for f in rest if f is not culprit]
            result = fix_text(text, file, attempt, relint, unsafe=unsafe, loaded=loaded, _retries=0)
            if result.text is not None:
                return result._replace(refused=(*result.refused, *left_out, (culprit, why)))
            if result.new_finding is not None and result.new_finding != key:  # progress: that one is gone
                left_out.append((culprit, why))
                rest, key = attempt, result.new_finding
                break
        else:
            break
    return TextFix(None, (), first.refused, (
        f"the fixes would bring a new {key[0]} finding at {key[2] or 'the object'}; nothing was written"), key)


_DROP = ("capabilities", "drop")


def _covered(edits: Sequence[Edit]) -> dict[int, Edit]:
    """The edits that add a capability to a container's ``capabilities.drop`` list to which another edit of the
    same round adds ``"ALL"`` (by ``id``, with that edit): ``drop: [ALL]`` already drops every capability, so
    the list the two would write, ``[ALL, NET_RAW]``, says nothing more than ``[ALL]``. Only appends to a list
    of that name, which the container runtime reads as capabilities, and only when ``ALL`` is added in the same
    round: a rule that sees ``ALL`` already in the list reports nothing to add."""
    alls = {(e.document_index, e.path): e for e in edits
            if e.op == "append" and e.value == "ALL" and e.path[-2:] == _DROP}
    if not alls:
        return {}
    return {id(e): alls[(e.document_index, e.path)] for e in edits
            if e.op == "append" and e.value != "ALL" and (e.document_index, e.path) in alls}


def _covered_fix(f: Finding, by: Edit) -> Finding:
    """``f`` as ``--fix`` reports it when the edit ``by`` (another finding's) carries out its fix: the report
    says what the file gets, and nothing else is written for it."""
    assert f.fix is not None
    other = f" for {by.finding.rule}" if by.finding is not None and by.finding.rule != f.rule else ""
    description = f'"ALL" added to capabilities.drop{other} drops {_covered_value(f)} too'
    return f._replace(fix=f.fix._replace(description=description))


def _covered_value(f: Finding) -> str:
    assert f.fix is not None
    values = [e.value for e in f.fix.edits if e.op == "append" and isinstance(e.value, str)]
    return ", ".join(values) or "the capability"


def _fix_round(text: str, file: str, loaded: LoadedText, findings: Sequence[Finding]) -> TextFix:
    edits, no = edits_for(loaded, findings)
    covered = _covered(edits)
    if covered:  # plan without them; should an "ALL" edit not be made, plan every edit as it was offered
        plan = plan_edits(text, file, [e for e in edits if id(e) not in covered], loaded=loaded)
        made = {id(e) for e in plan.applied}
        if plan.failure is not None or not all(id(by) in made for by in covered.values()):
            covered = {}
            plan = plan_edits(text, file, edits, loaded=loaded)
    else:
        plan = plan_edits(text, file, edits, loaded=loaded)
    seen: set[int] = set()
    refused: list[tuple[Finding, str]] = []
    for r in (*no, *plan.refused):
        if r.edit.finding is not None and id(r.edit.finding) not in seen:
            seen.add(id(r.edit.finding))
            refused.append((r.edit.finding, r.reason))
    if plan.failure is not None or plan.text is None:
        return TextFix(None, (), tuple(refused), plan.failure)
    applied: list[Finding] = []
    for e in plan.applied:
        if e.finding is not None and id(e.finding) not in seen:
            seen.add(id(e.finding))
            applied.append(e.finding)
    for e in edits:
        by = covered.get(id(e))
        if by is not None and e.finding is not None and id(e.finding) not in seen:
            seen.add(id(e.finding))
            applied.append(_covered_fix(e.finding, by))
    return TextFix(plan.text, tuple(applied), tuple(refused))


class FilePlan(NamedTuple):
    """What ``--fix`` would do to one file: its name, the real path behind links, the bytes read, the fix."""

    file: str
    real: str
    raw: bytes
    old: str
    fix: TextFix


def plan_fixes(report: Report, *, unsafe: bool = False, relint: Relint | None = None
               ) -> tuple[list[FilePlan], list[tuple[str, str]]]:
    """The fix of every file with findings whose fix applies, and (file, reason) for the files that cannot
    be fixed at all (unreadable, several hard links, not text)."""
    plans: list[FilePlan] = []
    skipped: list[tuple[str, str]] = []
    for file, findings in sorted(fixable(report, unsafe=unsafe).items()):
        real = os.path.realpath(file)
        problem = file_problem(real)
        if problem is not None:
            skipped.append((file, problem))
            continue
        try:
            with open(real, "rb") as fh:
                raw = fh.read()
        except OSError as exc:
            skipped.append((file, f"cannot read it: {exc.strerror or exc}"))
            continue
        text = decode_exactly(raw, file)
        if text is None:
            skipped.append((file, "it is not text in an encoding YAML allows"))
            continue
        plans.append(FilePlan(file, real, raw, text, fix_text(text, file, findings, relint, unsafe=unsafe)))
    return plans, skipped


def apply_fixes(report: Report, *, unsafe: bool = False, relint: Relint | None = None) -> FixResult:
    """Apply the fixes of ``report``'s active findings (safe ones; unsafe ones too with ``unsafe``) to the
    files on disk, each file verified (see ``fix_text``) and written atomically with its encoding,
    byte-order mark and line endings."""
    from guardlint._atomic import write_atomic

    applied: list[Finding] = []
    refused: list[tuple[Finding, str]] = []
    plans, skipped = plan_fixes(report, unsafe=unsafe, relint=relint)
    for p in plans:
        refused.extend(p.fix.refused)
        if p.fix.failure is not None:
            skipped.append((p.file, p.fix.failure))
            continue
        if p.fix.text is None:
            continue
        try:
            write_atomic(p.real, encode_like(p.raw, p.fix.text), prefix=".guardlint-fix-")
        except OSError as exc:
            skipped.append((p.file, f"cannot write it: {exc.strerror or exc}"))
            continue
        applied.extend(p.fix.applied)
    return FixResult(tuple(applied), tuple(skipped), tuple(refused))


DIFF_CONTEXT = 3
"""Unchanged lines shown around each change in a patch (as ``diff -u`` and git print)."""
_RESYNC_LINES = 2 * DIFF_CONTEXT + 1
"""Equal lines that end a changed region (or the end of both texts). A shorter equal run between two changes
is shown inside one hunk anyway, so the region boundary does not change what is printed."""
_RESYNC_REACH = 400
"""The most lines (old and new together) a changed region is searched through for the next equal run. A fix
changes a few lines; beyond this the rest of the changed middle is printed as one replacement (still a
correct patch), so no input makes the search cost more than about ``_RESYNC_REACH`` squared line pairs."""

_Opcode = tuple[str, int, int, int, int]


def _resync(a: Sequence[str], b: Sequence[str], i: int, j: int, a_end: int, b_end: int) -> tuple[int, int] | None:
    """The first (fewest lines skipped) pair of positions from which ``a`` and ``b`` agree again: the next
    ``_RESYNC_LINES`` lines are equal, or both reach ``a_end``/``b_end`` (where the common tail begins). None
    when no such pair is within ``_RESYNC_REACH`` lines of (``i``, ``j``)."""
    for d in range(1, min(_RESYNC_REACH, (a_end - i) + (b_end - j)) + 1):
        for x in range(max(0, d - (b_end - j)), min(d, a_end - i) + 1):
            ia, jb = i + x, j + d - x
            for t in range(_RESYNC_LINES):
                at_end_a, at_end_b = ia + t == a_end, jb + t == b_end
                if at_end_a or at_end_b:
                    if at_end_a and at_end_b:
                        return ia, jb
                    break
                if a[ia + t] != b[jb + t]:
                    break
            else:
                return ia, jb
    return None


def _line_opcodes(a: Sequence[str], b: Sequence[str]) -> list[_Opcode]:
    """The opcodes (as ``difflib.SequenceMatcher.get_opcodes`` gives them) turning lines ``a`` into ``b``,
    found in time about linear in the lines when the changes are few and small, whatever the lines repeat.

    The common head and tail are equal runs; between them, equal lines are walked in step, and at each
    difference ``_resync`` finds where the texts agree again. Only the changed region between is given to a
    ``SequenceMatcher`` (a fix's region is a few lines), so a file of 40,000 repeated lines is not matched
    whole. Every "equal" opcode covers lines compared equal, and the changed regions are printed whole, so the
    result turns ``a`` into ``b`` exactly whatever the search finds."""
    import difflib

    na, nb = len(a), len(b)
    head = 0
    while head < na and head < nb and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < na - head and tail < nb - head and a[na - 1 - tail] == b[nb - 1 - tail]:
        tail += 1
    a_end, b_end = na - tail, nb - tail
    codes: list[_Opcode] = []

    def add(tag: str, i1: int, i2: int, j1: int, j2: int) -> None:
        if i1 == i2 and j1 == j2:
            return
        if codes and codes[-1][0] == tag == "equal":
            codes[-1] = ("equal", codes[-1][1], i2, codes[-1][3], j2)
        else:
            codes.append((tag, i1, i2, j1, j2))

    add("equal", 0, head, 0, head)
    i = j = head
    while i < a_end or j < b_end:
        if i < a_end and j < b_end and a[i] == b[j]:
            start_i, start_j = i, j
            while i < a_end and j < b_end and a[i] == b[j]:
                i, j = i + 1, j + 1
            add("equal", start_i, i, start_j, j)
            continue
        found = _resync(a, b, i, j, a_end, b_end)
        if found is None:  # a changed middle this long is not searched: one replacement, still exact
            add("replace" if i < a_end and j < b_end else "delete" if i < a_end else "insert", i, a_end, j, b_end)
            break
        i2, j2 = found
        for tag, r1, r2, s1, s2 in difflib.SequenceMatcher(None, a[i:i2], b[j:j2], autojunk=False).get_opcodes():
            add(tag, i + r1, i + r2, j + s1, j + s2)
        i, j = i2, j2
    add("equal", a_end, na, b_end, nb)
    return codes


def _hunks(codes: Sequence[_Opcode], n: int) -> list[list[_Opcode]]:
    """The opcodes grouped into hunks with ``n`` lines of context, split where more than ``2 * n`` lines are
    unchanged (what ``difflib.SequenceMatcher.get_grouped_opcodes`` does)."""
    hunks: list[list[_Opcode]] = []
    current: list[_Opcode] = []
    for k, (tag, i1, i2, j1, j2) in enumerate(codes):
        if tag != "equal":
            current.append((tag, i1, i2, j1, j2))
            continue
        first, last = k == 0, k == len(codes) - 1
        if not first and (last or i2 - i1 > 2 * n):  # close the hunk open before this run
            current.append((tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)))
            hunks.append(current)
            current = []
        if not last and (first or i2 - i1 > 2 * n):  # open the next hunk with this run's last lines
            current = [(tag, max(i1, i2 - n), i2, max(j1, j2 - n), j2)]
        elif not first and not last:
            current.append((tag, i1, i2, j1, j2))
    if current:
        hunks.append(current)
    return [h for h in hunks if any(c[0] != "equal" for c in h)]


def _range(start: int, stop: int) -> str:
    """A unified diff's line range: first line (1-based) and count, the count left out when it is 1 and the
    line before given when it is 0."""
    count = stop - start
    if count == 1:
        return str(start + 1)
    return f"{start + 1 if count else start},{count}"


def _patch_name(file: str) -> str:
    """The name a diff's header gives ``file``. A relative name inside the working directory (the report names
    such a file that way) is kept: ``git apply`` in the working directory takes it. A file outside the working
    directory, named by an absolute path or by a relative one that climbs out (``../deploy/pod.yaml``, which the
    report keeps as given), is named relative to the root of the git checkout that holds it, so that ``git
    apply`` run there takes the patch: git refuses an absolute name and one with ``..`` ("invalid path"), and
    GNU patch ignores them. A file in no checkout keeps its name."""
    if not os.path.isabs(file):
        normal = os.path.normpath(file)
        if normal != os.pardir and not normal.startswith(os.pardir + os.sep):
            return file
    from guardlint.source.files import nearest_checkout

    root = nearest_checkout(os.path.dirname(os.path.abspath(file)))
    return file if root is None else os.path.relpath(os.path.abspath(file), root)


def unified_diff(old: str, new: str, file: str) -> str:
    """The unified diff from ``old`` to ``new`` of ``file`` (``a/`` and ``b/`` prefixes, as git prints), with
    ``DIFF_CONTEXT`` lines of context. Its cost is about linear in the lines when the changes are few (see
    ``_line_opcodes``): a repository's file, however repetitive, cannot make a patch expensive."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    hunks = _hunks(_line_opcodes(a, b), DIFF_CONTEXT)
    if not hunks:
        return ""
    name = _patch_name(file).replace(os.sep, "/")
    lines = [f"--- a/{name}\n", f"+++ b/{name}\n"]
    for hunk in hunks:
        lines.append(f"@@ -{_range(hunk[0][1], hunk[-1][2])} +{_range(hunk[0][3], hunk[-1][4])} @@\n")
        for tag, i1, i2, j1, j2 in hunk:
            if tag == "equal":
                lines.extend(" " + line for line in a[i1:i2])
                continue
            lines.extend("-" + line for line in a[i1:i2])
            lines.extend("+" + line for line in b[j1:j2])
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
