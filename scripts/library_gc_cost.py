"""What a library call pays for leaving the garbage collector running (docs/design.md, "A library call leaves its
host's process as it found it").

    python scripts/library_gc_cost.py ../shared/corpus [RUNS]

Lints PATH in this process with the default rules and no configuration file, alternately with the collector
running (as a library call leaves it) and paused (as the command line runs), after one warm-up run; prints the
CPU time of each side (median and minimum) and the ratio of the medians.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time

from guardlint.api import resolve_settings, run


def main() -> None:
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    settings = resolve_settings(use_config_file=False)

    def once(paused: bool) -> float:
        gc.collect()
        start = time.process_time()
        if paused:
            gc.disable()
        try:
            run([path], settings)
        finally:
            gc.enable()
        spent = time.process_time() - start
        gc.collect()
        return spent

    once(True)
    times: dict[bool, list[float]] = {True: [], False: []}
    for i in range(runs):
        for paused in ((True, False) if i % 2 == 0 else (False, True)):
            times[paused].append(once(paused))
    for paused in (True, False):
        side = times[paused]
        print(f"{'paused' if paused else 'running'}: median {statistics.median(side):.3f} s, "
              f"min {min(side):.3f} s ({', '.join(f'{t:.3f}' for t in side)})")
    print(f"running / paused (medians): {statistics.median(times[False]) / statistics.median(times[True]):.2f}x")


if __name__ == "__main__":
    main()
