"""Fatal errors. Bad input is never an exception: it is an ``InputError`` in the report."""

from __future__ import annotations

from guardlint._record import NamedTuple


class ConfigProblem(NamedTuple):
    """One thing wrong with a configuration file: where (file, 1-based line and column, JSON path; line 0
    when the file itself cannot be read) and what to do about it."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def render(self) -> str:
        if self.line <= 0:  # about the whole file (it cannot be read): no position
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}:{self.column}: at {self.path}: {self.message}"


class GuardlintError(Exception):
    """Base class of the errors that stop a run (exit code 2)."""


class ConfigError(GuardlintError):
    """The configuration is invalid; the message names the file, line and JSON path of every problem, and
    ``problems`` holds them one by one (empty when the error is not about a located value)."""

    def __init__(self, message: str, problems: tuple[ConfigProblem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


class UsageError(GuardlintError):
    """The command line is invalid."""


class RuleLoadError(GuardlintError):
    """A rule pack could not be loaded or registered; the message names the package."""
