"""A pool of forked processes over the files of a run (``--jobs``).

A pooled run splits its files into shares of about equal size in bytes. Each share is read, loaded and
checked by the *per-object* rule work in its own process (the parent takes one share itself); the other
processes send back their loaded documents and findings, pickled. The parent then builds the run over every
document, as a serial run does, and runs only what no share could: the rules that read the run-wide index
(``ctx.index``: cross-object rules, the missing-object policy, the schema pack's run-wide CRDs, ...), the
core rules and the report. The report is the serial one, byte for byte.

Which rule work is per-object is not guessed from a list: in a share, ``RuleContext.index`` is a stand-in
(``_NoIndex``) that raises ``NeedsIndex`` when a rule reads anything of it, so a rule that reads the index
on an object (directly or through a helper such as ``visible_objects``, ``known_keys`` or
``can_judge_absence``) leaves that (object, rule) pair to the parent, which runs it with the real index.
What a pair yields is a function of the object, the rule's parameters and the context (``RuleContext``:
the index, the target version, the pod-template table, the plan's options; rules never do I/O and keep no
state), so a pair that ran to its end without reading the index yields in a share exactly what it yields in
the parent. The one exception allowed through is ``ResourceIndex.object_memo``: caches of what one object (or the
rule's parameters) alone decides, which a share keeps for itself; each call says why it qualifies.

Runs the pool cannot reproduce exactly stay serial (``pool_refusal``): standard input, rendered Helm charts
and kustomize overlays, the ``schemas`` setting (its schemas are chosen from every object's kind),
``--profile-rules``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Mapping, Sequence

# The --jobs decision lives in ``guardlint._jobs`` (a serial run decides without importing this module); its
# functions stay reachable here (``AUTO_MIN_BYTES`` is read where it is defined, ``_jobs``).
from guardlint._jobs import AUTO, can_fork, input_sizes, pool_workers, usable_cpus, workers_for  # noqa: F401
from guardlint._record import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NoReturn

    from guardlint.config.model import ActiveRule, Plan
    from guardlint.engine import Ready, Run
    from guardlint.findings import Finding
    from guardlint.model.index import ResourceIndex
    from guardlint.model.resource import Resource
    from guardlint.source.files import Input
    from guardlint.source.loader import Document, LoadedText

FIRST_SHARE = 1.0
"""The first process's share is this many times the size of each other one. It was 1.15 while the others' pickling
made them the longer (their CPU time was 1.07-1.21 times the first's for equal shares); since the loader builds
documents from events their transfer is cheaper, and the first process, which also makes the exchange, was the
longer at 1.15 in every round measured on the corpus (2026-12-08, 10 rounds: 1.18-1.23 times the other's CPU),
at 1.0 by 0.98-1.14 times (5 rounds)."""

GIVE_UP_AFTER = 32
"""A share stops starting a rule on objects of a kind once the rule has read the index on this many of them in a
row (``missing-cpu-request`` asks for LimitRange defaults on every workload): the parent runs those pairs
anyway, and starting them in the share is work thrown away. Scheduling only: a pair left to the parent is
never wrong."""


class NeedsIndex(BaseException):
    """A rule read the run-wide index in a share: the parent runs that (object, rule) pair.

    A BaseException, so that no ``except Exception`` on the way (a rule's own, or the engine's
    ``rule-error`` handler) turns it into a finding."""


class _NoIndex:
    """What a share's rules get as ``ctx.index``: any read raises ``NeedsIndex``, except
    ``object_memo``: per-object caches the share keeps for itself."""

    __slots__ = ("_caches",)

    def __init__(self) -> None:
        object.__setattr__(self, "_caches", {})

    def object_memo(self, key: str, build: Callable[[], Any]) -> Any:
        caches: dict[str, Any] = object.__getattribute__(self, "_caches")
        if key not in caches:
            caches[key] = build()
        return caches[key]

    def __getattr__(self, name: str) -> NoReturn:
        raise NeedsIndex(name)

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise NeedsIndex(name)

    def __bool__(self) -> NoReturn:
        raise NeedsIndex("__bool__")

    def __iter__(self) -> NoReturn:
        raise NeedsIndex("__iter__")

    def __len__(self) -> NoReturn:
        raise NeedsIndex("__len__")

    def __contains__(self, item: object) -> NoReturn:
        raise NeedsIndex("__contains__")


EXCHANGED = frozenset(("LimitRange", "Kustomization"))
"""The kinds every process of a pool holds in full before its rules run (``Exchange``): the rules ask about them on
most workloads (a LimitRange default in ``missing-cpu-request`` and its siblings; a Kustomization's patches in
``is_patch``, behind the probe rules and every "missing field" rule), and few files hold them."""

EXCHANGE_MAX_FRACTION = 0.1
"""The exchange is made when the files that may hold an object of an ``EXCHANGED`` kind are at most this fraction
of the input's bytes: the first process loads them before it forks, while no other process runs."""


class _ShareIndex:
    """What a share's rules get as ``ctx.index`` when the pool made an ``Exchange``: the index of the files that
    may hold an object of an ``EXCHANGED`` kind (every such object of the run, in run order), answering what
    those objects decide exactly: lookups of the ``EXCHANGED`` kinds, tree and coverage questions (which read
    the files and the Kustomizations alone), the plan's values, and the run's memos (whose builders ask this
    object, so a table built from anything else raises before it is kept). Anything else raises ``NeedsIndex``
    as ``_NoIndex`` does. ``touched`` says whether the pair being run asked anything of it: such a pair is
    exact only when no share met an object of an ``EXCHANGED`` kind outside those files (``Share.surprise``:
    then the parent runs it again)."""

    __slots__ = ("_index", "touched")

    def __init__(self, index: ResourceIndex) -> None:
        self._index = index
        self.touched = False

    def _of(self, kind: str) -> ResourceIndex:
        if kind not in EXCHANGED:
            raise NeedsIndex(kind)
        self.touched = True
        return self._index

    def _all(self) -> ResourceIndex:
        self.touched = True
        return self._index

    def memo(self, key: str, build: Callable[[], Any]) -> Any:
        return self._all().memo(key, build)

    def object_memo(self, key: str, build: Callable[[], Any]) -> Any:
        return self._all().object_memo(key, build)

    def of_kind(self, kind: str, namespace: str | None = None, *, any_namespace: bool = False) -> Any:
        return self._of(kind).of_kind(kind, namespace, any_namespace=any_namespace)

    def in_namespace(self, kind: str, namespace: str | None) -> Any:
        return self._of(kind).in_namespace(kind, namespace)

    def has_kind(self, kind: str) -> bool:
        return self._of(kind).has_kind(kind)

    def named(self, kind: str, name: str) -> Any:
        return self._of(kind).named(kind, name)

    def find(self, kind: str, name: str, namespace: str | None) -> Any:
        return self._of(kind).find(kind, name, namespace)

    def exists(self, kind: str, name: str, namespace: str | None) -> bool:
        return self._of(kind).exists(kind, name, namespace)

    def kind_tree(self, kind: str) -> Any:
        return self._of(kind).kind_tree(kind)

    def in_tree(self, kind: str, referrer: Resource, namespace: str | None = None, *, strict: bool = False) -> Any:
        return self._of(kind).in_tree(kind, referrer, namespace, strict=strict)

    def any_in_tree(self, kind: str, referrer: Resource, namespace: str | None = None, *, strict: bool = False
                    ) -> bool:
        return self._of(kind).any_in_tree(kind, referrer, namespace, strict=strict)

    def find_related(self, kind: str, name: str, referrer: Resource, namespace: str | None = None) -> Any:
        return self._of(kind).find_related(kind, name, referrer, namespace)

    def exists_for(self, kind: str, name: str, referrer: Resource, namespace: str | None = None) -> bool:
        return self._of(kind).exists_for(kind, name, referrer, namespace)

    def related(self, a: Resource, b: Resource) -> bool:
        return self._all().related(a, b)

    def covered(self, namespace: str | None, file: str | None = None) -> bool:
        return self._all().covered(namespace, file)

    def same_tree(self, a: Resource, b: Resource) -> bool:
        return self._all().same_tree(a, b)

    def covers(self, referrer: Resource, other: Resource) -> bool:
        return self._all().covers(referrer, other)

    def kustomize_group(self, folder: str) -> str | None:
        return self._all().kustomize_group(folder)

    @property
    def partial(self) -> bool:
        return self._all().partial

    @property
    def known(self) -> Any:
        return self._all().known

    @property
    def complete_namespaces(self) -> frozenset[str]:
        return self._all().complete_namespaces

    @property
    def shared_files(self) -> frozenset[str]:
        return self._all().shared_files

    @property
    def context_namespaces(self) -> frozenset[str]:
        return self._all().context_namespaces

    @property
    def context_trees(self) -> tuple[str, ...]:
        return self._all().context_trees

    def __getattr__(self, name: str) -> NoReturn:  # everything else: ``resources``, ``kinds``, ``tree_set`` ...
        raise NeedsIndex(name)

    def __bool__(self) -> NoReturn:
        raise NeedsIndex("__bool__")

    def __iter__(self) -> NoReturn:
        raise NeedsIndex("__iter__")

    def __len__(self) -> NoReturn:
        raise NeedsIndex("__len__")

    def __contains__(self, item: object) -> NoReturn:
        raise NeedsIndex("__contains__")


class Exchange(NamedTuple):
    """What every process of a pool holds before its rules run: the files that may hold an object of an
    ``EXCHANGED`` kind (their bytes name the kind), loaded by the first process before it forks, and the index
    of their objects. Those files are the first process's share."""

    loaded: dict[int, LoadedText]
    """Input position -> the loaded file."""
    resources: dict[Document, list[Resource]]
    """The objects of each of their documents, as the run makes them (the index holds these very objects)."""
    objects: ResourceIndex
    """The index of their objects and of the rendered ones (in run order): what ``_ShareIndex`` answers from."""


def make_exchange(inputs: Sequence[Input], sizes: Sequence[int], max_bytes: int, plan: Plan,
                  rendered: Sequence[LoadedText] = ()) -> Exchange | None:
    """The ``Exchange`` of a pool over ``inputs`` in a run whose other objects are those of ``rendered`` (Helm
    charts and kustomize overlays, linted after ``inputs``), or None when the files that may hold an
    ``EXCHANGED`` kind are more than ``EXCHANGE_MAX_FRACTION`` of the bytes. A file is such a candidate when its
    bytes hold a kind's name; an object spelled otherwise (a YAML or JSON escape, another encoding) is found
    where it is loaded (``Share.surprise``), and the pairs that read the exchange are then the parent's."""
    from guardlint.api import load_inputs
    from guardlint.model.index import ResourceIndex
    from guardlint.model.resource import resources_of, skip_reason, stray_documents
    from guardlint.source.files import NotRegularFile, read_regular_file

    names = [kind.encode() for kind in sorted(EXCHANGED)]
    budget = EXCHANGE_MAX_FRACTION * sum(sizes)
    found: list[int] = []
    total = 0
    for position, item in enumerate(inputs):
        if sizes[position] > max_bytes:
            continue  # never loaded: an input error, no object
        try:
            data = read_regular_file(item.path, max_bytes)
        except (NotRegularFile, OSError):
            continue
        if any(name in data for name in names):
            found.append(position)
            total += sizes[position]
            if total > budget:
                return None
    loaded = dict(zip(found, load_inputs([inputs[i] for i in found], max_bytes), strict=True))
    by_doc: dict[Document, list[Resource]] = {}
    everything: list[Resource] = []
    # the run's order, and what the run makes objects of (``Run.__init__``); the rendered objects are never a
    # share's, so their objects need not be the run's own
    for lt in [*(loaded[position] for position in found), *rendered]:
        stray = stray_documents(lt.documents)
        for doc in lt.documents:
            if (stray and doc in stray) or skip_reason(doc) is not None:
                continue
            by_doc[doc] = objects = list(resources_of(doc))
            everything.extend(objects)
    index = ResourceIndex(tuple(everything), partial=plan.partial, known=plan.known_objects,
                          complete_namespaces=plan.complete_namespaces)
    return Exchange(loaded, by_doc, index)


class Checked(NamedTuple):
    """What a share's per-object rule work found in one document."""

    findings: dict[tuple[int, str], list[Finding]]
    """(position of the object in the document's objects, rule name) -> its findings, when there are any."""
    deferred: frozenset[tuple[int, str]]
    """Pairs that read the run-wide index: the parent runs them."""
    touched: frozenset[tuple[int, str]] = frozenset()
    """Pairs that ran with what the ``Exchange`` answers (among ``findings`` or yielding nothing): exact unless a
    share found an object of an ``EXCHANGED`` kind outside the exchange's files (``Share.surprise``)."""


class Share(NamedTuple):
    """One share of a pooled run: its inputs' positions, their loaded files, and the per-object work done."""

    positions: tuple[int, ...]
    loaded: list[LoadedText]
    checked: dict[Document, Checked]
    considered: dict[str, frozenset[str]]
    """For each kind, the rules the share ran on its objects (the others are the parent's)."""
    surprise: bool = False
    """Whether the share holds an object of an ``EXCHANGED`` kind that the ``Exchange`` does not (a kind's name
    spelled with escapes): the ``touched`` pairs of every share are then the parent's."""


def split_by_bytes(sizes: Sequence[int], parts: int, *, first: float = 1.0, fixed: Collection[int] = ()
                   ) -> list[list[int]]:
    """Positions of ``sizes`` in ``parts`` groups of about equal total size (largest first, each to the
    lightest group), each group in input order; empty groups are dropped. ``first`` weighs the first group:
    1.2 fills it to 1.2 times the size of each other group. The positions ``fixed`` are the first group's."""
    groups: list[list[int]] = [[] for _ in range(max(1, parts))]
    weights = [first] + [1.0] * (len(groups) - 1)
    totals = [0] * len(groups)
    groups[0].extend(fixed)
    totals[0] = sum(sizes[i] for i in fixed)
    for i in sorted((i for i in range(len(sizes)) if i not in fixed), key=lambda i: (-sizes[i], i)):
        lightest = min(range(len(groups)), key=lambda g: (totals[g] / weights[g], g))
        groups[lightest].append(i)
        totals[lightest] += sizes[i]
    return [sorted(g) for g in groups if g]


def per_object_work(
    loaded: Sequence[LoadedText], plan: Plan, *, raise_errors: bool = False, exchange: Exchange | None = None
) -> tuple[dict[Document, Checked], dict[str, frozenset[str]], bool]:
    """Run every rule on every object of ``loaded`` with the index out of reach (see the module docstring), or
    with what ``exchange`` answers of it: the findings of each (object, rule) pair that did not read the index
    (or read only that), the pairs that did, and whether the share met an object of an ``EXCHANGED`` kind that
    ``exchange`` does not hold (``Share.surprise``)."""
    from typing import cast  # a pool's run: typing is not imported by a serial one

    from guardlint.engine import SharedValues, _open_gates, _run_rule
    from guardlint.model.resource import resources_of, skip_reason
    from guardlint.rules.api import RuleContext
    from guardlint.rules.core import Core
    from guardlint.rules.gates import needed, passes

    share_index = _ShareIndex(exchange.objects) if exchange is not None else None
    ctx = RuleContext(cast("ResourceIndex", share_index if share_index is not None else _NoIndex()),
                      plan.kubernetes_version, plan.workloads.for_run(), plan.options)
    own: dict[Document, list[Resource]] = exchange.resources if exchange is not None else {}
    surprise = False
    error_rule = next((a for a in plan.active if a.rule.name == Core.RULE_ERROR.value), None)
    checks = [a for a in plan.active if not a.rule.info.engine]
    by_kind: dict[str, list[ActiveRule]] = {}
    asks: dict[str, tuple[str, ...]] = {}
    streaks: dict[tuple[str, str], int] = {}
    """(kind, rule) -> how many objects of the kind in a row the rule read the index on."""
    params: dict[str, Any] = {}
    checked: dict[Document, Checked] = {}
    # The share's findings share equal values and one ResourceRef per object, as a serial run's do (see
    # ``SharedValues``; exact); pickling keeps that sharing, so the parent holds them once too. Without it, a
    # pooled run with every rule at 50,688 objects held 460 MB in the parent against 331 MB for one process.
    shared = SharedValues()
    # The deferred pairs of most documents are alike (one object, at position 0, of a kind whose rules read the
    # index the same way), so equal pairs and equal sets are kept once: with every rule at 50,688 objects they
    # were about 90 MB of the pooled parent's peak. Values unchanged (frozensets of (position, rule) pairs).
    same_pairs: dict[tuple[int, str], tuple[int, str]] = {}
    same_sets: dict[frozenset[tuple[int, str]], frozenset[tuple[int, str]]] = {}
    for lt in loaded:
        for doc in lt.documents:
            if skip_reason(doc) is not None:
                continue
            findings: dict[tuple[int, str], list[Finding]] = {}
            deferred: set[tuple[int, str]] = set()
            touched: set[tuple[int, str]] = set()
            objects = own.get(doc)  # the exchange's documents: the very objects its index holds
            if objects is None:
                objects = list(resources_of(doc))
                if share_index is not None and any(r.kind in EXCHANGED for r in objects):
                    surprise = True
            for j, resource in enumerate(objects):
                kind = resource.kind
                ref = resource.ref
                applicable = by_kind.get(kind)
                if applicable is None:
                    applicable = by_kind[kind] = [
                        a for a in checks if a.rule.info.kinds is None or kind in a.rule.info.kinds
                    ]
                    asks[kind] = tuple(dict.fromkeys(
                        g for a in applicable for g in needed(a.rule.info.pods_only, a.rule.info.gates)))
                # As in Run.check: a gated rule (pods_only included) yields nothing where none of its gates holds.
                names = asks[kind]
                answers = _open_gates(resource, ctx.workloads, names) if names else frozenset()
                for active in applicable:
                    info = active.rule.info
                    if (info.pods_only or info.gates) and not passes(info.pods_only, info.gates, answers):
                        continue
                    name = active.rule.name
                    streak = streaks.get((kind, name), 0)
                    if streak >= GIVE_UP_AFTER:  # it keeps reading the index on this kind: leave it to the parent
                        pair = (j, name)
                        deferred.add(same_pairs.setdefault(pair, pair))
                        continue
                    if share_index is not None:
                        share_index.touched = False
                    try:
                        got = _run_rule(active, resource, ctx, raise_errors, error_rule, params, ref, shared)
                    except NeedsIndex:
                        pair = (j, name)
                        deferred.add(same_pairs.setdefault(pair, pair))
                        streaks[(kind, name)] = streak + 1
                        continue
                    if share_index is not None and share_index.touched:
                        pair = (j, name)
                        touched.add(same_pairs.setdefault(pair, pair))
                    if streak:
                        streaks[(kind, name)] = 0
                    if got:
                        findings[(j, name)] = got
            frozen = frozenset(deferred)
            read = frozenset(touched)
            checked[doc] = Checked(findings, same_sets.setdefault(frozen, frozen), same_sets.setdefault(read, read))
    considered = {kind: frozenset(a.rule.name for a in rules) for kind, rules in by_kind.items()}
    return checked, considered, surprise


def lint_share(
    positions: Sequence[int], inputs: Sequence[Input], max_bytes: int, plan: Plan, *, raise_errors: bool = False,
    exchange: Exchange | None = None,
) -> Share:
    """Read, load and run the per-object rule work on the inputs at ``positions`` (the files ``exchange`` loaded
    are taken from it)."""
    from guardlint.api import load_inputs

    done = exchange.loaded if exchange is not None else {}
    rest = iter(load_inputs([inputs[i] for i in positions if i not in done], max_bytes))
    loaded = [done[i] if i in done else next(rest) for i in positions]
    checked, considered, surprise = per_object_work(loaded, plan, raise_errors=raise_errors, exchange=exchange)
    return Share(tuple(positions), loaded, checked, considered, surprise)


# --- transfer ---------------------------------------------------------------------------------------------


def _document(state: tuple[Any, ...]) -> Document:
    from guardlint.source.loader import Document

    doc: Document = Document.__new__(Document)
    doc._set(**dict(zip(Document.__slots__, state, strict=True)))
    return doc


def _proxy(items: dict[Any, Any]) -> Any:
    from types import MappingProxyType

    return MappingProxyType(items)


def _node(
    cls: type[Any], tag: str, value: Any, mark: type[Any], name: str, start: tuple[Any, ...], end: tuple[Any, ...],
    style: Any,
) -> Any:
    node = cls(tag, value, mark(name, *start), mark(name, *end))
    if cls.__name__ == "ScalarNode":
        node.style = style
    else:
        node.flow_style = style
    return node


_NODE_FIELDS = {
    "ScalarNode": ("end_mark", "start_mark", "style", "tag", "value"),
    "SequenceNode": ("end_mark", "flow_style", "start_mark", "tag", "value"),
    "MappingNode": ("end_mark", "flow_style", "start_mark", "tag", "value"),
}


def dumps(value: object) -> bytes:
    """Pickle what a share sends back: documents (slotted and immutable, rebuilt by ``_document``), the
    read-only mappings they hold (as dicts, wrapped again on the way in) and the node trees kept for
    documents with anchors, node by node with its two marks as plain tuples (PyYAML's default reduction of a
    node and its marks pickled them at half the speed)."""
    import io
    import pickle
    from types import MappingProxyType

    from guardlint.source.loader import Document

    class Pickler(pickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            kind = type(obj)
            if kind is Document:
                return _document, (tuple(getattr(obj, name) for name in Document.__slots__),)
            if kind is MappingProxyType:
                return _proxy, (dict(obj),)
            fields = _NODE_FIELDS.get(kind.__name__)
            if fields is not None and kind.__module__ == "yaml.nodes" and tuple(sorted(vars(obj))) == fields:
                s, e = obj.start_mark, obj.end_mark
                if type(s) is type(e) and s.name is e.name:
                    style = obj.style if fields is _NODE_FIELDS["ScalarNode"] else obj.flow_style
                    return _node, (kind, obj.tag, obj.value, type(s), s.name,
                                   (s.index, s.line, s.column, s.buffer, s.pointer),
                                   (e.index, e.line, e.column, e.buffer, e.pointer), style)
            return NotImplemented

    buffer = io.BytesIO()
    Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def loads(data: bytes) -> Any:
    import pickle

    return pickle.loads(data)


# --- the pool -----------------------------------------------------------------------------------------------


class _Child(NamedTuple):
    pid: int
    fd: int
    positions: list[int]


def _fork_share(positions: list[int], work: Callable[[list[int]], Share]) -> _Child | None:
    """Fork a process that runs ``work`` on ``positions`` and writes the pickled Share to a pipe; None when the
    fork fails."""
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return None
    if pid == 0:  # the child: never returns into the parent's code
        status = 70
        try:
            os.close(read_fd)
            data = dumps(work(positions))
            with os.fdopen(write_fd, "wb") as out:
                out.write(data)
            status = 0
        except BaseException:  # any failure: the parent redoes the share
            pass
        finally:
            os._exit(status)
    os.close(write_fd)
    return _Child(pid, read_fd, positions)


def _collect(child: _Child) -> Share | None:
    """The Share a child sent, or None when it failed (its exit status or what it sent says so)."""
    chunks: list[bytes] = []
    with os.fdopen(child.fd, "rb") as pipe:
        while True:
            chunk = pipe.read(1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    _, status = os.waitpid(child.pid, 0)
    if status != 0 or not chunks:
        return None
    try:
        share = loads(b"".join(chunks))
    except Exception:  # a broken transfer: the parent redoes the share
        return None
    return share if isinstance(share, Share) else None


def pooled_shares(
    inputs: Sequence[Input], sizes: Sequence[int], workers: int, work: Callable[[list[int]], Share],
    fixed: Collection[int] = (),
) -> list[Share]:
    """Split ``inputs`` by bytes into ``workers`` shares (``fixed``: positions of the first); the parent works on
    the first itself while forked processes work on the others. A share whose process failed is redone in the
    parent, so the result is the same either way."""
    groups = split_by_bytes(sizes, workers, first=FIRST_SHARE, fixed=fixed)
    children = [_fork_share(g, work) for g in groups[1:]]
    shares = [work(groups[0])]
    for group, child in zip(groups[1:], children, strict=True):
        share = _collect(child) if child is not None else None
        shares.append(share if share is not None else work(group))
    return shares


def ready_from(shares: Sequence[Share], resources_by_doc: dict[Document, list[Resource]]) -> Callable[
        [Resource, ActiveRule], list[Finding] | None]:
    """The engine's ``ready`` hook: a share's findings for an (object, rule) pair it ran, None for the rest (and
    for the pairs that read the exchange, when a share met an object of its kinds that it does not hold)."""
    trusted = not any(share.surprise for share in shares)
    where: dict[int, tuple[Checked, int, frozenset[str]]] = {}
    for share in shares:
        for doc, checked in share.checked.items():
            for j, resource in enumerate(resources_by_doc.get(doc, ())):
                where[id(resource)] = (checked, j, share.considered.get(resource.kind, frozenset()))

    def ready(resource: Resource, active: ActiveRule) -> list[Finding] | None:
        found = where.get(id(resource))
        if found is None:
            return None
        checked, j, considered = found
        name = active.rule.name
        if name not in considered or (j, name) in checked.deferred or (not trusted and (j, name) in checked.touched):
            return None
        return checked.findings.get((j, name), [])

    return ready


def warm(plan: Plan) -> None:
    """Import, before forking, what every process would otherwise import on its own: the modules of the
    active rules (built-in rules are imported when they first run)."""
    for active in plan.active:
        active.rule.load()


def load_pooled(
    inputs: Sequence[Input], max_bytes: int, plan: Plan, jobs: int, *, raise_errors: bool = False,
    known_sizes: Mapping[str, int] | None = None, rendered: Sequence[LoadedText] | None = None,
) -> tuple[list[LoadedText], Callable[[Run], Ready]] | None:
    """Read and load ``inputs`` (in their order) with a pool, and the engine's ``ready`` hook for the
    per-object work the pool did; None when the run stays serial (one worker is enough, a single file, or
    standard input among the inputs). ``known_sizes``: the sizes discovery read (``_jobs.input_sizes``).
    ``rendered``: the run's other objects (rendered charts and overlays, linted after ``inputs``), when those are
    all: then the pool may make an ``Exchange`` (None: a ``--context`` run, whose context is read later)."""
    workers = pool_workers(inputs, jobs, known_sizes)
    if workers < 2:
        return None
    sizes = input_sizes(inputs, known_sizes)
    warm(plan)
    exchange = make_exchange(inputs, sizes, max_bytes, plan, rendered) if rendered is not None else None
    shares = pooled_shares(
        inputs, sizes, workers,
        lambda positions: lint_share(positions, inputs, max_bytes, plan, raise_errors=raise_errors,
                                     exchange=exchange),
        exchange.loaded if exchange is not None else (),
    )
    loaded: list[LoadedText | None] = [None] * len(inputs)
    for share in shares:
        for position, lt in zip(share.positions, share.loaded, strict=True):
            loaded[position] = lt
    assert all(lt is not None for lt in loaded)
    from typing import cast  # a pool's run: typing is not imported by a serial one

    return cast("list[LoadedText]", loaded), lambda run: ready_from(shares, run.resources_by_doc)
