"""``charts:`` keys are chart folders relative to the folder of the configuration file in effect (as
``exclude``), wherever guardlint runs and whichever file of the configuration writes them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from guardlint.cli import main
from guardlint.render.helm import find_renderer
from tests.render.conftest import write

pytestmark = pytest.mark.skipif(find_renderer() is None, reason="needs helm or helm-python-sdk")

TEMPLATE = """apiVersion: v1
kind: Pod
metadata:
  name: {{ .Release.Name }}-pod
spec:
  containers:
    - name: app
      image: nginx:1.27
      securityContext:
        privileged: true
"""


def names(*args: str) -> list[str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", "--format", "json", "--select", "privileged-container", "--fail-on", "never", *args],
                out=out, err=err)
    assert code == 0, out.getvalue() + err.getvalue()
    return sorted(f["resource"]["name"] for f in json.loads(out.getvalue())["findings"])


@pytest.fixture
def repo(repo: Path) -> Path:
    write(repo, {
        "deploy/charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
        "deploy/charts/web/templates/pod.yaml": TEMPLATE,
        ".guardlint.yaml": "charts:\n  deploy/charts/web: {release: shop}\n",
    })
    return repo


def test_from_the_configuration_folder_a_subfolder_and_the_parent(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert names(".") == ["shop-pod"]
    monkeypatch.chdir(repo / "deploy")
    assert names(".") == ["shop-pod"]
    assert names("charts/web/templates/pod.yaml") == ["shop-pod"]
    monkeypatch.chdir(repo.parent)
    assert names(repo.name, "--config", f"{repo.name}/.guardlint.yaml") == ["shop-pod"]


def test_written_in_an_extended_file_in_another_folder(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(repo, {
        "config/base.yaml": "charts:\n  deploy/charts/web: {release: base}\n",
        ".guardlint.yaml": "extends: config/base.yaml\n",
    })
    monkeypatch.chdir(repo / "deploy")
    assert names(".") == ["base-pod"]
