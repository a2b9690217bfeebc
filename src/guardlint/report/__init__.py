"""Reporters: pure functions from a Report to text. The CLI writes the text to stdout or ``--output``."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from guardlint.findings import Report
    from guardlint.rules.registry import Registry

FORMATS = ("text", "json", "sarif", "junit", "github")


class RenderOptions(NamedTuple):
    registry: Registry
    color: bool = False
    verbose: bool = False
    show_suppressed: bool = False
    tool_version: str = ""


def render(report: Report, fmt: str, options: RenderOptions) -> str:
    """Render ``report`` in format ``fmt`` (one of FORMATS)."""
    if fmt == "text":
        from guardlint.report.text import render_text

        return render_text(report, options)
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
