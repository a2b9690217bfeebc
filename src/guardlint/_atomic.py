"""Writing a file atomically: a temporary file in the same folder, then one rename over the target."""

from __future__ import annotations

import os
import secrets


def write_atomic(path: str, data: bytes, *, prefix: str = ".guardlint-") -> None:
    """Replace ``path`` with ``data`` in one rename.

    An existing file keeps its permission bits; a new file gets the mode the user's umask gives (as
    ``open(path, "w")`` would), not the 0600 of a private temporary file. Raises OSError when the folder
    cannot be written; the temporary file never outlives a failure.
    """
    directory = os.path.dirname(os.path.abspath(path))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = os.path.join(directory, f"{prefix}{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, flags, 0o666)  # the kernel applies the umask, as for any new file
            break
        except FileExistsError:
            continue
    else:
        raise FileExistsError(f"no free temporary name in {directory}")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            pass
        else:
            os.chmod(tmp, mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
