#!/usr/bin/env python3
"""PyYAML's C composer against rapidyaml on the same files: parse only, and parse plus building Python data.

Usage: python scripts/yaml_parser_compare.py [CORPUS] [--repeat N]   (needs ``pip install rapidyaml``, in a
throwaway virtual environment: guardlint does not depend on it)

Prints the time of each, interleaved, and how many documents each read. rapidyaml's Python module gives no
node positions, so even a faster parse would not serve guardlint, which locates every finding.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose(texts: list[bytes]) -> int:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    documents = 0
    for text in texts:
        try:
            for _ in yaml.compose_all(text, Loader=loader):
                documents += 1
        except yaml.YAMLError:
            pass
    return documents


def ryml_parse(texts: list[bytes]) -> int:
    import ryml

    nodes = 0
    for text in texts:
        with contextlib.suppress(Exception):  # rapidyaml raises its own exception types for bad YAML
            nodes += ryml.parse_in_arena(text).size()
    return nodes


def ryml_data(texts: list[bytes]) -> int:
    import ryml

    documents = 0
    for text in texts:
        try:
            tree = ryml.parse_in_arena(text)
        except Exception:
            continue

        def build(i: int, tree: Any = tree) -> Any:
            if tree.is_map(i) or tree.is_seq(i):
                children = []
                c = tree.first_child(i)
                while c != ryml.NONE:
                    children.append(c)
                    c = tree.next_sibling(c)
                if tree.is_map(i):
                    return {bytes(tree.key(c)).decode(): build(c) for c in children}
                return [build(c) for c in children]
            value = tree.val(i) if tree.has_val(i) else None
            return bytes(value).decode() if value is not None else None

        root = tree.root_id()
        if tree.is_stream(root):
            c = tree.first_child(root)
            while c != ryml.NONE:
                build(c)
                documents += 1
                c = tree.next_sibling(c)
        else:
            build(root)
            documents += 1
    return documents


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    gc.disable()
    texts = [p.read_bytes() for p in sorted(Path(args.corpus).rglob("*")) if p.suffix in (".yaml", ".yml")
             and p.is_file()]
    for _ in range(args.repeat):
        for name, fn in (("PyYAML C compose", compose), ("rapidyaml parse only (nodes)", ryml_parse),
                         ("rapidyaml parse + Python data (documents)", ryml_data)):
            start = time.perf_counter()
            count = fn(texts)
            print(f"{name}: {time.perf_counter() - start:.2f} s ({count})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
