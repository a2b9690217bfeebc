"""Build the wheel, install it into a fresh virtual environment, and prove the shipped data is found."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.slow


def test_wheel_ships_rules_and_schemas_and_works(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
        check=True, capture_output=True, text=True,
    )
    wheel = next(dist.glob("guardlint-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "guardlint/py.typed" in names
    assert "guardlint/rules/_catalog.json" in names  # the generated catalog: without it every rule is imported
    assert "guardlint/rules/_catalog_docs.json" in names  # without it a SARIF report imports every rule
    assert "guardlint/_data/schemas/report.schema.json" in names
    assert "guardlint/_data/schemas/config.schema.json" in names
    assert "guardlint/_data/rules/presets/default.yaml" in names
    assert any(n.startswith("guardlint/_data/rules/declarative/") for n in names)
    assert "guardlint/_data/k8s-schemas/definitions.txt" in names  # the API schemas, read by offset

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", str(wheel)], check=True, capture_output=True)
    fixture = ROOT / "tests" / "fixtures" / "rules" / "deprecated-service-account-field" / "fail" / "old-field.yaml"
    probe = (
        "import guardlint, guardlint.data as d\n"
        "print(d.data_dir('rules'))\nprint(d.data_dir('schemas'))\n"
        f"r = guardlint.lint_text(open({str(fixture)!r}).read(), 'x.yaml',"
        " select=['deprecated-service-account-field'])\n"
        "print(len(r.active))\n"
    )
    out = subprocess.run([str(py), "-c", probe], check=True, capture_output=True, text=True, cwd=tmp_path).stdout
    rules_dir, schemas_dir, count = out.split()
    assert "site-packages" in rules_dir and rules_dir.endswith("_data/rules")
    assert "site-packages" in schemas_dir
    assert count == "1"  # a declarative rule from the shipped rules/ folder ran
    cli = subprocess.run(
        [str(env_dir / "bin" / "guardlint"), "check", str(ROOT / "examples"), "--no-config", "--format", "json"],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )
    assert cli.returncode == 1, cli.stderr
    assert '"findings"' in cli.stdout
