"""Do findings depend on unrelated files of the same run? Lint each top-level folder of a corpus on its own and
all of them together, and compare.

    python scripts/corpus_consistency.py ../shared/corpus [--rules RULE,...] [--show RULE,...]

Runs ``guardlint check --select all --format json`` with the corpus as the working directory (so file names are
the same both ways): once per top-level folder, then once over all of them. Prints, per rule, the findings that
only the separate runs or only the combined run produced, then the count of every cross-object rule's findings
(``--show`` lists those findings in full, for review). Nothing is copied or written: the corpus is only read.
Exit code 1 when a cross-object rule differs between the two ways.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

CROSS_OBJECT = (
    "backend-port-not-exposed", "backend-service-missing", "dra-claim-reference-missing", "hpa-targets-nothing",
    "missing-config-map", "missing-persistent-volume-claim", "missing-pod-disruption-budget", "missing-secret",
    "missing-service-account", "network-policy-peer-selects-no-pods", "network-policy-selects-no-pods",
    "pdb-allows-no-disruption", "pdb-blocks-hpa-minimum", "pdb-selects-no-pods", "referenced-key-missing",
    "replicas-below-minimum", "replicas-managed-by-hpa", "replicas-not-spread", "service-account-token-automounted",
    "service-selects-no-pods", "service-target-port-not-exposed", "gpu-quota-not-enforced",
    "hpa-minimum-single-replica", "cluster-admin-binding", "namespace-without-network-policy",
)
"""Rules whose findings depend on other objects of the run (the missing-object policy, selectors, references)."""

Key = tuple[str, str, int, int, str, str]


def lint(corpus: Path, paths: list[str]) -> list[Key]:
    cmd = [sys.executable, "-m", "guardlint", "check", "--no-config", "--select", "all", "--format", "json",
           "--fail-on", "never", "--allow-input-errors", "--allow-no-objects", *paths]
    done = subprocess.run(cmd, cwd=corpus, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"guardlint exited {done.returncode} on {paths[:3]}: {done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    return [(f["rule"], f["file"], f["line"], f["column"], f["path"], f["message"]) for f in report["findings"]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--rules", help="comma-separated rules counted as cross-object (default: built-in list)")
    parser.add_argument("--show", default="", help="comma-separated rules whose findings are listed in full")
    args = parser.parse_args()
    corpus: Path = args.corpus.resolve()
    cross = tuple(args.rules.split(",")) if args.rules else CROSS_OBJECT
    folders = sorted(p.name for p in corpus.iterdir() if p.is_dir() and not p.name.startswith("."))
    separate: list[Key] = []
    for folder in folders:
        separate.extend(lint(corpus, [folder]))
    together = lint(corpus, folders)
    only_separate = Counter(separate) - Counter(together)
    only_together = Counter(together) - Counter(separate)
    print(f"{len(folders)} folders; {len(separate)} findings in separate runs, {len(together)} together")
    differing = False
    for rule in sorted({k[0] for k in only_separate} | {k[0] for k in only_together}):
        a = sum(n for k, n in only_separate.items() if k[0] == rule)
        b = sum(n for k, n in only_together.items() if k[0] == rule)
        mark = " (cross-object)" if rule in cross else ""
        differing = differing or rule in cross
        print(f"  differs: {rule}{mark}: {a} only separate, {b} only together")
    counts = Counter(k[0] for k in together if k[0] in cross)
    print("cross-object findings (together):", ", ".join(f"{r} {n}" for r, n in sorted(counts.items())) or "none")
    show = {r for r in args.show.split(",") if r}
    for key in sorted(k for k in together if k[0] in show):
        rule, file, line, col, path, message = key
        print(f"{file}:{line}:{col}: {rule}: {message} [{path}]")
    return 1 if differing else 0


if __name__ == "__main__":
    raise SystemExit(main())
