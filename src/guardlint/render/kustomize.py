"""Kustomize: which folders are overlays, building them, and where each rendered object came from.

Overlays are built by the user's ``kustomize build`` or ``kubectl kustomize`` through a throw-away
wrapper kustomization that turns on ``buildMetadata: [originAnnotations]``: every object then names the
file it was read from (or the kustomization whose generator made it). The annotation is removed before
rules run. Kustomizations are read (bounded, never executed) to find bases and patches: a finding on a
field a patch sets is reported on the patch, otherwise on the resource file.

Nothing here fetches anything: a remote base (a URL or a git reference), and a URL in any other field
kustomize loads a file from (generator files, ``crds``, ``transformers``, ``openapi``, ...), is a located
error and the overlay is not built; the build runs without ``--enable-helm``, exec or alpha plugins, and with
the network turned away (proxy variables pointing nowhere, git limited to local files). The proxy variables
alone would not do: Go's HTTP client never proxies a loopback address.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterable, Mapping, Sequence

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from guardlint._record import NamedTuple
from guardlint.findings import ErrorKind, InputError, Location
from guardlint.model.paths import FieldPath
from guardlint.render.tree import inside, kustomization_file
from guardlint.source.files import DEFAULT_MAX_BYTES, Input, describe_limit, display_name, read_input
from guardlint.source.loader import Document, load_text
from guardlint.source.sourcemap import locate

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

ORIGIN_ANNOTATION = "config.kubernetes.io/origin"
BUILD_TIMEOUT = 120.0
_REF_KEYS = ("resources", "bases", "components")
_REMOTE = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://|git::|gh:|git@|[a-z][a-z0-9-]*@[^/:\s]+:|github\.com:"
    r"|(?:github\.com|gitlab\.com|bitbucket\.org)/)",
    re.I)
"""What kustomize reads as a remote target: a URL, go-getter's ``git::`` form, the ``gh:`` shorthand, an scp-like
``user@host:`` address (any user name kustomize accepts, ``[a-zA-Z][a-zA-Z0-9-]*``, not only ``git``; the
``:`` after the host is required, so a local file such as ``app@v2.yaml`` is not taken for one), or
``github.com/``, ``github.com:`` and the other well-known hosts without a scheme. kustomize tries an entry as a
remote target before it looks for a local folder of that name, so a folder the repository holds under such a name
(``alice@host:org/repo``) is refused as well; a relative path that does not exist is refused as missing, so no
other form reaches kustomize either."""
_BUILTIN_PLUGINS = frozenset((
    "AnnotationsTransformer", "ConfigMapGenerator", "HashTransformer", "IAMPolicyGenerator",
    "ImageTagTransformer", "LabelTransformer", "NamespaceTransformer", "PatchJson6902Transformer",
    "PatchStrategicMergeTransformer", "PatchTransformer", "PrefixSuffixTransformer", "PrefixTransformer",
    "ReplacementTransformer", "ReplicaCountTransformer", "SecretGenerator", "SortOrderTransformer",
    "SuffixTransformer", "ValueAddTransformer",
))
"""kustomize's builtin plugin kinds (``apiVersion: builtin``) that run no program; HelmChartInflationGenerator,
which runs helm, is left out on purpose."""
_FUNCTION_ANNOTATIONS = ("config.kubernetes.io/function", "config.k8s.io/function")
_PLUGIN_LISTS = ("generators", "transformers", "validators")
MERGE_KEYS = ("name", "mountPath", "containerPort", "devicePath", "ip", "port", "topologyKey")
"""Strategic-merge list keys (the common ones): list items of a patch are matched by these."""


class Patch(NamedTuple):
    """One patch document: a strategic-merge mapping or a JSON 6902 operation list."""

    file: str
    root: Node
    line_offset: int
    column_offset: int
    json6902: bool
    kind: str | None
    name: str | None


class Kustomization(NamedTuple):
    directory: str
    file: str
    display: str
    refs: tuple[str, ...]
    """Folders with a kustomization that this one uses (resources, bases, components, and the folders of
    generators, transformers and validators)."""
    files: tuple[str, ...]
    """Real paths of the files it reads (resources, patches)."""
    patches: tuple[Patch, ...]
    document: Document | None
    is_component: bool
    problems: tuple[InputError, ...]


def find_tool() -> list[str] | None:
    """The build command: ``kustomize build`` when on PATH, else ``kubectl kustomize``, else None."""
    kustomize = shutil.which("kustomize")
    if kustomize:
        return [kustomize, "build"]
    kubectl = shutil.which("kubectl")
    if kubectl:
        return [kubectl, "kustomize"]
    return None


def _strings(node: Node | None) -> list[tuple[str, ScalarNode]]:
    if not isinstance(node, SequenceNode):
        return []
    return [(n.value, n) for n in node.value if isinstance(n, ScalarNode) and isinstance(n.value, str)]


def _get(node: Node | None, key: str) -> Node | None:
    if not isinstance(node, MappingNode):
        return None
    found = None
    for k, v in node.value:
        if isinstance(k, ScalarNode) and k.value == key:
            found = v
    return found


_FILE_LISTS = ("crds", "configurations", "generators", "transformers", "validators")
"""Top-level kustomization fields whose entries kustomize loads as files (its loader fetches an http(s) URL)."""
_GENERATORS = ("configMapGenerator", "secretGenerator")


def _loaded_paths(root: Node | None) -> list[tuple[str, str, ScalarNode]]:
    """The entries of a kustomization, besides ``resources``/``bases``/``components`` and patches (checked where
    they are read), that kustomize loads as files, with the field that names them: generator ``files``
    (``[key=]path``), ``envs`` and ``env``, ``crds``, ``configurations``, ``generators``, ``transformers``,
    ``validators``, ``openapi.path`` and each replacement's ``path``. A URL in any of them would be fetched by
    the build, and proxy variables cannot stop that for a loopback address, so each one is checked before
    anything is built."""
    out: list[tuple[str, str, ScalarNode]] = []
    for key in _FILE_LISTS:
        out.extend((key, entry, node) for entry, node in _strings(_get(root, key)))
    for key in _GENERATORS:
        items = _get(root, key)
        for item in items.value if isinstance(items, SequenceNode) else []:
            out.extend((f"{key} files", entry, node) for entry, node in _strings(_get(item, "files")))
            out.extend((f"{key} envs", entry, node) for entry, node in _strings(_get(item, "envs")))
            env = _get(item, "env")
            if _scalar(env) is not None:
                assert isinstance(env, ScalarNode)
                out.append((f"{key} env", env.value, env))
    openapi_path = _get(_get(root, "openapi"), "path")
    if _scalar(openapi_path) is not None:
        assert isinstance(openapi_path, ScalarNode)
        out.append(("openapi", openapi_path.value, openapi_path))
    replacements = _get(root, "replacements")
    for item in replacements.value if isinstance(replacements, SequenceNode) else []:
        path = _get(item, "path")
        if _scalar(path) is not None:
            assert isinstance(path, ScalarNode)
            out.append(("replacements", path.value, path))
    return out


def _inline_config(entry: str) -> list[dict[str, Any]] | None:
    """The plugin configurations written inline in a ``generators``/``transformers``/``validators`` entry, or
    None when the entry is a path. kustomize reads an entry as inline when it parses as objects."""
    if "\n" not in entry and ":" not in entry:
        return None
    loaded = load_text(entry, "<inline>")
    configs = [d.data for d in loaded.documents if d.data is not None]
    if loaded.errors or not configs or not all(isinstance(c, dict) for c in configs):
        return None
    return configs


def _plugin_refusal(config: Mapping[str, Any]) -> str | None:
    """Why kustomize would run a program for this plugin configuration (None for a builtin plugin that runs
    none). kustomize loads a builtin plugin only for ``apiVersion: builtin`` and a builtin kind; anything else
    is an external plugin, which it runs only with --enable-alpha-plugins/--enable-exec (never passed)."""
    kind, api = config.get("kind"), config.get("apiVersion")
    meta = config.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    function = next((a for a in _FUNCTION_ANNOTATIONS if isinstance(annotations, dict) and a in annotations), None)
    if kind == "HelmChartInflationGenerator":
        return ("configures HelmChartInflationGenerator: kustomize would run helm; guardlint builds overlays "
                "without --enable-helm, so the overlay is not built")
    if function is not None:
        return (f"configures {kind!s} as a KRM function ({function}): kustomize would run its program or "
                "container; guardlint never runs functions or plugins, so the overlay is not built")
    if api == "builtin" and kind in _BUILTIN_PLUGINS:
        return None
    return (f"configures {api!s} {kind!s}, which is not a kustomize builtin plugin: kustomize would load it as "
            "an external plugin (a program); guardlint never runs plugins, so the overlay is not built")


def _scalar(node: Node | None) -> str | None:
    return node.value if isinstance(node, ScalarNode) and isinstance(node.value, str) else None


def _error(file: str, node: Node | None, line_offset: int, message: str, hint: str = "") -> InputError:
    line = line_offset + node.start_mark.line + 1 if node is not None else 1
    column = node.start_mark.column + 1 if node is not None else 1
    return InputError(ErrorKind.RENDER_FAILED, file, line, column, message, hint)


def _load(path: str, display: str, max_bytes: int) -> tuple[list[Document], InputError | None]:
    result = read_input(Input(path, display), max_bytes)
    if result.error is not None:
        return [], result.error
    loaded = load_text(result.text or "", display)
    if loaded.errors:
        return [], loaded.errors[0]
    return [d for d in loaded.documents if d.root is not None], None


def _target(node: Node | None) -> tuple[str | None, str | None]:
    return _scalar(_get(node, "kind")), _scalar(_get(node, "name"))


def _patch_docs(docs: Iterable[Document], file: str, line_shift: int, column_shift: int,
                target: tuple[str | None, str | None], force_json: bool) -> list[Patch]:
    out: list[Patch] = []
    for d in docs:
        root = d.root
        assert root is not None
        json6902 = force_json or isinstance(root, SequenceNode)
        kind, name = target
        if not json6902 and kind is None and isinstance(d.data, dict):
            kind = d.data.get("kind") if isinstance(d.data.get("kind"), str) else None
            meta = d.data.get("metadata")
            name = meta.get("name") if isinstance(meta, dict) and isinstance(meta.get("name"), str) else None
        out.append(Patch(file, root, d.line_offset + line_shift, column_shift, json6902, kind, name))
    return out


def _inline(node: ScalarNode, text_lines: Sequence[str], display: str, doc_offset: int,
            target: tuple[str | None, str | None], force_json: bool) -> list[Patch]:
    """Patches written inline in the kustomization; positions are shifted to the kustomization file."""
    loaded = load_text(node.value, display)
    if loaded.errors:
        return []
    docs = [d for d in loaded.documents if d.root is not None]
    if node.style in ("|", ">"):
        first = doc_offset + node.start_mark.line + 1  # content starts on the line after the indicator
        indent = 0
        for raw in text_lines[first:]:
            if raw.strip():
                indent = len(raw) - len(raw.lstrip(" "))
                break
        return _patch_docs(docs, display, first, indent, target, force_json)
    column = node.start_mark.column + (1 if node.style in ("'", '"') else 0)
    return _patch_docs(docs, display, doc_offset + node.start_mark.line, column, target, force_json)


def _in_git_folder(path: str, root: str) -> bool:
    """Whether the real ``path`` lies in a ``.git`` folder below the real ``root`` (a generator's ``files`` or
    ``envs`` entry would copy ``.git/config``, with the credentials CI keeps there, into objects whose fields
    ``replacements`` can move where findings quote them), by any name that opens it (``.GIT`` on a macOS or
    Windows runner: ``names_git_folder``)."""
    from guardlint.source.files import through_git_folder

    return through_git_folder(os.path.relpath(os.path.realpath(path), os.path.realpath(root)))


def parse_kustomization(directory: str, root: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Kustomization | None:
    """Read the kustomization of ``directory``: the folders it builds on, its patches and its problems
    (remote or out-of-repository references). None when the folder has no kustomization."""
    file = kustomization_file(directory)
    if file is None:
        return None
    display = display_name(file)
    docs, error = _load(file, display, max_bytes)
    if error is not None:
        return Kustomization(directory, file, display, (), (), (), None, False, (error,))
    if not docs or not isinstance(docs[0].data, dict):
        return Kustomization(directory, file, display, (), (), (), None, False, ())
    doc = docs[0]
    data: Mapping[str, Any] = doc.data
    text_lines = (read_input(Input(file, display), max_bytes).text or "").split("\n")
    refs: list[str] = []
    files: list[str] = []
    patches: list[Patch] = []
    problems: list[InputError] = []

    def refuse(node: Node | None, message: str, hint: str) -> None:
        problems.append(_error(display, node, doc.line_offset, message, hint))

    def local(entry: str, node: Node, field: str, *, folder: bool = False) -> str | None:
        """The path ``entry`` of ``field`` names, or None (the problem recorded) when kustomize must not read it:
        remote, outside the repository, missing, not a regular file (or a folder, where ``folder``), or over the
        size limit. Each of these would fail the build, fetch something, or read without bound."""
        if _REMOTE.match(entry.strip()):
            refuse(node, f"remote kustomize resource {entry!r} is not fetched: guardlint never contacts the network",
                   "vendor the remote base into the repository, or exclude this overlay")
            return None
        path = os.path.normpath(os.path.join(directory, entry))
        if not inside(path, root):
            refuse(node, f"{entry!r} in '{field}' is outside the repository ({root}); it is not read",
                   "keep what an overlay reads inside the repository")
            return None
        if _in_git_folder(path, root):
            refuse(node, f"{entry!r} in '{field}' is in the repository's .git folder, where CI keeps credentials "
                   "(actions/checkout's http extraheader, GitLab's job token in the remote URL); it is not read",
                   "an overlay has no business reading git's own files")
            return None
        try:
            info = os.stat(path)
        except OSError:
            refuse(node, f"{entry!r} in '{field}' does not exist ({display_name(path)}), so the overlay cannot be "
                   "built", "fix the path, or add the file")
            return None
        if stat.S_ISDIR(info.st_mode):
            if folder:
                return path
            refuse(node, f"{entry!r} in '{field}' is a folder; kustomize reads a file there",
                   "name a file")
            return None
        if not stat.S_ISREG(info.st_mode):
            refuse(node, f"{entry!r} in '{field}' is not a regular file; it is not read", "name a regular file")
            return None
        if info.st_size > max_bytes:
            refuse(node, f"{entry!r} in '{field}' is {info.st_size / 1048576:.1f} MiB, over the "
                   f"{describe_limit(max_bytes)} limit; it is not read",
                   "raise 'max-file-size-mb' if the file is meant to be this large")
            return None
        return path

    for field, entry, node in _loaded_paths(doc.root):
        if _REMOTE.match(entry.strip()) or _REMOTE.match(entry.partition("=")[2].strip()):
            refuse(node, f"remote file {entry!r} is not fetched: guardlint never contacts the network",
                   "vendor the file into the repository, or exclude this overlay")
            continue
        if field in _PLUGIN_LISTS and _inline_config(entry) is not None:
            continue
        # A generator's ``files`` entry may be ``key=path``.
        path_part = entry.partition("=")[2] if field.endswith(" files") and "=" in entry else entry
        path = local(path_part, node, field, folder=field in _PLUGIN_LISTS)
        if path is not None and field in _PLUGIN_LISTS and os.path.isdir(path) and kustomization_file(path):
            # kustomize builds a plugin-list folder as a kustomization (its output is the plugin
            # configurations): it is part of the chain, so its own entries are checked like a base's.
            refs.append(path)

    for field in _PLUGIN_LISTS:
        for entry, node in _strings(_get(doc.root, field)):
            inline = _inline_config(entry)
            if inline is not None:
                configs = inline
            else:
                config_path = os.path.normpath(os.path.join(directory, entry))
                if _REMOTE.match(entry.strip()) or not inside(config_path, root) or not os.path.isfile(config_path):
                    continue  # refused above, or a folder kustomize builds
                loaded, _ = _load(config_path, display_name(config_path), max_bytes)
                configs = [d.data for d in loaded if isinstance(d.data, dict)]
            for config in configs:
                reason = _plugin_refusal(config)
                if reason is not None:
                    what = "an inline configuration" if inline is not None else repr(entry)
                    refuse(node, f"{what} in '{field}' {reason}",
                           "build the overlay yourself with the plugins you trust and lint the output "
                           "(kustomize build ... | guardlint check -), or exclude this overlay")
                    break

    for field in ("helmCharts", "helmChartInflationGenerator"):
        charts = _get(doc.root, field)
        for item in charts.value if isinstance(charts, SequenceNode) else []:
            chart, chart_repo = _scalar(_get(item, "name")), _scalar(_get(item, "repo"))
            fetch = f" and download it from {chart_repo}" if chart_repo else ""
            refuse(item, f"chart {chart or '?'!r} in '{field}' is not inflated: kustomize would run helm{fetch}; "
                   "guardlint builds overlays without --enable-helm, so the overlay is not built",
                   "vendor the chart into the repository, where guardlint renders it as a chart folder, or "
                   "exclude this overlay")

    for key in _REF_KEYS:
        for entry, node in _strings(_get(doc.root, key)):
            path = local(entry, node, key, folder=True)
            if path is None:
                continue
            if os.path.isdir(path):
                if kustomization_file(path) is not None:
                    refs.append(path)
            else:
                files.append(os.path.realpath(path))

    def from_path(entry: str, node: Node, field: str, target: tuple[str | None, str | None],
                  force_json: bool) -> None:
        path = local(entry, node, field)
        if path is None or not os.path.isfile(path):
            return
        files.append(os.path.realpath(path))
        pdocs, perr = _load(path, display_name(path), max_bytes)
        if perr is None:
            patches.extend(_patch_docs(pdocs, display_name(path), 0, 0, target, force_json))

    for key, force_json in (("patches", False), ("patchesJson6902", True)):
        items = _get(doc.root, key)
        for item in items.value if isinstance(items, SequenceNode) else []:
            target = _target(_get(item, "target"))
            path_node, inline_node = _get(item, "path"), _get(item, "patch")
            if _scalar(path_node) is not None:
                assert path_node is not None
                from_path(str(_scalar(path_node)), path_node, key, target, force_json)
            elif isinstance(inline_node, ScalarNode):
                patches.extend(_inline(inline_node, text_lines, display, doc.line_offset, target, force_json))
    for entry, node in _strings(_get(doc.root, "patchesStrategicMerge")):
        if "\n" in entry or entry.lstrip().startswith(("{", "apiVersion")):
            patches.extend(_inline(node, text_lines, display, doc.line_offset, (None, None), False))
        else:
            from_path(entry, node, "patchesStrategicMerge", (None, None), False)
    is_component = data.get("kind") == "Component"
    return Kustomization(directory, file, display, tuple(refs), tuple(files), tuple(patches), doc, is_component,
                         tuple(problems))


class Graph(NamedTuple):
    nodes: dict[str, Kustomization]
    parents: dict[str, set[str]]


def build_graph(starts: Iterable[str], root: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Graph:
    """Parse the kustomizations of ``starts`` and of every folder they build on (transitively)."""
    nodes: dict[str, Kustomization] = {}
    parents: dict[str, set[str]] = {}
    stack = [os.path.abspath(s) for s in starts]
    while stack:
        d = stack.pop()
        if d in nodes:
            continue
        k = parse_kustomization(d, root, max_bytes)
        if k is None:
            continue
        nodes[d] = k
        for ref in k.refs:
            parents.setdefault(ref, set()).add(d)
            if ref not in nodes:
                stack.append(ref)
    return Graph(nodes, parents)


def scan_kustomizations(root: str, skip: Iterable[str] = ()) -> list[str]:
    """Every folder under ``root`` holding a kustomization (VCS and tool folders skipped)."""
    from guardlint.source.files import _SKIP_DIRS

    skipped = set(skip) | _SKIP_DIRS
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in skipped)
        if any(name in filenames for name in ("kustomization.yaml", "kustomization.yml", "Kustomization")):
            found.append(os.path.abspath(dirpath))
    return found


def overlays_for(affected: Iterable[str], graph: Graph, universe: set[str]) -> list[str]:
    """The folders to build for changes in ``affected``: each affected kustomization's topmost users
    within ``universe`` (itself when nothing in the universe uses it). Components are never built alone.

    One walk up from all of ``affected`` at once, each folder visited once: the topmost users of the starts
    together are the folders the walk reaches that nothing in the universe uses (a walk per start visited an
    overlay chain's folders once per folder below them: quadratic in the chain's length)."""
    out: set[str] = set()
    seen = set(affected)
    stack = list(seen)
    while stack:
        d = stack.pop()
        users = [p for p in graph.parents.get(d, ()) if p in universe]
        if not users:
            k = graph.nodes.get(d)
            if k is not None and not k.is_component:
                out.add(d)
            continue
        for p in users:
            if p not in seen:
                seen.add(p)
                stack.append(p)
    out |= _cycle_representatives(seen, out, graph, universe)
    return sorted(out)


def _cycle_representatives(seen: set[str], tops: set[str], graph: Graph, universe: set[str]) -> set[str]:
    """One folder to build for each group of ``seen`` folders that only a cycle of kustomizations uses (each of
    them has users, so none is topmost, and no topmost folder builds on them): otherwise their files would be
    left out without a word. Its build fails with kustomize's cycle error, which names the entry that closes the
    cycle. Linear: one walk down from the topmost folders, one walk per group."""
    reached = set(tops)
    stack = list(tops)
    while stack:
        k = graph.nodes.get(stack.pop())
        for ref in k.refs if k is not None else ():
            if ref in seen and ref not in reached:
                reached.add(ref)
                stack.append(ref)
    out: set[str] = set()
    covered = set(reached)
    for d in sorted(seen - reached):
        if d in covered:
            continue
        out.add(d)
        covered.add(d)
        group = [d]
        while group:
            here = group.pop()
            k = graph.nodes.get(here)
            near = [*(k.refs if k is not None else ()), *(p for p in graph.parents.get(here, ()) if p in universe)]
            for other in near:
                if other in seen and other not in covered:
                    covered.add(other)
                    group.append(other)
    return out


def chain(overlay: str, graph: Graph) -> list[Kustomization]:
    """The overlay and everything it builds on, outermost first (breadth first; a queue, so a chain of N
    kustomizations costs N steps)."""
    from collections import deque

    out: list[Kustomization] = []
    seen = {overlay}
    queue = deque([overlay])
    while queue:
        d = queue.popleft()
        k = graph.nodes.get(d)
        if k is None:
            continue
        out.append(k)
        for ref in k.refs:
            if ref not in seen:
                seen.add(ref)
                queue.append(ref)
    return out


class Built(NamedTuple):
    objects: list[dict[str, Any]]
    origins: list[dict[str, Any]]
    """Per object: the parsed origin annotation with ``path``/``configuredIn`` made absolute."""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    for key in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        env[key] = "http://127.0.0.1:9"
    env.pop("NO_PROXY", None)
    env.pop("no_proxy", None)
    env["GIT_ALLOW_PROTOCOL"] = "file"
    env["GIT_TERMINAL_PROMPT"] = "0"
    return env


def build(overlay: str, tool: Sequence[str], timeout: float = BUILD_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES
          ) -> Built | str | int:
    """Build ``overlay`` with origin annotations; the objects, or kustomize's error message, or, when what it
    builds is over ``max_bytes`` (as a file of that size would be), that limit: the build is stopped there, and
    its memory is capped (``render.child``)."""
    import yaml

    from guardlint.render import child

    with tempfile.TemporaryDirectory(prefix="guardlint-kustomize-") as tmp:
        rel = os.path.relpath(os.path.realpath(overlay), os.path.realpath(tmp))
        wrapper = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
                   "resources": [rel.replace(os.sep, "/")], "buildMetadata": ["originAnnotations"]}
        with open(os.path.join(tmp, "kustomization.yaml"), "w", encoding="utf-8") as fh:
            fh.write(yaml.safe_dump(wrapper))
        try:
            proc = child.run([*tool, tmp], timeout=timeout, max_output=max_bytes,
                             memory=child.memory_limit(max_bytes), env=_env(), cwd=tmp)
        except OSError as exc:
            return f"cannot run {tool[0]}: {exc.strerror or exc}"
        if isinstance(proc, child.TimedOut):
            return f"kustomize did not finish within {timeout:.0f} s"
        if isinstance(proc, child.TooMuchOutput):
            return proc.limit
        if proc.returncode != 0:
            message = proc.stderr.strip() or proc.stdout.strip() or f"exit status {proc.returncode}"
            return message.replace(os.path.realpath(tmp) + os.sep, "").replace(tmp + os.sep, "")
        loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        try:
            objects = [o for o in yaml.load_all(proc.stdout, Loader=loader) if isinstance(o, dict)]
        except yaml.YAMLError as exc:  # pragma: no cover - kustomize writes valid YAML
            return f"kustomize printed output that is not YAML: {exc}"
        origins: list[dict[str, Any]] = []
        base = os.path.realpath(tmp)
        for obj in objects:
            origins.append(_take_origin(obj, base, loader))
        return Built(objects, origins)


_KLOG = re.compile(r'^[EFWI]\d{4} [\d:.]+\s+\d+ [^\]]*\] "command failed" err=(?P<body>.*)$', re.S | re.M)
"""kubectl prints kustomize's error as a klog line: ``E1207 11:52:38.363195 31229 run.go:72] "command failed"
err="..."`` (a Go-quoted string), or ``err=<`` followed by tab-indented lines and `` >`` for a multi-line error."""
_LAYER = re.compile(
    r"^accumulating (?:resources|components): accumulation err='accumulating (?:resources|components) from "
    r"'[^']*': '(?P<dir>[^']*)' must resolve to a file': "
    r"(?:recursed accumulation of|couldn't make target for) path '(?P=dir)': ")
"""One folder of the chain as kustomize reports it: it first tries a folder entry as a file, then builds it; the
rest of the message is what went wrong inside that folder."""
_ENTRY_FAILED = re.compile(
    r"^accumulating (?:resources|components): accumulation err='accumulating (?:resources|components) from "
    r"(?P<entry>'[^']*'): '[^']*' must resolve to a file': ")
"""A folder entry that kustomize could not build, for a reason of the entry itself (a cycle, a Component used
as a resource): the rest is the reason, and the entry is in the kustomization at hand."""
_FILE_TRY = re.compile(
    r"^accumulating (?:resources|components): accumulation err='(?P<cause>.*)': must build at directory: "
    r"'[^']*': file is not directory$", re.S)
"""A file entry that failed: kustomize then tries it as a folder, and that second, expected failure is noise."""
_PATCH_ID = re.compile(
    r'(?:patch|Id) "?(?P<kind>[A-Za-z0-9]+)\.[^/\s"]*/(?P<name>[^\s"]+?)\.(?:\[noNs\]|[a-z0-9-]+)(?=["\s;:]|$)')
"""A resource id as kustomize prints it, ``Kind.version.[group]/name.[namespace]`` (``[noGrp]``, ``[noNs]``)."""
_YAML_LINE = re.compile(r"yaml: line (?P<line>\d+):.* in File: (?P<file>\S+)")


def _unwrap(raw: str) -> str:
    """kustomize's own error from what ``kubectl kustomize`` (a klog line) or ``kustomize build`` (``Error:``)
    printed."""
    # kustomize's warnings (``# Warning: 'commonLabels' is deprecated...``) come first; they are not the reason.
    text = "\n".join(line for line in raw.strip().split("\n") if not line.startswith("# Warning:")).strip()
    klog = _KLOG.search(text)
    if klog is not None:
        body = klog.group("body").strip()
        if body.startswith('"'):
            import json

            try:
                decoded = json.loads(body)
            except ValueError:
                decoded = body.strip('"').replace('\\"', '"').replace("\\\\", "\\")
            text = decoded if isinstance(decoded, str) else body
        elif body.startswith("<"):
            lines = body[1:].rstrip().removesuffix(">").split("\n")
            text = "\n".join(line.removeprefix("\t") for line in lines).strip()
    return text.removeprefix("Error: ").strip()


def failure(overlay: str, raw: str, members: Sequence[Kustomization], max_bytes: int = DEFAULT_MAX_BYTES
            ) -> InputError:
    """One located ``render-failed`` error for a failed build: kustomize's own cause without the log prefix and
    the layers of the folder chain, on the kustomization where it happened, at the entry the cause names (a
    resource, a patch's target, the line of a YAML error) when it names one."""
    text = _unwrap(raw)
    by_dir = {os.path.realpath(k.directory): k for k in members}
    inner = by_dir.get(os.path.realpath(overlay))
    while (layer := _LAYER.match(text)) is not None:
        inner = by_dir.get(os.path.realpath(layer.group("dir")), inner)
        text = text[layer.end():]
    tried = _FILE_TRY.match(text)
    if tried is not None:
        text = tried.group("cause")
    entry = _ENTRY_FAILED.match(text)
    if entry is not None:  # a folder entry that is not a kustomization kustomize can build (a cycle, a Component)
        text = f"accumulating resources from {entry.group('entry')}: {text[entry.end():]}"
    # ``map[string]interface {}(nil): `` is Go's description of the value being decoded, not part of the reason.
    cause = " ".join(text.split()).replace("map[string]interface {}(nil): ", "")
    for k in sorted(members, key=lambda m: -len(os.path.realpath(m.directory))):  # paths as reports show files
        cause = re.sub(re.escape(os.path.realpath(k.directory)) + r"(?=[/'\"\s:]|$)",
                       display_name(k.directory).replace("\\", "/"), cause)
    where = display_name(overlay)
    file, location = display_name(kustomization_file(overlay) or overlay), Location(1, 1, 1, 1)
    if inner is not None:
        file, location = inner.display, _cause_location(inner, cause)
        if os.path.realpath(inner.directory) != os.path.realpath(overlay):
            where += f" (in {display_name(inner.directory)})"
        yaml_error = _YAML_LINE.search(cause)
        named = os.path.join(inner.directory, yaml_error.group("file")) if yaml_error else ""
        if yaml_error is not None and os.path.isfile(named):
            file, location = display_name(named), Location(int(yaml_error.group("line")), 1, 0, 0)
        else:
            patch = _cause_patch(inner, cause)
            culprit = _yaml_culprit(members, cause, max_bytes) if patch is None and "yaml:" in cause else None
            if patch is not None:
                file, location = patch.file, _shift(patch.root, patch.root, patch)
            elif culprit is not None:
                file, location, cause = culprit
    return InputError(ErrorKind.RENDER_FAILED, file, location.line, location.column,
                      f"kustomize could not build the overlay {where}: {cause}",
                      "fix the kustomization or the file it names; nothing of this overlay was linted")


_DUPLICATE_KEY = re.compile(r'(?:line \d+: )?mapping key "(?P<key>[^"]+)" already defined(?: at line \d+)?')


def _yaml_culprit(members: Sequence[Kustomization], cause: str, max_bytes: int
                  ) -> tuple[str, Location, str] | None:
    """For a YAML error kustomize reports without naming the file (a duplicate key: ``line 10: mapping key "x"
    already defined at line 9``, lines of its own counting): the first file of the chain (kustomizations, then
    the files each reads) where guardlint's loader finds that duplicate key, with the cause restated in that
    file's lines; for another YAML error, the first file with a syntax error."""
    duplicate = _DUPLICATE_KEY.search(cause)
    for k in members:
        for path in (k.file, *k.files):
            display = display_name(path)
            result = read_input(Input(path, display), max_bytes)
            if result.error is not None:
                continue
            loaded = load_text(result.text or "", display)
            if duplicate is None:
                if loaded.errors:
                    return display, Location(loaded.errors[0].line, loaded.errors[0].column, 0, 0), cause
                continue
            key = duplicate.group("key")
            for doc in loaded.documents:
                for dup in doc.duplicate_keys:
                    if str(dup.path[-1]) == key:
                        restated = (cause[:duplicate.start()] + f"mapping key {key!r} already defined (first on "
                                    f"line {dup.first_line})" + cause[duplicate.end():])
                        return display, Location(dup.line, dup.column, 0, 0), restated
    return None


def _cause_location(k: Kustomization, cause: str) -> Location:
    """The first entry (or key) of the kustomization that the cause names in quotes or parentheses, else line 1."""
    root = k.document.root if k.document is not None else None
    offset = k.document.line_offset if k.document is not None else 0
    named = re.findall(r"'([^']+)'|\(([^()]+)\)|\"([^\"]+)\"", cause)
    wanted = [a or b or c for a, b, c in named]
    scalars: list[ScalarNode] = []
    stack: list[Node] = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, ScalarNode):
            scalars.append(node)
        elif isinstance(node, SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, MappingNode):
            for key, value in reversed(node.value):
                stack.extend((value, key))
    for value in wanted:
        for node in scalars:
            if node.value == value:
                mark = node.start_mark
                return Location(offset + mark.line + 1, mark.column + 1, 0, 0)
    return Location(1, 1, 1, 1)


def _cause_patch(k: Kustomization, cause: str) -> Patch | None:
    """The strategic-merge patch of the kustomization whose kind and name the cause names (a patch that
    matches no object), when there is exactly one."""
    found = _PATCH_ID.search(cause) if "patch" in cause else None
    if found is None:
        return None
    hits = [p for p in k.patches if not p.json6902 and p.kind == found.group("kind") and p.name == found.group("name")]
    return hits[0] if len(hits) == 1 else None


def _take_origin(obj: dict[str, Any], base: str, loader: Any) -> dict[str, Any]:
    import yaml

    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return {}
    annotations = meta.get("annotations")
    if not isinstance(annotations, dict) or ORIGIN_ANNOTATION not in annotations:
        return {}
    raw = annotations.pop(ORIGIN_ANNOTATION)
    if not annotations:
        del meta["annotations"]
    try:
        origin = yaml.load(raw, Loader=loader) if isinstance(raw, str) else None
    except yaml.YAMLError:
        origin = None
    if not isinstance(origin, dict):
        return {}
    for key in ("path", "configuredIn"):
        value = origin.get(key)
        if isinstance(value, str) and not origin.get("repo"):
            origin[key] = os.path.normpath(os.path.join(base, value))
    return origin


# Mapping a field of a rendered object back to a patch ---------------------------------------------------


def patch_applies(patch: Patch, kind: str, names: Iterable[str]) -> bool:
    if patch.kind is not None and patch.kind != kind:
        return False
    if patch.name is None:
        return True
    for n in names:
        if not n:
            continue
        if patch.name == n or (patch.name in n):
            return True
        try:
            if re.fullmatch(patch.name, n):
                return True
        except re.error:
            continue
    return False


def _map_item(node: SequenceNode, item: Any, index: int) -> Node | None:
    if isinstance(item, dict):
        for key in MERGE_KEYS:
            if key in item:
                want = str(item[key])
                for child in node.value:
                    if isinstance(child, MappingNode) and _scalar(_get(child, key)) == want:
                        return child
                return None
    return node.value[index] if 0 <= index < len(node.value) else None


def smp_locate(patch: Patch, data: Any, path: FieldPath) -> Location | None:
    """Where a strategic-merge patch sets ``path`` of the rendered object ``data`` (list items matched by
    their merge key), or None when the patch does not set it."""
    node: Node | None = patch.root
    key_node: Node | None = None
    for part in path:
        if isinstance(part, int):
            if not isinstance(node, SequenceNode) or not isinstance(data, list) or not 0 <= part < len(data):
                return None
            node, key_node, data = _map_item(node, data[part], part), None, data[part]
        else:
            if not isinstance(node, MappingNode):
                return None
            hit = None
            for k, v in node.value:
                if isinstance(k, ScalarNode) and k.value == part:
                    hit = (k, v)
            if hit is None:
                return None
            key_node, node = hit
            data = data.get(part) if isinstance(data, dict) else None
        if node is None:
            return None
    start = key_node or node
    assert node is not None
    assert start is not None
    return _shift(start, node, patch)


def _shift(start: Node, end: Node, patch: Patch) -> Location:
    s, e = start.start_mark, end.end_mark
    return Location(patch.line_offset + s.line + 1, patch.column_offset + s.column + 1,
                    patch.line_offset + e.line + 1, patch.column_offset + e.column + 1)


def _pointer(text: str) -> list[str | int]:
    parts: list[str | int] = []
    for raw in text.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        parts.append(int(part) if part.isdigit() else part)
    return parts


def json6902_locate(patch: Patch, path: FieldPath) -> Location | None:
    """Where a JSON 6902 patch adds or replaces ``path`` (or a parent whose value holds it)."""
    if not isinstance(patch.root, SequenceNode):
        return None
    for op in reversed(patch.root.value):
        if _scalar(_get(op, "op")) not in ("add", "replace", "copy", "move"):
            continue
        pointer = _scalar(_get(op, "path"))
        value = _get(op, "value")
        if pointer is None or value is None:
            continue
        parts = _pointer(pointer)
        if len(parts) > len(path) or list(path[: len(parts)]) != parts:
            continue
        rest = path[len(parts):]
        if not rest:
            return _shift(value, value, patch)
        loc, exact = locate(value, rest, 0)
        if exact:
            return Location(patch.line_offset + loc.line, patch.column_offset + loc.column,
                            patch.line_offset + loc.end_line, patch.column_offset + loc.end_column)
    return None
