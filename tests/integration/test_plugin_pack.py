"""The example third-party pack (examples/plugin-pack) installs with pip, registers through its entry point,
and passes its own tests, which use only guardlint.plugin and guardlint.testing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.slow

PACK = ROOT / "examples" / "plugin-pack"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pack pip-installed (a real distribution with its entry point) into a folder of its own."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(PACK)],
        check=True, capture_output=True, text=True,
    )
    assert (target / "acme_guardlint").is_dir()
    return target


def _env(site: Path) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(site))


def test_the_pack_passes_its_own_tests(site: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(PACK / "tests")],
        cwd=PACK, env=_env(site), capture_output=True, text=True, check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert " passed" in run.stdout


def test_the_fixture_runner_checks_the_pack_snapshots(site: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "guardlint.testing", str(PACK / "tests" / "fixtures")],
        env=_env(site), capture_output=True, text=True, check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 with problems" in run.stdout


def test_guardlint_runs_and_explains_the_installed_pack(site: Path) -> None:
    fixture = PACK / "tests" / "fixtures" / "memory-limit-above-cap" / "fail" / "limits.yaml"
    run = subprocess.run(
        [sys.executable, "-m", "guardlint", "check", str(fixture), "--no-config", "--select", "acme",
         "--format", "json"],
        env=_env(site), capture_output=True, text=True, check=False,
    )
    assert run.returncode == 1, run.stderr
    assert sorted(f["code"] for f in json.loads(run.stdout)["findings"]) == ["ACME001", "ACME002", "ACME002"]
    explain = subprocess.run(
        [sys.executable, "-m", "guardlint", "explain", "memory-limit-above-cap"],
        env=_env(site), capture_output=True, text=True, check=True,
    ).stdout
    assert "**preview**" in explain and "since version 1.1.0" in explain
