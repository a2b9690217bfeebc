#!/usr/bin/env python3
"""What the engine costs between the rules: load every manifest under DIR as a run does, then time (CPU,
``process_time``, collector paused) building the run (objects, index), running the rules and making the report,
count the rule calls, and time the same run with every rule's check replaced by one that yields nothing (what
the engine itself costs per call).

Usage: python scripts/engine_profile.py DIR [--select RULES] [--repeat N]

Run it from two checkouts (``PYTHONPATH=<checkout>/src``) to compare engine versions: the call count does not
depend on the machine's load; compare the times as medians of interleaved runs.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Iterable
from typing import Any


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir")
    parser.add_argument("--select", default=None, help="comma-separated rules, packs or tags (default: defaults)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    gc.disable()
    from guardlint import engine
    from guardlint.api import load_inputs, resolve_settings
    from guardlint.source.files import discover_all

    settings = resolve_settings(select=args.select.split(",") if args.select else None, use_config_file=False)
    started = time.process_time()
    loaded = load_inputs(discover_all([args.dir], ()).inputs, settings.max_bytes)
    load_seconds = time.process_time() - started
    plan = settings.plan
    rules = [a.rule for a in plan.active if not a.rule.info.engine]
    real = {r.name: r.check for r in rules}  # imports every rule once, before anything is timed
    calls = [0]

    def counting(check: Any) -> Any:
        def counted(resource: Any, params: Any, ctx: Any) -> Iterable[Any]:
            calls[0] += 1
            return check(resource, params, ctx)  # type: ignore[no-any-return]

        return counted

    def nothing(resource: Any, params: Any, ctx: Any) -> Iterable[Any]:
        calls[0] += 1
        return ()

    times: dict[str, list[float]] = {}
    findings = 0
    objects = 0
    for variant in ("rules", "null"):
        for r in rules:
            r._check = counting(real[r.name]) if variant == "rules" else nothing
        for _ in range(args.repeat):
            calls[0] = 0
            t0 = time.process_time()
            run = engine.Run(loaded, plan)
            t1 = time.process_time()
            run.check()
            t2 = time.process_time()
            report = run.report()
            t3 = time.process_time()
            if variant == "rules":
                times.setdefault("Run.__init__ (objects, index)", []).append(t1 - t0)
                times.setdefault("Run.check", []).append(t2 - t1)
                times.setdefault("Run.report", []).append(t3 - t2)
                findings, objects = len(report.findings), len(run.resources)
            else:
                times.setdefault("Run.check, rules yielding nothing", []).append(t2 - t1)
        print(f"{variant}: {calls[0]:,} rule calls")
    for r in rules:
        r._check = real[r.name]
    print(f"{objects:,} objects, {findings:,} findings, {len(rules)} rules; loading took {load_seconds:.2f} s")
    for name, values in times.items():
        print(f"{name:40s} median {statistics.median(values):.3f} s  min {min(values):.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
