"""The corpus property of --fix (scripts/fix_corpus.py): after --fix --unsafe-fixes every file parses, the fixed
findings are gone, no new finding appears, and a second run changes nothing. The shared corpus run is slow; a
small corpus made here runs with the fast suite so the script itself stays tested."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "corpus"


def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fix_corpus", ROOT / "scripts" / "fix_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_small_corpus_keeps_every_property(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "web.yaml").write_text(
        "# web\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1\n"
        "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n"
        "      serviceAccount: web\n      hostNetwork: true  # host network\n      containers:\n"
        "      - name: web\n        image: example.com/web:1.0.0\n        securityContext: {privileged: true}\n")
    (tmp_path / "a" / "job.json").write_text(
        '{"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"spec": '
        '{"restartPolicy": "Never", "containers": [{"name": "j", "image": "example.com/j:1.0.0"}]}}}}\n')
    counts, problems = script().check(tmp_path)
    assert problems == []
    assert counts["fixes applied"] >= 10 and counts["files changed"] == 2
    assert counts["new findings"] == 0 and counts["fixes applied by a second run"] == 0


@pytest.mark.slow
@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared corpus is not here")
def test_the_shared_corpus_keeps_every_property(tmp_path: Path) -> None:
    copy = tmp_path / "corpus"
    script().copy_corpus(SHARED, copy)  # its files made writable: the shared corpus is read-only
    counts, problems = script().check(copy)
    assert problems == [], problems[:20]
    assert counts["fixes applied"] > 1000 and counts["fixes applied by a second run"] == 0
