"""Helm charts inside a lint run: values sets, cached rendering, and findings mapped to template and values lines."""

from __future__ import annotations

import glob
import json
import os
import re
from collections.abc import Mapping, Sequence

from guardlint._record import NamedTuple
from guardlint.findings import ErrorKind, Finding, InputError, Location, Rendered
from guardlint.model.paths import FieldPath
from guardlint.render import cache
from guardlint.render.helm import (
    MARKER_RE,
    OUTPUT_OVER_LIMIT,
    Renderer,
    RenderError,
    Rendering,
    find_renderer,
    render,
)
from guardlint.render.tree import CHART_FILE, inside, repo_root
from guardlint.render.values import UNKNOWN, ValuesFile, deep_merge, find_value, set_paths
from guardlint.source.files import (
    Input,
    NotRegularFile,
    display_name,
    leaves_repository,
    read_input,
    read_regular_file,
)
from guardlint.source.loader import Document, load_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint.render.run import RenderOptions, Unit

CACHE_VERSION = "guardlint-helm-1"
INSTALL_HINT = (
    "install Helm (the 'helm' binary on PATH, https://helm.sh/docs/intro/install/) or the in-process renderer "
    "with pip install 'guardlint[helm]'; or set 'render: false' in .guardlint.yaml (or pass --no-render) to skip "
    "chart templates"
)
_VALUES_REF = re.compile(r"\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")
_INCLUDE = re.compile(r"\binclude\s+\"([^\"]+)\"\s*(\.Values(?:\.[A-Za-z_][A-Za-z0-9_]*)+)?")
_DEFINE = re.compile(r"\{\{-?\s*define\s+\"([^\"]+)\"\s*-?\}\}(.*?)\{\{-?\s*end\s*-?\}\}", re.S)
_EMITTERS = ("toYaml", "include", "nindent", "indent", "tpl", "template ")


class ChartSettings(NamedTuple):
    release: str = "release"
    namespace: str = "default"
    sets: tuple[tuple[str, tuple[str, ...]], ...] | None = None
    set_exprs: tuple[str, ...] = ()
    api_versions: tuple[str, ...] = ()
    source: str = ""


def _settings_for(chart: str, options: RenderOptions) -> ChartSettings:
    config = options.charts
    entries: Mapping[str, Any] = getattr(config, "charts", {}) or {}
    base = getattr(config, "base_dir", ".") or "."
    for key, entry in entries.items():
        if os.path.normpath(os.path.abspath(os.path.join(base, key))) != os.path.normpath(chart):
            continue
        sets = entry.get("values-sets")
        return ChartSettings(
            release=str(entry.get("release", "release")),
            namespace=str(entry.get("namespace", "default")),
            sets=tuple((str(n), tuple(str(f) for f in files)) for n, files in sets.items()) if sets else None,
            set_exprs=tuple(str(s) for s in entry.get("set", ())),
            api_versions=tuple(str(a) for a in entry.get("api-versions", ())),
            source=display_name(str(getattr(config, "source", "") or "")) if getattr(config, "source", None) else "",
        )
    return ChartSettings()


def _error(file: str, message: str, line: int = 1, column: int = 1, hint: str = "") -> InputError:
    return InputError(ErrorKind.RENDER_FAILED, file, line, column, message, hint)


def _load_doc(path: str, max_bytes: int, overrides: Sequence[tuple[str, str]] = ()
              ) -> tuple[Document | None, InputError | None]:
    display = display_name(path)
    escape = leaves_repository(path)
    if escape is not None:  # Chart.yaml or a values file linking out of the checkout: never read
        return None, InputError(ErrorKind.UNREADABLE, display, 1, 1, (
            f"a symbolic link to a file outside the repository ({escape}): not read; guardlint does not read "
            "outside the repository it lints"))
    real = os.path.realpath(path)
    text = next((t for p, t in overrides if p == real), None)
    if text is None:
        result = read_input(Input(path, display), max_bytes)
        if result.error is not None:
            return None, result.error
        text = result.text or ""
    loaded = load_text(text, display)
    if loaded.errors:
        return None, loaded.errors[0]
    docs = [d for d in loaded.documents if d.data is not None]
    return (docs[0] if docs else None), None


def missing_dependencies(chart: str, max_bytes: int, root: str | None = None) -> list[InputError]:
    """Dependencies Chart.yaml declares that are not in ``charts/`` (as a folder or a packaged .tgz) of the copy
    Helm renders (``chart_files``: a subchart reached through a symbolic link that leaves ``root`` is not in it,
    and ``helm template`` refuses a chart whose dependency is missing)."""
    from fnmatch import fnmatchcase

    from guardlint.render.helm import chart_files

    doc, err = _load_doc(os.path.join(chart, CHART_FILE), max_bytes)
    if err is not None:
        return [err]
    if doc is None or not isinstance(doc.data, dict) or not isinstance(doc.data.get("dependencies"), list):
        return []
    charts_dir = os.path.join(chart, "charts")
    lock = os.path.isfile(os.path.join(chart, "Chart.lock"))
    try:
        present = {rel.replace(os.sep, "/") for rel, _ in chart_files(chart, root).files}
    except OSError:
        return []  # over a bound: schema_references reports it
    out: list[InputError] = []
    for i, dep in enumerate(doc.data["dependencies"]):
        if not isinstance(dep, dict) or not isinstance(dep.get("name"), str):
            continue
        name = dep["name"]
        if f"charts/{name}/{CHART_FILE}" in present:
            continue
        if any(fnmatchcase(rel, f"charts/{glob.escape(name)}-*.tgz") and rel.count("/") == 1 for rel in present):
            continue
        loc, _ = doc.locate(("dependencies", i))
        source = "Chart.lock" if lock else "Chart.yaml"
        out.append(_error(
            doc.file, f"dependency {name!r} (listed in {source}) is not in {display_name(charts_dir)}/; guardlint "
            "renders offline and never downloads charts", loc.line, loc.column,
            hint=f"run 'helm dependency build {display_name(chart)}' and commit or restore charts/",
        ))
    return out


def kube_version_error(chart: str, max_bytes: int, target: tuple[int, int]) -> InputError | None:
    """The error ``helm template --kube-version`` gives for a chart whose ``kubeVersion`` range does not admit the
    target version (the in-process renderer does not check it), on that line of ``Chart.yaml``."""
    from guardlint.render.kubeversion import admits

    doc, _ = _load_doc(os.path.join(chart, CHART_FILE), max_bytes)
    constraint = doc.data.get("kubeVersion") if doc is not None and isinstance(doc.data, dict) else None
    if doc is None or not isinstance(constraint, str) or admits(constraint, target) is not False:
        return None
    loc, _ = doc.locate(("kubeVersion",))
    version = "v{}.{}.0".format(*target)
    return _error(doc.file, f"chart requires kubeVersion: {constraint} which is incompatible with Kubernetes "
                  f"{version}, the target version (kubernetes-version); the chart is not rendered",
                  loc.line, loc.column, hint="lint for a version the chart supports (--kubernetes-version), or widen "
                  "kubeVersion in Chart.yaml if the chart works on this version")


def _is_library(chart: str, max_bytes: int) -> bool:
    doc, _ = _load_doc(os.path.join(chart, CHART_FILE), max_bytes)
    return doc is not None and isinstance(doc.data, dict) and doc.data.get("type") == "library"


def unused_values_files(chart: str, options: RenderOptions) -> list[str]:
    """The values files of ``chart`` that no values set uses, as real paths: YAML files in the chart's folder
    whose name holds ``values`` (``values-prod.yaml``, the files an Argo CD Application or a Flux HelmRelease
    names) and YAML files in ``ci/``, other than ``values.yaml`` and the files of the chart's values sets (the
    default ones, or those configured under ``charts:``). Nothing lints them: each one is named in a note."""
    settings = _settings_for(chart, options)
    sets = list(settings.sets) if settings.sets is not None else _default_sets(chart)
    used = {os.path.realpath(os.path.join(chart, "values.yaml"))}
    used.update(os.path.realpath(os.path.join(chart, rel)) for _, files in sets for rel in files)
    candidates: list[str] = []
    for folder, only_values in ((chart, True), (os.path.join(chart, "ci"), False)):
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            path = os.path.join(folder, name)
            if not name.endswith((".yaml", ".yml")) or (only_values and "values" not in name.lower()):
                continue
            if os.path.isfile(path) and os.path.realpath(path) not in used:
                candidates.append(os.path.realpath(path))
    return candidates


def _default_sets(chart: str) -> list[tuple[str, tuple[str, ...]]]:
    sets: list[tuple[str, tuple[str, ...]]] = [("values.yaml", ())]
    for path in sorted(glob.glob(os.path.join(glob.escape(chart), "ci", "*-values.yaml"))):
        rel = os.path.relpath(path, chart).replace(os.sep, "/")
        sets.append((rel, (rel,)))
    return sets


def _chart_digest(chart: str, root: str) -> str:
    """A digest of every file of the chart as Helm reads it (``chart_files``: symbolic links inside ``root``
    followed, so a change in a linked subchart is a new digest). ``OSError`` when the chart is over a bound."""
    from guardlint.render.helm import MAX_CHART_BYTES, chart_files

    parts: list[bytes | str] = []
    total = 0
    for rel, path in chart_files(chart, root).files:
        parts.append(rel)
        try:
            with open(path, "rb") as fh:
                data = fh.read(MAX_CHART_BYTES + 1 - total)
        except OSError:
            data = b"\0unreadable"
        total += len(data)
        if total > MAX_CHART_BYTES:
            raise OSError(f"the chart is larger than {MAX_CHART_BYTES // 1048576} MiB")
        parts.append(data)
    return cache.digest(*parts)


_META_SCHEMAS = re.compile(r"^https?://json-schema\.org/(?:draft-0[4-7]/schema|draft/(?:2019-09|2020-12)/schema)#?$")
"""The meta-schemas Helm's JSON Schema library holds itself (any other ``$schema`` it loads from where it points)."""
_LOADING_KEYS = ("$ref", "$dynamicRef", "$recursiveRef")
_ARCHIVE_DEPTH = 3
"""Packaged subcharts inside packaged subcharts are looked into this deep; deeper archives are refused."""


def schema_references(chart: str, max_bytes: int, root: str | None = None) -> list[InputError]:
    """One ``render-failed`` error for each reference in the ``values.schema.json`` of the chart or of a subchart
    (a folder or a ``.tgz`` under ``charts/``, also through a symbolic link inside ``root`` that Helm would
    follow: ``chart_files``) that Helm would load to validate the values: a ``$ref`` that is not a fragment of
    the same file (``#/...``), or a ``$schema`` that is not a standard meta-schema. Helm fetches a URL (a loopback
    address too: no proxy stops it) and reads a ``file://`` or relative path wherever it leads, so such a chart
    is not rendered."""
    from guardlint.render.helm import chart_files

    errors: list[InputError] = []
    try:
        listed = chart_files(chart, root)
    except OSError as exc:
        return [_error(display_name(os.path.join(chart, CHART_FILE)), f"{exc}; it is not rendered")]
    for rel, real in listed.files:
        *folders, name = rel.split(os.sep)
        # The chart's own folder, or a subchart's: charts/<name>/charts/<name>/...
        in_chart = len(folders) % 2 == 0 and all(f == "charts" for f in folders[::2])
        in_charts = len(folders) % 2 == 1 and all(f == "charts" for f in folders[::2])
        display = display_name(os.path.join(chart, rel))
        if name == "values.schema.json" and in_chart:
            result = read_input(Input(real, display), max_bytes)
            if result.error is None:
                loaded = load_text(result.text or "", display)
                for doc in loaded.documents[:1]:
                    for path, key, value in _loading_references(doc.data):
                        location, _ = doc.locate(path)
                        errors.append(_schema_error(display, location.line, location.column, display, key, value))
        elif name.endswith(".tgz") and in_charts:
            errors.extend(_archive_references(real, max_bytes, display))
    return errors


def _archive_references(archive: str, max_bytes: int, display: str | None = None) -> list[InputError]:
    """``schema_references`` for a packaged subchart: every ``values.schema.json`` in it, and in the archives it
    packs (bounded: members over ``max_bytes``, and archives deeper than ``_ARCHIVE_DEPTH``, are refused)."""
    import io
    import tarfile

    display = display if display is not None else display_name(archive)
    errors: list[InputError] = []

    def walk(fileobj: Any, where: str, depth: int) -> None:
        try:
            with tarfile.open(fileobj=fileobj, mode="r:*") as tar:
                for member in tar:
                    if not member.isfile():
                        continue
                    schema, packed = member.name.endswith("values.schema.json"), member.name.endswith(".tgz")
                    if not (schema or packed):
                        continue
                    if member.size > max_bytes or (packed and depth >= _ARCHIVE_DEPTH):
                        errors.append(_error(display, f"{where}{member.name} is not looked into (too large or "
                                             "packed too deep); the chart is not rendered"))
                        continue
                    data = tar.extractfile(member)
                    raw = data.read(max_bytes + 1) if data is not None else b""
                    if packed:
                        walk(io.BytesIO(raw), f"{where}{member.name}: ", depth + 1)
                        continue
                    try:
                        parsed = json.loads(raw)
                    except ValueError:
                        continue  # Helm reports a schema it cannot parse
                    for _path, key, value in _loading_references(parsed):
                        errors.append(_schema_error(display, 1, 1, where + member.name, key, value))
        except (tarfile.TarError, OSError, EOFError) as exc:
            errors.append(_error(display, f"{where}cannot be read as a packaged chart: {exc}"))

    with open(archive, "rb") as fh:
        walk(fh, "", 1)
    return errors


def _loading_references(data: Any) -> list[tuple[FieldPath, str, str]]:
    """The (path, key, value) of each reference in a JSON Schema that its validator would load from elsewhere."""
    found: list[tuple[FieldPath, str, str]] = []
    stack: list[tuple[FieldPath, Any]] = [((), data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if not isinstance(value, str):
                    stack.append(((*path, key), value))
                elif (key in _LOADING_KEYS and not value.startswith("#")) or (
                        key == "$schema" and not _META_SCHEMAS.match(value)):
                    found.append(((*path, key), key, value))
        elif isinstance(node, list):
            stack.extend(((*path, i), item) for i, item in enumerate(node))
    return sorted(found, key=lambda f: [str(p) for p in f[0]])


def _schema_error(file: str, line: int, column: int, schema: str, key: str, value: str) -> InputError:
    return _error(file, f"{schema}: {key} {value!r} would be loaded by Helm to validate the values (fetched from "
                  "the network, or read from a file wherever the path leads); guardlint never contacts the network "
                  "or reads outside the repository, so the chart is not rendered", line, column,
                  "put the definitions the schema needs in the file itself ('$defs') and refer to them as "
                  "'#/$defs/...', or exclude this chart")


def render_charts(charts: Sequence[str], options: RenderOptions) -> tuple[list[Unit], list[InputError]]:
    units: list[Unit] = []
    errors: list[InputError] = []
    renderer: Renderer | None = None
    looked = False
    for chart in charts:
        chart_display = display_name(chart)
        if _is_library(chart, options.max_bytes):
            continue  # a library chart renders nothing of its own; it is linted through the charts using it
        missing = missing_dependencies(chart, options.max_bytes, repo_root(chart, options.given))
        if missing:
            errors.extend(missing)
            continue
        refused = schema_references(chart, options.max_bytes, repo_root(chart, options.given))
        if refused:
            errors.extend(refused)
            continue
        incompatible = kube_version_error(chart, options.max_bytes, options.kubernetes_version)
        if incompatible is not None:
            errors.append(incompatible)
            continue
        if not looked:
            renderer, looked = find_renderer(), True
        if renderer is None:
            errors.append(InputError(
                ErrorKind.NO_RENDERER, display_name(os.path.join(chart, CHART_FILE)), 1, 1,
                "this Helm chart cannot be rendered: no 'helm' binary on PATH and helm-python-sdk is not installed",
                INSTALL_HINT,
            ))
            continue
        got_units, got_errors = _render_chart(chart, chart_display, renderer, options)
        units.extend(got_units)
        errors.extend(got_errors)
    return units, errors


def _render_chart(chart: str, chart_display: str, renderer: Renderer,
                  options: RenderOptions) -> tuple[list[Unit], list[InputError]]:
    settings = _settings_for(chart, options)
    root = repo_root(chart, options.given)
    where = settings.source or display_name(os.path.join(chart, CHART_FILE))
    sets = list(settings.sets) if settings.sets is not None else _default_sets(chart)
    errors: list[InputError] = []
    units: list[Unit] = []
    # Renderings are cached only where the repository cannot write them (cache.outside) and only for the files
    # as committed (an override is a pre-commit's edited copy).
    trusted = cache.outside(root, os.getcwd(), *options.given)
    use_cache = trusted and not options.overrides
    try:
        chart_digest = _chart_digest(chart, root)
    except OSError as exc:
        return [], [_error(display_name(os.path.join(chart, CHART_FILE)), f"{exc}; it is not rendered")]
    base_values, err = _load_doc(os.path.join(chart, "values.yaml"), options.max_bytes, options.overrides) \
        if os.path.isfile(os.path.join(chart, "values.yaml")) else (None, None)
    if err is not None:
        return [], [err]
    real_chart = os.path.realpath(chart)
    seen_errors: dict[tuple[str, int, str], int] = {}
    for set_name, files in sets:
        docs: list[Document | None] = []
        values: dict[str, Any] = {}
        bad = False
        for rel in files:
            path = os.path.normpath(os.path.join(chart, rel))
            if not inside(path, root):
                errors.append(_error(where, f"values file {rel!r} of chart {chart_display} is outside the repository"))
                bad = True
                break
            if not os.path.isfile(path):
                errors.append(_error(where, f"values file {rel!r} of chart {chart_display} is not a regular file"))
                bad = True
                break
            doc, derr = _load_doc(path, options.max_bytes, options.overrides)
            if derr is not None:
                errors.append(derr)
                bad = True
                break
            if doc is not None and not isinstance(doc.data, dict):
                errors.append(_error(doc.file, "a values file must be a mapping", doc.content_line))
                bad = True
                break
            docs.append(doc)
            if doc is not None:
                values = deep_merge(values, doc.data)
        if bad:
            continue
        key = cache.digest(CACHE_VERSION, renderer.name, renderer.version, chart_digest,
                           json.dumps(values, sort_keys=True, default=str), settings.release, settings.namespace,
                           "{}.{}".format(*options.kubernetes_version), *settings.api_versions, "\0",
                           *settings.set_exprs)
        inside_chart = tuple((os.path.relpath(p, real_chart), t) for p, t in options.overrides
                             if inside(p, real_chart))
        rendering = _cached(key) if use_cache else None
        if rendering is None:
            rendering = render(renderer, chart, values, release=settings.release, namespace=settings.namespace,
                               kube_version=options.kubernetes_version, api_versions=settings.api_versions,
                               sets=settings.set_exprs, overrides=inside_chart, root=root,
                               max_bytes=options.max_bytes)
            stopped = rendering.error is not None and rendering.error.message.startswith(OUTPUT_OVER_LIMIT)
            if use_cache and not stopped:  # a stop depends on max-file-size-mb, which the key leaves out
                cache.put(key, json.dumps({
                    "templates": rendering.templates, "files": rendering.marker_files,
                    "error": list(rendering.error) if rendering.error is not None else None,
                }))
        if rendering.error is not None and rendering.error.message.startswith(OUTPUT_OVER_LIMIT):
            errors.append(InputError(
                ErrorKind.TOO_LARGE, display_name(os.path.join(chart, CHART_FILE)), 1, 1,
                f"what the Helm chart {chart_display} renders with values set {set_name} is over the "
                f"{options.max_bytes / 1048576:g} MB limit ({rendering.error.message}); "
                "nothing was linted for this values set",
                hint="raise 'max-file-size-mb' in .guardlint.yaml (or pass --max-file-size MB) if the chart really "
                     "renders this much"))
            continue
        if rendering.error is not None:
            e = _located(rendering.error, chart, chart_display, set_name)
            if rendering.error.template is None and _SCHEMA_FAILED in rendering.error.message:
                chain = _values_chain(chart, base_values, docs, options.max_bytes, options.overrides)
                e = _schema_error_located(e, chart, chain, options.max_bytes)
            k = (e.file, e.line, rendering.error.message)
            if k not in seen_errors:
                seen_errors[k] = len(errors)
                errors.append(e)
            continue
        too_large = _too_large(rendering, chart, set_name, options.max_bytes)
        if too_large is not None:
            errors.append(too_large)
            continue
        value_files = _values_chain(chart, base_values, docs, options.max_bytes, options.overrides)
        units.append(_unit(chart, chart_display, set_name, rendering, value_files, set_paths(settings.set_exprs),
                           trusted))
    return units, errors


def _too_large(rendering: Rendering, chart: str, set_name: str, max_bytes: int) -> InputError | None:
    """A ``file-too-large`` error when what a values set renders is over the file-size limit, as a file of that
    size would be: a template can write without bound (``repeat``, ``range until``), and loading and linting the
    output is what would then take the time and memory. At the largest template, which says where it comes
    from. The size counts characters of the output as rendered, guardlint's line markers included."""
    sizes = {key: len(text) for key, text in rendering.templates.items() if not key.endswith("NOTES.txt")}
    if sum(sizes.values()) <= max_bytes:
        return None
    largest = max(sorted(sizes), key=lambda k: sizes[k])
    rel = largest.split("/", 1)[1] if "/" in largest else largest
    limit = f"{max_bytes / 1048576:g} MB"
    return InputError(
        ErrorKind.TOO_LARGE, display_name(os.path.join(chart, rel)), 1, 1,
        f"what the Helm chart {display_name(chart)} renders with values set {set_name} is over the {limit} limit "
        f"(the largest part, {sizes[largest] / 1048576:.1f} MB, from this template); nothing was linted for this "
        "values set",
        hint="raise 'max-file-size-mb' in .guardlint.yaml (or pass --max-file-size MB) if the chart really renders "
             "this much")


def _cached(key: str) -> Rendering | None:
    text = cache.get(key)
    if text is None:
        return None
    try:
        data = json.loads(text)
        error = RenderError(*data["error"]) if data["error"] else None
        return Rendering(dict(data["templates"]), {int(k): v for k, v in data["files"].items()}, error)
    except (ValueError, KeyError, TypeError):
        return None


def _located(error: RenderError, chart: str, chart_display: str, set_name: str) -> InputError:
    file = display_name(os.path.join(chart, "Chart.yaml"))
    if error.template:
        rel = error.template.split("/", 1)[1] if "/" in error.template else error.template
        file = display_name(os.path.join(chart, rel))
    return _error(file, f"helm template failed (values set {set_name}): {error.message}", error.line, error.column,
                  hint="fix the template or the values; nothing was linted for this values set")


_SCHEMA_FAILED = "values don't meet the specifications of the schema"
_SCHEMA_AT = re.compile(r"(?:(?P<chart>[\w.-]+): )?- at '(?P<pointer>[^']*)': (?P<what>missing propert(?:y|ies) "
                        r"'(?P<missing>[^']+)')?")


def _schema_error_located(error: InputError, chart: str, chain: Sequence[ValuesFile], max_bytes: int
                          ) -> InputError:
    """A ``values.schema.json`` violation (which Helm reports without a file) moved to the values line that sets
    the value the schema rejects: the last values file of the set that sets it (a missing required property
    set to null there counts), else line 1 of the ``values.schema.json`` of the chart that demands it."""
    doc, _ = _load_doc(os.path.join(chart, CHART_FILE), max_bytes)
    top = doc.data.get("name") if doc is not None and isinstance(doc.data, dict) else None
    current = top
    schema_of: str | None = None
    for m in _SCHEMA_AT.finditer(error.message):
        current = m.group("chart") or current
        prefix: tuple[str | int, ...] = () if current == top or current is None else (current,)
        parts: list[str | int] = []
        for raw in m.group("pointer").split("/")[1:]:
            part = raw.replace("~1", "/").replace("~0", "~")
            parts.append(int(part) if part.isdigit() else part)
        path = (*prefix, *parts, *((m.group("missing"),) if m.group("missing") else ()))
        for vf in reversed(chain):
            if vf.document is None or tuple(path[: len(vf.prefix)]) != vf.prefix:
                continue
            inner = path[len(vf.prefix):]
            if _get(vf.document.data, inner)[0]:
                loc, _ = vf.document.locate(inner)
                return error._replace(file=vf.display, line=loc.line, column=loc.column)
        if schema_of is None:
            folder = chart if not prefix else os.path.join(chart, "charts", str(prefix[0]))
            schema = os.path.join(folder, "values.schema.json")
            schema_of = display_name(schema) if os.path.isfile(schema) else ""
    if schema_of:
        return error._replace(file=schema_of, line=1, column=1)
    return error


def _values_chain(chart: str, base: Document | None, set_docs: Sequence[Document | None],
                  max_bytes: int, overrides: Sequence[tuple[str, str]] = ()) -> list[ValuesFile]:
    """Lowest precedence first: subcharts' own values.yaml (under their name), the chart's, the set's files."""
    out: list[ValuesFile] = []
    for path in sorted(glob.glob(os.path.join(glob.escape(chart), "charts", "*", "values.yaml"))):
        doc, _ = _load_doc(path, max_bytes, overrides)
        out.append(ValuesFile(display_name(path), doc, (os.path.basename(os.path.dirname(path)),)))
    if base is not None:
        out.append(ValuesFile(base.file, base, ()))
    out.extend(ValuesFile(d.file, d, ()) for d in set_docs if d is not None)
    return out


def _stream(rendering: Rendering) -> tuple[str, dict[int, tuple[int, int]]]:
    """A ``helm template``-like stream and, per stream line, the (marker file id, template line) that wrote it."""
    out: list[str] = []
    line_map: dict[int, tuple[int, int]] = {}
    for key in sorted(rendering.templates):
        text = rendering.templates[key]
        if key.endswith("NOTES.txt"):
            continue
        for doc in re.split(r"(?m)^---[ \t]*(?: ?#@gl:\d+:\d+)*[ \t]*$", text):
            lines = doc.strip("\n").split("\n")
            content = [MARKER_RE.sub("", ln) for ln in lines]
            if not any(c.strip() and not c.lstrip().startswith("#") for c in content):
                continue
            out.append("---")
            out.append(f"# Source: {key}")
            for raw, clean in zip(lines, content, strict=True):
                m = MARKER_RE.search(raw)
                if m is not None:
                    line_map[len(out) + 1] = (int(m.group(1)), int(m.group(2)))
                out.append(clean.rstrip() if m is not None else clean)
    return "\n".join(out) + "\n", line_map


def _unit(chart: str, chart_display: str, set_name: str, rendering: Rendering, value_files: list[ValuesFile],
          overridden: tuple[FieldPath, ...], store: bool) -> Unit:
    """``store``: whether the rendered stream may be kept in the cache (not in one inside the repository)."""
    from guardlint.render.run import Unit

    text, line_map = _stream(rendering)
    stored = cache.store_stream(text) if store else ""
    pseudo = f"{chart_display}/@{set_name}"
    loaded = load_text(text, pseudo, nodes=False)
    if loaded.errors:
        lines = text.split("\n")
        loaded = loaded._replace(errors=tuple(
            _rendered_error(e, lines, line_map, rendering.marker_files, chart, set_name) for e in loaded.errors))
    mapper = HelmMapper(chart, chart_display, set_name, stored, line_map, rendering.marker_files, value_files,
                        overridden, stream=text)
    return Unit(pseudo, chart_display, loaded, mapper, set_name)


def _rendered_error(error: InputError, lines: Sequence[str], line_map: Mapping[int, tuple[int, int]],
                    files: Mapping[int, str], chart: str, set_name: str) -> InputError:
    """An error in the rendered stream (a template that writes text that is not YAML), moved to the template line
    that wrote the nearest marked line at or before it in the same document, else to the template the
    ``# Source:`` header names; the rendered line stays in the message."""
    template, tline = "", 0
    for ln in range(min(error.line, len(lines)), 0, -1):
        hit = line_map.get(ln)
        if hit is not None and not tline:
            template, tline = files.get(hit[0], ""), hit[1]
        header = lines[ln - 1]
        if header.startswith("# Source: "):
            source = header[len("# Source: "):]
            template = template or (source.split("/", 1)[1] if "/" in source else source)
            break
        if header == "---" and ln < error.line:
            break
    if not template:
        return error
    return error._replace(
        file=display_name(os.path.join(chart, template)), line=tline or 1, column=1,
        message=f"the chart renders text that is not YAML (values set {set_name}, rendered line {error.line}): "
                f"{error.message}",
        hint=error.hint or "fix the template; nothing of this document was linted")


_KEY_INDENT = re.compile(r"^[ ]*(?:-[ ]+)*")
_VALUE_ACTION = re.compile(r"\{\{(?!-)(?!\s*(?:if|else|end|range|with|define|block|template|break|continue)\b)"
                           r"[^{}]*?(?<!-)\}\}")
"""An action that writes a value on its line: no trimming of the text around it, no control word."""


def _block(lines: Sequence[str], header: int) -> list[str]:
    """The content lines of the block scalar whose header is on 1-based line ``header``: the lines after it that
    are blank or indented deeper than the header's key, without trailing blank lines."""
    key = len(_KEY_INDENT.match(lines[header - 1]).group(0))  # type: ignore[union-attr]
    out: list[str] = []
    for line in lines[header:]:
        if line.strip() and len(line) - len(line.lstrip(" ")) <= key:
            break
        out.append(line)
    while out and not out[-1].strip():
        out.pop()
    return out


def _same_line(written: str, made: str) -> bool:
    """Whether a template line renders as the line ``made`` without moving the lines after it: the same text, or
    the same text up to its first action where every action writes a value on the line (no trimming, no
    control word, none of the actions that write blocks: ``toYaml``, ``include``, ``nindent``, ...)."""
    if written == made:
        return True
    start = written.find("{{")
    if start < 0 or written[:start] != made[:start]:
        return False
    actions = re.findall(r"\{\{.*?\}\}", written)
    return all(_VALUE_ACTION.fullmatch(a) and not any(e in a for e in _EMITTERS) for a in actions)


_FIRST_ON_LINE = re.compile(r"\(first on line (\d+)\)")


class HelmMapper:
    def __init__(self, chart: str, chart_display: str, set_name: str, stored: str,
                 line_map: dict[int, tuple[int, int]], files: Mapping[int, str], values: list[ValuesFile],
                 overridden: tuple[FieldPath, ...] = (), *, stream: str = "") -> None:
        self.chart = chart
        self.stream = stream
        """The rendered stream (``line_map``'s lines): an embedded manifest's lines are matched with the template's."""
        self.source = f"helm chart {chart_display}"
        self.set_name = set_name
        self.stored = stored
        self.line_map = line_map
        self.files = files
        self.values = values
        self.overridden = overridden
        """The values paths the chart's ``set`` expressions assign (``values.set_paths``)."""
        self._lines: dict[str, list[str]] = {}
        self._defines: dict[str, str] | None = None
        self._stream_lines: list[str] | None = None

    def _template_lines(self, rel: str) -> list[str]:
        if rel not in self._lines:
            try:  # a regular file only: a FIFO in the chart would block the read
                data = read_regular_file(os.path.join(self.chart, rel), cache.MAX_BYTES)
                self._lines[rel] = data.decode("utf-8", errors="replace").split("\n")
            except NotRegularFile:
                self._lines[rel] = []
        return self._lines[rel]

    def _marker_at(self, document: Document, line: int) -> tuple[tuple[int, int] | None, bool]:
        """The marker of rendered ``line`` (own=True) or of the first marked line after it in the document."""
        hit = self.line_map.get(line)
        if hit is not None:
            return hit, True
        for ln in range(line + 1, document.end_line + 1):
            hit = self.line_map.get(ln)
            if hit is not None:
                return hit, False
        return None, False

    def __call__(self, finding: Finding, document: Document) -> Finding:
        mapped = self._map(finding, document)
        first = _FIRST_ON_LINE.search(mapped.message)
        if first is None:
            return mapped
        # duplicate-key names the line of the key's first occurrence: a line of the rendered stream, which the
        # report does not show. Name the template line that wrote it instead (or say it is a rendered line).
        marker = self.line_map.get(int(first.group(1)))
        template = display_name(os.path.join(self.chart, self.files.get(marker[0], ""))) if marker else ""
        if marker is None or not template:
            where = f"on line {first.group(1)} of the rendered output"
        elif template == mapped.file:
            where = f"on line {marker[1]}"
        else:
            where = f"on {template}:{marker[1]}"
        message = mapped.message[:first.start()] + f"(first {where})" + mapped.message[first.end():]
        return mapped._replace(message=message)

    def _map(self, finding: Finding, document: Document) -> Finding:
        rendered = Rendered(self.source, self.stored, finding.location, (self.set_name,))
        if document.embedded is not None:
            embedded = self._embedded(finding, document, rendered)
            if embedded is not None:
                return embedded
        path = finding.path
        key_loc, exact = document.locate(path)
        marker, own = self._marker_at(document, key_loc.line)
        if marker is None:
            template = document.origin.split("/", 1)[1] if document.origin and "/" in document.origin else None
            if template is None:
                return finding._replace(rendered=rendered)
            loc = Location(1, 1, 1, 1)
            return finding._replace(file=display_name(os.path.join(self.chart, template)), location=loc,
                                    origin=document.origin,
                                    rendered=rendered._replace(mapped_to="template", approximate=True))
        rel = self.files.get(marker[0], "")
        tline = marker[1]
        lines = self._template_lines(rel)
        text = lines[tline - 1] if 0 < tline <= len(lines) else ""
        block = not own
        approximate = block and not any(e in text for e in _EMITTERS)
        if exact and path:
            hit = self._values_location(document, path, rel, tline, text, own)
            if hit is not None:
                vfile, vloc, vpath = hit
                return finding._replace(file=vfile, location=vloc, origin=document.origin,
                                        rendered=rendered._replace(mapped_to="values", values_path=vpath,
                                                                   chart=self.chart))
        last = next((p for p in reversed(path) if isinstance(p, str)), None)
        column = 1 + (len(text) - len(text.lstrip()))
        if last is not None:
            m = re.search(rf"(?:^|[\s{{-]){re.escape(last)}\s*:", text)
            if m is not None:
                column = m.start() + 1 + (len(m.group(0)) - len(m.group(0).lstrip(" -{")))
        loc = Location(tline, column, tline, max(column, len(text.rstrip()) + 1))
        return finding._replace(file=display_name(os.path.join(self.chart, rel)), location=loc,
                                origin=document.origin,
                                rendered=rendered._replace(mapped_to="template", approximate=approximate))

    def _embedded(self, finding: Finding, document: Document, rendered: Rendered) -> Finding | None:
        """A finding on an object an Argo manifest embeds (``source/subdocs.py``: a literal block scalar, whose
        lines are the stream's). No marker is ever written inside a block scalar, but its header line
        (``manifest: |``) carries one: when the template's block and the rendered one are the same lines (each
        line the same text, or one whose actions each write one value on it, ``_same_line``; the same number of
        lines, so no action wrote a line more or less), the finding's line is the template's line at the same
        offset, exact. Otherwise the header's template line, approximate. None when the header has no marker."""
        header = document.start_line - 1  # the block's content starts on the line after its header
        marker = self.line_map.get(header)
        if marker is None:
            return None
        rel, th = self.files.get(marker[0], ""), marker[1]
        template = self._template_lines(rel)
        if self._stream_lines is None:
            self._stream_lines = self.stream.split("\n")
        if not (0 < th <= len(template) and 0 < header <= len(self._stream_lines)):
            return None
        file = display_name(os.path.join(self.chart, rel))
        written, made = _block(template, th), _block(self._stream_lines, header)
        loc = finding.location
        offset = loc.line - header
        if (len(written) == len(made) and 1 <= offset <= len(written)
                and all(_same_line(t, r) for t, r in zip(written, made, strict=True))):
            line = th + offset
            if written[offset - 1] == made[offset - 1] or loc.end_line != loc.line:
                moved = Location(line, loc.column, loc.end_line - header + th, loc.end_column)
            else:  # a line an action writes a value on: up to the end of the template's line
                moved = Location(line, loc.column, line, max(loc.column, len(written[offset - 1].rstrip()) + 1))
            return finding._replace(file=file, location=moved, origin=document.origin,
                                    rendered=rendered._replace(mapped_to="template", approximate=False))
        text = template[th - 1]
        column = 1 + len(text) - len(text.lstrip())
        return finding._replace(file=file, location=Location(th, column, th, max(column, len(text.rstrip()) + 1)),
                                origin=document.origin, rendered=rendered._replace(mapped_to="template",
                                                                                   approximate=True))

    # Values ------------------------------------------------------------------------------------------

    def _base_path(self, rel: str, tline: int, text: str) -> FieldPath | None:
        """The values path a template line emits straight from ``.Values`` (None when it does not)."""
        refs = {m.group(1) for m in _VALUES_REF.finditer(text)}
        if len(refs) == 1:
            return tuple(refs.pop().strip(".").split("."))
        if refs:
            return None
        inc = _INCLUDE.search(text)
        if inc is not None:
            if inc.group(2):
                return tuple(inc.group(2)[len(".Values."):].split("."))
            body = self._defines_map().get(inc.group(1))
            if body is not None:
                inner = {m.group(1) for m in _VALUES_REF.finditer(body)}
                if len(inner) == 1:
                    return tuple(inner.pop().strip(".").split("."))
            return None
        if re.search(r"\{\{-?\s*(?:toYaml\s+\.\s*[|}]|\.\s*[|}]|\.[A-Za-z_])", text):
            context = self._with_context(rel, tline)
            if context is None:
                return None
            rel_ref = re.search(r"\{\{-?\s*(?:toYaml\s+)?\.((?:[A-Za-z_][A-Za-z0-9_]*\.?)*)", text)
            extra = tuple(p for p in (rel_ref.group(1).split(".") if rel_ref else []) if p)
            return (*context, *extra)
        return None

    def _with_context(self, rel: str, tline: int) -> FieldPath | None:
        """The ``.Values`` path of the innermost ``with`` around ``tline`` (None inside ``range`` or no ``with``)."""
        stack: list[tuple[str, FieldPath | None]] = []
        for text in self._template_lines(rel)[: tline - 1]:
            for m in re.finditer(r"\{\{-?\s*(if|range|with|define|block|end)\b([^}]*)\}\}", text):
                word, rest = m.group(1), m.group(2)
                if word == "end":
                    if stack:
                        stack.pop()
                    continue
                found = _VALUES_REF.search(rest) if word == "with" else None
                stack.append((word, tuple(found.group(1).strip(".").split(".")) if found else None))
        for word, context in reversed(stack):
            if word == "range":
                return None
            if word == "with":
                return context
        return None

    def _defines_map(self) -> dict[str, str]:
        if self._defines is None:
            found: dict[str, str] = {}
            for dirpath, _dirs, filenames in os.walk(self.chart):
                for name in filenames:
                    if name.endswith((".tpl", ".yaml", ".yml")) and "templates" in dirpath.split(os.sep):
                        try:  # a regular file only: a FIFO named templates/x.tpl would block the read
                            data = read_regular_file(os.path.join(dirpath, name), cache.MAX_BYTES)
                        except NotRegularFile:
                            continue
                        text = data.decode("utf-8", errors="replace")
                        for m in _DEFINE.finditer(text):
                            found.setdefault(m.group(1), m.group(2))
            self._defines = found
        return self._defines

    def _subchart_prefix(self, rel: str) -> FieldPath:
        parts = rel.replace(os.sep, "/").split("/")
        prefix: list[str] = []
        for i, p in enumerate(parts[:-1]):
            if p == "charts" and i + 1 < len(parts) - 1:
                prefix.append(parts[i + 1])
        return tuple(prefix)

    def _values_location(self, document: Document, path: FieldPath, rel: str, tline: int, text: str,
                         own: bool) -> tuple[str, Location, FieldPath] | None:
        base = self._base_path(rel, tline, text)
        if base is None:
            return None
        last = path[-1]
        literal = _strip_actions(text)
        # The key written by this line: in block style (``key:``, ``- key:``) or in a flow mapping
        # (``securityContext: {privileged: {{ .Values.x }}}``, ``{a: 1, key: ...}``).
        writes_key = (isinstance(last, str)
                      and re.search(rf"(?:^|[\s{{,-]){re.escape(last)}\s*:", literal) is not None)
        if own and writes_key:
            sub: FieldPath = ()
        else:
            # The block's root: the longest parent of ``path`` that another template line writes.
            sub = ()
            for cut in range(len(path) - 1, -1, -1):
                parent_loc, _ = document.locate(path[:cut])
                parent_marker, _ = self._marker_at(document, parent_loc.line)
                if parent_marker != (next(k for k, v in self.files.items() if v == rel), tline) or cut == 0:
                    sub = path[cut:]
                    break
        rendered_value: Any = UNKNOWN
        ok, value = _get(document.data, path)
        if ok and not isinstance(value, (dict, list)):
            rendered_value = value
        subchart = self._subchart_prefix(rel)
        return find_value(self.values, (*subchart, *base, *sub), rendered_value, self.overridden, subchart)


def _strip_actions(text: str) -> str:
    return re.sub(r"\{\{.*?\}\}", "", text)


def _get(data: Any, path: FieldPath) -> tuple[bool, Any]:
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or not 0 <= part < len(data):
                return False, None
            data = data[part]
        else:
            if not isinstance(data, dict) or part not in data:
                return False, None
            data = data[part]
    return True, data
