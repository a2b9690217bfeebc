"""Fatal errors. Bad input is never an exception: it is an ``InputError`` in the report."""

from __future__ import annotations


class GuardlintError(Exception):
    """Base class of the errors that stop a run (exit code 2)."""


class ConfigError(GuardlintError):
    """The configuration is invalid; the message names the file, line and JSON path."""


class UsageError(GuardlintError):
    """The command line is invalid."""


class RuleLoadError(GuardlintError):
    """A rule pack could not be loaded or registered; the message names the package."""
