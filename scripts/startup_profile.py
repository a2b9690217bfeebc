#!/usr/bin/env python3
"""Where the start-up of one ``guardlint`` command goes, attributed in fresh processes.

Usage: python scripts/startup_profile.py [--runs N] [--src DIR] [--against DIR] [--top K] [--json]
                                         [--time] [--args ARG...]

Without ``--args`` the command is ``check m.yaml --no-config`` on a generated Deployment and Service (in a
temporary folder, which is the working directory of every run). Each run is a fresh interpreter that does
what the console script does (``import re, sys``, ``from guardlint.cli import entry``, then ``main``) with
the command's output sent to a buffer, and reports, in CPU time (``time.process_time``, which a loaded
machine inflates less than wall time):

- the phases: the interpreter before any of this (``python``), ``import yaml``, ``import guardlint.cli``, the
  first run of the command and a second run of it in the same process (the work itself: whatever the first
  run still has to import or set up, the second finds done);
- every module imported, with the time of its import including and excluding the imports it triggers (the
  hook sits under both the ``import`` statement and ``importlib.import_module``, which ``python -X importtime``
  does not attribute: the rule modules are imported that way), the module that imported it, and per phase
  the number of modules;
- every regular expression compiled (``re``'s cache misses), with the line of code that asked for it;
- the classes built by ``typing.NamedTuple``, ``collections.namedtuple``, ``guardlint._record.NamedTuple`` (which
  does not call ``collections.namedtuple``), ``enum`` and ``dataclasses``, and the
  calls of the builtin ``compile`` (``typing`` compiles each string annotation of a NamedTuple);
- min and median over the runs.

The instrumentation costs time of its own (a clock read per import, a frame walk per compiled pattern):
compare the counts, and the phases between two trees measured the same way (``--against OTHER_SRC`` runs
the same command with ``PYTHONPATH=OTHER_SRC``, alternating with ``--src``). ``--time`` leaves out the
instrumentation and reports the CPU time of the whole console-script process (``getrusage`` of the child),
interleaved between the trees: that is the figure to compare for a speed-up. Bytecode is compiled first in
each tree (``compileall``), as a user's installed copy has it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: ghcr.io/example/web:2.8.1
          ports: [{containerPort: 8080}]
          resources:
            requests: {cpu: 100m, memory: 64Mi}
            limits: {memory: 64Mi}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
"""

# The child: nothing above the first phase mark may import a module guardlint would import itself, or the
# module would be counted in the wrong place (``sys`` and ``time`` are built in; ``os`` and ``io`` are loaded
# by the interpreter before ``-c`` runs).
CHILD = r'''
import sys, time
_cpu = time.process_time
_python = _cpu()
_bootstrap = sys.modules["_frozen_importlib"]
_find_and_load = _bootstrap._find_and_load
_stack = []            # [name, seconds of nested imports]
_modules = []          # [name, importer, phase, cumulative, self]
_regexes = []          # [pattern, flags, where, seconds, phase]
_classes = {}          # kind -> [count, seconds]
_compiles = [0]
_phase = ["python"]
_patched = set()
_here = [sys.argv[1]]  # the source folder whose files are "ours" in the "where" column


def _count(kind, seconds):
    entry = _classes.setdefault(kind, [0, 0.0])
    entry[0] += 1
    entry[1] += seconds


def _where():
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if not (name.endswith(("/re/__init__.py", "/re/_compiler.py", "/_lazyre.py", "sre_compile.py"))
                or name.startswith("<")):
            short = name[len(_here[0]) + 1:] if name.startswith(_here[0]) else name.rsplit("/", 2)[-2:]
            if isinstance(short, list):
                short = "/".join(short)
            return f"{short}:{frame.f_lineno}"
        frame = frame.f_back
    return "?"


def _timed_class_maker(kind, make):
    def timed(*args, **kwargs):
        start = _cpu()
        try:
            return make(*args, **kwargs)
        finally:
            _count(kind, _cpu() - start)
    return timed


def _patch(name):
    """Wrap what the report counts in module ``name`` once it is loaded."""
    if name in _patched or name not in sys.modules:
        return
    module = sys.modules[name]
    _patched.add(name)
    if name in ("re._compiler", "sre_compile"):
        compile_ = module.compile

        def compiled(pattern, flags=0):
            start = _cpu()
            try:
                return compile_(pattern, flags)
            finally:
                _regexes.append([str(pattern)[:60], int(flags), _where(), _cpu() - start, _phase[0]])
        module.compile = compiled
    elif name == "typing":
        meta = module.NamedTupleMeta
        meta.__new__ = staticmethod(_timed_class_maker("typing.NamedTuple", meta.__new__))
    elif name == "collections":
        module.namedtuple = _timed_class_maker("collections.namedtuple", module.namedtuple)
    elif name == "guardlint._record" and hasattr(module, "_RecordMeta"):
        meta = module._RecordMeta
        meta.__new__ = staticmethod(_timed_class_maker("guardlint._record.NamedTuple", meta.__new__))
    elif name == "enum":
        meta = getattr(module, "EnumType", None) or module.EnumMeta
        meta.__new__ = staticmethod(_timed_class_maker("enum", meta.__new__))
    elif name == "dataclasses":
        module._process_class = _timed_class_maker("dataclass", module._process_class)


def _timed_find_and_load(name, import_):
    if name in sys.modules:
        return _find_and_load(name, import_)
    importer = _stack[-1][0] if _stack else "(" + _phase[0] + ")"
    record = [name, 0.0]
    _stack.append(record)
    start = _cpu()
    try:
        return _find_and_load(name, import_)
    finally:
        total = _cpu() - start
        _stack.pop()
        if _stack:
            _stack[-1][1] += total
        _modules.append([name, importer, _phase[0], total, total - record[1]])
        _patch(name)


for _name in ("re._compiler", "sre_compile", "typing", "collections", "enum", "dataclasses", "guardlint._record"):
    _patch(_name)
_bootstrap._find_and_load = _timed_find_and_load

import builtins
_builtin_compile = builtins.compile


def _counted_compile(*args, **kwargs):
    _compiles[0] += 1
    return _builtin_compile(*args, **kwargs)


builtins.compile = _counted_compile

_marks = {"python": _python}
_start = _cpu()
_phase[0] = "console script"
import re  # what the console script imports first
_marks["console script"] = _cpu() - _start

_start = _cpu()
_phase[0] = "import yaml"
import yaml
_marks["import yaml"] = _cpu() - _start

_start = _cpu()
_phase[0] = "import guardlint.cli"
from guardlint.cli import main
_marks["import guardlint.cli"] = _cpu() - _start

argv = sys.argv[2:]
codes = []
for _label in ("first run", "second run"):
    _phase[0] = _label
    out, err = __import__("io").StringIO(), __import__("io").StringIO()
    _start = _cpu()
    codes.append(main(argv, out=out, err=err))
    _marks[_label] = _cpu() - _start
    if _label == "first run":
        first_output = out.getvalue()
        first_err = err.getvalue()
_phase[0] = "report"
builtins.compile = _builtin_compile
_bootstrap._find_and_load = _find_and_load
import json
sys.stdout.write(json.dumps({
    "marks": _marks, "modules": _modules, "regexes": _regexes, "classes": _classes,
    "compiles": _compiles[0], "codes": codes, "output_lines": first_output.count("\n"),
    "stderr": first_err[-2000:],
}))
sys.stdout.flush()
import os
os._exit(0)
'''

PHASES = ("python", "console script", "import yaml", "import guardlint.cli", "first run", "second run")


def _env(src: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = str(src)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    return env


def _compile_bytecode(src: Path) -> None:
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True, stdout=subprocess.DEVNULL)


def _child_cpu(cmd: Sequence[str], env: Mapping[str, str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(list(cmd), capture_output=True, text=True, env=dict(env), cwd=cwd, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, done


def profile_once(src: Path, argv: Sequence[str], cwd: Path) -> dict[str, Any]:
    cpu, done = _child_cpu([sys.executable, "-c", CHILD, str(src), *argv], _env(src), cwd)
    if done.returncode != 0 or not done.stdout:
        raise SystemExit(f"the profiled run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    result["process_cpu"] = cpu
    return result


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"


def _stats(values: Sequence[float]) -> tuple[float, float]:
    return min(values), statistics.median(values)


def summarise(runs: Sequence[dict[str, Any]], top: int) -> dict[str, Any]:
    """The figures of several runs of one tree: phases (min, median), modules, regexes, classes."""
    phases = {p: _stats([r["marks"][p] for r in runs]) for p in PHASES}
    process = _stats([r["process_cpu"] for r in runs])
    first = runs[0]
    per_module: dict[str, dict[str, Any]] = {}
    for r in runs:
        for name, importer, phase, cumulative, own in r["modules"]:
            entry = per_module.setdefault(name, {"importer": importer, "phase": phase, "cumulative": [], "self": []})
            entry["cumulative"].append(cumulative)
            entry["self"].append(own)
    modules = {
        name: {"importer": e["importer"], "phase": e["phase"], "cumulative": statistics.median(e["cumulative"]),
               "self": statistics.median(e["self"])}
        for name, e in per_module.items()
    }
    modules_per_phase: dict[str, int] = {}
    for name, _importer, phase, _c, _s in first["modules"]:
        del name
        modules_per_phase[phase] = modules_per_phase.get(phase, 0) + 1
    groups = _groups(m[0] for m in first["modules"])
    regex_by_where: dict[str, dict[str, Any]] = {}
    for pattern, _flags, where, seconds, phase in first["regexes"]:
        entry = regex_by_where.setdefault(where, {"count": 0, "seconds": 0.0, "phase": phase, "example": pattern})
        entry["count"] += 1
        entry["seconds"] += seconds
    regexes_per_phase: dict[str, int] = {}
    for *_rest, phase in first["regexes"]:
        regexes_per_phase[phase] = regexes_per_phase.get(phase, 0) + 1
    return {
        "runs": len(runs),
        "process_cpu": process,
        "phases": phases,
        "modules": len(first["modules"]),
        "modules_per_phase": modules_per_phase,
        "module_groups": groups,
        "top_self": sorted(modules.items(), key=lambda kv: -kv[1]["self"])[:top],
        "top_cumulative": sorted(modules.items(), key=lambda kv: -kv[1]["cumulative"])[:top],
        "regexes": len(first["regexes"]),
        "regexes_per_phase": regexes_per_phase,
        "regex_sites": sorted(regex_by_where.items(), key=lambda kv: -kv[1]["seconds"]),
        "classes": first["classes"],
        "compiles": first["compiles"],
        "exit_codes": first["codes"],
        "output_lines": first["output_lines"],
        "module_names": [m[0] for m in first["modules"]],
    }


def _groups(names: Iterable[str]) -> dict[str, int]:
    groups: dict[str, int] = {}
    stdlib = getattr(sys, "stdlib_module_names", frozenset())
    for name in names:
        if name.startswith("guardlint.rules."):
            parts = name.split(".")
            key = "guardlint rule modules" if len(parts) > 3 else "guardlint.rules (framework)"
        elif name.startswith("guardlint"):
            key = "guardlint (other)"
        elif name.split(".")[0] in stdlib:
            key = "standard library"
        else:
            key = "third party"
        groups[key] = groups.get(key, 0) + 1
    return groups


def print_summary(label: str, s: Mapping[str, Any], other: Mapping[str, Any] | None = None) -> None:
    print(f"== {label}: {s['runs']} runs, exit codes {s['exit_codes']}, {s['output_lines']} lines of output")
    print(f"{'phase (CPU ms)':28} {'min':>7} {'median':>7}" + (f" {'other min':>9} {'median':>7}" if other else ""))
    for phase in PHASES:
        low, mid = s["phases"][phase]
        row = f"{phase:28} {_ms(low)} {_ms(mid)}"
        if other:
            olow, omid = other["phases"][phase]
            row += f" {_ms(olow):>9} {_ms(omid)}"
        print(row)
    low, mid = s["process_cpu"]
    row = f"{'whole process (rusage)':28} {_ms(low)} {_ms(mid)}"
    if other:
        olow, omid = other["process_cpu"]
        row += f" {_ms(olow):>9} {_ms(omid)}"
    print(row)
    print(f"modules imported: {s['modules']} "
          + ", ".join(f"{k} {v}" for k, v in s["modules_per_phase"].items())
          + "; " + ", ".join(f"{k} {v}" for k, v in sorted(s["module_groups"].items())))
    print(f"regexes compiled: {s['regexes']} (" + ", ".join(f"{k} {v}" for k, v in s["regexes_per_phase"].items())
          + f"); builtin compile() calls: {s['compiles']}")
    print("classes built: " + (", ".join(f"{k} {v[0]} ({v[1] * 1000:.1f} ms)" for k, v in s["classes"].items())
                               or "none counted"))
    print("\nmodules by self time (median ms; cumulative; imported by):")
    for name, m in s["top_self"]:
        print(f"  {m['self'] * 1000:6.2f} {m['cumulative'] * 1000:7.2f}  {name}  <- {m['importer']}")
    print("\nmodules by cumulative time (median ms; self; imported by):")
    for name, m in s["top_cumulative"]:
        print(f"  {m['cumulative'] * 1000:7.2f} {m['self'] * 1000:6.2f}  {name}  <- {m['importer']}")
    print("\nregexes compiled, by the line that asked (first run; count, ms, phase, an example pattern):")
    for where, r in s["regex_sites"]:
        print(f"  {r['count']:3d} {r['seconds'] * 1000:6.2f}  {r['phase']:20} {where}  {r['example']!r}")
    print()


def time_only(trees: Sequence[tuple[str, Path]], argv: Sequence[str], runs: int, cwd: Path) -> dict[str, Any]:
    """CPU of the console script's whole process, trees alternating: (min, median) per tree."""
    exe = Path(sys.executable).parent / "guardlint"
    cpu: dict[str, list[float]] = {label: [] for label, _src in trees}
    load_before = os.getloadavg()[0]
    for _ in range(runs):
        for label, src in trees:
            seconds, done = _child_cpu([str(exe), *argv], _env(src), cwd)
            if done.returncode not in (0, 1):
                raise SystemExit(f"{label}: exit code {done.returncode}\n{done.stderr[-2000:]}")
            cpu[label].append(seconds)
    result = {label: _stats(values) for label, values in cpu.items()}
    print(f"CPU of `guardlint {' '.join(argv)[:80]}` (whole process, {runs} interleaved runs; load average "
          f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after)")
    for label, (low, mid) in result.items():
        print(f"  {label:10} min {low * 1000:6.1f} ms  median {mid * 1000:6.1f} ms")
    if len(trees) == 2:
        (a, (alow, amid)), (b, (blow, bmid)) = result.items()
        print(f"  {a}/{b}: {alow / blow:.3f} (min), {amid / bmid:.3f} (median)")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="the guardlint source tree to run")
    parser.add_argument("--against", type=Path, default=None, help="another source tree, run alternately")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--json", action="store_true", help="print the summaries as JSON")
    parser.add_argument("--time", action="store_true", help="only the CPU of whole console-script processes")
    parser.add_argument("--cwd", type=Path, default=None, help="working directory (default: a temporary one)")
    parser.add_argument("--args", nargs=argparse.REMAINDER, default=None,
                        help="the guardlint command line (default: check m.yaml --no-config)")
    args = parser.parse_args()
    trees = [("src", args.src.resolve())]
    if args.against is not None:
        trees.append(("against", args.against.resolve()))
    for _label, src in trees:
        _compile_bytecode(src)
    with tempfile.TemporaryDirectory(prefix="startup-profile-") as tmp:
        cwd = args.cwd.resolve() if args.cwd else Path(tmp)
        if args.args is None:
            (cwd / "m.yaml").write_text(MANIFEST, encoding="utf-8")
        argv = args.args if args.args is not None else ["check", "m.yaml", "--no-config"]
        if args.time:
            time_only(trees, argv, args.runs, cwd)
            return 0
        runs: dict[str, list[dict[str, Any]]] = {label: [] for label, _src in trees}
        for _ in range(args.runs):
            for label, src in trees:
                runs[label].append(profile_once(src, argv, cwd))
    summaries = {label: summarise(r, args.top) for label, r in runs.items()}
    if args.json:
        print(json.dumps(summaries, indent=1))
        return 0
    print(f"command: guardlint {' '.join(argv)}; load average {os.getloadavg()[0]:.2f}")
    for label, src in trees:
        other = summaries.get("against") if label == "src" else None
        print_summary(f"{label} ({src})", summaries[label], other)
    if "against" in summaries:
        mine, theirs = set(summaries["src"]["module_names"]), set(summaries["against"]["module_names"])
        print("modules only in src:", ", ".join(sorted(mine - theirs)) or "none")
        print("modules only in against:", ", ".join(sorted(theirs - mine)) or "none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
