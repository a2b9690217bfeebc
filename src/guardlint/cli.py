"""The command line: ``guardlint [check] PATH...``, ``rules``, ``explain``, ``docs``, ``config``.

Exit codes (documented in the README and in ``guardlint --help``):

* 0: nothing at or above the ``--fail-on`` severity
* 1: findings at or above ``--fail-on``
* 2: a usage or configuration error, an input that could not be read or parsed (unless
  ``--allow-input-errors``), or no Kubernetes object in any of the paths (unless ``--allow-no-objects``)
* 3: an internal error (a bug in guardlint or a plugin): the message says so
* 130: interrupted
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

from guardlint._version import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    # argparse is imported where a parser is built: a plain ``check`` line is read without it (``_plain_check``),
    # and its import (with gettext's) is about a millisecond of every pre-commit run
    import argparse
    from typing import Any, TextIO

    from guardlint.api import Settings
    from guardlint.config.model import Lock, Origin
    from guardlint.findings import Finding, Report
    from guardlint.report import FixKey, RenderOptions

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
SUBCOMMANDS = ("check", "rules", "explain", "docs", "config")
_FORMATS = ("text", "concise", "full", "json", "sarif", "junit", "github", "gitlab")
"""The report formats (``guardlint.report.FORMATS``, repeated here so that ``--help`` imports no reporter)."""
_HUMAN_FORMATS = ("text", "concise", "full")

_EPILOG = """exit codes:
  0    nothing at or above the --fail-on severity
  1    findings at or above --fail-on (default: error)
  2    usage or configuration error (including no paths: name files, folders or -;
       and a --diff-base REF this clone does not hold: fetch it first);
       an input that could not be read or parsed (unless --allow-input-errors;
       'guardlint explain yaml-syntax-error' and the like document each kind);
       or no Kubernetes object found in the paths (unless --allow-no-objects)
  3    internal error
  130  interrupted
"""


class _Exit(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _split(values: Sequence[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or ():
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


ALLOW_PLUGINS_ENV = "GUARDLINT_ALLOW_LOCAL_PLUGINS"
POLICY_ENV = "GUARDLINT_POLICY"


def _policy(args: argparse.Namespace) -> str | None:
    """The policy file: ``--policy``, else ``GUARDLINT_POLICY`` (unset or empty: none)."""
    return getattr(args, "policy", None) or os.environ.get(POLICY_ENV) or None


_POLICY_OPTION: tuple[tuple[str, ...], dict[str, Any]] = (("--policy",), {
    "metavar": "FILE",
    "help": f"policy file applied on top of the configuration, which it overrides; only it can lock rules "
    f"(default: ${POLICY_ENV} when set)"})
_ALLOW_PLUGINS_OPTION: tuple[tuple[str, ...], dict[str, Any]] = (("--allow-local-plugins",), {
    "action": "store_true",
    "help": "import the local Python plugins the configuration names (plugins:); without this (or "
    f"{ALLOW_PLUGINS_ENV}=1) a configuration naming any is an error, because it would run code"})


def _add_policy(parser: argparse.ArgumentParser) -> None:
    flags, spec = _POLICY_OPTION
    parser.add_argument(*flags, **spec)


def _add_allow_plugins(parser: argparse.ArgumentParser) -> None:
    flags, spec = _ALLOW_PLUGINS_OPTION
    parser.add_argument(*flags, **spec)


def _allow_local_plugins(args: argparse.Namespace) -> bool:
    """The person running guardlint opted in: ``--allow-local-plugins`` or ``GUARDLINT_ALLOW_LOCAL_PLUGINS``."""
    from guardlint.errors import UsageError

    if getattr(args, "allow_local_plugins", False):
        return True
    value = os.environ.get(ALLOW_PLUGINS_ENV, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise UsageError(f"{ALLOW_PLUGINS_ENV}={os.environ[ALLOW_PLUGINS_ENV]!r}: expected 1 or 0")


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser. With ``command`` (the subcommand this run parses), only that subcommand's
    options are declared: argparse hands the rest of the line to that subcommand's parser alone, so the others
    are never used, and declaring their options would cost start-up time on every run."""
    import argparse
    import functools

    # argparse makes a formatter for every option declared (to check its metavar), and each one measures the
    # terminal unless given a width: measure once, as argparse does (the columns less 2).
    width = _terminal_columns() - 2
    raw = functools.partial(argparse.RawDescriptionHelpFormatter, width=width)
    plain = functools.partial(argparse.HelpFormatter, width=width)
    parser = argparse.ArgumentParser(
        prog="guardlint",
        description="Lint Kubernetes and Helm-rendered manifests: Pod Security Standards, resources and "
        "reliability, GPU and AI workloads.",
        epilog=_EPILOG,
        formatter_class=raw,
    )
    parser.add_argument("--version", action="version", version=f"guardlint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    # Only the subcommand being run gets a parser of its own: every one costs argparse's set-up and gettext
    # lookups, and the others could not be used (their names are choices only in the help and usage errors of
    # the top-level parser, which a command line starting with a subcommand never prints).
    if command in (None, "check"):
        check = sub.add_parser("check", help="lint files, directories or - (stdin); the default command",
                               epilog=_EPILOG, formatter_class=raw)
        _check_options(check)
    if command in (None, "rules"):
        rules = sub.add_parser("rules", help="list the rules (with --config or --policy: which run, at what "
                               "severity, and which are locked)", formatter_class=plain)
        rules.add_argument("--format", default="table", choices=("table", "json", "markdown"))
        rules.add_argument("--config", metavar="FILE")
        _add_policy(rules)
        _add_allow_plugins(rules)

    if command in (None, "explain"):
        explain = sub.add_parser("explain", help="show a rule's documentation", formatter_class=plain)
        explain.add_argument("rule", metavar="RULE", help="rule name or code")
        explain.add_argument("--config", metavar="FILE",
                             help="also the rules this configuration adds (rule-dirs, plugins)")
        _add_policy(explain)
        _add_allow_plugins(explain)

    if command in (None, "docs"):
        docs = sub.add_parser("docs", help="write the rule documentation pages", formatter_class=plain)
        docs.add_argument("--out", default="docs/rules", metavar="DIR")
        docs.add_argument("--check", action="store_true", help="fail when the pages in DIR are out of date")

    if command in (None, "config"):
        config = sub.add_parser("config", help="validate a configuration file or print its JSON Schema",
                                formatter_class=plain)
        config_sub = config.add_subparsers(dest="config_command", metavar="ACTION")
        validate = config_sub.add_parser("validate", help="validate a configuration file", formatter_class=plain)
        validate.add_argument("files", nargs="*", metavar="FILE",
                              help="one or more files (default: the nearest .guardlint.yaml; with a policy and "
                              "none found, the policy alone)")
        _add_policy(validate)
        _add_allow_plugins(validate)
        config_sub.add_parser("schema", help="print the configuration JSON Schema with every rule's parameters",
                              formatter_class=plain)
    return parser


def _terminal_columns() -> int:
    """``shutil.get_terminal_size().columns`` (what argparse reads) without importing shutil, which loads the
    bz2 and lzma libraries: ``COLUMNS`` when it is a positive number, else the terminal's width, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
        columns = columns or 80
    return columns


_CHECK_OPTIONS: tuple[tuple[tuple[str, ...], dict[str, Any]], ...] = (
    (("--config",), {"metavar": "FILE", "help": "configuration file (default: nearest .guardlint.yaml)"}),
    (("--no-config",), {"action": "store_true", "help": "ignore .guardlint.yaml files"}),
    _POLICY_OPTION,
    _ALLOW_PLUGINS_OPTION,
    (("--select",), {"action": "append", "metavar": "RULES",
     "help": "rules to run instead of the defaults: names, codes, code prefixes, packs, tags, all"}),
    (("--extend-select",), {"action": "append", "metavar": "RULES", "help": "rules to run in addition"}),
    (("--ignore",), {"action": "append", "metavar": "RULES", "help": "rules not to run"}),
    (("--fail-on",), {"choices": ("error", "warning", "info", "never"),
     "help": "lowest severity that fails the run (default: error, or the config's fail-on)"}),
    (("--format", "--output-format", "-f"), {"dest": "format", "default": None, "choices": _FORMATS,
     "help": "report format: text (the default: each finding with its rule code, field path and "
     "help), concise (one line per finding), full (text with the offending source lines), "
     "json, sarif, junit, github (workflow annotations), gitlab (code quality report)"}),
    (("--output", "-o"), {"metavar": "FILE", "help": "write the report to FILE instead of stdout"}),
    (("--output-file",), {"action": "append", "default": [], "metavar": "FORMAT:FILE",
     "help": "also write a report in FORMAT to FILE, from the same run (repeatable; for example "
     "--output-file sarif:guardlint.sarif next to the text report on the terminal)"}),
    (("--show-files",), {"action": "store_true",
     "help": "list the files that would be linted (and the chart or overlay each is rendered "
     "with) and those passed over, with the reason; lint nothing"}),
    (("--show-settings",), {"action": "store_true",
     "help": "print the effective configuration, where each value comes from (the command line, "
     "a configuration file and line, or the default), and the rules that would run; lint nothing"}),
    (("--statistics",), {"action": "store_true",
     "help": "print the number of findings per rule (and how many --fix can fix), most frequent "
     "first, instead of the findings"}),
    (("--kubernetes-version",), {"metavar": "X.Y", "help": "target cluster version (default: newest)"}),
    (("--baseline",), {"metavar": "FILE", "help": "report only findings not recorded in FILE"}),
    (("--write-baseline",), {"metavar": "FILE", "help": "record the current findings in FILE"}),
    (("--diff-base",), {"metavar": "REF",
     "help": "pull-request mode: lint the working tree and the merge base of REF and HEAD (read "
     "with git, no checkout, no fetch) and report only the findings the change introduces, "
     "with the suppressions it adds; the summary counts new and fixed findings (a REF this "
     "clone does not hold, as in a shallow clone, is an error, exit code 2)"}),
    (("--fix",), {"action": "store_true",
     "help": "apply the safe fixes rules offer to the files (each file verified, comments and "
     "formatting kept), then report what is left; with standard input ('-') as the only path, "
     "write the fixed text to standard output and the report to standard error"}),
    (("--unsafe-fixes",), {"action": "store_true",
     "help": "with --fix or --diff, also apply the unsafe fixes (those that can change what the "
     "workload does, such as dropping capabilities)"}),
    (("--diff",), {"action": "store_true",
     "help": "print the unified diff that --fix (with the same --unsafe-fixes) would apply and "
     "change nothing; exit 1 when there is something to fix, 0 when there is nothing"}),
    (("--partial",), {"action": "store_true",
     "help": "the paths are part of a repository (pre-commit): never report referenced objects "
     "as missing"}),
    (("--context",), {"action": "append", "metavar": "PATH", "default": [],
     "help": "read PATH for cross-object rules without reporting on it"}),
    (("--no-render",), {"action": "store_true",
     "help": "do not render Helm charts or kustomize overlays (chart templates are skipped, "
     "kustomize files linted as they are)"}),
    (("--allow-no-objects",), {"action": "store_true",
     "help": "exit 0 rather than 2 when the paths hold no Kubernetes object"}),
    (("--allow-input-errors",), {"action": "store_true",
     "help": "report inputs that cannot be read or parsed (input errors, see 'guardlint explain "
     "yaml-syntax-error') without failing the run: the exit code then depends on the findings"}),
    (("--max-file-size",), {"metavar": "MB",
     "help": "skip larger files with an error (default 20; above 0, at most 1048576)"}),
    (("--stdin-filename",), {"metavar": "NAME",
     "help": "name to report for input read from stdin (needs - among the paths)"}),
    (("--show-suppressed",), {"action": "store_true", "help": "list suppressed findings in text output"}),
    (("--color",), {"choices": ("auto", "always", "never"), "default": "auto"}),
    (("--verbose", "-v"), {"action": "store_true", "help": "also list skipped non-Kubernetes documents"}),
    (("--quiet", "-q"), {"action": "store_true", "help": "print nothing; only the exit code tells (reports named "
                         "with --output or --output-file are still written)"}),
    (("--profile-rules",), {"action": "store_true",
     "help": "print on stderr the time each rule took, slowest first (plugins' rules included)"}),
    (("--jobs", "-j"), {"metavar": "N", "default": "auto",
     "help": "processes to lint with: a number, or auto (the default: one per usable CPU when the "
     "input is large enough to gain from it); the report is the same either way"}),
)
"""The options of ``check`` in the order ``--help`` lists them: (option strings, ``add_argument`` keywords).
Only the actions argparse calls ``store`` (the default), ``store_true`` and ``append`` are used, which is
what ``_plain_check`` reads a command line with."""


def _check_options(check: argparse.ArgumentParser) -> None:
    check.add_argument("paths", nargs="*", metavar="PATH", help="files, directories (recursive) or - for stdin")
    for flags, spec in _CHECK_OPTIONS:
        check.add_argument(*flags, **spec)


def _plain_check(args_list: Sequence[str]) -> argparse.Namespace | None:
    """The namespace the parser makes of a plain ``check`` command line, read without building the parser
    (argparse's set-up, with the gettext look-ups of its titles, is a few milliseconds of every run); None for
    any line this does not read the way argparse does, which then goes to the parser.

    A plain line is ``check`` followed by paths and options each written out in full, apart (``--format json``;
    not ``--format=json``, ``-fjson``, ``-vq`` or an abbreviation such as ``--no-conf``), whose values do not
    start with ``-`` and are among the option's choices, with no ``--`` and no help. For it argparse (with
    ``_parse_intermixed``) sets every option to its default, then a ``store`` option to its last value,
    a ``store_true`` one to True and an ``append`` one to its values in order, and collects the paths in
    order wherever they stand; ``tests/cli/test_startup.py`` compares both on generated command lines.
    """
    if not args_list or args_list[0] != "check":
        return None
    values: dict[str, Any] = {"command": "check", "paths": []}
    options: dict[str, tuple[str, str, Any]] = {}
    for flags, spec in _CHECK_OPTIONS:
        action = spec.get("action", "store")
        named_by = next((f for f in flags if f.startswith("--")), flags[0])  # argparse's choice of the name
        dest = spec.get("dest") or named_by.lstrip("-").replace("-", "_")
        default = spec.get("default", False if action == "store_true" else None)
        values[dest] = list(default) if isinstance(default, list) else default
        for flag in flags:
            options[flag] = (dest, action, spec.get("choices"))
    tokens = iter(args_list[1:])
    for token in tokens:
        if not token.startswith("-") or token == "-":
            values["paths"].append(token)
            continue
        option = options.get(token)
        if option is None:
            return None  # "--", "-h", "--opt=value", abbreviations, clustered flags, unknown options
        dest, action, choices = option
        if action == "store_true":
            values[dest] = True
            continue
        value = next(tokens, None)
        if value is None or value.startswith("-") or (choices is not None and value not in choices):
            return None  # argparse's usage errors, and values it might read differently
        if action == "append":
            values[dest] = [*(values[dest] or ()), value]
        else:
            values[dest] = value
    # argparse.Namespace without importing argparse: the commands only read and set its attributes (getattr,
    # setattr, vars), which a SimpleNamespace holds alike
    from types import SimpleNamespace

    namespace: argparse.Namespace = SimpleNamespace(**values)  # type: ignore[assignment]
    return namespace


def _option_named_like_a_file(args_list: Sequence[str]) -> str | None:
    """The first word before ``--`` that argparse would read as an option (it starts with ``-`` and is not ``-``)
    and that also names an existing path, or None. pre-commit appends the names of the changed files to the
    hook's command line as they are: a file a pull request adds at the top of the repository named
    ``--policy=mine.yaml`` (or ``--baseline=b.json``, ``-o.yaml``) was read as that option when a CI job runs
    the hooks (``pre-commit run --all-files``), replacing the policy the job sets in ``GUARDLINT_POLICY`` and
    so its locks. Such a word is refused either way round (the option the user typed, or the file), one
    ``lstat`` per option word."""
    for word in args_list:
        if word == "--":
            return None
        if word.startswith("-") and word != "-" and os.path.lexists(word):
            return word
    return None


def _normalise_argv(argv: Sequence[str]) -> list[str]:
    args = list(argv)
    if not args:
        return ["check"]
    first = args[0]
    if first in SUBCOMMANDS or first in ("-h", "--help", "--version"):
        return args
    return ["check", *args]


def _hint_command(report: Report, paths: Sequence[str]) -> Report:
    """A first path that does not exist and is close to a command's name (``guardlint explian RULE``, ``guardlint
    rule``) was most likely meant as that command: its path-not-found error says so."""
    from guardlint.findings import ErrorKind

    if not paths or not any(e.kind is ErrorKind.NOT_FOUND and e.file == paths[0] for e in report.errors):
        return report
    import difflib

    close = difflib.get_close_matches(paths[0], SUBCOMMANDS, n=1, cutoff=0.75)
    if not close:
        return report
    hint = (f"did you mean the command '{close[0]}'? ('guardlint {close[0]} --help'; a first word that is not a "
            "command is a path to check)")
    return report._replace(errors=tuple(
        e._replace(hint=hint) if e.kind is ErrorKind.NOT_FOUND and e.file == paths[0] and not e.hint else e
        for e in report.errors))


def _use_color(choice: str, stream: TextIO) -> bool:
    """``--color always|never`` wins; then ``NO_COLOR`` (set and not empty) turns colour off; then
    ``FORCE_COLOR`` (set and not empty) turns it on, even without a terminal, unless it is ``0`` or
    ``false``, which turn it off; otherwise colour only on a terminal."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    force = os.environ.get("FORCE_COLOR")
    if force:
        return force.strip().lower() not in ("0", "false")
    return hasattr(stream, "isatty") and stream.isatty()


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _jobs_option(text: str) -> int:
    """``--jobs``: a number of processes from 1 to 256, or ``auto`` (0, ``guardlint.parallel.AUTO``)."""
    if text == "auto":
        return 0
    if not text.isdigit() or not 1 <= int(text) <= 256:
        from guardlint.errors import UsageError

        raise UsageError(f"--jobs: expected a number of processes from 1 to 256 or 'auto', got {text!r}")
    return int(text)


def _megabytes_option(text: str | None) -> float | None:
    """``--max-file-size`` as a number; the limits (finite, above 0, at most 1 TiB) are checked with the text
    as given, so ``1e400`` is named as written rather than as the infinity it reads as."""
    from guardlint.errors import UsageError
    from guardlint.source.files import megabytes

    if text is None:
        return None
    try:
        value = float(text)
        megabytes(value, "--max-file-size")
    except ValueError:
        from guardlint.source.files import MAX_FILE_SIZE_MB

        raise UsageError(f"--max-file-size: expected a number of megabytes above 0 and at most {MAX_FILE_SIZE_MB}, "
                         f"got {text!r}") from None
    return value


def _refuse_special_target(path: str, what: str) -> None:
    """UsageError unless ``path`` is a new path or an existing regular file (not a symlink, device, FIFO...),
    in a folder that does not lead out of the git checkout it is spelled in through a symbolic link (a folder
    link committed in a pull request, ``reports -> /elsewhere``, would have the report written outside the
    repository, where the final name's own link is refused)."""
    import stat

    from guardlint.errors import UsageError
    from guardlint.source.files import leaves_repository, special_kind

    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(folder):
        escape = leaves_repository(folder)
        if escape is not None:
            raise UsageError(f"{path}: refusing to write {what} through a symbolic link that leads out of the "
                             f"repository {escape}; name the folder's real path or a folder inside the repository")
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise UsageError(f"{path}: cannot write {what}: {exc.strerror or exc}") from None
    if stat.S_ISLNK(info.st_mode):
        raise UsageError(f"{path}: refusing to write {what} over a symbolic link; name its target or a new file")
    kind = special_kind(info.st_mode)
    if kind is not None:
        raise UsageError(f"{path}: refusing to write {what}: it is {kind}, not a regular file or a new path"
                         + (" (--quiet prints nothing)" if stat.S_ISCHR(info.st_mode) else ""))


def _is_baseline(path: str) -> bool:
    """Whether ``path`` is a guardlint baseline file that ``--baseline`` would read."""
    from guardlint import baseline
    from guardlint.errors import UsageError

    try:
        baseline.read(path)
    except UsageError:
        return False
    return True


def _refuse_input_target(path: str, inputs: Sequence[str], what: str) -> None:
    """UsageError when ``path`` is the same file as one of ``inputs`` (however spelled, or hard-linked)."""
    from guardlint.errors import UsageError

    try:
        target = os.stat(path)
    except OSError:
        return
    for name in inputs:
        try:
            info = os.stat(name)
        except OSError:
            continue
        if (info.st_dev, info.st_ino) == (target.st_dev, target.st_ino):
            raise UsageError(f"{path}: refusing to write {what} over {name}, an input of this run")


def _show_settings(args: argparse.Namespace, settings: Settings, out: TextIO) -> None:
    """``--show-settings``: each effective setting with where it comes from, then the rules that run."""
    import json

    from guardlint._printable import printable as _p
    from guardlint.config.model import LATEST_KUBERNETES

    cfg = settings.config
    origins = {}
    if cfg.source is not None or cfg.policy is not None:
        from guardlint.config.loader import config_origins

        origins = config_origins(cfg.source, cfg.policy)
    described: dict[str, str | None] = {}

    def place(o: Origin) -> str:
        """``file:line:col``, prefixed with the package, version and preset when the file is a preset."""
        from guardlint.config.loader import describe_preset_file

        if o.file not in described:
            described[o.file] = describe_preset_file(o.file)
        preset = described[o.file]
        return f"{preset} ({o.file}:{o.line}:{o.column})" if preset else f"{o.file}:{o.line}:{o.column}"

    def where(key: str, flag: str | None, given: bool, joined: bool = False) -> str:
        """The command line replaces a file's value; for ``joined`` lists it adds to the file's entries."""
        found = ", ".join(place(o) for o in origins.get((key,), ()))
        if given:
            return f"command line ({flag})" + (f" and {found}" if joined and found else "")
        return found or "default"

    def show(value: object) -> str:
        return _p(json.dumps(value))

    version = settings.plan.kubernetes_version
    fail_on = settings.fail_on.value if settings.fail_on is not None else "never"
    rows = [
        ("configuration", show(cfg.source), "--config" if args.config else
         ("--no-config" if args.no_config else ("found from the working folder" if cfg.source else "none found"))),
        ("select", show(list(cfg.select) if cfg.select is not None else "default rule set"),
         where("select", "--select", args.select is not None)),
        ("extend-select", show(list(cfg.extend_select)), where("extend-select", "--extend-select",
                                                                bool(args.extend_select), joined=True)),
        ("ignore", show(list(cfg.ignore)), where("ignore", "--ignore", bool(args.ignore), joined=True)),
        ("exclude", show(list(cfg.exclude)), where("exclude", None, False)),
        ("fail-on", show(fail_on), where("fail-on", "--fail-on", args.fail_on is not None)),
        ("kubernetes-version", show(f"{version[0]}.{version[1]}"),
         where("kubernetes-version", "--kubernetes-version", args.kubernetes_version is not None)
         + (" (the newest version guardlint knows)" if version == LATEST_KUBERNETES and not cfg.kubernetes_version
            else "")),
        ("max-file-size-mb", show(round(settings.max_bytes / (1024 * 1024), 6)),
         where("max-file-size-mb", "--max-file-size", args.max_file_size is not None)),
        ("render", show(cfg.render), where("render", "--no-render", args.no_render)),
        ("partial", show(bool(args.partial)), "command line (--partial)" if args.partial else "default"),
        ("exemptions", show(len(cfg.exemptions)), where("exemptions", None, False)),
        ("rule-dirs", show(list(cfg.rule_dirs)), where("rule-dirs", None, False)),
        ("plugins", show(list(cfg.plugins)), where("plugins", None, False)),
        ("policy", show(cfg.policy), "command line (--policy)" if getattr(args, "policy", None) else
         (f"environment ({POLICY_ENV})" if cfg.policy else "none")),
        ("locked", show([_lock_text(lock) for lock in cfg.locked]),
         ", ".join(place(lock.origin) for lock in cfg.locked if lock.origin is not None) or "none"),
    ]
    width = max(len(name) for name, _, _ in rows)
    for name, value, origin in rows:
        out.write(f"{name:<{width}}  {value}  # {_p(origin)}\n")
    out.write(f"rules: {len(settings.plan.active)} run\n")
    for active in sorted(settings.plan.active, key=lambda a: a.rule.code):
        rule = active.rule
        notes = []
        for setting in ("enabled", "severity", "params"):
            found = origins.get(("rules", rule.name, setting)) or origins.get(("rules", rule.code, setting))
            if found:
                notes.append(f"{setting} from {place(found[-1])}")
        locks = settings.plan.locks.get(rule.name)
        if locks:
            notes.insert(0, "locked by " + ", ".join(dict.fromkeys(
                place(lock.origin) if lock.origin is not None else lock.policy for lock in locks)))
        if active.param_values:
            notes.append("params " + json.dumps(dict(active.param_values), sort_keys=True, default=str))
        suffix = f"  # {_p('; '.join(notes))}" if notes else ""
        out.write(f"  {_p(rule.code):<8} {active.severity.value:<7}  {_p(rule.name)}{suffix}\n")


def _lock_text(lock: Lock) -> str:
    return lock.selector + (f" (namespaces {', '.join(lock.namespaces)})" if lock.namespaces else "")


def _show_files(paths: Sequence[str], settings: Settings, out: TextIO) -> None:
    """``--show-files``: each path the run would read, how, and each one it passes over, with the reason."""
    from guardlint._printable import printable as _p
    from guardlint.api import excludes_of
    from guardlint.render.tree import partition
    from guardlint.source.files import discover_all, display_name

    excludes = excludes_of(settings)
    passed: list[tuple[str, str]] = []
    found = discover_all(paths, excludes, passed=passed)
    source = f" in {settings.config.source}" if settings.config.source else ""
    inputs = []
    for item in found.inputs:
        pattern = excludes.pattern_for(item.path, item.display)
        own = excludes.own_reason(item.path)
        if own is not None:
            passed.append((item.display, f"named on the command line but {own}"))
        elif pattern is not None:
            passed.append((item.display, f"named on the command line but matches the exclude pattern {pattern!r}"))
        else:
            inputs.append(item)
    passed = [(name, why + source if "exclude pattern" in why else why) for name, why in passed]
    passed += [(s.file, s.reason) for s in found.skipped]
    parts = partition(inputs)
    how: dict[str, str] = {}
    render = settings.config.render
    unused: dict[str, str] = {}
    if parts.charts and render:  # values files no values set uses are not linted: say so (guardlint.render.run)
        from guardlint.api import render_options
        from guardlint.render.helm_run import unused_values_files
        from guardlint.render.run import unused_values_reason

        options = render_options(settings, paths)
        unused = {p: unused_values_reason(c) for c in parts.charts for p in unused_values_files(c, options)}
    for folder, members in parts.charts.items():
        shown = os.path.relpath(folder)
        for item in members:
            how[item.display] = (f"rendered with the Helm chart {shown}" if render else
                                 f"in the Helm chart {shown}, not rendered (render: false or --no-render): "
                                 "templates are skipped, other files linted as they are")
    if unused:
        passed += [(i.display, unused[os.path.realpath(i.path)]) for i in inputs
                   if os.path.realpath(i.path) in unused]
        inputs = [i for i in inputs if os.path.realpath(i.path) not in unused]
    built: dict[str, list[str]] = {}
    if parts.kustomize and render:  # a base is built only through the overlays that use it: name them
        from guardlint.api import render_options
        from guardlint.render.run import overlays_building

        named = [p for p in paths if p != "-" and not os.path.isdir(p)]
        built = overlays_building(parts.kustomize, named, render_options(settings, paths))
    for folder, members in parts.kustomize.items():
        shown = os.path.relpath(folder)
        overlays = built.get(folder, [])
        if not render:
            text = f"in the kustomize folder {shown}, linted as it is (not built)"
        elif overlays == [display_name(folder)]:
            text = f"built with the kustomize folder {shown}"
        elif overlays:
            text = f"in the kustomize folder {shown}, built through the overlay{'s' if len(overlays) > 1 else ''} " \
                   + ", ".join(overlays)
        else:
            text = f"in the kustomize folder {shown}, which no linted overlay builds (a Component): not linted"
        for item in members:
            how[item.display] = text
    for item in inputs:
        name = "(standard input)" if item.path == "-" else item.display
        extra = how.get(item.display)
        out.write(f"lint  {_p(name)}" + (f"  ({_p(extra)})" if extra else "") + "\n")
    from guardlint.api import excluded_by_repository

    locked_only = excluded_by_repository(paths, settings, excludes)
    if locked_only:  # listed as linted (below), not as passed over
        shown_locked = {item.display for item in locked_only}
        passed = [(name, why) for name, why in passed if name not in shown_locked]
    for item in locked_only:
        pattern = excludes.pattern_for(item.path, item.display)
        out.write(f"lint  {_p(item.display)}  (the policy's locked rules only: the exclude pattern {pattern!r}"
                  f"{_p(source)} leaves it out for the other rules)\n")
    for name, why in sorted(passed):
        out.write(f"skip  {_p(name)}  ({_p(why)})\n")
    for e in found.errors:
        out.write(f"error {_p(e.file)}  ({_p(e.message)})\n")
    more = f" ({len(locked_only)} more for the policy's locked rules only)" if locked_only else ""
    out.write(f"{_plural(len(inputs), 'file')} to lint{more}, {len(passed)} passed over"
              + (f", {_plural(len(found.errors), 'path')} with errors" if found.errors else "") + ".\n")


def _output_files(args: argparse.Namespace) -> list[tuple[str, str]]:
    """The ``--output-file FORMAT:FILE`` reports, checked before any work: known formats, distinct files."""
    from guardlint.errors import UsageError

    outputs: list[tuple[str, str]] = []
    seen = {os.path.abspath(args.output)} if args.output else set()
    for spec in args.output_file:
        fmt, sep, path = spec.partition(":")
        if not sep or not path:
            raise UsageError(f"--output-file {spec!r}: expected FORMAT:FILE, for example sarif:guardlint.sarif")
        if fmt not in _FORMATS:
            raise UsageError(f"--output-file {spec!r}: unknown format {fmt!r} (expected one of "
                             f"{', '.join(_FORMATS)})")
        if os.path.abspath(path) in seen:
            raise UsageError(f"--output-file {spec!r}: {path} is already the target of another report")
        seen.add(os.path.abspath(path))
        outputs.append((fmt, path))
    if args.statistics and not args.quiet and not args.output and (args.format or "text") not in _HUMAN_FORMATS:
        raise UsageError(f"--statistics prints a table instead of the report on standard output: write the "
                         f"{args.format} report to a file with --output or --output-file")
    return outputs


def _write_output(path: str, report: Report, fmt: str, options: RenderOptions) -> None:
    """Write the report to ``path`` atomically (a temporary file renamed over it), a finding at a time for
    the machine formats."""
    from guardlint._atomic import atomic_file
    from guardlint.errors import UsageError
    from guardlint.report import write_report

    try:
        with atomic_file(path) as fh:
            write_report(report, fmt, options, lambda text: fh.write(text.encode("utf-8")))
    except OSError as exc:
        raise UsageError(f"{path}: cannot write the report: {exc.strerror or exc}") from None


class _CollectorPaused:
    """Pause the cyclic garbage collector for a command of the command line (``main``, from its first step).

    A run keeps every document's data and position maps alive until the report is made: millions of objects,
    which the collector would scan again and again, although they hold no reference cycles (in one process,
    about 13% more CPU on the shared corpus with the collector running); and the imports, the settings and the
    report around the run allocate thousands of objects that live as long as the process (with the default
    thresholds, ``main`` called in-process on the pre-commit sample ran 17 collections of them). The command
    line owns its process; library calls (``guardlint.api``) leave the collector as their host has it. The
    state is restored whatever happens (an exception, an interrupt), and a collector the caller of ``main``
    had disabled stays disabled.

    A class rather than ``contextlib.contextmanager``: contextlib is about half a millisecond of every
    start-up, and a plain run imports it for nothing else (as ``_ErrorHandler``)."""

    __slots__ = ("_was_enabled",)

    def __enter__(self) -> None:
        import gc

        self._was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc_info: object) -> None:  # never suppresses an exception
        if self._was_enabled:
            import gc

            gc.enable()


def _cmd_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from guardlint.api import resolve_settings, run
    from guardlint.errors import UsageError
    from guardlint.report import ExitPolicy, RenderOptions, write_report

    paths = args.paths or []
    if not paths and args.show_settings:
        paths = ["."]
    if not paths:  # the same with or without a terminal: CI must not lint an empty stdin by accident
        err.write("guardlint: error: no paths given: name files or folders to lint, or '-' to read standard "
                  "input\n")
        return EXIT_ERROR
    extra_outputs = _output_files(args)
    if args.output:
        _refuse_special_target(args.output, "the report")
    for _, path in extra_outputs:
        _refuse_special_target(path, "the report")
    if args.write_baseline:
        _refuse_special_target(args.write_baseline, "the baseline")
    if args.diff_base is not None and args.write_baseline:
        raise UsageError("--diff-base reports only what a change introduces; write a baseline without it")
    if args.stdin_filename is not None and "-" not in paths:  # a name for nothing: say so, never ignore it
        raise UsageError(f"--stdin-filename {args.stdin_filename!r} names standard input, which is not among the "
                         "paths: add '-' to read standard input, or drop the option")
    if args.stdin_filename is not None and not args.stdin_filename.strip():
        raise UsageError("--stdin-filename is empty: give the path to report for standard input")
    if args.select and not _split(args.select):  # `--select "$RULES"` with RULES unset or empty
        raise UsageError("--select names no rule, so nothing would be checked: give rule names, codes, code "
                         "prefixes, packs, tags or all")
    overrides: dict[str, Any] = {  # the command line's settings (the base of --diff-base is resolved with them too)
        "select": _split(args.select) if args.select else None,
        "extend_select": _split(args.extend_select),
        "ignore": _split(args.ignore),
        "kubernetes_version": args.kubernetes_version,
        "fail_on": args.fail_on,
        "partial": args.partial,
        "max_file_size_mb": _megabytes_option(args.max_file_size),
        "render": False if args.no_render else None,
    }
    jobs = _jobs_option(args.jobs)
    settings = resolve_settings(config=args.config, use_config_file=not args.no_config,
                                allow_local_plugins=_allow_local_plugins(args), policy=_policy(args), **overrides)
    if args.show_settings:
        _show_settings(args, settings, out)
        return EXIT_OK
    if args.show_files:
        _show_files(paths, settings, out)
        return EXIT_OK
    base = None
    if args.diff_base is not None:  # checked before any work: a missing REF fails fast with the fetch advice
        from guardlint.diffbase import resolve_base

        if "-" in paths:
            raise UsageError("--diff-base compares files in a git repository: it cannot read standard input (-)")
        base = resolve_base(args.diff_base, os.getcwd())
    known = None
    if args.baseline or args.write_baseline:
        from guardlint import baseline

        known = baseline.read(args.baseline) if args.baseline else None  # a bad baseline fails before work
    # Standard input is read up to one byte past the size limit, like a file: an endless stream ends the read.
    stdin_bytes = sys.stdin.buffer.read(settings.max_bytes + 1) if "-" in paths and sys.stdin is not None else None
    timings: dict[str, float] | None = {} if args.profile_rules else None
    report = run(paths, settings, context=args.context, stdin=stdin_bytes, stdin_filename=args.stdin_filename,
                 timings=timings, jobs=jobs)
    report = _hint_command(report, paths)
    if timings is not None:
        _print_timings(timings, err)
    # Checked before anything is written (fixes, baseline, report).
    targets = [*([args.output] if args.output else []), *(path for _, path in extra_outputs)]
    if targets:
        read = [*(f for f in report.files if f != "-"), *args.context]
        read += [p for p in (args.baseline, settings.config.source, settings.config.policy) if p]
        for path in targets:
            _refuse_input_target(path, read, "the report")
    if args.write_baseline:  # the baseline it reads may be rewritten: that is how a baseline is refreshed
        read = [p for p in (settings.config.source, settings.config.policy) if p]
        if not _is_baseline(args.write_baseline):
            # A file that already is a baseline is linted as a JSON file (no objects) when the run covers the folder
            # that keeps it (``check . --write-baseline .guardlint-baseline.json``): rewriting it is a refresh too.
            read += [*(f for f in report.files if f != "-"), *args.context]
        _refuse_input_target(args.write_baseline, read, "the baseline")
    introduced: Callable[[Report], Report] | None = None
    if base is not None:  # before --diff and --fix: in pull-request mode they touch only the new findings
        from guardlint import diffbase

        introduced = diffbase.differ(
            base, paths, settings, lambda p, s, c: run(p, s, context=c), context=args.context,
            resolve=lambda c, p, extra: resolve_settings(config=c, use_config_file=False, policy=p,
                                                        local_rules=(*settings.local_rules, *extra), **overrides),
            command_line=True)
        report = introduced(report)

    def relint() -> Report:  # after --fix; in pull-request mode compared with the base linted once
        again = run(paths, settings, context=args.context, stdin=stdin_bytes, stdin_filename=args.stdin_filename)
        return introduced(again) if introduced is not None else again
    if args.diff:
        return _print_diff(report, args, settings, out, err, stdin_bytes, paths)
    stdin_name = (args.stdin_filename or "-") if stdin_bytes is not None else None
    refused: frozenset[FixKey] = frozenset()  # the fixes a --fix of this run refused
    if args.fix:
        if stdin_name is not None and paths == ["-"]:
            fixed, refused = _fix_stdin(report, args, settings, stdin_name, stdin_bytes or b"", out, err)
            out = err  # the fixed text went to standard output: the report goes to standard error
            if fixed != stdin_bytes:  # the report (and exit code) is what is left in the text written, as for files
                stdin_bytes = fixed  # also what the JSON report's patches start from
                report = run(paths, settings, context=args.context, stdin=fixed, stdin_filename=args.stdin_filename)
        else:
            report, refused = _apply_fixes(report, args, err, settings, stdin_name, relint, paths)
    if args.baseline or args.write_baseline:
        root = baseline.root_for(settings.config.source)
        if args.write_baseline:  # every current finding, not only the new ones
            count = baseline.write(report, args.write_baseline, root)
            if not args.quiet:
                err.write(f"guardlint: wrote {_plural(count, 'finding')} to the baseline {args.write_baseline} "
                          f"(file paths relative to {root})\n")
        if known is not None:
            report = baseline.apply(report, known, root, args.baseline)
    fmt = args.format or "text"
    # --quiet prints nothing, but a report asked for as a file (--output, --output-file) is still written
    used = {f for f, _ in extra_outputs} | ({fmt} if args.output or not args.quiet else set())
    patches: dict[tuple[str, int, int, str, str], str] = {}
    if "json" in used:
        offered = sum(1 for f in report.active if f.fix is not None)
        if offered <= PATCH_LIMIT:
            patches = _patches(report, stdin_bytes, args.stdin_filename, settings.max_bytes)
        else:  # a patch costs a planned and verified fix each: bounded work on large runs
            report = report._replace(warnings=(*report.warnings, (
                f"the JSON report carries no fix patches: {offered} findings offer fixes, more than "
                f"{PATCH_LIMIT} (lint fewer files, or see every change with --diff --unsafe-fixes)")))
    if "sarif" in used:
        from guardlint.report.sarif import GITHUB_RESULT_LIMIT, result_count

        if (count := result_count(report)) > GITHUB_RESULT_LIMIT:
            report = report._replace(warnings=(*report.warnings, (
                f"the SARIF report holds {count} results: GitHub code scanning rejects an upload of more than "
                f"{GITHUB_RESULT_LIMIT:,} (lint fewer files per upload, or fewer rules with --select)")))
    if not args.quiet:
        from guardlint._printable import printable

        for warning in report.warnings:
            err.write(f"guardlint: warning: {printable(warning)}\n")
    if fmt == "github" and "-" in paths and not args.stdin_filename and not args.quiet:
        err.write("guardlint: note: GitHub annotations need a file name: give --stdin-filename PATH (the "
                  "file's path in the repository) so that findings from standard input appear on that file\n")
    sources: dict[str, str] = {}
    if "full" in used:
        from guardlint.report.text import load_sources

        stdin_named = (args.stdin_filename or "-", stdin_bytes) if stdin_bytes is not None else None
        sources = load_sources(report, settings.max_bytes, stdin_named)
    unfixable: frozenset[FixKey] = frozenset()
    if args.statistics or used & {"text", "concise", "full"}:  # the reports that count what --fix can fix
        from guardlint._rewrite import unfixable as refused_by_fix

        unfixable = refused_by_fix(report.active, refused, stdin_name=stdin_name, stdin_alone=paths == ["-"])
    policy = ExitPolicy(settings.fail_on, args.allow_no_objects, args.allow_input_errors)
    if args.write_baseline and not report.errors:  # the run exits 0 (below): nothing fails it
        policy = ExitPolicy(None, allow_no_objects=True)
    options = RenderOptions(settings.registry, verbose=args.verbose, show_suppressed=args.show_suppressed,
                            tool_version=__version__, sources=sources, patches=patches, unfixable=unfixable,
                            exit_policy=policy)
    for extra_fmt, path in extra_outputs:  # every report of the run comes from the same lint
        _write_output(path, report, extra_fmt, options)
    if args.output:
        _write_output(args.output, report, fmt, options)
    if not args.quiet:
        color = fmt in _HUMAN_FORMATS and _use_color(args.color, out)
        terminal = options._replace(color=color)
        if args.statistics:
            from guardlint.report.text import render_statistics

            out.write(render_statistics(report, unfixable))
        elif not args.output:
            write_report(report, fmt, terminal, out.write)
    if args.write_baseline and not report.errors:
        return EXIT_OK
    return report.exit_code(settings.fail_on, allow_no_objects=args.allow_no_objects,
                            allow_input_errors=args.allow_input_errors)


def _relint(settings: Settings) -> Callable[[str, str], Sequence[Finding]]:
    """Lints one text alone with the run's settings (to verify a fix: before and after)."""
    from guardlint.engine import lint_loaded
    from guardlint.source.loader import load_text

    def relint(text: str, file: str) -> Sequence[Finding]:
        return lint_loaded([load_text(text, file)], settings.plan).active

    return relint


def _say_fixes(result_applied: Sequence[Finding], refused: Sequence[tuple[Finding, str]],
               skipped: Sequence[tuple[str, str]], err: TextIO) -> None:
    from guardlint._printable import printable as _p

    for f in result_applied:
        assert f.fix is not None
        err.write(f"{_p(f.file)}:{f.line}:{f.column}: fixed {f.rule}: {_p(f.fix.description)}\n")
    for f, reason in refused:
        err.write(f"{_p(f.file)}:{f.line}:{f.column}: not fixed {f.rule}: {_p(reason)}\n")
    for file, reason in skipped:
        err.write(f"{_p(file)}: not fixed: {_p(reason)}\n")


def _not_applicable(report: Report, unsafe: bool, err: TextIO, values_handled: bool = False) -> None:
    """Say, for each finding whose fix would apply but cannot be made where the finding is (Helm output,
    objects guardlint rendered), why: such fixes are never skipped silently. With ``values_handled``, the
    findings a values file fix was tried for are left out (their outcome was said)."""
    from guardlint._printable import printable as _p
    from guardlint.fix import applies, not_applicable
    from guardlint.fix_values import values_candidate

    for f in report.active:
        if values_handled and values_candidate(f):
            continue
        reason = not_applicable(f) if f.fix is not None and applies(f.fix, unsafe) else None
        if reason is not None:
            err.write(f"{_p(f.file)}:{f.line}:{f.column}: not fixed {f.rule}: not applicable: {_p(reason)}\n")


def _values_plans(report: Report, args: argparse.Namespace, settings: Settings, paths: Sequence[str]
                  ) -> tuple[list[Any], list[tuple[Finding, str]]]:
    """The values file fixes of findings on Helm-rendered objects (see ``guardlint.fix_values``)."""
    from guardlint.fix_values import candidates, plan_values_fixes

    found = candidates(report, args.unsafe_fixes)
    if not found:
        return [], []
    from guardlint.fix_values import checkers, values_users

    rerender, lint = checkers(settings, paths)
    plans, refused = plan_values_fixes(found, rerender, lint, settings.max_bytes, values_users(settings))
    return plans, [*refused, *(r for p in plans for r in p.refused)]


def _apply_fixes(report: Report, args: argparse.Namespace, err: TextIO, settings: Settings, stdin_name: str | None,
                 rerun: Callable[[], Report], paths: Sequence[str]) -> tuple[Report, frozenset[FixKey]]:
    """Apply the fixes, say each one on stderr, and lint again so the report shows what is left; with the
    ``fix_key`` of the fixes refused."""
    from guardlint._atomic import write_atomic
    from guardlint.fix import apply_fixes, encode_like, refused_keys

    if stdin_name is not None:  # never write the file standard input is named after
        report = report._replace(findings=tuple(f for f in report.findings if f.file != stdin_name))
    result = apply_fixes(report, unsafe=args.unsafe_fixes, relint=_relint(settings))
    plans, values_refused = _values_plans(report, args, settings, paths)
    applied = list(result.applied)
    skipped = list(result.skipped)
    for p in plans:
        if p.new is None:
            continue
        try:
            write_atomic(p.real, encode_like(p.raw, p.new), prefix=".guardlint-fix-")
        except OSError as exc:
            skipped.append((p.file, f"cannot write it: {exc.strerror or exc}"))
            continue
        applied.extend(p.applied)
    if not args.quiet:  # "print nothing": the files are still fixed, the exit code tells what is left
        _say_fixes(applied, [*result.refused, *values_refused], skipped, err)
        _not_applicable(report, args.unsafe_fixes, err, values_handled=True)
        err.write(f"guardlint: applied {len(applied)} fix{'es' if len(applied) != 1 else ''}\n")
    refused = refused_keys(report, result, unsafe=args.unsafe_fixes)
    if applied or stdin_name is not None:
        return rerun(), refused
    return report, refused


def _fix_stdin(report: Report, args: argparse.Namespace, settings: Settings, name: str, data: bytes, out: TextIO,
               err: TextIO) -> tuple[bytes, frozenset[FixKey]]:
    """``--fix`` on standard input alone: the fixed text (or the text unchanged) goes to standard output, and is
    returned, so that the report can be made from it, with the ``fix_key`` of the fixes refused."""
    from guardlint.fix import applies, decode_exactly, encode_like, fix_text, not_applicable
    from guardlint.report import fix_key

    findings = [f for f in report.active if f.fix is not None and f.file == name and not_applicable(f) is None
                and applies(f.fix, args.unsafe_fixes)]
    text = decode_exactly(data, name)
    applied: tuple[Finding, ...] = ()
    refused = frozenset(fix_key(f) for f in findings)  # all of them unless the text is fixed
    if text is not None and findings:
        result = fix_text(text, name, findings, _relint(settings), unsafe=args.unsafe_fixes)
        if not args.quiet:
            _say_fixes(result.applied, result.refused, [(name, result.failure)] if result.failure else [], err)
        if result.text is not None:
            text, applied = result.text, result.applied
            refused = frozenset(fix_key(f) for f, _ in result.refused)
    written = encode_like(data, text) if text is not None and applied else data
    out.flush()
    sys.stdout.buffer.write(written)
    sys.stdout.buffer.flush()
    if not args.quiet:
        err.write(f"guardlint: applied {len(applied)} fix{'es' if len(applied) != 1 else ''}\n")
    return written, refused


PATCH_LIMIT = 100
"""The most findings with fixes whose patches the JSON report carries. Each patch is planned and verified alone
(6-8 ms on 2 cores): on the shared corpus, 257 patches made the default-rule JSON report about 1.5-2 s slower
than the concise one, so a run that offers more fixes than this carries none (and says so in ``warnings``)."""


def _patches(report: Report, stdin_bytes: bytes | None, stdin_filename: str | None, max_bytes: int
             ) -> dict[tuple[str, int, int, str, str], str]:
    """For the JSON report: each fixable finding's fix alone as a unified diff of its file (findings whose
    fix cannot be made, or whose file cannot be read, get none)."""
    from guardlint.fix import decode_exactly, fix_text, not_applicable, unified_diff
    from guardlint.report import patch_key
    from guardlint.source.files import NotRegularFile, read_regular_file
    from guardlint.source.loader import load_text

    by_file: dict[str, list[Finding]] = {}
    for f in report.active:
        if f.fix is not None and not_applicable(f) is None:
            by_file.setdefault(f.file, []).append(f)
    stdin_name = (stdin_filename or "-") if stdin_bytes is not None else None
    out: dict[tuple[str, int, int, str, str], str] = {}
    for file, findings in by_file.items():
        if file == stdin_name and stdin_bytes is not None:
            raw = stdin_bytes
        else:
            try:
                raw = read_regular_file(file, max_bytes)
            except (OSError, NotRegularFile):
                continue
            if len(raw) > max_bytes:
                continue
        text = decode_exactly(raw, file)
        if text is None:
            continue
        loaded = load_text(text, file)
        for f in findings:
            fixed = fix_text(text, file, [f], loaded=loaded)
            if fixed.text is not None:
                out[patch_key(f)] = unified_diff(text, fixed.text, file)
    return out


def _print_diff(report: Report, args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO,
                stdin_bytes: bytes | None, paths: Sequence[str]) -> int:
    """``--diff``: the unified diff of what ``--fix`` would change; nothing is written."""
    from guardlint.fix import applies, decode_exactly, fix_text, not_applicable, plan_fixes, unified_diff

    stdin_name = (args.stdin_filename or "-") if stdin_bytes is not None else None
    on_disk = report._replace(findings=tuple(f for f in report.findings if f.file != stdin_name))
    plans, skipped = plan_fixes(on_disk, unsafe=args.unsafe_fixes, relint=_relint(settings))
    changes = [(p.file, p.old, p.fix) for p in plans]
    if stdin_name is not None and stdin_bytes is not None:
        text = decode_exactly(stdin_bytes, stdin_name)
        findings = [f for f in report.active if f.fix is not None and f.file == stdin_name
                    and not_applicable(f) is None and applies(f.fix, args.unsafe_fixes)]
        if text is not None and findings:
            changes.append((stdin_name, text, fix_text(text, stdin_name, findings, _relint(settings),
                                                        unsafe=args.unsafe_fixes)))
    count = 0
    refused: list[tuple[Finding, str]] = []
    for file, old, fix in changes:
        refused.extend(fix.refused)
        if fix.failure is not None:
            skipped.append((file, fix.failure))
        elif fix.text is not None:
            count += len(fix.applied)
            out.write(unified_diff(old, fix.text, file))
    vplans, values_refused = _values_plans(on_disk, args, settings, paths)
    refused.extend(values_refused)
    for p in vplans:
        if p.new is not None:
            count += len(p.applied)
            out.write(unified_diff(p.old, p.new, p.file))
    if not args.quiet:
        _say_fixes((), refused, skipped, err)
        _not_applicable(report, args.unsafe_fixes, err, values_handled=True)
        err.write(f"guardlint: --fix would apply {count} fix{'es' if count != 1 else ''}\n")
    return EXIT_FINDINGS if count else EXIT_OK


def _cmd_rules(args: argparse.Namespace, out: TextIO) -> int:
    import json

    from guardlint.api import resolve_settings
    from guardlint.docs import render_index, render_table, rule_json

    policy = _policy(args)
    settings = resolve_settings(config=args.config, use_config_file=args.config is not None,
                                allow_local_plugins=_allow_local_plugins(args), policy=policy)
    registry = settings.registry
    effective = args.config is not None or policy is not None
    if args.format == "json":
        records = [rule_json(r) for r in registry.rules]
        if effective:  # what the configuration and the policy make of each rule
            for record, r in zip(records, registry.rules, strict=True):
                record["effective"] = _effective(settings, r.name)
        out.write(json.dumps(records, indent=2, sort_keys=True) + "\n")
    elif args.format == "markdown":
        out.write(render_index(registry))
    elif effective:
        out.write(_effective_table(settings))
    else:
        out.write(render_table(registry))
    return EXIT_OK


def _effective(settings: Settings, name: str) -> dict[str, object]:
    """A rule under the configuration and policy: whether it runs, its severity, the locks on it."""
    active = {a.rule.name: a for a in settings.plan.active}
    a = active.get(name)
    locks = settings.plan.locks.get(name, ())
    return {
        "runs": a is not None,
        "severity": a.severity.value if a is not None else None,
        "locked": [{"policy": lock.policy, "selector": lock.selector, "namespaces": list(lock.namespaces)}
                   for lock in locks],
    }


def _effective_table(settings: Settings) -> str:
    """``guardlint rules --policy/--config``: each rule with whether it runs, its effective severity and its
    lock, then a count."""
    from guardlint._printable import printable as _p

    active = {a.rule.name: a for a in settings.plan.active}
    rows = []
    for r in settings.registry.rules:
        a = active.get(r.name)
        locks = settings.plan.locks.get(r.name, ())
        lock = ", ".join(dict.fromkeys(
            f"{lk.policy}" + (f" in {' '.join(lk.namespaces)}" if lk.namespaces else "") for lk in locks))
        rows.append((r.code, r.name, "yes" if a is not None else "no", a.severity.value if a is not None else "-",
                     _p(lock) or "-", r.info.title))
    head = ("CODE", "NAME", "RUNS", "SEVERITY", "LOCKED BY", "TITLE")
    widths = [max(len(row[i]) for row in [*rows, head]) for i in range(5)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head[:5], widths, strict=True)) + "  " + head[5]]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row[:5], widths, strict=True)) + "  " + row[5] for row in rows]
    cfg = settings.config
    sources = " and ".join(x for x in (f"the configuration {cfg.source}" if cfg.source else "",
                                        f"the policy {cfg.policy}" if cfg.policy else "") if x)
    locked = sum(1 for r in settings.registry.rules if settings.plan.locks.get(r.name))
    lines.append(f"\n{len(active)} of {len(rows)} rules run with {_p(sources)}; {locked} locked (the repository "
                 "cannot turn them off, lower their severity or suppress their findings)")
    return "\n".join(lines) + "\n"


def _cmd_explain(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from guardlint.api import resolve_settings
    from guardlint.docs import render_rule

    registry = resolve_settings(config=args.config, use_config_file=args.config is not None,
                                allow_local_plugins=_allow_local_plugins(args), policy=_policy(args)).registry
    r = registry.get(args.rule)
    if r is None:
        from guardlint.input_errors import find, render_page

        doc = find(args.rule)
        if doc is not None:  # input errors are documented like rules
            out.write(render_page(doc))
            return EXIT_OK
        hint = registry.suggest(args.rule)
        err.write(f"guardlint: error: no rule named {args.rule!r}" + (f"; did you mean {hint!r}?" if hint else "")
                  + "\n")
        return EXIT_ERROR
    out.write(render_rule(r))
    return EXIT_OK


def _cmd_docs(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from pathlib import Path

    from guardlint.api import make_registry
    from guardlint.docs import stale_docs, write_docs
    from guardlint.rules.catalog import catalog_is_current, write_catalog
    from guardlint.rules.packs import builtin_rules

    registry = make_registry(entry_points=False, lazy=False)
    builtin = builtin_rules()
    target = Path(args.out)
    if args.check:
        stale = stale_docs(registry, target)
        if not catalog_is_current(builtin):
            stale.append("src/guardlint/rules/_catalog.json, _catalog_docs.json (the rule catalog)")
        if stale:
            err.write("guardlint: rule docs are out of date (run 'guardlint docs'):\n  " + "\n  ".join(stale) + "\n")
            return EXIT_FINDINGS
        out.write(f"{target}: up to date\n")
        return EXIT_OK
    written = write_docs(registry, target)
    if write_catalog(builtin):
        out.write("updated the rule catalog\n")
    out.write(f"wrote {len(written)} pages to {target}\n")
    return EXIT_OK


def _cmd_config(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import json

    from guardlint.api import make_registry, resolve_settings
    from guardlint.config.loader import config_schema, find_config

    if args.config_command == "schema":
        out.write(json.dumps(config_schema(make_registry()), indent=2, sort_keys=True) + "\n")
        return EXIT_OK
    if args.config_command != "validate":
        err.write("guardlint: error: use 'guardlint config validate [FILE...]' or 'guardlint config schema'\n")
        return EXIT_ERROR
    from guardlint.errors import GuardlintError

    policy = _policy(args)
    paths: list[str | None] = list(args.files) or [find_config()]
    if paths == [None] and policy is None:
        err.write("guardlint: error: no .guardlint.yaml found here or in a parent folder\n")
        return EXIT_ERROR
    code = EXIT_OK
    for path in paths:  # every file is checked, even after an invalid one (pre-commit passes several)
        try:
            settings = resolve_settings(config=path, use_config_file=False,
                                        allow_local_plugins=_allow_local_plugins(args), policy=policy)
        except GuardlintError as exc:
            err.write(f"guardlint: error: {exc.command_line()}\n")
            code = EXIT_ERROR
        else:
            from guardlint._printable import printable as _p

            shown = f"{path}: valid" if path is not None else f"{policy}: valid (the policy alone)"
            out.write(_p(shown + (f" with the policy {policy}" if policy is not None and path is not None else ""))
                      + "\n")
            for refusal in settings.config.refusals:  # entries the policy overrides: check reports them as errors
                o = refusal.origin
                out.write(_p(f"{o.file}:{o.line}:{o.column}: overridden: {refusal.message}") + "\n")
    return code


class _ErrorHandler:
    """Turns what a command raises into its message on ``err`` and ``_Exit`` with the exit code (a class rather
    than ``contextlib.contextmanager``: see ``_CollectorPaused``). An exception it does not handle (``SystemExit``,
    any exception with ``GUARDLINT_DEBUG`` set) propagates unchanged."""

    __slots__ = ("_err",)

    def __init__(self, err: TextIO) -> None:
        self._err = err

    def __enter__(self) -> None:
        pass

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if exc is None:
            return
        from guardlint._printable import printable_lines
        from guardlint.errors import GuardlintError

        err = self._err
        if isinstance(exc, GuardlintError):
            # Messages keep the lines they were built with; control characters in them (from file names or
            # values in the input) are escaped, and input-supplied paths with line breaks are refused upstream.
            err.write(f"guardlint: error: {printable_lines(exc.command_line())}\n")
            raise _Exit(EXIT_ERROR) from None
        if isinstance(exc, KeyboardInterrupt):
            err.write("guardlint: interrupted\n")
            raise _Exit(EXIT_INTERRUPTED) from None
        if isinstance(exc, BrokenPipeError):
            raise _Exit(EXIT_OK) from None
        if not isinstance(exc, Exception) or os.environ.get("GUARDLINT_DEBUG"):
            return
        err.write(
            f"guardlint: internal error: {type(exc).__name__}: {exc}\n"
            "  this is a bug; please report it with the input that triggers it (GUARDLINT_DEBUG=1 shows the "
            "traceback)\n"
        )
        raise _Exit(EXIT_INTERNAL) from None


def _print_timings(timings: dict[str, float], err: TextIO) -> None:
    """The time each rule spent on the objects of the run, slowest first, with its share of the rules' total."""
    total = sum(timings.values()) or 1.0
    err.write(f"guardlint: time per rule ({sum(timings.values()):.3f} s in all rules)\n")
    for name, seconds in sorted(timings.items(), key=lambda kv: (-kv[1], kv[0])):
        err.write(f"  {seconds * 1000:10.1f} ms  {seconds / total:6.1%}  {name}\n")


# The positional list each command takes, which may also appear after options (``check a.yaml --no-config b.yaml``).
_TRAILING_POSITIONALS = {("check", None): "paths", ("config", "validate"): "files"}


def _parse_intermixed(parser: argparse.ArgumentParser, args_list: list[str]) -> argparse.Namespace:
    """Parse the command line, accepting paths anywhere among the options, as users type them.

    argparse takes a ``nargs="*"`` positional only from the first run of positionals; later ones come back as
    extras. Those are paths too (after ``--`` anything is a path); an unknown option is still a usage error.
    """
    args, extras = parser.parse_known_args(args_list)
    if not extras:
        return args
    dest = _TRAILING_POSITIONALS.get((args.command, getattr(args, "config_command", None)))
    paths: list[str] = []
    unknown: list[str] = []
    after_separator = False
    for item in extras:
        if after_separator or item == "-" or not item.startswith("-"):
            paths.append(item)
        elif item == "--":
            after_separator = True
        else:
            unknown.append(item)
    if unknown or dest is None:
        parser.error(f"unrecognized arguments: {' '.join(unknown or extras)}")
    setattr(args, dest, [*getattr(args, dest), *paths])
    return args


def _import_yaml() -> None:
    """Import PyYAML (every command does, for its inputs or its configuration): only the part libyaml's parser
    needs, the rest when anything first asks the ``yaml`` package for a name it does not hold yet
    (``guardlint._yamlpart``), and with the regular expressions its modules compile at import compiled on first
    use (``guardlint._lazyre.LazyPattern``) instead.

    guardlint parses with libyaml and resolves plain scalars itself (``guardlint.source.scalars``), so it never
    uses most of PyYAML, and one pattern costs more than the rest of PyYAML's import: the pure-Python reader's
    class of non-printable characters (``yaml.reader.Reader.NON_PRINTABLE``, ranges up to U+10FFFF), about 57 M
    instructions (10 ms) to compile; the resolver's and constructor's nine patterns about 11 M more. A pattern
    anyone uses (a plugin's ``yaml.safe_load``, the pure-Python loader where libyaml is missing) compiles on its
    first use and then runs as compiled. ``re.compile`` is swapped only while PyYAML's modules run and only
    for calls from them (any other call, from another thread included, compiles as before), and put back
    however the import ends; nothing is done when PyYAML is already imported.
    """
    if "yaml" in sys.modules:
        return
    from guardlint._yamlpart import import_parser, with_lazy_patterns

    if not import_parser():
        with_lazy_patterns(_import_plainly)


def _import_plainly() -> None:
    import yaml  # noqa: F401


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line; returns the exit code (never raises, never prints a traceback).

    The cyclic garbage collector is paused for the whole command and left as it was when ``main`` returns
    (``_CollectorPaused``)."""
    with _CollectorPaused():
        return _main(argv, out, err)


def _main(argv: Sequence[str] | None, out: TextIO | None, err: TextIO | None) -> int:
    stdout = out or sys.stdout
    stderr = err or sys.stderr
    args_list = _normalise_argv(sys.argv[1:] if argv is None else argv)
    clash = _option_named_like_a_file(args_list)
    if clash is not None:
        from guardlint._printable import printable

        stderr.write(f"guardlint: error: '{printable(clash)}' is an option and also the name of a file or folder in "
                     "the working folder: a tool that passes file names (pre-commit) would have that file set "
                     "guardlint's options; rename it, or name paths after '--'\n")
        return EXIT_ERROR
    args = _plain_check(args_list)
    if args is None:
        parser = _parser(args_list[0] if args_list[0] in SUBCOMMANDS else None)
        try:
            args = _parse_intermixed(parser, args_list)
        except SystemExit as exc:  # argparse: --help/--version (0) or a usage error (2)
            return int(exc.code) if isinstance(exc.code, int) else EXIT_ERROR
    try:
        with _ErrorHandler(stderr):
            _import_yaml()
            if args.command == "check":
                return _cmd_check(args, stdout, stderr)
            if args.command == "rules":
                return _cmd_rules(args, stdout)
            if args.command == "explain":
                return _cmd_explain(args, stdout, stderr)
            if args.command == "docs":
                return _cmd_docs(args, stdout, stderr)
            if args.command == "config":
                return _cmd_config(args, stdout, stderr)
            _parser().print_help(stdout)
            return EXIT_ERROR
    except _Exit as exit_:
        return exit_.code


def entry() -> None:
    """The ``guardlint`` console script: ``main`` tuned for a short-lived process.

    The cyclic garbage collector runs rarely until ``main`` pauses it from its first step (guardlint's data
    holds no reference cycles worth collecting during one run, and collections during imports cost several
    milliseconds), and the process exits without tearing down every module once the output is flushed: both
    matter on every pre-commit run.
    """
    import gc

    from guardlint._bundle import install

    gc.set_threshold(100_000, 50, 100)  # the bundle's reading, before main pauses the collector
    bundle = install(sys.modules["guardlint"], __version__)  # guardlint's own code read from one file
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    if bundle is not None:
        bundle.save()  # after the output: when this run's imports missed the bundle
    os._exit(code)
