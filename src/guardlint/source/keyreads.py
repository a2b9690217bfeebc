"""How kubectl reads a document's mapping keys, where that differs from their text (``Document.key_reads``).

guardlint keeps each key as the text of its key scalar. Kubernetes' YAML decoder (sigs.k8s.io/yaml over go-yaml
v2) reads a plain key as a value first (``on`` a boolean, ``010`` an integer, ``~`` null) and then makes a JSON
key of it (``guardlint.source.scalars.key_text``): ``on`` becomes ``"true"``, ``010`` ``"8"``, and a null key fails
the whole file. The loader's composing walk hands the mappings that hold a key go-yaml does not read as a
string to ``key_reads``, which notes the keys kubectl reads as other text or cannot read, and the duplicate
keys as kubectl sees them. Imported only for such a document: nearly every run has none (the event loop builds
only documents whose keys kubectl reads as written).
"""

from __future__ import annotations

from guardlint._record import NamedTuple
from guardlint.source.scalars import key_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from yaml.nodes import MappingNode, Node, ScalarNode

    from guardlint.model.paths import FieldPath

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_TYPED = frozenset(("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"))
_KINDS = {bool: "boolean", int: "integer", float: "number"}
"""What go-yaml read a key as that kubectl spells otherwise (``ConvertedKey.kind``), by the value's type."""


class ConvertedKey(NamedTuple):
    """A plain mapping key that kubectl does not read as its text."""

    path: FieldPath
    """The key's path, the key as guardlint keeps it: its text."""
    line: int
    column: int
    read_as: str | None
    """The key kubectl makes of it (``"true"`` for ``on``), or None where kubectl fails on it."""
    kind: str
    """What go-yaml reads the key as: ``boolean``, ``integer``, ``number``, ``null``, ``uint64`` (an integer
    of 2**63 or more) or ``collection`` (a list or a mapping as a key)."""


class ReadDuplicate(NamedTuple):
    """A duplicate key as kubectl sees it (the fields of ``guardlint.source.loader.DuplicateKey``, and how)."""

    path: FieldPath
    line: int
    column: int
    first_line: int
    first_key: str = ""
    """The first key's text when it differs from this one's: two keys that kubectl reads as the same key
    (``on`` and ``yes``, both ``"true"``)."""
    read_as: str = ""
    """The key kubectl reads both as, when ``first_key`` is set."""
    random: bool = False
    """Whether go-yaml reads the two keys as different values (``1`` and ``"1"``, ``1`` and ``1.0``) that
    sigs.k8s.io/yaml then spells the same: which of the two kubectl keeps follows Go's map order, at random."""


class KeyReads(NamedTuple):
    """How kubectl reads a document's mapping keys, where that differs from their text."""

    converted: tuple[ConvertedKey, ...]
    """The keys kubectl reads as other text or cannot read, in the order of the text."""
    duplicates: tuple[ReadDuplicate, ...]
    """The duplicate keys as kubectl sees them: ``Document.duplicate_keys`` (keys of the same text) with the
    keys that kubectl reads as one key added and those it keeps apart (``on`` and ``"on"``) removed."""


def key_reads(
    odd: list[tuple[FieldPath, MappingNode]], dups: list[tuple[FieldPath, int, int, int]],
    scalar: Callable[[ScalarNode], Any], complex_key: Callable[[Node], str],
) -> KeyReads | None:
    """How kubectl reads the keys of the ``odd`` mappings (each with its path: the mappings with a key that go-yaml
    does not read as a string), given the document's duplicate keys by text (``dups``, as the loader's walks
    note them: path, 0-based line and column, first line). ``scalar`` is the walk's value of a scalar node (it
    may raise for an explicit tag that cannot read its text), ``complex_key`` its stand-in for a collection key.
    None when kubectl reads each key as its text and the duplicates are those; else 0-based lines and columns."""
    converted: list[ConvertedKey] = []
    found: list[ReadDuplicate] = []
    paths: set[FieldPath] = set()
    for path, mapping in odd:
        paths.add(path)
        converted += _mapping(mapping.value, path, found, scalar, complex_key)
    mine = sorted(ReadDuplicate(*d) for d in dups if d[0][:-1] in paths)
    if not converted and sorted(found) == mine:
        return None  # every key read as its text, and the same duplicates (``1`` twice, not ``1`` and "1")
    kept = [ReadDuplicate(*d) for d in dups if d[0][:-1] not in paths]
    return KeyReads(tuple(converted), tuple(sorted(kept + found, key=lambda d: (d.line, d.column))))


def _mapping(
    pairs: list[tuple[Node, Node]], path: FieldPath, dups: list[ReadDuplicate], scalar: Callable[[ScalarNode], Any],
    complex_key: Callable[[Node], str],
) -> list[ConvertedKey]:
    """The keys of a mapping's ``pairs`` that kubectl does not read as their text; the keys it reads as one key are
    added to ``dups``."""
    from yaml.nodes import ScalarNode as Scalar

    out: list[ConvertedKey] = []
    seen: dict[str, tuple[Node, Any]] = {}  # a key as kubectl reads it -> (its first key node, go-yaml's value)
    for key_node, _value in pairs:
        mark = key_node.start_mark
        if type(key_node) is not Scalar:
            out.append(ConvertedKey((*path, complex_key(key_node)), mark.line, mark.column, None, "collection"))
            continue
        tag = key_node.tag
        if tag == _MERGE:
            continue
        text: str = key_node.value
        value: Any = text
        if tag == _NULL:
            value = None
        elif tag in _TYPED:
            value = scalar(key_node)
        read = key_text(value)
        if read is None:
            out.append(ConvertedKey((*path, text), mark.line, mark.column, None, "null" if value is None else "uint64"))
            continue
        if read != text:
            out.append(ConvertedKey((*path, text), mark.line, mark.column, read, _KINDS[type(value)]))
        first = seen.get(read)
        if first is None:
            seen[read] = (key_node, value)
            continue
        first_node, other = first
        renamed = first_node.value != text
        dups.append(ReadDuplicate(
            (*path, text), mark.line, mark.column, first_node.start_mark.line, first_node.value if renamed else "",
            read if renamed else "", type(other) is not type(value) or other != value,
        ))
    return out


def in_file(reads: KeyReads, line_offset: int) -> KeyReads:
    """``reads`` with 0-based lines and columns of a chunk made 1-based lines and columns of the file."""
    return KeyReads(
        tuple(c._replace(line=line_offset + c.line + 1, column=c.column + 1) for c in reads.converted),
        tuple(d._replace(line=line_offset + d.line + 1, column=d.column + 1, first_line=line_offset + d.first_line + 1)
              for d in reads.duplicates),
    )
