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
import json
import os
import zlib
from collections.abc import Mapping
from typing import Any

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
def _pool() -> bytes:
    """``definitions.txt``: a definition's compact JSON runs from the offset its version's index gives to the
    end of that line (the line starts with the definition's id, for people reading the file)."""
    with open(os.path.join(_data_dir(), "definitions.txt"), "rb") as fh:
        return fh.read()


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
        node = self._compiled.get(name)
        if node is not None:
            return node
        node = Node(name.rsplit(".", 1)[-1])
        self._compiled[name] = node  # before filling it: a definition may refer to itself
        start = self._offsets.get(name)
        if start is not None:
            pool = _pool()
            self._fill(node, json.loads(pool[start:pool.index(b"\n", start)]))
        return node

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


@functools.lru_cache(maxsize=4)
def schemas_for(version: tuple[int, int]) -> VersionSchemas | None:
    """The schemas of ``version``, or None when guardlint ships none for it. (zlib reads the gzip file: the
    gzip module would add a millisecond of imports to every run.)"""
    path = os.path.join(_data_dir(), f"v{version[0]}.{version[1]}.json.gz")
    try:
        with open(path, "rb") as fh:
            index = json.loads(zlib.decompress(fh.read(), wbits=31))  # a gzip stream (wbits 31)
    except FileNotFoundError:
        return None
    return VersionSchemas(version, index)
