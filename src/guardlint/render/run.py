"""Rendering inside a lint run: split the inputs, render charts and overlays, then map findings back.

``prepare`` runs before the engine: plain inputs stay as they are, files inside a chart or a kustomize
tree are replaced by the rendered output of the charts and overlays they belong to (each rendered once,
however many of its files were named). ``remap`` runs after the engine: each finding on a rendered
object moves to the file and line a person edits and keeps its rendered position; the same finding from
several values sets (or several overlays) becomes one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence

from guardlint._record import NamedTuple
from guardlint.findings import ErrorKind, Finding, InputError, Rendered, Report, SkippedDocument
from guardlint.render.tree import Partition, kustomization_file, repo_root
from guardlint.source.files import DEFAULT_MAX_BYTES, Excludes, Input, as_excludes, display_name
from guardlint.source.loader import Document, LoadedText, load_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

Mapper = Callable[[Finding, Document], Finding]


class Unit(NamedTuple):
    """One rendering: the loaded output (its file name is ``pseudo``) and how to map its findings."""

    pseudo: str
    display: str
    """The chart folder or overlay folder, as reports show files."""
    loaded: LoadedText
    mapper: Mapper
    set_name: str = ""
    """The Helm values set this rendering used ('' for kustomize)."""


class Prepared(NamedTuple):
    raw: list[Input]
    units: list[Unit]
    errors: list[InputError]
    skipped: list[SkippedDocument]


class RenderOptions(NamedTuple):
    enabled: bool = True
    kubernetes_version: tuple[int, int] = (1, 37)
    charts: Any = None
    """The ``charts:`` configuration (``guardlint.render.helm.ChartSettings`` by chart folder)."""
    max_bytes: int = DEFAULT_MAX_BYTES
    excludes: Excludes | tuple[str, ...] = ()
    """The configured exclude patterns (``guardlint.source.files.Excludes``; plain patterns are relative to the
    working directory)."""
    given: tuple[str, ...] = ()
    """The folders the user asked to lint (for a checkout without ``.git``, the limit references may reach)."""
    overrides: tuple[tuple[str, str], ...] = ()
    """(real path, text) of values files to read as that text instead of the file (``--fix`` checking a
    values change before writing it); a rendering with overrides is never cached."""
    locked: bool = False
    """Whether a policy locks rules: what guardlint cannot render as Helm would (a symbolic link in a chart) is
    then an input error rather than a note, since it could hide a locked rule's finding."""


def _dump_stream(objects: Sequence[Any]) -> str:
    import yaml

    dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    parts = [yaml.dump(o, Dumper=dumper, sort_keys=False, default_flow_style=False, allow_unicode=True,
                       width=1_000_000) for o in objects]
    return "".join(f"---\n{p}" for p in parts)


def prepare(parts: Partition, explicit: Sequence[str], options: RenderOptions) -> Prepared:
    """Render what ``parts`` (see ``guardlint.render.tree.partition``) holds. ``explicit`` are the inputs
    named as files (as pre-commit names them): a kustomize base among them renders the overlays of the
    repository that use it."""
    units: list[Unit] = []
    errors: list[InputError] = []
    skipped: list[SkippedDocument] = []
    consumed: set[str] = set()
    raw = list(parts.raw)
    if parts.charts:
        if options.enabled:
            from guardlint.render.helm_run import render_charts

            charts = sorted(set(parts.charts) | set(charts_linking_to(parts.charts, explicit, options)))
            got_units, got_errors = render_charts(charts, options)
            units.extend(got_units)
            errors.extend(got_errors)
            skipped.extend(_unused_values_notes(charts, options))
            links, link_errors = _chart_links(charts, options)
            skipped.extend(links)
            errors.extend(link_errors)
        else:
            # Linted as they are: unrendered templates become notes (``guardlint.api.skip_chart_templates``).
            raw.extend(i for members in parts.charts.values() for i in members)
    if parts.kustomize:
        if options.enabled:
            got_units, got_errors, used, notes = _kustomize(parts.kustomize, explicit, options)
            units.extend(got_units)
            errors.extend(got_errors)
            skipped.extend(notes)
            consumed |= used
        else:
            raw.extend(i for members in parts.kustomize.values() for i in members)
    if consumed:
        raw = [i for i in raw if i.path == "-" or os.path.realpath(i.path) not in consumed]
    return Prepared(raw, units, errors, skipped)


def charts_linking_to(charts: Mapping[str, Sequence[Input]], explicit: Sequence[str], options: RenderOptions
                      ) -> list[str]:
    """For files named one by one (pre-commit) inside charts: the other charts of the repository that reach one
    of them through a symbolic link (``charts/web/charts/common -> ../../../common`` in a monorepo, also through
    a chart that is itself reached so), which render it as Helm follows the link (``chart_files``): a commit that
    changes only the library chart renders the charts that use it, as a full run does. One walk of the repository
    (links not followed, version-control and tool folders and ``exclude`` patterns skipped), made only when a
    named file is in a chart."""
    from guardlint.render.tree import Trees
    from guardlint.source.files import _SKIP_DIRS, within

    named = [os.path.realpath(p) for p in explicit]
    if not charts or not named:
        return []
    root = repo_root(sorted(charts)[0], options.given)
    excludes = as_excludes(options.excludes, None)
    trees = Trees()
    links: list[tuple[str, str]] = []  # (the link's real target, the chart the link is in)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS
                             and excludes.pattern_for(os.path.join(dirpath, d),
                                                      display_name(os.path.join(dirpath, d))) is None)
        for name in (*dirnames, *filenames):
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                continue
            chart = trees.chart_root(dirpath)
            if chart is not None:
                links.append((os.path.realpath(path), chart))
    found: set[str] = set()
    reached = list(named)
    while reached:
        here = reached.pop()
        for target, chart in links:
            if chart not in found and chart not in charts and within(here, target):
                found.add(chart)
                reached.append(os.path.realpath(chart))
    return sorted(found)


def _unused_values_notes(charts: Sequence[str], options: RenderOptions) -> list[SkippedDocument]:
    """A note for each values file of a rendered chart that no values set uses (``unused_values_files``)."""
    from guardlint.render.helm_run import _is_library, unused_values_files

    notes: list[SkippedDocument] = []
    for chart in charts:
        if _is_library(chart, options.max_bytes):
            continue
        for path in unused_values_files(chart, options):
            notes.append(SkippedDocument(display_name(path), 1, unused_values_reason(chart), note=True))
    return notes


def _chart_links(charts: Sequence[str], options: RenderOptions) -> tuple[list[SkippedDocument], list[InputError]]:
    """A note for each symbolic link in a rendered chart that guardlint does not follow, or an input error when
    a policy locks rules. Helm follows every link (a subchart under ``charts/`` linked from elsewhere in a
    monorepo, a file ``.Files.Get`` reads); guardlint follows those that stay inside the repository
    (``guardlint.render.helm.chart_files``) and leaves out one that leads outside it, whose target is missing
    or is not a regular file or folder, or that makes a cycle, so what such a link holds is neither rendered
    nor linted. Under a lock that could hide a locked rule's finding (a privileged pod in a linked subchart), so
    the run cannot pass on it."""
    from guardlint.render.helm import chart_files

    notes: list[SkippedDocument] = []
    errors: list[InputError] = []
    for chart in charts:
        try:
            left_out = chart_files(chart, repo_root(chart, options.given)).left_out
        except OSError:
            continue  # over a bound: the chart is not rendered, and its rendering says so
        for path, reason in left_out:
            what = (f"a symbolic link in the Helm chart {display_name(chart)} that guardlint does not follow "
                    f"({reason}): Helm would follow it, so what it holds is neither rendered nor linted")
            if options.locked:
                errors.append(InputError(
                    ErrorKind.RENDER_FAILED, display_name(path), 1, 1,
                    f"{what}, and the policy locks rules whose findings it could hide",
                    "Replace the link with a copy of its target."))
            else:
                notes.append(SkippedDocument(
                    display_name(path), 1, f"{what} (replace the link with a copy of its target)", note=True))
    return notes, errors


def unused_values_reason(chart: str) -> str:
    return (f"no values set of the Helm chart {display_name(chart)} uses this values file, so the chart is not "
            "rendered with it and its values are not linted (the default sets are values.yaml and "
            "ci/*-values.yaml; list it under 'values-sets' of the chart in the 'charts' setting)")


def _plan_overlays(groups: dict[str, list[Input]], explicit: Sequence[str], options: RenderOptions
                   ) -> tuple[Any, list[str], set[str]]:
    """The kustomize graph of the folders ``groups`` holds, the overlays a run builds for them, and the folders
    considered (those of ``groups`` and, when files are named one by one, every kustomization of the
    repository)."""
    from guardlint.render import kustomize as kz

    affected = sorted(groups)
    root = repo_root(affected[0], options.given)
    universe = set(affected)
    explicit_real = {os.path.realpath(p) for p in explicit}
    if any(os.path.realpath(i.path) in explicit_real for members in groups.values() for i in members):
        # Files named one by one (pre-commit): the overlays that use them may live anywhere in the repository.
        excludes = as_excludes(options.excludes, None)
        universe |= {d for d in kz.scan_kustomizations(root) if excludes.pattern_for(d, display_name(d)) is None}
    graph = kz.build_graph(universe | set(affected), root, options.max_bytes)
    # A folder is built when nothing in the linted set builds on it.
    return graph, kz.overlays_for(affected, graph, universe | set(affected)), universe


def overlays_building(groups: dict[str, list[Input]], explicit: Sequence[str], options: RenderOptions
                      ) -> dict[str, list[str]]:
    """``--show-files``: for each kustomize folder of ``groups``, the overlays (as reports show them) whose build
    reads it, as a run would build them; a folder no built overlay reads (a Component no overlay uses) is
    missing."""
    from guardlint.render import kustomize as kz

    graph, overlays, _ = _plan_overlays(groups, explicit, options)
    found: dict[str, list[str]] = {}
    for overlay in overlays:
        for k in kz.chain(overlay, graph):
            found.setdefault(k.directory, []).append(display_name(overlay))
    return found


def _kustomize(groups: dict[str, list[Input]], explicit: Sequence[str],
               options: RenderOptions) -> tuple[list[Unit], list[InputError], set[str], list[SkippedDocument]]:
    from guardlint.render import kustomize as kz

    affected = sorted(groups)
    graph, overlays, universe = _plan_overlays(groups, explicit, options)
    notes = [
        SkippedDocument(k.display, 1, "a kustomize Component is built only with an overlay that uses "
                        "it, and no linted overlay does: its files were not linted (name an overlay that uses it)",
                        note=True)
        for d in affected
        if (k := graph.nodes.get(d)) is not None and k.is_component
        and not any(p in universe or p in groups for p in graph.parents.get(d, ()))
    ]
    errors: list[InputError] = []
    units: list[Unit] = []
    consumed: set[str] = set()
    tool = kz.find_tool()
    for overlay in overlays:
        members = kz.chain(overlay, graph)
        problems = [p for k in members for p in k.problems]
        for k in members:
            consumed.add(os.path.realpath(k.file))
            consumed.update(k.files)
        display = display_name(overlay)
        if problems:
            errors.extend(problems)
            continue
        if tool is None:
            errors.append(InputError(
                ErrorKind.NO_RENDERER, display_name(kustomization_file(overlay) or overlay), 1, 1,
                "this kustomize overlay cannot be built: neither 'kustomize' nor 'kubectl' is on PATH",
                "install kustomize (https://kubectl.docs.kubernetes.io/installation/kustomize/) or kubectl, "
                "or set 'render: false' in .guardlint.yaml (or pass --no-render) to lint its files as they are",
            ))
            continue
        built = kz.build(overlay, tool, max_bytes=options.max_bytes)
        if isinstance(built, int):
            errors.append(InputError(
                ErrorKind.TOO_LARGE, display_name(kustomization_file(overlay) or overlay), 1, 1,
                f"what the kustomize overlay {display} builds is over the {built / 1048576:g} MB limit (the build "
                "was stopped there); nothing was linted for this overlay",
                hint="raise 'max-file-size-mb' in .guardlint.yaml (or pass --max-file-size MB) if the overlay really "
                     "builds this much"))
            continue
        if isinstance(built, str):
            errors.append(kz.failure(overlay, built, members, options.max_bytes))
            continue
        for origin in built.origins:
            for key in ("path", "configuredIn"):
                if isinstance(origin.get(key), str):
                    consumed.add(os.path.realpath(origin[key]))
        units.append(_kustomize_unit(overlay, display, built, members, options))
    return units, errors, consumed, notes


def _kustomize_unit(overlay: str, display: str, built: Any, members: Any, options: RenderOptions) -> Unit:
    from guardlint.render import cache
    from guardlint.render.kmap import KustomizeMapper
    from guardlint.render.tree import repo_root

    text = _dump_stream(built.objects)
    # Not kept in a cache folder inside the repository (cache.outside): a later run would lint it as a file.
    stored = cache.store_stream(text) if cache.outside(repo_root(overlay, options.given), os.getcwd(),
                                                       *options.given) else ""
    pseudo = display
    loaded = load_text(text, pseudo, nodes=False)
    docs = [d for d in loaded.documents if d.data is not None]
    mapper = KustomizeMapper(f"kustomize overlay {display}", stored, docs, built, members, options.max_bytes)
    return Unit(pseudo, display, loaded, mapper)


def remap(report: Report, units: Sequence[Unit]) -> Report:
    """Move findings on rendered objects to the edited files; merge duplicates across values sets."""
    if not units:
        return report
    by_pseudo = {u.pseudo: u for u in units}
    docs: dict[tuple[str, int], Document] = {
        (u.pseudo, d.index): d for u in units for d in u.loaded.documents
    }
    rank = {u.set_name: i for i, u in reversed(list(enumerate(units)))}
    out: list[Finding] = []
    merged: dict[tuple[Any, ...], int] = {}
    for f in report.findings:
        unit = by_pseudo.get(f.file)
        doc = docs.get((f.file, f.document_index)) if unit is not None else None
        if unit is None or doc is None:
            out.append(f)
            continue
        g = unit.mapper(f, doc)
        key = (g.file, g.location, g.rule, g.path, g.message, g.suppressed)
        at = merged.get(key)
        if at is None:
            merged[key] = len(out)
            out.append(g)
            continue
        first = out[at]
        if first.rendered is not None and g.rendered is not None:
            sets = tuple(sorted(set(first.rendered.sets) | set(g.rendered.sets), key=lambda s: (rank.get(s, 0), s)))
            out[at] = first._replace(rendered=first.rendered._replace(sets=sets))
    files = {u.pseudo: u.display for u in units}
    return report._replace(
        findings=tuple(sorted(out, key=Finding.sort_key)),
        files=tuple(sorted({files.get(x, x) for x in report.files})),
    )


def rendered_of(f: Finding, source: str, stored: str, *, sets: tuple[str, ...] = ()) -> Rendered:
    return Rendered(source, stored, f.location, sets)
