#!/usr/bin/env python3
"""Does the process pool (``--jobs``) help here? Measures the shipped design (``guardlint.parallel``).

Usage: python scripts/jobs_prototype.py DIR [--jobs N] [--repeat R] [--select RULES]

1. Interleaves R serial runs (``jobs=1``) and R pooled runs (``jobs=N``) of the library call the command
   makes (``guardlint.api.run`` on DIR, default rules, no configuration), checks that every report equals the
   serial one, and prints the medians and minima of the wall time and of the CPU time (this process and its
   forked children), with the load average before and after.
2. The CPU critical path, R times each: the CPU time of a serial run (load, lint, JSON report) against a
   pooled run's CPU at its joints (the first process on its share, the slowest other process, the first
   process after them). CPU time hardly grows when other processes hold the cores, so this says what a
   machine with a free core per process would give even when measured under load.
3. Takes the pooled run apart once, in this process: reading and loading every file, the per-object rule
   work a share does (pairs run, pairs left to the parent, by rule), the rest of the run in the parent with
   that work done, and what the transfer of one share of 1/N of the files costs (size, dumps, loads).

The wall times of part 1 mean something only on a quiet machine: under load a second process gets no
second core, and the pool can only lose.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import time
from collections import Counter
from typing import Any


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), _cpu()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - wall, _cpu() - cpu


def _render_json(report: Any, settings: Any) -> str:
    from guardlint.report import RenderOptions, render

    return render(report, "json", RenderOptions(settings.registry))


def _serial_cpu(inputs: Any, settings: Any) -> float:
    """CPU seconds of a serial run: load, lint, JSON report."""
    from guardlint.api import load_inputs
    from guardlint.engine import lint_loaded

    start = time.process_time()
    _render_json(lint_loaded(load_inputs(inputs, settings.max_bytes), settings.plan), settings)
    return time.process_time() - start


def _traced_pool(inputs: Any, settings: Any, jobs: int) -> tuple[float, float, float]:
    """A pooled run as ``guardlint.parallel.load_pooled`` makes it, with CPU times read at its joints: the
    first process's CPU on its share (the exchange made before the forks and the forks included), the largest
    CPU time of the other processes (from ``os.wait4``), and the first process's CPU after them (reading the
    pipes, loads, the run, the JSON report).
    CPU time, unlike wall time, does not grow when other processes hold the cores."""
    from guardlint import parallel
    from guardlint.engine import lint_loaded

    start = time.process_time()
    sizes = parallel.input_sizes(inputs)
    exchange = parallel.make_exchange(inputs, sizes, settings.max_bytes, settings.plan)
    groups = parallel.split_by_bytes(sizes, jobs, first=parallel.FIRST_SHARE,
                                     fixed=exchange.loaded if exchange is not None else ())

    def work(positions: list[int]) -> Any:
        return parallel.lint_share(positions, inputs, settings.max_bytes, settings.plan, exchange=exchange)

    children = [parallel._fork_share(g, work) for g in groups[1:]]
    shares = [work(groups[0])]
    first = time.process_time()
    others = [0.0]
    for child in children:
        assert child is not None
        with os.fdopen(child.fd, "rb") as pipe:
            data = pipe.read()
        _, status, usage = os.wait4(child.pid, 0)
        assert status == 0
        others.append(usage.ru_utime + usage.ru_stime)
        shares.append(parallel.loads(data))
    loaded: list[Any] = [None] * len(inputs)
    for share in shares:
        for position, lt in zip(share.positions, share.loaded, strict=True):
            loaded[position] = lt
    _render_json(lint_loaded(loaded, settings.plan,
                             ready=lambda r: parallel.ready_from(shares, r.resources_by_doc)), settings)
    return first - start, max(others), time.process_time() - first


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--select", help="rules, as --select takes them (default: the default rules)")
    parser.add_argument("--no-breakdown", action="store_true", help="only the interleaved runs")
    args = parser.parse_args()
    gc.disable()  # as a lint run does

    from guardlint import parallel
    from guardlint.api import load_inputs, resolve_settings, run
    from guardlint.engine import lint_loaded
    from guardlint.source.files import discover_all

    settings = resolve_settings(use_config_file=False, select=args.select.split(",") if args.select else None)
    parallel.warm(settings.plan)
    reference = run([args.dir], settings)  # warms lazy imports and caches for both sides alike
    print(f"{args.dir}: {len(reference.files)} files, {reference.resources} objects, {len(reference.findings)} "
          f"findings; {len(settings.plan.active)} rules; {parallel.usable_cpus()} usable CPUs; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    times: dict[int, list[tuple[float, float]]] = {1: [], args.jobs: []}
    for _ in range(args.repeat):
        for jobs in (1, args.jobs):
            report, wall, cpu = _timed(run, [args.dir], settings, jobs=jobs)
            if report != reference:
                raise SystemExit(f"the report with jobs={jobs} differs from the serial one")
            times[jobs].append((wall, cpu))
    print(f"interleaved, {args.repeat} runs each (load average now "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}):")
    for jobs, got in times.items():
        walls, cpus = [w for w, _ in got], [c for _, c in got]
        print(f"  jobs={jobs}: wall median {statistics.median(walls):.2f} s (min {min(walls):.2f}), "
              f"CPU median {statistics.median(cpus):.2f} s (min {min(cpus):.2f})")
    serial_wall = statistics.median(w for w, _ in times[1])
    pooled_wall = statistics.median(w for w, _ in times[args.jobs])
    print(f"  speed-up of the median wall time: {serial_wall / pooled_wall:.2f}x")
    if args.no_breakdown:
        return 0

    inputs = discover_all([args.dir], ()).inputs
    serial_cpu, pooled = [], []
    for _ in range(args.repeat):
        serial_cpu.append(_serial_cpu(inputs, settings))
        pooled.append(_traced_pool(inputs, settings, args.jobs))
    pre = statistics.median(p[0] for p in pooled)
    child = statistics.median(p[1] for p in pooled)
    post = statistics.median(p[2] for p in pooled)
    serial = statistics.median(serial_cpu)
    estimate = max(pre, child) + post
    print(f"CPU critical path (medians of {args.repeat}; load average now "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}): serial run {serial:.2f} s of CPU (load, rules, JSON "
          f"report); pooled: the first process {pre:.2f} s on its share while the slowest other process spends "
          f"{child:.2f} s on its own (its dumps included), then {post:.2f} s in the first process (the transfer's "
          f"loads, the run, the JSON report)")
    print(f"  with a free core for each process that is {estimate:.2f} s against {serial:.2f} s: "
          f"{serial / estimate:.2f}x (start-up, the same for both, left out)")

    loaded, load_wall, _ = _timed(load_inputs, inputs, settings.max_bytes)
    _, serial_rest, _ = _timed(lint_loaded, loaded, settings.plan)
    (checked, considered, _), work_wall, _ = _timed(parallel.per_object_work, loaded, settings.plan)
    share = parallel.Share(tuple(range(len(inputs))), loaded, checked, considered)
    _, parent_rest, _ = _timed(lint_loaded, loaded, settings.plan,
                               ready=lambda r: parallel.ready_from([share], r.resources_by_doc))
    ran = Counter(name for c in checked.values() for _, name in c.findings)
    deferred = Counter(name for c in checked.values() for _, name in c.deferred)
    print("one run taken apart (this process, serially):")
    print(f"  read and load every file: {load_wall:.2f} s; rules and report, serially: {serial_rest:.2f} s")
    print(f"  per-object work of the shares over every file: {work_wall:.2f} s; the parent's rest with it done: "
          f"{parent_rest:.2f} s")
    print(f"  pairs with findings from the shares: {sum(ran.values())}; pairs left to the parent (they read "
          f"the index, or a share gave the rule up on the kind): {sum(deferred.values())}, by rule: "
          + ", ".join(f"{name} {n}" for name, n in deferred.most_common(12)))
    sizes = parallel.input_sizes(inputs)
    group = parallel.split_by_bytes(sizes, args.jobs)[-1]
    part = parallel.Share(tuple(group), [loaded[i] for i in group],
                          {d: c for i in group for d in loaded[i].documents if (c := checked.get(d)) is not None},
                          considered)
    data, dumps_wall, _ = _timed(parallel.dumps, part)
    _, loads_wall, _ = _timed(parallel.loads, data)
    print(f"  transfer of one share ({len(group)} files, {sum(sizes[i] for i in group) / 1e6:.1f} MB of input): "
          f"{len(data) / 1e6:.1f} MB pickled, dumps {dumps_wall:.2f} s, loads {loads_wall:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
