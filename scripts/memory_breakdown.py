#!/usr/bin/env python3
"""Where loading's memory goes: load every manifest under DIR as a lint run does, then group what is still
allocated by the line that allocated it (``tracemalloc``).

Usage: python scripts/memory_breakdown.py DIR [--nodes] [--top N]

``--nodes`` loads with PyYAML's node trees kept (``load_text(..., nodes=True)``, what configuration and
kustomization files use) instead of the compact position map of a lint run. The collector is paused, as
during a run, so reference cycles show up as memory that stays.
"""

from __future__ import annotations

import argparse
import gc
import os
import tracemalloc
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir")
    parser.add_argument("--nodes", action="store_true", help="keep PyYAML's node trees")
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args()
    gc.disable()
    from guardlint.source.loader import load_text

    files = sorted(p for p in Path(args.dir).rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file())
    tracemalloc.start(1)
    before = tracemalloc.take_snapshot()
    loaded = [load_text(p.read_text(encoding="utf-8"), str(p), nodes=args.nodes) for p in files]
    after = tracemalloc.take_snapshot()
    documents = sum(len(lt.documents) for lt in loaded)
    stats = after.compare_to(before, "lineno")
    total = sum(s.size_diff for s in stats)
    print(f"{documents} documents: {total / 1e6:.1f} MB allocated after loading, "
          f"{total / max(documents, 1) / 1024:.1f} KB per document")
    by_line: dict[str, int] = {}
    for stat in stats:
        frame = stat.traceback[0]
        key = f"{os.path.basename(frame.filename)}:{frame.lineno}"
        by_line[key] = by_line.get(key, 0) + stat.size_diff
    for key, size in sorted(by_line.items(), key=lambda kv: -kv[1])[: args.top]:
        print(f"  {size / 1e6:7.1f} MB {size / max(documents, 1):7.0f} B per document  {key}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
