"""The built-in rule catalog: every built-in rule's light metadata and where its code lives.

Importing a rule module costs about a millisecond; with well over a hundred rules that would be most of
a pre-commit run. ``_catalog.json`` is generated from the rules themselves: ``guardlint docs`` discovers the
rule modules in the pack folders (``guardlint.rules.packs``) and writes one JSON row per rule and line, in code
order: the values of the record's fields (``ROW``, which the file names in its ``fields``) by position, every
field present; ``guardlint docs --check`` and the test suite fail when it is stale. Rows rather than objects
because every run reads all of them: an array of values parses in about 60% of the time of an object with its
keys, and a row becomes a ``RuleInfo`` without a look-up per field (together about 0.25 ms of every run).
``read_catalog`` gives the rows back as records (the fields that differ from their defaults, by name). So the
registry knows every built-in rule's name, code, pack, tags, default, severity and kinds without importing it,
and imports a rule's module only when the rule runs on an object of a kind it checks.

The catalog is JSON rather than Python because reading it is cheaper than compiling it (the hook often runs
where Python cannot cache bytecode) and it needs no code review: it is data. A shipped declarative rule's record
also holds its entry of the rule file (``spec``), so that a run builds the rule without parsing the YAML file
(``declarative.builtin_declarative_rule``; the entry is kept only when JSON gives it back as it is).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence

from guardlint.findings import Severity
from guardlint.rules.api import Reference, Rule, RuleInfo

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CATALOG_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_catalog.json")
DOCS_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_catalog_docs.json")
"""The documentation (``RuleMeta.doc``) of every built-in rule written in Python, by code: a file of its own, read
only by the reports that describe rules (SARIF's ``tool.driver.rules``), so that every other run does not read
it and such a report does not import a rule module only for its documentation."""
DECLARATIVE = "guardlint.rules.declarative"

FIELDS = ("code", "name", "pack", "title", "severity", "remediation", "module", "attr", "tags", "references",
          "fixable", "enabled-by-default", "kinds", "extra", "engine", "status", "since", "fix-safety",
          "pods-only", "gates", "spec")
"""The keys of a catalog record, in the order they are written."""

ROW = ("code", "name", "title", "severity", "pack", "remediation", "tags", "references", "fixable",
       "enabled-by-default", "kinds", "extra", "engine", "status", "since", "fix-safety", "pods-only", "gates",
       "module", "attr", "spec")
"""The fields of a catalog row, in order: ``RuleInfo``'s fields (a reference as ``[title, url]``), then where the
rule lives (``module``, ``attr``) and a declarative rule's entry (``spec``)."""

DEFAULTS: Mapping[str, Any] = {
    "attr": "RULE", "tags": [], "references": [], "fixable": False, "enabled-by-default": True, "kinds": None,
    "extra": {}, "engine": False, "status": "stable", "since": None, "fix-safety": None,
    "pods-only": False, "gates": [], "spec": None,
}
"""Keys left out of a record when they have these values."""


def _locate(r: Rule[Any]) -> tuple[str, str]:
    meta = r.meta
    if "declarative" in meta.tags and "source" in meta.extra:
        return DECLARATIVE, f"builtin:{os.path.basename(meta.extra['source'])}:{meta.name}"
    module_name = r.check.__module__
    module = sys.modules[module_name]
    names = [k for k, v in vars(module).items() if v is r]
    if not names:
        raise ValueError(f"rule {meta.name} is not a module-level name of {module_name}")
    attr = "RULE" if "RULE" in names else sorted(names)[0]
    return module_name, attr


def record_of(r: Rule[Any]) -> dict[str, Any]:
    """The catalog record of a loaded rule."""
    m = r.meta
    module, attr = _locate(r)
    spec = None
    if module == DECLARATIVE and attr.startswith("builtin:"):
        from guardlint.rules.declarative import builtin_spec

        spec = builtin_spec(attr.split(":", 2)[1], m.name)
    full: dict[str, Any] = {
        "code": m.code, "name": m.name, "pack": m.pack, "title": m.title, "severity": m.severity.value,
        "remediation": m.remediation, "module": module, "attr": attr, "tags": list(m.tags),
        "references": [{"title": ref.title, "url": ref.url} for ref in m.references], "fixable": m.fixable,
        "enabled-by-default": m.enabled_by_default, "kinds": sorted(m.kinds) if m.kinds is not None else None,
        "extra": {k: v for k, v in sorted(m.extra.items()) if k != "source"}, "engine": m.engine,
        "status": m.status, "since": m.since, "fix-safety": m.fix_safety, "pods-only": m.pods_only,
        "gates": list(m.gates), "spec": spec,
    }
    return {k: full[k] for k in FIELDS if k not in DEFAULTS or full[k] != DEFAULTS[k]}


def row_of(record: Mapping[str, Any]) -> list[Any]:
    """A catalog record as the file's row (``ROW``): every field, by position."""
    row = [record.get(field, DEFAULTS.get(field)) for field in ROW]
    row[ROW.index("references")] = [[ref["title"], ref["url"]] for ref in row[ROW.index("references")]]
    return row


def record_of_row(row: Sequence[Any]) -> dict[str, Any]:
    """A catalog row as its record (what ``record_of`` gives for the rule)."""
    full = dict(zip(ROW, row, strict=True))
    full["references"] = [{"title": title, "url": url} for title, url in full["references"]]
    return {k: full[k] for k in FIELDS if k not in DEFAULTS or full[k] != DEFAULTS[k]}


def render_catalog(rules: Iterable[Rule[Any]]) -> str:
    import json

    records = sorted((record_of(r) for r in rules), key=lambda rec: str(rec["code"]))
    head = json.dumps({
        "generated-by": "guardlint docs (from the rule modules in the pack folders); do not edit",
        "fields": list(ROW),
    }, ensure_ascii=False)
    # one rule per line: a change to a rule is a change of its line
    rows = ",\n".join(json.dumps(row_of(rec), ensure_ascii=False) for rec in records)
    return f"{head[:-1]},\n\"rules\": [\n{rows}\n]}}\n"


def info_of(row: Sequence[Any], severities: Mapping[str, Severity] | None = None) -> RuleInfo:
    """The light metadata in a catalog row. ``severities`` (each severity by its value) saves the enum's
    lookup when a caller reads every row."""
    (code, name, title, severity, pack, remediation, tags, references, fixable, enabled_by_default, kinds,
     extra, engine, status, since, fix_safety, pods_only, gates) = row[:18]
    # Positional, in ``RuleInfo``'s field order (keywords cost more, for every built-in rule of every run).
    return RuleInfo(
        code, name, title, severities[severity] if severities is not None else Severity(severity), pack,
        remediation, tuple(tags), tuple(map(Reference._make, references)) if references else (), fixable,
        enabled_by_default, frozenset(kinds) if kinds is not None else None, extra, engine, status, since,
        fix_safety, pods_only, tuple(gates),
    )


def _loader(module: str, attr: str, spec: Mapping[str, Any] | None = None) -> Any:
    def load() -> Rule[Any]:
        if module == DECLARATIVE and attr.startswith("builtin:"):
            from guardlint.rules.declarative import builtin_declarative_rule

            _, file_name, rule_name = attr.split(":", 2)
            return builtin_declarative_rule(file_name, rule_name, spec)
        # ``importlib.import_module(module)`` without importing importlib (and the warnings module it imports:
        # about half a millisecond of every run): the builtin import statement's function imports the module
        # (and its packages) the same way and returns the top package; the module is then in sys.modules
        __import__(module)
        obj = getattr(sys.modules[module], attr)
        if not isinstance(obj, Rule):
            raise TypeError(f"{module}.{attr} is not a Rule")
        return obj

    return load


def read_rows() -> list[list[Any]] | None:
    """The rows of the catalog file (``ROW``); None when there is none, or when its rows have other fields (a
    file of another version: the rules are then imported, as without a catalog). Read without the ``json``
    package (``parse_shipped_json``), which a run that writes no JSON then never imports."""
    from guardlint.data import parse_shipped_json

    try:
        with open(CATALOG_PATH, encoding="utf-8") as fh:
            catalog = parse_shipped_json(fh.read())
    except OSError:
        return None
    if catalog.get("fields") != list(ROW):
        return None
    rows: list[list[Any]] = catalog["rules"]
    return rows


def read_catalog() -> list[dict[str, Any]] | None:
    """The records of the catalog file (``record_of`` of each rule); None when there is none."""
    rows = read_rows()
    return None if rows is None else [record_of_row(row) for row in rows]


def lazy_builtin_rules() -> tuple[Rule[Any], ...] | None:
    """The built-in rules from the catalog, not yet imported; None when there is no catalog."""
    rows = read_rows()
    if rows is None:
        return None
    severities = {s.value: s for s in Severity}
    return tuple(Rule.lazy(info_of(row, severities), _loader(*row[18:])) for row in rows)


def render_docs(rules: Iterable[Rule[Any]]) -> str:
    """The text of ``_catalog_docs.json``: ``{code: {"name": ..., "doc": ...}}`` for every rule whose catalog
    record imports a Python module (a shipped declarative rule is made from its ``spec`` without importing
    one, and its metadata names the file it came from: reports load it)."""
    import json

    docs = {
        r.code: {"name": r.name, "doc": r.meta.doc}
        for r in sorted(rules, key=lambda r: r.code)
        if _locate(r)[0] != DECLARATIVE
    }
    doc = {"generated-by": "guardlint docs (the documentation of the rule modules in the pack folders); do not edit",
           "docs": docs}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def read_docs() -> dict[str, dict[str, str]]:
    """The records of ``_catalog_docs.json`` by rule code (empty when there is no such file)."""
    import json

    try:
        with open(DOCS_PATH, encoding="utf-8") as fh:
            docs: dict[str, dict[str, str]] = json.load(fh)["docs"]
    except OSError:
        return {}
    return docs


def _generated() -> tuple[tuple[str, Callable[[Sequence[Rule[Any]]], str]], ...]:
    return ((CATALOG_PATH, render_catalog), (DOCS_PATH, render_docs))


def _is_current(path: str, text: str) -> bool:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read() == text
    except OSError:
        return False


def catalog_is_current(rules: Sequence[Rule[Any]]) -> bool:
    """Whether ``_catalog.json`` and ``_catalog_docs.json`` are what ``guardlint docs`` writes."""
    return all(_is_current(path, render(rules)) for path, render in _generated())


def write_catalog(rules: Sequence[Rule[Any]]) -> bool:
    """Rewrite ``_catalog.json`` and ``_catalog_docs.json`` where they differ; returns whether one changed."""
    changed = False
    for path, render in _generated():
        text = render(rules)
        if not _is_current(path, text):
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
            changed = True
    return changed
