"""guardlint: a GitOps policy linter for Kubernetes and Helm-rendered manifests.

Public API::

    import guardlint
    report = guardlint.lint_text(text, filename="deploy.yaml")
    for finding in report.active:
        print(finding.file, finding.line, finding.column, finding.rule, finding.message)
"""

from __future__ import annotations

from guardlint._version import __version__
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
