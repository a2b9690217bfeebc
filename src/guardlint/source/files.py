"""Finding input files and reading them into text, with a located error for everything that is not text."""

from __future__ import annotations

import codecs
import math
import os
import stat
from collections.abc import Iterable, Sequence

from guardlint._record import NamedTuple
from guardlint.findings import ErrorKind, InputError, SkippedDocument

EXTENSIONS = (".yaml", ".yml", ".json")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_SKIP_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", ".venv", "node_modules", ".tox", ".mypy_cache"})

STDIN = "-"


class Input(NamedTuple):
    """One file to lint: ``path`` on disk (or ``-``) and the name reports show."""

    path: str
    display: str


class Discovery(NamedTuple):
    """What ``discover_all`` found: inputs to read, paths that could not be listed, and files it passed over
    because they are not regular files (FIFOs, sockets, devices: reading one could block or never end)."""

    inputs: list[Input]
    errors: list[InputError]
    skipped: list[SkippedDocument]


MAX_FILE_SIZE_MB = 1024 * 1024
"""The largest ``max-file-size`` accepted (1 TiB): above it the limit would mean nothing."""


def names_git_folder(part: str) -> bool:
    """Whether one component of a path names the repository's ``.git`` folder on some file system: in any case
    (``.GIT``: macOS and Windows file systems ignore case, so ``.GIT/config`` opens ``.git/config`` there), with
    the trailing dots and spaces Windows drops (``.git.``), an NTFS stream suffix (``.git::$INDEX_ALLOCATION``)
    or as its 8.3 short name (``git~1``): the names git itself refuses in a tree (its ``is_ntfs_dotgit``)."""
    name = part.split(":", 1)[0].rstrip(". ").lower()
    return name in (".git", "git~1")


def through_git_folder(relative: str) -> bool:
    """Whether a relative path passes through a ``.git`` folder, by any name that opens it (``names_git_folder``
    of each component): what a kustomize generator entry or a Helm chart's link may not lead into."""
    return any(names_git_folder(part) for part in relative.split(os.sep))


def megabytes(value: object, where: str) -> int:
    """``value`` MiB as a byte count, or ValueError naming ``where`` when it is not a usable file-size limit:
    a finite number above 0 and at most ``MAX_FILE_SIZE_MB`` (not a bool, not NaN or infinity)."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or not 0 < value <= MAX_FILE_SIZE_MB:  # type: ignore[operator]
        raise ValueError(
            f"{where}: expected a number of megabytes above 0 and at most {MAX_FILE_SIZE_MB}, got {value!r}"
        )
    return max(1, int(value * 1048576))  # type: ignore[operator]


class NotRegularFile(Exception):
    """A path that guardlint does not read: not a regular file, unreadable, or over the size limit."""

    def __init__(self, message: str, size: int | None = None, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.size = size
        self.too_large = too_large


def special_kind(mode: int) -> str | None:
    """What a non-regular file is ("a FIFO", ...), or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a regular file"


def read_regular_file(path: str, max_bytes: int) -> bytes:
    """The bytes of the regular file at ``path`` (symlinks followed), reading at most ``max_bytes + 1``.

    Anything else raises NotRegularFile without blocking: a FIFO, socket or device is refused from its
    ``stat`` before it is opened (and the open is non-blocking, with the type checked again on the open
    descriptor, so a file swapped for a FIFO in between cannot hang the run); a file over ``max_bytes``
    is refused from its size, or when it grows past the limit while being read.
    """
    try:
        before = os.stat(path)
        kind = special_kind(before.st_mode)
        if kind is not None:
            raise NotRegularFile("is a directory" if kind == "a directory" else
                                 f"not a regular file but {kind}; guardlint reads only regular files")
        if before.st_size > max_bytes:
            raise NotRegularFile("too large", before.st_size, too_large=True)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
                     | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise NotRegularFile(_os_message(exc)) from None
    try:
        info = os.fstat(fd)
        kind = special_kind(info.st_mode)
        if kind is not None:
            raise NotRegularFile(f"not a regular file but {kind}; guardlint reads only regular files")
        if info.st_size > max_bytes:
            raise NotRegularFile("too large", info.st_size, too_large=True)
        chunks: list[bytes] = []
        remaining = max_bytes + 1
        # The first read asks for one byte more than ``fstat`` reports (a file that did not grow ends there),
        # instead of a 1 MiB buffer per file. A read that returns exactly the reported size, short of what was
        # asked, has met the end of the file, so the empty read that would confirm it is not made. Any other
        # result (a file that grew or shrank, a size of 0 as ``/proc`` reports) reads on until an empty read,
        # as before: the bytes read are the same either way.
        expected = info.st_size
        while remaining > 0:
            asked = min(remaining, expected + 1 if not chunks and 0 < expected < 1 << 20 else 1 << 20)
            chunk = os.read(fd, asked)
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
            if len(chunks) == 1 and len(chunk) == expected < asked:
                break
    except OSError as exc:
        raise NotRegularFile(_os_message(exc)) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise NotRegularFile("too large", None, too_large=True)
    return data


def describe_limit(max_bytes: int) -> str:
    """A size limit for messages: "20 MiB", "512 KiB", "100 bytes"."""
    for unit, size in (("MiB", 1048576), ("KiB", 1024)):
        if max_bytes >= size:
            value = max_bytes / size
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{max_bytes} bytes"


class ReadResult(NamedTuple):
    display: str
    text: str | None
    error: InputError | None


def display_name(path: str, root: str | None = None) -> str:
    """A POSIX path relative to ``root`` (the working directory by default) when the file is below it."""
    if path == STDIN:
        return STDIN
    base = os.path.abspath(root) if root else os.getcwd()
    full = os.path.abspath(path)
    folder = base if base.endswith(os.sep) else base + os.sep
    # ``abspath`` normalises a path to one separator between components and none at the end, but keeps a ``//``
    # prefix, which ``relpath`` reads as ``/``: such paths are left to ``relpath``.
    plain = full[:2] != "//" and base[:2] != "//"
    if plain and full.startswith(folder) and len(full) > len(folder):
        # What ``os.path.relpath`` gives for a path below ``base`` (it compares the same two absolute, normalised
        # paths component by component), without its splitting and joining: a walk names every file this way.
        rel = full[len(folder):]
    elif plain and os.sep == "/" and full != base:
        # Neither below ``base`` nor ``base`` itself: ``relpath`` climbs out of ``base`` first (the two share
        # fewer components than ``base`` has), so its answer starts with ``..``, and the path is shown as given
        # (a walk of a folder outside the working directory names every file this way). POSIX only: elsewhere
        # ``relpath`` compares components without regard to case, which a string's prefix does not.
        return path
    else:
        try:
            rel = os.path.relpath(path, base)
        except ValueError:  # pragma: no cover - different drives on Windows
            rel = path
    if rel.startswith(".." + os.sep) or rel == "..":
        rel = path
    return rel.replace(os.sep, "/") if os.sep != "/" else rel


def chart_dir(path: str, max_levels: int = 64) -> str | None:
    """The display path of the Helm chart folder (one holding ``Chart.yaml``) that contains ``path``, or
    None. The search goes up from the file's folder to the filesystem root (bounded)."""
    folder = os.path.dirname(os.path.abspath(path))
    for _ in range(max_levels):
        if os.path.isfile(os.path.join(folder, "Chart.yaml")):
            return display_name(folder)
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    return None


def excluded(rel_posix: str, excludes: Sequence[str]) -> bool:
    """Whether a display path matches an exclude pattern: a glob against the whole path (a folder pattern
    also excludes what is below it), or, for a pattern without ``/``, against any single path part."""
    return excluded_by(rel_posix, excludes) is not None


def excluded_by(rel_posix: str, excludes: Sequence[str], *, anchored: bool = True) -> str | None:
    """The first exclude pattern that matches a display path (see ``excluded``), or None. With
    ``anchored=False`` (a path outside the folder the patterns are relative to) only patterns without ``/``
    are tried, against the path's parts."""
    import fnmatch  # here: a run without exclude patterns never needs it

    for pattern in excludes:
        pat = pattern.rstrip("/")
        if anchored and (fnmatch.fnmatchcase(rel_posix, pat) or fnmatch.fnmatchcase(rel_posix, pat + "/*")):
            return pattern
        if "/" not in pat and any(fnmatch.fnmatchcase(part, pat) for part in rel_posix.split("/")):
            return pattern
    return None


class Excludes(NamedTuple):
    """Exclude patterns with the folder they are relative to.

    ``folder`` is the folder of the configuration file in effect (the ``.guardlint.yaml`` found or named with
    ``--config``), absolute; with no configuration file, the working directory. A file or folder below it is
    matched by its path relative to it, so the patterns mean the same wherever guardlint is run from (run from
    that folder, this is the path reports show). Outside it, only a pattern without ``/`` can match, against
    any single part of the path reports show.
    """

    patterns: tuple[str, ...]
    folder: str
    real: str
    """``folder`` with symbolic links resolved: a path that reaches the folder through a link still matches."""
    own: frozenset[str] = frozenset()
    """Real paths of the files the run reads as its configuration (the configuration file, the files it
    extends, the policy and its files): never linted as manifests (see ``own_reason``)."""

    @classmethod
    def at(cls, patterns: Sequence[str], folder: str | None = None, own: Iterable[str] = ()) -> Excludes:
        """``patterns`` relative to ``folder`` (the working directory when None)."""
        top = os.path.abspath(folder) if folder else os.getcwd()
        return cls(tuple(patterns), top, os.path.realpath(top) if patterns else top, frozenset(own))

    def own_reason(self, path: str) -> str | None:
        """Why the file at ``path`` is not a manifest to lint, when it is guardlint's own configuration: a file
        named ``.guardlint.yaml``/``.guardlint.yml`` (anywhere: a configuration is never a manifest), or one of
        this run's configuration files (``own``: an extended file or the policy, whatever its name)."""
        if path == STDIN:
            return None
        name = os.path.basename(path)
        if name.startswith(".guardlint."):  # (imported here: a run that meets no such file never needs it)
            from guardlint.config.discovery import CONFIG_NAMES

            if name in CONFIG_NAMES:
                return "a guardlint configuration file, not a manifest ('guardlint config validate' checks it)"
        # Compared by name first: only a file named like one of them pays for resolving its path.
        if self.own and any(os.path.basename(o) == name for o in self.own) and os.path.realpath(path) in self.own:
            return "read as guardlint's configuration (extended by it, or the policy), not a manifest"
        return None

    def pattern_for(self, path: str, shown: str) -> str | None:
        """The first pattern that matches the file or folder at ``path`` (``shown`` in reports), or None."""
        if not self.patterns or path == STDIN:
            return None
        # Run from ``folder``, the relative path is the one reports show, so matching is exactly as it was when
        # patterns were relative to the working directory.
        rel = _below(os.path.abspath(path), self.folder)
        if rel is None:
            rel = _below(os.path.realpath(path), self.real)
        if rel is not None:
            return excluded_by(rel, self.patterns)
        return excluded_by(shown, self.patterns, anchored=False)


def _below(path: str, folder: str) -> str | None:
    """``path`` relative to ``folder`` as a POSIX path when it lies below it, else None."""
    try:
        rel = os.path.relpath(path, folder)
    except ValueError:  # pragma: no cover - different drives on Windows
        return None
    if rel in (os.curdir, os.pardir) or rel.startswith(os.pardir + os.sep):
        return None
    return rel.replace(os.sep, "/") if os.sep != "/" else rel


def as_excludes(excludes: Sequence[str] | Excludes, root: str | None) -> Excludes:
    """Plain patterns are relative to ``root`` (the working directory by default), as the paths reports show."""
    return excludes if isinstance(excludes, Excludes) else Excludes.at(excludes, root)


def discover(
    paths: Iterable[str], excludes: Sequence[str] | Excludes = (), root: str | None = None
) -> tuple[list[Input], list[InputError]]:
    """``discover_all`` without the list of passed-over special files."""
    found = discover_all(paths, excludes, root)
    return found.inputs, found.errors


def discover_all(paths: Iterable[str], excludes: Sequence[str] | Excludes = (), root: str | None = None,
                 passed: list[tuple[str, str]] | None = None, sizes: dict[str, int] | None = None) -> Discovery:
    """Expand files and directories (recursively, over .yaml/.yml/.json) into inputs, in a stable order.

    Files named explicitly are linted whatever their extension. Directories skip VCS folders and
    ``excludes`` (glob patterns: see ``Excludes``; plain patterns are relative to ``root``, by default the
    working directory). A file is linted once however often and however spelled it is named (``a.yaml``,
    ``./a.yaml``, its folder).
    Symlinked directories that lead back into the tree (or above it) are not followed: what they hold is
    linted at its real place, and a symlink loop ends. Others are followed once each while they stay inside
    the repository (see ``_walk``): a symbolic link to a file or folder outside it is passed over and listed in
    ``skipped``, and a path named explicitly that lies in a git checkout but leads out of it through a link is
    an error. Inside directories, files that are not regular files (FIFOs, sockets, devices named ``*.yaml``)
    are passed over and listed in ``skipped``; named explicitly, reading them is refused with an error (see
    ``read_input``).
    ``passed``, when given, receives each file or folder the walk passes over and why (``--show-files``).
    ``sizes``, when given, receives the size of each input that discovery found to be a regular file (by its
    ``Input.path``), from the ``lstat``/``stat`` it made anyway: what ``_jobs.input_sizes`` would ask again.
    """
    inputs: list[Input] = []
    errors: list[InputError] = []
    skipped: list[SkippedDocument] = []
    seen: set[str] = set()

    def add(path: str, shown: str) -> None:
        key = os.path.normcase(os.path.abspath(path))
        if key not in seen:
            seen.add(key)
            inputs.append(Input(path, shown))

    folders = RealFolders()
    shown_from = root or os.getcwd()  # what ``display_name`` reads per name: asked once (a system call per file)
    for raw in paths:
        if raw == STDIN:
            inputs.append(Input(STDIN, STDIN))
            continue
        shown = display_name(raw, shown_from)
        # One ``lstat`` answers, for a path that is not itself a symbolic link, what ``islink``, ``isdir`` and
        # ``lexists`` would ask three system calls for (``stat`` and ``lstat`` differ only on a final link): the
        # files pre-commit names cost one call each here. A link, a path that cannot be read, and a path whose
        # last part is not a name (``dir/``, ``link/.``: ``lstat`` follows a link there, while ``islink`` of the
        # ``abspath`` in ``leaves_repository`` looks at the link itself) ask as before.
        mode: int | None = None
        size = 0
        if os.path.basename(raw) not in ("", ".", ".."):
            try:
                info = os.lstat(raw)
                mode, size = info.st_mode, info.st_size
            except (OSError, ValueError):
                mode = None
        plain = mode is not None and not stat.S_ISLNK(mode)
        escape = leaves_repository(raw, folders, link=False if plain else None)
        if escape is not None:
            errors.append(InputError(ErrorKind.UNREADABLE, shown, 1, 1, (
                f"a symbolic link to a path outside the repository ({escape}): not read; guardlint does not read "
                "outside the repository it lints")))
            continue
        if stat.S_ISDIR(mode) if plain and mode is not None else os.path.isdir(raw):
            for path, why in _walk(raw, as_excludes(excludes, root), shown_from, errors, passed, sizes):
                if why is None:
                    add(path, display_name(path, shown_from))
                else:
                    folder = "/" if path.endswith(os.sep) else ""  # a folder the walk did not enter
                    skipped.append(SkippedDocument(display_name(path, shown_from) + folder, 1, why))
            continue
        if not plain and not os.path.lexists(raw):
            errors.append(InputError(ErrorKind.NOT_FOUND, shown, 1, 1, _missing_reason(raw)))
            continue
        if sizes is not None and plain and mode is not None and stat.S_ISREG(mode):
            sizes[raw] = size  # not a link: its ``lstat`` is its ``stat``
        add(raw, shown)
    return Discovery(inputs, errors, skipped)


def _missing_reason(raw: str) -> str:
    """Why the named path ``raw`` (which ``lexists`` does not find) cannot be read: "no such file or
    directory", or, when a part of it that exists is not a folder (``a.yaml/``, ``a.yaml/b.yaml``), which part,
    since the system's "no such file" would be untrue there. Asked only for a path that is not there."""
    import errno

    try:
        os.lstat(raw)
    except OSError as exc:
        if exc.errno == errno.ENOTDIR:
            head = raw.rstrip("/" + os.sep) or raw
            while head and not os.path.lexists(head):  # the longest leading part that exists: a file
                parent = os.path.dirname(head)
                if parent == head:
                    break
                head = parent
            if head and os.path.lexists(head) and not os.path.isdir(head):
                if head == raw.rstrip("/" + os.sep):
                    return f"not a directory: {head} is a file, not a folder (the name ends with '/')"
                rest = raw[len(head):].lstrip("/" + os.sep)
                return f"not a directory: {head} is a file, not a folder that could hold {rest}"
            return "not a directory: a part of the path is a file"
        if exc.errno != errno.ENOENT:
            return _os_message(exc).lower()
    except ValueError:  # a NUL byte in the name
        return "the name holds a NUL byte"
    return "no such file or directory"


def repository_of(path: str) -> str | None:
    """The git checkout holding ``path`` where it is spelled: the nearest folder at or above it that holds
    ``.git``, found going up the spelled path but not stopping at a folder that is a symbolic link (a link to
    another checkout is still a link out of this one); real path, or None outside any checkout."""
    here = os.path.abspath(path)
    if not os.path.isdir(here) or os.path.islink(here):
        here = os.path.dirname(here)
    while True:
        if not os.path.islink(here) and os.path.lexists(os.path.join(here, ".git")):
            return os.path.realpath(here)
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


class RealFolders:
    """The real path of folders, each resolved once: a folder that is not a symbolic link is its real parent
    joined with its name, so the files of one discovery (pre-commit names 50 files in a few folders) pay one
    ``lstat`` per folder and file instead of ``os.path.realpath``'s one per component per file. A memo owned
    by one discovery."""

    __slots__ = ("_real",)

    def __init__(self) -> None:
        self._real: dict[str, str] = {}

    def of(self, folder: str) -> str:
        """The real path of the absolute, normalised ``folder``."""
        real = self._real.get(folder)
        if real is None:
            parent = os.path.dirname(folder)
            if parent == folder:
                real = folder
            elif os.path.islink(folder):
                real = os.path.realpath(folder)
            else:
                real = os.path.join(self.of(parent), os.path.basename(folder))
            self._real[folder] = real
        return real


def leaves_repository(path: str, folders: RealFolders | None = None, *, link: bool | None = None) -> str | None:
    """The repository that ``path`` leaves when it lies in a git checkout but leads (through a symbolic link,
    itself or a folder on the way) outside it; None when it stays inside or is in no checkout. ``folders``
    memoises the real paths of folders across calls (exact for a path without ``..``, which ``abspath`` would
    collapse before a link is resolved; such a path is resolved whole). ``link``, when known, is whether
    ``path`` itself is a symbolic link (its ``lstat``; None: asked here)."""
    full = os.path.abspath(path)
    if folders is None or ".." in path.replace(os.sep, "/").split("/") or (
            os.path.islink(full) if link is None else link):
        real = os.path.realpath(path)  # the spelled path: a link before a '..' is resolved first, as open() does
    else:
        real = os.path.join(folders.of(os.path.dirname(full)), os.path.basename(full))
    if real == os.path.normpath(full):
        return None  # no link on the way
    repository = repository_of(full)
    if repository is None or within(real, repository):
        return None
    return repository


def within(path: str, folder: str) -> bool:
    """Whether ``path`` is ``folder`` or below it (both absolute and spelled alike: both real, or both not)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def nearest_checkout(folder: str) -> str | None:
    """The nearest folder at or above the absolute ``folder`` that holds ``.git`` (a folder, or the file of a
    worktree or submodule), as spelled; None outside any git checkout."""
    here = folder
    while True:
        if os.path.lexists(os.path.join(here, ".git")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _walk_limit(real_top: str) -> str:
    """The folder a walk of ``real_top`` may not leave through symbolic links: its git checkout (the nearest
    folder at or above it holding ``.git``); outside any checkout, the working directory when the walk is in
    it, else the walked folder itself."""
    checkout = nearest_checkout(real_top)
    if checkout is not None:
        return checkout
    cwd = os.path.realpath(os.getcwd())
    return cwd if within(real_top, cwd) else real_top


def _named(limit: str) -> str:
    """What naming a link out of the walk's ``limit`` on the command line does: in a git checkout, the link is
    refused there too (``discover``: guardlint does not read outside the repository); elsewhere, it is read."""
    if os.path.lexists(os.path.join(limit, ".git")):
        return " (guardlint does not read outside the repository it lints, also when the link is named)"
    return " (name it on the command line to lint it)"


def _related(a: str, b: str) -> bool:
    """Whether one of two real paths is the other or lies inside it."""
    try:
        common = os.path.commonpath([a, b])
    except ValueError:  # pragma: no cover - different drives on Windows
        return False
    return common in (a, b)


def _walk(
    top: str, excludes: Excludes, root: str | None, errors: list[InputError],
    passed: list[tuple[str, str]] | None = None, sizes: dict[str, int] | None = None,
) -> list[tuple[str, str | None]]:
    """Files below ``top`` with a manifest extension, each with why it is not read (a FIFO, a device, a link
    out of the repository), or None to read it. ``sizes``, when given, receives the size of each regular file
    found (its ``stat``, through a link).

    Symbolic links are followed only while they stay inside the repository (``_walk_limit``): a link to a
    file or folder outside it (``leak.yaml -> ~/.kube/config``, ``root -> /``) is passed over, so that a
    repository cannot make guardlint read, or walk, what lies outside it."""
    found: list[tuple[str, str | None]] = []
    real_top = os.path.realpath(top)
    limit = _walk_limit(real_top)
    visited: set[str] = set()
    # Each folder's real path from its parent's (one ``lstat`` per folder instead of one per component of every
    # folder's path); a ``..`` in ``top`` makes ``abspath`` drop a component before a link is resolved, so such a
    # walk resolves each folder whole (``RealFolders``).
    folders = None if ".." in top.replace(os.sep, "/").split("/") else RealFolders()

    def onerror(exc: OSError) -> None:
        name = exc.filename if isinstance(exc.filename, str) else top
        errors.append(InputError(ErrorKind.UNREADABLE, display_name(name, root), 1, 1, _os_message(exc)))

    for dirpath, dirnames, filenames in os.walk(top, followlinks=True, onerror=onerror):
        real = folders.of(os.path.abspath(dirpath)) if folders is not None else os.path.realpath(dirpath)
        if real in visited:
            dirnames[:] = []
            continue
        visited.add(real)
        keep = []
        for d in sorted(dirnames):
            full = os.path.join(dirpath, d)
            if d in _SKIP_DIRS:
                if passed is not None:
                    passed.append((display_name(full, root) + "/", "a version-control, cache or tool folder"))
                continue
            link = os.path.islink(full)
            if link and _related(os.path.realpath(full), real_top):
                if passed is not None:
                    passed.append((display_name(full, root) + "/", ("a symbolic link back into the tree: its "
                                   "files are linted at their real place")))
                continue
            if link and not within(os.path.realpath(full), limit):
                why = f"a symbolic link to a folder outside the repository ({limit}): not followed{_named(limit)}"
                found.append((full + os.sep, why))
                continue
            if excludes.patterns:
                pattern = excludes.pattern_for(full, display_name(full, root))
                if pattern is not None:
                    if passed is not None:
                        passed.append((display_name(full, root) + "/", f"matches the exclude pattern {pattern!r}"))
                    continue
            keep.append(d)
        dirnames[:] = keep
        for f in sorted(filenames):
            full = os.path.join(dirpath, f)
            if not f.endswith(EXTENSIONS):
                if passed is not None:
                    passed.append((display_name(full, root), ("not a manifest: only .yaml, .yml and .json files "
                                   "are read in folders")))
                continue
            if excludes.patterns:
                pattern = excludes.pattern_for(full, display_name(full, root))
                if pattern is not None:
                    if passed is not None:
                        passed.append((display_name(full, root), f"matches the exclude pattern {pattern!r}"))
                    continue
            own = excludes.own_reason(full)
            if own is not None:
                if passed is not None:
                    passed.append((display_name(full, root), own))
                continue
            # One lstat tells a link from the rest; only a link pays for resolving it and for a second stat.
            try:
                info: os.stat_result | None = os.lstat(full)
            except OSError:
                info = None  # a vanished file: reading it reports why
            if info is not None and stat.S_ISLNK(info.st_mode):
                if not within(os.path.realpath(full), limit):
                    why = f"a symbolic link to a file outside the repository ({limit}): not read{_named(limit)}"
                    found.append((full, why))
                    continue
                try:
                    info = os.stat(full)
                except OSError:
                    info = None  # a dangling link: reading it reports why
            kind = special_kind(info.st_mode) if info is not None else None
            if sizes is not None and info is not None and kind is None:
                sizes[full] = info.st_size
            found.append((full, None if kind is None else f"{kind}, not a regular file: not read"))
    return found


def _os_message(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of character ``index`` (lines end at ``\n``, ``\r\n`` or ``\r``)."""
    prefix = text[:index].replace("\r\n", "\n").replace("\r", "\n")
    return prefix.count("\n") + 1, len(prefix) - (prefix.rfind("\n") + 1) + 1


def decode(data: bytes, display: str) -> ReadResult:
    """Decode file bytes as YAML allows (UTF-8, or UTF-16/32 with a BOM); binary or invalid bytes are errors."""
    if not data:
        return ReadResult(display, "", None)
    head = data[:8192]
    skipped = 0
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encoding = "utf-32"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
        if head.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8):]  # decode the rest as UTF-8, so error offsets need no shifting
            skipped = len(codecs.BOM_UTF8)
        if b"\x00" in head:
            return ReadResult(
                display,
                None,
                InputError(ErrorKind.BINARY, display, 1, 1, "binary file (it contains NUL bytes); not YAML or JSON"),
            )
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        prefix = data[: exc.start].decode(encoding, errors="replace")
        line, column = _line_col(prefix, len(prefix))
        name = encoding.upper()
        return ReadResult(
            display,
            None,
            InputError(
                ErrorKind.ENCODING,
                display,
                line,
                column,
                f"byte 0x{data[exc.start]:02x} at offset {exc.start + skipped} is not valid {name}; "
                "YAML and JSON files must be UTF-8 (or UTF-16 or UTF-32 with a byte order mark)",
            ),
        )
    nul = text.find("\x00")
    if nul >= 0:
        line, column = _line_col(text, nul)
        return ReadResult(
            display, None, InputError(ErrorKind.BINARY, display, line, column, "binary content (a NUL character)")
        )
    # Other C0 control characters are left to the YAML parser, which reports them with their place.
    return ReadResult(display, text.replace("\r\n", "\n").replace("\r", "\n"), None)


def _too_large(display: str, max_bytes: int, size: int | None) -> ReadResult:
    limit = describe_limit(max_bytes)
    what = f"file is {size / 1048576:.1f} MiB, over the {limit} limit" if size is not None else (
        f"file is over the {limit} limit"
    )
    hint = ("raise 'max-file-size-mb' in .guardlint.yaml (or pass --max-file-size MB) if this file is a real "
            "manifest")
    return ReadResult(display, None, InputError(ErrorKind.TOO_LARGE, display, 1, 1, what, hint=hint))


def read_input(item: Input, max_bytes: int = DEFAULT_MAX_BYTES, stdin_bytes: bytes | None = None) -> ReadResult:
    """Read one input, returning text or a located error; never raises for I/O problems.

    A file over ``max_bytes`` is reported from its size alone; at most ``max_bytes + 1`` bytes are ever read.
    """
    if item.path == STDIN:
        if stdin_bytes is not None and len(stdin_bytes) > max_bytes:
            return _too_large(item.display, max_bytes, None)
        return decode(stdin_bytes or b"", item.display)
    try:
        data = read_regular_file(item.path, max_bytes)
    except NotRegularFile as exc:
        if exc.too_large:
            return _too_large(item.display, max_bytes, exc.size)
        return ReadResult(item.display, None, InputError(ErrorKind.UNREADABLE, item.display, 1, 1, exc.message))
    return decode(data, item.display)
