"""Which inputs belong to a Helm chart or a kustomize tree (found by looking upwards, memoised per folder).

A file belongs to the *outermost* folder above it (or its own folder) that holds ``Chart.yaml``: a
subchart in ``charts/`` is rendered with its parent. Otherwise it belongs to the *nearest* folder that
holds a kustomization (``kustomization.yaml``, ``kustomization.yml`` or ``Kustomization``). Lookups stop
at the root of the repository (a folder holding ``.git``), so an unrelated ``Chart.yaml`` above a
checkout is never picked up.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence

from guardlint._record import NamedTuple
from guardlint.source.files import Input, nearest_checkout, within

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
CHART_FILE = "Chart.yaml"


def kustomization_file(directory: str) -> str | None:
    """The kustomization file of ``directory`` (the first of the three names kustomize accepts), or None."""
    for name in KUSTOMIZATION_NAMES:
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def is_repo_root(directory: str) -> bool:
    return os.path.lexists(os.path.join(directory, ".git"))


def _child(directory: str, name: str) -> str:
    """``os.path.join(directory, name)`` for an absolute, normalised ``directory`` (the folders ``Trees`` walks):
    a concatenation there, without ``join``'s generality (the walk asks five names of every folder)."""
    return directory + name if directory.endswith(os.sep) else directory + os.sep + name


_ACCESS_NOFOLLOW = os.access in os.supports_follow_symlinks


def _exists(path: str, *, follow: bool = True) -> bool:
    """Whether ``path`` exists (``os.path.exists``; with ``follow=False``, ``os.path.lexists``): one
    ``access(F_OK)`` system call, which answers a missing name, the common case of the walk, without the
    ``FileNotFoundError`` that ``stat`` makes Python build and raise. It resolves the path as ``stat`` does (the
    same credentials for a process whose real and effective ids are equal), so it fails exactly where ``stat``
    (``lstat``) fails. Where ``access`` cannot leave a final link unfollowed (Windows), ``lexists`` asks."""
    if not follow and not _ACCESS_NOFOLLOW:
        return os.path.lexists(path)
    try:
        return os.access(path, os.F_OK, follow_symlinks=follow)
    except ValueError:  # a NUL in the path: ``exists``/``lexists`` answer False
        return False


def _is_file(path: str) -> bool:
    """``os.path.isfile(path)``: a missing name is answered by ``_exists`` alone, an existing one by ``stat``."""
    if not _exists(path):
        return False
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _has_file(directory: str, name: str) -> bool:
    """``os.path.isfile`` of ``name`` in the absolute, normalised ``directory``."""
    return _is_file(_child(directory, name))


def _has_kustomization(directory: str) -> bool:
    """Whether ``kustomization_file(directory)`` is not None, for an absolute, normalised ``directory``."""
    prefix = _child(directory, "")
    return any(_is_file(prefix + name) for name in KUSTOMIZATION_NAMES)


def repo_root(path: str, given: Sequence[str] = ()) -> str:
    """The folder that references may not leave: the nearest folder at or above ``path`` holding ``.git``;
    else the working directory when ``path`` is inside it; else the outermost of the ``given`` paths (what
    the user asked to lint) that holds ``path``; else the folder of ``path`` itself."""
    start = os.path.abspath(path if os.path.isdir(path) else os.path.dirname(path) or ".")
    checkout = nearest_checkout(start)
    if checkout is not None:
        return checkout
    cwd = os.path.abspath(os.getcwd())
    if within(start, cwd):
        return cwd
    holders = [g for g in (os.path.abspath(x) for x in given) if within(start, g)]
    return min(holders, key=len) if holders else start


def inside(path: str, root: str) -> bool:
    """Whether the real ``path`` is ``root`` or below it (both resolved through symlinks)."""
    return within(os.path.realpath(path), os.path.realpath(root))


class Trees:
    """Memoised upward lookups of chart roots and kustomize folders."""

    def __init__(self) -> None:
        self._chart: dict[str, str | None] = {}
        self._kust: dict[str, str | None] = {}
        self._repo_root: dict[str, bool] = {}

    def _is_repo_root(self, directory: str) -> bool:
        """``is_repo_root``, asked once per folder for both lookups (each walks up to the repository root)."""
        known = self._repo_root.get(directory)
        if known is None:
            known = self._repo_root[directory] = _exists(_child(directory, ".git"), follow=False)  # ``lexists``
        return known

    def chart_root(self, directory: str) -> str | None:
        """The outermost folder at or above ``directory`` (up to the repository root) holding Chart.yaml."""
        if directory in self._chart:  # the memo's keys are absolute and normalised: ``abspath`` keeps them
            return self._chart[directory]
        directory = os.path.abspath(directory)
        pending: list[str] = []
        here = directory
        found: str | None = None
        while True:
            if here in self._chart:
                found = self._chart[here]
                break
            pending.append(here)
            parent = os.path.dirname(here)
            if self._is_repo_root(here) or parent == here:
                found = None
                break
            here = parent
        # ``found`` is the answer for ``here``'s parent chain; fill in from the top down.
        for d in reversed(pending):
            if found is None and _has_file(d, CHART_FILE):
                found = d
            self._chart[d] = found
        return self._chart[directory]

    def kustomize_dir(self, directory: str) -> str | None:
        """The nearest folder at or above ``directory`` (up to the repository root) with a kustomization."""
        if directory in self._kust:  # as in ``chart_root``
            return self._kust[directory]
        directory = os.path.abspath(directory)
        pending: list[str] = []
        here = directory
        found: str | None = None
        while True:
            if here in self._kust:
                found = self._kust[here]
                break
            if _has_kustomization(here):
                found = here
                break
            pending.append(here)
            parent = os.path.dirname(here)
            if self._is_repo_root(here) or parent == here:
                break
            here = parent
        for d in pending:
            self._kust[d] = found
        self._kust.setdefault(here, found)
        return found


class Partition(NamedTuple):
    """Inputs split into plain files, charts and kustomize folders (absolute folder -> member inputs)."""

    raw: list[Input]
    charts: dict[str, list[Input]]
    kustomize: dict[str, list[Input]]


def partition(inputs: Sequence[Input], trees: Trees | None = None) -> Partition:
    """Split ``inputs``: files inside a chart go to that chart, files inside a kustomize folder to that
    folder, everything else stays a plain input. Standard input is always plain."""
    trees = trees or Trees()
    raw: list[Input] = []
    charts: dict[str, list[Input]] = {}
    kustomize: dict[str, list[Input]] = {}
    for item in inputs:
        if item.path == "-":
            raw.append(item)
            continue
        folder = os.path.dirname(os.path.abspath(item.path))
        chart = trees.chart_root(folder)
        if chart is not None:
            charts.setdefault(chart, []).append(item)
            continue
        kdir = trees.kustomize_dir(folder)
        if kdir is not None:
            kustomize.setdefault(kdir, []).append(item)
            continue
        raw.append(item)
    return Partition(raw, charts, kustomize)
