#!/usr/bin/env python3
"""Would a process pool (``--jobs``) help? A measurement, not a feature.

Usage: python scripts/jobs_prototype.py DIR [--jobs N] [--repeat R]

Loads every manifest under DIR (as ``guardlint check DIR`` does, with the compact position map) serially and
with a pool of N forked worker processes that load chunks of files and send the loaded documents back
(pickled), interleaved R times, and times the rest of a run (the rules, the report) once on the loaded
files. Loading is the part a pool can take over without changing what the rules see; the per-object rules
would also need the findings, and the cross-object rules summaries, sent back. The script prints the
medians and the speed-up the whole run would get (Amdahl: the rules stay serial).
"""

from __future__ import annotations

import argparse
import copyreg
import gc
import multiprocessing
import statistics
import time
from pathlib import Path
from typing import Any

from guardlint.source.loader import Document, LoadedText, load_text


def _rebuild(state: dict[str, Any]) -> Document:
    doc = Document.__new__(Document)
    doc._set(**state)
    return doc


def _reduce(doc: Document) -> tuple[Any, tuple[dict[str, Any]]]:
    return _rebuild, ({name: getattr(doc, name) for name in Document.__slots__},)


copyreg.pickle(Document, _reduce)


def _load(path: str) -> LoadedText:
    return load_text(Path(path).read_text(encoding="utf-8", errors="replace"), path, nodes=False)


def _load_chunk(paths: list[str]) -> list[LoadedText]:
    gc.disable()
    return [_load(p) for p in paths]


def serial(paths: list[str]) -> list[LoadedText]:
    return [_load(p) for p in paths]


def pooled(paths: list[str], jobs: int) -> list[LoadedText]:
    size = max(1, len(paths) // (jobs * 8))
    chunks = [paths[i:i + size] for i in range(0, len(paths), size)]
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        return [lt for part in pool.map(_load_chunk, chunks) for lt in part]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-rules", action="store_true", help="time the loading only")
    args = parser.parse_args()
    gc.disable()
    paths = sorted(str(p) for p in Path(args.dir).rglob("*") if p.suffix in (".yaml", ".yml", ".json")
                   and p.is_file())
    times: dict[str, list[float]] = {"serial": [], "pool": []}
    loaded: list[LoadedText] = []
    for _ in range(args.repeat):
        for name in ("serial", "pool"):
            start = time.perf_counter()
            loaded = serial(paths) if name == "serial" else pooled(paths, args.jobs)
            times[name].append(time.perf_counter() - start)
    check = serial(paths)
    assert [[d.data for d in lt.documents] for lt in loaded] == [[d.data for d in lt.documents] for lt in check]
    load_serial, load_pool = statistics.median(times["serial"]), statistics.median(times["pool"])
    documents = sum(len(lt.documents) for lt in check)
    print(f"{len(paths)} files, {documents} documents, {args.jobs} workers, medians of {args.repeat} interleaved")
    print(f"  load serially: {load_serial:.2f} s; with the pool: {load_pool:.2f} s "
          f"({load_serial / load_pool:.2f}x)")
    if args.no_rules:
        return 0
    from guardlint.api import resolve_settings
    from guardlint.engine import lint_loaded

    plan = resolve_settings(use_config_file=False).plan
    start = time.perf_counter()
    lint_loaded(check, plan)
    rest = time.perf_counter() - start
    print(f"  rules and report (serial either way): {rest:.2f} s")
    print(f"  whole run: {load_serial + rest:.2f} s serially, {load_pool + rest:.2f} s with the pool "
          f"({(load_serial + rest) / (load_pool + rest):.2f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
