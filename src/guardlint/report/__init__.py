"""Reporters: pure functions from a Report to text. The CLI writes the text to stdout or ``--output``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from guardlint._record import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from guardlint.findings import Finding, Report, Severity
    from guardlint.rules.registry import Registry

FORMATS = ("text", "concise", "full", "json", "sarif", "junit", "github", "gitlab")
"""The report formats; ``text`` is the default (see "Output formats" in ``README.md``; the JSON contract is
``schemas/report.schema.json``)."""


class ExitPolicy(NamedTuple):
    """What fails a run (its exit status; see ``Report.exit_code``): active findings at or above ``fail_on``
    (None: none), input errors unless ``allow_input_errors``, no object at all unless ``allow_no_objects``."""

    fail_on: Severity | None
    allow_no_objects: bool = False
    allow_input_errors: bool = False


class RenderOptions(NamedTuple):
    registry: Registry
    color: bool = False
    verbose: bool = False
    show_suppressed: bool = False
    tool_version: str = ""
    sources: Mapping[str, str] = MappingProxyType({})
    """The text of the files findings are on, for the ``full`` format's code frames (file name -> text)."""
    patches: Mapping[tuple[str, int, int, str, str], str] = MappingProxyType({})
    """For the JSON report: the unified diff of each fixable finding's fix alone, by ``patch_key``."""
    unfixable: frozenset[FixKey] = frozenset()
    """The findings (by ``fix_key``) whose fix ``--fix`` refuses: their file is one it leaves alone (hard
    links, read-only, another owner...), or a ``--fix`` of this run refused them. The text formats do not
    count them as fixable."""
    exit_policy: ExitPolicy | None = None
    """What fails the run, for the JUnit report, which then marks as failures and errors only what fails it (the
    CLI passes its ``--fail-on``, ``--allow-no-objects`` and ``--allow-input-errors``). None: every active
    finding is a failure and every input error an error."""


FixKey = tuple[str, str, object, tuple[object, ...]]
"""A finding's file, rule, object and field path: it names the finding before and after ``--fix`` (whose
edits move lines)."""


def fix_key(f: Finding) -> FixKey:
    """The key of a finding in ``RenderOptions.unfixable``."""
    return (f.file, f.rule, f.resource, f.path)


def from_checkout_root(report: Report) -> Report:
    """``report`` with its file names relative to the root of the git checkout that holds the working directory,
    for the formats GitHub reads (SARIF for code scanning, workflow annotations): GitHub resolves a relative
    path from the repository's root, so a run in a subfolder (``working-directory: deploy``) would otherwise
    point at files that do not exist there, and an absolute name (a file above the working directory) at none.
    The report itself outside any checkout, or at its root when no name is absolute; standard input and files
    outside the checkout keep their names."""
    import os

    from guardlint.source.files import nearest_checkout

    cwd = os.getcwd()
    root = nearest_checkout(cwd)
    names = {f.file for f in report.findings} | {e.file for e in report.errors}
    if root is None or (root == cwd and not any(os.path.isabs(n) for n in names)):
        return report

    def moved(name: str) -> str:
        if name == "-" or name.startswith("<"):
            return name
        relative = os.path.relpath(os.path.join(cwd, name), root)
        if relative == os.pardir or relative.startswith(os.pardir + os.sep):
            return name  # outside the checkout
        return relative.replace(os.sep, "/")

    new = {n: moved(n) for n in names}
    return report._replace(findings=tuple(f._replace(file=new[f.file]) for f in report.findings),
                           errors=tuple(e._replace(file=new[e.file]) for e in report.errors))


def patch_key(f: Finding) -> tuple[str, int, int, str, str]:
    """The key of a finding in ``RenderOptions.patches``."""
    return (f.file, f.line, f.column, f.rule, f.message)


def render(report: Report, fmt: str, options: RenderOptions) -> str:
    """Render ``report`` in format ``fmt`` (one of FORMATS)."""
    if fmt == "text":
        from guardlint.report.text import render_text

        return render_text(report, options)
    if fmt == "concise":
        from guardlint.report.text import render_concise

        return render_concise(report, options)
    if fmt == "full":
        from guardlint.report.text import render_full

        return render_full(report, options)
    if fmt == "gitlab":
        from guardlint.report.gitlab import render_gitlab

        return render_gitlab(report, options)
    if fmt == "json":
        from guardlint.report.json import render_json

        return render_json(report, options)
    if fmt == "sarif":
        from guardlint.report.sarif import render_sarif

        return render_sarif(report, options)
    if fmt == "junit":
        from guardlint.report.junit import render_junit

        return render_junit(report, options)
    if fmt == "github":
        from guardlint.report.github import render_github

        return render_github(report, options)
    raise ValueError(f"unknown format {fmt!r}")


STREAMED_FORMATS = ("json", "sarif")
"""The formats ``write_report`` writes a finding at a time; the others are rendered whole first."""


def write_report(report: Report, fmt: str, options: RenderOptions, write: Callable[[str], object]) -> None:
    """Write the text ``render`` returns through ``write``. The machine formats (JSON and SARIF) are written a
    finding at a time, so a large report's text (and each finding's record) never exists whole in memory."""
    if fmt == "json":
        from guardlint.report.json import write_json

        write_json(report, options, write)
    elif fmt == "sarif":
        from guardlint.report.sarif import write_sarif

        write_sarif(report, options, write)
    else:
        write(render(report, fmt, options))
