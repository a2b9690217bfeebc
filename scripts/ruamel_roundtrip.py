"""How often does a ruamel.yaml round trip give back a manifest byte for byte? The measurement behind the
choice of exact text spans for ``--fix`` (docs/design.md, "Fixing").

    python scripts/ruamel_roundtrip.py ../shared/corpus

Loads every ``.yaml``/``.yml`` file under the folder with ruamel.yaml's round-trip loader (quotes preserved,
lines never folded) and dumps it again without any change; prints how many files came back identical, how
many differ and how many ruamel.yaml could not load or dump. Nothing is written.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    from ruamel.yaml import YAML

    total = same = failed = 0
    for path in sorted(Path(argv[0]).rglob("*")):
        if path.suffix not in (".yaml", ".yml") or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        total += 1
        yaml = YAML(typ="rt")
        yaml.preserve_quotes = True
        yaml.width = 4096
        try:
            out = io.StringIO()
            yaml.dump_all(list(yaml.load_all(text)), out)
        except Exception:  # the measurement counts what ruamel.yaml cannot handle
            failed += 1
            continue
        same += out.getvalue() == text
    print(f"files: {total}, identical after a round trip: {same}, different: {total - same - failed}, "
          f"not loaded or dumped: {failed}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
