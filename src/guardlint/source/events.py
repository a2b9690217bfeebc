"""The fast way from YAML text to data and a position map: libyaml's parser events, no node tree.

A lint run needs each document's data and its compact position map (``guardlint.source.loader.Document``), not
PyYAML's node tree. Composing that tree calls back into Python three times per node (tag resolution and the
two path-resolver hooks) and creates a node object per value, and walking it again to build the data costs as
much. Here one loop over the C parser's events builds the data and the map directly, resolving each plain
scalar once per run (the text -> value memo, ``LoadMemo``).

The loop handles the common case only: a document without anchors, aliases, explicit tags, merge keys
(``<<``), non-scalar keys, duplicate keys or plain keys that kubectl reads as other text (``on``, ``010``),
whose text breaks lines only at ``\\n``. On anything else, and
on any error of the parser, it gives up (``build`` returns None) and the caller loads the document the
composing way, which handles all of that (alias bombs, merge keys, duplicate keys, located errors). So the
result, when there is one, is what the composing way builds, by construction:

* the events are the ones libyaml's composer consumes, so marks (lines, columns, indexes) are the same;
* a plain scalar without a tag is read as Kubernetes reads it (``guardlint.source.scalars.resolve_plain``, through
  the memo's ``plain_value``), as the composing way reads it too; any other scalar is the string it is;
* a mapping's keys are the text of their key scalars, in order (each one kubectl reads as that text); its
  values, a sequence's items and the
  position map's entries (key start, value start and end, children) come from the same marks, with each
  collection's children consecutive in the map (the map is filled when a collection ends, so children come
  before their parent, which ``locate_in_map`` does not mind: it follows the stored offsets).
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Callable
from struct import pack

from yaml.error import YAMLError
from yaml.events import (
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)

from guardlint._record import NamedTuple
from guardlint.source.scalars import NUMBER_FIRST, WORDS, plain_key_kept

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_NO_KEY = -1
_ENTRY = 7
"""Words per value in a position map: key line and column, value start line and column, value end line and
column, first entry of the value's children (``guardlint.source.loader``)."""
_DATA_STYLES = frozenset(("|", ">", '"', "'"))
"""Scalar styles whose text is data (a ``#`` there starts no comment): quoted and block scalars."""
_BLOCK_STYLES = frozenset(("|", ">"))


class Built(NamedTuple):
    """A document built from events: its data, its position map, where its content starts and the spans of
    its quoted and block scalars and of its block scalars alone (when asked for)."""

    data: Any
    positions: array[int]
    root_line: int
    """0-based line of the root value's start, or 0 for an empty document (a bare null root)."""
    spans: tuple[tuple[int, int], ...]
    dollar: bool
    """Whether a mapping key of the document starts with ``$`` (as ``Document.dollar``, but exact)."""
    blocks: tuple[tuple[int, int], ...] = ()
    """The spans of the block scalars (``|``, ``>``) among ``spans``: what unrendered-template detection asks."""


class _GiveUp(Exception):
    """The document needs the composing loader (anchors, tags, merge or duplicate keys, ...)."""


EMPTY_STREAM = Built(None, array("q"), 0, (), False)
"""What ``build`` returns for a text without any document (only comments or nothing): the composer's None."""


def build(
    body: str, loader: type[Any], plain_value: Callable[[str], Any], values: dict[str, Any], keys: dict[str, str],
    *, spans: bool, max_depth: int,
) -> Built | None:
    """The data and position map of the single document of ``body`` (``EMPTY_STREAM`` when it holds none), or
    None when the composing loader must do it. ``values`` is the memo of plain scalars' values (``LoadMemo``)
    (filled by ``plain_value``, called for a plain scalar not in it). ``keys`` is the memo of mapping keys that
    kubectl reads as their text even when plain, each with its interned string (filled here); a plain key that
    kubectl reads otherwise leaves the document to the composing loader. With ``spans`` the spans of quoted and
    block scalars are collected for the directive scanner, and those of block scalars for template detection.
    A document nested deeper than ``max_depth`` collections is left to the composing loader, which rejects it
    (the loop itself does not recurse)."""
    try:
        parser = loader(body)
    except (YAMLError, UnicodeEncodeError):
        return None
    try:
        # Tags start with ``!`` and anchors with ``&`` in the text: without either, no event can carry one.
        screen = "!" in body or "&" in body
        # A key spells ``$`` as itself or as an escape (``"\\x24patch"``): without either, none starts with it.
        dollar = "$" in body or "\\" in body
        return _build(parser.get_event, plain_value, values, keys, [] if spans else None, screen, dollar, max_depth,
                      len(body))
    except (YAMLError, _GiveUp):
        return None
    finally:
        parser.dispose()


_MISSING = object()


def position_array(values: list[int], largest: int) -> array[int]:
    """A position map (``guardlint.source.loader.Document.positions``: lines, columns, entry indexes and the
    sentinels -1 and -2) as an array of C ints, or of 64-bit ints when ``largest``, a bound of the values,
    does not fit in 32 bits (a text of some hundred million characters).

    Made from the values packed by ``struct`` (native order and size, as the array's own): the array the
    array's constructor makes from ``values``, at a fraction of the cost, because the constructor converts
    each value through a generic argument parser while ``struct`` converts it directly."""
    code = "i" if largest <= _INT_MAX else "q"
    return array(code, pack(f"{len(values)}{code}", *values))


_INT_MAX = 2**31 - 1


def _build(
    get: Callable[[], Any], plain_value: Callable[[str], Any], values: dict[str, Any],
    keys: dict[str, str], spans: list[tuple[int, int, bool]] | None, screen: bool, dollar: bool, max_depth: int,
    text_length: int,
) -> Built:
    if type(get()) is not StreamStartEvent:  # pragma: no cover - libyaml always starts with it
        raise _GiveUp
    event = get()
    if type(event) is StreamEndEvent:
        return EMPTY_STREAM
    if type(event) is not DocumentStartEvent:  # pragma: no cover - libyaml's stream grammar
        raise _GiveUp
    pos: list[int] = [0] * _ENTRY  # entry 0 is the root's, written at the end
    # The open collections, innermost last: (container, is_mapping, its children's entries, the parent's
    # pending key, that key's line and column, the collection's line and column). The document itself is a
    # one-item list, so the root value is added like any other item.
    stack: list[tuple[Any, bool, list[int], Any, int, int, int, int]] = []
    document: list[Any] = []
    container: Any = document
    is_mapping = False
    entries: list[int] = []  # the entries (7 ints each) of the current collection's children, in order
    key: Any = None  # a mapping's key whose value is a collection still open (None between entries)
    key_line = key_column = 0  # where ``key`` starts
    empty_root = False
    dollar_key = False
    intern = sys.intern
    known = keys.get  # (a local: one call per key, as ``sys.intern`` was)
    mark: Any  # an event's start or end mark (libyaml's: never None)
    # The loop reads one event per turn, except that a mapping's key and a scalar value after it are read in
    # the same turn (the common ``key: value``): in a mapping, a turn therefore starts at a key or at the
    # mapping's end, and ``key`` is only set while the key's value is a collection being built.
    event = get()
    while True:
        kind = type(event)
        if kind is ScalarEvent:
            if screen and (event.tag is not None or event.anchor is not None):
                raise _GiveUp
            mark = event.start_mark
            line = mark.line
            column = mark.column
            if spans is not None and event.style in _DATA_STYLES:
                spans.append((mark.index, event.end_mark.index, event.style in _BLOCK_STYLES))
            text = event.value
            if is_mapping:
                # A key: its text. A repeated key needs the duplicate-key bookkeeping, and a plain key that
                # kubectl does not read as its text (``on``, ``010``, ``~``, the merge key ``<<``) the key
                # judgements: both are the composing loader's.
                if text in container:
                    raise _GiveUp
                # ``keys`` maps each text known to be read as written even when plain (nearly every key of a run
                # after its first objects) to its interned string: a manifest repeats the same few dozen keys in
                # every object, so the data holds one string each instead of one per use (the interpreter drops
                # an interned string when nothing else refers to it). One look-up, where ``sys.intern`` was.
                name = known(text)
                if name is None:
                    # First seen in this run: a text that cannot be read as anything but a string (neither one of
                    # go-yaml's words nor starting like a number) is known at once; the others are asked.
                    name = intern(text)
                    if (text not in WORDS and text[:1] not in NUMBER_FIRST) or plain_key_kept(text):
                        keys[text] = name
                    elif event.implicit[0]:
                        raise _GiveUp
                if dollar and text[:1] == "$":
                    dollar_key = True
                event = get()
                kind = type(event)  # (compared as a name: the event's declared type stays ``Any``)
                if kind is not ScalarEvent:
                    # The value is a collection (or an alias): the next turn takes it, with the key pending.
                    key = name
                    key_line = line
                    key_column = column
                    continue
                # The value is a scalar: the same steps as for an item below.
                if screen and (event.tag is not None or event.anchor is not None):
                    raise _GiveUp
                mark = event.start_mark
                value_line = mark.line
                value_column = mark.column
                if spans is not None and event.style in _DATA_STYLES:
                    spans.append((mark.index, event.end_mark.index, event.style in _BLOCK_STYLES))
                value = event.value
                if event.implicit[0]:
                    found = values.get(value, _MISSING)
                    value = plain_value(value) if found is _MISSING else found
                mark = event.end_mark
                container[name] = value
                entries += (line, column, value_line, value_column, mark.line, mark.column, -1)
            else:
                if event.implicit[0]:
                    value = values.get(text, _MISSING)
                    if value is _MISSING:
                        value = plain_value(text)
                    if container is document:
                        empty_root = text == ""
                else:
                    value = text
                mark = event.end_mark
                container.append(value)
                entries += (_NO_KEY, 0, line, column, mark.line, mark.column, -1)
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if (screen and (event.tag is not None or event.anchor is not None)) or (is_mapping and key is None):
                raise _GiveUp  # a tagged collection, an anchor, or a collection as a key
            mark = event.start_mark
            stack.append((container, is_mapping, entries, key, key_line, key_column, mark.line, mark.column))
            if len(stack) > max_depth:
                raise _GiveUp
            is_mapping = kind is MappingStartEvent
            container = {} if is_mapping else []
            entries = []
            key = None
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            children = len(pos)
            pos += entries
            done = container
            container, is_mapping, entries, key, key_line, key_column, line, column = stack.pop()
            mark = event.end_mark
            if is_mapping:
                container[key] = done
                entries += (key_line, key_column, line, column, mark.line, mark.column, children)
                key = None
            else:
                container.append(done)
                entries += (_NO_KEY, 0, line, column, mark.line, mark.column, children)
        elif kind is DocumentEndEvent:
            break
        else:  # an alias
            raise _GiveUp
        event = get()
    if type(get()) is not StreamEndEvent:
        raise _GiveUp  # a second document: the composer's error to report
    pos[0:_ENTRY] = entries
    # Every value is a line or a column of the text (at most its length), -1, -2 or the index of an entry.
    positions = position_array(pos, max(text_length, len(pos)))
    if not spans:
        return Built(document[0], positions, 0 if empty_root else pos[2], (), dollar_key)
    spans.sort()
    return Built(document[0], positions, 0 if empty_root else pos[2],
                 tuple([(start, end) for start, end, _ in spans]), dollar_key,
                 tuple([(start, end) for start, end, block in spans if block]))
