"""The console script's code bundle: guardlint's own compiled modules in one file, mapped once per process.

Importing a module the usual way asks the folder's finder (a ``stat`` of the folder), ``stat``\\ s the source,
opens, reads and checks its bytecode file and runs importlib's Python code for every step: about 100 K
instructions and five system calls per module, 183 times in a pre-commit run. The bundle holds, for the modules
earlier runs imported, the same bytecode Python would run, so a run reads one file and then ``stat``\\ s each
source before it runs its code from the bundle (docs/performance.md, "A code bundle for start-up").

Only the console script uses it (``guardlint.cli.entry``, also behind ``python -m guardlint``): ``import
guardlint`` and ``guardlint.cli.main`` never install it, and a process that never calls ``entry`` never reads or
writes it. What it keeps from a normal import, and how it stays exact:

* **Where it lives**: next to the package's own bytecode, where the interpreter writes it
  (``guardlint/__pycache__/`` or its mirror under ``sys.pycache_prefix``), one file per interpreter tag and
  optimization level (``_code_bundle.cpython-311.bin``, ``....opt-1.bin``). Whoever can write there can write
  the ``.pyc`` files the interpreter runs without a question, so the bundle adds no one who can make guardlint
  run code; a per-user cache directory would (``$XDG_CACHE_HOME`` may point into a checked-out repository, as
  GitLab's caches require), and a repository could then commit a bundle (docs/security.md).
* **What it serves**: a module ``guardlint.X`` only when the bundle's record of it still holds: the interpreter's
  bytecode magic, tag and optimization level, ``sys.pycache_prefix``, guardlint's version and the package's
  folder are those of the process; the source file has the ``st_mtime_ns`` and size it had when its bytecode was
  bundled (a ``stat`` per module, which is stricter than a ``.pyc``'s seconds); each folder holding bundled
  modules has the ``st_mtime_ns`` it had then (a file added, removed or renamed in it, such as a package folder or
  an extension module that would come before the ``.py``, changes it); and the module's parent package has the
  search path the bundle recorded. Anything else, a name it does not hold included, is left to the import system.
* **What a module looks like**: its spec, loader (a ``SourceFileLoader``), ``__file__``, ``__cached__`` and
  ``__path__`` are those of a normal import, the code's ``co_filename`` is the source (``_imp._fix_co_filename``,
  as the normal loader does), so tracebacks with source lines, ``inspect.getsource``, ``importlib.resources`` and
  coverage work as usual. The finder goes first in ``sys.meta_path`` when the finders before ``PathFinder``
  are only the interpreter's built-in and frozen importers and setuptools' ``distutils`` shim (none of which finds
  a ``guardlint.`` module: ``may_go_first``), else right before ``PathFinder``, so import hooks placed before it
  are still asked first; with path hooks other than the interpreter's two it is not installed.
* **How the code is read**: the file is mapped read-only (``mmap``), so a run reads the pages of the code it
  unmarshals and nothing is copied into a buffer. The modules the first run that wrote code imported (on a
  pre-commit hook, what a pre-commit run imports) are one ``marshal`` of a tuple, the group: the first import of
  one of them unmarshals all, so the names and constants they share are read once, not once per module; each
  module's code object is handed out once and then dropped, as after a normal import. Modules later runs add stay
  outside the group, each its own ``marshal``, so a rare run that imports many more modules does not make every
  run unmarshal them. The bundle is only ever replaced by a rename, never written in place; a file truncated in
  place while a run reads it would end that run (``SIGBUS``), as whoever can do that can also change the ``.pyc``
  files.
* **A bad file**: a bundle of another format, of another interpreter or version, truncated, with records
  pointing outside it, or holding data ``marshal`` refuses or that is not a code object is not used (the module is
  imported normally, and the run writes the bundle again). Bytes damaged after it was written that still
  unmarshal to a code object would run, as a damaged ``.pyc`` would: there is no checksum (``zlib.crc32`` of the
  code would cost most of what the bundle saves); the flush to disk before the rename keeps a crash from leaving a
  half-written file.
* **Writing it**: at the end of a console-script run whose imports missed the bundle (a module not in it, or
  changed), unless Python writes no bytecode (``-B``, ``PYTHONDONTWRITEBYTECODE``) or the folder is not
  writable (a read-only installation simply runs without it). Where there is no bundle for this interpreter and
  version yet, the run writes an empty one (about a hundred bytes), and the next run the code: a CI job that installs
  guardlint and runs it once does not pay for a bundle it would never read. It is written to a temporary name,
  flushed to disk and renamed over the old one, so a concurrent run (pre-commit starts several) reads an old
  bundle or a new one, never half of one. The bytecode bundled is the module's ``.pyc`` when that is current for
  the source (what the import just ran), else the source compiled as the import system compiles it; the modules
  of the old bundle that this run did not import stay in it while their sources are unchanged.

``GUARDLINT_CODE_BUNDLE=0`` turns it off.
"""

from __future__ import annotations

import marshal
import os
import sys
from _frozen_importlib import ModuleSpec
from _frozen_importlib_external import SourceFileLoader

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from mmap import mmap
    from types import CodeType, ModuleType
    from typing import Any

FORMAT = b"guardlint code bundle 2\n"
"""The first bytes of a bundle; another format (an older guardlint's) is not read and is written over."""

_HEADER = len(FORMAT) + 8
"""The format line, then the index's length and the code's length (4 bytes each, little-endian)."""

MAX_SIZE = 64 << 20
"""A larger file is neither read nor written (a bundle of every guardlint module is about 3.4 MB)."""

# The index (marshalled): (key, cache base, folders, entries, group). Paths are kept relative to the package's
# folder (the key's last item) and to the cache base, so the index stays small (it is read whole by every run). A
# folder is (path, st_mtime_ns); an entry maps a module's name to (source, cached, search path or None for a module
# that is not a package, the parent's search path, folder number, source st_mtime_ns, source size, code offset,
# code length, slot). The group is () or (offset, length, count): one marshalled tuple of the code of ``count``
# modules, those a run usually imports; a module in it has its slot there (its offset and length are the group's),
# a module outside it has slot None and its own marshalled code. Entries are checked when they are used: a
# malformed one is a module imported normally.


def _stat_key(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_mtime_ns, st.st_size)


_CODE = type(_stat_key.__code__)


def interpreter_key(package_dir: str, version: str) -> tuple[object, ...]:
    """What a bundle is made for: the bytecode's magic number, tag and optimization level, the bytecode cache's
    prefix, guardlint's version and the package's folder (last)."""
    from _frozen_importlib_external import MAGIC_NUMBER

    return (MAGIC_NUMBER, sys.implementation.cache_tag, sys.flags.optimize, sys.pycache_prefix, version,
            package_dir)


def bundle_path(package_dir: str) -> str | None:
    """Where the bundle of the package in ``package_dir`` lives for this interpreter (None: no bytecode cache)."""
    from _frozen_importlib_external import cache_from_source

    if getattr(sys.implementation, "cache_tag", None) is None:
        return None
    init_cache = cache_from_source(os.path.join(package_dir, "__init__.py"))
    folder, name = os.path.split(init_cache)
    # "__init__.cpython-311.pyc" -> "_code_bundle.cpython-311.bin" (and ".opt-1" kept): a name no module has
    return os.path.join(folder, "_code_bundle" + name[len("__init__"):-len(".pyc")] + ".bin")


def read_file(path: str) -> bytes | mmap | None:
    """A regular file of a bundle's size range, mapped read-only (its pages are read when the code in them is
    unmarshalled, and a run touches only those of the modules it imports), or None."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except (OSError, ValueError):
        return None
    try:
        import mmap as mapping
        import stat

        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not _HEADER <= st.st_size <= MAX_SIZE:
            return None
        return mapping.mmap(fd, st.st_size, access=mapping.ACCESS_READ)
    except (OSError, ValueError, ImportError):
        return None
    finally:
        os.close(fd)


def parse(raw: bytes | mmap, key: tuple[object, ...]) -> tuple[str, tuple[tuple[str, int], ...], dict[str, Any], int,
                                                        int, tuple[int, ...]] | None:
    """A bundle's cache base, folders and entries, where its code starts, how long it is and its group (offset
    from the code's start, length, count, or ()); None for anything but a whole bundle of this format made for
    ``key``."""
    if raw[: len(FORMAT)] != FORMAT:
        return None
    index_length = int.from_bytes(raw[len(FORMAT): len(FORMAT) + 4], "little")
    code_length = int.from_bytes(raw[len(FORMAT) + 4: _HEADER], "little")
    if _HEADER + index_length + code_length != len(raw):
        return None
    try:
        index = marshal.loads(raw[_HEADER: _HEADER + index_length])
    except (ValueError, EOFError, TypeError):
        return None
    if type(index) is not tuple or len(index) != 5 or index[0] != key:
        return None
    cache_base, folders, entries, group = index[1], index[2], index[3], index[4]
    if type(cache_base) is not str or type(folders) is not tuple or type(entries) is not dict:
        return None
    if group != () and not (type(group) is tuple and len(group) == 3 and all(type(n) is int for n in group)
                            and 0 <= group[0] < group[0] + group[1] <= code_length and group[2] > 0):
        return None
    for folder in folders:
        if type(folder) is not tuple or len(folder) != 2 or type(folder[0]) is not str or type(folder[1]) is not int:
            return None
    return cache_base, folders, entries, _HEADER + index_length, code_length, group


class BundleLoader(SourceFileLoader):
    """A ``SourceFileLoader`` whose ``get_code`` is the bundle's (everything else is the normal loader's:
    ``get_source``, ``get_resource_reader``, ``is_package``, ``get_filename``), or the normal loader's when the
    bundle's bytes are not a code object."""

    def __init__(self, fullname: str, path: str, served: CodeBundle, start: int, end: int, slot: int | None) -> None:
        super().__init__(fullname, path)
        self._served = served
        self._start = start
        self._end = end
        self._slot = slot

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        """The module ``importlib`` makes, with ``__path__`` (a package's), ``__file__`` and ``__cached__`` set as and
        in the order ``_init_module_attrs`` sets them, so that it finds them instead of asking a new module for
        each one it lacks (a formatted ``AttributeError`` apiece, about 10 K instructions)."""
        module = type(sys)(spec.name)
        if spec.submodule_search_locations is not None:
            module.__path__ = spec.submodule_search_locations
        module.__file__ = spec.origin
        module.__cached__ = spec.cached  # type: ignore[attr-defined]  # what _init_module_attrs sets
        return module

    def get_code(self, fullname: str) -> CodeType:
        import _imp

        served = self._served
        if self._slot is not None:
            code: Any = served.member(self._slot)
            if code is False:  # imported again (a reload): from its files, as it was
                return super().get_code(fullname)  # type: ignore[return-value]  # a source file always has code
        else:
            try:
                code = marshal.loads(served.view[self._start: self._end])
            except (ValueError, EOFError, TypeError):
                code = None
        if type(code) is not _CODE:
            served.missed = True
            served.bad.add(fullname)  # not carried into the next bundle
            return super().get_code(fullname)  # type: ignore[return-value]  # a source file always has code
        _imp._fix_co_filename(code, self.path)  # type: ignore[attr-defined]  # what the normal loader does
        return code


class CodeBundle:
    """The console script's finder of guardlint's modules (``install``); ``save`` writes the bundle again when the
    run's imports missed it."""

    def __init__(self, package: ModuleType, path: str, key: tuple[object, ...], raw: bytes | mmap | None
                 ) -> None:
        self._prefix = package.__name__ + "."
        self.package_dir: str = package.__path__[0]
        self.path = path
        self.key = key
        self.missed = True  # a run that finds no usable bundle writes one
        self.view = memoryview(raw or b"")
        self._entries: dict[str, Any] = {}
        self._changed: frozenset[int] = frozenset()
        self.bad: set[str] = set()
        self._unknown: list[str] = []
        self._cache_base = ""
        self._code_start = self._code_end = 0
        self._group: tuple[int, ...] = ()
        self._members: list[Any] | None = None  # the group's code not imported yet, once one module of it is
        self._before = frozenset(name for name in sys.modules if name.startswith(self._prefix))
        parsed = None if raw is None else parse(raw, key)
        self.found = parsed is not None  # a bundle for this key, maybe the first run's empty one
        if parsed is not None:
            self._cache_base, folders, self._entries, self._code_start, code_length, self._group = parsed
            self._code_end = self._code_start + code_length
            base = self.package_dir
            self._changed = frozenset(number for number, (folder, mtime) in enumerate(folders)
                                      if (stat_key := _stat_key(base + folder)) is None or stat_key[0] != mtime)
            self.missed = bool(self._changed)

    def find_spec(self, name: str, path: Sequence[str] | None = None, target: object = None) -> ModuleSpec | None:
        if not name.startswith(self._prefix):
            return None
        entry = self._entries.get(name)
        if entry is None:
            self._unknown.append(name)  # a miss if the import system then finds it in the package (``save``)
            return None
        try:
            spec = self._spec(name, entry, path)
        except Exception:  # a malformed entry: the module is imported normally
            spec = None
        if spec is None:
            self.missed = True
        return spec

    def _spec(self, name: str, entry: Any, path: Sequence[str] | None) -> ModuleSpec | None:
        source_rel, cached_rel, search_rel, parent_rel, folder, mtime, size, offset, length, slot = entry
        base = self.package_dir
        if folder in self._changed or path is None or len(path) != 1 or path[0] != base + parent_rel:
            return None
        source = base + source_rel
        st = os.stat(source)
        start = self._code_start + offset
        if (st.st_mtime_ns != mtime or st.st_size != size or type(cached_rel) is not str or type(offset) is not int
                or type(length) is not int or not self._code_start <= start < start + length <= self._code_end
                or not (slot is None or (type(slot) is int and self._group and 0 <= slot < self._group[2]))):
            return None
        spec = ModuleSpec(name, BundleLoader(name, source, self, start, start + length, slot), origin=source)
        spec.has_location = True
        spec.cached = self._cache_base + cached_rel
        if search_rel is not None:
            spec.submodule_search_locations = [base + search_rel]
        return spec

    def member(self, slot: int) -> Any:
        """The code of the group's module in ``slot``, once (False the next time: the module's code object is not
        kept once its module has run, as after a normal import); None when the group is not a tuple of as many code
        objects as the index says. The whole group is unmarshalled by the first import of one of its modules, so
        the names and constants its modules share are read once."""
        members = self._members
        if members is None:
            offset, length, count = self._group
            start = self._code_start + offset
            try:
                loaded = marshal.loads(self.view[start: start + length])
            except (ValueError, EOFError, TypeError):
                loaded = ()
            if type(loaded) is not tuple or len(loaded) != count or any(type(c) is not _CODE for c in loaded):
                loaded = ()
            members = self._members = list(loaded)
        if slot >= len(members):
            return None
        code = members[slot]
        members[slot] = False
        return code

    def invalidate_caches(self) -> None:
        """``importlib.invalidate_caches()``: nothing to drop, every import checks its entry again."""

    def save(self) -> None:
        """Write a bundle of the modules this run imported from the package (reusing the old bundle's code of those
        unchanged) when the run missed; never raises, never writes when Python writes no bytecode."""
        if sys.dont_write_bytecode or not (self.missed or any(
                self._from_package(sys.modules.get(name)) is not None for name in self._unknown)):
            return
        try:
            self._write(full=self.found)
        except BaseException:  # a cache: a bundle not written is the next run's to write (the process is ending)
            return

    def _write(self, *, full: bool) -> None:
        """Write the bundle (``full``), or, where there is none for this key, an empty one: the first run after an
        installation or upgrade (a CI job's only run) pays a few hundred bytes, the second writes the code."""
        folder = os.path.dirname(self.path)
        os.makedirs(folder, exist_ok=True)
        temporary = f"{self.path}.{os.getpid()}.tmp"
        # opened first: a folder guardlint may not write to (a read-only installation) costs a system call or two
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            with os.fdopen(fd, "wb") as out:
                contents = self.contents() if full else self.empty()
                if contents is not None:
                    out.write(contents)
                    out.flush()
                    if full:
                        os.fsync(out.fileno())  # on disk before it is renamed: a crash leaves the old or the new one
            if contents is not None:
                os.replace(temporary, self.path)
                return
        except BaseException:
            os.unlink(temporary)
            raise
        os.unlink(temporary)

    def _from_package(self, module: ModuleType | None) -> tuple[str, str, str, str | None] | None:
        """Name, source, cached path and search path (a package's) of a module imported from a source file of the
        package after ``install``, else None."""
        if module is None:
            return None
        spec = getattr(module, "__spec__", None)
        loader = getattr(spec, "loader", None)
        if spec is None or not (type(loader) is SourceFileLoader or type(loader) is BundleLoader):
            return None
        name, source, cached, search = spec.name, spec.origin, spec.cached, spec.submodule_search_locations
        if (not isinstance(name, str) or not name.startswith(self._prefix) or name in self._before
                or not isinstance(source, str) or not source.startswith(self.package_dir + os.sep)
                or not isinstance(cached, str)):
            return None
        if search is not None and (len(search) != 1 or search[0] != os.path.dirname(source)):
            return None
        return (name, source, cached, None if search is None else search[0])

    def imported(self) -> list[tuple[str, str, str, str | None]]:
        """What the next bundle holds: the package's modules this run imported after ``install`` from their source
        files, and the old bundle's other modules (another run's, whose code is taken again only while current):
        name, source, cached path and search path (a package's)."""
        modules = {}
        for name, module in list(sys.modules.items()):
            if name.startswith(self._prefix) and (found := self._from_package(module)) is not None and found[0] == name:
                modules[name] = found
        for name, entry in self._entries.items():
            if name in modules or name in self._before or name in self.bad:
                continue
            try:
                source_rel, cached_rel, search_rel = entry[:3]
                modules[name] = (name, self.package_dir + source_rel, self._cache_base + cached_rel,
                                 None if search_rel is None else self.package_dir + search_rel)
            except (TypeError, ValueError):
                continue
        return sorted(modules.values())

    def empty(self) -> bytes:
        """A bundle of no module, for this key."""
        index = marshal.dumps((self.key, "", (), {}, ()))  # type: ignore[arg-type]
        return b"".join((FORMAT, len(index).to_bytes(4, "little"), b"\0\0\0\0", index))

    def _grouped(self) -> frozenset[str]:
        """The modules the next bundle's group holds (those it finds current): the old bundle's group's while it has
        one, else the modules this run imported. So the group is what the first run that wrote code imported (on a
        pre-commit hook, a pre-commit run), and a later run that imports more (``--select all``) adds its other
        modules outside the group, where they cost what they did before, rather than to every run's group."""
        if self._group:
            return frozenset(name for name, entry in self._entries.items()
                             if type(entry) is tuple and len(entry) == 10 and entry[9] is not None)
        return frozenset(name for name, module in list(sys.modules.items())
                         if name.startswith(self._prefix) and (found := self._from_package(module)) is not None
                         and found[0] == name)

    def contents(self) -> bytes | None:
        """The bundle of ``imported()`` as it is now, or None when there is nothing (or too much) to bundle."""
        modules = self.imported()
        if not modules:
            return None
        base = self.package_dir
        grouped = self._grouped()
        # folders first, then each source, then its code: whatever changes after its stat is seen by the next run
        folders: dict[str, int | None] = {}
        folder_keys: list[tuple[str, int]] = []
        for _, source, _, _ in modules:
            folder = os.path.dirname(source)
            if folder not in folders:
                stat_key = _stat_key(folder)
                folders[folder] = None if stat_key is None else len(folder_keys)  # None: gone (its modules too)
                if stat_key is not None:
                    folder_keys.append((folder[len(base):], stat_key[0]))
        cache_base = os.path.commonpath([cached for _, _, cached, _ in modules])
        members: list[tuple[tuple[Any, ...], Any]] = []  # (entry without code location, code object)
        alone: list[tuple[tuple[Any, ...], bytes]] = []  # (entry without code location, marshalled code)
        for name, source, cached, search in modules:
            folder = os.path.dirname(source)
            stat_key = _stat_key(source)
            if stat_key is None or folders[folder] is None:
                continue
            parent = folder if search is None else os.path.dirname(search)
            entry = (name, source[len(base):], cached[len(cache_base):],
                     None if search is None else search[len(base):], parent[len(base):], folders[folder], *stat_key)
            data = self._old_code(name, source, cached, stat_key)
            if data is None:
                data = current_bytecode(source, cached, stat_key)
            if data is None:
                continue
            if name in grouped:
                try:
                    code = marshal.loads(data)
                except (ValueError, EOFError, TypeError):
                    continue
                if type(code) is _CODE:
                    members.append((entry, code))
                continue
            alone.append((entry, data))
        group = marshal.dumps(tuple(code for _, code in members)) if members else b""
        entries: dict[str, tuple[Any, ...]] = {}
        for slot, (entry, _) in enumerate(members):
            entries[entry[0]] = (*entry[1:], 0, len(group), slot)
        offset = len(group)
        for entry, data in alone:
            entries[entry[0]] = (*entry[1:], offset, len(data), None)
            offset += len(data)
        index = marshal.dumps((self.key, cache_base, tuple(folder_keys), entries,  # type: ignore[arg-type]
                               (0, len(group), len(members)) if members else ()))
        if not entries or _HEADER + len(index) + offset > MAX_SIZE:
            return None
        return b"".join((FORMAT, len(index).to_bytes(4, "little"), offset.to_bytes(4, "little"), index, group,
                         *(data for _, data in alone)))

    def _old_code(self, name: str, source: str, cached: str, stat_key: tuple[int, int]) -> bytes | None:
        """The old bundle's marshalled code of a module whose source, cached path and source stat are unchanged."""
        old = self._entries.get(name)
        if old is None or name in self.bad:
            return None
        try:
            source_rel, cached_rel, _, _, folder, mtime, size, offset, length, slot = old
            start = self._code_start + offset
            if (folder in self._changed or self.package_dir + source_rel != source
                    or self._cache_base + cached_rel != cached or (mtime, size) != stat_key
                    or not self._code_start <= start < start + length <= self._code_end):
                return None
            if slot is not None:
                if type(slot) is not int or not self._group or not 0 <= slot < self._group[2]:
                    return None
                code = self.member(slot)  # a module this run did not import (the others: from their .pyc)
                return marshal.dumps(code) if type(code) is _CODE else None
        except (TypeError, ValueError):
            return None
        return bytes(self.view[start: start + length])


def current_bytecode(source: str, cached: str, stat_key: tuple[int, int]) -> bytes | None:
    """The marshalled code the import system runs for ``source`` as it is (``stat_key``): its ``.pyc`` when that is
    a timestamp pyc of this interpreter made for it (the check ``SourceFileLoader`` makes), else the source
    compiled as ``SourceLoader.source_to_code`` compiles it."""
    from _frozen_importlib_external import MAGIC_NUMBER

    try:
        with open(cached, "rb") as f:
            pyc = f.read()
    except OSError:
        pyc = b""
    if (len(pyc) > 16 and pyc[:4] == MAGIC_NUMBER and pyc[4:8] == b"\0\0\0\0"
            and pyc[8:12] == (stat_key[0] // 1_000_000_000 & 0xFFFFFFFF).to_bytes(4, "little")
            and pyc[12:16] == (stat_key[1] & 0xFFFFFFFF).to_bytes(4, "little")):
        return pyc[16:]
    try:
        with open(source, "rb") as f:
            text = f.read()
        if _stat_key(source) != stat_key:
            return None  # changed since it was stat-ed
        return marshal.dumps(compile(text, source, "exec", dont_inherit=True, optimize=-1))
    except (OSError, SyntaxError, ValueError):
        return None


def install(package: ModuleType, version: str) -> CodeBundle | None:
    """Put the bundle's finder before ``PathFinder`` in ``sys.meta_path`` for the rest of the process (the console
    script's), or do nothing where it could not be exact; never raises."""
    try:
        return _install(package, version)
    except Exception:  # an optimization: without it the imports are the normal ones
        return None


def _install(package: ModuleType, version: str) -> CodeBundle | None:
    from _frozen_importlib_external import FileFinder, PathFinder

    if os.environ.get("GUARDLINT_CODE_BUNDLE") == "0" or os.name != "posix":
        return None
    spec = package.__spec__
    search = getattr(package, "__path__", None)
    if (spec is None or type(spec.loader) is not SourceFileLoader or type(search) is not list or len(search) != 1
            or not os.path.isabs(search[0]) or spec.origin != os.path.join(search[0], "__init__.py")):
        return None  # a namespace, zipped, frozen or otherwise loaded package: left to the import system
    hooks = sys.path_hooks
    zipimport = sys.modules.get("zipimport")
    if (len(hooks) != 2 or zipimport is None or hooks[0] is not zipimport.zipimporter
            or getattr(hooks[1], "__qualname__", "") != "FileFinder.path_hook.<locals>.path_hook_for_FileFinder"):
        return None  # a path hook that may load .py files its own way (beartype's, for one)
    finder = sys.path_importer_cache.get(search[0])
    if (finder is not None and type(finder) is not FileFinder) or PathFinder not in sys.meta_path:
        return None
    path = bundle_path(search[0])
    if path is None:
        return None
    bundle = CodeBundle(package, path, interpreter_key(search[0], version), read_file(path))
    before = sys.meta_path.index(PathFinder)
    sys.meta_path.insert(0 if may_go_first(sys.meta_path[:before], package.__name__ + ".") else before, bundle)
    return bundle


def may_go_first(finders: Sequence[object], prefix: str) -> bool:
    """Whether the bundle's finder may be asked first for the package's modules: when ``finders`` (those before
    ``PathFinder``) are only the interpreter's built-in and frozen importers and setuptools' ``distutils`` shim, none
    of which can find a module named ``prefix...`` (no built-in or frozen module has such a name; the shim answers
    only top-level names), so asking it first finds what asking it last would, without three calls per import.
    Any other finder (an import hook) is asked before it, as it is before ``PathFinder``."""
    import _imp
    from _frozen_importlib import BuiltinImporter, FrozenImporter

    frozen = getattr(_imp, "_frozen_module_names", None)  # Python 3.11 and later
    if frozen is None or any(name.startswith(prefix) for name in (*sys.builtin_module_names, *frozen())):
        return False
    for finder in finders:
        kind = type(finder)
        if not (finder is BuiltinImporter or finder is FrozenImporter
                or (kind.__module__ == "_distutils_hack" and kind.__qualname__ == "DistutilsMetaFinder")):
            return False
    return True
