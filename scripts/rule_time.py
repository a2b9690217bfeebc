"""CPU time of the rules on a corpus, per pack and per rule, optionally against another source tree (A/B).

    python scripts/rule_time.py [CORPUS] [--repeat N] [--select RULE ...]
    python scripts/rule_time.py [CORPUS] --against OLD/src [--rounds R] [--repeat N] [--select RULE ...]

Each measurement is a separate process that loads the corpus once and then runs the rules N times (a fresh run
each time, so every per-run table is built again), timing each rule on each object with the process's CPU
clock (``time.process_time``), not the wall clock, so other processes on a shared machine blur it less. The
first run of each process imports the rule modules and is left out. With ``--against``, processes of the old
tree (A, for example ``git archive main | tar -x -C /tmp/old``) and of this one (B) alternate R times;
medians and minima of both are printed with the ratio B/A, and the findings counts, which must agree.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus"


def measure(src: str, corpus: str, repeat: int, select: list[str] | None) -> list[dict[str, Any]]:
    """Runs in a child process whose ``sys.path`` starts with ``src``."""
    import gc

    from guardlint import api, engine
    from guardlint.source.files import discover_all

    engine.perf_counter = time.process_time  # type: ignore[attr-defined]  # per-rule CPU time, not wall time
    gc.disable()  # as guardlint runs
    settings = api.resolve_settings(use_config_file=False, select=select, fail_on="never", entry_points=False)
    inputs, _, _ = discover_all([corpus], ())
    loaded = api.load_inputs(inputs, settings.max_bytes)
    packs = {a.rule.name: a.rule.info.pack for a in settings.plan.active}
    out: list[dict[str, Any]] = []
    for _ in range(repeat + 1):
        timings: dict[str, float] = {}
        started = time.process_time()
        run = engine.Run(loaded, settings.plan)
        run.check(timings=timings)
        cpu = time.process_time() - started
        per_pack: dict[str, float] = {}
        for name, seconds in timings.items():
            per_pack[packs[name]] = per_pack.get(packs[name], 0.0) + seconds
        out.append({"cpu": cpu, "findings": len(run.findings), "packs": per_pack, "rules": timings})
        del run
    return out[1:]


def _child(src: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[2]); import rule_time; "
        "print(json.dumps(rule_time.measure(sys.argv[1], sys.argv[3], int(sys.argv[4]), sys.argv[5:] or None)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, src, str(HERE), args.corpus, str(args.repeat), *(args.select or ())],
        capture_output=True, text=True, check=True,
    )
    result: list[dict[str, Any]] = json.loads(done.stdout.splitlines()[-1])
    return result


def _series(runs: list[dict[str, Any]], key: str) -> list[float]:
    if key == "cpu":
        return [r["cpu"] for r in runs]
    if key == "rules":
        return [sum(r["rules"].values()) for r in runs]
    return [r["packs"].get(key, 0.0) for r in runs]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS))
    parser.add_argument("--against", help="the src folder of another guardlint tree (side A)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--select", nargs="*")
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    mine = str(HERE.parent / "src")
    sides = {"A": args.against, "B": mine} if args.against else {"B": mine}
    runs: dict[str, list[dict[str, Any]]] = {side: [] for side in sides}
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    for _ in range(args.rounds if args.against else 1):
        for side, src in sides.items():
            runs[side].extend(_child(src, args))
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    keys = ["cpu", "rules", *sorted({p for r in runs["B"] for p in r["packs"]})]
    for key in keys:
        line = f"{key:10s}"
        for side in sides:
            values = _series(runs[side], key)
            line += f" | {side} median {statistics.median(values) * 1000:8.1f} ms, min {min(values) * 1000:8.1f}"
        if "A" in sides:
            a, b = _series(runs["A"], key), _series(runs["B"], key)
            if min(a) > 0:
                line += f" | B/A median {statistics.median(b) / statistics.median(a):.3f}, min {min(b) / min(a):.3f}"
        print(line)
    for side in sides:
        print(f"findings {side}: {sorted({r['findings'] for r in runs[side]})}")
    names = sorted(runs["B"][0]["rules"], key=lambda n: -min(r["rules"][n] for r in runs["B"]))
    print(f"slowest rules (min ms{', A -> B' if 'A' in sides else ''}):")
    for name in names[: args.top]:
        b = min(r["rules"][name] for r in runs["B"]) * 1000
        if "A" in sides:
            a = min(r["rules"].get(name, 0.0) for r in runs["A"]) * 1000
            print(f"  {name:44s} {a:7.1f} -> {b:7.1f}")
        else:
            print(f"  {name:44s} {b:7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
