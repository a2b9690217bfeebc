"""Every ``docs/...`` or ``schemas/...`` path that the source, the docs or the project files name exists."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers import ROOT

# A repository-relative path: not the tail of a URL or of a longer path (``kubernetes.io/docs/...``).
_PATH = re.compile(r"(?<![\w/.$-])(?:docs|schemas)/[\w./-]*[\w/]")
_TEXT = {".py", ".md", ".yaml", ".yml", ".json", ".toml", ".txt", ""}
_PLACES = ("src", "docs", "rules", "schemas", "scripts", "examples", ".ci", "README.md", "CHANGELOG.md",
           "SECURITY.md", "action.yml", "pyproject.toml", "Dockerfile")


def _files() -> list[Path]:
    out: list[Path] = []
    for place in _PLACES:
        path = ROOT / place
        if path.is_file():
            out.append(path)
        elif path.is_dir():
            out.extend(p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix in _TEXT
                       and "__pycache__" not in p.parts)
    return out


def mentioned_paths(text: str) -> set[str]:
    return {m.group(0).rstrip(".") for m in _PATH.finditer(text)}


def test_the_pattern_finds_repository_paths_and_not_urls() -> None:
    text = ("see docs/agents.md, (docs/rules/) and `schemas/report.schema.json`; "
            "https://kubernetes.io/docs/concepts/ and src/docs/x.md are not ours")
    assert mentioned_paths(text) == {"docs/agents.md", "docs/rules/", "schemas/report.schema.json"}


def test_every_mentioned_docs_path_exists() -> None:
    missing: list[str] = []
    seen = 0
    for file in _files():
        text = file.read_text(encoding="utf-8", errors="replace")
        for path in sorted(mentioned_paths(text)):
            seen += 1
            if not (ROOT / path).exists():
                missing.append(f"{file.relative_to(ROOT)}: {path}")
    assert seen > 20  # the walk reads the files that mention them (README, docs, source)
    assert not missing, "paths named but not in the repository:\n" + "\n".join(missing)
