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
   links, or one whose owner could not be kept, is refused; the mode and owner are kept. Helm-rendered output
   (the next render would overwrite it), standard input, and files whose bytes would not round-trip (CRLF
   line endings, a byte-order mark) are left alone and reported as such.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from guardlint.findings import Finding, Report
from guardlint.model.paths import FieldPath, to_dotted
from guardlint.source.loader import Document, LoadedText, load_text, prepare_text, split_documents

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
    """One intended change: set the scalar at ``path`` (from the document's root) of document
    ``document_index`` to ``value`` (a plain Python scalar, as the loader reads values)."""

    document_index: int
    path: FieldPath
    value: Any
    finding: Finding | None = None


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
        flow = any(s[0].flow for s in stack)
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
    return value


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
        wanted.setdefault(e.path, e.value)

    def all_agree(paths: Iterable[FieldPath], value: Any) -> bool:
        return all(p in wanted and _same_value(wanted[p], value) for p in paths)

    for e in edits:
        occ = _follow(root, e.path)
        if occ is None:
            refused.append(Refusal(e, "the field is no longer where the finding was (the file changed)"))
            continue
        node = _resolved(occ)
        if node.kind != "scalar":
            refused.append(Refusal(e, "the field does not hold a single value"))
            continue
        if not _same_value(wanted[e.path], e.value):
            refused.append(Refusal(e, "two fixes set the same field to different values"))
            continue
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
    kept: list[tuple[_TextEdit, Edit]] = []
    for text_edit, e in planned:
        if isinstance(text_edit, str):
            refused.append(Refusal(e, text_edit))
        else:
            kept.append((text_edit, e))
    return kept, refused


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
    if "\r" in text or text.startswith("\ufeff"):
        return Plan(None, (), (), "its line endings or byte-order mark would not survive a rewrite")
    current, current_loaded, pending = text, loaded, list(edits)
    applied: list[Edit] = []
    while True:
        new, done, refused = _plan_once(current, file, pending, current_loaded)
        applied.extend(done)
        if new is None or not refused:
            break
        current = new
        current_loaded = load_text(current, file)
        if current_loaded.errors:
            break  # verification below says why
        pending = [r.edit for r in refused]
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
    chunks = split_documents(prepare_text(text, file))  # what the loader parsed; same offsets as ``text``
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
    ordered = sorted(merged.values(), key=lambda m: m[0].start, reverse=True)
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
    old_chunks = split_documents(prepare_text(old_text, file))
    new_chunks = split_documents(prepare_text(new_text, file))
    if len(old_chunks) != len(new_chunks):
        return "the fixed text would not hold the same documents; nothing was written"
    for o, n in zip(old.documents, new.documents, strict=True):
        expected: Any = o.data
        for e in by_doc.get(o.index, ()):
            expected = _set(expected, e.path, e.value)
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


def _set(data: Any, path: FieldPath, value: Any) -> Any:
    """A copy of ``data`` with ``path`` set to ``value`` (only the containers on the path are copied)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict) and isinstance(head, str) and head in data:
        inner = _set(data[head], rest, value)
        if inner is _MISSING:
            return _MISSING
        return {**data, head: inner}
    if isinstance(data, list) and isinstance(head, int) and 0 <= head < len(data):
        inner = _set(data[head], rest, value)
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


def fixable(report: Report) -> dict[str, list[Finding]]:
    by_file: dict[str, list[Finding]] = {}
    for f in report.active:
        if f.fix is not None and f.origin is None and f.file != "-":
            by_file.setdefault(f.file, []).append(f)
    return by_file


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
        try:
            value = fix_value(f.fix.value)
        except ValueError as exc:
            refused.append(Refusal(Edit(f.document_index, f.path, None, f), str(exc)))
            continue
        if owner is None:
            refused.append(Refusal(Edit(f.document_index, f.path, value, f),
                                   "the object is no longer there (the file changed)"))
            continue
        edits.append(Edit(f.document_index, (*owner.prefix, *f.path), value, f))
    return edits, refused


def _file_problem(real: str) -> str | None:
    """Why the file at ``real`` (no symbolic link) cannot be replaced keeping what it is, or None."""
    try:
        st = os.stat(real)
    except OSError as exc:
        return f"cannot read it: {exc.strerror or exc}"
    if st.st_nlink > 1:
        return (f"it has {st.st_nlink} hard links, which a rewrite would separate; fix it by hand or give it a "
                "single name")
    geteuid = getattr(os, "geteuid", None)
    if geteuid is not None and geteuid() != 0:
        if st.st_uid != geteuid():
            return f"it belongs to another user (uid {st.st_uid}), and a rewrite would make it yours"
        if st.st_gid != os.getegid() and st.st_gid not in os.getgroups():
            return f"its group (gid {st.st_gid}) is not one of yours, and a rewrite would change it"
    return None


def apply_fixes(report: Report) -> FixResult:
    """Apply every offered fix of ``report``'s active findings to the files on disk."""
    from guardlint._atomic import write_atomic
    from guardlint.source.files import decode

    applied: list[Finding] = []
    skipped: list[tuple[str, str]] = []
    refused: list[tuple[Finding, str]] = []
    for file, findings in sorted(fixable(report).items()):
        real = os.path.realpath(file)
        problem = _file_problem(real)
        if problem is not None:
            skipped.append((file, problem))
            continue
        try:
            with open(real, "rb") as fh:
                raw = fh.read()
        except OSError as exc:
            skipped.append((file, f"cannot read it: {exc.strerror or exc}"))
            continue
        if b"\r" in raw or raw.startswith(b"\xef\xbb\xbf") or raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
            skipped.append((file, "its line endings or byte-order mark would not survive a rewrite"))
            continue
        read = decode(raw, file)
        if read.text is None:
            skipped.append((file, "it is not UTF-8 text"))
            continue
        loaded = load_text(read.text, file)
        if loaded.errors:
            skipped.append((file, "the file has a document that does not load"))
            continue
        edits, no = edits_for(loaded, findings)
        plan = plan_edits(read.text, file, edits, loaded=loaded)
        refused.extend((r.edit.finding, r.reason) for r in (*no, *plan.refused) if r.edit.finding is not None)
        if plan.failure is not None:
            skipped.append((file, plan.failure))
            continue
        if plan.text is None:
            continue
        try:
            write_atomic(real, plan.text.encode("utf-8"), prefix=".guardlint-fix-")
        except OSError as exc:
            skipped.append((file, f"cannot write it: {exc.strerror or exc}"))
            continue
        applied.extend(e.finding for e in plan.applied if e.finding is not None)
    return FixResult(tuple(applied), tuple(skipped), tuple(refused))
