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
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType

from guardlint._frozen import Frozen
from guardlint._record import NamedTuple
from guardlint.model.resource import Resource

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeVar

    T = TypeVar("T")

_NOT_BUILT: Any = object()
"""What a run's memo gives for a key whose table is not built yet (a built table may be None)."""


class KnownObject(NamedTuple):
    """An object that exists outside the linted files (from config)."""

    kind: str
    name: str
    namespace: str | None = None


def _ns(namespace: str | None) -> str:
    return namespace or ""


class _Buckets:
    """Members of a ``TreeSet`` that share a namespace condition, by directory and by Kustomization group."""

    __slots__ = ("by_dir", "by_group", "dirs", "every", "shared")

    def __init__(self) -> None:
        self.by_dir: dict[str, list[int]] = {}
        self.by_group: dict[str, list[int]] = {}
        self.shared: list[int] = []
        self.every: list[int] = []
        self.dirs: list[str] = []


class TreeSet:
    """Some objects of a run, arranged to answer "which of them are in this referrer's tree?" (see the module
    docstring) at the cost of the answer: by namespace, then by directory (ancestors by walking up the
    referrer's path, descendants by a sorted range), Kustomization group and context file."""

    __slots__ = ("_all", "_by_ns", "_groups", "_shared", "members")

    def __init__(self, members: Iterable[Resource], groups: Mapping[str, str], shared: frozenset[str]) -> None:
        self.members: tuple[Resource, ...] = tuple(members)
        self._groups = groups
        self._shared = shared
        self._all = _Buckets()
        self._by_ns: dict[str | None, _Buckets] = {}
        for i, r in enumerate(self.members):
            file = r.document.file
            d = directory(file)
            group = _group_of(groups, d) if groups else None
            for b in (self._all, self._by_ns.setdefault(r.namespace, _Buckets())):
                b.every.append(i)
                if file in shared:
                    b.shared.append(i)
                b.by_dir.setdefault(d, []).append(i)
                if group is not None:
                    b.by_group.setdefault(group, []).append(i)
        for b in (self._all, *self._by_ns.values()):
            b.dirs = sorted(b.by_dir)

    def __bool__(self) -> bool:
        return bool(self.members)

    def _buckets(self, namespace: str | None, strict: bool) -> Sequence[_Buckets]:
        if strict:
            b = self._by_ns.get(namespace)
            return (b,) if b is not None else ()
        if namespace is None:
            return (self._all,)
        return tuple(b for b in (self._by_ns.get(namespace), self._by_ns.get(None)) if b is not None)

    def _candidates(self, referrer: Resource, b: _Buckets, strict: bool) -> Iterator[int]:
        file = referrer.document.file
        if not strict and file in self._shared:
            yield from b.every
            return
        own = directory(file)
        if not own:
            yield from b.every
            return
        yield from b.shared
        if strict:
            yield from b.by_dir.get(own, ())
        else:
            parts = own.split("/")
            for d in ("", *("/".join(parts[:n]) for n in range(1, len(parts) + 1))):
                yield from b.by_dir.get(d, ())
        prefix = own + "/"
        dirs = b.dirs
        i = bisect_left(dirs, prefix)
        while i < len(dirs) and dirs[i].startswith(prefix):
            yield from b.by_dir[dirs[i]]
            i += 1
        if self._groups:
            group = _group_of(self._groups, own)
            if group is not None:
                yield from b.by_group.get(group, ())

    def related(self, referrer: Resource, namespace: str | None = None, *, strict: bool = False) -> list[Resource]:
        """Members in the referrer's tree, in run order. The namespace condition: a member's namespace agrees
        with ``namespace`` (equal, or either unset); with ``strict``, the member names exactly ``namespace``
        and lies where ``ResourceIndex.covers`` says."""
        found: set[int] = set()
        for b in self._buckets(namespace, strict):
            found.update(self._candidates(referrer, b, strict))
        members = self.members
        return [members[i] for i in sorted(found)]

    def any_related(self, referrer: Resource, namespace: str | None = None, *, strict: bool = False) -> bool:
        """Whether ``related`` would return anything (without building the list)."""
        return any(True for b in self._buckets(namespace, strict) for _ in self._candidates(referrer, b, strict))


class ResourceIndex(Frozen):
    """Every object of a run, by kind, namespace and name, for cross-object rules.

    Lookups cost what they return, not the size of the run: objects are bucketed by (kind, namespace) and by
    (kind, name) when the index is built; tree questions go through ``TreeSet``s, and derived tables are built
    once per run through ``memo``. A rule that relates objects to each other uses these and never scans a kind
    per object (``tests/unit/test_index.py`` counts the work on growing inputs).
    """

    __slots__ = (
        "_by_kind", "_by_kind_name", "_by_kind_ns", "_kind_ns", "_known", "_memo", "_position",
        "complete_namespaces", "context_namespaces", "context_trees", "known", "partial", "resources", "shared_files",
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
    _by_kind_ns: Mapping[tuple[str, str | None], tuple[Resource, ...]]
    _by_kind_name: Mapping[tuple[str, str | None], tuple[Resource, ...]]
    _known: Mapping[tuple[str, str], tuple[KnownObject, ...]]
    _position: Mapping[int, int]
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
        by_kind_ns: dict[tuple[str, str | None], list[Resource]] = {}
        by_kind_name: dict[tuple[str, str | None], list[Resource]] = {}
        position: dict[int, int] = {}
        for i, r in enumerate(resources):
            kind = r.kind
            by_kind.setdefault(kind, []).append(r)
            by_kind_ns.setdefault((kind, r.namespace), []).append(r)
            by_kind_name.setdefault((kind, r.name), []).append(r)
            position[id(r)] = i
        known_by: dict[tuple[str, str], list[KnownObject]] = {}
        for k in known:
            known_by.setdefault((k.kind, k.name), []).append(k)
        self._set(
            resources=tuple(resources), partial=partial, known=tuple(known),
            complete_namespaces=frozenset(complete_namespaces), shared_files=frozenset(shared_files),
            context_namespaces=frozenset(context_namespaces), context_trees=tuple(context_trees),
            _by_kind=MappingProxyType({k: tuple(v) for k, v in by_kind.items()}),
            _by_kind_ns=MappingProxyType({k: tuple(v) for k, v in by_kind_ns.items()}),
            _by_kind_name=MappingProxyType({k: tuple(v) for k, v in by_kind_name.items()}),
            _known=MappingProxyType({k: tuple(v) for k, v in known_by.items()}),
            _position=MappingProxyType(position),
            _kind_ns=frozenset((kind, _ns(ns)) for kind, ns in by_kind_ns),
            _memo={},
        )

    def memo(self, key: str, build: Callable[[], T]) -> T:
        """A table derived from the run's objects, built once per run and shared by every rule.

        For derived lookups only (for example pod templates by namespace with their labels); the key names
        what is built. Findings never come from here, so rules stay pure functions of their inputs.
        """
        value: T = self._memo.get(key, _NOT_BUILT)
        if value is _NOT_BUILT:
            value = self._memo[key] = build()
        return value

    def object_memo(self, key: str, build: Callable[[], T]) -> T:
        """A cache of answers that each depend on one object (or on values alone, such as rule parameters),
        never on the run's other objects; built once per run like ``memo``. Unlike a ``memo`` table, a process
        of a ``--jobs`` pool, which has no run-wide index, may keep one of its own (``guardlint.parallel``):
        use it only where that holds, and say why at the call."""
        # ``memo``'s body, not a call of it: rules ask for their per-object facts about 100,000 times on the corpus.
        value: T = self._memo.get(key, _NOT_BUILT)
        if value is _NOT_BUILT:
            value = self._memo[key] = build()
        return value

    def of_kind(self, kind: str, namespace: str | None = None, *, any_namespace: bool = False) -> Iterator[Resource]:
        """Objects of ``kind`` in run order; by default only those in ``namespace`` (an unset namespace matches
        any). Costs what it returns."""
        if any_namespace or namespace is None:
            return iter(self._by_kind.get(kind, ()))
        own = self._by_kind_ns.get((kind, namespace), ())
        unset = self._by_kind_ns.get((kind, None), ())
        if not unset or not own:
            return iter(own or unset)
        import heapq  # here: most runs never merge, and the module is not otherwise imported

        pos = self._position
        return heapq.merge(own, unset, key=lambda r: pos[id(r)])

    def in_namespace(self, kind: str, namespace: str | None) -> tuple[Resource, ...]:
        """Objects of ``kind`` whose namespace is exactly ``namespace`` (None: those without one)."""
        return self._by_kind_ns.get((kind, namespace), ())

    def has_kind(self, kind: str) -> bool:
        return kind in self._by_kind

    def named(self, kind: str, name: str) -> tuple[Resource, ...]:
        """Objects of ``kind`` called ``name``, in any namespace, in run order."""
        return self._by_kind_name.get((kind, name), ())

    def find(self, kind: str, name: str, namespace: str | None) -> Resource | None:
        for r in self._by_kind_name.get((kind, name), ()):
            if same_namespace(r.namespace, namespace):
                return r
        return None

    def exists(self, kind: str, name: str, namespace: str | None) -> bool:
        """Whether the object is in the run or declared in ``known-objects``."""
        if self.find(kind, name, namespace) is not None:
            return True
        return self._known_exists(kind, name, namespace)

    def _known_exists(self, kind: str, name: str, namespace: str | None) -> bool:
        return any(same_namespace(k.namespace, namespace) for k in self._known.get((kind, name), ()))

    def tree_set(self, key: str, members: Callable[[], Iterable[Resource]]) -> TreeSet:
        """A ``TreeSet`` of ``members`` (the objects some predicate selects, in run order), built once per run
        under ``key``."""
        return self.memo("tree:" + key, lambda: TreeSet(members(), self._groups(), self.shared_files))

    def kind_tree(self, kind: str) -> TreeSet:
        """The ``TreeSet`` of every object of ``kind``."""
        return self.tree_set("kind:" + kind, lambda: self._by_kind.get(kind, ()))

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
        ga = self._group_of_dir(da)
        return ga is not None and ga == self._group_of_dir(db)

    def _group_of_dir(self, path: str) -> str | None:
        """The Kustomization group of a folder (see ``_group_of``), remembered per folder for the run."""
        groups = self._groups()
        if not groups:
            return None
        cache: dict[str, str | None] = self.memo("index.group-of-dir", dict)
        if path not in cache:
            cache[path] = _group_of(groups, path)
        return cache[path]

    def in_tree(
        self, kind: str, referrer: Resource, namespace: str | None = None, *, strict: bool = False
    ) -> Iterator[Resource]:
        """Objects of ``kind`` in ``namespace`` (default: the referrer's) in the referrer's tree, in run order.

        With ``strict`` (evidence that the linted set covers the referrer), an explicit namespace matches only
        objects that name the same one, and the object must sit in the referrer's directory or below it (or in
        a directory a Kustomization joins to it): what ``kubectl apply -R`` of the referrer's folder applies.
        """
        if kind not in self._by_kind:
            return iter(())
        ns = referrer.namespace if namespace is None else namespace
        return iter(self.kind_tree(kind).related(referrer, ns, strict=strict))

    def any_in_tree(self, kind: str, referrer: Resource, namespace: str | None = None, *, strict: bool = False) -> bool:
        """Whether ``in_tree`` would yield anything."""
        if kind not in self._by_kind:
            return False
        ns = referrer.namespace if namespace is None else namespace
        return self.kind_tree(kind).any_related(referrer, ns, strict=strict)

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
        ns = referrer.namespace if namespace is None else namespace
        for r in self._by_kind_name.get((kind, name), ()):
            if same_namespace(r.namespace, ns) and self.same_tree(referrer, r):
                return r
        return None

    def exists_for(self, kind: str, name: str, referrer: Resource, namespace: str | None = None) -> bool:
        """Whether ``referrer`` can see the object: in its tree, or declared in ``known-objects``."""
        ns = referrer.namespace if namespace is None else namespace
        if self.find_related(kind, name, referrer, ns) is not None:
            return True
        return self._known_exists(kind, name, ns)

    def _groups(self) -> Mapping[str, str]:
        return self.memo("index.kustomize-groups", lambda: _kustomize_groups(self._by_kind.get("Kustomization", ())))

    def kustomize_group(self, folder: str) -> str | None:
        """The Kustomization group of ``folder`` (a representative folder), None when no linted Kustomization joins
        it to others."""
        return self._group_of_dir(folder)

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
