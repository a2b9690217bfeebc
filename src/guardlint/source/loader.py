"""YAML or JSON text -> documents with plain data, their composed nodes (for positions) and load errors.

The text is split into documents on ``---`` / ``...`` markers first, so a syntax error in one document is
a located error for that document while the others still load. A lint run (``nodes=False``) builds most
documents straight from the C parser's events (``guardlint.source.events``: no node tree, no callbacks per
node); the others, and every document of callers that want nodes, are composed with PyYAML's
C composer (the pure-Python one when libyaml is missing), and the plain data is built from the composed
nodes by one walk (iterative, so depth never meets Python's recursion limit) that also notes duplicate
keys, resolves merge keys and bounds alias expansion: every value built and every merged key counts
against a budget proportional to the text, so an alias bomb stops in time proportional to the file.

Plain scalars mean what they mean to Kubernetes, whose YAML decoder is go-yaml v2 (behind sigs.k8s.io/yaml;
``guardlint.source.scalars``): ``yes``/``on``/``y`` are booleans, ``0755`` is octal, ``1e3`` is a number and
``12:30`` a string (PyYAML's own YAML 1.1 resolver differs on the last three). Timestamps and binary scalars
stay strings, as Kubernetes sees them. Keys are the text of their key scalar (``1: a`` has the key ``"1"``);
a plain key that kubectl reads as other text (``on`` -> ``"true"``, ``010`` -> ``"8"``) or cannot read (``~``)
keeps its text, and is noted on the document (``Document.key_reads``) for the core rules to report.

Positions are 1-based lines counted at ``\n`` (``\r\n`` and a lone ``\r`` are normalised to ``\n`` first)
and columns in code points. YAML also breaks lines at U+0085, U+2028 and U+2029, which editors do not;
marks of documents that contain them are recomputed from their character index.
"""

from __future__ import annotations

import bisect
import functools
import re
import sys
from array import array
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from types import MappingProxyType

import yaml
from yaml.constructor import SafeConstructor
from yaml.error import Mark, MarkedYAMLError, YAMLError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError
from yaml.tokens import ScalarToken

from guardlint._frozen import Frozen
from guardlint._lazyre import lazy
from guardlint._record import NamedTuple
from guardlint.findings import ErrorKind, InputError, Location
from guardlint.model.paths import FieldPath
from guardlint.source.events import EMPTY_STREAM, Built, position_array
from guardlint.source.events import build as build_from_events
from guardlint.source.scalars import resolve_plain

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint.source.directives import Directive
    from guardlint.source.keyreads import KeyReads
    from guardlint.source.subdocs import Embedded, Found

MAX_DEPTH = 500
"""Deeper nesting is rejected: no Kubernetes object comes near it, and libyaml's composer recurses."""

_ALIAS_BUDGET_FLOOR = 200_000

_CParser: type[Any] | None
try:
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyYAML without libyaml
    _CParser = None
"""libyaml's bare parser (a base of ``CSafeLoader``), imported as its own module: the command line imports only
the part of PyYAML that this parser needs (``guardlint.cli._import_yaml``), so nothing here reads the ``yaml``
package's own names at import (``yaml.CSafeLoader`` would import the rest)."""


def yaml_loader() -> type[Any]:
    """The PyYAML loader class the loader composes with: libyaml's ``CSafeLoader`` when available, else the
    pure-Python ``SafeLoader``. Looked up when a document needs it (anchors, tags, errors, nodes), not at import:
    in a command-line run that is the first use of the ``yaml`` package's own names, which completes its import
    (``guardlint.cli._import_yaml``)."""
    return getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader


def _events_parser() -> type[Any]:
    """What ``guardlint.source.events`` reads a document's events from: libyaml's bare parser (``CParser``: the
    same ``get_event`` as ``CSafeLoader``), without the constructor and resolver that ``CSafeLoader`` sets up in
    Python for every document and that the event loop never uses; the pure-Python loader without libyaml."""
    return _CParser if _CParser is not None else yaml_loader()

_HELM_ACTION = lazy(
    r"\{\{-?\s*(?:[^{}]*?\.(?:Values|Release|Chart|Capabilities|Files|Template)\b|include\s|toYaml\b|tpl\s|define\s)"
)
_ACTION_FIELDS = (".Values", ".Release", ".Chart", ".Capabilities", ".Files", ".Template")
_ACTION_WORDS = ("include", "toYaml", "tpl", "define")
"""What a match of ``_HELM_ACTION`` holds (``_may_hold_action``)."""
_HELM_CONTROL = lazy(r"\{\{-?\s*(?:(?:if|else|end|range|with|define|template|include)\b|/\*)")
"""A Helm control action (``{{- if``, ``{{ end }}``, a comment ``{{/*``); one that starts a line (after
whitespace only) is a control line (``_control_lines``)."""

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_TYPED = frozenset((_BOOL, _INT, _FLOAT))


_NO_ALIASES: Mapping[FieldPath, Location] = MappingProxyType({})


class DuplicateKey(NamedTuple):
    path: FieldPath
    line: int
    column: int
    first_line: int


class Document(Frozen):
    """One YAML document of a file: its data, where each of its values sits in the file, and its place in the file.

    Positions are kept in one of two forms. ``root`` is PyYAML's composed node tree (kept when the document
    was loaded with ``nodes=True``, the default, for consumers that read nodes: configuration, kustomizations,
    patches). A lint run loads with ``nodes=False``: then ``positions`` is a compact position map built in the
    same walk that builds the data (a few machine words per value instead of a node object and two mark
    objects), and ``root`` is None. Documents whose data needed the bounded walk (anchors, merge keys) keep
    their node tree either way. ``locate`` answers from whichever is kept, with the same result.

    Equality is identity: two documents are the same document only if they are the same object.
    """

    _fields = ("file", "index", "start_line", "end_line")
    __slots__ = (
        "aliases", "content_line", "data", "directives", "dollar", "duplicate_keys", "embedded", "end_line", "file",
        "index", "index_offset", "key_reads", "key_slots", "line_offset", "node_keys", "origin", "positions", "root",
        "start_line",
    )
    file: str
    index: int
    data: Any
    root: Node | None
    positions: array[int] | None
    """The compact position map (see ``PositionMap``), or None when ``root`` is kept."""
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
    dollar: bool
    """False when no mapping key of the document starts with ``$``. Lets strategic-merge directives (``$patch``)
    be ruled out without a walk. Exact for a document built from events; a composed one says False only when
    its text has neither ``$`` nor ``\\`` (an escape could spell one)."""
    aliases: Mapping[FieldPath, Location]
    """Where each YAML alias of the document is used (``*name``, also as a merge source ``<<: *name``), by the
    path at which the text uses it (a merge key's entry is ``(..., "<<")`` or ``(..., "<<", i)``); empty
    when the document has none. ``locate`` places what is reached through an alias there."""
    key_slots: dict[int, dict[str, int]] | None
    """``locate``'s memo for large mappings of ``positions`` (see ``KeySlots``): None until ``locate`` first
    meets a mapping of more than ``SMALL_MAPPING`` keys, so ordinary documents carry no table. Owned by the
    document (not module state); it is the only thing of a document that changes after construction, and it
    changes nothing a caller sees: it only remembers what ``locate`` derived from the immutable map."""
    node_keys: dict[int, Any] | None
    """The same memo for ``root`` (``guardlint.source.sourcemap.NodeMemo``: large mapping nodes by ``id``):
    None until ``locate`` first meets a mapping node of more than 32 pairs."""
    embedded: Embedded | None
    """For an object embedded as text in another document of the file (an Argo ``resource`` template's
    ``manifest``, ``guardlint.source.subdocs``): where it is written; None for the file's own documents."""
    key_reads: KeyReads | None
    """The plain keys kubectl reads as other text or cannot read, and the duplicate keys as kubectl sees them;
    None when kubectl reads every key as its text (nearly every document: the event loop builds only those)."""

    def __init__(
        self,
        *,
        file: str,
        index: int,
        data: Any,
        root: Node | None,
        line_offset: int,
        index_offset: int,
        start_line: int,
        end_line: int,
        origin: str | None,
        directives: tuple[Directive, ...],
        duplicate_keys: tuple[DuplicateKey, ...],
        content_line: int,
        positions: array[int] | None = None,
        dollar: bool = True,
        aliases: Mapping[FieldPath, Location] = _NO_ALIASES,
        embedded: Embedded | None = None,
        key_reads: KeyReads | None = None,
    ) -> None:
        if type(self) is not Document:  # a subclass: set as ``Frozen`` sets
            self._set(
                file=file, index=index, data=data, root=root, line_offset=line_offset, index_offset=index_offset,
                start_line=start_line, end_line=end_line, origin=origin, directives=directives,
                duplicate_keys=duplicate_keys, content_line=content_line, positions=positions, dollar=dollar,
                aliases=aliases, key_slots=None, node_keys=None, embedded=embedded, key_reads=key_reads,
            )
            return
        # Filled as its mutable twin (``_DocumentDraft``: the same slots, the plain setter), then made a Document
        # again: nineteen ``object.__setattr__`` calls cost about 56,000 instructions, these plain stores and the
        # two class changes about 10,000 (every document of a run is made here; ``tests/unit/test_loader.py``).
        _set_attribute(self, "__class__", _DocumentDraft)
        self.file = file
        self.index = index
        self.data = data
        self.root = root
        self.line_offset = line_offset
        self.index_offset = index_offset
        self.start_line = start_line
        self.end_line = end_line
        self.origin = origin
        self.directives = directives
        self.duplicate_keys = duplicate_keys
        self.content_line = content_line
        self.positions = positions
        self.dollar = dollar
        self.aliases = aliases
        self.key_slots = None
        self.node_keys = None
        self.embedded = embedded
        self.key_reads = key_reads
        _set_attribute(self, "__class__", Document)

    def locate(self, path: FieldPath, *, at_value: bool = False) -> tuple[Location, bool]:
        """The location of ``path`` (from the document's root) and whether it exists: an existing mapping
        entry at its key (at its value with ``at_value``), a sequence item at the item, a missing field at its
        nearest existing parent (see ``guardlint.source.sourcemap.locate``, which this equals). What the path
        reaches through a YAML alias is located at the alias, where this document uses the shared value."""
        if self.positions is not None:
            return locate_in_map(
                self.positions, self.data, path, self.line_offset, at_value=at_value, key_slots=self._key_slots
            )
        from guardlint.source.sourcemap import locate

        return locate(
            self.root, path, self.line_offset, at_value=at_value, aliases=self.aliases, memo=self._node_keys
        )

    def _node_keys(self) -> dict[int, Any]:
        memo = self.node_keys
        if memo is None:
            memo = {}
            object.__setattr__(self, "node_keys", memo)  # the lazily built memo, see ``node_keys``
        return memo

    def _key_slots(self) -> KeySlots:
        memo = self.key_slots
        if memo is None:
            memo = {}
            object.__setattr__(self, "key_slots", memo)  # the lazily built memo, see ``key_slots``
        return memo

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)


class _DocumentDraft(Document):
    """A ``Document`` being filled by ``Document.__init__``: the same object layout (no slots of its own), so an
    object can change between the two classes, and attributes set plainly."""

    __slots__ = ()
    __setattr__ = object.__setattr__  # type: ignore[assignment]


_set_attribute = object.__setattr__


# The compact position map of a document (``Document.positions``): a flat array of integers, seven per value:
# [key line, key column, value start line, value start column, value end line, value end column, first entry of
# the value's children] (lines and columns 0-based, relative to the document; an array of C ints, see
# ``events.position_array``). Entry 0 is the document's root (no key). A mapping's or a sequence's children
# are consecutive entries, in the order of the built data's keys (for a mapping) or items; a value without
# children (a scalar) has -1 there. A value without a key has key line -1 (``_NO_KEY``). A mapping entry whose
# key is not a scalar (Kubernetes rejects those; the data keeps a stand-in key) has key line -2: it cannot be
# located, as with the node tree. Duplicate keys: the data keeps the first key's place and the last key's
# value, and so does the map (the last key and its value, as ``sourcemap`` finds them).
_ENTRY = 7
"""Words per value in the position map."""
_NO_KEY = -1
_UNLOCATABLE = -2
_FRESH = [_NO_KEY, 0, 0, 0, 0, 0, -1]
"""An entry before the walk fills it in."""


SMALL_MAPPING = 32
"""``locate_in_map`` finds a key's entry in a mapping of at most this many keys by a scan of its keys."""

KeySlots = dict[int, dict[str, int]]
"""Per document: a large mapping's first child entry in the position map -> (key -> index of its entry)."""


def locate_in_map(
    positions: array[int],
    data: Any,
    path: FieldPath,
    line_offset: int,
    *,
    at_value: bool = False,
    key_slots: Callable[[], KeySlots] | None = None,
) -> tuple[Location, bool]:
    """``Document.locate`` on a compact position map; ``data`` is the document's data the map was built with.

    A mapping's entries are its children in the data's key order, so a key's entry is found by its index
    among the keys. For a mapping of more than ``SMALL_MAPPING`` keys that index comes from a table built
    once per mapping (``key_slots`` gives the document's memo; without it the table lives for this call):
    N lookups in a mapping of N keys cost O(N), not O(N^2) (a ConfigMap with thousands of flagged keys, a
    CRD schema with thousands of properties)."""
    memo: KeySlots | None = None
    entry = 0
    value = data
    for part in path:
        children = positions[entry + 6]
        found = -1
        if children >= 0:
            if isinstance(part, int) and isinstance(value, list):
                if 0 <= part < len(value):
                    found = children + _ENTRY * part
            elif isinstance(part, str) and isinstance(value, dict) and part in value:
                if len(value) <= SMALL_MAPPING:
                    slot = _key_index(value, part)
                else:
                    if memo is None:
                        memo = key_slots() if key_slots is not None else {}
                    table = memo.get(children)
                    if table is None:
                        # The same index ``list.index`` gives: the entries follow the keys' order. ``children``
                        # identifies this mapping within the document's map (each value has its own entries).
                        table = {key: i for i, key in enumerate(value)}
                        memo[children] = table
                    slot = table[part]
                candidate = children + _ENTRY * slot
                if positions[candidate] != _UNLOCATABLE:
                    found = candidate
        if found < 0:
            return _location(positions, entry + (0 if positions[entry] >= 0 else 2), entry, line_offset), False
        entry = found
        value = value[part]
    start = entry + 2 if at_value or positions[entry] < 0 else entry
    return _location(positions, start, entry, line_offset), True


def _key_index(mapping: dict[str, Any], key: str) -> int:
    return list(mapping).index(key)


def _location(positions: array[int], start: int, entry: int, line_offset: int) -> Location:
    """From the line and column at ``start`` (an entry's key or value start) to the end of ``entry``'s value."""
    return Location(line_offset + positions[start] + 1, positions[start + 1] + 1,
                    line_offset + positions[entry + 4] + 1, positions[entry + 5] + 1)


class LoadedText(NamedTuple):
    file: str
    documents: tuple[Document, ...]
    errors: tuple[InputError, ...]
    warnings: tuple[str, ...] = ()
    """Run warnings about the file that are not input errors (an embedded manifest that is not linted)."""


class _Chunk(NamedTuple):
    text: str
    line: int  # 0-based line offset in the file
    offset: int  # character offset in the file
    end_line: int  # 0-based last line


class _Located(Exception):
    """A problem found while building data, at a mark of the document."""

    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


class _TooDeep(_Located):
    pass


class _NeedBoundedWalk(Exception):
    """The fast data walk met something only the bounded walk handles (a merge key)."""


class _AliasBomb(Exception):
    pass


class _RecursiveAlias(_Located):
    pass


class _BadValue(_Located):
    """A merge key without mappings, or an explicitly tagged scalar that its tag cannot read."""


def _markers(text: str) -> list[tuple[int, str]]:
    """Where lines start with a document marker (``---`` or ``...`` followed by a space, a tab, a line break or
    the end of the text), in order: what ``re.finditer(r"^(---|\\.\\.\\.)(?=[ \\t\\r\\n]|$)", text, re.M)`` finds,
    by ``str.find`` (a multi-line ``^`` makes the regular expression engine try every character of the text)."""
    found: list[tuple[int, str]] = []
    end = len(text)
    for marker in ("---", "..."):
        if text.startswith(marker) and (end == 3 or text[3] in _AFTER_MARKER):
            found.append((0, marker))
        needle = "\n" + marker
        at = text.find(needle)
        while at >= 0:
            after = at + 4
            if after == end or text[after] in _AFTER_MARKER:
                found.append((at + 1, marker))
            at = text.find(needle, after)
    found.sort()
    return found


_AFTER_MARKER = frozenset(" \t\r\n")


def split_documents(text: str) -> list[_Chunk]:
    """Split a YAML stream at document markers, keeping ``%`` directives with the document they precede."""
    starts: list[int] = [0]
    for pos, marker in _markers(text):
        if marker == "---":
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
            nl = text.find("\n", pos + 3)
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
    are ordinary data in rendered manifests. So are actions inside comments and inside block scalars
    (``|`` and ``>``), which carry embedded files such as Alertmanager templates
    (``{{ define "slack.title" }}``) in rendered manifests.
    """
    candidates = _template_candidates(text)
    if candidates is None:
        return None
    blocks, scanned_to = _block_scalars_and_gaps(text, candidates[-1])
    return _first_action(text, candidates, blocks, scanned_to)


def _template_candidates(text: str) -> list[int] | None:
    """Where Helm actions may start in ``text``, in order (``detect_unrendered_template``), or None when there is
    none outside a comment: then the text is no template, whatever its block scalars."""
    if "{{" not in text:
        return None
    starts = {m.start() for m in _HELM_ACTION.finditer(text)} if _may_hold_action(text) else set()
    starts.update(_control_lines(text))
    if not starts:
        return None
    candidates = sorted(starts)
    if all(_in_comment(text, start) for start in candidates):
        return None
    return candidates


def _may_hold_action(text: str) -> bool:
    """False only where ``_HELM_ACTION`` matches nowhere in ``text``, so that the pattern is neither compiled nor
    run there (``{{ $labels.instance }}`` in a PrometheusRule, Argo's ``{{inputs.parameters.x}}``). Every match
    holds one of ``_ACTION_FIELDS``, or one of ``_ACTION_WORDS`` right after what ``\\{\\{-?\\s*`` ends with: a
    ``{``, a ``-`` or whitespace (``\\s`` and ``str.isspace`` are the same test). A necessary condition only: where
    it holds, the pattern decides. ``tests/unit/test_startup_shortcuts.py`` checks it against the pattern."""
    if any(field in text for field in _ACTION_FIELDS):
        return True
    for word in _ACTION_WORDS:
        at = text.find(word, 1)
        while at != -1:
            before = text[at - 1]
            if before in ("{", "-") or before.isspace():
                return True
            at = text.find(word, at + 1)
    return False


def _first_action(
    text: str, candidates: list[int], blocks: Sequence[tuple[int, int]], scanned_to: int
) -> tuple[int, int] | None:
    """The 1-based (line, column) of the first candidate outside comments and outside the ``blocks`` (the
    block scalars' spans, sorted; known up to ``scanned_to``), or None."""
    for start in candidates:
        if _in_comment(text, start) or (start < scanned_to and _inside(blocks, start)):
            continue
        line = text.count("\n", 0, start) + 1
        column = start - (text.rfind("\n", 0, start) + 1) + 1
        return line, column
    return None


def _control_lines(text: str) -> list[int]:
    """Where the control lines' actions start: each ``{{`` that only whitespace precedes on its line and that
    begins a control action (``_HELM_CONTROL``). This is what ``re.compile(r"^\\s*" + _HELM_CONTROL.pattern,
    re.M)`` finds (the position of the ``{{`` of each match), without trying the pattern at every position
    of the text: a line start ``q`` with only whitespace up to a ``{{`` at ``p`` exists exactly when the text
    between ``p``'s own line start and ``p`` is whitespace (an earlier line start would take that text in
    too), and matches cannot overlap, since a control action holds no second ``{{``.
    ``tests/unit/test_loader.py`` compares both on generated text."""
    found: list[int] = []
    at = text.find("{{")
    while at >= 0:
        line_start = text.rfind("\n", 0, at) + 1
        if (line_start == at or text[line_start:at].isspace()) and _HELM_CONTROL.match(text, at):
            found.append(at)
        at = text.find("{{", at + 1)
    return found


def _block_scalars_and_gaps(text: str, until: int) -> tuple[list[tuple[int, int]], int]:
    """Spans of block scalars up to character ``until``, and how far the scan got (it stops at errors)."""
    spans: list[tuple[int, int]] = []
    last: Any = None
    # The scanner's own loop (what ``yaml.scan`` wraps in a generator that also asks ``check_token`` before
    # each token): ``get_token`` gives the same tokens, then None after the stream's end.
    try:
        scanner = yaml_loader()(text)
    except YAMLError:  # the pure-Python reader checks the characters up front
        return spans, 0
    get_token = scanner.get_token
    try:
        while (token := get_token()) is not None:
            last = token
            if type(token) is ScalarToken and token.style in _BLOCK_STYLES:
                spans.append((token.start_mark.index, token.end_mark.index))
            if token.start_mark.index > until:
                return spans, len(text)
    except YAMLError:
        return spans, 0 if last is None else last.end_mark.index
    finally:
        scanner.dispose()
    return spans, len(text)


_BLOCK_STYLES = frozenset("|>")


def _inside(spans: Sequence[tuple[int, int]], pos: int) -> bool:
    """Whether ``pos`` lies in one of ``spans`` (sorted, not overlapping)."""
    i = bisect.bisect_right(spans, pos, key=lambda span: span[0]) - 1
    return i >= 0 and pos < spans[i][1]


def _in_comment(text: str, pos: int) -> bool:
    """Whether ``pos`` follows a ``#`` that starts a comment on its line (quotes are respected)."""
    line_start = text.rfind("\n", 0, pos) + 1
    quote = ""
    for i in range(line_start, pos):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'" and (i == line_start or text[i - 1] in " \t[{,:-"):
            quote = ch
        elif ch == "#" and (i == line_start or text[i - 1] in " \t"):
            return True
    return False


def _normalise(text: str) -> str:
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


_JSON_START = lazy(r"[ \t\n]*[\[{]")
_JSON_STRING_OR_TAB = lazy(r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|\t""")


def _looks_like_json(text: str, file: str) -> bool:
    return file.endswith(".json") or _JSON_START.match(text) is not None


_JSON_TOKEN = lazy(r'"(?:[^"\\\n]|\\.)*"|[{}\[\]]|[^\s"{}\[\]]+')


def _json_stream(text: str) -> list[_Chunk] | None:
    """The documents of a stream of JSON objects (``{...}`` one after another, separated by white space), each
    with its place in the file; None unless the text is two or more of them.

    kubectl reads a file whose first character other than white space is ``{`` as such a stream, object by
    object (``k8s.io/apimachinery/pkg/util/yaml``: ``YAMLOrJSONDecoder`` takes its JSON way when
    ``hasJSONPrefix`` holds, and a ``json.Decoder`` returns one value per call), as JSON lines tools write. Each
    object is a YAML flow mapping of its own; the text before it on its first line is made spaces, so that its
    lines and columns are the file's."""
    start = len(text) - len(text.lstrip())
    if not text.startswith("{", start):
        return None
    values: list[tuple[int, int]] = []
    depth = 0
    begin = start
    for m in _JSON_TOKEN.finditer(text, start):
        token = m.group()
        if depth == 0:
            if token != "{":
                return None  # something other than an object between objects: not a stream kubectl reads
            begin = m.start()
        if token in ("{", "["):
            depth += 1
        elif token in ("}", "]"):
            depth -= 1
            if depth == 0:
                values.append((begin, m.end()))
    if depth != 0 or len(values) < 2:
        return None
    chunks: list[_Chunk] = []
    for begin, end in values:
        line_start = text.rfind("\n", 0, begin) + 1
        body = " " * (begin - line_start) + text[begin:end] + "\n"
        line = text.count("\n", 0, begin)
        chunks.append(_Chunk(body, line, line_start, line + text.count("\n", begin, end)))
    if _json_problem(chunks[0], "") is not None:
        # kubectl's JSON decoder fails at the first value (``{{}}``, a YAML flow mapping such as ``{a: 1}``): no
        # stream, the text's one error stands.
        return None
    return chunks


def _json_problem(chunk: _Chunk, file: str) -> InputError | None:
    """The error of an object of a JSON stream (``_json_stream``) that is not JSON, at its place in the file: YAML
    may accept it (``{a: 1}``, ``{{}}``), kubectl's JSON decoder does not."""
    import json  # only for a text that failed as one YAML document and starts with '{'

    try:
        json.loads(chunk.text)
    except json.JSONDecodeError as exc:
        # The chunk's text keeps the file's columns (the text before the object on its line is spaces).
        return InputError(ErrorKind.YAML_SYNTAX, file, chunk.line + exc.lineno, exc.colno,
                          f"not a JSON object ({exc.msg}): a file that starts with '{{' is read as a stream of "
                          "JSON objects, as kubectl reads it")
    except RecursionError:
        return None  # nested too deep for json: loading the chunk reports that, located (``_check_depth``)
    return None


def document_chunks(text: str) -> list[_Chunk]:
    """The documents of ``text`` (as ``prepare_text`` gives it) as ``load_text`` reads them: its YAML documents,
    or the objects of a stream of JSON objects (``_json_stream``), which is never one YAML document. For code
    that edits a loaded file by its documents' offsets (``guardlint.fix``)."""
    chunks = split_documents(text)
    if len(chunks) == 1 and text.lstrip().startswith("{"):
        values = _json_stream(text)
        if values is not None:
            return values
    return chunks


def _untab_json(text: str) -> str:
    """Replace tabs outside quoted strings by spaces, one for one (positions stay put).

    JSON allows tabs as whitespace; YAML allows them only in some places (libyaml is more lenient than
    the pure-Python scanner). Inside a string a raw tab is data (YAML) or invalid (JSON), so those are
    left alone; single-quoted strings count too, for YAML flow documents that look like JSON.
    """
    return _JSON_STRING_OR_TAB.sub(lambda m: " " if m.group() == "\t" else m.group(), text)


@functools.lru_cache(maxsize=1)
def _composer() -> type[Any]:
    """PyYAML's composer with the tag resolution of plain scalars remembered (per file, or per run: see
    ``LoadMemo``), over libyaml's loader when available (the class is made when a document is first composed:
    see ``yaml_loader`` for why not at import).

    Resolving a tag runs a regular expression per scalar (PyYAML calls back into Python for each one), and a
    manifest repeats the same keys and values many times; SafeLoader has no path resolvers, so a scalar's tag
    depends only on its text and style, and the answer can be kept. Only short texts are kept, so the memo
    stays smaller than the file. Results are exactly PyYAML's (``tests/unit/test_loader.py``).
    """
    base: type[Any] = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader

    class _Composer(base):  # type: ignore[misc]
        def __init__(self, stream: str, memo: dict[tuple[str, Any], str]) -> None:
            super().__init__(stream)
            self._memo = memo

        def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
            if kind is ScalarNode:
                key = (value, implicit)
                tag = self._memo.get(key)
                if tag is None:
                    # A plain scalar's tag is Kubernetes' (go-yaml v2's); a quoted one is a string.
                    tag = resolve_plain(value)[0] if implicit[0] else _STR
                    if len(value) <= _MEMO_TEXT:
                        self._memo[key] = tag
                return tag
            return str(super().resolve(kind, value, implicit))

        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            """No path resolvers in the safe loader: nothing to track."""

        def ascend_resolver(self) -> None:
            """No path resolvers in the safe loader: nothing to track."""

    return _Composer


_MEMO_TEXT = 64


def _compose(body: str, memo: dict[tuple[str, Any], str]) -> Node | None:
    loader = _composer()(body, memo)
    try:
        node: Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()


def prepare_text(text: str, file: str) -> str:
    """The text as the loader parses it: line breaks normalised, a byte-order mark dropped, and tabs outside
    strings of a JSON document made spaces (one for one, so offsets after the first two steps hold)."""
    text = _normalise(text)
    if "\t" in text and _looks_like_json(text, file):
        text = _untab_json(text)
    return text


def load_text(
    text: str, file: str, *, nodes: bool = True, memo: LoadMemo | None = None, embedded: bool = True
) -> LoadedText:
    """Load every document of ``text``; never raises for bad input.

    ``nodes=False`` keeps a compact position map per document instead of PyYAML's node tree (``Document``):
    what a lint run uses, at a fraction of the memory. Code that reads nodes (``Document.root``) loads with
    the default. ``memo``, when given, is the plain scalars' values and tags already resolved by the files
    loaded before with it (see ``LoadMemo``); without it they are remembered for this file only. With
    ``embedded`` (the default), objects embedded as text in the file's documents (an Argo resource template's
    manifest, ``guardlint.source.subdocs``) are documents too, after the file's own."""
    text = _normalise(text)
    untab = "\t" in text and _looks_like_json(text, file)
    documents: list[Document] = []
    errors: list[InputError] = []
    builder = memo if memo is not None else LoadMemo()
    chunks: list[_Chunk] | None = None
    done = 0  # chunks already loaded (by ``_built_chunks``)
    candidates = _template_candidates(text)
    if candidates is not None:
        helm: tuple[int, int] | None = None
        if nodes or untab:
            helm = _first_action(text, candidates, *_block_scalars_and_gaps(text, candidates[-1]))
        else:
            # The text's block scalars decide (an action inside one is data). The event loop meets them while it
            # builds the documents, which a lint run does next anyway: when it builds every document, their
            # block scalars are those the token scan of the whole text finds (see ``_built_chunks``), and the
            # token scan, which costs about as much as loading the text, is not needed.
            chunks = split_documents(text)
            done, blocks = _built_chunks(chunks, file, builder, documents)
            if done == len(chunks):
                helm = _first_action(text, candidates, blocks, len(text))
            else:
                helm = _first_action(text, candidates, *_block_scalars_and_gaps(text, candidates[-1]))
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
    if untab:
        text = _untab_json(text)
    if chunks is None:
        chunks = split_documents(text)
    for number in range(done, len(chunks)):
        doc, problem = _load_chunk(chunks[number], number, file, builder, nodes)
        if problem is not None:
            errors.append(problem)
        if doc is not None:
            documents.append(doc)
    if errors and not documents and len(chunks) == 1:
        values = _json_stream(text)
        if values is not None:
            # Several JSON objects one after another, which no YAML document is: kubectl reads them as a stream
            # (see ``_json_stream``). Asked only of a text that failed as one document, so every text that loads
            # is read as before.
            chunks, errors = values, []
            for number, chunk in enumerate(chunks):
                # the first object is JSON (``_json_stream`` checked it); a later one may be YAML's only
                doc, problem = None, _json_problem(chunk, file) if number else None
                if problem is None:
                    doc, problem = _load_chunk(chunk, number, file, builder, nodes)
                if problem is not None:
                    errors.append(problem)
                if doc is not None:
                    documents.append(doc)
    warnings: list[str] = []
    # Workflows whose text may hold a resource template's manifest (a document's index is its chunk's).
    # (The kind first: a look-up, where the text's scan reads the whole chunk.)
    hosts = [d for d in documents if type(d.data) is dict and _may_embed(d.data)
             and "manifest" in chunks[d.index].text] if embedded else []
    if hosts:
        # Objects embedded as text (an Argo resource template's manifest): documents of their own, numbered
        # after the file's (``guardlint.source.subdocs``).
        from guardlint.source.subdocs import embedded_documents

        lines = text.split("\n")
        starts = [0]  # the character where each line starts (computed once: a file may hold many manifests)
        for line in lines:
            starts.append(starts[-1] + len(line) + 1)
        number = len(chunks)
        for host in hosts:
            made, said = embedded_documents(host, lines, starts, number, builder, nodes)
            number += len(made)
            documents.extend(made)
            warnings.extend(said)
    return LoadedText(file, tuple(documents), tuple(errors), tuple(warnings))


_EMBEDDING_KINDS = frozenset({"Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow"})
"""Kinds whose documents may embed objects as text (``guardlint.source.subdocs.ARGO_KINDS``): checked for every
document, so a set here rather than an import."""


def _may_embed(data: dict[str, Any]) -> bool:
    """Whether a document is, or is a ``kind: List`` holding, an object of a kind that embeds objects as text."""
    kind = data.get("kind")
    if kind in _EMBEDDING_KINDS:
        return True
    items = data.get("items")
    return (isinstance(kind, str) and kind.endswith("List") and isinstance(items, list)
            and any(type(item) is dict and item.get("kind") in _EMBEDDING_KINDS for item in items))


def load_block(
    block: str, value: str, first: int, offset: int, number: int, host: Document, found: Found, builder: LoadMemo,
    nodes: bool,
) -> tuple[Document | None, str | None]:
    """An object embedded in ``host`` as a literal block scalar (``guardlint.source.subdocs``): ``block`` is the
    scalar's content lines as the file has them (from 0-based line ``first``, character ``offset``), ``value``
    the string Argo reads, both with Argo's expressions masked. The document made of ``block``, whose
    positions are the file's, when it loads to the same data as ``value``; else the reason it is not linted."""
    from guardlint.source.argoexpr import unmask
    from guardlint.source.subdocs import embedding

    chunks = [c for c in split_documents(value) if c.text.strip()]
    if len(chunks) > 1:
        return None, f"the manifest holds {len(chunks)} documents; guardlint lints a manifest of one object"
    masked = "\ue000" in block
    lines = block.count("\n")
    doc, problem = _load_chunk(_Chunk(block, first, offset, first + max(lines - 1, 0)), number, host.file,
                               builder, nodes)
    if problem is not None:
        until = " until Argo substitutes its expressions" if masked else ""
        return None, f"it is not YAML{until} (line {problem.line}: {problem.message})"
    if doc is None:
        return None, "the manifest is empty"
    plain, plain_problem = _load_chunk(_Chunk(value, 0, 0, value.count("\n")), 0, host.file, builder, False)
    if plain_problem is not None or plain is None or plain.data != doc.data:
        return None, ("its lines in the file do not read as the string Argo reads (a '---' or another "
                      "indentation-sensitive form)")
    data = doc.data
    if found.action == "patch" and not (type(data) is dict and isinstance(data.get("apiVersion"), str)
                                        and isinstance(data.get("kind"), str)):
        return None, None  # a patch that names its target through the template's flags: no object to lint
    doc._set(data=unmask(doc.data), origin=host.origin, embedded=embedding(host, found))
    return doc, None


class _Marks:
    """Turns marks into (0-based line, 0-based column) within a chunk, counting only ``\n`` as a break."""

    def __init__(self, body: str) -> None:
        self.exact = _breaks_only_at_newlines(body)
        self._starts: list[int] = []
        if not self.exact:
            self._starts = [0] + [m.end() for m in re.finditer("\n", body)]

    def of(self, mark: Any) -> tuple[int, int]:
        if mark is None:
            return 0, 0
        if self.exact:
            return mark.line, mark.column
        line = bisect.bisect_right(self._starts, mark.index) - 1
        return line, mark.index - self._starts[line]

    def fix_tree(self, root: Node) -> None:
        """Rewrite the marks of every node when YAML and editors disagree about line breaks."""
        if self.exact:
            return
        seen: set[int] = set()
        stack = [root]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            node.start_mark = self._fixed(node.start_mark)
            node.end_mark = self._fixed(node.end_mark)
            if isinstance(node, SequenceNode):
                stack.extend(node.value)
            elif isinstance(node, MappingNode):
                for k, v in node.value:
                    stack.append(k)
                    stack.append(v)

    def _fixed(self, mark: Mark) -> Mark:
        line, column = self.of(mark)
        return Mark(mark.name, mark.index, line, column, None, None)  # type: ignore[arg-type]


def _breaks_only_at_newlines(body: str) -> bool:
    """Whether YAML and editors agree on the lines of ``body`` (``_Marks.exact``): YAML 1.1 also breaks lines
    at U+0085, U+2028 and U+2029, editors do not (marks after them are recomputed)."""
    return "\x85" not in body and "\u2028" not in body and "\u2029" not in body


def _load_chunk(
    chunk: _Chunk, number: int, file: str, builder: LoadMemo, nodes: bool = True
) -> tuple[Document | None, InputError | None]:
    body = chunk.text
    if not nodes and _breaks_only_at_newlines(body):
        # A lint run's usual document: built straight from the parser's events (``guardlint.source.events``).
        # Whatever that way does not handle, including every error, is left to the composing way below.
        built = _from_events(body, builder, spans="guardlint" in body)
        if built is not None:
            return _built_document(built, chunk, number, file), None
    marks = _Marks(body)

    def located(kind: ErrorKind, mark: Any, message: str) -> InputError:
        line, column = marks.of(mark)
        return InputError(kind, file, chunk.line + line + 1, column + 1, message)
    try:
        _check_depth(body)
        root = _compose(body, builder.tags)
    except _TooDeep as exc:
        return None, located(ErrorKind.TOO_DEEP, exc.mark, exc.message)
    except ReaderError as exc:
        # The reader stops at the first character YAML does not allow. libyaml reports a UTF-8 byte
        # offset and PyYAML a character index, so find the character itself.
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        index = body.find(chr(code))
        line, column = _line_col(body, index if index >= 0 else 0)
        return None, InputError(ErrorKind.YAML_SYNTAX, file, chunk.line + line, column,
                                f"character U+{code:04X} is not allowed in YAML (a control or non-printable character)")
    except UnicodeEncodeError as exc:  # a lone surrogate in text handed to load_text (files never hold one)
        line, column = _line_col(body, exc.start)
        return None, InputError(ErrorKind.ENCODING, file, chunk.line + line, column,
                                f"U+{ord(body[exc.start]):04X} is a lone surrogate, which no file encoding holds")
    except MarkedYAMLError as exc:
        problem = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        return None, located(ErrorKind.YAML_SYNTAX, exc.problem_mark or exc.context_mark, f"{problem}{context}")
    except YAMLError as exc:  # pragma: no cover - libyaml reports marks for all syntax errors
        return None, InputError(ErrorKind.YAML_SYNTAX, file, chunk.line + 1, 1, str(exc))
    except RecursionError:  # pragma: no cover - only the pure-Python composer recurses
        return None, InputError(
            ErrorKind.TOO_DEEP, file, chunk.line + 1, 1, "nesting too deep for the pure-Python YAML composer"
        )
    if root is None:
        return None, None
    marks.fix_tree(root)
    try:
        data, dups, positions, reads = builder.build(
            root, budget=max(_ALIAS_BUDGET_FLOOR, 4 * len(body)), may_alias="&" in body, positions=not nodes
        )
    except _AliasBomb:
        return None, located(
            ErrorKind.ALIAS_BOMB,
            root.start_mark,
            "YAML aliases expand to far more values than the text holds (an alias bomb); refusing to expand",
        )
    except _RecursiveAlias as exc:
        return None, located(ErrorKind.ALIAS_BOMB, exc.mark, exc.message)
    except _BadValue as exc:
        return None, located(ErrorKind.YAML_SYNTAX, exc.mark, exc.message)
    root_line = root.start_mark.line
    if isinstance(root, ScalarNode) and root.tag == _NULL and root.value == "":
        root_line = 0  # an empty document: its "content" is where it starts
    origin = _origin(body, root_line)
    directives = _scan_directives(body, chunk.line, _scalar_spans(root)) if "guardlint" in body else ()
    doc = Document(
        file=file,
        index=number,
        data=data,
        root=root if positions is None else None,
        positions=positions,
        dollar="$" in body or "\\" in body,
        line_offset=chunk.line,
        index_offset=chunk.offset,
        start_line=chunk.line + 1,
        end_line=chunk.end_line + 1,
        origin=origin,
        directives=directives,
        duplicate_keys=tuple(
            DuplicateKey(path, chunk.line + line + 1, col + 1, chunk.line + first + 1)
            for path, line, col, first in dups
        ),
        key_reads=None if reads is None else _reads_in_file(reads, chunk.line),
        content_line=chunk.line + root_line + 1,
        aliases=(_alias_uses(body, marks, chunk.line) if positions is None and "&" in body and "*" in body
                 else _NO_ALIASES),
    )
    return doc, None


def _reads_in_file(reads: KeyReads, line_offset: int) -> KeyReads:
    from guardlint.source.keyreads import in_file

    return in_file(reads, line_offset)


def _from_events(body: str, builder: LoadMemo, *, spans: bool) -> Built | None:
    """A chunk's document built from the parser's events, or None when the composing way must load it."""
    return build_from_events(body, _events_parser(), builder.plain_value, builder.values, builder.keys, spans=spans,
                             max_depth=MAX_DEPTH)


def _built_chunks(
    chunks: list[_Chunk], file: str, builder: LoadMemo, documents: list[Document]
) -> tuple[int, list[tuple[int, int]]]:
    """Build the first chunks from events, as ``_load_chunk`` does in a lint run, adding their documents to
    ``documents``, up to the first chunk that the event loop does not build; the number of chunks built and
    the spans of their block scalars in the text (sorted).

    When every chunk is built, those spans are what ``_block_scalars_and_gaps`` finds in the whole text, and it
    finds no scanner error: the event loop's parser is the same libyaml scanner, and it went through every chunk
    without an error. The scanner's state where a chunk starts is the same in the whole text as at the start of
    a text: a chunk starts at a ``---`` or ``%`` line (whose indicator resets the indentation and the pending
    simple key, as a stream's start does) or after a ``...`` line (which did so), with no flow collection open
    (the chunk before parsed whole), and every line break is ``\n`` (``_Marks.exact``), so a chunk's end is
    where the whole text's scanner meets the next chunk's marker: a block scalar before it ends after its last
    line break either way. A scalar event's marks are its token's (no event here has an anchor or a tag), and
    libyaml counts indexes in characters, so a chunk's spans shifted by its offset are the text's.
    ``tests/unit/test_loader.py`` compares both on generated text and every fixture."""
    blocks: list[tuple[int, int]] = []
    for number, chunk in enumerate(chunks):
        body = chunk.text
        if not _breaks_only_at_newlines(body):
            return number, blocks
        built = _from_events(body, builder, spans=True)
        if built is None:
            return number, blocks
        offset = chunk.offset
        blocks += [(start + offset, end + offset) for start, end in built.blocks]
        doc = _built_document(built, chunk, number, file)
        if doc is not None:
            documents.append(doc)
    return len(chunks), blocks


def _built_document(built: Built, chunk: _Chunk, number: int, file: str) -> Document | None:
    """The document of a chunk that ``guardlint.source.events`` built (None for a chunk without one): what
    the composing way below makes of the same chunk, with its position map and no node tree."""
    if built is EMPTY_STREAM:
        return None
    body = chunk.text
    return Document(
        file=file,
        index=number,
        data=built.data,
        root=None,
        positions=built.positions,
        dollar=built.dollar,
        line_offset=chunk.line,
        index_offset=chunk.offset,
        start_line=chunk.line + 1,
        end_line=chunk.end_line + 1,
        origin=_origin(body, built.root_line),
        directives=_scan_directives(body, chunk.line, built.spans) if "guardlint" in body else (),
        duplicate_keys=(),
        content_line=chunk.line + built.root_line + 1,
    )


def _scan_directives(body: str, first_line: int, spans: Sequence[tuple[int, int]]) -> tuple[Directive, ...]:
    """The document's suppression comments. Called only for a document whose text holds "guardlint" (every
    directive does), so the scanner is imported by the runs that have one, not by every run."""
    from guardlint.source.directives import scan_directives

    return scan_directives(body, first_line, spans)


def _origin(body: str, root_line: int) -> str | None:
    """The file a rendered document came from: a ``# Source:`` comment (Helm) before its content."""
    for raw in body.split("\n", root_line + 1)[:root_line]:
        # What ``re.match(r"^#\s*Source:\s*(\S.*?)\s*$", raw.strip()).group(1)`` finds, without the pattern:
        # ``str.strip`` strips exactly ``\s`` (Py_UNICODE_ISSPACE both), and the line holds no "\n" (the only
        # character ``.`` does not match, and the only one ``$`` may stand before), so the group is what
        # follows "Source:" with the whitespace around it stripped, when that is not empty
        # (``tests/unit/test_startup_shortcuts.py`` compares both).
        line = raw.strip()
        if line.startswith("#"):
            rest = line[1:].lstrip()
            if rest.startswith("Source:") and rest[7:].strip():
                return rest[7:].strip()
    return None


def _line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of character ``index`` of ``text`` (lines end at ``\\n``)."""
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def _scalar_spans(root: Node) -> tuple[tuple[int, int], ...]:
    """Character spans of the quoted and block scalars of a document: text there is data, not comments."""
    spans: list[tuple[int, int]] = []
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            if node.style in ("|", ">", '"', "'"):
                spans.append((node.start_mark.index, node.end_mark.index))
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            for k, v in node.value:
                stack.append(k)
                stack.append(v)
    return tuple(sorted(spans))


_LEADING = lazy(r"^[ \t?:-]*", re.MULTILINE)


def _leading_run(body: str) -> int:
    """The longest run of indentation and block indicators at the start of a line."""
    return max(map(len, _LEADING.findall(body)), default=0)


def _alias_uses(body: str, marks: _Marks, line_offset: int) -> Mapping[FieldPath, Location]:
    """Where the text uses each alias, by the path at which it appears (``Document.aliases``). The composed
    node tree cannot say: an alias is the anchored node itself there. One pass over the parser's events,
    for documents whose text has both ``&`` and ``*`` (the text already parsed, so no error is expected)."""
    out: dict[FieldPath, Location] = {}
    # One frame per open collection: [its path, whether a mapping, next item index or None, pending key].
    stack: list[list[Any]] = []
    skip = 0  # depth inside a non-scalar key (Kubernetes rejects those; nothing under one is located)
    try:
        for event in yaml.parse(body, Loader=yaml_loader()):
            kind = type(event)
            if kind in (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentStartEvent, yaml.DocumentEndEvent):
                continue
            if kind in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
                if skip:
                    skip -= 1
                else:
                    stack.pop()
                continue
            if skip:
                if kind in (yaml.MappingStartEvent, yaml.SequenceStartEvent):
                    skip += 1
                continue
            path: FieldPath = ()
            if stack:
                frame = stack[-1]
                if frame[1]:  # a mapping: a key, or the value of the pending key
                    if frame[3] is None:
                        if isinstance(event, yaml.ScalarEvent):
                            frame[3] = event.value
                        else:  # an alias or a collection as a key: nothing under it is located
                            frame[3] = _UNKNOWN_KEY
                            skip = 1 if kind is not yaml.AliasEvent else 0
                        continue
                    key = frame[3]
                    frame[3] = None
                    if key is _UNKNOWN_KEY:
                        if kind in (yaml.MappingStartEvent, yaml.SequenceStartEvent):
                            skip = 1
                        continue
                    path = (*frame[0], key)
                else:
                    path = (*frame[0], frame[2])
                    frame[2] += 1
            if kind is yaml.AliasEvent:
                line, column = marks.of(event.start_mark)
                end_line, end_column = marks.of(event.end_mark)
                out[path] = Location(line_offset + line + 1, column + 1, line_offset + end_line + 1, end_column + 1)
            elif kind is yaml.MappingStartEvent:
                stack.append([path, True, None, None])
            elif kind is yaml.SequenceStartEvent:
                stack.append([path, False, 0, None])
    except yaml.YAMLError:  # pragma: no cover - the same text composed without error
        return _NO_ALIASES
    return MappingProxyType(out) if out else _NO_ALIASES


_UNKNOWN_KEY = object()


def _check_depth(body: str) -> None:
    """Reject documents nested deeper than MAX_DEPTH before libyaml's recursive composer sees them."""
    if len(body) <= MAX_DEPTH:
        return  # every level of nesting takes at least one character
    bound = body.count("[") + body.count("{") + _leading_run(body) + 1
    if bound <= MAX_DEPTH:
        return
    too_deep = f"nesting deeper than {MAX_DEPTH} levels; no Kubernetes object is this deep"
    depth = 0
    try:
        for event in yaml.parse(body, Loader=yaml_loader()):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _TooDeep(event.start_mark, too_deep)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        # libyaml (0.2.5 and later) gives up at 1000 flow levels while it scans ahead for a possible
        # simple key, before it has produced the 501st collection: the place it gave up is in the
        # too-deep part. Any other syntax error is reported by the composer that follows.
        if exc.problem and "maximum nesting depth" in exc.problem:
            raise _TooDeep(exc.problem_mark, too_deep) from None
        raise


_Request = tuple[Node, FieldPath, bool, bool]
"""A node to build: the node, its path, whether to note duplicate keys, whether it is a merge source."""
_Built = tuple["Any", int, "dict[str, int] | None"]
"""Built data: the value, the size of its data tree, and for a mapping the size of each key's value."""
_Frame = Generator[_Request, _Built, _Built]


class LoadMemo:
    """Turns composed nodes into plain Python data (dict, list, str, int, float, bool, None), remembering the
    plain scalars it resolved (``tags``, ``values``). One per file by default; a lint run passes one to
    ``load_text`` for all of its files (``guardlint.api.load_inputs``), so that a text the files repeat (a kind,
    an apiVersion, ``true``, a port, a pull policy) is resolved once per run instead of once per file. That is
    exact: a plain scalar's tag and value depend on its text alone (the safe loader has no path resolvers) and
    the values are immutable (None, bool, int, float, str, datetime), so sharing them between files is sharing
    them between documents of one file, which ``plain_value`` already does. The memo holds no document and
    only short texts; the caller drops it when loading ends.

    The walk keeps its own stack of generator frames instead of recursing, so the depth of a document
    is bounded only by MAX_DEPTH. Two things are bounded by the budget: the work (one unit per node
    entered and per key copied from a merge) and the exact size of the data tree that rules will walk.
    Aliases are expanded where they are used; a mapping used as a merge source is built once and its
    values are shared by the mappings that merge it (as PyYAML shares aliased values), which keeps long
    merge chains linear while their size still counts.
    """

    def __init__(self) -> None:
        self._constructor = SafeConstructor()
        self.tags: dict[tuple[str, Any], str] = {}
        """Tags of plain scalars already resolved (see ``_Composer``)."""
        self.values: dict[str, Any] = {}
        """Values of plain scalars already resolved, by their text (see ``plain_value``)."""
        self.keys: dict[str, str] = {}
        """Mapping keys that kubectl reads as their text even when plain, each with its interned string (filled by
        the event loop, ``guardlint.source.events``). The texts are the documents' own keys, which the data holds
        anyway; the caller drops the memo when loading ends."""

    def plain_value(self, text: str) -> Any:
        """The value of a plain scalar without a tag, as Kubernetes reads it (``resolve_plain``; the composing
        way gives the same: ``_Composer.resolve`` and ``_scalar``). Short texts are remembered in ``values``
        (the values are immutable, so sharing them is safe), and short strings are interned, so the files of
        a run share them too (kinds, API versions, images, policies)."""
        tag, value = resolve_plain(text)
        if tag == _MERGE:
            value = text  # a merge key is a key; as a value go-yaml reads "<<" as the string it is
        if len(text) <= _MEMO_TEXT:
            if value is text:
                value = sys.intern(text)
            self.values[text] = value
        return value

    def build(
        self, root: Node, budget: int, *, may_alias: bool = True, positions: bool = False
    ) -> tuple[Any, list[tuple[FieldPath, int, int, int]], array[int] | None, KeyReads | None]:
        """Build the data of a document. ``may_alias=False`` says the text has no anchor (no ``&``), so no
        node is shared: the fast recursive walk then needs no budget, and falls back to the bounded walk
        only for merge keys or nesting deeper than Python's recursion allows. With ``positions`` the fast
        walk also returns the document's compact position map (see ``Document``); the bounded walk never
        does (its documents keep their node tree). Last, how kubectl reads the keys where that differs from
        their text (``Document.key_reads``; 0-based lines and columns of the chunk), else None."""
        if not may_alias:
            try:
                return self._build_plain(root, positions)
            except (_NeedBoundedWalk, RecursionError):
                pass
        data, dups, reads = self._build_bounded(root, budget)
        return data, dups, None, reads

    def _build_plain(
        self, root: Node, record: bool
    ) -> tuple[Any, list[tuple[FieldPath, int, int, int]], array[int] | None, KeyReads | None]:
        found: list[tuple[Node, str, int, int, int]] = []  # duplicate keys, their paths found later
        odd: list[MappingNode] = []  # mappings with a key that is not a string (``_odd_keys``)
        scalar_of = self._scalar
        # The position map under construction (see ``Document``): entry 0 is the root, without a key.
        pos: list[int] = list(_FRESH)

        def walk(node: Node, at: int) -> Any:
            # ``at``: where this value's [start line and column, end line and column, children] go in ``pos``
            # (-1: nowhere).
            if at >= 0:
                mark = node.start_mark
                pos[at] = mark.line
                pos[at + 1] = mark.column
                mark = node.end_mark
                pos[at + 2] = mark.line
                pos[at + 3] = mark.column
            if type(node) is ScalarNode:
                if node.tag == _STR:
                    return node.value
                return scalar_of(node)
            if type(node) is MappingNode:
                out: dict[str, Any] = {}
                slots: dict[str, int] = {}  # each key's index among the mapping's keys (its first occurrence)
                first_lines: dict[str, int] | None = None  # built at the mapping's first duplicate key
                pairs = node.value
                base = -1
                if at >= 0:
                    base = len(pos)
                    pos[at + 4] = base
                    pos.extend(_FRESH * len(pairs))
                strange = False
                for key_node, value_node in pairs:
                    tag = key_node.tag
                    if tag != _STR:
                        if tag == _MERGE:
                            raise _NeedBoundedWalk
                        strange = True  # a key go-yaml reads as a boolean, a number or null, or a collection
                    scalar_key = type(key_node) is ScalarNode
                    key = key_node.value if scalar_key else _complex_key(key_node)
                    mark = key_node.start_mark
                    slot = slots.get(key)
                    if slot is None:
                        slots[key] = slot = len(out)
                    else:  # a duplicate: looked up, so N duplicates cost O(N), not a scan of the keys each
                        if first_lines is None:
                            first_lines = _first_lines(pairs)
                        found.append((node, key, mark.line, mark.column, first_lines[key]))
                    entry = base + _ENTRY * slot if base >= 0 else -1
                    if entry >= 0:
                        if scalar_key:
                            pos[entry] = mark.line
                            pos[entry + 1] = mark.column
                        elif pos[entry] == _NO_KEY:  # a first (non-scalar) key: its value cannot be located
                            pos[entry] = _UNLOCATABLE
                        else:  # a non-scalar key after a scalar one: the scalar one stays located
                            entry = -1
                    out[key] = walk(value_node, entry + 2 if entry >= 0 else -1)
                if strange:
                    odd.append(node)
                return out
            if type(node) is SequenceNode:
                items = node.value
                if at < 0:
                    return [walk(child, -1) for child in items]
                base = len(pos)
                pos[at + 4] = base
                pos.extend(_FRESH * len(items))
                return [walk(child, base + _ENTRY * i + 2) for i, child in enumerate(items)]
            raise _NeedBoundedWalk

        try:
            data = walk(root, 2 if record else -1)
        finally:
            # ``walk`` refers to itself through its closure: break the cycle, or (with the garbage collector
            # paused during a run) the closure, the position list and the tag memo would outlive the load.
            walk = _walked
        dups: list[tuple[FieldPath, int, int, int]] = []
        reads: KeyReads | None = None
        if found or odd:
            paths = _mapping_paths(root)
            dups = [((*paths[id(mapping)], key), line, column, first) for mapping, key, line, column, first in found]
            if odd:
                reads = self._key_reads([(paths[id(mapping)], mapping) for mapping in odd], dups)
        return data, dups, position_array(pos, max(pos)) if record else None, reads

    def _key_reads(
        self, odd: list[tuple[FieldPath, MappingNode]], dups: list[tuple[FieldPath, int, int, int]]
    ) -> KeyReads | None:
        """How kubectl reads the keys of the ``odd`` mappings (``guardlint.source.keyreads``, imported here only)."""
        from guardlint.source.keyreads import key_reads

        return key_reads(odd, dups, self._key_value, _complex_key)

    def _key_value(self, node: ScalarNode) -> Any:
        """A typed key scalar's value as go-yaml reads it; its text where an explicit tag cannot read the text
        (``!!int abc``: the key is then judged as the string it is)."""
        try:
            return self._scalar(node)
        except _BadValue:
            return node.value

    def _scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag == _NULL:
            return None
        if not node.style and tag in _TYPED:
            # A plain scalar (style None, or "" from libyaml's composer): its value as Kubernetes reads it.
            # An explicit tag that go-yaml would resolve differently (``!!float 1``) is converted below.
            resolved_tag, value = resolve_plain(node.value)
            if resolved_tag == tag:
                return value
        constructor = self._constructor
        try:
            if tag == _BOOL:
                return constructor.construct_yaml_bool(node)
            if tag == _INT:
                return constructor.construct_yaml_int(node)
            if tag == _FLOAT:
                return constructor.construct_yaml_float(node)
        except (ValueError, KeyError, IndexError):
            # Only an explicit tag (``!!int abc``) gets here: implicit resolution matched the text.
            name = tag.rsplit(":", 1)[-1]
            raise _BadValue(node.start_mark, f"cannot read {node.value!r} as !!{name}") from None
        return node.value

    def _build_bounded(
        self, root: Node, budget: int
    ) -> tuple[Any, list[tuple[FieldPath, int, int, int]], KeyReads | None]:
        dups: list[tuple[FieldPath, int, int, int]] = []
        odd: list[tuple[FieldPath, MappingNode]] = []  # checked mappings with a key that is not a string
        checked: set[int] = set()  # mappings already checked for duplicate keys (aliases repeat them)
        merge_sources: dict[int, _Built] = {}
        remaining = budget

        def charge(units: int) -> None:
            nonlocal remaining
            remaining -= units
            if remaining < 0:
                raise _AliasBomb

        scalar = self._scalar

        def sequence(node: SequenceNode, path: FieldPath, track: bool) -> _Frame:
            out: list[Any] = []
            size = 1
            for i, child in enumerate(node.value):
                value, child_size, _ = yield child, (*path, i), track, False
                out.append(value)
                size += child_size
            return out, size, None

        def mapping(node: MappingNode, path: FieldPath, track: bool) -> _Frame:
            out: dict[str, Any] = {}
            sizes: dict[str, int] = {}
            merges: list[Node] = []
            seen: dict[str, int] | None = None
            if track and id(node) not in checked:
                checked.add(id(node))
                seen = {}
            strange = False
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE:
                    merges.append(value_node)
                    continue
                if key_node.tag != _STR:
                    strange = True  # a key go-yaml reads as a boolean, a number or null, or a collection
                key = key_node.value if isinstance(key_node, ScalarNode) else _complex_key(key_node)
                if seen is not None:
                    first = seen.get(key)
                    if first is not None:
                        dups.append(((*path, key), key_node.start_mark.line, key_node.start_mark.column, first))
                    else:
                        seen[key] = key_node.start_mark.line
                out[key], sizes[key], _ = yield value_node, (*path, key), track, False
            if strange and seen is not None:
                odd.append((path, node))
            for source in _merge_sources(merges):
                # Keys from a merge never override explicit keys; earlier sources win over later ones.
                merged, _, merged_sizes = yield source, path, False, True
                charge(len(merged))
                for k, v in merged.items():
                    if k not in out:
                        out[k] = v
                        sizes[k] = merged_sizes[k] if merged_sizes is not None else 1
            return out, 1 + sum(sizes.values()), sizes

        stack: list[tuple[_Frame, int, bool]] = []
        active: set[int] = set()  # collections being built: meeting one again is a recursive alias
        request: _Request | None = (root, (), True, False)
        incoming: Any = None  # what the frame on top of the stack receives next
        while True:
            if request is not None:
                node, path, track, merge_source = request
                request = None
                nid = id(node)
                charge(1)
                if isinstance(node, ScalarNode):
                    incoming = (scalar(node), 1, None)
                elif nid in active:
                    raise _RecursiveAlias(
                        node.start_mark,
                        "a YAML alias refers to a collection that contains it (a recursive alias); "
                        "it would expand forever",
                    )
                elif merge_source and nid in merge_sources:
                    incoming = merge_sources[nid]
                else:
                    active.add(nid)
                    if isinstance(node, MappingNode):
                        stack.append((mapping(node, path, track), nid, merge_source))
                    elif isinstance(node, SequenceNode):
                        stack.append((sequence(node, path, track), nid, merge_source))
                    else:  # pragma: no cover - only three node kinds exist
                        raise TypeError(f"unexpected node {node!r}")
                    incoming = None
            if not stack:
                return incoming[0], dups, self._key_reads(odd, dups) if odd else None
            frame, nid, merge_source = stack[-1]
            try:
                request = frame.send(incoming)
            except StopIteration as stop:
                stack.pop()
                active.discard(nid)
                incoming = stop.value
                if incoming[1] > budget:
                    raise _AliasBomb from None
                if merge_source:
                    merge_sources[nid] = incoming


def _first_lines(pairs: list[tuple[Node, Node]]) -> dict[str, int]:
    """The line of each key's first occurrence among a mapping node's pairs (merge keys included: they are
    not data keys, and a mapping with one goes to the bounded walk)."""
    lines: dict[str, int] = {}
    for key_node, _value in pairs:
        key = key_node.value if type(key_node) is ScalarNode else _complex_key(key_node)
        if key not in lines:
            lines[key] = key_node.start_mark.line
    return lines


def _walked(node: Node, at: int) -> Any:
    """Stands in for a finished walk (see ``LoadMemo._build_plain``)."""
    raise AssertionError("the walk is over")


def _mapping_paths(root: Node) -> dict[int, FieldPath]:
    """The path of every mapping node of a tree without shared nodes, by ``id`` (for duplicate keys, which are
    rare: the walk does not carry paths)."""
    paths: dict[int, FieldPath] = {}
    stack: list[tuple[Node, FieldPath]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, MappingNode):
            paths[id(node)] = path
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, ScalarNode) else _complex_key(key_node)
                stack.append((value_node, (*path, key)))
        elif isinstance(node, SequenceNode):
            stack.extend((child, (*path, i)) for i, child in enumerate(node.value))
    return paths


def _merge_sources(values: list[Node]) -> Iterator[MappingNode]:
    for value in values:
        if isinstance(value, MappingNode):
            yield value
            continue
        items = [item for item in value.value if isinstance(item, MappingNode)] if isinstance(
            value, SequenceNode
        ) else []
        if isinstance(value, SequenceNode) and len(items) == len(value.value):
            yield from items
        else:
            found = "a list holding other values" if isinstance(value, SequenceNode) else "a scalar"
            raise _BadValue(
                value.start_mark, f"a merge key ('<<') needs a mapping or a list of mappings, found {found}"
            )


def _complex_key(node: Node) -> str:
    # Kubernetes rejects non-scalar keys; keep a readable stand-in so the rest of the object still loads.
    return f"<complex key at line {node.start_mark.line + 1}>"
