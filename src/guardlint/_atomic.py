"""Writing a file atomically: a temporary file in the same folder, then one rename over the target."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import BinaryIO


def write_atomic(path: str, data: bytes, *, prefix: str = ".guardlint-", mode: int = 0o666,
                 keep_mode: bool = True) -> None:
    """Replace ``path`` with ``data`` in one rename.

    An existing file keeps its permission bits and, as far as the system allows, its owner and group; a new
    file gets ``mode`` less the user's umask (as ``open(path, "w")`` would, with the default 0o666), not the
    0600 of a private temporary file. With ``keep_mode=False`` every file written gets ``mode`` less the umask
    (a private cache file replacing one an older version wrote readable by all). Raises OSError when the folder
    cannot be written; the temporary file never outlives a failure.
    """
    with atomic_file(path, prefix=prefix, mode=mode, keep_mode=keep_mode) as fh:
        fh.write(data)


@contextlib.contextmanager
def atomic_file(path: str, *, prefix: str = ".guardlint-", mode: int = 0o666,
                keep_mode: bool = True) -> Iterator[BinaryIO]:
    """A binary file to write in pieces that replaces ``path`` in one rename when the block ends without an
    exception (as ``write_atomic``, which it serves, ``keep_mode`` included); on an exception the temporary file
    is removed and ``path`` is left as it was."""
    directory = os.path.dirname(os.path.abspath(path))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = os.path.join(directory, f"{prefix}{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, flags, mode)  # the kernel applies the umask, as for any new file
            break
        except FileExistsError:
            continue
    else:
        raise FileExistsError(f"no free temporary name in {directory}")
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        try:
            st = os.stat(path) if keep_mode else None
        except FileNotFoundError:
            st = None
        if st is not None:
            _keep_owner(tmp, st)  # before chmod: a change of owner clears the set-id bits
            os.chmod(tmp, st.st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _keep_owner(tmp: str, st: os.stat_result) -> None:
    chown = getattr(os, "chown", None)
    if chown is None:
        return
    own = os.stat(tmp)
    if (own.st_uid, own.st_gid) != (st.st_uid, st.st_gid):
        with contextlib.suppress(PermissionError):  # callers that must keep the owner (--fix) check first
            chown(tmp, st.st_uid, st.st_gid)
