"""Whether ``--fix`` may replace a file: the checks made before a file is rewritten (shared by the fixes of
manifests and of Helm values files).
"""

from __future__ import annotations

import os
import stat


def file_problem(real: str) -> str | None:
    """Why the file at ``real`` (no symbolic link) cannot be replaced keeping what it is, or None.

    A file without write permission for its owner (``chmod a-w``, mode 0444) is refused, also when the rename
    that writes every fixed file would succeed (it needs only the folder's permission) or when root runs
    guardlint: the mode says the file is not to be edited, and a tool that writes the file in place would be
    refused too. ``sed -i`` renames over it silently; ``--fix`` does not."""
    try:
        st = os.stat(real)
    except OSError as exc:
        return f"cannot read it: {exc.strerror or exc}"
    if st.st_nlink > 1:
        return (f"it has {st.st_nlink} hard links, which a rewrite would separate; fix it by hand or give it a "
                "single name")
    if not st.st_mode & stat.S_IWUSR:
        return (f"it is read-only (mode {stat.S_IMODE(st.st_mode):04o}); make it writable (chmod u+w) for --fix to "
                "change it")
    geteuid = getattr(os, "geteuid", None)
    if geteuid is not None and geteuid() != 0:
        if st.st_uid != geteuid():
            return f"it belongs to another user (uid {st.st_uid}), and a rewrite would make it yours"
        if st.st_gid != os.getegid() and st.st_gid not in os.getgroups():
            return f"its group (gid {st.st_gid}) is not one of yours, and a rewrite would change it"
    return None

