"""Helm: rendering a chart (``helm template`` or the in-process helm-python-sdk) with line markers.

Before rendering, the chart is copied to a temporary folder and each line of its templates that can
safely carry one gets a YAML comment ``#@gl:<file>:<line>`` at its end. Helm copies the comment into
the output, so every rendered line knows the template line that wrote it; lines a template emits in one
block (``toYaml ... | nindent``, ``include``) carry the marker of that block's last line, which is the
line holding the action. Markers are never placed where they could change the output: inside an action
that spans lines, inside ``define`` blocks (helpers are used inside values), in block scalars, or on a
line whose newline a ``-}}``/``{{-`` trims. If the marked chart fails to render but the chart does, the
plain output is used and findings are placed approximately.

Nothing contacts a cluster or the network: ``lookup`` returns nothing in both renderers, dependencies
must already be in ``charts/``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Mapping, Sequence

from guardlint._record import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MARK = "#@gl:"
MARKER_RE = re.compile(r" ?#@gl:(\d+):(\d+)")
MAX_CHART_BYTES = 64 * 1024 * 1024
MAX_CHART_ENTRIES = 20_000
"""Files and folders of a chart (symbolic links followed) beyond which it is not rendered (``chart_files``)."""
RENDER_TIMEOUT = 120.0
OUTPUT_OVER_LIMIT = "helm template was stopped after writing more than"
"""How a rendering stopped for writing too much begins (``render.child``): not cached, a ``file-too-large``."""
TIMED_OUT = "helm template did not finish within"
_ERROR_AT = re.compile(r"([^\s():<>\"]+\.(?:ya?ml|tpl|txt|json)):(\d+)(?::(\d+))?")
_ACTION = re.compile(r"\{\{(-?)(.*?)(-?)\}\}", re.S)
_BLOCK_OPEN = re.compile(r"^\s*(if|range|with|define|block)\b")
_BLOCK_SCALAR = re.compile(r":\s*[|>][-+0-9]*\s*$")


class RenderError(NamedTuple):
    message: str
    template: str | None
    """The template path as Helm names it (``chart/templates/x.yaml``), when Helm gave one."""
    line: int
    column: int


class Renderer(NamedTuple):
    name: str
    """``helm`` (the binary) or ``helm-python-sdk``."""
    version: str
    binary: str | None


def find_renderer() -> Renderer | None:
    """The ``helm`` binary when on PATH, else helm-python-sdk when installed, else None."""
    binary = shutil.which("helm")
    if binary:
        try:
            proc = subprocess.run([binary, "version", "--short"], capture_output=True, text=True, timeout=30,
                                  check=False)
            version = proc.stdout.strip() or "unknown"
        except (OSError, subprocess.TimeoutExpired):
            version = "unknown"
        return Renderer("helm", version, binary)
    from importlib import metadata
    from importlib.util import find_spec

    if find_spec("helm_python") is None:
        return None
    try:
        version = metadata.version("helm-python-sdk")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return Renderer("helm-python-sdk", version, None)


# Markers ------------------------------------------------------------------------------------------------


def _action_words(text: str) -> list[tuple[str, bool, bool]]:
    """The actions of a line: (body, trims left, trims right)."""
    return [(m.group(2).strip(), m.group(1) == "-", m.group(3) == "-") for m in _ACTION.finditer(text)]


def _line_is_silent_control(line: str) -> bool:
    """A line that holds only control actions (if/else/end/range/with/comments): it outputs nothing."""
    rest = _ACTION.sub("", line).strip()
    if rest:
        return False
    words = _action_words(line)
    return bool(words) and all(
        re.match(r"^(if|else|end|range|with|/\*|\$[\w]+\s*:?=)", body) is not None for body, _, _ in words
    )


def _starts_with_newline_output(line: str) -> bool:
    """``{{- ... | nindent N }}``: the output starts with its own newline, so a trimmed newline is replaced."""
    words = _action_words(line)
    return bool(words) and re.search(r"\bnindent\s+\d+\s*$", words[0][0]) is not None


def mark_template(text: str, file_id: int) -> str:
    """``text`` with a marker comment at the end of every line that can safely carry one."""
    lines = text.split("\n")
    out = list(lines)
    depth_open = 0  # unclosed ``{{`` across lines
    stack: list[str] = []  # open block keywords
    block_indent: int | None = None  # inside a YAML block scalar deeper than this indent
    in_quote = False  # inside a double-quoted YAML string at the end of the line
    for i, line in enumerate(lines):
        literal = _ACTION.sub("", line)
        if in_quote or not literal.lstrip().startswith("#"):
            in_quote = (literal.replace('\\"', "").count('"') % 2 == 1) != in_quote
        starts_open = depth_open > 0
        depth_open += line.count("{{") - line.count("}}")
        depth_open = max(depth_open, 0)
        in_define = "define" in stack or "block" in stack
        for body, _, _ in _action_words(line):
            m = _BLOCK_OPEN.match(body)
            if m:
                stack.append(m.group(1))
            elif re.match(r"^end\b", body) and stack:
                stack.pop()
        stripped = line.strip()
        indent = len(line) - len(line.lstrip(" "))
        if block_indent is not None:
            if stripped and indent <= block_indent and not stripped.startswith("{{"):
                block_indent = None
            elif stripped:
                continue
        if starts_open or depth_open > 0 or in_define or "define" in stack or "block" in stack or not stripped:
            continue
        if _BLOCK_SCALAR.search(_ACTION.sub("x", line)):
            block_indent = indent
        if line.rstrip().endswith("-}}"):
            continue
        nxt = next((candidate for candidate in lines[i + 1:] if candidate.strip()), "")
        if nxt.lstrip().startswith("{{-") and not (_line_is_silent_control(nxt) or _starts_with_newline_output(nxt)):
            continue
        if in_quote:
            continue  # a double-quoted string continues on the next line
        out[i] = f"{line} {MARK}{file_id}:{i + 1}"
    return "\n".join(out)


class LeftOut(NamedTuple):
    """A symbolic link in a chart that guardlint does not follow, and why."""

    path: str
    """The link as reached from the chart folder (``os.path.join(chart, rel)``)."""
    reason: str


class ChartFiles(NamedTuple):
    """What Helm would read of a chart folder, as guardlint reads it (``chart_files``)."""

    folders: tuple[str, ...]
    """Folders relative to the chart (``.`` first), parents before children."""
    files: tuple[tuple[str, str], ...]
    """(path relative to the chart, as Helm names it through links; real path to read) of each regular file."""
    left_out: tuple[LeftOut, ...]


def chart_files(chart: str, root: str | None = None) -> ChartFiles:
    """The folders and regular files of ``chart``, following symbolic links as Helm does (a subchart under
    ``charts/`` linked from a library folder of a monorepo, a file ``.Files.Get`` reads) when the link's real
    target stays inside ``root`` (the repository; None: the chart folder). A link that leads out of it, whose
    target is missing or not a regular file or folder, that leads into a ``.git`` folder (credentials live
    there in CI), or that leads back to a folder it is in (a cycle, on which Helm's walk would not end) is
    left out and listed. Bounded: more than ``MAX_CHART_ENTRIES`` files
    and folders, or more than ``MAX_CHART_BYTES`` of files, is an ``OSError``, so links that reach the same
    folder many times cannot make the copy grow without bound. ``.git`` and ``node_modules`` are passed over.
    A ``.git`` folder is known by any name that opens it (``.GIT`` on a macOS or Windows runner:
    ``names_git_folder``)."""
    from guardlint.source.files import through_git_folder

    real_chart = os.path.realpath(chart)
    boundary = os.path.realpath(root) if root is not None else real_chart
    boundary_prefix = boundary.rstrip(os.sep) + os.sep
    folders: list[str] = []
    files: list[tuple[str, str]] = []
    left_out: list[LeftOut] = []
    total = entries = 0
    # (real folder, folder relative to the chart, real folders above it and itself): depth first, in name order.
    stack: list[tuple[str, str, frozenset[str]]] = [(real_chart, ".", frozenset((real_chart,)))]
    while stack:
        real_dir, rel_dir, ancestry = stack.pop()
        folders.append(rel_dir)
        try:
            with os.scandir(real_dir) as it:
                listed = sorted(it, key=lambda e: e.name)
        except OSError:
            continue  # unreadable: Helm fails on it, guardlint renders without it
        below: list[tuple[str, str, frozenset[str]]] = []
        for entry in listed:
            rel = entry.name if rel_dir == "." else os.path.join(rel_dir, entry.name)
            entries += 1
            if entries > MAX_CHART_ENTRIES:
                raise OSError(f"the chart has more than {MAX_CHART_ENTRIES} files and folders (symbolic links "
                              "followed)")
            try:
                link = entry.is_symlink()
                real = os.path.realpath(entry.path) if link else entry.path
                st = os.stat(real) if link else entry.stat(follow_symlinks=False)
            except (OSError, ValueError):
                if link:
                    left_out.append(LeftOut(os.path.join(chart, rel), "its target is missing"))
                continue
            if link and real != boundary and not real.startswith(boundary_prefix):
                left_out.append(LeftOut(os.path.join(chart, rel), "it leads outside the repository"))
                continue
            if link and through_git_folder(real[len(boundary_prefix):]):
                # The git folder holds credentials in CI (actions/checkout's extraheader, GitLab's job token in
                # the remote URL): a template could copy them (``.Files.Get``) into objects whose findings quote
                # them in the pull request.
                left_out.append(LeftOut(os.path.join(chart, rel), "it leads into a .git folder"))
                continue
            if stat.S_ISDIR(st.st_mode):
                if entry.name in (".git", "node_modules"):
                    continue
                if real in ancestry:
                    left_out.append(LeftOut(os.path.join(chart, rel),
                                            "it makes a cycle: it leads to a folder it is in"))
                    continue
                below.append((real, rel, ancestry | {real}))
            elif stat.S_ISREG(st.st_mode):
                total += st.st_size
                if total > MAX_CHART_BYTES:
                    raise OSError(f"the chart is larger than {MAX_CHART_BYTES // 1048576} MiB")
                files.append((rel, real))
            elif link:
                left_out.append(LeftOut(os.path.join(chart, rel), "its target is not a regular file or folder"))
        stack.extend(reversed(below))
    return ChartFiles(tuple(folders), tuple(files), tuple(left_out))


def _marked_copy(chart: str, dest: str, *, mark: bool = True, root: str | None = None) -> dict[int, str]:
    """Copy ``chart`` to ``dest`` with markers in its (and its unpacked subcharts') templates (none without
    ``mark``). Returns marker file ids -> template paths relative to the chart. Only what ``chart_files``
    lists is copied, as regular files: symbolic links that stay inside ``root`` are followed (their targets
    copied in their place), others and FIFOs are left out, so Helm only ever renders the copy."""
    files: dict[int, str] = {}
    listed = chart_files(chart, root)
    for rel_dir in listed.folders:
        os.makedirs(os.path.join(dest, rel_dir) if rel_dir != "." else dest, exist_ok=True)
    total = 0
    for rel, src in listed.files:
        rel_dir, name = os.path.dirname(rel), os.path.basename(rel)
        dst = os.path.join(dest, rel)
        total += os.path.getsize(src)
        if total > MAX_CHART_BYTES:
            raise OSError(f"the chart is larger than {MAX_CHART_BYTES // 1048576} MiB")
        if mark and "templates" in rel_dir.split(os.sep) and name.endswith((".yaml", ".yml")) \
                and not name.startswith("_"):
            with open(src, encoding="utf-8", errors="surrogateescape") as fh:
                text = fh.read()
            file_id = len(files)
            files[file_id] = os.path.normpath(os.path.join(rel_dir, name))
            with open(dst, "w", encoding="utf-8", errors="surrogateescape") as fh:
                fh.write(mark_template(text, file_id))
        else:
            shutil.copyfile(src, dst)
    return files


# Rendering ----------------------------------------------------------------------------------------------


class Rendering(NamedTuple):
    templates: dict[str, str]
    """Template path as Helm names it -> its output (marked when ``marker_files`` is not empty)."""
    marker_files: dict[int, str]
    error: RenderError | None


def _parse_error(text: str) -> RenderError:
    """Helm's error as a RenderError: the template, line and column of the first location it names, and its
    reason without that location, which the error carries in its own fields (``parse error at (LOC): why``,
    ``template: LOC: executing "T" at <...>: why``, Helm's own ``LOC executing "T" at <...>: why``; the name of
    the template executing is dropped too when it is the located file). Other locations (an included helper's)
    stay: they say where the failure came from."""
    m = _ERROR_AT.search(text)
    message = " ".join(text.split()) or "helm failed"
    if m is None:
        return RenderError(message, None, 1, 1)
    loc, template = re.escape(m.group(0)), re.escape(m.group(1))
    for pattern, replacement in ((rf" at \({loc}\)", ""), (rf"\btemplate: {loc}: ", ""),
                                 (rf"(?<!\S){loc}:? (?=executing )", ""),
                                 (rf'\bexecuting "{template}" at <', "at <")):
        message = re.sub(pattern, replacement, message, count=1)
    return RenderError(message, m.group(1), int(m.group(2)), int(m.group(3) or 1))


def _render_sdk(chart: str, values: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, str] | RenderError:
    try:
        import helm_python as helm
        from helm_python import _native
    except Exception as exc:  # the native library failed to load (wrong platform, missing glibc)
        return RenderError(f"helm-python-sdk cannot be loaded: {type(exc).__name__}: {exc}", None, 1, 1)

    try:
        with helm.Chart.load(chart) as handle:  # a fresh handle per values set: rendering mutates it
            raw = _native.call_string("helm_render", handle._raw(), json.dumps(values), json.dumps(options))
    except helm.HelmError as exc:
        return _parse_error(str(exc))
    result = json.loads(raw)
    return {str(k): str(v) for k, v in result.items()} if isinstance(result, dict) else {}


def output_limit(max_bytes: int) -> int:
    """Bytes of ``helm template`` output read at most when a rendering may be ``max_bytes`` (``_too_large`` then
    judges it exactly): four times that plus 1 MiB leaves room for the ``# Source:`` headers and separators."""
    return 4 * max_bytes + 1024 * 1024


def _render_binary(binary: str, chart: str, values: Mapping[str, Any], options: Mapping[str, Any],
                   sets: Sequence[str], max_bytes: int) -> dict[str, str] | RenderError:
    from guardlint.render import child

    with tempfile.TemporaryDirectory(prefix="guardlint-helm-") as tmp:
        values_file = os.path.join(tmp, "values.json")
        with open(values_file, "w", encoding="utf-8") as fh:
            json.dump(values, fh)
        cmd = [binary, "template", str(options["name"]), chart, "--namespace", str(options["namespace"]),
               "--kube-version", str(options["kube_version"]), "--values", values_file]
        for api in options.get("api_versions", ()):
            cmd += ["--api-versions", str(api)]
        for s in sets:
            cmd += ["--set", s]
        env = dict(os.environ)
        for key in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
            env[key] = "http://127.0.0.1:9"
        env.update({"HELM_CACHE_HOME": os.path.join(tmp, "c"), "HELM_CONFIG_HOME": os.path.join(tmp, "f"),
                    "HELM_DATA_HOME": os.path.join(tmp, "d"), "KUBECONFIG": os.path.join(tmp, "none")})
        try:
            proc = child.run(cmd, timeout=RENDER_TIMEOUT, max_output=output_limit(max_bytes),
                             memory=child.memory_limit(max_bytes), env=env)
        except OSError as exc:
            return RenderError(f"cannot run helm: {exc.strerror or exc}", None, 1, 1)
    if isinstance(proc, child.TimedOut):
        return RenderError(f"{TIMED_OUT} {RENDER_TIMEOUT:.0f} s", None, 1, 1)
    if isinstance(proc, child.TooMuchOutput):
        return RenderError(f"{OUTPUT_OVER_LIMIT} {proc.limit / 1048576:g} MB", None, 1, 1)
    if proc.returncode != 0:
        return _parse_error(proc.stderr.replace("Error: ", "", 1))
    out: dict[str, list[str]] = {}
    current: str | None = None
    for chunk in re.split(r"(?m)^---[ \t]*$", proc.stdout):
        body = chunk
        m = re.search(r"(?m)^# Source: (.+?)\s*$", body)
        if m is not None:
            current = m.group(1)
            body = body[: m.start()] + body[m.end() + 1:]
        if current is not None and body.strip():
            out.setdefault(current, []).append(body.strip("\n") + "\n")
    return {k: "---\n".join(v) for k, v in out.items()}


def render(renderer: Renderer, chart: str, values: Mapping[str, Any], *, release: str, namespace: str,
           kube_version: tuple[int, int], api_versions: Sequence[str] = (), sets: Sequence[str] = (),
           overrides: Sequence[tuple[str, str]] = (), root: str | None = None,
           max_bytes: int = 20 * 1024 * 1024) -> Rendering:
    """Render ``chart`` with user ``values`` (the chart's own values.yaml is applied by Helm). ``overrides``
    are (path relative to the chart, text) of files the copy gets instead of the chart's (a values file
    ``--fix`` checks before writing it); with overrides there is no fallback to rendering the chart itself.
    Symbolic links in the chart are followed where they stay inside ``root`` (``chart_files``). The helm binary
    is stopped when it writes more than ``output_limit(max_bytes)`` and its memory is capped
    (``render.child``); the in-process helm-python-sdk has no such bound."""
    options: dict[str, Any] = {"name": release, "namespace": namespace,
                               "kube_version": f"v{kube_version[0]}.{kube_version[1]}.0"}
    if api_versions:
        options["api_versions"] = list(api_versions)
    merged = dict(values)
    if renderer.binary is None and sets:
        import helm_python as helm

        from guardlint.render.values import deep_merge

        for s in sets:
            try:
                merged = deep_merge(merged, helm.parse_set_string(s))
            except helm.HelmError as exc:
                return Rendering({}, {}, RenderError(f"invalid set expression {s!r}: {exc}", None, 1, 1))

    def once(path: str) -> dict[str, str] | RenderError:
        if renderer.binary is not None:
            return _render_binary(renderer.binary, path, merged, options, sets, max_bytes)
        return _render_sdk(path, merged, options)

    with tempfile.TemporaryDirectory(prefix="guardlint-chart-") as tmp:
        copy = os.path.join(tmp, os.path.basename(os.path.normpath(chart)))
        try:
            files = _marked_copy(chart, copy, root=root)
            for rel, text in overrides:
                with open(os.path.join(copy, rel), "w", encoding="utf-8") as fh:
                    fh.write(text)
        except OSError as exc:
            return Rendering({}, {}, RenderError(f"cannot read the chart: {exc}", None, 1, 1))
        marked = once(copy)
    if not isinstance(marked, RenderError):
        return Rendering(marked, files, None)
    if overrides or marked.message.startswith((OUTPUT_OVER_LIMIT, TIMED_OUT)):
        # Stopped at a bound: the markers (comments) do not make a rendering longer or slower by much, and a
        # second try would take the time or output again.
        return Rendering({}, {}, marked)
    # Without markers, from a copy too: Helm given the chart's own folder would follow its symbolic links.
    with tempfile.TemporaryDirectory(prefix="guardlint-chart-") as tmp:
        copy = os.path.join(tmp, os.path.basename(os.path.normpath(chart)))
        try:
            _marked_copy(chart, copy, mark=False, root=root)
        except OSError as exc:
            return Rendering({}, {}, RenderError(f"cannot read the chart: {exc}", None, 1, 1))
        plain = once(copy)
    if isinstance(plain, RenderError):
        return Rendering({}, {}, plain)
    return Rendering(plain, {}, None)
