"""The command line imports PyYAML with the patterns its modules compile at import compiled on first use
(``cli._import_yaml``): checked in fresh processes, since the test process has PyYAML imported already."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from guardlint._lazyre import LazyPattern

MANIFEST = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {when: 2001-12-14, on: yes}\n"

# YAML texts whose reading exercises PyYAML's import-time patterns: the resolver's (bools, ints, floats, nulls,
# merge keys, timestamps, values), the constructor's timestamp and the pure-Python reader's non-printable class.
TEXTS = [
    "a: yes\nb: No\nc: ~\nd: null\ne: 0x1F\nf: 0o17\ng: 1_000\nh: 190:20:30\ni: 1.5e3\nj: .inf\nk: -.NaN\n",
    "t: 2001-12-14t21:59:43.10-05:00\nu: 2002-12-14\nv: 2001-12-14 21:59:43.10 -5\n",
    "base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n=: value\n",
    "bad: \"\x07 bell\"\n",
    "bad: \ufffe\n",
    "ok: \U0001f600 \x85 \xa0\n",
]

READING = """\
import json, re, sys, yaml
out = []
for text in json.loads(sys.stdin.read()):
    for loader in (yaml.SafeLoader, yaml.FullLoader):
        try:
            out.append(repr(yaml.load(text, Loader=loader)))
        except yaml.YAMLError as exc:
            out.append(type(exc).__name__ + ": " + str(exc))
print(json.dumps(out))
"""


def _fresh(code: str, cwd: Path, stdin: str = "") -> Any:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=cwd,
                          input=stdin)
    return json.loads(done.stdout.splitlines()[-1])  # the last line: argparse prints --version itself


def _after_main(*argv: str) -> str:
    return (
        "import io, re, sys\n"
        "compile_before = re.compile\n"
        "from guardlint.cli import main\n"
        f"code = main({list(argv)!r}, out=io.StringIO(), err=io.StringIO())\n"
        "assert re.compile is compile_before\n"
    )


def test_a_check_imports_yaml_with_its_patterns_compiled_on_first_use(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(MANIFEST, encoding="utf-8")
    code = _after_main("check", "m.yaml", "--no-config") + (
        "import json, yaml.reader, yaml.resolver, yaml.constructor\n"
        "patterns = [yaml.reader.Reader.NON_PRINTABLE, yaml.constructor.SafeConstructor.timestamp_regexp]\n"
        "patterns += [r for v in yaml.resolver.Resolver.yaml_implicit_resolvers.values() for _, r in v]\n"
        "print(json.dumps([code, sorted({type(p).__module__ + '.' + type(p).__name__ for p in patterns}),\n"
        "                  sorted({p.pattern for p in patterns})]))\n"
    )
    exit_code, types, patterns = _fresh(code, tmp_path)
    assert exit_code in (0, 1)
    assert types == ["guardlint._lazyre.LazyPattern"]
    assert yaml.reader.Reader.NON_PRINTABLE.pattern in patterns  # the same texts as the test process compiled
    assert len(patterns) == 10


def test_yaml_reads_every_text_as_it_does_when_imported_plainly(tmp_path: Path) -> None:
    """The pure-Python loaders (which use the reader's, the resolver's and the constructor's patterns) give the
    same values and the same errors after the command line's import as after a plain ``import yaml``."""
    texts = json.dumps(TEXTS)
    plain = _fresh(READING, tmp_path, texts)
    lazy = _fresh("from guardlint.cli import _import_yaml\n_import_yaml()\nimport yaml\n"
                  "assert type(yaml.reader.Reader.NON_PRINTABLE).__name__ == 'LazyPattern'\n" + READING,
                  tmp_path, texts)
    assert lazy == plain
    assert any("ReaderError" in r for r in plain)  # the non-printable class was used
    assert any("datetime" in r for r in plain)  # and the timestamp pattern


def test_nothing_is_swapped_when_yaml_is_already_imported(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(MANIFEST, encoding="utf-8")
    code = "import yaml\n" + _after_main("check", "m.yaml", "--no-config") + (
        "import json\nprint(json.dumps(type(yaml.reader.Reader.NON_PRINTABLE).__name__))\n")
    assert _fresh(code, tmp_path) == "Pattern"


def test_compile_is_put_back_when_the_import_fails(tmp_path: Path) -> None:
    code = (
        "import io, json, re, sys\n"
        "class Refuse:\n"
        "    @staticmethod\n"
        "    def find_spec(name, path=None, target=None):\n"
        "        if name == 'yaml.reader':\n"
        "            raise ImportError('refused')\n"
        "sys.meta_path.insert(0, Refuse)\n"
        "compile_before = re.compile\n"
        "from guardlint.cli import main\n"
        "err = io.StringIO()\n"
        "code = main(['rules'], out=io.StringIO(), err=err)\n"
        "print(json.dumps([code, re.compile is compile_before, err.getvalue()]))\n"
    )
    exit_code, restored, err = _fresh(code, tmp_path)
    assert exit_code == 3 and restored and "refused" in err


def test_usage_and_version_do_not_import_yaml(tmp_path: Path) -> None:
    code = ("import io, json, sys\nfrom guardlint.cli import main\n"
            "codes = [main(a, out=io.StringIO(), err=io.StringIO()) for a in (['--version'], ['check', '--nope'])]\n"
            "print(json.dumps([codes, 'yaml' in sys.modules]))\n")
    assert _fresh(code, tmp_path) == [[0, 2], False]


def test_a_lazy_pattern_gives_the_compiled_patterns_attributes() -> None:
    text = r"(?P<word>[a-z]+)-(\d+)"
    made, real = LazyPattern(text, re.IGNORECASE), re.compile(text, re.IGNORECASE)
    assert (made.flags, made.groups, made.groupindex) == (real.flags, real.groups, real.groupindex)
    assert made.subn("x", "ab-1 cd-2") == real.subn("x", "ab-1 cd-2")
    assert made.scanner("ab-1").match().group(0) == "ab-1"  # type: ignore[union-attr]


# --- PyYAML imported in part (``guardlint._yamlpart``) ------------------------------------------------------

PLAIN_MANIFEST = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  a: b\n"

STATE = """\
import json, sys
def yaml_state():
    yaml = sys.modules.get('yaml')
    return [type(yaml).__name__, sorted(m for m in sys.modules if m == 'yaml' or m.startswith('yaml.'))]
"""

# What a program sees of the package: every name, what each is (by its type, its module and qualified name, or its
# value), and the identities that tie the package to its modules and to libyaml's parser.
FINGERPRINT = """\
import json, sys, types, yaml
def describe(value):
    if isinstance(value, types.ModuleType):
        return ['module', value.__name__]
    if isinstance(value, (type, types.FunctionType)):
        return [type(value).__name__, value.__module__, value.__qualname__]
    if isinstance(value, (str, int, float, bool, type(None))):
        return ['value', value]
    return ['object', type(value).__module__, type(value).__qualname__]
names = dir(yaml)
fingerprint = {
    'type': type(yaml).__name__,
    'names': {n: describe(getattr(yaml, n)) for n in names if n not in ('__builtins__', '__cached__', '__file__',
                                                                         '__loader__', '__spec__', '__path__')},
    'namespace': sorted(vars(yaml)),
    'modules': sorted(m for m in sys.modules if m == 'yaml' or m.startswith('yaml.')),
    'same': [yaml.YAMLError is yaml.error.YAMLError, yaml._yaml.ScannerError is yaml.scanner.ScannerError,
             yaml._yaml.ScalarEvent is yaml.events.ScalarEvent, yaml.CSafeLoader.__mro__[1] is yaml._yaml.CParser,
             yaml.cyaml.CParser is yaml._yaml.CParser, yaml.SafeLoader is yaml.loader.SafeLoader],
    'loads': repr(yaml.safe_load('a: &x [1, yes, 2001-12-14]\\nb: *x\\n')),
    'spec': [yaml.__spec__.name, yaml.__spec__.origin, list(yaml.__path__), yaml.__package__],
}
print(json.dumps(fingerprint, sort_keys=True))
"""


def test_a_check_imports_only_the_part_of_yaml_the_parser_needs(tmp_path: Path) -> None:
    from guardlint._yamlpart import PARSER_MODULES

    (tmp_path / "m.yaml").write_text(PLAIN_MANIFEST, encoding="utf-8")
    code = STATE + _after_main("check", "m.yaml", "--no-config") + "print(json.dumps([code, yaml_state()]))\n"
    exit_code, (kind, modules) = _fresh(code, tmp_path)
    assert exit_code == 0
    assert kind == "_Pending"
    assert modules == sorted(["yaml", *(f"yaml.{name}" for name in PARSER_MODULES)])
    assert not {"yaml.loader", "yaml.dumper", "yaml.resolver", "yaml.cyaml"} & set(modules)


def test_yaml_after_a_check_is_what_a_plain_import_gives(tmp_path: Path) -> None:
    """A plugin or a library caller that imports PyYAML after the command line's part-import sees the package a
    plain ``import yaml`` makes: the same names bound to the same kinds of objects, the same modules, the same
    identities between them, the same values read (the pending package's ``__init__`` runs on the first name it
    does not hold)."""
    (tmp_path / "m.yaml").write_text(PLAIN_MANIFEST, encoding="utf-8")
    plain = _fresh(FINGERPRINT, tmp_path)
    after_check = _fresh(_after_main("check", "m.yaml", "--no-config") + FINGERPRINT, tmp_path)
    assert plain["type"] == "module" and plain["modules"] == after_check["modules"]
    assert after_check == plain


@pytest.mark.parametrize(
    ("access", "expected"),
    [
        ("yaml.safe_load('a: 1')", "{'a': 1}"),
        ("__import__('yaml').__version__ == __import__('importlib.metadata').metadata.version('PyYAML')", "True"),
        ("(lambda: __import__('yaml', fromlist=['CSafeLoader']).CSafeLoader.__name__)()", "'CSafeLoader'"),
        ("hasattr(yaml, 'YAMLObject')", "True"),
        ("getattr(yaml, 'no_such_name', 'default')", "'default'"),
        ("'safe_dump' in dir(yaml)", "True"),
        ("yaml.dump({'a': [1]}, Dumper=yaml.SafeDumper)", "'a:\\n- 1\\n'"),
    ],
)
def test_any_first_use_of_a_name_completes_the_package(tmp_path: Path, access: str, expected: str) -> None:
    (tmp_path / "m.yaml").write_text(PLAIN_MANIFEST, encoding="utf-8")
    code = STATE + _after_main("check", "m.yaml", "--no-config") + (
        "before = yaml_state()[0]\n"
        "import yaml\n"
        f"value = repr({access})\n"
        "print(json.dumps([before, value, yaml_state()[0], sorted(vars(yaml)) == sorted(dir(yaml))]))\n"
    )
    assert _fresh(code, tmp_path) == ["_Pending", expected, "module", True]


def test_a_missing_name_fails_as_it_does_on_a_plain_import(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(PLAIN_MANIFEST, encoding="utf-8")
    probe = ("import yaml\ntry:\n    yaml.no_such_name\nexcept AttributeError as exc:\n    message = str(exc)\n"
             "try:\n    from yaml import no_such_name\nexcept ImportError as exc:\n    message += ' / ' + str(exc)\n"
             "print(json.dumps(message))\n")
    plain = _fresh("import json\n" + probe, tmp_path)
    after_check = _fresh(_after_main("check", "m.yaml", "--no-config") + "import json\n" + probe, tmp_path)
    assert after_check == plain and "no_such_name" in plain


def test_documents_that_need_the_composer_complete_the_package(tmp_path: Path) -> None:
    """Anchors, tags, a key kubectl reads otherwise and a syntax error take the composing way, which uses the
    package's loader: the report is the one a process with PyYAML imported plainly gives."""
    texts = {
        "anchors.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: &l {x: y}}\n"
                        "data:\n  <<: *l\n  b: !!str 1\n",
        "on.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {on: yes}\n",
        "broken.yaml": "apiVersion: v1\nkind: [\n",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    run = ("import io, json, sys\nfrom guardlint.cli import main\nout = io.StringIO()\n"
           "code = main(['check', '.', '--no-config', '--format', 'json', '--select', 'all'], out=out, "
           "err=io.StringIO())\n" + STATE + "print(json.dumps([code, out.getvalue(), yaml_state()[0]]))\n")
    plain = _fresh("import yaml\n" + run, tmp_path)
    part = _fresh(run, tmp_path)
    assert plain[2] == "module" and part[2] == "module"  # the composer completed the pending package
    assert part[:2] == plain[:2]
    report = json.loads(part[1])
    assert report["errors"] and report["findings"]


def test_without_libyaml_the_package_is_imported_plainly(tmp_path: Path) -> None:
    """Where libyaml's parser cannot be imported the part-import leaves nothing behind and PyYAML is imported
    plainly (its pure-Python loaders); the report is the one a plain import without libyaml gives."""
    (tmp_path / "m.yaml").write_text(MANIFEST, encoding="utf-8")
    refuse = ("import sys\nclass Refuse:\n    @staticmethod\n    def find_spec(name, path=None, target=None):\n"
              "        if name == 'yaml._yaml':\n            raise ImportError('no libyaml here')\n"
              "sys.meta_path.insert(0, Refuse)\n")
    run = ("import io, json\nfrom guardlint.cli import main\nout = io.StringIO()\n"
           "code = main(['check', 'm.yaml', '--no-config', '--format', 'json'], out=out, err=io.StringIO())\n"
           + STATE + "import yaml\nprint(json.dumps([code, out.getvalue(), yaml_state(), yaml.__with_libyaml__]))\n")
    plain = _fresh(refuse + "import yaml\n" + run, tmp_path)
    part = _fresh(refuse + run, tmp_path)
    assert part == plain
    assert part[2][0] == "module" and "yaml._yaml" not in part[2][1] and part[3] is False
