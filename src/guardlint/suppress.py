"""Suppressions: object annotations, comment directives and config exemptions, resolved after the rules ran.

Suppressed findings stay in the report, marked. A suppression that silenced nothing although its rule ran
is reported as ``unused-suppression``; one without a reason, or naming an unknown rule, as
``invalid-suppression`` (and it silences nothing).

A finding of a rule the policy locks (``Plan.lock_for``) is never silenced by an annotation, a comment or
a configuration exemption that does not come from the policy: each such suppression is reported as
``suppression-not-allowed``, naming the policy file.

A suppression can carry an expiry: ``until: 2027-03-31`` in an exemption, or a reason that starts with
``until 2027-03-31`` in an annotation's value or a comment (``# guardlint: ignore RULE -- until 2027-03-31
why``). After that day it suppresses nothing and is reported as ``invalid-suppression``; so is one whose
reason does not match the policy's ``suppression-reason-pattern``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence

from guardlint._lazyre import lazy
from guardlint._record import NamedTuple
from guardlint.config.model import SUPPRESSION_ANNOTATION_PREFIX, Exemption, Lock, Plan, Refusal
from guardlint.findings import Finding
from guardlint.model.resource import Resource
from guardlint.source.files import STDIN, Excludes, excluded_by
from guardlint.source.loader import Document

TYPE_CHECKING = False
if TYPE_CHECKING:
    from guardlint.source.directives import Directive

ANNOTATION_PREFIX = SUPPRESSION_ANNOTATION_PREFIX


class Problem(NamedTuple):
    """A suppression to report: where it is and what is wrong (``unused``, ``invalid`` or ``not-allowed``)."""

    kind: str
    file: str
    document: Document
    path: tuple[str | int, ...]
    line: int | None
    column: int | None
    message: str
    resource: Resource | None


class _Annotation:
    """A suppression annotation and whether it matched a finding (mutable while suppressions resolve)."""

    __slots__ = ("key", "problem", "reason", "refused", "resource", "rule", "used")

    def __init__(self, resource: Resource, key: str, rule: str, reason: str, problem: str | None) -> None:
        self.resource, self.key, self.rule, self.reason = resource, key, rule, reason
        self.problem = problem  # expired, or a reason the policy's pattern refuses: it suppresses nothing
        self.used = self.refused = False


class _Comment:
    """A suppression comment and whether it matched a finding."""

    __slots__ = ("directive", "document", "order", "problem", "refused", "used")

    def __init__(self, document: Document, directive: Directive, problem: str | None, order: int) -> None:
        self.document, self.directive, self.problem = document, directive, problem
        self.order = order  # its place among the document's comments
        self.used = self.refused = False


_UNTIL = lazy(r"^until\s+(\S+)\s*(.*)$", re.S)


def _judge_reason(reason: str, until: datetime.date | None, plan: Plan, today: datetime.date) -> str | None:
    """Why a suppression with ``reason`` (an annotation's value or a comment's reason, which may start with
    ``until YYYY-MM-DD``; or an exemption's reason and ``until``) cannot suppress, or None when it can."""
    m = _UNTIL.match(reason) if until is None else None
    if m is not None:
        try:
            until = datetime.date.fromisoformat(m.group(1))
        except ValueError:
            return f"has an invalid expiry {m.group(1)!r}; write 'until YYYY-MM-DD' before the reason"
        reason = m.group(2).strip()
        if not reason:
            return "has an expiry but no reason; write the reason after the date"
    if until is not None and until < today:
        return f"expired on {until.isoformat()} and suppresses nothing any more; fix the finding or renew it"
    if plan.reason_pattern is not None and re.search(plan.reason_pattern, reason) is None:
        return (f"has a reason that does not match the policy's suppression-reason-pattern "
                f"'{plan.reason_pattern}' ({plan.policy})")
    return None


def invalid_exemptions(plan: Plan, today: datetime.date | None = None) -> list[Exemption]:
    """Configuration exemptions that cannot suppress: expired, or with a reason the policy's pattern refuses."""
    day = today or plan.today or datetime.date.today()
    return [ex for ex in plan.exemptions if _judge_reason(ex.reason, ex.until, plan, day) is not None]


def exemption_problem(ex: Exemption, plan: Plan, today: datetime.date | None = None) -> str:
    day = today or plan.today or datetime.date.today()
    return f"exemption ({ex.reason}) {_judge_reason(ex.reason, ex.until, plan, day)}"


def _rule_matches(names: Iterable[str], finding: Finding) -> bool:
    return any(n in (finding.rule, finding.code) or n.upper() == finding.code for n in names)


class _ExemptionPaths:
    """Whether a finding's file matches an exemption's ``paths``, for one run (a memo owned by the run).

    ``paths`` are matched as ``exclude`` patterns are (one matcher, ``guardlint.source.files.Excludes``): by the
    file's path relative to the exemption's folder (``Exemption.base``: the folder of the configuration file in
    effect), so that an exemption means the same from any working directory; a folder pattern covers what is
    below it; a pattern without ``/`` matches any single part of the path; a file outside the folder (or
    standard input) is reached only by a pattern without ``/``. Each (exemption, file) is decided once.
    """

    __slots__ = ("_decided", "_matchers")

    def __init__(self) -> None:
        self._matchers: dict[int, Excludes] = {}
        self._decided: dict[tuple[int, str], bool] = {}

    def match(self, exemption: Exemption, file: str) -> bool:
        key = (id(exemption), file)
        decided = self._decided.get(key)
        if decided is None:
            matcher = self._matchers.get(id(exemption))
            if matcher is None:
                matcher = self._matchers[id(exemption)] = Excludes.at(exemption.paths, exemption.base)
            if file == STDIN:
                decided = excluded_by(file, matcher.patterns, anchored=False) is not None
            else:
                decided = matcher.pattern_for(file, file) is not None
            self._decided[key] = decided
        return decided


_GLOB = frozenset("*?[")


def _literal(patterns: Iterable[str]) -> bool:
    """Whether every one of ``patterns`` (``fnmatchcase`` globs) matches only itself."""
    return all(_GLOB.isdisjoint(p) for p in patterns)


def _criteria(ex: Exemption) -> tuple[object, ...]:
    """What decides whether ``ex`` matches a finding (``_exempt``): exemptions with equal criteria match the
    same findings, so they are tried once, as a group."""
    return (ex.rules, ex.paths, ex.base, ex.namespaces, ex.kinds, ex.names, ex.from_policy)


def _object_keys(ex: Exemption) -> tuple[tuple[str, str], ...] | None:
    """Keys of the objects ``ex`` can match when it names them without globs: by name, else namespace, else
    kind (None: it can match any object, as far as an index can tell)."""
    if ex.names and _literal(ex.names):
        return tuple(("name", n) for n in ex.names)
    if ex.namespaces and _literal(ex.namespaces):
        return tuple(("namespace", n) for n in ex.namespaces)
    if ex.kinds:
        return tuple(("kind", k) for k in ex.kinds)
    return None


def _finding_keys(finding: Finding) -> list[tuple[str, str] | None]:
    ref = finding.resource
    keys: list[tuple[str, str] | None] = [None]
    if ref is not None:
        if ref.name:
            keys.append(("name", ref.name))
        if ref.namespace:
            keys.append(("namespace", ref.namespace))
        keys.append(("kind", ref.kind))
    return keys


class _Group(NamedTuple):
    """Exemptions with equal criteria (``_criteria``), in their configured order; ``first`` is the position of
    the first in the configuration."""

    first: int
    members: list[Exemption]
    positions: list[int]


class _Index:
    """The exemptions of one run, looked up rather than scanned (a memo owned by the run).

    Exemptions with equal criteria form one group, tried once (``_exempt`` on its first member decides for all).
    A group is filed under the rule keys it names (the name, the code, the code in upper case; none: any rule)
    and under the objects it names without globs (``_object_keys``; none: any object). A finding is tried
    against the groups filed under its rule or code or no rule, and under its object's name, namespace or kind
    or no object: exactly those that can match it, in their configured order. So N findings and E exemptions
    cost about N + E when the exemptions name other rules, other objects, or repeat one another; only
    exemptions for the same rule that differ and name objects by globs are tried one by one."""

    __slots__ = ("_candidates", "filed", "groups")

    def __init__(self, exemptions: Sequence[Exemption]) -> None:
        by_criteria: dict[tuple[object, ...], _Group] = {}
        for i, ex in enumerate(exemptions):
            group = by_criteria.get(_criteria(ex))
            if group is None:
                group = by_criteria[_criteria(ex)] = _Group(i, [], [])
            group.members.append(ex)
            group.positions.append(i)
        self.groups = list(by_criteria.values())
        """In the configured order of their first members."""
        self.filed: dict[tuple[str | None, tuple[str, str] | None], list[int]] = {}
        """Group numbers by (rule key or None, object key or None)."""
        for g, group in enumerate(self.groups):
            ex = group.members[0]
            rule_keys: set[str | None] = {k for n in ex.rules for k in (n, n.upper())} or {None}
            for rule_key in rule_keys:
                for object_key in _object_keys(ex) or (None,):
                    self.filed.setdefault((rule_key, object_key), []).append(g)
        self._candidates: dict[tuple[object, ...], list[_Group]] = {}

    def candidates(self, finding: Finding) -> list[_Group]:
        """The groups that can match ``finding``, in configured order."""
        object_keys = _finding_keys(finding)
        key = (finding.rule, finding.code, *object_keys)
        found = self._candidates.get(key)
        if found is None:
            indexes: set[int] = set()
            for rule_key in (None, finding.rule, finding.code):
                for object_key in object_keys:
                    indexes.update(self.filed.get((rule_key, object_key), ()))
            found = self._candidates[key] = [self.groups[g] for g in sorted(indexes)]
        return found


def _exempt(exemption: Exemption, finding: Finding, paths: _ExemptionPaths) -> bool:
    import fnmatch  # here: a run without exemptions never needs it

    if exemption.rules and not _rule_matches(exemption.rules, finding):
        return False
    if exemption.paths and not paths.match(exemption, finding.file):
        return False
    ref = finding.resource
    if exemption.namespaces and not (ref and ref.namespace and any(
        fnmatch.fnmatchcase(ref.namespace, n) for n in exemption.namespaces
    )):
        return False
    if exemption.kinds and not (ref and ref.kind in exemption.kinds):
        return False
    return not (exemption.names and not (ref and ref.name and any(
        fnmatch.fnmatchcase(ref.name, n) for n in exemption.names
    )))


def apply_suppressions(
    findings: Sequence[Finding],
    resources_by_doc: Mapping[Document, list[Resource]],
    finding_resources: Sequence[Resource | None],
    documents: Sequence[Document],
    plan: Plan,
    refused_exemptions: list[Refusal] | None = None,
) -> tuple[list[Finding], list[Problem]]:
    """Mark suppressed findings and collect problems with the suppressions themselves. Configuration
    exemptions refused because they would silence a locked rule are appended to ``refused_exemptions``."""
    registry = plan.registry
    ran = {a.rule.name for a in plan.active}
    today = plan.today or datetime.date.today()
    problems: list[Problem] = []
    annotations: dict[int, list[_Annotation]] = {}
    for doc_resources in resources_by_doc.values():
        for r in doc_resources:
            for key, value in r.annotations.items():
                if not isinstance(key, str) or not key.startswith(ANNOTATION_PREFIX):
                    continue
                rule_name = key[len(ANNOTATION_PREFIX):]
                path = (*r.prefix, "metadata", "annotations", key)
                known = registry.get(rule_name)
                if known is None:
                    hint = registry.suggest(rule_name)
                    extra = f"; did you mean {hint!r}?" if hint else ""
                    problems.append(Problem("invalid", r.file, r.document, path, None, None,
                                            f"annotation {key!r} names no rule{extra}", r))
                    continue
                why = value.strip() if isinstance(value, str) else ""
                if not why:
                    problems.append(Problem("invalid", r.file, r.document, path, None, None,
                                            f"annotation {key!r} gives no reason; its value must say why", r))
                    continue
                judged = _judge_reason(why, None, plan, today)
                annotations.setdefault(id(r), []).append(_Annotation(r, key, known.name, why, judged))
    comments: dict[int, list[_Comment]] = {}
    # A finding is matched against the comments of its document that cover the whole document or its own line
    # (looked up, not scanned: a document with a comment on every line and a finding on every line costs what
    # it holds, not their product), in the order the comments stand in the document.
    whole_doc: dict[int, list[_Comment]] = {}
    on_line: dict[tuple[int, int], list[_Comment]] = {}
    for doc in documents:
        for d in doc.directives:
            if d.problem is not None:
                problems.append(Problem("invalid", doc.file, doc, (), d.line, d.column,
                                        f"suppression comment {d.problem}", None))
                continue
            unknown = [n for n in d.rules if registry.get(n) is None]
            if unknown:
                hint = registry.suggest(unknown[0])
                extra = f"; did you mean {hint!r}?" if hint else ""
                problems.append(Problem("invalid", doc.file, doc, (), d.line, d.column,
                                        f"suppression comment names unknown rule {unknown[0]!r}{extra}", None))
                continue
            judged = _judge_reason(d.reason, None, plan, today)
            of_doc = comments.setdefault(id(doc), [])
            comment = _Comment(doc, d, judged, len(of_doc))
            of_doc.append(comment)
            from guardlint.source.directives import Scope  # imported by the loader already: the run has directives

            if d.scope is Scope.DOCUMENT:
                whole_doc.setdefault(id(doc), []).append(comment)
            else:
                on_line.setdefault((id(doc), d.target_line), []).append(comment)

    invalid = {id(ex) for ex in invalid_exemptions(plan, today)}
    exemptions = [ex for ex in plan.exemptions if id(ex) not in invalid]  # the others are reported by the engine
    exemption_paths = _ExemptionPaths()
    index = _Index(exemptions) if exemptions else None
    refused_members: dict[tuple[int, str], int] = {}  # (id of a group, rule): how many of its first members
    out: list[Finding] = []
    refused: set[tuple[int, str]] = set()  # (id of the suppression, rule): each refusal reported once

    def refuse(key: int, rule: str) -> bool:
        if (key, rule) in refused:
            return False
        refused.add((key, rule))
        return True

    def locked_message(what: str, rule: str, lock: Lock) -> str:
        return (f"{what} cannot suppress {rule!r}: the rule is locked by the policy {lock.policy} "
                f"({lock.describe()}); only the policy can exempt it")

    for finding, resource in zip(findings, finding_resources, strict=True):
        reason: str | None = None
        ref = finding.resource
        lock = plan.lock_for(finding.rule, ref.namespace if ref is not None else None) if plan.locks else None
        if resource is not None:
            for ann in annotations.get(id(resource), ()):
                if ann.rule == finding.rule:
                    ann.used = True
                    if lock is None:
                        if ann.problem is None:
                            reason = reason or f"annotation: {ann.reason}"
                    elif refuse(id(ann), finding.rule):
                        ann.refused = True
                        problems.append(Problem(
                            "not-allowed", resource.file, resource.document,
                            (*resource.prefix, "metadata", "annotations", ann.key), None, None,
                            locked_message(f"annotation {ann.key!r}", finding.rule, lock), resource))
        owner_doc = resource.document if resource is not None else None
        for c in _covering(whole_doc, on_line, owner_doc, finding.location.line):
            d = c.directive
            if _rule_matches(d.rules, finding):
                c.used = True
                if lock is None:
                    if c.problem is None:
                        reason = reason or f"comment: {d.reason}"
                elif refuse(id(c), finding.rule):
                    c.refused = True
                    problems.append(Problem("not-allowed", c.document.file, c.document, (), d.line, d.column,
                                            locked_message("suppression comment", finding.rule, lock), None))
        if reason is None and index is not None:
            matched = [g for g in index.candidates(finding) if _exempt(g.members[0], finding, exemption_paths)]
            if lock is None or not matched:
                reason = f"exemption: {matched[0].members[0].reason}" if matched else None
            else:
                # Locked: every exemption not from the policy that matches is refused (each reported once per
                # rule) and the first from the policy, if any, suppresses; the exemptions after it in the
                # configuration are not reached, as in a scan in order.
                winner = next((g for g in matched if g.members[0].from_policy), None)
                if winner is not None:
                    reason = f"exemption: {winner.members[0].reason}"
                import bisect

                cut = winner.first if winner is not None else len(exemptions)
                newly: list[tuple[int, Exemption]] = []
                for g in matched:
                    if g.members[0].from_policy or g.first > cut:
                        continue
                    done = refused_members.get((id(g), finding.rule), 0)
                    upto = bisect.bisect_left(g.positions, cut)
                    newly.extend((g.positions[m], g.members[m]) for m in range(done, upto))
                    refused_members[(id(g), finding.rule)] = max(done, upto)
                for _, ex in sorted(newly, key=lambda item: item[0]):
                    if refused_exemptions is not None and ex.origin is not None and refuse(id(ex), finding.rule):
                        refused_exemptions.append(Refusal(ex.origin, finding.rule, locked_message(
                            f"exemption ({ex.reason})", finding.rule, lock)))
        out.append(finding._replace(suppressed=True, suppression_reason=reason) if reason else finding)

    for anns in annotations.values():  # expired or refused by the pattern: reported unless refused by a lock
        for ann in anns:
            if ann.problem is not None and not ann.refused:
                problems.append(Problem(
                    "invalid", ann.resource.file, ann.resource.document,
                    (*ann.resource.prefix, "metadata", "annotations", ann.key), None, None,
                    f"annotation {ann.key!r} {ann.problem}", ann.resource))
    for cs in comments.values():
        for c in cs:
            if c.problem is not None and not c.refused:
                problems.append(Problem("invalid", c.document.file, c.document, (), c.directive.line,
                                        c.directive.column, f"suppression comment {c.problem}", None))
    for anns in annotations.values():
        for ann in anns:
            if ann.problem is None and not ann.used and ann.rule in ran:
                problems.append(Problem(
                    "unused", ann.resource.file, ann.resource.document,
                    (*ann.resource.prefix, "metadata", "annotations", ann.key), None, None,
                    f"annotation {ann.key!r} suppresses nothing: rule {ann.rule!r} found no problem here",
                    ann.resource,
                ))
    for cs in comments.values():
        for c in cs:
            if c.used or c.problem is not None:
                continue
            names = [registry.get(n) for n in c.directive.rules]
            if all(r is not None and r.name in ran for r in names):
                problems.append(Problem(
                    "unused", c.document.file, c.document, (), c.directive.line, c.directive.column,
                    f"suppression comment for {', '.join(c.directive.rules)} suppresses nothing", None,
                ))
    return out, problems


def _covering(whole_doc: Mapping[int, list[_Comment]], on_line: Mapping[tuple[int, int], list[_Comment]],
              document: Document | None, line: int) -> Sequence[_Comment]:
    """The suppression comments of ``document`` that cover ``line``: those of the whole document and those of
    the line, in the order they stand among the document's comments."""
    if document is None:
        return ()
    scoped = whole_doc.get(id(document), ())
    here = on_line.get((id(document), line), ())
    if not scoped or not here:
        return scoped or here
    return sorted((*scoped, *here), key=lambda c: c.order)


def unused_exemptions(findings: Sequence[Finding], plan: Plan) -> list[Exemption]:
    """Config exemptions that match no finding of this run although every rule they name ran (all rules,
    when they name none). Only meaningful when the run saw the whole repository (not ``partial``)."""
    registry = plan.registry
    ran = {a.rule.name for a in plan.active}
    out: list[Exemption] = []
    invalid = {id(ex) for ex in invalid_exemptions(plan)}
    exemption_paths = _ExemptionPaths()
    valid = [ex for ex in plan.exemptions if id(ex) not in invalid]  # the others: reported as invalid-suppression
    index = _Index(valid)
    # Findings by (rule key, object key), for the keys groups are filed under (see ``_Index``): a group is tried
    # only on the findings it can match, once for all its members, so E exemptions and N findings cost about
    # N + E when the exemptions name other rules or objects, or repeat one another.
    by_key: dict[tuple[str | None, tuple[str, str] | None], list[Finding]] = {}
    for f in findings:
        for rule_key in dict.fromkeys((None, f.rule, f.code)):
            for object_key in _finding_keys(f):
                if (rule_key, object_key) in index.filed:
                    by_key.setdefault((rule_key, object_key), []).append(f)
    for group in index.groups:
        ex = group.members[0]
        named = [registry.get(n) for n in ex.rules]
        if not all(r is not None and r.name in ran for r in named):
            continue
        rule_keys: list[str | None] = list(dict.fromkeys(k for n in ex.rules for k in (n, n.upper()))) or [None]
        tried = (f for rule_key in rule_keys for object_key in _object_keys(ex) or (None,)
                 for f in by_key.get((rule_key, object_key), ()))
        if not any(_exempt(ex, f, exemption_paths) for f in tried):
            out.extend(group.members)
    order = {id(ex): i for i, ex in enumerate(plan.exemptions)}
    out.sort(key=lambda ex: order[id(ex)])
    return out
