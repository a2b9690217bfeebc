"""How many processes a run uses (``--jobs``): decided from the input's size and the usable CPUs.

Apart from the pool (``guardlint.parallel``), so that a run that stays serial (every pre-commit run: ``auto``
pools only from ``AUTO_MIN_BYTES`` of input) decides so without importing the pool's machinery.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

TYPE_CHECKING = False
if TYPE_CHECKING:
    from guardlint.source.files import Input

AUTO = 0
"""``--jobs auto``: the pool when the run is large enough to pay for it (``workers_for``)."""

AUTO_MIN_BYTES = 8_000_000
"""``--jobs auto`` starts a pool only for inputs of at least this many bytes (0 would turn ``auto`` off). Measured
on the quiet 2-core machine (``scripts/benchmark.py --jobs 1,2 --jobs-dir DIR``, docs/performance.md): two processes
ran 1.24x as fast on the 18.5 MB corpus and 1.22x on 15.5 MB of generated objects, about 1.04x on 4-5 MB, and lost
nowhere; below a few MB the forks and the transfer eat the gain, so the pool starts at 8 MB."""


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the platform tells it)."""
    affinity = getattr(os, "sched_getaffinity", None)
    if affinity is not None:
        try:
            return len(affinity(0)) or 1
        except OSError:
            pass
    return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether a pool of forked processes can run here: ``os.fork`` exists and is safe without ``exec``
    (not on macOS, whose system libraries may break in a child forked from a process that used them)."""
    return hasattr(os, "fork") and sys.platform != "darwin"


def input_sizes(inputs: Sequence[Input], known: Mapping[str, int] | None = None) -> list[int]:
    """The size of each input (0 when it cannot be read); ``known``: sizes discovery already read, by path
    (``discover_all``'s ``sizes``), which are not asked again."""
    sizes: list[int] = []
    for item in inputs:
        size = known.get(item.path) if known is not None else None
        if size is None:
            try:
                size = os.stat(item.path).st_size
            except OSError:
                size = 0
        sizes.append(size)
    return sizes


def workers_for(jobs: int, total_bytes: int, *, cpus: int | None = None) -> int:
    """How many processes a run over ``total_bytes`` of input uses for ``--jobs jobs`` (``AUTO``: the usable
    CPUs when the input is at least ``AUTO_MIN_BYTES``; 1 where a pool cannot run)."""
    if not can_fork():
        return 1
    if jobs == AUTO:
        if AUTO_MIN_BYTES <= 0 or total_bytes < AUTO_MIN_BYTES:
            return 1
        jobs = cpus if cpus is not None else usable_cpus()
    return max(1, jobs)


def pool_workers(inputs: Sequence[Input], jobs: int, known: Mapping[str, int] | None = None) -> int:
    """The processes a run over ``inputs`` uses for ``--jobs jobs`` (1: it stays serial): what
    ``guardlint.parallel.load_pooled`` decides before it starts a pool (``known``: see ``input_sizes``)."""
    if len(inputs) < 2 or any(item.path == "-" for item in inputs):
        return 1
    return min(workers_for(jobs, sum(input_sizes(inputs, known))), len(inputs))
