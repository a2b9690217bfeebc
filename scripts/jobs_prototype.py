#!/usr/bin/env python3
"""Does the process pool (``--jobs``) help here? Measures the shipped design (``guardlint.parallel``).

Usage: python scripts/jobs_prototype.py DIR [--jobs N] [--repeat R] [--select RULES]

1. Interleaves R serial runs (``jobs=1``) and R pooled runs (``jobs=N``) of the library call the command
   makes (``guardlint.api.run`` on DIR, default rules, no configuration), checks that every report equals the
   serial one, and prints the medians and minima of the wall time and of the CPU time (this process and its
   forked children), with the load average before and after.
2. Takes the pooled run apart once, in this process: reading and loading every file, the per-object rule
   work a share does (pairs run, pairs left to the parent because they read the run-wide index, by rule),
   the rest of the run in the parent with that work done, and what the transfer of one share of 1/N of the
   files costs (pickle size, dumps and loads time).

Run it on a quiet machine: under load a second process gets no second core, and the pool can only lose.
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
    loaded, load_wall, _ = _timed(load_inputs, inputs, settings.max_bytes)
    _, serial_rest, _ = _timed(lint_loaded, loaded, settings.plan)
    (checked, considered), work_wall, _ = _timed(parallel.per_object_work, loaded, settings.plan)
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
          f"the index): {sum(deferred.values())}, by rule: "
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
