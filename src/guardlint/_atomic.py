"""Writing a file atomically: a temporary file in the same folder, then one rename over the target."""

from __future__ import annotations

import os
import tempfile


def write_atomic(path: str, data: bytes, *, prefix: str = ".guardlint-") -> None:
    """Replace ``path`` with ``data`` in one rename; an existing file keeps its permission bits.

    Raises OSError when the folder cannot be written; the temporary file never outlives a failure.
    """
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=prefix, dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        if os.path.exists(path):
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
