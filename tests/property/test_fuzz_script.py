"""scripts/fuzz.py runs every strategy, counts its inputs and reports failing inputs with their seed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - {name: a, image: nginx}\n"


def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("guardlint_fuzz_script", ROOT / "scripts" / "fuzz.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_a_short_campaign_runs_every_strategy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "pod.yaml").write_text(POD, encoding="utf-8")
    code = script().main(["--inputs", "8", "--corpus", str(tmp_path / "corpus"), "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "corpus: 1 documents" in out
    assert "ran 8 inputs" in out and "(corpus 2, kinds 2, fix 2, text 2)" in out
    assert "no property failed" in out


def test_a_failing_property_is_reported_with_its_input(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from tests import fuzzing

    module = script()
    monkeypatch.setattr(fuzzing, "check", lambda text, *_: ["loader: boom"] if "kind: Pod" in text else [])
    code = module.main(["--inputs", "3", "--strategies", "fix", "--seed", "7", "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 1
    assert "3 inputs failed; 1 distinct problems" in out and "[fix seed 7] loader: boom" in out
    saved = list((tmp_path / "out").iterdir())
    assert [p.name for p in saved] == ["000-seed7-fuzz.yaml"] and "kind: Pod" in saved[0].read_text()
