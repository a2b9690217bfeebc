"""Running a renderer program (``helm template``, ``kustomize build``, ``kubectl kustomize``) within bounds.

A repository decides what its charts and overlays make the renderer do: a template can ask Helm for gigabytes
(``{{ repeat 2000000000 "x" }}``), and a chain of overlays that each use two others doubles the output at each
level. So the child gets, besides the time limit it always had:

* a memory limit on Linux: its data segment (``RLIMIT_DATA``: the heap and private writable mappings, where Go
  keeps its heap; not the address space Go reserves without using) is capped with ``prlimit`` right after it
  starts, before it has read a chart (``MEMORY_LIMIT``; an allocation beyond it fails in the child, which exits
  with an error). kubectl kustomize needs less than 64 MiB of it for an ordinary overlay; a larger
  ``max-file-size-mb`` raises the cap with it (``memory_limit``). Elsewhere there is no such call and only the
  time limit holds;
* a bound on what guardlint reads of its output: past ``max_output`` bytes the child is killed and the run
  says the rendering is too large, instead of holding gigabytes of text in guardlint's own memory.

The program runs with an argument list (no shell), standard input closed, in the environment it is given.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence

from guardlint._record import NamedTuple

MEMORY_LIMIT = 2 * 1024 * 1024 * 1024
"""Bytes of data segment a renderer process may use (``RLIMIT_DATA``), at the default file-size limit."""
STDERR_LIMIT = 1024 * 1024
"""Bytes of a renderer's standard error kept (its error message); the rest is read and dropped."""


class Finished(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


class TimedOut(NamedTuple):
    seconds: float


class TooMuchOutput(NamedTuple):
    limit: int
    """Bytes of output read before the child was stopped."""


def memory_limit(max_bytes: int) -> int:
    """The data-segment cap for a renderer when inputs and renderings may be ``max_bytes`` each: 64 times that,
    and never less than ``MEMORY_LIMIT``."""
    return max(MEMORY_LIMIT, 64 * max_bytes)


def _cap_memory(pid: int, limit: int) -> None:
    """Lower the child's ``RLIMIT_DATA`` to ``limit`` (never above the limit it inherited). Linux only; a child
    that already exited, or a system that refuses, keeps what it has."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return
    prlimit = getattr(resource, "prlimit", None)
    if prlimit is None:  # pragma: no cover - macOS and the BSDs have no prlimit
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    cap = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    if soft != resource.RLIM_INFINITY and soft < cap:
        cap = soft
    with contextlib.suppress(OSError, ValueError):
        prlimit(pid, resource.RLIMIT_DATA, (cap, cap))


def _text(data: bytes) -> str:
    """What ``subprocess.run(text=True)`` makes of the bytes: the locale's encoding, universal newlines."""
    import locale

    return data.decode(locale.getpreferredencoding(False)).replace("\r\n", "\n").replace("\r", "\n")


def run(cmd: Sequence[str], *, timeout: float, max_output: int, memory: int, env: Mapping[str, str],
        cwd: str | None = None) -> Finished | TimedOut | TooMuchOutput:
    """Run ``cmd``; its exit status and output, or why it was stopped. ``OSError`` when it cannot start."""
    if sys.platform == "win32":  # pragma: no cover - no select() on pipes; the output is checked afterwards
        try:
            proc = subprocess.run(list(cmd), capture_output=True, timeout=timeout, env=dict(env), cwd=cwd,
                                  stdin=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired:
            return TimedOut(timeout)
        if len(proc.stdout) > max_output:
            return TooMuchOutput(max_output)
        return Finished(proc.returncode, _text(proc.stdout), _text(proc.stderr[:STDERR_LIMIT]))
    import selectors

    deadline = time.monotonic() + timeout
    child = subprocess.Popen(list(cmd), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=dict(env), cwd=cwd)
    _cap_memory(child.pid, memory)
    out: list[bytes] = []
    err: list[bytes] = []
    sizes = {"out": 0, "err": 0}
    stopped: TimedOut | TooMuchOutput | None = None
    assert child.stdout is not None
    assert child.stderr is not None
    with selectors.DefaultSelector() as sel:
        sel.register(child.stdout, selectors.EVENT_READ, "out")
        sel.register(child.stderr, selectors.EVENT_READ, "err")
        while sel.get_map() and stopped is None:
            left = deadline - time.monotonic()
            if left <= 0:
                stopped = TimedOut(timeout)
                break
            for key, _ in sel.select(left):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    sel.unregister(key.fileobj)
                    continue
                which = key.data
                if which == "out":
                    sizes["out"] += len(chunk)
                    if sizes["out"] > max_output:
                        stopped = TooMuchOutput(max_output)
                        break
                    out.append(chunk)
                elif sizes["err"] < STDERR_LIMIT:
                    sizes["err"] += len(chunk)
                    err.append(chunk)
    if stopped is not None:
        child.kill()
    child.stdout.close()
    child.stderr.close()
    try:
        returncode = child.wait(max(deadline - time.monotonic(), 0) if stopped is None else None)
    except subprocess.TimeoutExpired:  # closed its output but did not exit in time
        child.kill()
        child.wait()
        return TimedOut(timeout)
    if stopped is not None:
        return stopped
    return Finished(returncode, _text(b"".join(out)), _text(b"".join(err)[:STDERR_LIMIT]))
