"""Finding, reading, validating and merging ``.guardlint.yaml`` files and presets.

Validation is one pass over the whole file against ``schemas/config.schema.json`` with each rule's own
parameter schema spliced in. The fast validator decides; only an invalid file pays for jsonschema, which
then explains every error with its file, line, column and JSON path, and a "did you mean" for typos.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from guardlint.config.discovery import CONFIG_NAMES, find_config
from guardlint.config.model import Config, Exemption, Lock, Origin, Refusal, RuleSettings, locked_rules, parse_version
from guardlint.config.problems import (
    at,
    did_you_mean,
    nonfinite_problems,
    raise_problems,
    rule_problems,
    schema_problems,
    version_problem,
)
from guardlint.errors import ConfigError, ConfigProblem, PluginClashError
from guardlint.findings import Severity
from guardlint.model.index import KnownObject
from guardlint.model.paths import parse_dotted, to_dotted
from guardlint.model.workloads import TemplateKind, TemplatePath, WorkloadEntry
from guardlint.rules.registry import Registry
from guardlint.source.loader import Document, load_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["CONFIG_NAMES", "config_schema", "find_config", "load_config"]

Chain = list[tuple[Path, "dict[str, Any]", "Document | None"]]
Places = dict[str, tuple[Path, "Document | None", int, str]]
"""Each plugin entry as resolved -> (configuration file, its document, index in ``plugins``, entry as written)."""
"""A configuration file and the files it extends, parents first: (path, data, document)."""


def config_schema(registry: Registry, names: Iterable[str] | None = None) -> dict[str, Any]:
    """The config schema: the shipped top level plus every rule's settings and parameters.

    With ``names``, only those rules are described (a name that is not a rule stays an error): this keeps
    validation from importing the modules of rules the configuration does not mention.
    """
    from guardlint.data import load_json, schema_path

    schema = load_json(schema_path("config.schema.json"))  # a new object from the file: this call's own
    assert isinstance(schema, dict)
    settings = schema["$defs"]["rule-settings"]
    props: dict[str, Any] = {}
    wanted = set(names) if names is not None else None
    for r in registry.rules:
        if wanted is not None and r.name not in wanted:
            continue
        # Each rule's entry is the shared settings schema with its own "properties" (only "params" differs); the
        # schema is only read (validated against, printed), so the parts they share need no copy.
        params = dict(r.meta.params_schema or {"type": "object", "additionalProperties": False})
        props[r.name] = {**settings, "properties": {**settings["properties"], "params": params}}
    schema["properties"]["rules"]["properties"] = props
    return schema


CONFIG_MAX_BYTES = 16 * 1024 * 1024
"""The largest configuration file read (each file of an ``extends`` chain)."""


def _read_document(path: Path) -> tuple[Document | None, list[ConfigProblem]]:
    """The file's one YAML document (None when empty or unreadable) and the problems reading it, if any."""
    from guardlint.source.files import NotRegularFile, describe_limit, read_regular_file

    try:
        text = read_regular_file(str(path), CONFIG_MAX_BYTES).decode("utf-8")
    except NotRegularFile as exc:
        reason = f"over the {describe_limit(CONFIG_MAX_BYTES)} limit" if exc.too_large else exc.message
        return None, [ConfigProblem(str(path), 0, 0, "", f"cannot read configuration: {reason}")]
    except UnicodeDecodeError as exc:
        return None, [ConfigProblem(str(path), 0, 0, "", f"cannot read configuration: {exc}")]
    loaded = load_text(text.replace("\r\n", "\n").replace("\r", "\n"), str(path))
    if loaded.errors:
        e = loaded.errors[0]
        return None, [ConfigProblem(e.file, e.line, e.column, "<file>", e.message)]
    docs = [d for d in loaded.documents if d.data is not None]
    # YAML keeps the last of two equal keys: a second `rules:` or `exemptions:` would drop the first's settings
    # without a word (in a policy, a second `locked:` its locks), so a duplicate is a problem, as in manifests.
    problems = [ConfigProblem(str(path), dup.line, dup.column, to_dotted(dup.path),
                              f"duplicate key {dup.path[-1]!r} (first at line {dup.first_line}): YAML keeps only "
                              "the last one and drops the other's settings; merge them into one")
                for d in docs for dup in d.duplicate_keys]
    if len(docs) > 1:
        problems.append(ConfigProblem(str(path), docs[1].content_line, 1, "<file>",
                                      "a configuration file holds one YAML document; remove the second '---'"))
    return (docs[0] if docs else None), problems


_NO_SUCH_FILE = "no such file or directory"


def _missing_file(spelled: str) -> str | None:
    """None when the file named ``spelled`` is there, else why not (``_NO_SUCH_FILE``, or the true reason, as
    discovery gives it for a named path: ``a.yaml/`` is "not a directory: a.yaml is a file, ..."). Judged on the
    name as spelled, never on a ``Path``: pathlib drops a trailing '/', so ``Path("a.yaml/").exists()`` is true
    and ``--config a.yaml/`` would read ``a.yaml``, which the system refuses to open under that name."""
    if os.path.exists(spelled):
        return None
    from guardlint.source.files import _missing_reason

    return _missing_reason(spelled)


def _named_file(name: Path | str, what: str) -> None:
    """Raise ConfigError unless the ``what`` file (configuration, policy) named ``name`` is there."""
    why = _missing_file(os.fspath(name))
    if why == _NO_SUCH_FILE:
        raise ConfigError(f"{os.fspath(name)}: {what} file not found")
    if why is not None:
        raise ConfigError(f"{os.fspath(name)}: cannot read the {what} file: {why}")


def _preset_path(name: str, base_dir: Path) -> tuple[Path | None, str | None]:
    """The file ``extends: NAME`` means, or None and why not."""
    from guardlint._printable import printable
    from guardlint.data import data_dir

    if printable(name) != name:  # a line break in a path would forge lines of the error messages naming it
        return None, f"extends {name!r}: a path or preset name cannot hold control characters"
    if _is_path(name):
        p = Path(name)
        p = p if p.is_absolute() else base_dir / p
        why = _missing_file(name if os.path.isabs(name) else os.path.join(base_dir, name))
        if why is not None:
            return None, (f"extends {name!r}, but there is no such file ({p})" if why == _NO_SUCH_FILE
                          else f"extends {name!r}: {why}")
        return p, None
    presets = data_dir("rules") / "presets"
    preset = presets / f"{name}.yaml"
    if ":" in name or not preset.is_file():
        found, why = _package_preset(name)
        if found is not None or why is not None:
            return found, why
    if not preset.is_file():
        available = sorted(p.stem for p in presets.glob("*.yaml"))
        hint = did_you_mean(name, available)
        return None, f"unknown preset {name!r} (available: {', '.join(available)}, or a file path){hint}"
    return preset, None


PRESET_GROUP = "guardlint.presets"
"""Entry-point group of installed preset packages: ``NAME = package`` (or ``package.subpackage``), whose
folder holds ``*.yaml`` presets; ``extends: NAME`` means its ``default.yaml``, ``extends: NAME:PRESET`` its
``PRESET.yaml``."""


def _package_preset(name: str) -> tuple[Path | None, str | None]:
    """The preset file an installed package provides for ``extends: NAME[:PRESET]``; (None, None) when no
    installed package is called NAME and NAME has no ``:`` (then it may still be a built-in preset)."""
    import importlib.util

    from guardlint.rules.registry import _iter_entry_points

    package, sep, preset = name.partition(":")
    preset = preset or "default"
    for dist, entry, target in _iter_entry_points(PRESET_GROUP):
        if entry != package:
            continue
        module = target.split(":", 1)[0].strip()
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError) as exc:
            return None, f"extends {name!r}: the package {dist!r} names {module!r} for its presets: {exc}"
        folders = list(spec.submodule_search_locations or ()) if spec is not None else []
        if not folders:
            return None, (f"extends {name!r}: the package {dist!r} names {module!r} for its presets, which is "
                          "not an installed package folder")
        for folder in folders:
            candidate = Path(folder) / f"{preset}.yaml"
            if candidate.is_file():
                return candidate, None
        available = sorted(p.stem for folder in folders for p in Path(folder).glob("*.yaml"))
        hint = did_you_mean(preset, available)
        return None, (f"extends {name!r}: the package {dist!r} has no preset {preset!r} (it has: "
                      f"{', '.join(available) or 'none'}){hint}")
    if sep:
        return None, (f"extends {name!r}: no installed package provides presets called {package!r} (entry "
                      f"point group {PRESET_GROUP!r}); install it (pip install ...) in guardlint's environment")
    return None, None


def _outside(target: Path, naming: Path) -> str | None:
    """The repository (git checkout) of the configuration file ``naming`` when ``target`` (resolved through
    symbolic links) lies outside it, else None (inside, or ``naming`` is in no checkout)."""
    from guardlint.source.files import repository_of

    repository = repository_of(str(naming))
    if repository is None:
        return None
    real = os.path.realpath(target)
    return None if real == repository or real.startswith(repository.rstrip(os.sep) + os.sep) else repository


def _outside_message(key: str, value: str, target: Path, repository: str) -> str:
    return (f"{key} {value!r}: {target} is outside the repository ({repository}); a configuration in a "
            "repository is untrusted and can name only files inside it (or presets), so it is not read")


def _raw_chain(path: Path, seen: tuple[Path, ...], problems: list[ConfigProblem], confined: bool = False) -> Chain:
    """The file and everything it extends, parents first. Problems are collected, not raised, so that one
    run reports them all; a file that cannot be read is left out of the chain. ``confined`` (the repository's
    configuration, not the policy): a file it extends by path must lie inside the repository of the file that
    names it (see ``_outside``), or it is a problem and not read."""
    resolved = path.resolve()
    if confined and not seen:
        from guardlint.source.files import leaves_repository

        escape = leaves_repository(str(path))
        if escape is not None:
            problems.append(ConfigProblem(str(path), 0, 0, "", (
                f"the configuration file is a symbolic link to {resolved}, outside the repository ({escape}); it "
                "is untrusted and not read")))
            return []
    doc, read_problems = _read_document(path)
    problems.extend(read_problems)
    data = doc.data if doc is not None else {}
    if not isinstance(data, dict):
        line = doc.content_line if doc is not None else 1
        problems.append(ConfigProblem(str(path), line, 1, "<top level>",
                                      f"the configuration must be a mapping of keys, not {type(data).__name__}"))
        data = {}
    extends = data.get("extends", [])
    parents = [(("extends",), extends)] if isinstance(extends, str) else (
        [(("extends", i), e) for i, e in enumerate(extends)] if isinstance(extends, list) else [])
    out: Chain = []
    for where, parent in parents:
        if not isinstance(parent, str) or not parent:
            continue  # the schema explains it
        target, why = _preset_path(parent, path.parent)
        if target is not None and confined and _is_path(parent):
            repository = _outside(target, path)
            if repository is not None:
                why = _outside_message("extends", parent, target, repository)
                target = None
        if target is not None and target.resolve() in (*seen, resolved):
            names = " -> ".join(str(p) for p in (*seen, resolved, target.resolve()))
            target, why = None, f"the configuration extends itself: {names}; remove this entry"
        if target is None:
            assert why is not None
            if doc is not None:
                problems.append(at(doc, where, why))
            else:
                problems.append(ConfigProblem(str(path), 1, 1, "extends", why))
            continue
        out.extend(_raw_chain(target, (*seen, resolved), problems, confined))
    out.append((path, data, doc))
    return out


def _is_path(name: str) -> bool:
    """Whether ``extends: NAME`` names a file (rather than a preset)."""
    return name.endswith((".yaml", ".yml")) or "/" in name or os.sep in name


def _boundary_problems(chain: Chain, problems: list[ConfigProblem]) -> None:
    """Rule folders and schema locations of the repository's configuration files (``chain``) that lie outside
    the repository of the file naming them: problems, so that nothing outside is read. A schema location
    template is judged by its folder before the first ``{placeholder}``; a URL is the schema's to refuse."""
    for path, data, doc in chain:
        for key in ("rule-dirs", "schemas"):
            values = data.get(key, [])
            for i, v in enumerate(values if isinstance(values, list) else ()):
                if not isinstance(v, str) or not v or "://" in v:
                    continue
                fixed = v.split("{", 1)[0]
                target = path.parent / (fixed if "{" not in v else os.path.dirname(fixed) or ".")
                repository = _outside(target, path)
                if repository is not None:
                    why = _outside_message(key, v, target, repository)
                    problems.append(at(doc, (key, i), why) if doc is not None
                                    else ConfigProblem(str(path), 0, 0, key, why))


def _origin(doc: Document | None, path: tuple[str | int, ...]) -> Origin | None:
    if doc is None:
        return None
    loc, _ = doc.locate(path, at_value=True)
    file = doc.file
    try:
        rel = os.path.relpath(file)
        if not rel.startswith(".."):
            file = rel
    except ValueError:  # another drive (Windows)
        pass
    return Origin(file.replace(os.sep, "/"), loc.line, loc.column, path)


def _merge(chain: Chain, policy_from: int | None = None) -> tuple[dict[str, Any], Path]:
    """Merge the chain, later files winning. Files from index ``policy_from`` on are the policy's: only they
    may lock rules or exempt locked ones, and their severities are the floor of a locked rule's."""
    merged: dict[str, Any] = {"_policy_flags": [], "locked": [], "_policy_severities": {}}
    first_policy = len(chain) if policy_from is None else policy_from
    rule_settings: dict[str, dict[str, Any]] = {}
    concat = ("extend-select", "ignore", "exclude", "exemptions", "workloads", "known-objects",
              "complete-namespaces", "accelerators")
    dirs: list[tuple[Path, str]] = []
    for index, (path, data, _doc) in enumerate(chain):
        from_policy = index >= first_policy
        for key, value in data.items():
            if key == "extends":
                continue
            if key == "suppression-reason-pattern":
                if from_policy:
                    merged["_reason_pattern"] = value
                continue
            if key == "locked":
                if from_policy:
                    merged["locked"].extend(
                        (entry, _origin(_doc, ("locked", i)), str(path)) for i, entry in enumerate(value))
                continue
            if key == "rules":
                for name, settings in value.items():
                    if from_policy and "severity" in settings:
                        merged["_policy_severities"][name] = settings["severity"]
                    current = rule_settings.setdefault(name, {})
                    for k, v in settings.items():
                        if k == "params":
                            current.setdefault("params", {}).update(v)
                        else:
                            current[k] = v
            elif key in ("rule-dirs", "plugins", "schemas"):
                dirs.extend((path.parent, f"{key}\0{v}") for v in value)
            elif key == "exemptions":
                merged.setdefault(key, []).extend(value)
                merged.setdefault("_origins", []).extend(_origin(_doc, ("exemptions", i)) for i in range(len(value)))
                merged["_policy_flags"].extend(from_policy for _ in value)
            elif key in concat:
                merged.setdefault(key, []).extend(value)
                if key == "exclude" and from_policy:
                    merged.setdefault("_policy_exclude", []).extend(value)
            else:
                merged[key] = value
    merged["rules"] = rule_settings
    merged["_dirs"] = dirs
    return merged, chain[-1][0]


def _workload(entry: Mapping[str, Any]) -> WorkloadEntry:
    api = entry["apiVersion"]
    group, _, version = api.rpartition("/") if "/" in api else (api, "", "")
    if "/" not in api and "." not in api and api.startswith("v"):
        group, version = "", api  # a core version such as "v1"
    templates = tuple(
        [TemplatePath(parse_dotted(p), TemplateKind.POD_TEMPLATE) for p in entry.get("pod-templates", [])]
        + [TemplatePath(parse_dotted(p), TemplateKind.POD_SPEC) for p in entry.get("pod-specs", [])]
    )
    return WorkloadEntry(group, entry["kind"], templates, versions=(version,) if version else (),
                         batch=bool(entry.get("batch", False)))


def build_config(merged: Mapping[str, Any], source: str | None, base_dir: str) -> Config:
    rules = {
        name: RuleSettings(
            enabled=s.get("enabled"),
            severity=Severity.parse(s["severity"]) if "severity" in s else None,
            params=s.get("params", {}),
        )
        for name, s in merged.get("rules", {}).items()
    }
    fail_on_raw = merged.get("fail-on")
    version = merged.get("kubernetes-version")
    try:
        workloads = tuple(_workload(w) for w in merged.get("workloads", []))
    except ValueError as exc:
        raise ConfigError(f"{source}: workloads: {exc}") from None
    dirs = merged.get("_dirs", [])
    rule_dirs = tuple(str((p / v.split("\0", 1)[1]).resolve()) for p, v in dirs if v.startswith("rule-dirs\0"))
    # Schema locations are relative to the config file that names them; a template's {placeholders} stay.
    schema_locations = tuple(os.path.join(str(p), v.split("\0", 1)[1]) for p, v in dirs if v.startswith("schemas\0"))
    plugins = tuple(
        (str((p / spec).resolve()) if spec.split(":")[0].endswith(".py") else spec)
        for p, v in dirs if v.startswith("plugins\0") for spec in [v.split("\0", 1)[1]]
    )
    # Exemption paths, like exclude patterns, are relative to the folder of the configuration file in effect
    # (the working directory when there is none), wherever guardlint runs from.
    exemption_base = os.path.abspath(base_dir) if source is not None else None
    size = merged.get("max-file-size-mb")
    if size is not None:
        from guardlint.source.files import megabytes

        try:
            max_file_size: int | None = megabytes(size, f"{source}: max-file-size-mb")
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    else:
        max_file_size = None
    return Config(
        source=source,
        base_dir=base_dir,
        select=tuple(merged["select"]) if "select" in merged else None,
        extend_select=tuple(merged.get("extend-select", ())),
        ignore=tuple(merged.get("ignore", ())),
        rules=rules,
        exclude=tuple(merged.get("exclude", ())),
        policy_exclude=tuple(merged.get("_policy_exclude", ())),
        exemptions=tuple(
            Exemption(
                reason=e["reason"], rules=tuple(e.get("rules", ())), paths=tuple(e.get("paths", ())),
                namespaces=tuple(e.get("namespaces", ())), kinds=tuple(e.get("kinds", ())),
                names=tuple(e.get("names", ())), origin=origin, from_policy=from_policy,
                until=_date(e.get("until")), base=exemption_base,
            )
            for e, origin, from_policy in zip(merged.get("exemptions", ()), merged.get("_origins", ()),
                                              merged.get("_policy_flags", ()), strict=True)
        ),
        kubernetes_version=parse_version(version) if version else None,
        fail_on=None if fail_on_raw in (None, "never") else Severity.parse(fail_on_raw),
        fail_on_set=fail_on_raw is not None,
        workloads=workloads,
        rule_dirs=rule_dirs,
        plugins=plugins,
        known_objects=tuple(
            KnownObject(k["kind"], k["name"], k.get("namespace")) for k in merged.get("known-objects", ())
        ),
        complete_namespaces=tuple(merged.get("complete-namespaces", ())),
        max_file_size=max_file_size,
        options={"accelerators": tuple(merged.get("accelerators", ())), "schemas": schema_locations},
        render=bool(merged.get("render", True)),
        detect_embedded_pod_specs=bool(merged.get("detect-embedded-pod-specs", True)),
        charts=dict(merged.get("charts", {})),
        locked=tuple(_locks(merged.get("locked", ()))),
        reason_pattern=merged.get("_reason_pattern"),
        policy_severities={name: Severity.parse(v) for name, v in merged.get("_policy_severities", {}).items()},
    )


def _date(text: Any) -> datetime.date | None:
    """An ``until`` date (validated before: an invalid one is a configuration problem)."""
    if not isinstance(text, str):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def _display(path: str) -> str:
    """A file as reports name it: relative to the working directory when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return path
    return path if rel.startswith("..") else rel.replace(os.sep, "/")


def _locks(entries: Iterable[tuple[Any, Origin | None, str]]) -> Iterable[Lock]:
    for entry, origin, file in entries:
        policy = origin.file if origin is not None else _display(file)
        if isinstance(entry, str):
            yield Lock(entry, policy, (), origin)
        else:
            for selector in entry["rules"]:
                yield Lock(selector, policy, tuple(entry.get("namespaces", ())), origin)


def _refusals(chain: Chain, policy_from: int, config: Config, registry: Registry) -> tuple[Refusal, ...]:
    """Entries of the repository's configuration (the chain before ``policy_from``) that would turn off or
    weaken a locked rule: they are overridden, and reported."""
    locks = locked_rules(registry, config.locked)
    if not locks:
        return ()
    out: list[Refusal] = []

    def refuse(doc: Document | None, path: tuple[str | int, ...], rule: str, what: str) -> None:
        origin = _origin(doc, path)
        if origin is None:
            return
        lock = locks[rule][0]
        out.append(Refusal(origin, rule, f"{what}: rule {rule!r} is locked by the policy {lock.policy} "
                                         f"({lock.describe()}), so the repository cannot turn it off "
                                         "or lower its severity; it runs as the policy says"))

    for _path, data, doc in chain[:policy_from]:
        ignore = data.get("ignore")
        for i, s in enumerate(ignore if isinstance(ignore, list) else ()):
            for r in registry.candidates(s) if isinstance(s, str) else ():
                if r.name in locks and registry.specificity(s, r) >= 0:
                    refuse(doc, ("ignore", i), r.name, f"ignore {s!r} is refused")
        for name, settings in (data.get("rules") or {}).items():
            if name not in locks or not isinstance(settings, dict):
                continue
            if settings.get("enabled") is False:
                refuse(doc, ("rules", name, "enabled"), name, "'enabled: false' is refused")
            rule = registry.get(name)
            if "severity" in settings and rule is not None:
                floor = config.policy_severities.get(name, rule.info.severity)
                if not Severity.parse(settings["severity"]).at_least(floor):
                    refuse(doc, ("rules", name, "severity"), name,
                           f"'severity: {settings['severity']}' (below {floor.value}) is refused")
    return tuple(out)


RegistryFactory = Callable[[tuple[str, ...], tuple[str, ...]], Registry]


def _peek_extensions(
    chain: Chain, problems: list[ConfigProblem] | None = None, confined: int = 0,
    places: Places | None = None,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Rule folders and plugin modules named in the chain, needed before the rules can be validated. A rule
    folder that does not exist is a problem (added to ``problems``) and left out; so is one of the first
    ``confined`` files (the repository's configuration) outside its repository (``_boundary_problems`` says
    so). A rule folder or plugin named a second time (the same folder or module spec once resolved, in one
    file or along the chain) is a problem located at the second entry and left out: its rules would otherwise
    be registered twice, and the run would stop on "two rules are named ..." with no location. ``places``
    receives each plugin entry kept: (file, document, index in ``plugins``, the entry as written)."""
    dirs: list[str] = []
    plugins: list[str] = []
    first: dict[tuple[str, str], str] = {}  # (key, resolved entry) -> where it was named first
    for index, (path, data, doc) in enumerate(chain):
        for key, out in (("rule-dirs", dirs), ("plugins", plugins)):
            values = data.get(key, [])
            if not isinstance(values, list):
                continue  # the schema pass explains it
            for i, v in enumerate(values):
                if not isinstance(v, str) or not v:
                    continue
                if key == "rule-dirs" and index < confined and _outside(path.parent / v, path) is not None:
                    continue  # never read: reported by _boundary_problems
                if key == "rule-dirs" and problems is not None and not (path.parent / v).is_dir():
                    why = f"the rule folder {v!r} does not exist ({path.parent / v})"
                    problems.append(at(doc, (key, i), why) if doc is not None
                                    else ConfigProblem(str(path), 0, 0, "", why))
                    continue
                if key == "rule-dirs" or v.split(":")[0].endswith(".py"):
                    entry = str((path.parent / v).resolve())
                else:
                    entry = v
                if doc is not None:
                    loc, _ = doc.locate((key, i), at_value=True)
                    here = f"{doc.file}:{loc.line}:{loc.column}"
                else:
                    here = str(path)
                earlier = first.setdefault((key, entry), here)
                if earlier != here:
                    if problems is not None:
                        what = "rule folder" if key == "rule-dirs" else "plugin"
                        why = (f"the {what} {v!r} is already named at {earlier} ({entry}); its rules are loaded "
                               "once: remove this entry")
                        problems.append(at(doc, (key, i), why) if doc is not None
                                        else ConfigProblem(str(path), 0, 0, "", why))
                    continue
                out.append(entry)
                if key == "plugins" and places is not None:
                    places[entry] = (path, doc, i, v)
    return tuple(dirs), tuple(plugins)


def _clash_problem(exc: PluginClashError, places: Places) -> ConfigProblem:
    """The located problem for a plugin whose rule has the name or code of another rule: at the plugin's entry,
    naming the entry of the plugin that defines the other rule (when it is a local plugin)."""
    path, doc, i, written = places[exc.plugin]
    why = f"the plugin {written!r} ({exc.plugin}): {exc.reason}"
    if exc.first is not None and exc.first != exc.plugin and exc.first in places:
        first_path, first_doc, first_i, first_written = places[exc.first]
        if first_doc is not None:
            loc, _ = first_doc.locate(("plugins", first_i), at_value=True)
            there = f"{first_doc.file}:{loc.line}:{loc.column}"
        else:
            there = str(first_path)
        why += f" of the plugin {first_written!r} named at {there} ({exc.first})"
    why += f"; {exc.hint}"
    return at(doc, ("plugins", i), why) if doc is not None else ConfigProblem(str(path), 0, 0, "", why)


ALLOW_PLUGINS_HINT = (  # a template (``GuardlintError.naming``): the option as the caller gives it
    "pass {allow_local_plugins} to import them if you trust this "
    "configuration and the code it names, or publish the rules as an installed package (entry point "
    "'guardlint.rules'); see SECURITY.md"
)


def _refuse_local_plugins(chain: Chain) -> None:
    """Raise ConfigError naming every ``plugins`` entry of the chain: importing them would run code that the
    configuration (a file in the repository being linted, or one it extends) chose."""
    where: list[str] = []
    for path, data, doc in chain:
        values = data.get("plugins")
        if not isinstance(values, list):
            continue
        for i, spec in enumerate(values):
            if doc is not None:
                loc, _ = doc.locate(("plugins", i), at_value=True)
                where.append(f"{doc.file}:{loc.line}:{loc.column}: plugins: {spec!r}")
            else:
                where.append(f"{path}: plugins: {spec!r}")
    if where:
        raise ConfigError.naming(
            "the configuration names local Python plugins, which are not imported unless the person running "
            "guardlint allows it (configuration is untrusted: it must not run code):\n  {where}\n  "
            + ALLOW_PLUGINS_HINT, where="\n  ".join(where))


def load_config(
    path: Path | str | None,
    make_registry: RegistryFactory,
    *,
    allow_local_plugins: bool = False,
    policy: Path | str | None = None,
) -> tuple[Config, Registry]:
    """Read, validate and merge a config file (with its ``extends`` chain), and the policy file on top.

    Returns the Config and the registry built with the rule folders and plugins the config names. Local
    Python plugins (``plugins:``) are imported only with ``allow_local_plugins``; without it a config that
    names any is a ConfigError, raised before anything is imported.

    ``policy`` (``--policy``) is a file in the configuration's format, read the same way (bounded, regular
    files only), merged after the configuration so that its settings win. Only the policy (and the files it
    extends) may lock rules (``locked:``) and exempt locked rules; the configuration's entries that would turn
    off or weaken a locked rule are overridden and listed in ``Config.refusals``.
    """
    problems: list[ConfigProblem] = []
    chain: Chain = []
    p = Path(path) if path is not None else None
    if path is not None and p is not None:
        _named_file(path, "configuration")
        chain = _raw_chain(p, (), problems, confined=True)
    policy_from = len(chain)
    if policy is not None:
        _named_file(policy, "policy")
        pp = Path(policy)
        chain = chain + _raw_chain(pp, (), problems)
    for _path, data, doc in chain[:policy_from]:
        for key, what in (("locked", "lock rules"), ("suppression-reason-pattern", "set the reason pattern")):
            if key in data:
                why = (f"only a policy file can {what}: move '{key}:' to the file named by --policy (or "
                       "GUARDLINT_POLICY), which the repository cannot edit")
                problems.append(at(doc, (key,), why, at_key=True) if doc is not None
                                else ConfigProblem(str(_path), 0, 0, key, why))
    _boundary_problems(chain[:policy_from], problems)
    places: Places = {}
    extensions = _peek_extensions(chain, problems, confined=policy_from, places=places)
    if extensions[1] and not allow_local_plugins:
        _refuse_local_plugins(chain)
    try:
        registry = make_registry(*extensions)
    except PluginClashError as exc:
        if exc.plugin not in places:
            raise
        problems.append(_clash_problem(exc, places))
        raise_problems(problems, [str(x) for x in (path, policy) if x is not None])
        raise
    mentioned = {
        name for _path, data, _doc in chain if isinstance(data.get("rules"), dict) for name in data["rules"]
    }
    schema = config_schema(registry, mentioned)
    names = registry.names()
    for _path, data, doc in chain:
        if doc is None:
            continue
        # kubernetes-version has its own check, which explains a YAML number and an unknown version
        found = schema_problems(data, doc, schema, names, skip=("kubernetes-version",))
        problems.extend(found)
        problems.extend(nonfinite_problems(data, doc, reported=(problem.path for problem in found)))
        problems.extend(rule_problems(data, doc, registry))
        version = version_problem(data, doc)
        if version is not None:
            problems.append(version)
    top = [str(x) for x in (p, policy) if x is not None]
    raise_problems(problems, [*top, *(str(path) for path, _data, _doc in reversed(chain))])
    if not chain:
        return Config(), registry
    merged, _last = _merge(chain, policy_from)
    # Paths in the configuration are relative to the repository's configuration file, not the policy's.
    base = chain[policy_from - 1][0] if policy_from else chain[-1][0]
    config = build_config(merged, str(p) if p is not None else None, str(base.parent))
    config = config._replace(policy=str(policy) if policy is not None else None,
                             files=tuple(dict.fromkeys(str(path.resolve()) for path, _data, _doc in chain)))
    if policy is not None:
        config = config._replace(refusals=_refusals(chain, policy_from, config, registry))
    return config, registry


def config_origins(path: Path | str | None, policy: Path | str | None = None) -> dict[tuple[str, ...], list[Origin]]:
    """Where each configured value stands, for ``--show-settings``: top-level keys as ``(key,)`` and rule
    settings as ``("rules", name, setting)``, each with the places that set it along the ``extends`` chain
    of the configuration, then of the policy, parents first (the last one wins for a single value; lists are
    joined). Call it on a configuration ``load_config`` accepted."""
    origins: dict[tuple[str, ...], list[Origin]] = {}
    chain = [*(_raw_chain(Path(path), (), []) if path is not None else []),
             *(_raw_chain(Path(policy), (), []) if policy is not None else [])]
    for _path, data, doc in chain:
        for key, value in data.items():
            if key == "rules" and isinstance(value, dict):
                for name, settings in value.items():
                    if isinstance(settings, dict):
                        for setting in settings:
                            where = _origin(doc, ("rules", name, setting))
                            if where is not None:
                                origins.setdefault(("rules", str(name), str(setting)), []).append(where)
                continue
            where = _origin(doc, (key,))
            if where is not None:
                origins.setdefault((str(key),), []).append(where)
    return origins


def describe_preset_file(file: str) -> str | None:
    """For ``--show-settings``: ``acme-policy 2.1.0 preset strict`` when ``file`` is a preset of an installed
    package (``guardlint.presets`` entry points; name and version from its metadata), ``guardlint preset
    strict`` for a built-in preset, None otherwise. Packages are located, never imported."""
    from guardlint._version import __version__
    from guardlint.data import data_dir

    target = Path(file).resolve()
    if target.parent == (data_dir("rules") / "presets").resolve():
        return f"guardlint {__version__} preset {target.stem}"
    for info, package, module in _preset_packages():
        folders = _package_folders(module)
        if any(target.parent == Path(f).resolve() for f in folders):
            name, version = _distribution(info, package)
            return f"{name} {version} preset {target.stem}"
    return None


def _preset_packages() -> list[tuple[str, str, str]]:
    """(dist-info folder, distribution name as in the folder, module) of every ``guardlint.presets`` entry
    point on ``sys.path``."""
    import sys

    from guardlint.rules.registry import _parse_entry_points

    header = f"[{PRESET_GROUP}]"
    out: list[tuple[str, str, str]] = []
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if not name.endswith(".dist-info"):
                continue
            info = os.path.join(entry or ".", name)
            try:
                with open(os.path.join(info, "entry_points.txt"), encoding="utf-8") as fh:
                    text = fh.read(1 << 20)
            except OSError:
                continue
            if header in text:
                dist = name[:-len(".dist-info")].split("-", 1)[0]
                out.extend((info, dist, target.split(":", 1)[0].strip())
                           for _d, _entry, target in _parse_entry_points(text, header, dist))
    return out


def _package_folders(module: str) -> list[str]:
    import importlib.util

    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return []
    return list(spec.submodule_search_locations or ()) if spec is not None else []


def _distribution(info: str, fallback: str) -> tuple[str, str]:
    """The ``Name`` and ``Version`` of a distribution's METADATA (bounded read), else from its folder name."""
    name, version = fallback, os.path.basename(info)[:-len(".dist-info")].partition("-")[2] or "(unknown version)"
    try:
        with open(os.path.join(info, "METADATA"), encoding="utf-8", errors="replace") as fh:
            head = fh.read(64 * 1024)
    except OSError:
        return name, version
    for line in head.split("\n\n", 1)[0].splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == "name" and value.strip():
            name = value.strip()
        elif sep and key.strip().lower() == "version" and value.strip():
            version = value.strip()
    return name, version
