#!/usr/bin/env python3
"""Compare the two ways guardlint loads a document, on real manifests and on random texts.

Usage: python scripts/loader_differential.py [DIR ...] [--random N] [--seed S]

Every ``.yaml``/``.yml``/``.json`` file under each DIR (default: ../shared/corpus beside the repository), and N
random texts made of YAML's awkward pieces (line breaks of every kind, a byte-order mark, tabs, tags, anchors,
merge keys, complex keys, document markers, escapes), is loaded the lint run's way (documents built from the
parser's events where it can, ``load_text(nodes=False)``) and the composing way (``nodes=True``). The documents
must be equal: data with its types, every field of the document, ``locate`` of every path (keys and values,
missing fields) and the errors; and ``Document.dollar`` must be True wherever a key starts with ``$``. Then every
file and text is loaded again, one after the other with one run-wide ``LoadMemo`` as a lint run loads them, and
must give what it gives loaded alone. Prints each difference and exits 1 if there was one. The texts are only
read: nothing is copied into the project.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.unit.test_loader_differential import assert_loads_alike, assert_run_memo_alike  # noqa: E402

PIECES = ["a", "b", "1", "0755", "yes", "~", "1.5", "'q'", '"d"', ": ", ":", "- ", "-", "\n", "  ", "{", "}", "[",
          "]", ", ", "#c", " # guardlint: ignore r -- x", "&x ", "*x", "!!str ", "<<", "---\n", "...\n", "? ",
          "|\n  t\n", "$patch", "\t", "\r\n", "\r", "\x85", "\u2028", "\u2029", "\ufeff", "é", '"\\x24p"',
          "%YAML 1.1\n", "2001-12-14", "0x1F", "1_000", ".inf", "null", "on", ">-\n  z\n", "'a\n b'", '"\\u00e9"',
          "! ", "!!int ", "'<<'", "\n  ", "\n    ", "\n- ", "\\"]


def _differs(text: str, name: str) -> str | None:
    try:
        assert_loads_alike(text, name)
    except AssertionError as exc:
        return f"{name}: {str(exc)[:300]}"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dirs", nargs="*", type=Path)
    parser.add_argument("--random", type=int, default=0, help="random texts to compare as well")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    dirs = args.dirs or [ROOT.parent / "shared" / "corpus"]
    files = differences = 0
    loaded: list[tuple[str, str]] = []
    for folder in dirs:
        for path in sorted(folder.rglob("*")):
            if path.suffix not in (".yaml", ".yml", ".json") or not path.is_file():
                continue
            files += 1
            text = path.read_bytes().decode("utf-8", "replace")
            loaded.append((str(path), text))
            found = _differs(text, str(path))
            if found:
                differences += 1
                print(found, flush=True)
    rng = random.Random(args.seed)
    for _ in range(args.random):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 40)))
        loaded.append((repr(text), text))
        found = _differs(text, repr(text))
        if found:
            differences += 1
            print(found, flush=True)
    try:
        assert_run_memo_alike(loaded)
    except AssertionError as exc:
        differences += 1
        print(f"with one run-wide memo: {str(exc)[:300]}", flush=True)
    print(f"{files} files and {args.random} random texts compared: {differences} differences")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
