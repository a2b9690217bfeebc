#!/usr/bin/env python3
"""Benchmark guardlint against the bare YAML parse of the same files, and time one small file.

Usage: python scripts/benchmark.py [CORPUS] [--repeat N] [--short-repeat N] [--no-small] [--no-scale] [--scale-units N]
       [--jobs LIST] [--jobs-dir DIR] [--jobs-only]

Prints, measured in this run on this machine:
  * the command users run, ``guardlint check CORPUS --format json``, as a separate process, interleaved with a
    separate floor process (compose only, garbage collector off as in guardlint), median of ``--repeat`` runs;
  * the same command with each ``--jobs`` value (default 1, 2 and auto), interleaved with the floor process:
    medians of wall and CPU time, ratios to the floor, peak memory (``--jobs-only``: these rows alone;
    ``--jobs-dir DIR``: also on DIR, such as 50,688 generated objects);
  * scaling: 1x, 4x, 16x and 64x a realistic unit (``scripts/gen_scale.py``: workload, Service, ConfigMap, HPA,
    PDB, NetworkPolicy over several namespaces and folders), the default rules and every rule, with the fitted
    exponent of time against the number of objects and the peak memory per object of the largest run;
  * the pre-commit shape: ``--partial`` on 50 files of the corpus against the floor of those 50 files, median
    of ``--short-repeat`` interleaved rounds (default 25: a run lasts a tenth of a second, so one scheduling
    hiccup weighs much), with the quartiles of the rounds' own ratios and the CPU time ratio;
  * the floor: PyYAML's C loader composing every document of every file (read + decode + compose);
  * guardlint linting the same files in-process (discover, read, load, lint, render the text report),
    with the starter rules and with the default rule set, and the ratio to the floor;
  * the wall time of the ``guardlint check`` command on one small file, without and with a
    ``.guardlint.yaml`` in effect (the pre-commit case), as the median of several runs;
  * the same corpus through other linters found on this machine (yamllint in-process; kube-linter,
    kubeconform, kube-score, checkov as commands), when they are installed.
Ratios, not absolute times, are what to compare across machines.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STARTER = ["privileged-container", "unpinned-image", "missing-memory-limit", "deprecated-service-account-field",
           "core"]


def corpus_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file())


def floor(files: list[Path]) -> float:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    start = time.perf_counter()
    for f in files:
        text = f.read_bytes().decode("utf-8", errors="replace")
        try:
            for _ in yaml.compose_all(text, Loader=loader):
                pass
        except yaml.YAMLError:
            pass
    return time.perf_counter() - start


def guardlint_inprocess(
    corpus: Path, select: list[str] | None, ignore: list[str] | None = None
) -> tuple[float, int, int]:
    from guardlint.api import resolve_settings, run
    from guardlint.report import RenderOptions, render

    start = time.perf_counter()
    settings = resolve_settings(use_config_file=False, select=select, ignore=ignore or ())
    gc.disable()  # as the command line runs (a library call leaves the collector alone: docs/design.md)
    try:
        report = run([str(corpus)], settings)
    finally:
        gc.enable()
    render(report, "text", RenderOptions(settings.registry))
    elapsed = time.perf_counter() - start
    return elapsed, len(report.active), report.resources


def best_of(n: int, fn, *args):  # type: ignore[no-untyped-def]
    results = [fn(*args) for _ in range(n)]
    return min(results, key=lambda r: r if isinstance(r, float) else r[0])


def small_file_times(repeat: int) -> dict[str, tuple[float, float, float]]:
    """(min wall, median wall, median CPU) time of each command, the commands interleaved so that machine noise
    hits all alike. The CPU time (user and system, read with ``getrusage``) leaves out the time the command
    waited for a core: on a shared machine it is the figure to compare.

    Bytecode is compiled first and may be written (``PYTHONDONTWRITEBYTECODE`` is cleared), as it is in any
    real installation: without it every run would recompile guardlint's sources.
    """
    import compileall

    compileall.compile_dir(str(ROOT / "src" / "guardlint"), quiet=1)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    exe = shutil.which("guardlint") or str(Path(sys.executable).parent / "guardlint")
    target = ROOT / "examples" / "web-deployment.yaml"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "plain").mkdir()
        (work / "configured").mkdir()
        for d in ("plain", "configured"):
            (work / d / "m.yaml").write_text(target.read_text())
        (work / "configured" / ".guardlint.yaml").write_text(
            "extends: default\nfail-on: warning\nkubernetes-version: \"1.30\"\nignore: [missing-liveness-probe]\n"
            "rules:\n  unpinned-image:\n    params: {require-digest: false}\n"
            "exemptions:\n  - {rules: [privileged-container], namespaces: [kube-system], reason: node agents}\n"
        )
        commands = {
            "python -c pass": ([sys.executable, "-c", "pass"], work),
            "python -c 'import yaml'": ([sys.executable, "-c", "import yaml"], work),
            "guardlint check, one small file, no config": ([exe, "check", "m.yaml", "--no-config"], work / "plain"),
            "guardlint check, one small file, with .guardlint.yaml": ([exe, "check", "m.yaml"], work / "configured"),
        }
        import resource

        runs: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(repeat):
            for name, (cmd, cwd) in commands.items():
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                t = time.perf_counter()
                subprocess.run(cmd, cwd=cwd, capture_output=True, check=False, env=env)
                runs[name].append(time.perf_counter() - t)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        return {name: (min(v), statistics.median(v), statistics.median(cpu[name])) for name, v in runs.items()}


FLOOR_SCRIPT = """
import gc, sys, yaml
gc.disable()
loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
for name in sys.argv[1:]:
    with open(name, "rb") as fh:
        text = fh.read().decode("utf-8", errors="replace")
    try:
        for _ in yaml.compose_all(text, Loader=loader):
            pass
    except yaml.YAMLError:
        pass
"""


def _bytecode_env() -> dict[str, str]:
    import compileall

    compileall.compile_dir(str(ROOT / "src" / "guardlint"), quiet=1)
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"NO_COLOR": "1"}


def _exe() -> str:
    return shutil.which("guardlint") or str(Path(sys.executable).parent / "guardlint")


def timed_process(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[float, int]:
    """(wall seconds, peak resident KB) of one command run to completion.

    The peak is read by ``/usr/bin/time`` when it exists (a forked child's own ``ru_maxrss`` starts from this
    process's resident size, so it cannot be read here); 0 when it does not.
    """
    timer = shutil.which("time", path="/usr/bin:/bin")
    with tempfile.NamedTemporaryFile("r") as report:
        full = [timer, "-f", "%M", "-o", report.name, *cmd] if timer else cmd
        start = time.perf_counter()
        subprocess.run(full, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd, check=False)
        elapsed = time.perf_counter() - start
        text = report.read().strip().splitlines()
    peak = int(text[-1]) if timer and text and text[-1].isdigit() else 0
    return elapsed, peak


def interleaved(commands: dict[str, list[str]], repeat: int, env: dict[str, str]
                ) -> dict[str, list[tuple[float, float, int]]]:
    """(wall seconds, CPU seconds, peak resident KB) of each run of each command, the commands run in turn
    ``repeat`` times, after one untimed run of each: as on a developer's machine after the first commit, Python's
    bytecode and guardlint's code bundle (``guardlint._bundle``, written by the first runs after an installation)
    are in place."""
    for cmd in commands.values():
        timed_process(cmd, env)
    runs: dict[str, list[tuple[float, float, int]]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, cmd in commands.items():
            runs[name].append(_cpu_process(cmd, env))
    return runs


def _median(runs: list[tuple[float, float, int]], field: int) -> float:
    return statistics.median(r[field] for r in runs)


def _quartiles(values: list[float]) -> tuple[float, float]:
    """The first and third quartiles (``statistics.quantiles``' default method), or the only value twice."""
    if len(values) < 2:
        return values[0], values[0]
    first, _, third = statistics.quantiles(values, n=4)
    return first, third


def as_users_run_it(corpus: Path, files: list[Path], repeat: int, short_repeat: int) -> None:
    env = _bytecode_env()
    floor_cmd = [sys.executable, "-c", FLOOR_SCRIPT, *map(str, files)]
    base = [_exe(), "check", str(corpus), "--format", "json", "--no-config", "--fail-on", "never"]
    runs = interleaved({"floor": floor_cmd, "default": base, "all": [*base, "--select", "all"]}, repeat, env)
    floor_wall, floor_cpu = _median(runs["floor"], 0), _median(runs["floor"], 1)
    print(f"as users run it (separate processes, median of {repeat}): floor {floor_wall:.2f} s (CPU {floor_cpu:.2f} s)")
    for label in ("default", "all"):
        wall, cpu = _median(runs[label], 0), _median(runs[label], 1)
        print(f"  guardlint check --format json, {label} rules: {wall:.2f} s = {wall / floor_wall:.2f}x the floor "
              f"(CPU {cpu:.2f} s of the command and its processes)")
    sample = files[:: max(1, len(files) // 50)][:50]
    # A run of this shape lasts a tenth of a second, where one scheduling hiccup is a tenth of the figure: it gets
    # ``short_repeat`` rounds (at least ``repeat``), and the spread of the rounds' own ratios is printed with it.
    rounds = max(repeat, short_repeat)
    partial = interleaved({
        "floor": [sys.executable, "-c", FLOOR_SCRIPT, *map(str, sample)],
        "partial": [_exe(), "check", "--partial", "--allow-no-objects", "--no-config", "--fail-on", "never",
                    *map(str, sample)],
    }, rounds, env)
    wall, floor_wall = _median(partial["partial"], 0), _median(partial["floor"], 0)
    cpu, floor_cpu = _median(partial["partial"], 1), _median(partial["floor"], 1)
    low, high = _quartiles([g[0] / f[0] for g, f in zip(partial["partial"], partial["floor"], strict=True)])
    print(f"  pre-commit shape (--partial, {len(sample)} files; median of {rounds} interleaved): {wall:.3f} s = "
          f"{wall / floor_wall:.2f}x the floor of those files ({floor_wall:.3f} s); each round's ratio "
          f"{low:.2f}x-{high:.2f}x (quartiles); CPU {cpu * 1000:.0f} ms = {cpu / floor_cpu:.2f}x "
          f"({floor_cpu * 1000:.0f} ms)")


def _cpu_process(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the command and its children, peak resident KB) from ``/usr/bin/time``."""
    timer = shutil.which("time", path="/usr/bin:/bin")
    if timer is None:
        return timed_process(cmd, env)[0], 0.0, 0
    with tempfile.NamedTemporaryFile("r") as report:
        start = time.perf_counter()
        subprocess.run([timer, "-f", "%U %S %M", "-o", report.name, *cmd], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, env=env, check=False)
        elapsed = time.perf_counter() - start
        user, system, peak = report.read().strip().splitlines()[-1].split()
    return elapsed, float(user) + float(system), int(peak)


def jobs_rows(targets: list[Path], repeat: int, jobs: list[str]) -> None:
    """The command users run with each ``--jobs`` value, interleaved with the floor process on the same files:
    medians of wall and CPU time (the command and its forked processes), ratios to the floor, peak memory."""
    env = _bytecode_env()
    for target in targets:
        files = corpus_files(target)
        commands = {"floor": [sys.executable, "-c", FLOOR_SCRIPT, *map(str, files)]}
        for value in jobs:
            commands[value] = [_exe(), "check", str(target), "--format", "json", "--no-config", "--fail-on", "never",
                               "--jobs", value]
        runs: dict[str, list[tuple[float, float, int]]] = {name: [] for name in commands}
        load = os.getloadavg()[0]
        for _ in range(repeat):
            for name, cmd in commands.items():
                runs[name].append(_cpu_process(cmd, env))
        floor_wall = statistics.median(r[0] for r in runs["floor"])
        print(f"--jobs on {target} ({len(files)} files; median of {repeat} interleaved; load average "
              f"{load:.2f} before, {os.getloadavg()[0]:.2f} after): floor {floor_wall:.2f} s")
        serial = statistics.median(r[0] for r in runs[jobs[0]])
        for value in jobs:
            wall = statistics.median(r[0] for r in runs[value])
            cpu = statistics.median(r[1] for r in runs[value])
            peak = max(r[2] for r in runs[value])
            print(f"  guardlint check --format json --jobs {value}: {wall:.2f} s = {wall / floor_wall:.2f}x the floor "
                  f"(min {min(r[0] for r in runs[value]):.2f} s; CPU {cpu:.2f} s; peak {peak / 1024:.0f} MB; "
                  f"{serial / wall:.2f}x the speed of --jobs {jobs[0]})")


def fitted_exponent(points: list[tuple[int, float]]) -> float:
    """Least-squares slope of log(time) against log(objects)."""
    import math

    xs = [math.log(n) for n, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


def scaling(units: int, repeat: int) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    from gen_scale import write_units

    env = _bytecode_env()
    with tempfile.TemporaryDirectory() as tmp:
        sizes: list[tuple[int, Path]] = []
        for factor in (1, 4, 16, 64):
            out = Path(tmp) / f"x{factor}"
            sizes.append((write_units(out, units * factor), out))
        for label, extra in (("default rules", []), ("every rule", ["--select", "all"])):
            points: list[tuple[int, float]] = []
            peak = 0
            for objects, out in sizes:
                cmd = [_exe(), "check", str(out), "--format", "json", "--no-config", "--fail-on", "never", *extra]
                best = min(timed_process(cmd, env) for _ in range(max(1, repeat // 2)))
                points.append((objects, best[0]))
                peak = best[1]
                print(f"  scale, {label}: {objects} objects in {best[0]:.2f} s, peak {best[1] / 1024:.0f} MB")
            kb_per_object = peak / points[-1][0]
            print(f"scale, {label}: exponent {fitted_exponent(points):.2f}, "
                  f"{kb_per_object:.1f} KB peak memory per object at {points[-1][0]} objects")


def other_tools(corpus: Path, files: list[Path]) -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = []
    try:
        from yamllint import linter
        from yamllint.config import YamlLintConfig

        conf = YamlLintConfig("extends: default")
        t = time.perf_counter()
        for f in files:
            list(linter.run(f.read_text(errors="replace"), conf))
        out.append(("yamllint (in-process, default rules; YAML style only)", time.perf_counter() - t))
    except ImportError:
        pass
    commands = {
        "kube-linter": ["kube-linter", "lint", str(corpus)],
        "kubeconform": ["kubeconform", "-summary", "-ignore-missing-schemas", str(corpus)],
        "kube-score": ["kube-score", "score", *map(str, files)],
        "checkov": ["checkov", "-d", str(corpus), "--framework", "kubernetes", "--quiet"],
    }
    for name, cmd in commands.items():
        if shutil.which(cmd[0]):
            t = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=False)
            out.append((name, time.perf_counter() - t))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--short-repeat", type=int, default=25, metavar="N",
                        help="interleaved rounds of the pre-commit shape and of the small-file commands, which "
                        "last a tenth of a second each (default 25; never fewer than --repeat)")
    parser.add_argument("--no-small", action="store_true", help="skip the small-file command timings")
    parser.add_argument("--no-scale", action="store_true", help="skip the scaling runs")
    parser.add_argument("--no-process", action="store_true", help="skip the separate-process corpus runs")
    parser.add_argument("--scale-units", type=int, default=132,
                        help="units in the 1x scaling set (default 132: 64x is 50,688 objects)")
    parser.add_argument("--jobs", default="1,2,auto", metavar="LIST",
                        help="--jobs values to compare on the corpus as users run it (default 1,2,auto; the first "
                        "is the base of the speed-up)")
    parser.add_argument("--jobs-dir", action="append", default=[], metavar="DIR",
                        help="also compare the --jobs values on DIR (repeatable; e.g. 50,688 generated objects: "
                        "python scripts/gen_scale.py DIR 8448)")
    parser.add_argument("--jobs-only", action="store_true", help="only the --jobs rows")
    args = parser.parse_args()
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"corpus {corpus} not found", file=sys.stderr)
        return 2
    jobs = [j for j in args.jobs.split(",") if j]
    if args.jobs_only:
        jobs_rows([corpus, *map(Path, args.jobs_dir)], args.repeat, jobs)
        return 0
    files = corpus_files(corpus)
    size = sum(f.stat().st_size for f in files)
    print(f"corpus: {corpus} ({len(files)} files, {size / 1e6:.1f} MB)")
    base = best_of(args.repeat, floor, files)
    print(f"floor (PyYAML C loader, compose only): {base:.3f} s")
    runs: tuple[tuple[str, list[str] | None, list[str] | None], ...] = (
        ("starter rules", STARTER, None),
        ("default rules without the schema pack", None, ["schema"]),
        ("default rules", None, None),
        ("every rule", ["all"], None),
    )
    for label, select, ignore in runs:
        elapsed, findings, resources = best_of(args.repeat, guardlint_inprocess, corpus, select, ignore)
        print(f"guardlint, {label}: {elapsed:.3f} s = {elapsed / base:.2f}x the floor "
              f"({resources} objects, {findings} findings)")
    if not args.no_process:
        as_users_run_it(corpus, files, args.repeat, args.short_repeat)
        jobs_rows([corpus, *map(Path, args.jobs_dir)], args.repeat, jobs)
    if not args.no_scale:
        scaling(args.scale_units, args.repeat)
    for name, elapsed in other_tools(corpus, files):
        print(f"{name}: {elapsed:.3f} s = {elapsed / base:.2f}x the floor")
    if not args.no_small:
        times = small_file_times(max(args.repeat * 4, args.short_repeat))
        _, yaml_median, yaml_cpu = times["python -c 'import yaml'"]
        for name, (best, median, cpu) in times.items():
            print(f"{name}: {best * 1000:.0f} ms best, {median * 1000:.0f} ms median "
                  f"({median / yaml_median:.2f}x python -c 'import yaml'); CPU {cpu * 1000:.0f} ms median "
                  f"({cpu / yaml_cpu:.2f}x)")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("NO_COLOR", "1")
    raise SystemExit(main())
