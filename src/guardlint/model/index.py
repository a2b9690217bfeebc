"""A read-only index of every object in a run, for rules that relate objects to each other.

Objects relate to each other only within one *tree*: two objects may be applied together when their
namespaces agree (equal, or either unset: it is chosen at apply time) and their files are in nested
directories or in directories that one linted Kustomization joins (its own and those of the resources it
lists). Files read with ``--context`` belong to every tree. A run over several unrelated projects therefore
gives each project the findings it gets alone: nothing in a sibling folder makes a tree look complete or
an object look present.

The missing-object policy built on this lives in ``guardlint.model.missing``; objects that exist outside
the repository are declared in config (``known-objects``) and count as present.

A partial run (pre-commit) judges absences only where ``--context`` makes the set complete (``covered``):
the objects read for context count as every object of the namespaces they hold and, for objects without a
namespace, of the folders given as context.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple, TypeVar

from guardlint._frozen import Frozen
from guardlint.model.resource import Resource

T = TypeVar("T")


class KnownObject(NamedTuple):
    """An object that exists outside the linted files (from config)."""

    kind: str
    name: str
    namespace: str | None = None


def _ns(namespace: str | None) -> str:
    return namespace or ""


class ResourceIndex(Frozen):
    """Every object of a run, by kind, for cross-object rules."""

    __slots__ = (
        "_by_kind", "_kind_ns", "_memo", "complete_namespaces", "context_namespaces", "context_trees", "known",
        "partial", "resources", "shared_files",
    )
    _fields = (
        "resources", "partial", "known", "complete_namespaces", "shared_files", "context_namespaces", "context_trees",
    )
    resources: tuple[Resource, ...]
    partial: bool
    """True when the run sees only part of the repository (e.g. files passed by pre-commit)."""
    known: tuple[KnownObject, ...]
    complete_namespaces: frozenset[str]
    shared_files: frozenset[str]
    """Files read for context (``--context``): their objects belong to every tree."""
    context_namespaces: frozenset[str]
    """Namespaces whose objects a partial run sees completely (from ``--context``)."""
    context_trees: tuple[str, ...]
    """Folders (POSIX display paths) whose objects a partial run sees completely (``--context`` folders)."""
    _by_kind: Mapping[str, tuple[Resource, ...]]
    _kind_ns: frozenset[tuple[str, str]]
    _memo: dict[str, Any]

    def __init__(
        self,
        resources: tuple[Resource, ...],
        partial: bool = False,
        known: tuple[KnownObject, ...] = (),
        complete_namespaces: frozenset[str] = frozenset(),
        shared_files: frozenset[str] = frozenset(),
        context_namespaces: frozenset[str] = frozenset(),
        context_trees: tuple[str, ...] = (),
    ) -> None:
        by_kind: dict[str, list[Resource]] = {}
        kind_ns: set[tuple[str, str]] = set()
        for r in resources:
            by_kind.setdefault(r.kind, []).append(r)
            kind_ns.add((r.kind, _ns(r.namespace)))
        self._set(
            resources=tuple(resources), partial=partial, known=tuple(known),
            complete_namespaces=frozenset(complete_namespaces), shared_files=frozenset(shared_files),
            context_namespaces=frozenset(context_namespaces), context_trees=tuple(context_trees),
            _by_kind=MappingProxyType({k: tuple(v) for k, v in by_kind.items()}), _kind_ns=frozenset(kind_ns),
            _memo={},
        )

    def memo(self, key: str, build: Callable[[], T]) -> T:
        """A table derived from the run's objects, built once per run and shared by every rule.

        For derived lookups only (for example pod templates by namespace with their labels); the key names
        what is built. Findings never come from here, so rules stay pure functions of their inputs.
        """
        cache: dict[str, Any] = self._memo
        if key not in cache:
            cache[key] = build()
        value: T = cache[key]
        return value

    def of_kind(self, kind: str, namespace: str | None = None, *, any_namespace: bool = False) -> Iterator[Resource]:
        """Objects of ``kind``; by default only those in ``namespace`` (an unset namespace matches any)."""
        for r in self._by_kind.get(kind, ()):
            if any_namespace or same_namespace(r.namespace, namespace):
                yield r

    def find(self, kind: str, name: str, namespace: str | None) -> Resource | None:
        for r in self.of_kind(kind, namespace):
            if r.name == name:
                return r
        return None

    def exists(self, kind: str, name: str, namespace: str | None) -> bool:
        """Whether the object is in the run or declared in ``known-objects``."""
        if self.find(kind, name, namespace) is not None:
            return True
        return any(
            k.kind == kind and k.name == name and same_namespace(k.namespace, namespace) for k in self.known
        )

    def related(self, a: Resource, b: Resource) -> bool:
        """Whether ``a`` and ``b`` may be applied together: namespaces agree and the files are in one tree."""
        if a.namespace is not None and b.namespace is not None and a.namespace != b.namespace:
            return False
        return self.same_tree(a, b)

    def covered(self, namespace: str | None, file: str | None = None) -> bool:
        """Whether the run sees every object of ``namespace`` (for an object without one: of the folder of
        ``file``): always in a full run; in a partial run, where ``--context`` paths cover it."""
        if not self.partial:
            return True
        if namespace is not None:
            return namespace in self.context_namespaces
        return file is not None and in_trees(file, self.context_trees)

    def same_tree(self, a: Resource, b: Resource) -> bool:
        """Whether the files of ``a`` and ``b`` are in one tree (see the module docstring)."""
        if a.file == b.file or a.file in self.shared_files or b.file in self.shared_files:
            return True
        da, db = directory(a.file), directory(b.file)
        if nested(da, db):
            return True
        groups = self._groups()
        ga, gb = _group_of(groups, da), _group_of(groups, db)
        return ga is not None and ga == gb

    def in_tree(
        self, kind: str, referrer: Resource, namespace: str | None = None, *, strict: bool = False
    ) -> Iterator[Resource]:
        """Objects of ``kind`` in ``namespace`` (default: the referrer's) in the referrer's tree.

        With ``strict`` (evidence that the linted set covers the referrer), an explicit namespace matches only
        objects that name the same one, and the object must sit in the referrer's directory or below it (or in
        a directory a Kustomization joins to it): what ``kubectl apply -R`` of the referrer's folder applies.
        """
        ns = referrer.namespace if namespace is None else namespace
        for r in self._by_kind.get(kind, ()):
            if strict:
                if r.namespace == ns and self.covers(referrer, r):
                    yield r
            elif same_namespace(r.namespace, ns) and self.same_tree(referrer, r):
                yield r

    def covers(self, referrer: Resource, other: Resource) -> bool:
        """Whether ``other`` is applied with everything in the referrer's folder: the same file, a file read for
        context, a file in the referrer's directory or below, or a directory a Kustomization joins to it."""
        if referrer.file == other.file or other.file in self.shared_files:
            return True
        own, theirs = directory(referrer.file), directory(other.file)
        if not own or own == theirs or theirs.startswith(own + "/"):
            return True
        groups = self._groups()
        group = _group_of(groups, own)
        return group is not None and group == _group_of(groups, theirs)

    def find_related(self, kind: str, name: str, referrer: Resource, namespace: str | None = None) -> Resource | None:
        """The object ``kind``/``name`` in ``namespace`` (default: the referrer's) in the referrer's tree."""
        for r in self.in_tree(kind, referrer, namespace):
            if r.name == name:
                return r
        return None

    def exists_for(self, kind: str, name: str, referrer: Resource, namespace: str | None = None) -> bool:
        """Whether ``referrer`` can see the object: in its tree, or declared in ``known-objects``."""
        ns = referrer.namespace if namespace is None else namespace
        if self.find_related(kind, name, referrer, ns) is not None:
            return True
        return any(k.kind == kind and k.name == name and same_namespace(k.namespace, ns) for k in self.known)

    def _groups(self) -> Mapping[str, str]:
        return self.memo("index.kustomize-groups", lambda: _kustomize_groups(self._by_kind.get("Kustomization", ())))

    def kinds(self) -> Iterable[str]:
        return self._by_kind.keys()


def same_namespace(a: str | None, b: str | None) -> bool:
    """Namespaces match when equal, or when either is unset (it is chosen at apply time)."""
    return a is None or b is None or a == b


def directory(file: str) -> str:
    """The directory part of a file name (``/`` separated)."""
    if "\\" in file:
        file = file.replace("\\", "/")
    return file.rpartition("/")[0]


def nested(a: str, b: str) -> bool:
    """Whether one directory contains the other (the empty directory, stdin or the current one, holds all)."""
    return a == b or not a or not b or a.startswith(b + "/") or b.startswith(a + "/")


def _group_of(groups: Mapping[str, str], path: str) -> str | None:
    """The Kustomization group of ``path`` or of its nearest ancestor in one."""
    while True:
        hit = groups.get(path)
        if hit is not None:
            return hit
        if not path:
            return None
        path = path.rpartition("/")[0]


def _kustomize_groups(kustomizations: Iterable[Resource]) -> Mapping[str, str]:
    """Directories joined by a Kustomization (its own and each local resource, base or component), each mapped
    to a representative of its group."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for k in kustomizations:
        base = directory(k.file)
        find(base)
        for key in ("resources", "bases", "components"):
            entries = k.data.get(key)
            if not isinstance(entries, list):
                continue
            for entry in entries:
                if not isinstance(entry, str) or "://" in entry or entry.startswith(("github.com/", "git@")):
                    continue
                target = posixpath.normpath(posixpath.join(base, entry)) if base else posixpath.normpath(entry)
                if target.endswith((".yaml", ".yml", ".json")):
                    target = target.rpartition("/")[0]
                if target == ".":
                    target = ""
                parent[find(target)] = find(base)
    return MappingProxyType({d: find(d) for d in list(parent)})


def in_trees(file: str, trees: Iterable[str]) -> bool:
    """Whether the POSIX display path ``file`` lies in one of the folders ``trees`` (display paths too)."""
    path = posixpath.normpath(file.replace("\\", "/"))
    for tree in trees:
        top = posixpath.normpath(tree.replace("\\", "/"))
        if top == "." and not path.startswith("../") and not posixpath.isabs(path):
            return True
        if path == top or path.startswith(top.rstrip("/") + "/"):
            return True
    return False
