"""The shipped Kubernetes API schemas, one set per Kubernetes minor version, compiled lazily.

The data (``guardlint/_data/k8s-schemas``) is built by ``scripts/build_schemas.py`` from the schemas that
the ``kubernetes-validate`` package publishes (see ``SOURCE.md`` next to the data): ``definitions.txt``
holds every distinct definition once (one compact JSON line each), and the small index of each version
(``v1.30.json.gz``) gives, for each definition name, the offset in that file where its line's JSON starts. A run reads
the file's bytes (no decompression, no table of all definitions) and decodes and compiles a definition the
first time a kind that uses it is validated, once per version and process.
"""

from __future__ import annotations

import functools
import os
import zlib
from collections.abc import Mapping

from guardlint.apischema.node import (
    ARRAY,
    BOOLEAN,
    INT_OR_STRING,
    INTEGER,
    NUMBER,
    OBJECT,
    QUANTITY,
    STRING,
    Node,
    seal,
)
from guardlint.data import parse_shipped_json

TYPE_CHECKING = False
if TYPE_CHECKING:
    import mmap
    from typing import Any

_TYPES = {"s": STRING, "i": INTEGER, "n": NUMBER, "b": BOOLEAN, "o": OBJECT, "a": ARRAY}
_SPECIAL = {"q": QUANTITY, "ios": INT_OR_STRING}


def _data_dir() -> str:
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "_data", "k8s-schemas")


@functools.lru_cache(maxsize=1)
def shipped_versions() -> tuple[tuple[int, int], ...]:
    """The Kubernetes versions with shipped schemas, oldest first."""
    found = []
    for name in os.listdir(_data_dir()):
        if name.startswith("v1.") and name.endswith(".json.gz"):
            found.append((1, int(name[3:-8])))
    return tuple(sorted(found))


@functools.lru_cache(maxsize=1)
def _pool() -> bytes | mmap.mmap:
    """``definitions.txt``: a definition's compact JSON runs from the offset its version's index gives to the
    end of that line (the line starts with the definition's id, for people reading the file).

    The file is mapped, not read: a run decodes the few dozen definitions its objects use (the pre-commit
    sample: 77 definitions, 24 KB of the file's 571 KB), and only the pages holding them are brought in; reading
    the whole file cost about 140 page faults of every run that validates a schema. A file that cannot be
    mapped (an empty one) is read, and so is the file on Windows, where a mapped file cannot be replaced while
    the process lives (a library host's process, during an upgrade of guardlint)."""
    with open(os.path.join(_data_dir(), "definitions.txt"), "rb") as fh:
        if os.name == "nt":
            return fh.read()
        import mmap

        try:
            return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            return fh.read()


def _line_from(pool: bytes | mmap.mmap, start: int) -> bytes:
    """The bytes of ``pool`` from ``start`` to the end of that line (``ValueError`` when no line end follows, as
    ``bytes.index`` raises)."""
    end = pool.find(b"\n", start)
    if end < 0:
        raise ValueError("subsection not found")
    return pool[start:end]


def api_key(api_version: str, kind: str) -> str:
    return f"{api_version}/{kind}"


class VersionSchemas:
    """The built-in kinds of one Kubernetes version and their compiled schemas."""

    __slots__ = ("_compiled", "_offsets", "kinds", "served", "version")

    def __init__(self, version: tuple[int, int], index: Mapping[str, Any]) -> None:
        self.version = version
        self._offsets: Mapping[str, int] = index["at"]
        """Definition name -> the byte offset of its JSON in ``definitions.txt`` (it ends at the line's end)."""
        self.kinds: Mapping[str, str] = index["kinds"]
        """``group/version/Kind`` (``v1/Pod`` for the core group) -> definition name."""
        self.served: frozenset[str] = frozenset(index["served"])
        """The kinds whose objects carry ObjectMeta: the resources the API server serves."""
        self._compiled: dict[str, Node] = {}

    def kind_node(self, api_version: str, kind: str) -> Node | None:
        name = self.kinds.get(api_key(api_version, kind))
        return self.definition(name) if name is not None else None

    def definition(self, name: str) -> Node:
        """The node of a definition: one object for every use (a definition may refer to itself), compiled
        the first time it is read (see ``_Definition``)."""
        node = self._compiled.get(name)
        if node is None:
            node = self._compiled[name] = _Definition(self, name)
        return node

    def _fill_definition(self, node: Node, name: str) -> None:
        start = self._offsets.get(name)
        if start is not None:
            self._fill(node, parse_shipped_json(_line_from(_pool(), start)))

    def _build(self, data: Mapping[str, Any]) -> Node:
        ref = data.get("$")
        if ref is not None:
            return self.definition(ref)
        node = Node()
        self._fill(node, data)
        return node

    def _fill(self, node: Node, data: Mapping[str, Any]) -> None:
        special = data.get("X")
        if special is not None:
            node.type = _SPECIAL[special]
            seal(node)
            return
        t = data.get("T")
        node.type = _TYPES[t] if t is not None else None
        props = data.get("P")
        if props is not None:
            node.properties = {k: self._build(v) for k, v in props.items()}
            if node.type is None:
                node.type = OBJECT
        node.required = tuple(data.get("R", ()))
        node.closed = bool(data.get("C"))
        if "M" in data:
            node.values = self._build(data["M"])
        if "I" in data:
            node.items = self._build(data["I"])
        if "E" in data:
            node.enum = tuple(data["E"])
            node.empty_ok = True
        node.format = data.get("F")
        seal(node)


class _Definition(Node):
    """A definition's node, compiled into itself when it is first read. A kind refers to many definitions its
    objects seldom use (a Deployment's schema reaches over a hundred, every volume source among them; the
    Deployment and Service of a small file read 14), so compiling on first read costs in proportion to what
    the run's objects hold.

    Until then no ``Node`` slot but ``source`` is set, and reading one calls ``__getattr__`` (Python calls it
    only for an attribute that is not set), which fills every slot from the definition's data, as ``Node`` and
    ``_fill`` would have done at once, and makes the node a plain ``Node`` (the same slots, so the class can be
    swapped in place). The node is the same object before and after, so references to it (a recursive schema)
    need no fixing up; and, a plain ``Node`` from then on, its slots are read as any node's: a class with a
    ``__getattr__`` makes every attribute read go through the generic look-up (``slot_tp_getattr_hook``: the
    type's ``__getattribute__`` and ``__getattr__`` looked up, then the slot), which Python does not
    specialize, and the walker reads a node's slots several times per field."""

    __slots__ = ()

    def __init__(self, schemas: VersionSchemas, name: str) -> None:  # Node.__init__ runs on first read
        self.source = (schemas, name)

    def __getattr__(self, attr: str) -> Any:
        source: tuple[VersionSchemas, str] | None = self.source
        if source is None:  # being compiled (or its compilation failed), and still not set: not a node's attribute
            raise AttributeError(attr)
        self.source = None
        schemas, name = source
        Node.__init__(self, name.rsplit(".", 1)[-1])
        self.__class__ = Node  # type: ignore[assignment]  # (the layouts are the same: no slot of its own)
        schemas._fill_definition(self, name)
        return getattr(self, attr)


@functools.lru_cache(maxsize=4)
def schemas_for(version: tuple[int, int]) -> VersionSchemas | None:
    """The schemas of ``version``, or None when guardlint ships none for it. (zlib reads the gzip file: the
    gzip module would add a millisecond of imports to every run.)"""
    path = os.path.join(_data_dir(), f"v{version[0]}.{version[1]}.json.gz")
    try:
        with open(path, "rb") as fh:
            index = parse_shipped_json(zlib.decompress(fh.read(), wbits=31))  # a gzip stream (wbits 31)
    except FileNotFoundError:
        return None
    return VersionSchemas(version, index)
