"""guardlint: a GitOps policy linter for Kubernetes and Helm-rendered manifests.

Public API::

    import guardlint
    report = guardlint.lint_text(text, filename="deploy.yaml")
    for finding in report.active:
        print(finding.file, finding.line, finding.column, finding.rule, finding.message)
"""

from __future__ import annotations

from guardlint._version import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint.api import lint_paths, lint_text
    from guardlint.errors import ConfigError, GuardlintError, RuleLoadError, UsageError
    from guardlint.findings import Finding, InputError, Location, Report, ResourceRef, Severity
    from guardlint.model.resource import Resource
    from guardlint.rules.api import Reference, Rule, RuleContext, RuleMeta, Violation, rule

__all__ = [
    "ConfigError",
    "Finding",
    "GuardlintError",
    "InputError",
    "Location",
    "Reference",
    "Report",
    "Resource",
    "ResourceRef",
    "Rule",
    "RuleContext",
    "RuleLoadError",
    "RuleMeta",
    "Severity",
    "UsageError",
    "Violation",
    "__version__",
    "lint_paths",
    "lint_text",
    "rule",
]

_EXPORTED_FROM = {
    "lint_paths": "guardlint.api", "lint_text": "guardlint.api",
    "ConfigError": "guardlint.errors", "GuardlintError": "guardlint.errors", "RuleLoadError": "guardlint.errors",
    "UsageError": "guardlint.errors",
    "Finding": "guardlint.findings", "InputError": "guardlint.findings", "Location": "guardlint.findings",
    "Report": "guardlint.findings", "ResourceRef": "guardlint.findings", "Severity": "guardlint.findings",
    "Resource": "guardlint.model.resource",
    "Reference": "guardlint.rules.api", "Rule": "guardlint.rules.api", "RuleContext": "guardlint.rules.api",
    "RuleMeta": "guardlint.rules.api", "Violation": "guardlint.rules.api", "rule": "guardlint.rules.api",
}
"""Where each public name is defined. ``import guardlint`` imports none of those modules: a name's module is
imported when the name is first read (``guardlint.lint_text``, ``from guardlint import Finding``). The console
script (``guardlint.cli:entry``) imports this package first, and the bulk of guardlint's imports then happens
after ``cli.main`` has paused the garbage collector, whose collections during those imports cost about 1% of a
pre-commit run."""


def __getattr__(name: str) -> Any:
    import importlib

    module = _EXPORTED_FROM.get(name)
    if module is not None:
        return getattr(importlib.import_module(module), name)
    if not name.startswith("__"):
        # a submodule read as an attribute (``guardlint.api.run``): the eager imports of this package made
        # that work for most of them without importing it first, so it keeps working
        try:
            return importlib.import_module(f"guardlint.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"guardlint.{name}":
                raise
    raise AttributeError(f"module 'guardlint' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
