"""The rule registry: the built-in packs (discovered, see ``guardlint.rules.packs``), third-party packs from
entry points, local modules named in config, and declarative rules from YAML folders. Validated once, then
frozen."""

from __future__ import annotations

import bisect
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType

from guardlint._frozen import Frozen
from guardlint.errors import RuleLoadError
from guardlint.rules.api import CODE_RE, NAME_RE, STATUSES, VERSION_RE, Rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

ENTRY_POINT_GROUP = "guardlint.rules"


def builtin_packs() -> tuple[tuple[Rule[Any], ...], ...]:
    """Every built-in pack's rules (found in the pack folders), in pack order; imports every rule module."""
    from guardlint.rules.packs import BUILTIN_PACKS, pack_rules

    return tuple(pack_rules(p.name) for p in BUILTIN_PACKS)


class Registry(Frozen):
    """Every known rule, by name and by code. Built once, never changed."""

    __slots__ = ("_by_code", "_by_label", "_by_name", "_codes", "_pack_names", "_sorted", "rules")
    _fields = ("rules",)
    rules: tuple[Rule[Any], ...]
    _by_name: Mapping[str, Rule[Any]]
    _by_code: Mapping[str, Rule[Any]]
    _pack_names: frozenset[str]
    _by_label: Mapping[str, tuple[Rule[Any], ...]]
    """Packs and tags to their rules."""
    _sorted: tuple[Rule[Any], ...]
    _codes: tuple[str, ...]
    """The rules in the order of their codes, and those codes: the rules whose code starts with a prefix are
    one run of neighbours there, found by bisection (no table of every prefix of every code to build)."""

    def __init__(self, rules: tuple[Rule[Any], ...]) -> None:
        by_name: dict[str, Rule[Any]] = {}
        by_code: dict[str, Rule[Any]] = {}
        by_label: dict[str, list[Rule[Any]]] = {}
        for r in rules:
            info = r.info  # ``r.name`` and ``r.code`` read it: once per rule here, for every run
            name, code = info.name, info.code
            if name in by_name:
                raise RuleLoadError(f"two rules are named {name!r} ({by_name[name].code} and {code})")
            if code in by_code:
                raise RuleLoadError(f"two rules have code {code} ({by_code[code].name} and {name})")
            by_name[name] = r
            by_code[code] = r
            for label in dict.fromkeys((info.pack, *info.tags)):
                by_label.setdefault(label, []).append(r)
        in_code_order = tuple(sorted(rules, key=lambda r: r.info.code))
        self._set(rules=tuple(rules), _by_name=MappingProxyType(by_name), _by_code=MappingProxyType(by_code),
                  _pack_names=frozenset(r.info.pack for r in rules),
                  _by_label=MappingProxyType({k: tuple(v) for k, v in by_label.items()}),
                  _sorted=in_code_order, _codes=tuple(r.info.code for r in in_code_order))

    def _with_code_prefix(self, prefix: str) -> tuple[Rule[Any], ...]:
        """The rules whose code starts with ``prefix``, in code order."""
        start = bisect.bisect_left(self._codes, prefix)
        end = start
        while end < len(self._codes) and self._codes[end].startswith(prefix):
            end += 1
        return self._sorted[start:end]

    def candidates(self, selector: str) -> tuple[Rule[Any], ...]:
        """The rules ``selector`` could name (a superset of those ``specificity`` or ``selects`` scores at 0
        or more), found by lookup rather than by testing every rule: resolving a list of selectors costs
        time in proportion to the rules each one names, not to the list times the registry."""
        if selector == "all":
            return self.rules
        found: dict[str, Rule[Any]] = {}
        exact = self.get(selector)
        if exact is not None:
            found[exact.name] = exact
        for r in self._by_label.get(selector, ()):
            found.setdefault(r.name, r)
        up = selector.upper()
        if CODE_PREFIX_RE_MATCH(up):
            for r in self._with_code_prefix(up):
                found.setdefault(r.name, r)
        return tuple(found.values())

    def get(self, key: str) -> Rule[Any] | None:
        return self._by_name.get(key) or self._by_code.get(key.upper())

    def names(self) -> list[str]:
        return sorted(self._by_name)

    def packs(self) -> set[str]:
        return {r.info.pack for r in self.rules}

    def tags(self) -> set[str]:
        return {t for r in self.rules for t in r.info.tags}

    def specificity(self, selector: str, r: Rule[Any]) -> int:
        """How specifically ``selector`` names rule ``r`` (-1: not at all). Longest match wins.

        This is what ``ignore`` uses: a pack, tag or prefix covers every rule in it.
        """
        if selector == "all":
            return 0
        if selector in (r.name, r.code) or selector.upper() == r.code:
            return 1000
        if selector == r.info.pack or selector in r.info.tags:
            return 1
        up = selector.upper()
        if CODE_PREFIX_RE_MATCH(up) and r.code.startswith(up):
            return 1 + len(up)
        return -1

    def selects(self, selector: str, r: Rule[Any]) -> int:
        """How specifically ``selector`` turns rule ``r`` on in ``select``/``extend-select`` (-1: it does not).

        ``all``, a rule's name or code, and a tag turn on every rule they cover. A pack and a code prefix
        are shorthands for a set of rules and turn on only the ones that are on by default: the rules that
        are off by default (cluster-specific, opinionated or overlapping) run only when named, tagged or
        selected with ``all``. A selector that is both a pack and a tag (``gpu``, ``resources``) means the
        pack.
        """
        if selector == "all":
            return 0
        if selector in (r.name, r.code) or selector.upper() == r.code:
            return 1000
        if selector in self._pack_names:
            return 1 if selector == r.info.pack and r.info.enabled_by_default else -1
        if selector in r.info.tags:
            return 1
        up = selector.upper()
        if CODE_PREFIX_RE_MATCH(up) and r.code.startswith(up) and r.info.enabled_by_default:
            return 1 + len(up)
        return -1

    def check_selector(self, selector: str) -> str | None:
        """None when ``selector`` names something, else an explanation with a suggestion."""
        if selector == "all":
            return None
        if any(self.specificity(selector, r) >= 0 for r in self.candidates(selector)):
            return None
        import difflib

        vocabulary = [*self.names(), *self.packs(), *self.tags(), *(r.code for r in self.rules)]
        close = difflib.get_close_matches(selector, vocabulary, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"{selector!r} names no rule, code, code prefix, pack or tag{hint}"

    def suggest(self, name: str) -> str | None:
        import difflib

        close = difflib.get_close_matches(name, self.names(), n=1, cutoff=0.6)
        return close[0] if close else None


def CODE_PREFIX_RE_MATCH(text: str) -> bool:
    return bool(text) and text[0].isalpha() and text.isalnum() and text.upper() == text


def validate_rule(r: Rule[Any], origin: str) -> None:
    """Raise RuleLoadError naming ``origin`` when a rule's metadata is malformed."""
    m = r.info
    problems = []
    if not NAME_RE.match(m.name):
        problems.append(f"name {m.name!r} is not kebab-case")
    if not CODE_RE.match(m.code):
        problems.append(f"code {m.code!r} is not 2-5 capitals and 3 digits")
    if not m.title or m.title.endswith("."):
        problems.append("title must be non-empty and not end with a period")
    if not m.remediation.endswith("."):
        problems.append("remediation must end with a period")
    if m.status not in STATUSES:
        problems.append(f"status {m.status!r} is not one of {', '.join(STATUSES)}")
    if m.since is not None and not VERSION_RE.match(m.since):
        problems.append(f"since {m.since!r} is not a version (X.Y or X.Y.Z)")
    if m.fixable and m.fix_safety not in ("safe", "unsafe", "mixed"):
        problems.append(f"fix safety {m.fix_safety!r} is not one of safe, unsafe, mixed")
    if not m.fixable and m.fix_safety is not None:
        problems.append("a rule that offers no fix has no fix safety")
    if m.gates:
        from guardlint.rules.gates import GATES

        problems.extend(f"gate {g!r} is not one of {', '.join(GATES)}" for g in m.gates if g not in GATES)
    if not r.loaded:
        # A plugin's lazy rule (``Rule.lazy``) is loaded when the plugin is registered: its parameter schema (and
        # the rule its loader returns) are then this plugin's load error whatever command runs first, and not an
        # error of the first command that reads them (``explain``), or none at all in a run the rule does not
        # apply to. The built-in catalog's lazy rules are validated when ``guardlint docs`` writes the catalog and
        # never come here (``build_registry``'s ``checked``).
        try:
            r.load()
        except Exception as exc:
            raise RuleLoadError(f"{origin}: rule {m.name!r} failed to load: {type(exc).__name__}: {exc}") from exc
    schema = r.meta.params_schema
    if schema is not None:
        # A plugin's parameter schema is derived from its Params annotations when first read (configuration,
        # ``explain``): derive it here, so that a type with no JSON Schema or a name that does not resolve is
        # this plugin's located load error (exit 2) and not an internal error in whichever command reads it.
        try:
            len(schema)
        except (TypeError, NameError, AttributeError) as exc:
            problems.append(f"parameters: {exc}")
    if problems:
        raise RuleLoadError(f"{origin}: rule {m.name!r}: " + "; ".join(problems))


def build_registry(packs: Iterable[Sequence[Rule[Any]]], *, origin: str = "guardlint",
                   checked: Sequence[Rule[Any]] = ()) -> Registry:
    """A registry of ``checked`` (rules whose metadata is known to be well-formed: the built-in catalog's,
    generated by ``guardlint docs`` from rules it validated) and of every rule of ``packs``, validated here."""
    rules: list[Rule[Any]] = list(checked)
    for pack in packs:
        for r in pack:
            validate_rule(r, origin)
            rules.append(r)
    return Registry(tuple(sorted(rules, key=lambda r: r.code)))


def _iter_entry_points(group: str) -> Iterable[tuple[str, str, str]]:
    """(distribution, name, "module:attr") for each entry point in ``group``.

    A direct scan of ``*.dist-info/entry_points.txt`` on ``sys.path``: importlib.metadata would cost
    tens of milliseconds on every pre-commit run, most of it for packages that have no guardlint plugin.
    """
    seen: set[str] = set()
    header = f"[{group}]"
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if not name.endswith((".dist-info", ".egg-info")):
                continue
            text = _read_entry_points(os.path.join(entry or ".", name, "entry_points.txt"))
            if text is None:
                continue
            if header not in text:
                continue
            dist = name.rsplit(".", 1)[0].split("-", 1)[0]  # "{name}-{version}.dist-info" -> name
            if dist in seen:
                continue
            seen.add(dist)
            yield from _parse_entry_points(text, header, dist)


def _read_entry_points(path: str) -> str | None:
    """The text of an ``entry_points.txt`` (None when it cannot be read), as ``open(path, encoding="utf-8")``
    reads it for ``_iter_entry_points``, which looks at its lines (``splitlines`` breaks them where text mode
    would have translated ``\r\n`` and ``\r``) and at the group header: read as bytes on a plain descriptor,
    without the buffered text file's ``fstat``, ``ioctl`` and ``lseek`` (most distributions have no such file:
    the failed open is then the one system call, as before). Bytes that are not UTF-8 raise
    ``UnicodeDecodeError`` here as there."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        chunks: list[bytes] = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
    except OSError:  # a folder of that name: ``open`` refused it
        return None
    finally:
        os.close(fd)
    return b"".join(chunks).decode("utf-8")


def _parse_entry_points(text: str, header: str, dist: str) -> Iterable[tuple[str, str, str]]:
    inside = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("["):
            inside = line == header
            continue
        if inside and "=" in line and not line.startswith(("#", ";")):
            key, _, value = line.partition("=")
            yield dist, key.strip(), value.strip()


def _resolve(target: str) -> Any:
    import importlib  # here: a plain run has no plugin and does not import importlib (nor its warnings)

    module_name, _, attr = target.partition(":")
    obj: Any = importlib.import_module(module_name.strip())
    for part in attr.split(".") if attr else []:
        obj = getattr(obj, part.strip())
    return obj


def _rules_from(obj: Any, origin: str) -> tuple[Rule[Any], ...]:
    value = obj() if callable(obj) and not isinstance(obj, Rule) else obj
    if isinstance(value, Rule):
        value = (value,)
    try:
        rules = tuple(value)
    except TypeError:
        raise RuleLoadError(f"{origin}: expected a rule or a sequence of rules, got {type(value).__name__}") from None
    for r in rules:
        if not isinstance(r, Rule):
            raise RuleLoadError(f"{origin}: expected Rule objects, got {type(r).__name__}")
    return rules


def load_plugin_packs(group: str = ENTRY_POINT_GROUP) -> list[tuple[Rule[Any], ...]]:
    packs = []
    for dist, name, target in _iter_entry_points(group):
        origin = f"plugin {name!r} from package {dist!r} ({target})"
        try:
            obj = _resolve(target)
        except Exception as exc:
            raise RuleLoadError(f"{origin} failed to load: {type(exc).__name__}: {exc}") from exc
        rules = _rules_from(obj, origin)
        for r in rules:
            validate_rule(r, origin)
        packs.append(rules)
    return packs


def check_plugin_names(
    plugin: str, rules: Sequence[Rule[Any]], known: Registry, earlier: Sequence[tuple[str, Sequence[Rule[Any]]]]
) -> None:
    """Raise PluginClashError when a rule of the local plugin ``plugin`` has the name or code of a rule in
    ``known`` (built-in, installed packages, rule folders), of an ``earlier`` plugin's (entry, rules), or of
    another of its own rules: ``Registry`` would refuse the set without saying where the rules come from."""
    from guardlint.errors import PluginClashError

    owners: dict[tuple[str, str], tuple[str, Rule[Any]]] = {}
    for entry, loaded in earlier:
        for r in loaded:
            owners.setdefault(("name", r.info.name), (entry, r))
            owners.setdefault(("code", r.info.code), (entry, r))
    for r in rules:
        name, code = r.info.name, r.info.code
        for what, key in (("name", name), ("code", code)):
            hint = "rule names are unique: rename one" if what == "name" else "rule codes are unique: change one"
            other = known.get(key)
            if other is not None and (other.info.name if what == "name" else other.info.code) == key:
                raise PluginClashError(plugin, None, (
                    f"its rule {name!r} ({code}) has the {what} of the rule {other.info.name!r} ({other.info.code}) "
                    "that guardlint already has (built-in, from an installed package or from a rule folder)"), hint)
            owner = owners.get((what, key))
            if owner is not None:
                entry, first = owner
                if entry == plugin:
                    raise PluginClashError(plugin, plugin, (
                        f"its rules {first.info.name!r} ({first.info.code}) and {name!r} ({code}) have the same "
                        f"{what}"), hint)
                raise PluginClashError(plugin, entry, (
                    f"its rule {name!r} ({code}) has the {what} of the rule {first.info.name!r} "
                    f"({first.info.code})"), hint)
            owners[(what, key)] = (plugin, r)


def load_local_module(spec: str, base_dir: str) -> tuple[Rule[Any], ...]:
    """Load rules from a Python file (``path/to/rules.py[:attr]``) or module (``pkg.mod[:attr]``)."""
    target, _, attr = spec.partition(":")
    origin = f"local rule module {spec!r}"
    try:
        if target.endswith(".py"):
            from importlib import util as import_util

            path = target if os.path.isabs(target) else os.path.join(base_dir, target)
            mod_name = "guardlint_local_" + os.path.splitext(os.path.basename(path))[0].replace("-", "_")
            module_spec = import_util.spec_from_file_location(mod_name, path)
            if module_spec is None or module_spec.loader is None:
                raise RuleLoadError(f"{origin}: cannot import {path}")
            module = import_util.module_from_spec(module_spec)
            module_spec.loader.exec_module(module)
        else:
            import importlib

            module = importlib.import_module(target)
        obj: Any = getattr(module, attr or "RULES")
    except RuleLoadError:
        raise
    except Exception as exc:
        raise RuleLoadError(f"{origin} failed to load: {type(exc).__name__}: {exc}") from exc
    rules = _rules_from(obj, origin)
    for r in rules:
        validate_rule(r, origin)
    return rules


Loader = Callable[[], Sequence["Rule[Any]"]]
