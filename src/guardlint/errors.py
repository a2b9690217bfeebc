"""Fatal errors. Bad input is never an exception: it is an ``InputError`` in the report."""

from __future__ import annotations

from guardlint._record import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TypeVar

    _E = TypeVar("_E", bound="GuardlintError")


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


OPTION_NAMES = {
    "select": ("select", "--select"),
    "extend_select": ("extend_select", "--extend-select"),
    "ignore": ("ignore", "--ignore"),
    "kubernetes_version": ("kubernetes_version", "--kubernetes-version"),
    "max_file_size_mb": ("max_file_size_mb", "--max-file-size"),
    "diff_base": ("diff_base", "--diff-base"),
    "allow_local_plugins": ("allow_local_plugins=True",
                            "--allow-local-plugins (or set GUARDLINT_ALLOW_LOCAL_PLUGINS=1)"),
}
"""The options that error messages name: for each, how a library caller gives it (the parameter) and how a
command-line user does (the flag; the environment variable too where one sets it)."""


class GuardlintError(Exception):
    """Base class of the errors that stop a run (exit code 2).

    A message about an option names it the way the caller gave it: a library caller reads the parameter
    (``diff_base``), a command-line user the flag (``--diff-base``). Such an error is made with ``naming``, from
    one template for both: ``str(error)`` is the library's wording, ``error.command_line()`` the command line's
    (which the command line prints). The validation that raises it is the same for both.
    """

    _wording: tuple[str, dict[str, object]] | None = None

    @classmethod
    def naming(cls: type[_E], template: str, /, **values: object) -> _E:
        """An error whose message names options: ``template`` is a ``str.format`` template whose fields are
        options (``{diff_base}``, see ``OPTION_NAMES``) and the ``values`` it shows (substituted, never
        parsed: text from the input cannot add fields)."""
        error = cls(_worded(template, values, command_line=False))
        error._wording = (template, values)
        return error

    def command_line(self) -> str:
        """The message with options named as the command line's flags."""
        if self._wording is None:
            return str(self)
        return _worded(*self._wording, command_line=True)


def _worded(template: str, values: dict[str, object], *, command_line: bool) -> str:
    names = {option: both[command_line] for option, both in OPTION_NAMES.items()}
    return template.format(**names, **values)


class ConfigError(GuardlintError):
    """The configuration is invalid; the message names the file, line and JSON path of every problem, and
    ``problems`` holds them one by one (empty when the error is not about a located value)."""

    def __init__(self, message: str, problems: tuple[ConfigProblem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


class UsageError(GuardlintError):
    """The command line or the library call is invalid (an option's value, or a request that cannot be
    carried out)."""


class RuleLoadError(GuardlintError):
    """A rule pack could not be loaded or registered; the message names the package."""


class PluginClashError(RuleLoadError):
    """A local plugin (the ``plugins:`` entry ``plugin``, as the configuration resolves it) defines a rule whose
    name or code another rule already has. ``first`` is the earlier plugin entry that defines that rule
    (``plugin`` itself for two such rules in one file), or None when the other rule is not a local plugin's
    (built-in, an installed package's, a rule folder's). ``reason`` says which rules clash without naming a
    plugin, and ``hint`` what to do: the configuration loader places them at the entry."""

    def __init__(self, plugin: str, first: str | None, reason: str, hint: str) -> None:
        where = f" of the plugin {first!r}" if first is not None and first != plugin else ""
        super().__init__(f"local rule module {plugin!r}: {reason}{where}; {hint}")
        self.plugin = plugin
        self.first = first
        self.reason = reason
        self.hint = hint
