#!/usr/bin/env python3
"""What the gates cost: load PATHs as ``guardlint check`` does (``--no-config``), build a run, look every
object's pod specs up once (the run's memo), then time (CPU, ``process_time``, collector paused) computing the
gates of each object's kind as ``Run.check`` does, and count the gate predicates called.

Usage: python scripts/gate_cost.py PATH... [--partial] [--select RULES] [--repeat N]

Run it from two checkouts (``PYTHONPATH=<checkout>/src``) to compare: the counts do not depend on the
machine's load; compare the times as medians of interleaved runs. A checkout whose gates module has no
``pod_less`` (before objects without pod specs were answered per group and kind) computes every object's gates.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from typing import Any


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--partial", action="store_true")
    parser.add_argument("--select", default=None, help="comma-separated rules, packs or tags (default: defaults)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    gc.disable()
    from guardlint import engine
    from guardlint.api import load_inputs, resolve_settings
    from guardlint.rules import gates
    from guardlint.source.files import discover_all

    settings = resolve_settings(select=args.select.split(",") if args.select else None, use_config_file=False,
                                partial=args.partial)
    loaded = load_inputs(discover_all(args.paths, ()).inputs, settings.max_bytes)
    plan = settings.plan
    checks = [a for a in plan.active if not a.rule.info.engine]
    pod_less = getattr(gates, "pod_less", None)
    asks: dict[str, tuple[str, ...]] = {}

    def names_of(kind: str) -> tuple[str, ...]:
        names = asks.get(kind)
        if names is None:
            names = asks[kind] = tuple(dict.fromkeys(
                g for a in checks if a.rule.info.kinds is None or kind in a.rule.info.kinds
                for g in gates.needed(a.rule.info.pods_only, a.rule.info.gates)
            ))
        return names

    def once() -> tuple[float, int, int]:
        run = engine.Run(loaded, plan)
        workloads = run.ctx.workloads
        for resource in run.resources:
            workloads.pods_of(resource)
        memo: dict[tuple[str, str], Any] = {}
        asked = computed = 0
        started = time.process_time()
        for resource in run.resources:
            names = names_of(resource.kind)
            if not names:
                continue
            asked += len(names)
            if pod_less is not None and pod_less(resource, workloads):
                key = (resource.group, resource.kind)
                if key in memo:
                    continue
                memo[key] = gates.open_gates(resource, workloads, names)
            else:
                gates.open_gates(resource, workloads, names)
            computed += len(names)
        return time.process_time() - started, asked, computed

    once()
    times = []
    for _ in range(args.repeat):
        seconds, asked, computed = once()
        times.append(seconds)
    run = engine.Run(loaded, plan)
    print(f"{len(run.resources):,} objects; gates asked {asked:,}, computed {computed:,}")
    print(f"gates: median {statistics.median(times) * 1000:.2f} ms, min {min(times) * 1000:.2f} ms "
          f"({args.repeat} runs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
