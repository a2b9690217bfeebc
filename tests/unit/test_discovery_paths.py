"""Discovery names and resolves paths with fewer system calls than ``os.path.relpath``/``realpath`` per file and
folder, with the same results."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guardlint.source import files
from guardlint.source.files import discover_all, display_name


def _relpath_name(path: str, root: str | None = None) -> str:
    """``display_name`` as it was: ``os.path.relpath``, kept only below the base."""
    if path == "-":
        return "-"
    rel = os.path.relpath(path, root or os.getcwd())
    return path if rel.startswith(".." + os.sep) or rel == ".." else rel


@pytest.mark.parametrize("path", ["a.yaml", "./a.yaml", "d/./e/../f.yaml", "d//g.yaml", ".", "..", "../x.yaml",
                                  "/", "/etc/hosts", "d/", "-"])
@pytest.mark.parametrize("root", [None, ".", "d", "d/", "/", "/nonexistent"])
def test_display_name_is_what_relpath_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str,
                                            root: str | None) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d").mkdir()
    assert display_name(path, root) == _relpath_name(path, root)
    absolute = os.path.join(str(tmp_path), path) if path != "-" else path
    assert display_name(absolute, root) == _relpath_name(absolute, root)


_PARTS = ["a", "b", "ab", "a.yaml", ".", "..", "", "x y", "é"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PARTS), max_size=5), st.lists(st.sampled_from(_PARTS), max_size=4),
       st.sampled_from(["", "/", "//", "///"]), st.sampled_from(["", "/", "//"]), st.booleans())
def test_display_name_is_what_relpath_gives_on_generated_paths(
    path_parts: list[str], root_parts: list[str], path_lead: str, root_lead: str, root_given: bool
) -> None:
    """Paths below the base, the base itself, its ancestors, siblings and paths elsewhere, spelled with ``.``,
    ``..``, empty components and ``//`` prefixes, against the working directory or a given base."""
    path = path_lead + "/".join(path_parts) or "."
    root = (root_lead + "/".join(root_parts) or ".") if root_given else None
    assert display_name(path, root) == _relpath_name(path, root)


def test_display_name_outside_the_base_does_not_ask_relpath(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counted: a file outside the base (a folder linted from elsewhere) is named without ``relpath``; the base
    itself and its ancestors still are (``.`` and ``..``)."""
    calls: list[str] = []
    real = os.path.relpath

    def counting(path: str, start: str | None = None) -> str:
        calls.append(path)
        return real(path, start)

    monkeypatch.setattr(os.path, "relpath", counting)
    assert display_name("/srv/repo/k8s/a.yaml", "/home/me/work") == "/srv/repo/k8s/a.yaml"
    assert display_name("/home/me/other/a.yaml", "/home/me/work") == "/home/me/other/a.yaml"
    assert not calls
    assert display_name("/home/me/work", "/home/me/work") == "."
    assert display_name("/home/me", "/home/me/work") == "/home/me"
    assert len(calls) == 1  # the base itself; an ancestor is outside it and starts with ``..``


def _tree(top: Path, depth: int, width: int) -> None:
    folder = top
    for level in range(depth):
        folder = folder / f"level{level}"
        for i in range(width):
            (folder / f"w{i}").mkdir(parents=True)
            (folder / f"w{i}" / "m.yaml").write_text("kind: A\n")


def test_a_walk_resolves_each_folder_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Counted: the real path of each folder of a walk comes from its parent's (one ``lstat`` per folder), not
    from resolving every component of its path again (``os.path.realpath``). The inputs are the same, also
    with a link back into the tree, and when the walked path holds ``..`` (which then resolves each folder
    whole)."""
    top = tmp_path / "repo"
    _tree(top, 6, 3)
    (top / "linked").symlink_to(top / "level0" / "w1")
    calls: list[Any] = []
    real_lstat = os.lstat

    def counting(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        calls.append(path)
        return real_lstat(path, *args, **kwargs)

    monkeypatch.setattr(os, "lstat", counting)
    found = discover_all([str(top)], ())
    walked = len(calls)
    calls.clear()
    dotted = discover_all([str(top / "level0" / ".." / "..") + os.sep + "repo"], ())
    whole = len(calls)
    monkeypatch.setattr(os, "lstat", real_lstat)
    assert [i.path.replace(str(top), "") for i in found.inputs] == \
        [i.path.replace(str(top / "level0" / ".." / "..") + os.sep + "repo", "") for i in dotted.inputs]
    assert len(found.inputs) == 6 * 3  # the link back into the tree is passed over, both ways
    # Without the memo every folder costs one lstat per component of its path (the temporary folder's depth
    # and the tree's); with it, about one per folder and file.
    assert walked * 2 < whole


def test_real_folders_are_realpath(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "a")
    memo = files.RealFolders()
    for folder in ("a", "a/b", "link", "link/b", "missing", "link/missing/deeper"):
        path = os.path.abspath(os.path.join(str(tmp_path), folder))
        assert memo.of(path) == os.path.realpath(path)


def test_a_discovery_asks_for_the_working_directory_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Counted: the names reports show are taken relative to the working directory, asked for once per
    discovery rather than once per file (a system call each); the names are what they were (absolute paths
    below the working directory are shown relative to it, as relative ones are)."""
    _tree(tmp_path / "repo", 3, 4)
    monkeypatch.chdir(tmp_path)
    expected = [i.display for i in discover_all(["repo"], ()).inputs]
    calls: list[str] = []
    real = os.getcwd

    def counting() -> str:
        calls.append("cwd")
        return real()

    monkeypatch.setattr(os, "getcwd", counting)
    top = str(tmp_path / "repo")  # absolute: ``os.path.abspath`` of a relative path asks for it itself
    found = discover_all([top, *(f"{top}/level0/w{i}/m.yaml" for i in range(4))], ())
    monkeypatch.setattr(os, "getcwd", real)
    assert [i.display for i in found.inputs] == expected
    assert len(expected) == 12 and all(name.startswith("repo/level0/") for name in expected)
    assert len(calls) <= 3  # the excludes' folder, the walk's limit and the names' base, not one per file
