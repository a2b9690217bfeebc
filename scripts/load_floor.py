#!/usr/bin/env python3
"""Loading against the compose floor: how much CPU time guardlint's loading takes above PyYAML's C composer.

Usage: python scripts/load_floor.py DIR [--repeat N] [--top N] [--no-profile]

Every manifest under DIR (as ``guardlint check DIR`` finds them) is read and decoded once, as guardlint reads
it (``read_input``: line breaks normalised). Then, in one process with the cyclic garbage collector off on
both sides (as during a run), in alternating order ``--repeat`` times each:

* the floor: ``yaml.compose_all(text, Loader=CSafeLoader)`` of every file, every document composed;
* guardlint's loading as ``guardlint check`` does it: ``load_text(text, name, nodes=False)`` (template check,
  splitting, depth check, compose with the tag memo, data and position map, directives, aliases) and the
  engine's pass over each document (``incomplete_objects``, ``skip_reason``, ``resources_of``), keeping
  every loaded file until the pass ends as a run does.

It prints the CPU time (``time.process_time``) of each side, median and minimum, and their ratios; then,
unless ``--no-profile``, one cProfile pass of each side: the functions of the loading side by their own
time (``tottime``) with their call counts, next to the same function's figures on the floor side, so the
difference is broken down by function. Call counts do not depend on the machine's load; times do.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import statistics
import time
from collections.abc import Callable
from typing import Any


def read_corpus(directory: str) -> list[tuple[str, str]]:
    """(display name, text) of every file guardlint would lint under ``directory`` (unreadable ones left out)."""
    from guardlint.source.files import discover, read_input

    inputs, _ = discover([directory])
    texts: list[tuple[str, str]] = []
    for item in inputs:
        result = read_input(item)
        if result.text is not None:
            texts.append((result.display, result.text))
    return texts


def floor(texts: list[tuple[str, str]]) -> int:
    """Compose every document of every text with PyYAML's C loader; the number of documents composed."""
    import yaml

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    count = 0
    for _, text in texts:
        try:
            for _node in yaml.compose_all(text, Loader=loader):
                count += 1
        except yaml.YAMLError:
            pass
    return count


def load(texts: list[tuple[str, str]]) -> int:
    """Load every text as ``guardlint check`` does; the number of documents loaded."""
    from guardlint.model.resource import incomplete_objects, resources_of, skip_reason
    from guardlint.source.loader import LoadedText, load_text

    kept: list[LoadedText] = []
    count = 0
    for name, text in texts:
        loaded = load_text(text, name, nodes=False)
        kept.append(loaded)
        for doc in loaded.documents:
            count += 1
            for _ in incomplete_objects(doc):
                pass
            if skip_reason(doc) is None:
                for _ in resources_of(doc):
                    pass
    return count


def cpu_time(fn: Callable[[list[tuple[str, str]]], int], texts: list[tuple[str, str]]) -> float:
    gc.collect()
    start = time.process_time()
    fn(texts)
    return time.process_time() - start


def profile(fn: Callable[[list[tuple[str, str]]], int], texts: list[tuple[str, str]]) -> dict[str, tuple[int, float]]:
    """``function -> (calls, own time)`` of one profiled pass."""
    profiler = cProfile.Profile()
    gc.collect()
    profiler.runcall(fn, texts)
    stats: Any = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    out: dict[str, tuple[int, float]] = {}
    for (filename, line, name), (_, ncalls, tottime, _, _) in stats.items():
        short = filename.rsplit("/", 2)
        where = "/".join(short[-2:]) if filename.startswith(("/", ".")) or "/" in filename else filename
        key = f"{where}:{line}({name})" if line else name
        calls, own = out.get(key, (0, 0.0))
        out[key] = (calls + ncalls, own + tottime)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir")
    parser.add_argument("--repeat", type=int, default=5, help="timed passes of each side (default 5)")
    parser.add_argument("--top", type=int, default=25, help="functions shown in the breakdown (default 25)")
    parser.add_argument("--no-profile", action="store_true", help="timings only")
    args = parser.parse_args()

    texts = read_corpus(args.dir)
    gc.disable()
    floor_docs, load_docs = floor(texts), load(texts)  # warm up: imports, first-use caches
    print(f"{len(texts)} files, {sum(len(t) for _, t in texts) / 1e6:.1f} M characters; "
          f"floor composed {floor_docs} documents, guardlint loaded {load_docs}")
    floor_times: list[float] = []
    load_times: list[float] = []
    for i in range(args.repeat):
        if i % 2 == 0:
            floor_times.append(cpu_time(floor, texts))
            load_times.append(cpu_time(load, texts))
        else:
            load_times.append(cpu_time(load, texts))
            floor_times.append(cpu_time(floor, texts))
    f_med, l_med = statistics.median(floor_times), statistics.median(load_times)
    f_min, l_min = min(floor_times), min(load_times)
    print(f"CPU time, {args.repeat} interleaved passes each, collector off:")
    print(f"  floor (compose only)   median {f_med:.3f} s  min {f_min:.3f} s")
    print(f"  guardlint loading      median {l_med:.3f} s  min {l_min:.3f} s")
    print(f"  ratio                  median {l_med / f_med:.2f}x  min {l_min / f_min:.2f}x")
    if args.no_profile:
        return 0

    floor_profile = profile(floor, texts)
    load_profile = profile(load, texts)
    total_floor = sum(own for _, own in floor_profile.values())
    total_load = sum(own for _, own in load_profile.values())
    print(f"\ncProfile, one pass each (profiled times are inflated): floor {total_floor:.3f} s, "
          f"loading {total_load:.3f} s")
    print(f"  {'loading: calls':>14} {'own s':>7} {'floor: calls':>13} {'own s':>7}  function")
    ranked = sorted(load_profile.items(), key=lambda kv: -kv[1][1])
    for key, (calls, own) in ranked[: args.top]:
        f_calls, f_own = floor_profile.get(key, (0, 0.0))
        print(f"  {calls:>14,} {own:>7.3f} {f_calls:>13,} {f_own:>7.3f}  {key}")
    only_floor = sorted(
        ((k, v) for k, v in floor_profile.items() if k not in load_profile), key=lambda kv: -kv[1][1]
    )
    for key, (f_calls, f_own) in only_floor[:5]:
        print(f"  {0:>14,} {0.0:>7.3f} {f_calls:>13,} {f_own:>7.3f}  {key}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
