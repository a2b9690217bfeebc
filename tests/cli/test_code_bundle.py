"""The console script's code bundle (``guardlint._bundle``): written by a run that missed it, read by the next,
never stale, never trusted beyond its checks, never installed by library use.

Each test works on its own copy of the package (``tmp_path/src/guardlint``, the data folders linked beside it),
so the bundle it writes is the copy's (in the copy's ``__pycache__``), never the checkout's."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_startup import MANIFEST

SRC = Path(__file__).resolve().parents[2] / "src" / "guardlint"
TAG = sys.implementation.cache_tag

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the bundle is used on POSIX systems only")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "install"
    shutil.copytree(SRC, root / "src" / "guardlint", ignore=shutil.ignore_patterns("__pycache__", "_data"))
    for name in ("rules", "schemas"):
        (root / name).symlink_to(SRC.parents[1] / name)
    work = tmp_path / "work"
    work.mkdir()
    (work / "m.yaml").write_text(MANIFEST, encoding="utf-8")
    return root


def _env(tree: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "GUARDLINT_CODE_BUNDLE")}
    env.update(PYTHONPATH=str(tree / "src"), NO_COLOR="1", **extra)
    return env


def _run(tree: Path, *argv: str, flags: tuple[str, ...] = (), **extra: str) -> subprocess.CompletedProcess[str]:
    """``python -m guardlint`` (the console script's ``entry``) on the copy, in the work folder."""
    return subprocess.run([sys.executable, *flags, "-m", "guardlint", *(argv or ("check", "m.yaml", "--no-config"))],
                          capture_output=True, text=True, cwd=tree.parent / "work", env=_env(tree, **extra),
                          check=False)


def _warm(tree: Path) -> None:
    """The first run writes an empty bundle, the second the code (``CodeBundle._write``)."""
    _run(tree)
    _run(tree)


def _bundle(tree: Path, opt: str = "") -> Path:
    return tree / "src" / "guardlint" / "__pycache__" / f"_code_bundle.{TAG}{opt}.bin"


INSPECT = """\
import io, json, sys
import guardlint
from guardlint._bundle import install
from guardlint.cli import main
bundle = install(sys.modules["guardlint"], guardlint.__version__)
main(["check", "m.yaml", "--no-config", "--format", "json"], out=io.StringIO(), err=io.StringIO())
import guardlint.engine, guardlint.rules, inspect, importlib.resources, traceback
from guardlint.model import quantity
out = {"installed": bundle is not None, "modules": {}}
for name, module in sorted(sys.modules.items()):
    if not name.startswith("guardlint."):
        continue
    spec = module.__spec__
    out["modules"][name] = {
        "loader": type(spec.loader).__name__, "file": module.__file__, "cached": module.__cached__,
        "package": module.__package__, "path": getattr(module, "__path__", None), "origin": spec.origin,
        "spec_cached": spec.cached, "locations": spec.submodule_search_locations, "parent": spec.parent,
        "names": list(vars(module)), "same_path": getattr(module, "__path__", None) is spec.submodule_search_locations,
        "has_location": spec.has_location, "source_ok": spec.loader.get_source(name) == open(module.__file__).read(),
        "filenames": sorted({f.__code__.co_filename for f in vars(module).values()
                             if getattr(f, "__module__", None) == name and hasattr(f, "__code__")}),
    }
out["getsource"] = inspect.getsource(guardlint.engine) == open(guardlint.engine.__file__).read()
out["resource"] = importlib.resources.files("guardlint.rules").joinpath("__init__.py").is_file()
try:
    quantity._int("not digits")
except Exception as error:
    out["traceback"] = "".join(traceback.format_exception(error))
if bundle is not None:
    bundle.save()
print(json.dumps(out))
"""


def _inspect(tree: Path, **extra: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", INSPECT], capture_output=True, text=True, check=True,
                          cwd=tree.parent / "work", env=_env(tree, **extra))
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_the_second_run_writes_the_bundle_and_the_next_reads_it_without_writing(tree: Path) -> None:
    import guardlint
    from guardlint._bundle import interpreter_key, parse

    key = interpreter_key(str(tree / "src" / "guardlint"), guardlint.__version__)
    plain = _run(tree, GUARDLINT_CODE_BUNDLE="0")
    assert not _bundle(tree).exists()
    first = _run(tree)
    stub = parse(_bundle(tree).read_bytes(), key)
    assert stub is not None and stub[2] == {} and _bundle(tree).stat().st_size < 1000  # no code yet
    second = _run(tree)
    full = parse(_bundle(tree).read_bytes(), key)
    assert full is not None and len(full[2]) > 100
    written = _bundle(tree).stat()
    third = _run(tree)
    for done in (first, second, third):
        assert (done.returncode, done.stdout, done.stderr) == (plain.returncode, plain.stdout, plain.stderr)
    again = _bundle(tree).stat()
    assert (again.st_ino, again.st_mtime_ns) == (written.st_ino, written.st_mtime_ns)  # a hit writes nothing
    assert not list(_bundle(tree).parent.glob("*.tmp"))


def test_served_modules_look_like_normal_imports(tree: Path) -> None:
    normal = _inspect(tree, GUARDLINT_CODE_BUNDLE="0")
    assert not normal["installed"]
    _inspect(tree)  # writes an empty bundle
    _inspect(tree)  # writes the bundle
    served = _inspect(tree)
    assert served["installed"]
    loaders = {name: m.pop("loader") for name, m in served["modules"].items()}
    assert {m.pop("loader") for m in normal["modules"].values()} == {"SourceFileLoader"}
    assert served["modules"] == normal["modules"]  # __file__, __cached__, __spec__, __path__, co_filename
    from_bundle = [name for name, loader in loaders.items() if loader == "BundleLoader"]
    assert len(from_bundle) > 100
    assert "guardlint.engine" in from_bundle and "guardlint.rules.resources.missing_cpu_request" in from_bundle
    for module in served["modules"].values():
        assert module["source_ok"]
        assert all(filename == module["file"] for filename in module["filenames"])  # what coverage keys on
    assert served["getsource"] and served["resource"]
    assert served["traceback"] == normal["traceback"]
    assert 'quantity.py", line' in served["traceback"]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_edited_source_is_imported_from_itself_and_the_bundle_rewritten(tree: Path) -> None:
    _warm(tree)
    text = tree / "src" / "guardlint" / "report" / "text.py"
    before = _bundle(tree).stat().st_mtime_ns
    _edit(text, "from __future__ import annotations\n",
          "from __future__ import annotations\nimport sys\nsys.stderr.write('edited text.py\\n')\n")
    assert "edited text.py" in _run(tree).stderr
    assert _bundle(tree).stat().st_mtime_ns != before  # rewritten with the new source's bytecode
    assert "edited text.py" in _run(tree).stderr  # served from the new bundle: the new code
    _edit(text, "sys.stderr.write('edited text.py\\n')", "sys.stderr.write('edited text.pz\\n')")  # same size
    stat = text.stat()
    os.utime(text, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    assert "edited text.pz" in _run(tree).stderr


def test_a_package_added_beside_a_bundled_module_comes_first_as_in_a_normal_import(tree: Path) -> None:
    _warm(tree)
    text = tree / "src" / "guardlint" / "report" / "text.py"
    package = text.with_suffix("")
    package.mkdir()
    (package / "__init__.py").write_text("import sys\nsys.stderr.write('the package\\n')\n"
                                         + text.read_text(encoding="utf-8").replace("from __future__ import "
                                                                                    "annotations\n", ""),
                                         encoding="utf-8")
    assert "the package" in _run(tree).stderr


def _corrupt(raw: bytes, code_start: int) -> dict[str, bytes]:
    from guardlint._bundle import FORMAT

    return {
        "empty": b"",
        "truncated": raw[: len(raw) // 2],
        "longer": raw + b"\0",
        "zero-filled": b"\0" * len(raw),
        "another format": b"guardlint code bundle 0\n" + raw[len(FORMAT):],
        "garbage index": raw[: len(FORMAT) + 8] + b"\xff" * 64 + raw[len(FORMAT) + 72:],
        "garbage": bytes(range(256)) * (len(raw) // 256),
        # the first module's code unreadable (a zeroed start, then a type code marshal does not know)
        "zeroed code": raw[:code_start] + b"\0" * 16 + raw[code_start + 16:],
        "bad code": raw[:code_start] + b"\xff" * 16 + raw[code_start + 16:],
    }


@pytest.mark.slow
def test_a_corrupt_bundle_is_not_used_and_is_written_again(tree: Path) -> None:
    import guardlint
    from guardlint._bundle import interpreter_key, parse

    key = interpreter_key(str(tree / "src" / "guardlint"), guardlint.__version__)
    expected = _run(tree, GUARDLINT_CODE_BUNDLE="0")
    _warm(tree)
    good = _bundle(tree).read_bytes()
    parsed = parse(good, key)
    assert parsed is not None
    first = min(parsed[2], key=lambda name: parsed[2][name][7])
    for name, raw in _corrupt(good, parsed[3]).items():
        _bundle(tree).write_bytes(raw)
        done = _run(tree)
        assert (done.returncode, done.stdout, done.stderr) == (expected.returncode, expected.stdout,
                                                               expected.stderr), name
        again = parse(_bundle(tree).read_bytes(), key)
        assert again is not None, name
        if name not in ("zeroed code", "bad code"):
            assert again[2] == {}, name  # no bundle for this key: an empty one first
            _run(tree)
            again = parse(_bundle(tree).read_bytes(), key)
            assert again is not None, name
        assert set(again[2]) == set(parsed[2]), name
        assert first in again[2]  # its code taken again from its .pyc, not from the damaged bundle
        assert _bundle(tree).read_bytes()[again[3] + again[2][first][7]:][:16] == good[parsed[3]:][:16], name


@pytest.mark.slow
def test_a_bundle_of_another_interpreter_or_version_is_not_used(tree: Path) -> None:
    _warm(tree)
    _edit(tree / "src" / "guardlint" / "_version.py", '__version__ = "', '__version__ = "9')
    raw = _bundle(tree).read_bytes()
    done = _run(tree)
    assert done.returncode in (0, 1) and not done.stderr
    assert _bundle(tree).read_bytes() != raw
    # -O has its own bundle (its bytecode differs: no asserts)
    _run(tree, flags=("-O",))
    assert _bundle(tree, ".opt-1").is_file()


def test_nothing_is_written_without_bytecode_or_where_it_cannot_be(tree: Path) -> None:
    done = _run(tree, PYTHONDONTWRITEBYTECODE="1")
    assert done.returncode in (0, 1) and not done.stderr
    assert not _bundle(tree).exists()
    _run(tree, flags=("-B",))
    assert not _bundle(tree).exists()
    _bundle(tree).mkdir(parents=True)  # a bundle path that cannot be read or replaced
    done = _run(tree)
    assert done.returncode in (0, 1) and not done.stderr
    assert _bundle(tree).is_dir() and not list(_bundle(tree).parent.glob("*.tmp"))


@pytest.mark.slow
def test_concurrent_runs_leave_one_whole_bundle(tree: Path) -> None:
    _run(tree)  # the empty bundle: the four runs below all write the code
    runs = [subprocess.Popen([sys.executable, "-m", "guardlint", "check", "m.yaml", "--no-config"],
                             cwd=tree.parent / "work", env=_env(tree), stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE) for _ in range(4)]
    assert all(run.wait() in (0, 1) for run in runs)
    import guardlint
    from guardlint._bundle import interpreter_key, parse

    package_dir = str(tree / "src" / "guardlint")
    parsed = parse(_bundle(tree).read_bytes(), interpreter_key(package_dir, guardlint.__version__))
    assert parsed is not None and "guardlint.engine" in parsed[2]
    assert not list(_bundle(tree).parent.glob("*.tmp"))


def test_library_use_never_installs_or_writes_it(tree: Path) -> None:
    code = ("import io, sys, guardlint\n"
            "from guardlint.cli import main\n"
            "guardlint.lint_text('apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: a}\\n')\n"
            "main(['check', 'm.yaml', '--no-config'], out=io.StringIO(), err=io.StringIO())\n"
            "print([type(f).__name__ for f in sys.meta_path])\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=tree.parent / "work", env=_env(tree))
    assert "CodeBundle" not in done.stdout
    assert not _bundle(tree).exists()


def _with_code(raw: bytes, key: tuple[object, ...], name: str, code: object) -> bytes:
    """The bundle ``raw`` with ``code`` as the code of the module ``name`` (of its group or alone)."""
    import marshal

    from guardlint._bundle import FORMAT, parse

    parsed = parse(raw, key)
    assert parsed is not None
    cache_base, folders, entries, start, _, group = parsed
    entry = entries[name]
    if entry[9] is None:
        codes = [raw[start + e[7]: start + e[7] + e[8]] for e in entries.values() if e[9] is None]
        alone_names = [n for n, e in entries.items() if e[9] is None]
        codes[alone_names.index(name)] = marshal.dumps(code)  # type: ignore[arg-type]
        members = raw[start: start + group[1]] if group else b""
    else:
        tup = list(marshal.loads(raw[start + group[0]: start + group[0] + group[1]]))
        tup[entry[9]] = code
        members = marshal.dumps(tuple(tup))  # type: ignore[arg-type]
        codes = [raw[start + e[7]: start + e[7] + e[8]] for e in entries.values() if e[9] is None]
    offset = len(members)
    new_entries = {}
    alone = iter(codes)
    for n, e in entries.items():
        if e[9] is None:
            data = next(alone)
            new_entries[n] = (*e[:7], offset, len(data), None)
            offset += len(data)
        else:
            new_entries[n] = (*e[:7], 0, len(members), e[9])
    index = marshal.dumps((key, cache_base, folders, new_entries,  # type: ignore[arg-type]
                           (0, len(members), group[2]) if group else ()))
    return b"".join((FORMAT, len(index).to_bytes(4, "little"), offset.to_bytes(4, "little"), index, members,
                     *codes))


def test_a_repository_cannot_supply_a_bundle(tree: Path) -> None:
    """A bundle is read only from the installation's bytecode folder: a valid bundle whose code announces itself,
    placed in the linted folder, its caches and a package folder there, is never read; the same bundle in the
    installation's bytecode folder is (so the planted one would run if guardlint looked there)."""
    _warm(tree)
    import guardlint
    from guardlint._bundle import BundleLoader, CodeBundle, interpreter_key

    package_dir = str(tree / "src" / "guardlint")
    key = interpreter_key(package_dir, guardlint.__version__)
    planted = CodeBundle(guardlint, str(_bundle(tree)), key, _bundle(tree).read_bytes())
    code = compile("import sys\nsys.stderr.write('PLANTED\\n')\n", package_dir + "/report/text.py", "exec")
    hostile = _with_code(_bundle(tree).read_bytes(), key, "guardlint.report.text", code)
    assert planted._entries["guardlint.report.text"][9] is not None  # a module of the group
    assert isinstance(BundleLoader, type)
    work = tree.parent / "work"
    for place in (work / "guardlint" / "__pycache__", work / ".cache" / "guardlint",
                  work / "src" / "guardlint" / "__pycache__"):
        place.mkdir(parents=True)
        (place / _bundle(tree).name).write_bytes(hostile)
    _bundle(tree).unlink()
    for argv in (("check", "m.yaml", "--no-config"), ("check", ".", "--no-config")):
        done = _run(tree, *argv, XDG_CACHE_HOME=str(work / ".cache"), HOME=str(work))
        assert "PLANTED" not in done.stderr
    _bundle(tree).write_bytes(hostile)
    assert "PLANTED" in _run(tree).stderr  # the control: the installation's own bytecode folder is trusted


def test_a_probe_for_a_module_that_does_not_exist_is_not_a_miss(tree: Path) -> None:
    """Only a module the import system then finds in the package makes a run write the bundle again."""
    _warm(tree)
    written = _bundle(tree).stat().st_mtime_ns
    code = ("import io, sys, guardlint\n"
            "from guardlint._bundle import install\n"
            "from guardlint.cli import main\n"
            "bundle = install(sys.modules['guardlint'], guardlint.__version__)\n"
            "main(['check', 'm.yaml', '--no-config'], out=io.StringIO(), err=io.StringIO())\n"
            "try:\n    import guardlint.no_such_module\nexcept ImportError:\n    pass\n"
            "print(hasattr(guardlint, 'no_such_name'))\n"
            "bundle.save()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=tree.parent / "work", env=_env(tree))
    assert done.stdout.strip() == "False"
    assert _bundle(tree).stat().st_mtime_ns == written


def test_the_finder_goes_first_only_behind_finders_that_cannot_find_guardlint_modules() -> None:
    from _frozen_importlib import BuiltinImporter, FrozenImporter

    from guardlint._bundle import may_go_first

    class DistutilsMetaFinder:  # setuptools' shim, as its module names it
        def find_spec(self, name: str, path: object = None, target: object = None) -> None:
            return None

    DistutilsMetaFinder.__module__ = "_distutils_hack"
    DistutilsMetaFinder.__qualname__ = "DistutilsMetaFinder"

    class Hook:
        def find_spec(self, name: str, path: object = None, target: object = None) -> None:
            return None

    expected = sys.version_info >= (3, 11)  # no list of frozen modules before
    assert may_go_first([], "guardlint.") is expected
    assert may_go_first([DistutilsMetaFinder(), BuiltinImporter, FrozenImporter], "guardlint.") is expected
    assert not may_go_first([BuiltinImporter, Hook(), FrozenImporter], "guardlint.")
    assert not may_go_first([BuiltinImporter], "_frozen_importlib_")  # a frozen module has that name
    assert not may_go_first([BuiltinImporter], "sy")  # so has a built-in one (sys)


def test_an_import_hook_before_the_path_finder_is_still_asked_first(tree: Path) -> None:
    _warm(tree)
    code = ("import io, sys, guardlint\n"
            "class Hook:\n"
            "    seen = []\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        self.seen.append(name)\n"
            "sys.meta_path.insert(0, Hook())\n"
            "from guardlint._bundle import install\n"
            "from guardlint.cli import main\n"
            "bundle = install(sys.modules['guardlint'], guardlint.__version__)\n"
            "main(['check', 'm.yaml', '--no-config'], out=io.StringIO(), err=io.StringIO())\n"
            "kinds = [type(f).__name__ for f in sys.meta_path]\n"
            "print(kinds.index('Hook') < kinds.index('CodeBundle'), 'guardlint.engine' in Hook.seen,\n"
            "      type(sys.modules['guardlint.engine'].__spec__.loader).__name__)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=tree.parent / "work", env=_env(tree))
    assert done.stdout.split() == ["True", "True", "BundleLoader"]
    plain = subprocess.run([sys.executable, "-c", code.replace("sys.meta_path.insert(0, Hook())\n", "")
                            .replace("kinds.index('Hook') < kinds.index('CodeBundle'), 'guardlint.engine' in "
                                     "Hook.seen", "kinds[0] == 'CodeBundle' or sys.version_info < (3, 11), 0")],
                           capture_output=True, text=True, check=True, cwd=tree.parent / "work", env=_env(tree))
    assert plain.stdout.split() == ["True", "0", "BundleLoader"]


def test_the_group_is_what_the_first_run_that_wrote_code_imported(tree: Path) -> None:
    """The modules of the run that first wrote code are unmarshalled together (their shared names read once); a
    later run that imports more adds its other modules outside the group, so the group does not grow with every
    module a rare run needs; a reloaded module of the group comes from its files and is not a miss."""
    import guardlint
    from guardlint._bundle import interpreter_key, parse

    key = interpreter_key(str(tree / "src" / "guardlint"), guardlint.__version__)
    _warm(tree)
    first = parse(_bundle(tree).read_bytes(), key)
    assert first is not None and first[5] and first[5][2] == len(first[2]) > 100
    grouped = {name for name, entry in first[2].items() if entry[9] is not None}
    assert "guardlint.engine" in grouped
    assert sorted(entry[9] for entry in first[2].values()) == list(range(len(grouped)))
    expected = _run(tree, "check", "m.yaml", "--no-config", "--select", "all", GUARDLINT_CODE_BUNDLE="0")
    done = _run(tree, "check", "m.yaml", "--no-config", "--select", "all")
    assert (done.returncode, done.stdout, done.stderr) == (expected.returncode, expected.stdout, expected.stderr)
    more = parse(_bundle(tree).read_bytes(), key)
    assert more is not None and len(more[2]) > len(first[2])
    assert {name for name, entry in more[2].items() if entry[9] is not None} == grouped
    written = _bundle(tree).stat().st_mtime_ns
    code = ("import importlib, io, sys, guardlint\n"
            "from guardlint._bundle import install\n"
            "from guardlint.cli import main\n"
            "bundle = install(sys.modules['guardlint'], guardlint.__version__)\n"
            "main(['check', 'm.yaml', '--no-config'], out=io.StringIO(), err=io.StringIO())\n"
            "engine = sys.modules['guardlint.engine']\n"
            "print(type(engine.__spec__.loader).__name__, importlib.reload(engine) is engine, bundle.missed)\n"
            "bundle.save()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=tree.parent / "work", env=_env(tree))
    assert done.stdout.split() == ["BundleLoader", "True", "False"]
    assert _bundle(tree).stat().st_mtime_ns == written
