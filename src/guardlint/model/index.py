"""A read-only index of every object in a run, for rules that relate objects to each other.

Policy for "missing" judgements: pre-commit passes only the changed files and charts reference objects
that live elsewhere, so an absent object proves nothing by itself. ``can_judge_missing(kind, namespace)``
is true only when the run is not partial and the linted set holds at least one object of that kind in
that namespace (or the namespace is declared complete in config). Objects that exist outside the
repository are declared in config (``known-objects``) and count as present.
"""

from __future__ import annotations

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

    __slots__ = ("_by_kind", "_kind_ns", "_memo", "complete_namespaces", "known", "partial", "resources")
    _fields = ("resources", "partial", "known", "complete_namespaces")
    resources: tuple[Resource, ...]
    partial: bool
    """True when the run sees only part of the repository (e.g. files passed by pre-commit)."""
    known: tuple[KnownObject, ...]
    complete_namespaces: frozenset[str]
    _by_kind: Mapping[str, tuple[Resource, ...]]
    _kind_ns: frozenset[tuple[str, str]]
    _memo: dict[str, Any]

    def __init__(
        self,
        resources: tuple[Resource, ...],
        partial: bool = False,
        known: tuple[KnownObject, ...] = (),
        complete_namespaces: frozenset[str] = frozenset(),
    ) -> None:
        by_kind: dict[str, list[Resource]] = {}
        kind_ns: set[tuple[str, str]] = set()
        for r in resources:
            by_kind.setdefault(r.kind, []).append(r)
            kind_ns.add((r.kind, _ns(r.namespace)))
        self._set(
            resources=tuple(resources), partial=partial, known=tuple(known),
            complete_namespaces=frozenset(complete_namespaces),
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

    def can_judge_missing(self, kind: str, namespace: str | None) -> bool:
        """Whether absence of a ``kind`` object in ``namespace`` may be reported (see module docstring)."""
        if self.partial:
            return False
        if namespace is not None and namespace in self.complete_namespaces:
            return True
        if (kind, _ns(namespace)) in self._kind_ns:
            return True
        # Objects without a namespace are applied into one namespace together with the others.
        return namespace is None and any(k == kind for k, _ in self._kind_ns)

    def kinds(self) -> Iterable[str]:
        return self._by_kind.keys()


def same_namespace(a: str | None, b: str | None) -> bool:
    """Namespaces match when equal, or when either is unset (it is chosen at apply time)."""
    return a is None or b is None or a == b
