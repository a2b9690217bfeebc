"""Pull-request mode (``guardlint check --diff-base REF``): report only the findings a change introduces.

The working tree is linted as usual. The base, the merge base of REF and ``HEAD`` (what a pull request's
"files changed" compares with), is read with git (``ls-tree`` and ``cat-file --batch``: no checkout, no
fetch, nothing written to the repository) into a private temporary folder that mirrors the repository,
and the same paths are linted there with the same settings (except the configuration's exemptions: the base
keeps its own version's, so an exemption the change added shows), so cross-object rules see the whole linted
tree at both revisions. The base version of the configuration is read as data: the working tree's local plugin
rules stand in for the plugins it names, and no plugin of the base revision is ever imported. Findings are
matched by the baseline key (file, object, rule, field path; never by line), with the files renamed by the
change followed (committed or staged, as git detects renames; moved in the working tree only, when the content
is unchanged). The report keeps the new findings and the suppressed findings whose suppression the change added;
the counts of new, fixed and unchanged findings travel with it (``Report.diff``).

git runs with an argument list (no shell), ``--`` before paths, REF checked with
``rev-parse --verify REF^{commit}``, the system configuration ignored, hooks, fsmonitor, external diff
drivers and text conversion off, optional locks off, and every network protocol refused (a partial clone
cannot fetch a missing object behind our back). Blob sizes are read from ``ls-tree -l`` before any
content, and blobs over the run's file-size limit are not read.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator, Sequence

from guardlint._record import NamedTuple
from guardlint.errors import UsageError
from guardlint.findings import DiffSummary, Finding, Report

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint.api import Settings
    from guardlint.config.model import Exemption
    from guardlint.errors import ConfigError
    from guardlint.rules.api import Rule

Resolve = Callable[[str | None, str | None, Sequence["Rule[Any]"]], "Settings"]
"""Settings for a configuration file and a policy (either may be None) with the run's command-line overrides, and
rules that stand in for those only the base revision's own plugins defined (see ``_base_configuration``), added
to the working tree's local plugin rules."""

BASE_MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
"""The most base-revision content read in one run (2 GiB); more is an error naming the paths to narrow."""

_SAFE_CONFIG = (
    "-c", "core.fsmonitor=false",
    "-c", "core.hooksPath=/dev/null",
    "-c", "core.untrackedCache=false",
    "-c", "diff.external=",
    "-c", "protocol.allow=never",
    "-c", "core.pager=cat",
)
"""Per-command settings that keep a repository's own configuration from running anything."""

FETCH_ADVICE = (
    "guardlint fetches nothing itself: fetch the base first, for example 'git fetch --no-tags --depth=100 "
    "origin main' (deepen until the merge base is present), or check out with the full history "
    "(GitHub Actions: actions/checkout with 'fetch-depth: 0'; GitLab CI: 'GIT_DEPTH: 0')"
)


class BaseUnavailable(UsageError):
    """REF is not a commit of this clone, or shares no history with ``HEAD`` (a shallow clone): exit code 2,
    with the advice on how to fetch it."""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("GIT_EXTERNAL_DIFF", "GIT_PAGER", "GIT_ASKPASS", "SSH_ASKPASS", "GIT_SSH", "GIT_SSH_COMMAND"):
        env.pop(name, None)
    env.update({
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_OPTIONAL_LOCKS": "0",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_NO_LAZY_FETCH": "1",
        "GIT_NO_REPLACE_OBJECTS": "1",
        "LC_ALL": "C",
    })
    return env


class GitResult(NamedTuple):
    code: int
    stdout: bytes
    stderr: str


def git(args: Sequence[str], cwd: str, *, stdin: bytes | None = None) -> GitResult:
    """Run ``git ARGS`` in ``cwd`` safely (see the module docstring); a missing git is a UsageError."""
    try:
        proc = subprocess.run(  # an argument list, no shell
            ["git", *_SAFE_CONFIG, *args], cwd=cwd, input=stdin if stdin is not None else b"",
            capture_output=True, env=_env(), check=False,
        )
    except FileNotFoundError:
        raise UsageError.naming("{diff_base} needs git, which is not installed (or not on PATH)") from None
    except OSError as exc:
        raise UsageError.naming("{diff_base}: cannot run git: {why}", why=exc.strerror or exc) from None
    return GitResult(proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace").strip())


_BAD_REF = re.compile(r"[\x00-\x20\x7f]|^-")


def check_ref_text(ref: str) -> None:
    """A UsageError for a REF that could be read as an option or holds spaces or control characters."""
    if not ref or _BAD_REF.search(ref):
        raise UsageError.naming("{diff_base} {ref!r}: not a git revision (a branch, tag or commit such as origin/main)",
                                ref=ref)


class Base(NamedTuple):
    """The revision a change is compared with."""

    ref: str
    """REF as given."""
    commit: str
    """The merge base of REF and HEAD (the full object name)."""
    toplevel: str
    """The repository's working tree root (real path)."""
    renames: dict[str, str]
    """Base path -> working-tree path of the files the change renamed (repository-relative, POSIX)."""


def resolve_base(ref: str, cwd: str) -> Base:
    """Check REF and find the merge base with HEAD, and the renames since; BaseUnavailable with the fetch
    advice when the clone does not hold them."""
    check_ref_text(ref)
    top = git(["rev-parse", "--show-toplevel"], cwd)
    if top.code != 0:
        raise UsageError.naming("{diff_base}: {cwd} is not inside a git working tree ({why})",
                                cwd=os.path.abspath(cwd), why=top.stderr)
    toplevel = os.path.realpath(top.stdout.decode("utf-8", "surrogateescape").rstrip("\n"))
    found = git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], toplevel)
    if found.code != 0:
        shallow = git(["rev-parse", "--is-shallow-repository"], toplevel).stdout.strip() == b"true"
        raise BaseUnavailable.naming("{diff_base} {ref}: no such commit in this clone{shallow}; {advice}", ref=ref,
                                     shallow=" (it is a shallow clone)" if shallow else "", advice=FETCH_ADVICE)
    base = found.stdout.decode("ascii").strip()
    head = git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], toplevel)
    if head.code != 0:
        raise UsageError.naming("{diff_base} {ref}: the repository has no commit checked out (HEAD); nothing to "
                                "compare", ref=ref)
    merged = git(["merge-base", base, head.stdout.decode("ascii").strip()], toplevel)
    if merged.code != 0:
        shallow = git(["rev-parse", "--is-shallow-repository"], toplevel).stdout.strip() == b"true"
        why = ("the clone is shallow and its history stops before the two meet" if shallow
               else "they share no history")
        raise BaseUnavailable.naming("{diff_base} {ref}: no common ancestor of {ref} and HEAD in this clone ({why}); "
                                     "{advice}", ref=ref, why=why, advice=FETCH_ADVICE)
    commit = merged.stdout.decode("ascii").strip().splitlines()[0]
    return Base(ref, commit, toplevel, _renames(commit, toplevel))


def _renames(commit: str, toplevel: str) -> dict[str, str]:
    """Base path -> working-tree path of the files renamed since ``commit``: renames git finds from ``commit``
    to the index (committed or staged; git's rename detection, so content at least 50% similar), followed by
    the renames only the working tree holds (a file moved with ``mv`` and not staged) when the content is
    byte for byte the index's (see ``_unstaged_renames``). The index is read, not refreshed, and no git
    filter runs on working-tree content."""
    out = git(["diff", "--cached", "--no-ext-diff", "--no-textconv", "--find-renames", "--name-status", "-z",
               commit, "--"], toplevel)
    if out.code != 0:
        raise UsageError.naming("{diff_base}: git diff failed: {why}", why=out.stderr)
    fields = out.stdout.split(b"\0")
    renames: dict[str, str] = {}
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i].decode("ascii", "replace")
        if status.startswith(("R", "C")):
            if status.startswith("R"):
                renames[_text(fields[i + 1])] = _text(fields[i + 2])
            i += 3
        else:
            i += 2
    moved = _unstaged_renames(toplevel)
    if not moved:
        return renames
    staged_targets = set(renames.values())
    followed = {old: moved.get(new, new) for old, new in renames.items()}
    for old, new in moved.items():
        if old not in staged_targets:  # an index path moved in the working tree (the base path, or added)
            followed.setdefault(old, new)
    return followed


UNSTAGED_RENAME_MAX_BYTES = 8 * 1024 * 1024
"""Working-tree files larger than this are not hashed when looking for unstaged renames."""


def _unstaged_renames(toplevel: str) -> dict[str, str]:
    """Index path -> working-tree path of the files moved in the working tree only: an indexed file that is
    missing from the working tree paired with an untracked, not ignored file whose bytes, hashed in git's
    object format by Python (no clean filter, no end-of-line conversion), are the indexed blob. Only exact
    renames: a file moved and edited without staging is not followed (stage it, ``git add -A``, and git's
    similarity detection applies). Only untracked files of the size of a missing blob are read."""
    deleted = git(["ls-files", "--deleted", "-z", "--full-name", "--"], toplevel)
    if deleted.code != 0 or not deleted.stdout.strip(b"\0"):
        return {}
    gone = {_text(p) for p in deleted.stdout.split(b"\0") if p}
    staged = git(["ls-files", "--stage", "-z", "--full-name", "--"], toplevel)
    if staged.code != 0:
        return {}
    oids: dict[str, str] = {}  # missing path -> blob id in the index
    for entry in staged.stdout.split(b"\0"):
        meta, _, raw_path = entry.partition(b"\t")
        parts = meta.split()
        path = _text(raw_path)
        if path in gone and len(parts) == 3 and parts[2] == b"0" and parts[0] in (b"100644", b"100755", b"120000"):
            oids[path] = parts[1].decode("ascii")
    if not oids:
        return {}
    sizes = _blob_sizes(toplevel, sorted(set(oids.values())))
    wanted = {n for n in sizes.values() if n <= UNSTAGED_RENAME_MAX_BYTES}
    others = git(["ls-files", "--others", "--exclude-standard", "-z", "--full-name", "--"], toplevel)
    if others.code != 0 or not wanted:
        return {}
    fmt = git(["rev-parse", "--show-object-format"], toplevel)
    algorithm = fmt.stdout.decode("ascii", "replace").strip() if fmt.code == 0 else "sha1"
    by_oid: dict[str, list[str]] = {}
    for raw in others.stdout.split(b"\0"):
        if not raw:
            continue
        rel = _text(raw)
        oid = _working_blob_id(os.path.join(toplevel, *rel.split("/")), wanted, algorithm)
        if oid is not None:
            by_oid.setdefault(oid, []).append(rel)
    renames: dict[str, str] = {}
    for old in sorted(oids):  # identical contents pair by file name first, then in path order
        candidates = by_oid.get(oids[old])
        if not candidates:
            continue
        same_name = [c for c in candidates if c.rsplit("/", 1)[-1] == old.rsplit("/", 1)[-1]]
        new = (same_name or candidates)[0]
        candidates.remove(new)
        renames[old] = new
    return renames


def _blob_sizes(toplevel: str, oids: Sequence[str]) -> dict[str, int]:
    out = git(["cat-file", "--batch-check"], toplevel, stdin=b"".join(o.encode("ascii") + b"\n" for o in oids))
    sizes = {}
    for line in out.stdout.splitlines() if out.code == 0 else []:
        parts = line.split()
        if len(parts) == 3 and parts[1] == b"blob" and parts[2].isdigit():
            sizes[parts[0].decode("ascii")] = int(parts[2])
    return sizes


def _working_blob_id(path: str, sizes: set[int], algorithm: str) -> str | None:
    """The git blob id of a working-tree file or symbolic link (its target) read as it is, or None when its
    size matches no wanted blob or it cannot be read (not a regular file or link, vanished, unreadable)."""
    import hashlib
    import stat

    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            content = os.fsencode(os.readlink(path))
        elif stat.S_ISREG(st.st_mode) and st.st_size in sizes:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as fh:
                content = fh.read(max(sizes) + 1)
        else:
            return None
    except OSError:
        return None
    if len(content) not in sizes or algorithm not in ("sha1", "sha256"):
        return None
    digest = hashlib.new(algorithm)
    digest.update(b"blob %d\0" % len(content))
    digest.update(content)
    return digest.hexdigest()


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


class BaseFile(NamedTuple):
    path: str
    """Repository-relative POSIX path."""
    mode: str
    oid: str
    size: int


def list_files(base: Base, prefixes: Sequence[str]) -> list[BaseFile]:
    """The files and symbolic links (submodules are left out) under ``prefixes``
    (repository-relative; ``""`` is the whole tree) at the base commit, with their sizes."""
    specs = [f":(literal){p}" for p in prefixes if p]
    if "" in prefixes:
        specs = []
    out = git(["ls-tree", "-r", "-l", "-z", "--full-tree", base.commit, "--", *specs], base.toplevel)
    if out.code != 0:
        raise UsageError.naming("{diff_base}: git ls-tree failed: {why}", why=out.stderr)
    files = []
    for entry in out.stdout.split(b"\0"):
        if not entry:
            continue
        meta, _, raw_path = entry.partition(b"\t")
        parts = meta.split()
        if len(parts) != 4 or parts[1] != b"blob" or parts[0] not in (b"100644", b"100755", b"120000"):
            continue
        if not parts[3].isdigit():  # ls-tree cannot size a blob the clone lacks (a partial clone)
            raise BaseUnavailable.naming("{diff_base} {ref}: the content of {path} at the base is not in this clone "
                                         "(a partial clone?); {advice}", ref=base.ref, path=_text(raw_path),
                                         advice=FETCH_ADVICE)
        files.append(BaseFile(_text(raw_path), parts[0].decode(), parts[2].decode("ascii"), int(parts[3])))
    return files


BATCH_BYTES = 64 * 1024 * 1024
"""Blobs are read in batches of about this many bytes, so memory stays bounded whatever the tree's size."""


def read_blobs(base: Base, files: Sequence[BaseFile]) -> Iterator[tuple[BaseFile, bytes]]:
    """The content of ``files`` (sizes already checked by the caller), through ``cat-file --batch`` calls of
    about ``BATCH_BYTES`` each. A blob this clone does not hold (a partial clone: nothing is fetched) is a
    BaseUnavailable error with the fetch advice."""
    batch: list[BaseFile] = []
    size = 0
    for f in files:
        batch.append(f)
        size += f.size
        if size >= BATCH_BYTES:
            yield from _read_batch(base, batch)
            batch, size = [], 0
    if batch:
        yield from _read_batch(base, batch)


def _read_batch(base: Base, files: Sequence[BaseFile]) -> Iterator[tuple[BaseFile, bytes]]:
    request = b"".join(f.oid.encode("ascii") + b"\n" for f in files)
    out = git(["cat-file", "--batch"], base.toplevel, stdin=request)
    if out.code != 0:
        raise UsageError.naming("{diff_base}: git cat-file failed: {why}", why=out.stderr)
    data = out.stdout
    pos = 0
    for f in files:
        end = data.find(b"\n", pos)
        header = data[pos:end].split() if end >= 0 else []
        if len(header) == 2 and header[1] == b"missing":
            raise BaseUnavailable.naming("{diff_base} {ref}: the content of {path} at the base is not in this clone "
                                         "(a partial clone?); {advice}", ref=base.ref, path=f.path, advice=FETCH_ADVICE)
        if len(header) != 3 or header[1] != b"blob" or int(header[2]) != f.size:
            raise UsageError.naming("{diff_base}: git cat-file gave an unexpected answer for {path}", path=f.path)
        start = end + 1
        yield f, data[start:start + f.size]
        pos = start + f.size + 1


def _safe_relative(path: str) -> bool:
    parts = path.split("/")
    return bool(path) and not path.startswith("/") and all(p not in ("", ".", "..") for p in parts)


def materialize(base: Base, prefixes: Sequence[str], target: str, max_bytes: int) -> list[str]:
    """Write the base version of the files under ``prefixes`` into ``target`` (a fresh private folder);
    returns notes on what was left out (files over the size limit). Symbolic links are made again when they
    point inside the mirror (relatively); a link to anything else is left out."""
    files = list_files(base, prefixes)
    notes = []
    wanted = []
    total = 0
    for f in files:
        if not _safe_relative(f.path):
            continue
        if f.size > max_bytes:
            notes.append(f"{f.path}: not read at the base ({f.size} bytes, over the file-size limit)")
            continue
        total += f.size
        if total > BASE_MAX_TOTAL_BYTES:
            raise UsageError.naming("{diff_base}: the linted paths hold more than {most} MiB at {ref}; name fewer "
                                    "paths", most=BASE_MAX_TOTAL_BYTES // 2**20, ref=base.ref)
        wanted.append(f)
    for f, content in read_blobs(base, wanted):
        dest = os.path.join(target, *f.path.split("/"))
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if f.mode == "120000":  # a link stays a link when it points inside the tree; others are left out
            link = _text(content)
            inside = os.path.normpath(os.path.join(os.path.dirname(dest), link))
            if not os.path.isabs(link) and _inside(inside, target):
                os.symlink(link, dest)
            continue
        with open(dest, "wb") as fh:
            fh.write(content)
        if f.mode == "100755":
            os.chmod(dest, 0o755)
    return notes


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _parts(rel: str) -> list[str]:
    return [x for x in rel.split("/") if x]


def _repo_relative(path: str, root: str) -> str:
    rel = os.path.relpath(path, root)
    return "" if rel == "." else rel.replace(os.sep, "/")


def lint_base(
    base: Base,
    paths: Sequence[str],
    settings: Settings,
    lint: Callable[[Sequence[str], Settings, Sequence[str]], Report],
    *,
    context: Sequence[str] = (),
    resolve: Resolve | None = None,
    command_line: bool = False,
) -> tuple[Report, Callable[[str], str], list[str]]:
    """Lint ``paths`` (as given, relative to the working directory) at the base revision, in a mirror of
    the repository; returns the report, the function from its file names to repository-relative ones, and
    notes (naming options as the command line's flags with ``command_line``, else as the library's
    parameters). Paths outside the repository are a UsageError.

    The process's working directory is never changed (a library call shares it with the host program's
    threads and relative paths): each path is joined to the mirror's copy of the working directory, and what
    a run would otherwise take from the working directory is given explicitly (``Settings.workdir``: exclude
    patterns and exemption paths without a configuration file). The mirror's root holds an empty ``.git``
    folder, so that lookups bounded by the repository (chart and kustomize trees, the walk's limit for
    symbolic links) stop at the mirror's root as they stop at the repository's in the working tree run."""
    import shutil
    import tempfile

    cwd = os.path.realpath(os.getcwd())
    if not _inside(cwd, base.toplevel):
        raise UsageError.naming("{diff_base}: run guardlint inside the repository ({top})", top=base.toplevel)
    prefixes = []
    for p in (*paths, *context):
        if p == "-":
            raise UsageError.naming("{diff_base} compares files in a git repository: it cannot read standard input (-)")
        named = os.path.normpath(os.path.join(cwd, p))
        full = os.path.realpath(p)  # a named link is read at the base with what it points to
        for where in dict.fromkeys((named, full)):
            if not _inside(where, base.toplevel):
                raise UsageError.naming("{diff_base}: {path} is outside the git repository {top}", path=p,
                                        top=base.toplevel)
            prefixes.append(_repo_relative(where, base.toplevel))
    cfg = settings.config
    config_rel = None  # the configuration file, when it is in the repository: its base version's exemptions apply
    if cfg.source is not None and cfg.source != "-":
        source = os.path.realpath(cfg.source)
        if _inside(source, base.toplevel):
            config_rel = _repo_relative(source, base.toplevel)
            prefixes.append(config_rel)
    policy = os.path.abspath(cfg.policy) if cfg.policy is not None else None
    mirror = os.path.realpath(tempfile.mkdtemp(prefix="guardlint-base-"))
    rel_cwd = _repo_relative(cwd, base.toplevel)
    mirror_cwd = os.path.join(mirror, *_parts(rel_cwd))

    def mirrored(p: str) -> str:
        """The path the run reads at the base: a relative path as spelled, from the mirror's working folder (so
        that the system resolves it, links and ``..`` included, as it resolved it from the working directory)."""
        if not os.path.isabs(p):
            return os.path.join(mirror_cwd, p)
        return os.path.join(mirror, *_parts(_repo_relative(os.path.realpath(p), base.toplevel)))

    def in_mirror(path: str) -> str:
        """A folder of the repository (absolute) as the same folder of the mirror."""
        return os.path.join(mirror, *_parts(_repo_relative(os.path.realpath(path), base.toplevel)))

    try:
        notes = materialize(base, prefixes, mirror, settings.max_bytes)
        os.makedirs(mirror_cwd, exist_ok=True)
        os.mkdir(os.path.join(mirror, ".git"))  # the mirror's root is the repository's (see above)
        base_dir = os.path.realpath(os.path.join(cwd, cfg.base_dir))
        # absolute outside the repository: the base revision is linted from another working directory
        cfg = cfg._replace(base_dir=in_mirror(base_dir) if _inside(base_dir, base.toplevel) else base_dir)
        plan = settings.plan
        if config_rel is not None:
            base_config = os.path.join(mirror, *_parts(config_rel))
            exemptions, said, plugins = _base_configuration(base_config if os.path.isfile(base_config) else None,
                                                            policy, settings, config_rel, resolve, command_line)
            plan = plan._replace(exemptions=exemptions)
            only_base = sorted(_plugin_names(plugins, mirror) - _plugin_names(settings.config.plugins, base.toplevel))
            if only_base:
                said.append(f"{config_rel}: the base version names local plugins the working tree's does not "
                            f"({_names(only_base)}); plugins are never imported from the base revision: both "
                            "revisions are linted with the working tree's rules")
            notes += [_shown(n, mirror, mirror_cwd, base.toplevel, cwd) for n in said]
        # Exemption paths are relative to a folder (the configuration's, else the working directory's); one in the
        # repository is the same folder of the mirror at the base (those read from the mirror's configuration
        # already are).
        plan = plan._replace(exemptions=tuple(
            ex._replace(base=mirror_cwd) if ex.base is None
            else ex._replace(base=in_mirror(ex.base)) if _inside(os.path.realpath(ex.base), base.toplevel) else ex
            for ex in plan.exemptions))
        existing = [m for m in (mirrored(p) for p in paths) if os.path.exists(m)]
        ctx = [m for m in (mirrored(c) for c in context) if os.path.exists(m)]
        at_base = settings._replace(config=cfg, plan=plan, workdir=mirror_cwd)
        report = lint(existing, at_base, ctx) if existing else Report((), (), (), 0)
    finally:
        shutil.rmtree(mirror, ignore_errors=True)
    shown_from = os.getcwd()  # the run names files as ``display_name`` does: relative to it when below it

    def to_repo(file: str) -> str:
        full = os.path.normpath(file if os.path.isabs(file) else os.path.join(shown_from, file))
        if not _inside(full, mirror):  # outside the repository (a policy file): the same path at both revisions
            return full
        rel = _repo_relative(full, mirror)
        return base.renames.get(rel, rel)

    return report, to_repo, notes


def _shown(note: str, mirror: str, mirror_cwd: str, toplevel: str, cwd: str) -> str:
    """A note about a base file, naming it as the working tree's file would be named (the mirror is gone when
    the note is read): relative to the working directory, as when the same file is read in the working tree."""
    note = note.replace(mirror_cwd.rstrip(os.sep) + os.sep, "")
    top = os.path.relpath(toplevel, cwd)
    return note.replace(mirror + os.sep, "" if top == os.curdir else top + os.sep)


def _plugin_names(specs: Sequence[str], root: str) -> set[str]:
    """Local plugin entries as the repository names them: a file's path relative to ``root`` (the repository, or
    the mirror of its base revision), a module by its name."""
    return {_repo_relative(spec, root) if os.path.isabs(spec) and _inside(spec, root) else spec for spec in specs}


def _base_configuration(
    path: str | None, policy: str | None, settings: Settings, shown: str, resolve: Resolve | None,
    command_line: bool = False,
) -> tuple[tuple[Exemption, ...], list[str], tuple[str, ...]]:
    """The exemptions of the base version of the configuration (``path`` in the mirror; None when the change
    added the file), with the same policy and command line (``resolve``), so that an exemption the change added
    shows as an added suppression; notes naming the rules the change turns off or weakens; and the local plugins
    the base version names. Nothing the file names is imported: the working tree's local plugin rules
    (``Settings.local_rules``) stand in for the base version's ``plugins:``, as the base is linted with the
    working tree's rules. When it cannot be read, the working tree's exemptions apply and a note says so.

    A rule the base version names that no rule of the working tree is (one its own plugin defined, removed or
    renamed by the change) would make it unreadable: such names get inert stand-ins (``_stand_ins``), which
    report nothing and are off unless the base version turns them on, so its other exemptions still count. No
    finding of theirs exists at either revision (both are linted with the working tree's rules)."""
    from guardlint.errors import ConfigError, GuardlintError

    if path is None and policy is None and resolve is None:
        return (), [], ()
    if resolve is None:
        from guardlint.api import resolve_settings

        def resolve(config: str | None, policy: str | None, extra: Sequence[Rule[Any]]) -> Settings:
            return resolve_settings(config=config, use_config_file=False, policy=policy,
                                    local_rules=(*settings.local_rules, *extra))
    try:
        try:
            loaded = resolve(path, policy, ())
        except ConfigError as exc:
            stand_ins = _stand_ins(exc, settings)
            if not stand_ins:
                raise
            loaded = resolve(path, policy, stand_ins)
    except GuardlintError as exc:  # worded for the caller, as an error it raised would be (``GuardlintError.naming``)
        why = exc.command_line() if command_line else str(exc)
        return settings.plan.exemptions, [(f"the base version of {shown} could not be read ({why}); its exemptions "
                                          "are taken to be the working tree's")], ()
    before = {a.rule.name: a.severity for a in loaded.plan.active}
    after = {a.rule.name: a.severity for a in settings.plan.active}
    notes = []
    off = sorted(set(before) - set(after))
    if off:
        notes.append(f"{shown}: this change turns off {len(off)} rule{'s' if len(off) > 1 else ''} that ran at the "
                     f"base ({_names(off)}); their findings are no longer reported")
    lowered = sorted(n for n in before.keys() & after.keys() if before[n].rank > after[n].rank)
    if lowered:
        notes.append(f"{shown}: this change lowers the severity of "
                     + _names([f"{n} ({before[n].value} -> {after[n].value})" for n in lowered]))
    return loaded.config.exemptions, notes, loaded.config.plugins


_UNKNOWN_NAME = re.compile(r"^(?:unknown key )?('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")(?: names no rule|$| \(|;)")


def _stand_ins(error: ConfigError, settings: Settings) -> tuple[Rule[Any], ...]:
    """Inert rules named as the rules a base configuration names that the working tree does not know, when
    every problem of ``error`` is such a name (a ``rules:`` key, an exemption's rule, a selector); () otherwise.
    Each reports nothing and is off by default (the base version may select it or turn it on)."""
    import ast

    from guardlint.findings import Severity
    from guardlint.rules.api import rule

    names: list[str] = []
    for problem in error.problems or ():
        m = _UNKNOWN_NAME.match(problem.message)
        known_place = (problem.path == "rules" or ".rules[" in problem.path or problem.path.startswith(
            ("select[", "extend-select[", "ignore[", "locked[")))
        if m is None or not known_place:
            return ()
        name = ast.literal_eval(m.group(1))
        if not isinstance(name, str) or settings.registry.get(name) is not None:
            return ()
        names.append(name)
    if not names:
        return ()

    def inert(resource: object, params: object, ctx: object) -> Iterator[Any]:
        yield from ()

    taken = {r.code for r in settings.registry.rules}
    codes = (f"GONE{i:03d}" for i in range(1, 1000) if f"GONE{i:03d}" not in taken)
    return tuple(
        rule(code=code, name=name, title="A rule of the base revision's own plugin", severity=Severity.INFO,
             pack="base-revision-plugin", remediation="None.", enabled_by_default=False,
             doc="## What it does\nStands in for a rule the working tree no longer defines.")(inert)
        for name, code in zip(dict.fromkeys(names), codes, strict=False)
    )


def _names(items: Sequence[str], most: int = 10) -> str:
    return ", ".join(items[:most]) + (f" and {len(items) - most} more" if len(items) > most else "")


def head_relative(toplevel: str) -> Callable[[str], str]:
    """The function from the working tree run's file names to repository-relative ones."""
    cwd = os.path.realpath(os.getcwd())

    def to_repo(file: str) -> str:
        full = os.path.normpath(file if os.path.isabs(file) else os.path.join(cwd, file))
        return _repo_relative(full, toplevel) if _inside(full, toplevel) else full

    return to_repo


def compare(
    head: Report, base_report: Report, head_file: Callable[[str], str], base_file: Callable[[str], str],
    base: Base, notes: Sequence[str] = (),
) -> Report:
    """The working tree's report reduced to what the change introduced: active findings with no counterpart
    at the base, and suppressed findings whose suppression the base did not have (a suppression the change
    added). ``Report.diff`` counts new, fixed and unchanged findings and the added suppressions."""
    from guardlint.baseline import key_of

    base_active = Counter(key_of(f, base_file) for f in base_report.findings if not f.suppressed)
    base_suppressed = Counter((key_of(f, base_file), f.suppression_reason or "")
                              for f in base_report.findings if f.suppressed)
    kept: list[Finding] = []
    new = unchanged = 0
    added: list[Finding] = []
    for f in head.findings:
        k = key_of(f, head_file)
        if not f.suppressed:
            if base_active[k] > 0:
                base_active[k] -= 1
                unchanged += 1
            else:
                new += 1
                kept.append(f)
            continue
        sk = (k, f.suppression_reason or "")
        if base_suppressed[sk] > 0:
            base_suppressed[sk] -= 1
            continue
        base_active[k] -= 1 if base_active[k] > 0 else 0  # suppressed now, active before: not "fixed"
        added.append(f)
        kept.append(f)
    fixed = sum(n for n in base_active.values() if n > 0)
    summary = DiffSummary(base=base.ref, commit=base.commit, new=new, fixed=fixed, unchanged=unchanged,
                          suppressions_added=len(added))
    return head._replace(findings=tuple(kept), diff=summary, warnings=(*head.warnings, *notes))


def config_notes(base: Base, files: Sequence[str | None]) -> list[str]:
    """Notes for the configuration or policy files in the repository that the change added or edited: the
    comparison runs under the working tree's configuration, so a reviewer should read their changes."""
    notes = []
    for name in files:
        if not name or name == "-":
            continue
        full = os.path.realpath(name)
        if not _inside(full, base.toplevel):
            continue
        rel = _repo_relative(full, base.toplevel)
        at_base = git(["rev-parse", "--verify", "--quiet", f"{base.commit}:{rel}"], base.toplevel)
        if at_base.code != 0:
            notes.append(f"{rel} is new in this change; both revisions are linted with it")
            continue
        here = git(["hash-object", "--no-filters", "--", full], base.toplevel)
        if here.code != 0 or here.stdout.strip() != at_base.stdout.strip():
            notes.append(f"{rel} is changed by this change; both revisions are linted with the working tree's "
                         "version, so review what it turns off")
    return notes


def differ(
    base: Base, paths: Sequence[str], settings: Settings,
    lint: Callable[[Sequence[str], Settings, Sequence[str]], Report], *, context: Sequence[str] = (),
    resolve: Resolve | None = None, command_line: bool = False,
) -> Callable[[Report], Report]:
    """Lint ``paths`` at the base once; returns the function that reduces a working-tree report (made with the
    same ``settings``) to what the change introduced, with notes on configuration files the change touched
    (naming options as the command line's flags with ``command_line``, else as the library's parameters).
    The base is linted once however often the working tree is (``--fix`` lints it again after fixing)."""
    base_report, base_file, notes = lint_base(base, paths, settings, lint, context=context, resolve=resolve,
                                              command_line=command_line)
    notes += config_notes(base, [settings.config.source, settings.config.policy])
    head_file = head_relative(base.toplevel)
    return lambda head: compare(head, base_report, head_file, base_file, base, notes)


def diff(
    base: Base, head: Report, paths: Sequence[str], settings: Settings,
    lint: Callable[[Sequence[str], Settings, Sequence[str]], Report], *, context: Sequence[str] = (),
    resolve: Resolve | None = None,
) -> Report:
    """Pull-request mode in one call (``differ`` applied to ``head``)."""
    return differ(base, paths, settings, lint, context=context, resolve=resolve)(head)
