"""PyYAML imported in part by the command line: the modules libyaml's parser needs now, the rest on first use.

``import yaml`` runs the package's ``__init__``, which imports every module of PyYAML (the loaders, the
dumpers, the resolver, ``yaml.cyaml``) and defines the package's functions and names. A lint run parses with
libyaml's bare parser (``yaml._yaml.CParser``, ``guardlint.source.events``) and needs none of that unless a
document has to be composed (anchors, tags, errors). What the parser's module needs is what it reads at import:
the classes of ``yaml.error``, ``yaml.tokens``, ``yaml.events`` and ``yaml.nodes`` and the error classes of the
reader, scanner, parser, composer, constructor, emitter, serializer and representer modules (``PARSER_MODULES``,
in the order ``__init__`` imports them).

``import_parser`` puts the ``yaml`` package in ``sys.modules`` as the import system makes it (the same spec,
path and attributes) but without running its ``__init__``, imports those modules, and leaves the package a
``_Pending`` module: the first look-up of a name the package does not hold yet (``yaml.safe_load``,
``yaml.CSafeLoader``, ``from yaml import load``, ``dir(yaml)``), by guardlint or by anyone else in the process
(a plugin, a rule module, a library caller), runs ``__init__`` in it (``finish``) and answers from the
completed package, which is a plain module from then on. Its modules, classes and functions are the objects a
plain import makes; what differs until then is only what reading the namespace directly shows
(``vars(yaml)``, ``yaml.__dict__``, ``type(yaml)``), and, after it, the order of the namespace's names.
``tests/cli/test_yaml_import.py`` checks both ways in fresh processes.

Both ways run with PyYAML's import-time patterns compiled on first use (``with_lazy_patterns``): a lint run never
uses them (see ``guardlint.cli._import_yaml``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

PARSER_MODULES = ("error", "tokens", "events", "nodes", "reader", "scanner", "parser", "composer", "constructor",
                  "emitter", "serializer", "representer", "_yaml")
"""The modules of PyYAML that ``yaml._yaml`` reads at import (the last one), in the order ``__init__`` imports
them."""


class _Pending(ModuleType):
    """The ``yaml`` package before its ``__init__`` has run: a name it does not hold yet runs it (``finish``)."""

    def __getattr__(self, name: str) -> Any:
        finish(self)
        return getattr(self, name)

    def __dir__(self) -> list[str]:
        finish(self)
        return dir(self)


def finish(module: Any) -> None:
    """Run the ``yaml`` package's ``__init__`` in ``module`` (left by ``import_parser``), once: its imports of the
    modules already imported find them in ``sys.modules``, the others are imported as a plain import does."""
    if type(module) is not _Pending:
        return
    # First: a name looked up while ``__init__`` runs is looked up plainly (no second run).
    module.__class__ = ModuleType  # type: ignore[assignment]
    with_lazy_patterns(lambda: module.__spec__.loader.exec_module(module))  # type: ignore[union-attr]


def import_parser() -> bool:
    """Import the part of PyYAML that libyaml's parser needs, with the ``yaml`` package pending (see the module's
    documentation); True when done. False when it cannot be done here (PyYAML not found where the import system
    looks, a package that is not plain files, no libyaml, any error), with nothing of it left in
    ``sys.modules``: the caller then imports PyYAML plainly, which reports any problem as it always did."""
    if "yaml" in sys.modules:
        return False
    bootstrap: Any = sys.modules.get("_frozen_importlib")  # ``importlib._bootstrap``, without importing importlib
    try:
        spec = bootstrap._find_spec("yaml", None)
        if spec is None or spec.submodule_search_locations is None or not hasattr(spec.loader, "exec_module"):
            return False
        module = bootstrap.module_from_spec(spec)
        module.__class__ = _Pending
        sys.modules["yaml"] = module
        with_lazy_patterns(_import_parser_modules)
    except Exception:
        for name in [n for n in sys.modules if n == "yaml" or n.startswith("yaml.")]:
            del sys.modules[name]
        return False
    return True


def _import_parser_modules() -> None:
    for name in PARSER_MODULES:
        __import__(f"yaml.{name}")


def with_lazy_patterns(action: Callable[[], object]) -> None:
    """Call ``action`` with ``re.compile`` called from a module of PyYAML giving a ``guardlint._lazyre.LazyPattern``
    (compiled on its first use): see ``guardlint.cli._import_yaml``. Any other call, from another thread
    included, compiles as before, and ``re.compile`` is put back however ``action`` ends. (A function rather than
    a context manager: ``contextlib`` is not otherwise imported by a lint run.)"""
    import re

    from guardlint._lazyre import LazyPattern

    compile_now = re.compile

    def compile_later(pattern: Any, flags: int = 0) -> Any:
        if isinstance(pattern, str) and sys._getframe(1).f_globals.get("__name__", "").startswith("yaml."):
            return LazyPattern(pattern, flags)
        return compile_now(pattern, flags)

    re.compile = compile_later
    try:
        action()
    finally:
        re.compile = compile_now
