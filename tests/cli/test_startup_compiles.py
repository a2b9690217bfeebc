"""How often one small file's check calls ``compile()`` at start-up, counted (never timed).

Each ``collections.namedtuple`` compiles its ``__new__`` once; ``typing.NamedTuple`` also compiled every field's
annotation (a ``ForwardRef`` per string annotation): 508 compiles for 87 value types before guardlint defined
them with ``guardlint._record.NamedTuple``, 89 after; since ``_record`` builds ``__new__`` from code compiled
once per field count (``_record._NEW_CODE``), only records with more fields than that table covers compile: 1 in
all (``Config``, 27 fields, about 1.2 ms) until the table reached 32 fields, none since. The audit hook runs in the
subprocess only."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_startup import MANIFEST

COUNT = """\
import io, json, sys

compiles = []

def hook(event, args):
    if event == "compile" and str(args[1]).startswith("<"):  # not a module's source (stale bytecode)
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename.startswith("<"):
            frame = frame.f_back
        compiles.append(frame.f_globals.get("__name__") if frame is not None else None)

sys.addaudithook(hook)
from guardlint.cli import main

code = main(sys.argv[1:], out=io.StringIO(), err=io.StringIO())
records = [c for name, m in list(sys.modules.items()) if name.startswith("guardlint") and m is not None
           for c in vars(m).values() if isinstance(c, type) and issubclass(c, tuple) and hasattr(c, "_fields")
           and c.__module__ == name]
from guardlint._record import _NEW_CODE
big = [c for c in records if len(c._fields) >= len(_NEW_CODE)]
print(json.dumps({"code": code, "compiles": compiles, "records": len(records), "big": len(big)}))
"""


def _count(tmp_path: Path, *argv: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", COUNT, *argv], capture_output=True, text=True, check=True,
                          cwd=tmp_path)
    counted: dict[str, Any] = json.loads(done.stdout)
    assert counted["code"] in (0, 1)
    return counted


@pytest.mark.parametrize("argv", [["--no-config"], ["--no-config", "--format", "json"]])
def test_a_small_file_check_compiles_only_for_records_with_many_fields(tmp_path: Path, argv: list[str]) -> None:
    (tmp_path / "m.yaml").write_text(MANIFEST, encoding="utf-8")
    counted = _count(tmp_path, "check", "m.yaml", *argv)
    compiles: list[str | None] = counted["compiles"]
    assert counted["records"] > 50  # the rules of a Deployment and a Service, their support, the core
    assert "typing" not in compiles  # no ForwardRef: no value type is defined with typing.NamedTuple
    # no compile for a record whose fields ``_record._NEW_CODE`` covers (a namedtuple compiled one per class), and
    # it covers every record of a check; a few of the standard library's namedtuples
    assert counted["big"] == 0
    assert compiles.count("guardlint._record") == 0
    assert compiles.count("collections") <= 3
    assert len(compiles) <= 3


def test_the_count_sees_typing_s_compiles(tmp_path: Path) -> None:
    """The hook is not blind: a value type defined with typing.NamedTuple shows as typing's compiles."""
    code = COUNT.replace("from guardlint.cli import main\n", "from guardlint.cli import main\n"
                         "import typing\nclass X(typing.NamedTuple):\n    a: 'int'\n    b: 'str'\n")
    counts = []
    for source in (COUNT, code):
        done = subprocess.run([sys.executable, "-c", source, "rules"], capture_output=True, text=True, check=True,
                              cwd=tmp_path)
        counts.append(json.loads(done.stdout)["compiles"].count("typing"))
    assert counts[1] - counts[0] == 2
