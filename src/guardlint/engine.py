"""The engine: documents -> resources -> rule violations -> located findings -> suppressions -> a Report.

No I/O and no printing happen here; the same function serves the CLI, the library API and the tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from time import perf_counter
from typing import Any

from guardlint.config.model import ActiveRule, Plan
from guardlint.findings import Finding, Fix, InputError, Location, Report, RuleRun, SkippedDocument
from guardlint.model.index import ResourceIndex, in_trees
from guardlint.model.paths import FieldPath, to_dotted
from guardlint.model.resource import Resource, resources_of, skip_reason
from guardlint.rules.api import RuleContext
from guardlint.source.loader import Document, LoadedText
from guardlint.source.sourcemap import locate
from guardlint.suppress import apply_suppressions, unused_exemptions


def _finding(
    active: ActiveRule,
    resource: Resource | None,
    document: Document,
    path: FieldPath,
    message: str,
    *,
    at_value: bool = False,
    location: Location | None = None,
    fix: Fix | None = None,
) -> Finding:
    prefix = resource.prefix if resource is not None else ()
    exact = True
    if location is None:
        location, exact = locate(document.root, (*prefix, *path), document.line_offset, at_value=at_value)
    meta = active.rule.info
    return Finding(
        rule=meta.name,
        code=meta.code,
        severity=active.severity,
        message=message,
        file=document.file,
        location=location,
        path=path,
        resource=resource.ref if resource is not None else None,
        remediation=meta.remediation,
        origin=document.origin,
        document_index=document.index,
        exact=exact,
        fix=fix if exact and document.origin is None else None,
    )


def _run_rule(
    active: ActiveRule,
    resource: Resource,
    ctx: RuleContext,
    raise_errors: bool,
    error_rule: ActiveRule | None,
    params: dict[str, Any],
) -> list[Finding]:
    meta = active.rule.info
    if meta.engine or (meta.kinds is not None and resource.kind not in meta.kinds):
        return []
    out: list[Finding] = []
    try:
        name = meta.name
        if name not in params:
            params[name] = active.params
        for v in active.rule.check(resource, params[name], ctx):
            out.append(
                _finding(active, resource, resource.document, v.path, v.message, at_value=v.at_value, fix=v.fix)
            )
    except Exception as exc:
        if raise_errors:
            raise
        import logging

        logging.getLogger(__name__).debug("rule %s failed on %s", meta.name, resource.display(), exc_info=True)
        if error_rule is not None:
            out.append(
                _finding(
                    error_rule, resource, resource.document, (),
                    f"rule {meta.name!r} ({meta.code}) failed on {resource.display()}: {type(exc).__name__}: {exc}",
                )
            )
    return out


def _unused_exemption_findings(findings: Sequence[Finding], plan: Plan, active: ActiveRule) -> list[Finding]:
    """An ``unused-suppression`` finding at each configured exemption that matched nothing in this run.

    Only for a complete run: in a ``partial`` run (pre-commit) or one where an input could not be read, the
    findings an exemption is meant for may be in the files that were not linted.
    """
    meta = active.rule.info
    out = []
    for ex in unused_exemptions(findings, plan):
        if ex.origin is None:
            continue  # built in code, not read from a file: nowhere to report it
        o = ex.origin
        rules = f" for {', '.join(ex.rules)}" if ex.rules else ""
        out.append(Finding(
            rule=meta.name, code=meta.code, severity=active.severity,
            message=f"exemption{rules} ({ex.reason}) suppresses nothing: no finding matched it",
            file=o.file, location=Location(o.line, o.column, o.line, o.column), path=o.path, resource=None,
            remediation=meta.remediation,
        ))
    return out


def lint_loaded(
    loaded: Sequence[LoadedText],
    plan: Plan,
    *,
    context: Sequence[LoadedText] = (),
    context_trees: Sequence[str] = (),
    extra_errors: Sequence[InputError] = (),
    raise_errors: bool = False,
    meta: dict[str, str] | None = None,
    timings: dict[str, float] | None = None,
) -> Report:
    """Lint loaded files. ``context`` files feed cross-object rules but are not reported on; in a partial run
    they, and the folders ``context_trees`` (POSIX display paths), count as complete for what they cover.
    ``timings``, when given, receives the seconds each rule spent on the objects (``--profile-rules``)."""
    documents: list[Document] = []
    resources: list[Resource] = []
    skipped: list[SkippedDocument] = []
    resources_by_doc: dict[int, list[Resource]] = {}
    errors: list[InputError] = list(extra_errors)
    for lt in loaded:
        errors.extend(lt.errors)
        for doc in lt.documents:
            documents.append(doc)
            reason = skip_reason(doc)
            if reason is not None:
                skipped.append(SkippedDocument(doc.file, doc.content_line, reason))
                continue
            found = list(resources_of(doc))
            if not found:
                skipped.append(SkippedDocument(doc.file, doc.content_line, "an empty List"))
            resources_by_doc[id(doc)] = found
            resources.extend(found)
    context_resources = [r for lt in context for doc in lt.documents for r in resources_of(doc)]
    context_namespaces: frozenset[str] = frozenset()
    if plan.partial and (context or context_trees):
        # The --context paths make the set complete for what they hold: the namespaces of their objects and
        # of the linted objects that live in their folders (a changed file is read as linted, not as context).
        context_namespaces = frozenset(
            r.namespace for r in context_resources if r.namespace is not None
        ) | frozenset(r.namespace for r in resources if r.namespace is not None and in_trees(r.file, context_trees))
    index = ResourceIndex(
        tuple(resources + context_resources),
        partial=plan.partial,
        known=plan.known_objects,
        complete_namespaces=plan.complete_namespaces,
        shared_files=frozenset(r.file for r in context_resources),
        context_namespaces=context_namespaces,
        context_trees=tuple(context_trees),
    )
    ctx = RuleContext(index, plan.kubernetes_version, plan.workloads, plan.options)
    by_name = {a.rule.name: a for a in plan.active}
    error_rule = by_name.get("rule-error")

    findings: list[Finding] = []
    owners: list[Resource | None] = []
    checks = [a for a in plan.active if not a.rule.info.engine]
    params: dict[str, Any] = {}
    # The rules that apply to each kind, decided once per kind rather than once per object.
    by_kind: dict[str, list[ActiveRule]] = {}
    for resource in resources:
        applicable = by_kind.get(resource.kind)
        if applicable is None:
            kind = resource.kind
            applicable = by_kind[kind] = [
                a for a in checks if a.rule.info.kinds is None or kind in a.rule.info.kinds
            ]
        for active in applicable:
            if timings is None:
                got = _run_rule(active, resource, ctx, raise_errors, error_rule, params)
            else:
                started = perf_counter()
                got = _run_rule(active, resource, ctx, raise_errors, error_rule, params)
                name = active.rule.info.name
                timings[name] = timings.get(name, 0.0) + perf_counter() - started
            if got:
                findings.extend(got)
                owners.extend([resource] * len(got))

    dup_rule = by_name.get("duplicate-key")
    if dup_rule is not None:
        for doc in documents:
            owned = resources_by_doc.get(id(doc))
            if not doc.duplicate_keys or not owned:
                continue
            for dup in doc.duplicate_keys:
                owner = next((r for r in owned if dup.path[: len(r.prefix)] == r.prefix), owned[0])
                rel = dup.path[len(owner.prefix):]
                loc = Location(dup.line, dup.column, dup.line, dup.column + len(str(dup.path[-1])))
                findings.append(
                    _finding(
                        dup_rule, owner, doc, rel,
                        f"key {to_dotted(rel)!r} is defined twice (first on line {dup.first_line}); "
                        "Kubernetes keeps only this last value",
                        location=loc,
                    )
                )
                owners.append(owner)

    findings, problems = apply_suppressions(findings, resources_by_doc, owners, documents, plan)
    for p in problems:
        active_rule = by_name.get("unused-suppression" if p.kind == "unused" else "invalid-suppression")
        if active_rule is None:
            continue
        where: Location | None = None
        if p.line is not None and p.column is not None:
            where = Location(p.line, p.column, p.line, p.column)
        rel = p.path[len(p.resource.prefix):] if p.resource is not None else p.path
        holder: Resource | None = p.resource
        if holder is None:
            candidates = resources_by_doc.get(id(p.document)) or []
            holder = candidates[0] if len(candidates) == 1 else None
        findings.append(_finding(active_rule, holder, p.document, rel, p.message, location=where))

    unused_rule = by_name.get("unused-suppression")
    config_files: set[str] = set()
    if unused_rule is not None and plan.exemptions and not plan.partial and not errors:
        unused = _unused_exemption_findings(findings, plan, unused_rule)
        findings.extend(unused)
        config_files = {f.file for f in unused}  # checked too, so that "N of M files" counts them

    unique: dict[tuple[Any, ...], Finding] = {}
    for f in findings:
        key = (f.file, f.document_index, f.rule, f.path, f.message, f.location)
        unique.setdefault(key, f)
    ordered = sorted(unique.values(), key=Finding.sort_key)
    files = tuple(sorted({lt.file for lt in loaded} | {e.file for e in extra_errors} | config_files))
    return Report(
        findings=tuple(ordered),
        errors=tuple(sorted(errors, key=lambda e: (e.file, e.line, e.column))),
        files=files,
        resources=len(resources),
        skipped=tuple(skipped),
        rules=tuple(RuleRun(a.rule.name, a.rule.code, a.severity) for a in plan.active),
        meta=meta or {},
    )
