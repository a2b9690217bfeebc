"""Declarative rules: YAML data that matches objects, pod specs or containers, reads a field path and checks
the value against a JSON Schema. The format is ``schemas/declarative-rule.schema.json``."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from guardlint.errors import RuleLoadError
from guardlint.findings import Fix, Severity
from guardlint.model.glob import glob_match
from guardlint.model.paths import MISSING, FieldPath, expand, parse_dotted, to_dotted
from guardlint.model.resource import Resource
from guardlint.model.workloads import ContainerKind, PodSpecRef, iter_containers, iter_pod_specs
from guardlint.rules.api import Reference, Rule, RuleContext, RuleMeta, Violation
from guardlint.schema import is_valid

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any


def _format(template: str, **values: str) -> str:
    out = template
    for key, value in values.items():
        out = out.replace("{" + key + "}", value)
    return out


def _render_value(value: Any) -> str:
    if value is MISSING:
        return "<unset>"
    import json

    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def _object_matches(resource: Resource, selectors: Sequence[Mapping[str, Any]]) -> bool:
    for sel in selectors:
        kind = sel.get("kind", "*")
        api = sel.get("apiVersion", "*")
        if glob_match(resource.kind, kind) and (
            glob_match(resource.api_version, api) or glob_match(resource.group, api)
        ):
            return True
    return False


def at_keys(data: Any, keys: FieldPath) -> Any:
    """The value at a path of map keys (no ``*``, no list index), or ``MISSING``: the one pair that
    ``expand(data, keys, with_missing=True)`` yields is ``(keys, at_keys(data, keys))``."""
    value = data
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return MISSING
        value = value[key]
    return value


def _pod_spec_label(pod: PodSpecRef) -> str:
    return f"pod spec at {pod.where}"


def _pod_metadata_label(pod: PodSpecRef) -> str:
    return "pod" if pod.metadata_path == ("metadata",) else f"pod template at {pod.where}"


SHIPPED_SOURCE = "guardlint:rules/declarative/"
"""How a shipped rule's file is named in its metadata (``extra.source``, which SARIF reports carry): by its place
in guardlint, not by the folder guardlint is installed in, which would differ per machine and tell every reader
of an uploaded report where a runner keeps its virtual environment."""


def make_rule(spec: Mapping[str, Any], origin: str, source: str | None = None) -> Rule[Any]:
    """Build a Rule from one validated declarative entry. ``origin`` names the file in error messages;
    ``source`` (default ``origin``) is the name the rule's metadata gives it."""
    try:
        path = parse_dotted(spec["path"]) if spec.get("path") else ()
    except ValueError as exc:
        raise RuleLoadError(f"{origin}: rule {spec.get('name')!r}: bad path: {exc}") from None
    schema = spec["schema"]
    must_satisfy = spec.get("expect", "satisfies") == "satisfies"
    when_missing = spec.get("when-missing", "pass")
    message = spec["message"]
    match = spec["match"]
    objects = match.get("objects")
    scope = "objects" if objects else (
        "containers" if match.get("containers") else ("pod-metadata" if match.get("pod-metadata") else "pod-specs")
    )
    wanted_kinds = {ContainerKind(k) for k in match.get("container-kinds", [k.value for k in ContainerKind])}
    # None (every container, in order, as the filter would give them) when every kind is wanted, else a tuple,
    # which ``iter_containers`` filters by without hashing enum members.
    container_kinds = None if wanted_kinds == set(ContainerKind) else tuple(wanted_kinds)
    kinds_filter = match.get("kinds")
    dotted = spec.get("path", "")
    fix_spec = spec.get("fix")

    # A path of map keys alone names one place; where a missing field passes, a value that is not there (or a
    # parent that is not a mapping) yields nothing, which is what ``expand`` would yield there (MISSING, then
    # skipped). Most objects lack the field, so most calls end at the first lookup.
    keys_only = bool(path) and when_missing != "fail" and all(isinstance(p, str) and p != "*" for p in path)

    def violations(base: FieldPath, data: Any, where: Callable[[], str]) -> Iterator[Violation]:
        if keys_only:
            value = at_keys(data, path)
            if value is MISSING:
                return
            found: Iterable[tuple[FieldPath, Any]] = ((path, value),)
        else:
            found = expand(data, path, with_missing=True)
        for concrete, value in found:
            if value is MISSING:
                if when_missing != "fail":
                    continue
                ok = False
            else:
                ok = is_valid(schema, value) == must_satisfy
            if not ok:
                text = _format(message, value=_render_value(value), path=to_dotted(concrete) or dotted,
                               where=where())
                yield Violation((*base, *concrete), text, at_value=value is not MISSING,
                                fix=_fix(fix_spec, base, concrete, data) if fix_spec else None)

    # ``where`` is a function: the label of the place is made only for a violation.
    def check(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
        if scope == "objects":
            if _object_matches(resource, objects):
                yield from violations((), resource.data, resource.display)
            return
        if kinds_filter and resource.kind not in kinds_filter:
            return
        for pod in iter_pod_specs(resource, ctx.workloads):
            if scope == "pod-specs":
                yield from violations(pod.path, pod.spec, functools.partial(_pod_spec_label, pod))
                continue
            if scope == "pod-metadata":
                if pod.metadata_path is not None:
                    yield from violations(pod.metadata_path, pod.metadata, functools.partial(_pod_metadata_label, pod))
                continue
            for c in iter_containers(pod, container_kinds):
                yield from violations(c.path, c.data, c.describe)

    refs = tuple(Reference(r["title"], r["url"]) for r in spec.get("references", []))
    doc = spec.get("doc") or _default_doc(spec)
    meta = RuleMeta(
        code=spec["code"],
        name=spec["name"],
        title=spec["title"],
        severity=Severity.parse(spec.get("severity", "warning")),
        pack=spec.get("pack", "custom"),
        remediation=spec["remediation"],
        doc=doc,
        tags=(*spec.get("tags", ()), "declarative"),
        references=refs,
        enabled_by_default=spec.get("enabled-by-default", True),
        kinds=None,
        extra={"source": origin if source is None else source},
        status=spec.get("status", "stable"),
        since=spec.get("since"),
        fixable=bool(fix_spec),
        fix_safety=fix_spec["safety"] if fix_spec else None,
        pods_only=scope != "objects",  # every other scope yields only from the pods ``check`` iterates
        # The file's word, as a Python rule's decorator gives it: the engine skips an object for which none of
        # these predicates holds (``guardlint.rules.gates``). The schema lets only the engine's names through.
        gates=tuple(spec.get("gates", ())),
    )
    return Rule(meta, check)


def _fix(spec: Mapping[str, Any], base: FieldPath, concrete: FieldPath, data: Any) -> Fix | None:
    """The fix a declarative rule offers at ``base + concrete`` (``data`` is what ``base`` holds)."""
    from guardlint.findings import FixEdit, structural_fix

    op, value, path = spec["op"], spec.get("value"), (*base, *concrete)
    if op == "rename":
        parent: Any = data
        for part in concrete[:-1]:
            if isinstance(parent, dict) and isinstance(part, str):
                parent = parent.get(part)
            elif isinstance(parent, list) and isinstance(part, int) and 0 <= part < len(parent):
                parent = parent[part]
            else:
                parent = None
        if not concrete or not isinstance(parent, dict) or not isinstance(value, str):
            return None
        if value in parent:  # the new field is already there and is the one the API reads
            return structural_fix(f"remove {concrete[-1]} ({value} is set)", FixEdit("remove", path),
                                  safety=spec["safety"])
        return structural_fix(spec["description"], FixEdit("rename", path, value), safety=spec["safety"])
    return structural_fix(spec["description"], FixEdit(op, path, value), safety=spec["safety"])


def _default_doc(spec: Mapping[str, Any]) -> str:
    why = spec.get("why", "")
    return f"## What it does\n{spec['title']}.\n\n## Why is this bad?\n{why}".rstrip()


def _validate_file(data: Any, origin: str) -> None:
    from guardlint.data import load_json, schema_path

    schema = load_json(schema_path("declarative-rule.schema.json"))
    if is_valid(schema, data):
        return
    from guardlint.schema import iter_issues

    assert isinstance(schema, dict)
    issues = iter_issues(schema, data)
    lines = [f"  at {to_dotted(i.path) or '<root>'}: {i.message}" for i in issues[:10]]
    raise RuleLoadError(f"{origin}: invalid declarative rule file:\n" + "\n".join(lines))


RULE_FILE_MAX_BYTES = 16 * 1024 * 1024
"""The largest declarative rule file read."""


def load_rule_file(path: str | Path, *, validate: bool = True, shipped: bool = False) -> tuple[Rule[Any], ...]:
    import yaml

    from guardlint._printable import printable
    from guardlint.source.files import NotRegularFile, describe_limit, read_regular_file

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    origin = printable(str(path))  # a file name from the repository, in error messages
    try:
        text = read_regular_file(os.fspath(path), RULE_FILE_MAX_BYTES).decode("utf-8")
        data = yaml.load(text, Loader=loader)
    except NotRegularFile as exc:
        reason = f"over the {describe_limit(RULE_FILE_MAX_BYTES)} limit" if exc.too_large else exc.message
        raise RuleLoadError(f"{origin}: cannot read declarative rules: {reason}") from None
    except (UnicodeDecodeError, yaml.YAMLError, RecursionError) as exc:
        what = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise RuleLoadError(f"{origin}: cannot read declarative rules: {what}") from None
    if validate:
        _validate_file(data, origin)
    if not isinstance(data, dict):
        return ()
    source = SHIPPED_SOURCE + os.path.basename(path) if shipped else None
    if not shipped:
        for entry in data.get("rules", []):
            refused = backtracking_patterns(entry.get("schema") if isinstance(entry, dict) else None)
            if refused:
                from guardlint._linear_re import MAX_PROGRAM

                raise RuleLoadError(
                    f"{origin}: rule {entry.get('name')!r}: the pattern {refused[0]!r} can be searched only "
                    "by backtracking (it has lookaround or a backreference, or unfolds into more than "
                    f"{MAX_PROGRAM:,} steps), which guardlint does not run for a rule file: such a pattern can "
                    "take hours on a short value. Write it without them")
    return tuple(make_rule(entry, origin, source) for entry in data.get("rules", []))


def backtracking_patterns(schema: Any) -> list[str]:
    """The ``pattern`` and ``patternProperties`` regular expressions of a JSON Schema that only backtracking can
    search (``guardlint._linear_re.compile_linear`` gives None); every other one is searched in linear time."""
    import re

    from guardlint._linear_re import compile_linear

    found: list[str] = []
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            texts = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
            props = node.get("patternProperties")
            texts += [k for k in props if isinstance(k, str)] if isinstance(props, dict) else []
            for text in texts:
                try:
                    if compile_linear(text) is None:
                        found.append(text)
                except (re.error, RecursionError, OverflowError):
                    pass  # a pattern that does not compile is a rule-error when the rule runs, as before
            stack.extend(node.values())
    return found


def load_rule_dir(directory: Path, *, validate: bool = True, shipped: bool = False) -> tuple[Rule[Any], ...]:
    if not directory.is_dir():
        raise RuleLoadError(f"declarative rule folder {str(directory)!r} does not exist")
    rules: list[Rule[Any]] = []
    from guardlint._printable import printable
    from guardlint.source.files import leaves_repository

    for name in sorted(os.listdir(directory)):
        if name.endswith((".yaml", ".yml")):  # a FIFO or device among them is refused by load_rule_file
            escape = leaves_repository(str(directory / name))
            if escape is not None:  # a link out of the repository: its content must not reach any message
                raise RuleLoadError(f"{printable(str(directory / name))}: a symbolic link to a file outside the "
                                    f"repository ({printable(escape)}); declarative rule files are not read there")
            rules.extend(load_rule_file(directory / name, validate=validate, shipped=shipped))
    return tuple(rules)


def builtin_declarative_rules() -> tuple[Rule[Any], ...]:
    """The declarative rules shipped in ``rules/declarative`` (validated by the test suite, not per run)."""
    from guardlint.data import data_dir

    return load_rule_dir(data_dir("rules") / "declarative", validate=False, shipped=True)


def builtin_declarative_rule(file_name: str, rule_name: str, spec: Mapping[str, Any] | None = None) -> Rule[Any]:
    """One shipped declarative rule, for the lazy catalog: made from ``spec``, its entry of the file as the
    catalog holds it (``builtin_spec``), without reading the file, or else read from the file. Either way the
    rule is ``make_rule`` of the same entry with the same origin (the file's path) and source
    (``SHIPPED_SOURCE`` and the file name)."""
    if spec is not None:
        from guardlint._printable import printable
        from guardlint.data import data_root

        return make_rule(spec, printable(os.path.join(data_root("rules"), "declarative", file_name)),
                         SHIPPED_SOURCE + file_name)
    for r in _builtin_file(file_name):
        if r.name == rule_name:
            return r
    raise RuleLoadError(f"declarative rule {rule_name!r} is not in {file_name}")


def builtin_spec(file_name: str, rule_name: str) -> dict[str, Any] | None:
    """The entry of a shipped declarative rule as the catalog can hold it (``guardlint docs`` writes it there so
    that a run builds the rule without parsing the file: about 0.6 ms), or None when the entry is not plain JSON
    data (a YAML date, a key that is not a string ...), which JSON would not give back as it is."""
    import json

    import yaml

    from guardlint.data import data_root

    with open(os.path.join(data_root("rules"), "declarative", file_name), encoding="utf-8") as fh:
        data = yaml.load(fh.read(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    for entry in data.get("rules", []) if isinstance(data, dict) else []:
        if isinstance(entry, dict) and entry.get("name") == rule_name:
            try:
                again = json.loads(json.dumps(entry))
            except (TypeError, ValueError):  # a date, a set ...: not JSON data
                return None
            return entry if _same_data(again, entry) else None
    return None


def _same_data(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (``1 == 1.0 == True`` for ``==`` alone)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same_data(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same_data(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


@functools.lru_cache(maxsize=8)
def _builtin_file(file_name: str) -> tuple[Rule[Any], ...]:
    """A shipped rule file, read once per process however many of its rules run."""
    from guardlint.data import data_root

    return load_rule_file(os.path.join(data_root("rules"), "declarative", file_name), validate=False, shipped=True)
