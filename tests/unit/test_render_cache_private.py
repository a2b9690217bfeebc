"""The render cache is private to the user: a rendering holds the data of the Secrets a chart's values or a
kustomize secretGenerator make, which a file the umask leaves readable (0644 in a 0755 folder under
``~/.cache``) showed every other user of a shared machine or self-hosted CI runner."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from guardlint.render import cache


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_cache_files_and_folder_are_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUARDLINT_CACHE_DIR", str(tmp_path / "c"))
    old = os.umask(0o022)
    try:
        stream = cache.store_stream("apiVersion: v1\nkind: Secret\ndata: {password: aHVudGVyMg==}\n")
        cache.put("0" * 64, '{"rendered": "..."}')
    finally:
        os.umask(old)
    assert stream
    render = tmp_path / "c" / "render"
    assert stat.S_IMODE(render.stat().st_mode) == 0o700
    for path in (Path(stream), render / f"{'0' * 64}.json"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_a_cache_an_older_version_left_readable_is_made_private(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder and a file an older guardlint wrote with the umask's bits (0755, 0644) are tightened by the
    next write, not kept as an existing file's bits usually are (``write_atomic``)."""
    monkeypatch.setenv("GUARDLINT_CACHE_DIR", str(tmp_path / "c"))
    render = tmp_path / "c" / "render"
    render.mkdir(parents=True, mode=0o755)
    render.chmod(0o755)
    old_entry = render / f"{'1' * 64}.json"
    old_entry.write_text("{}")
    old_entry.chmod(0o644)
    cache.put("1" * 64, '{"rendered": "new"}')
    assert stat.S_IMODE(render.stat().st_mode) == 0o700
    assert stat.S_IMODE(old_entry.stat().st_mode) == 0o600
    assert old_entry.read_text() == '{"rendered": "new"}'
