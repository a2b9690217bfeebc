"""guardlint's render cache: rendered output stored by content, bounded in size.

Location: ``$GUARDLINT_CACHE_DIR`` when set, else ``$XDG_CACHE_HOME/guardlint`` , else
``~/.cache/guardlint`` (only the environment chooses it; a repository's configuration cannot; a folder inside the
linted repository is not used for renderings, see ``outside``). Two kinds
of file live in ``render/``: ``<key>.json`` (a Helm rendering, keyed by a digest of the chart's files,
the values, the Kubernetes version, the release settings and the renderer's version) and
``<digest>.yaml`` (a rendered stream, named by the digest of its own text, which findings point at as
their rendered position). After each write the oldest files are removed beyond ``MAX_FILES`` files or
``MAX_BYTES`` bytes. A cache that cannot be written is not an error: rendering just happens again. The
folders guardlint creates are 0700 and the files 0600: a rendering holds the data of rendered Secrets.
"""

from __future__ import annotations

import os

MAX_FILES = 512
MAX_BYTES = 128 * 1024 * 1024


def cache_dir() -> str:
    explicit = os.environ.get("GUARDLINT_CACHE_DIR")
    if explicit:
        return os.path.abspath(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = xdg if xdg and os.path.isabs(xdg) else os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "guardlint")


def outside(*roots: str) -> bool:
    """Whether the cache folder lies outside each of ``roots`` (all resolved through symbolic links).

    A cache folder inside the repository being linted (CI setups point ``XDG_CACHE_HOME`` into the checkout, as
    GitLab's caches require) holds what the repository's authors put there: a committed ``render/<key>.json``
    under a key anyone can compute would be linted in place of what the chart renders. Such a cache is neither
    read nor written (the chart is rendered every run)."""
    from guardlint.render.tree import inside

    folder = cache_dir()
    return not any(inside(folder, root) for root in roots)


def _render_dir() -> str:
    return os.path.join(cache_dir(), "render")


def digest(*parts: bytes | str) -> str:
    import hashlib

    h = hashlib.sha256()
    for p in parts:
        data = p.encode("utf-8", "surrogatepass") if isinstance(p, str) else p
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def get(key: str) -> str | None:
    """The cached text for ``key`` (a hex digest), or None."""
    path = os.path.join(_render_dir(), f"{key}.json")
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read(MAX_BYTES + 1)
        os.utime(path)  # recently used files are kept longest
    except OSError:
        return None
    return text if len(text) <= MAX_BYTES else None


def put(key: str, text: str) -> None:
    _write(f"{key}.json", text)


def store_stream(text: str) -> str:
    """Keep a rendered stream; returns its path ('' when the cache cannot be written)."""
    name = f"{digest(text)[:32]}.yaml"
    path = os.path.join(_render_dir(), name)
    if os.path.isfile(path):
        return path
    return path if _write(name, text) else ""


def _write(name: str, text: str) -> bool:
    from guardlint._atomic import write_atomic

    directory = _render_dir()
    try:
        # Private to the user: a rendering holds what the chart's values and a kustomize secretGenerator put in
        # Secrets, which a file the umask leaves readable (0644 in a 0755 folder) would show every user of a
        # shared machine or CI runner.
        os.makedirs(directory, mode=0o700, exist_ok=True)
        st = os.stat(directory)
        if st.st_mode & 0o077 and st.st_uid == getattr(os, "getuid", lambda: st.st_uid)():
            os.chmod(directory, 0o700)  # made by an older guardlint with the umask's bits
        write_atomic(os.path.join(directory, name), text.encode("utf-8", "surrogatepass"), mode=0o600,
                     keep_mode=False)
    except OSError:
        return False
    prune(directory)
    return True


def prune(directory: str, max_files: int = MAX_FILES, max_bytes: int = MAX_BYTES) -> None:
    """Remove the least recently used files beyond the bounds."""
    try:
        entries = []
        with os.scandir(directory) as it:
            for e in it:
                if e.is_file(follow_symlinks=False) and e.name.endswith((".json", ".yaml")):
                    st = e.stat(follow_symlinks=False)
                    entries.append((st.st_mtime, st.st_size, e.path))
    except OSError:
        return
    total = sum(size for _, size, _ in entries)
    if len(entries) <= max_files and total <= max_bytes:
        return
    entries.sort()
    while entries and (len(entries) > max_files or total > max_bytes):
        _, size, path = entries.pop(0)
        try:
            os.unlink(path)
        except OSError:
            continue
        total -= size
