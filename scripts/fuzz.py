#!/usr/bin/env python3
"""Fuzz guardlint: run long campaigns of generated inputs and check the properties of tests/fuzzing.py.

Usage: python scripts/fuzz.py [--inputs N | --seconds S] [--seed N] [--corpus DIR] [--select RULES]
                              [--strategies LIST] [--out DIR]

Strategies (all by default, taken in turn):
  corpus   structure-aware mutations of real manifests (documents of ``--corpus``, default ../shared/corpus
           beside the repository when present): values of another type, keys removed, added or renamed,
           items copied; dumped as block, flow or mixed YAML (sometimes with anchors, aliases, quotes and
           tags) or as JSON; several documents per file
  kinds    a pod template in every kind of the workload table (the built-in kinds and the CRDs), with
           mutations and values of every wrong type
  fix      hand-written pods whose fixable values are shared through anchors, aliases and merge keys, with
           random quoting, tags and suppression comments
  text     random byte-level damage to generated YAML (characters deleted, duplicated or inserted)

Each input is linted with every rule (``--select all`` unless given), and the offered fixes are planned
and checked: the fixed text loads, only the intended values changed, JSON stays JSON, and fixing again
changes nothing. Failing inputs are written to ``--out`` (default: fuzz-failures/ in the working folder),
one file per distinct problem, with the seed that reproduces it. Exit code 1 when anything failed.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests import fuzzing  # noqa: E402

STRATEGIES = ("corpus", "kinds", "fix", "text")


def _corpus_input(rng: random.Random, docs: list[object]) -> tuple[str, str]:
    count = rng.choice([1, 1, 1, 2, 3])
    picked = [fuzzing.mutate(rng, rng.choice(docs), rng.randint(0, 4)) for _ in range(count)]
    as_json = count == 1 and rng.random() < 0.15
    return fuzzing.dump(rng, picked, as_json=as_json), "fuzz.json" if as_json else "fuzz.yaml"


def _kinds_input(rng: random.Random) -> tuple[str, str]:
    kind = rng.choice(fuzzing.workload_kinds())
    data = fuzzing.workload(rng, kind)
    if rng.random() < 0.7:
        data = fuzzing.mutate(rng, data, rng.randint(1, 4))
    as_json = rng.random() < 0.2
    return fuzzing.dump(rng, [data], as_json=as_json), "fuzz.json" if as_json else "fuzz.yaml"


def _text_input(rng: random.Random) -> tuple[str, str]:
    text, name = _kinds_input(rng)
    chars = list(text)
    for _ in range(rng.randint(1, 5)):
        if not chars:
            break
        i = rng.randrange(len(chars))
        op = rng.random()
        if op < 0.4:
            del chars[i]
        elif op < 0.7:
            chars.insert(i, chars[i])
        else:
            chars.insert(i, rng.choice(":-[]{}&*!|>'\"#\n\t ,?%@`\\\u2028\x85"))
    return "".join(chars), name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--inputs", type=int, help="how many inputs to run (default 2000)")
    budget.add_argument("--seconds", type=float, help="run for this long instead")
    parser.add_argument("--seed", type=int, default=0, help="first seed; input i uses seed+i (default 0)")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--select", default="all", help="rules to run (default: all)")
    parser.add_argument("--strategies", default=",".join(STRATEGIES), help=f"of {', '.join(STRATEGIES)}")
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"))
    args = parser.parse_args(argv)
    strategies = [s for s in args.strategies.split(",") if s]
    unknown = set(strategies) - set(STRATEGIES)
    if unknown:
        parser.error(f"unknown strategies: {', '.join(sorted(unknown))}")
    docs: list[object] = []
    if "corpus" in strategies:
        if args.corpus.is_dir():
            docs = fuzzing.corpus_documents(args.corpus)
            print(f"corpus: {len(docs)} documents from {args.corpus}")
        else:
            print(f"corpus: {args.corpus} not found; strategy 'corpus' skipped")
            strategies.remove("corpus")
    if not strategies:
        parser.error("no strategy left to run")
    select = tuple(s for s in args.select.split(",") if s)
    fuzzing.settings(select)
    limit = args.inputs if args.inputs is not None else (None if args.seconds else 2000)
    deadline = time.monotonic() + args.seconds if args.seconds else None
    counts = dict.fromkeys(strategies, 0)
    failures: dict[str, tuple[int, str, str, str]] = {}
    failed_inputs = 0
    stats: dict[str, Any] = {}
    notes: dict[str, tuple[int, str, str, str]] = {}
    start = time.monotonic()
    i = 0
    while (limit is None or i < limit) and (deadline is None or time.monotonic() < deadline):
        seed = args.seed + i
        rng = random.Random(seed)
        strategy = strategies[i % len(strategies)]
        if strategy == "corpus":
            text, name = _corpus_input(rng, docs)
        elif strategy == "kinds":
            text, name = _kinds_input(rng)
        elif strategy == "fix":
            text, name = fuzzing.fixable_yaml(rng), "fuzz.yaml"
        else:
            text, name = _text_input(rng)
        counts[strategy] += 1
        unverified = stats.get("files not verified", 0)
        problems = fuzzing.check(text, name, select, stats)
        if stats.get("files not verified", 0) > unverified:
            # Not a failed property (nothing would be written), but a fix the planner got wrong.
            notes.setdefault(stats.pop("last refusal", ""), (seed, strategy, name, text))
        if problems:
            failed_inputs += 1
        for problem in problems:
            key = problem.split(":", 1)[0] + ":" + problem[:160]
            failures.setdefault(key, (seed, strategy, name, text))
        i += 1
    elapsed = time.monotonic() - start
    per = ", ".join(f"{k} {v}" for k, v in counts.items())
    print(f"ran {i} inputs in {elapsed:.0f} s ({per}); seeds {args.seed}..{args.seed + i - 1}")
    print("  " + ", ".join(f"{k}: {v}" for k, v in stats.items() if k != "last refusal"))
    for reason, (seed, strategy, name, _) in sorted(notes.items()):
        print(f"  fix planned but refused by verification [{strategy} seed {seed}, {name}]: {reason}")
    if not failures:
        print("no property failed")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"{failed_inputs} inputs failed; {len(failures)} distinct problems:")
    for n, (problem, (seed, strategy, name, text)) in enumerate(sorted(failures.items())):
        target = args.out / f"{n:03d}-seed{seed}-{name}"
        target.write_text(text, encoding="utf-8")
        print(f"  [{strategy} seed {seed}] {problem.split(':', 1)[1]}\n      input: {target}")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
