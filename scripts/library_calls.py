"""What the README's "Library" section says of repeated library calls, measured in one process:

    python scripts/library_calls.py [TEXTS]

1. CPU per ``lint_text`` call of a one-pod text (the README's example) with the options given on each call
   against ``settings=`` resolved once (medians of interleaved rounds).
2. Nothing left behind: after a warm-up, TEXTS different texts (default 4,000) grow the memory ``tracemalloc``
   traces by how much; and half as many texts, each linted again after all the others, give equal reports.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
import tracemalloc

import guardlint
from guardlint.api import resolve_settings

POD = """apiVersion: v1
kind: Pod
metadata: {{name: web-{n}}}
spec:
  containers:
    - name: web
      image: nginx:1.{n}
      securityContext: {{privileged: true}}
"""
SELECT = ["privileged-container"]


def cpu_per_call(rounds: int = 7, calls: int = 200) -> tuple[float, float]:
    settings = resolve_settings(use_config_file=False, select=SELECT)
    text = POD.format(n=27)
    each: list[float] = []
    reused: list[float] = []
    for _ in range(calls):  # warm-up: every module the calls need is imported
        guardlint.lint_text(text, select=SELECT)
        guardlint.lint_text(text, settings=settings)
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(calls):
            guardlint.lint_text(text, select=SELECT)
        each.append((time.process_time() - start) / calls * 1000)
        start = time.process_time()
        for _ in range(calls):
            guardlint.lint_text(text, settings=settings)
        reused.append((time.process_time() - start) / calls * 1000)
    return statistics.median(each), statistics.median(reused)


def left_behind(texts: int) -> tuple[int, int]:
    settings = resolve_settings(use_config_file=False, select=SELECT)
    for n in range(200):  # warm-up
        guardlint.lint_text(POD.format(n=n), settings=settings)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for n in range(texts):
        guardlint.lint_text(POD.format(n=1000 + n), settings=settings)
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    half = texts // 2
    first = [guardlint.lint_text(POD.format(n=n), settings=settings) for n in range(half)]
    differing = sum(1 for n in range(half) if guardlint.lint_text(POD.format(n=n), settings=settings) != first[n])
    return grown, differing


def main() -> None:
    texts = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    each, reused = cpu_per_call()
    print(f"lint_text, options on each call: {each:.2f} ms CPU per call (median)")
    print(f"lint_text, settings resolved once: {reused:.2f} ms CPU per call (median)")
    grown, differing = left_behind(texts)
    print(f"{texts} different texts after a warm-up: traced memory grew by {grown / 1024:.0f} KB")
    print(f"{texts // 2} texts linted again after all the others: {differing} reports differ")


if __name__ == "__main__":
    main()
