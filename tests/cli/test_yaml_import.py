"""The command line imports PyYAML with the patterns its modules compile at import compiled on first use
(``cli._import_yaml``): checked in fresh processes, since the test process has PyYAML imported already."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

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
