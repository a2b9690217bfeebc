"""Whether ``--fix`` may replace a file: the checks made before a file is rewritten (shared by the fixes of
manifests and of Helm values files, and by the text report's count of what ``--fix`` would fix).

Light on purpose (only ``os`` and ``stat``): the text report asks it about every file with a fixable finding.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Collection, Iterable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from guardlint.findings import Finding
    from guardlint.report import FixKey


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


def unfixable(findings: Iterable[Finding], refused: Collection[FixKey] = (), *, stdin_name: str | None = None,
              stdin_alone: bool = False) -> frozenset[FixKey]:
    """The findings among ``findings`` (active ones) that offer a fix ``--fix`` would make where they are
    (neither Helm output nor mapped back from a render) but that it refuses, by ``fix_key``: those in
    ``refused`` (refused by a ``--fix`` of this run, one at a time or with their whole file), those on a
    file ``file_problem`` refuses (one ``os.stat`` per file), and those on standard input when it is not the
    only path (``--fix`` then leaves it alone). Why a single fix would be refused (a shared anchor, a block
    scalar...) is known only once it is planned: ``--diff`` plans every fix and says it."""
    from guardlint.report import fix_key

    problems: dict[str, bool] = {}
    out: set[FixKey] = set()
    for f in findings:
        if f.fix is None or f.origin is not None or f.rendered is not None:
            continue
        key = fix_key(f)
        if key in refused:
            out.add(key)
        elif f.file in (stdin_name, "-"):
            if not stdin_alone:
                out.add(key)
        else:
            if f.file not in problems:  # os.stat follows symbolic links: the real file's, as --fix checks it
                problems[f.file] = file_problem(f.file) is not None
            if problems[f.file]:
                out.add(key)
    return frozenset(out)
