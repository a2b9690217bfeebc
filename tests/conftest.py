from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:  # running the tests from a checkout without installing
    sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("NO_COLOR", "1")


@pytest.fixture(scope="session", autouse=True)
def _render_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Rendered charts and overlays are cached in a folder of the test session, never the user's cache."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GUARDLINT_CACHE_DIR", str(tmp_path_factory.mktemp("render-cache")))
        yield
