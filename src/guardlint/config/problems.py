"""Everything wrong with a configuration, found in one pass and explained.

Each problem is located (file, line, column at the offending key or value, and its JSON path) and says
what to do: a "did you mean" for misspelled keys, enum values, rule names, selectors and presets; the
missing key of an incomplete entry; "quote it" for a version YAML read as a number. ``raise_problems``
reports them all at once, sorted by position, so a user fixes a file in one round.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from guardlint.errors import ConfigError, ConfigProblem
from guardlint.model.paths import FieldPath, parse_dotted, to_dotted
from guardlint.rules.registry import Registry
from guardlint.schema import ValidationIssue, is_valid, iter_issues
from guardlint.source.loader import Document
from guardlint.source.sourcemap import node_at

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "ConfigProblem", "at", "nonfinite_problems", "raise_problems", "rule_problems", "schema_problems",
    "version_problem",
]


def at(document: Document, path: FieldPath, message: str, *, at_key: bool = False) -> ConfigProblem:
    """A problem located at ``path`` in ``document`` (its value, or its key with ``at_key``)."""
    loc, _ = document.locate(path, at_value=not at_key)
    return ConfigProblem(document.file, loc.line, loc.column, to_dotted(path) or "<top level>", message)


def raise_problems(problems: Iterable[ConfigProblem], files: Sequence[str] = ()) -> None:
    """Raise one ConfigError listing every problem, the files in ``files`` order, then by position."""
    unique = set(problems)
    if not unique:
        return
    rank = {f: i for i, f in enumerate(dict.fromkeys(files))}
    ordered = sorted(unique, key=lambda p: (rank.get(p.file, len(rank)), p.file, p.line, p.column, p.message))
    raise ConfigError(
        "invalid configuration:\n  " + "\n  ".join(p.render() for p in ordered), problems=tuple(ordered)
    )


def did_you_mean(word: str, vocabulary: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(vocabulary), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


# --- schema violations, explained -------------------------------------------------------------------------


_TYPE_NAMES = {"string": "a string", "array": "a list", "object": "a mapping", "boolean": "true or false",
               "integer": "a whole number", "number": "a number", "null": "nothing"}


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing" if value is None else type(value).__name__


def _walk(value: Any, path: Sequence[str | int]) -> Any:
    for part in path:
        inside = (isinstance(value, dict) and part in value) or (
            isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value))
        if not inside:
            return None
        value = value[part]
    return value


def _schema_at(schema: Mapping[str, Any], schema_path: Sequence[str | int]) -> Any:
    """The sub-schema at a jsonschema ``absolute_schema_path``, following local ``$ref`` on the way."""

    def deref(node: Any) -> Any:
        for _ in range(8):  # a chain of references, bounded
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/")):
                break
            node = _walk(schema, node["$ref"][2:].split("/"))
        return node

    node: Any = schema
    for part in schema_path:
        if part == "$ref" or (isinstance(node, dict) and part not in node):
            node = deref(node)  # jsonschema may or may not list the "$ref" step
            if part == "$ref":
                continue
        node = _walk(node, [part])
    return deref(node) if isinstance(node, dict) and set(node) <= {"$ref", "description"} else node


def _describe(schema: Any) -> str:
    """``a string or a list`` for the types a schema (or its alternatives) accepts."""
    if not isinstance(schema, dict):
        return "something else"
    types = schema.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else list(types)
        return " or ".join(_TYPE_NAMES.get(t, t) for t in names)
    if "enum" in schema:
        return "one of " + ", ".join(repr(v) for v in schema["enum"])
    return "something else"


def _required_hint(parent_schema: Any, key: str) -> str:
    desc = _walk(parent_schema, ["properties", key, "description"])
    if not isinstance(desc, str) or not desc:
        return ""
    desc = desc.replace(" (required)", "").rstrip(".")
    return f" ({desc[0].lower() + desc[1:] if desc[1:2].islower() else desc})"


def _type_accepts(schema: Any, value: Any) -> bool:
    types = schema.get("type") if isinstance(schema, dict) else None
    if types is None:
        return False
    names = [types] if isinstance(types, str) else list(types)
    return any(_json_type(value) == _TYPE_NAMES.get(t) or (t == "number" and _json_type(value) == "a whole number")
               for t in names)


def _explain(
    issue: ValidationIssue,
    data: Any,
    document: Document,
    schema: Mapping[str, Any],
    rule_names: Sequence[str],
    prefix: FieldPath = (),
) -> list[ConfigProblem]:
    """Explain one jsonschema issue. ``data`` and ``schema`` are those of the value at ``prefix``."""
    value = _walk(data, issue.path)
    path: FieldPath = (*prefix, *issue.path)
    rule = _schema_at(schema, issue.schema_path)  # the failing keyword's value
    parent = _schema_at(schema, issue.schema_path[:-1])  # the schema holding that keyword
    v = issue.validator
    if v == "additionalProperties":
        known = parent.get("properties", {}) if isinstance(parent, dict) else {}
        allowed = sorted(rule_names) if path == ("rules",) else sorted(known)
        out = []
        for key in (k for k in (value or {}) if k not in known):
            hint = did_you_mean(str(key), allowed)
            if not hint and path != ("rules",) and allowed:
                hint = f" (known keys: {', '.join(allowed)})"
            if path == ("rules",) and not hint:
                hint = " (not a rule name; 'guardlint rules' lists them)"
            problem = at(document, (*path, key), f"unknown key {key!r}{hint}", at_key=True)
            out.append(problem._replace(path=to_dotted(path) or "<top level>"))
        return out
    if v in ("enum", "const"):
        options = list(rule) if v == "enum" and isinstance(rule, list) else [rule]
        hint = did_you_mean(str(value), [str(o) for o in options])
        listed = ", ".join(repr(o) for o in options)
        return [at(document, path, f"{value!r} is not one of {listed}{hint}")]
    if v == "required":
        missing = [k for k in (rule or []) if isinstance(value, dict) and k not in value]
        return [at(document, path, f"missing the required key {k!r}; add it{_required_hint(parent, k)}")
                for k in missing]
    if v in ("anyOf", "oneOf") and isinstance(rule, list):
        if rule and all(isinstance(s, dict) and set(s) == {"required"} for s in rule):
            keys = [k for s in rule for k in s["required"]]
            hints = "".join(_required_hint(parent, k) for k in keys[:1])
            return [at(document, path, f"missing {' or '.join(repr(k) for k in keys)}; add one{hints}")]
        fitting = [s for s in rule if _type_accepts(s, value)]
        if len(fitting) == 1:  # the right kind of value, wrong inside: explain what is wrong inside
            sub = {**fitting[0], "$defs": schema.get("$defs", {})}
            inner = [p for i in iter_issues(sub, value) for p in _explain(i, value, document, sub, rule_names, path)]
            if inner:
                return inner
        wanted = " or ".join(dict.fromkeys(_describe(s) for s in rule))
        return [at(document, path, f"expected {wanted}, not {_json_type(value)}")]
    if v == "type":
        message = f"expected {_describe(parent)}, not {_json_type(value)}"
        if rule == "array" and isinstance(value, str):
            message += f"; write a list: [{value}]"
        elif rule == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
            node = node_at(document.root, path)
            text = getattr(node, "value", None) if node is not None else None
            message += f"; quote it: \"{text if isinstance(text, str) else value}\""
        return [at(document, path, message)]
    if v == "minLength" and isinstance(value, str) and not value:
        return [at(document, path, "must not be empty")]
    if v == "pattern" and isinstance(value, str) and not value and "minLength" in parent:
        return []  # "must not be empty" says it
    if v == "pattern" and path[-1:] == ("reason",):
        return [at(document, path, "must say why (it is blank)")]
    if v == "not" and isinstance(value, str) and isinstance(rule, dict) and "://" in str(rule.get("pattern", "")):
        # the schema's way of refusing URLs (``schemas``); its own words would be "should not be valid under
        # {'pattern': ...}"
        return [at(document, path, f"{value!r} is a URL: guardlint never reaches the network; name a file or a "
                                   "folder (a checked-out copy) instead")]
    if v == "uniqueItems":
        return [at(document, path, f"{issue.message}; list each entry once")]
    return [at(document, path, issue.message)]


def schema_problems(
    data: Any, document: Document, schema: Mapping[str, Any], rule_names: Sequence[str], skip: Iterable[str] = ()
) -> list[ConfigProblem]:
    """Every schema violation of ``data``, explained. Top-level keys in ``skip`` are checked elsewhere."""
    if is_valid(schema, data):
        return []
    skipped = set(skip)
    out: list[ConfigProblem] = []
    for issue in iter_issues(schema, data):
        if issue.path[:1] and issue.path[0] in skipped:
            continue
        out.extend(_explain(issue, data, document, schema, rule_names))
    return out


# --- what the schema cannot know: rule names, versions, dotted paths -----------------------------------------


def nonfinite_problems(data: Any, document: Document, reported: Iterable[str] = ()) -> list[ConfigProblem]:
    """Numbers that YAML reads as infinity or not-a-number (``.inf``, ``-.inf``, ``.nan``, ``1e400``): no
    setting or rule parameter takes one, and JSON Schema cannot say so (``NaN`` passes every comparison, and
    a bound of ``.inf`` would silently bound nothing). ``reported``: dotted paths that have a problem already."""
    import math

    skip = set(reported)
    out: list[ConfigProblem] = []
    seen: set[int] = set()  # collections shared through an alias are walked once
    stack: list[tuple[Any, FieldPath]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, float):
            if not math.isfinite(value) and to_dotted(path) not in skip:
                node = node_at(document.root, path)
                text = node.value if node is not None and isinstance(getattr(node, "value", None), str) else str(value)
                what = "not a number" if math.isnan(value) else ("minus infinity" if value < 0 else "infinity")
                out.append(at(document, path, f"YAML reads {text} as {what}, which no setting takes: write a finite "
                                              "number, or leave the key out for its default"))
        elif isinstance(value, (dict, list)) and id(value) not in seen:
            seen.add(id(value))
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend((child, (*path, key)) for key, child in items)
    return sorted(out, key=lambda p: (p.line, p.column))


def version_problem(data: Mapping[str, Any], document: Document) -> ConfigProblem | None:
    """The problem with ``kubernetes-version``, if any: a number YAML read from 1.30, an unknown version."""
    from guardlint.config.model import parse_version

    if "kubernetes-version" not in data:
        return None
    value = data["kubernetes-version"]
    path: FieldPath = ("kubernetes-version",)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        node = node_at(document.root, path)
        text = node.value if node is not None and isinstance(getattr(node, "value", None), str) else str(value)
        message = f"YAML reads {text} as the number {value!r}, not a version; quote it: \"{text}\""
        try:
            parse_version(text)
        except ValueError as exc:
            message += f" (and then: {exc})"
        return at(document, path, message)
    if not isinstance(value, str):
        return at(document, path, f"expected a version such as \"1.30\", or latest, not {_json_type(value)}")
    try:
        parse_version(value)
    except ValueError as exc:
        return at(document, path, str(exc))
    return None


def rule_problems(data: Mapping[str, Any], document: Document, registry: Registry) -> list[ConfigProblem]:
    """Selectors that name nothing, exemptions naming unknown rules, malformed workload paths."""
    out: list[ConfigProblem] = []
    checked: dict[str, str | None] = {}  # each distinct selector is checked once, however long the list
    for key in ("select", "extend-select", "ignore"):
        values = data.get(key)
        for i, s in enumerate(values if isinstance(values, list) else ()):
            if isinstance(s, str) and s:
                err = checked[s] if s in checked else checked.setdefault(s, registry.check_selector(s))
                if err:
                    out.append(at(document, (key, i), err))
    locked = data.get("locked")
    for i, entry in enumerate(locked if isinstance(locked, list) else ()):
        selectors = [((i,), entry)] if isinstance(entry, str) else [
            ((i, "rules", j), s) for j, s in enumerate(entry.get("rules") or ())
        ] if isinstance(entry, dict) and isinstance(entry.get("rules"), list) else []
        for where, s in selectors:
            if isinstance(s, str) and s:
                err = checked[s] if s in checked else checked.setdefault(s, registry.check_selector(s))
                if err:
                    out.append(at(document, ("locked", *where), err))
    pattern = data.get("suppression-reason-pattern")
    if isinstance(pattern, str) and pattern:
        import re

        try:
            re.compile(pattern)
        except re.error as exc:
            out.append(at(document, ("suppression-reason-pattern",), f"not a regular expression: {exc}"))
    exemptions = data.get("exemptions")
    for i, e in enumerate(exemptions if isinstance(exemptions, list) else ()):
        until = e.get("until") if isinstance(e, dict) else None
        if isinstance(until, str) and len(until) == 10:
            import datetime

            try:
                datetime.date.fromisoformat(until)
            except ValueError:
                out.append(at(document, ("exemptions", i, "until"), f"{until!r} is not a date; write YYYY-MM-DD"))
        names = e.get("rules") if isinstance(e, dict) else None
        for j, n in enumerate(names if isinstance(names, list) else ()):
            if isinstance(n, str) and n and registry.get(n) is None:
                hint = registry.suggest(n)
                extra = f"; did you mean {hint!r}?" if hint else " ('guardlint rules' lists them)"
                out.append(at(document, ("exemptions", i, "rules", j),
                              f"{n!r} names no rule, so the exemption would never apply{extra}"))
    workloads = data.get("workloads")
    for i, w in enumerate(workloads if isinstance(workloads, list) else ()):
        for key in ("pod-templates", "pod-specs"):
            paths = w.get(key) if isinstance(w, dict) else None
            for j, p in enumerate(paths if isinstance(paths, list) else ()):
                if not isinstance(p, str) or not p:
                    continue
                try:
                    parse_dotted(p)
                except ValueError as exc:
                    out.append(at(document, ("workloads", i, key, j),
                                  f"not a dotted path ({exc}); write it like spec.template or spec.jobs[*].template"))
    return out
