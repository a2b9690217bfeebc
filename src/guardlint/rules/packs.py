"""The built-in packs, in one table, and the discovery of their rules.

A built-in rule is a module in its pack's folder (``src/guardlint/rules/<pack>/``), named after the rule
(``host-port`` lives in ``host_port.py``), that binds the rule to the module-level name ``RULE``. Modules
whose names start with ``_`` are the pack's helpers; a module without a ``RULE`` is a helper too (for
example ``gpu/accelerators.py``), but one that defines a rule under another name is an error. Built-in
declarative rules are the YAML files in ``rules/declarative/``.

Discovery imports every rule module, so it runs only when the catalog is generated (``guardlint docs``), in
the test suite and for ``make_registry(lazy=False)``; an ordinary run reads the generated catalog
(``guardlint/rules/_catalog.json``) and imports a rule's module only when the rule runs.
"""

from __future__ import annotations

from guardlint._record import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint.rules.api import Rule


class Pack(NamedTuple):
    name: str
    """What ``pack=`` says in a rule's metadata, and what ``--select`` accepts."""
    prefix: str
    """Every code of the pack starts with it."""
    title: str
    """The heading of the pack in the generated rule index."""

    @property
    def package(self) -> str:
        return f"guardlint.rules.{self.name}"


BUILTIN_PACKS: tuple[Pack, ...] = (
    Pack("core", "GL", "Core (YAML and suppressions)"),
    Pack("security", "SEC", "Security"),
    Pack("resources", "RES", "Resources and reliability"),
    Pack("gpu", "GPU", "GPU and AI workloads"),
    Pack("schema", "SCH", "Schema and API lifecycle"),
)
"""The one list of built-in packs, in the order the docs show them."""

PACKS_BY_NAME = {p.name: p for p in BUILTIN_PACKS}


def pack_rules(name: str) -> tuple[Rule[Any], ...]:
    """The rules found in built-in pack ``name``'s folder, sorted by code (imports every rule module)."""
    pack = PACKS_BY_NAME[name]
    return discover(pack, pack.package)


def discover(pack: Pack, package_name: str) -> tuple[Rule[Any], ...]:
    """The rule modules of package ``package_name``, checked against ``pack``; raises RuleLoadError."""
    import importlib
    import os

    from guardlint.errors import RuleLoadError
    from guardlint.rules.api import Rule

    package = importlib.import_module(package_name)
    assert package.__file__ is not None
    folder = os.path.dirname(package.__file__)
    found: list[Rule[Any]] = []
    for file_name in sorted(os.listdir(folder)):
        stem, ext = os.path.splitext(file_name)
        if ext != ".py" or stem.startswith("_"):
            continue
        module_name = f"{package_name}.{stem}"
        module = importlib.import_module(module_name)
        value = getattr(module, "RULE", None)
        if value is None:
            stray = sorted(k for k, v in vars(module).items()
                           if isinstance(v, Rule) and v.loaded and v.check.__module__ == module_name)
            if stray:
                raise RuleLoadError(f"{module_name} defines a rule ({stray[0]}) but binds no RULE; "
                                    "a rule module binds its rule to RULE")
            continue  # a helper module
        if not isinstance(value, Rule):
            raise RuleLoadError(f"{module_name}.RULE is a {type(value).__name__}, not a Rule")
        problems = []
        if value.name.replace("-", "_") != stem:
            problems.append(f"the module of rule {value.name!r} must be named {value.name.replace('-', '_')}.py")
        if value.info.pack != pack.name:
            problems.append(f"it says pack={value.info.pack!r} but lives in the {pack.name!r} pack's folder")
        if not value.code.startswith(pack.prefix):
            problems.append(f"its code {value.code} does not start with the pack's prefix {pack.prefix}")
        if problems:
            raise RuleLoadError(f"{module_name}: " + "; ".join(problems))
        found.append(value)
    return tuple(sorted(found, key=lambda r: r.code))


def builtin_rules() -> tuple[Rule[Any], ...]:
    """Every built-in rule: the rule modules of every pack, then the built-in declarative rules."""
    from guardlint.errors import RuleLoadError
    from guardlint.rules.declarative import builtin_declarative_rules

    declarative = builtin_declarative_rules()
    for r in declarative:
        pack = PACKS_BY_NAME.get(r.info.pack)
        if pack is None or not r.code.startswith(pack.prefix):
            raise RuleLoadError(f"built-in declarative rule {r.name} ({r.code}) is not in a built-in pack's range")
    return (*(r for p in BUILTIN_PACKS for r in pack_rules(p.name)), *declarative)
