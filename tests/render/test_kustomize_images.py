"""A finding on a container image that a kustomization's ``images`` entry wrote is reported on that entry."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from guardlint.cli import main
from tests.render.conftest import write

pytestmark = pytest.mark.skipif(shutil.which("kustomize") is None and shutil.which("kubectl") is None,
                                reason="needs 'kustomize' or 'kubectl' on PATH to build overlays")

DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx
        - name: side
          image: busybox:latest
"""
BASE = "resources: [deploy.yaml]\nimages:\n  - name: nginx\n    newTag: '1.27'\n"


def unpinned(repo: Path) -> list[tuple[str, int, str]]:
    out, err = io.StringIO(), io.StringIO()
    main(["check", "overlay", "--format", "json", "--no-config", "--select", "unpinned-image"], out=out, err=err)
    report = json.loads(out.getvalue())
    return sorted((f["file"], f["line"], f["rendered"]["mappedTo"]) for f in report["findings"])


@pytest.mark.parametrize(("overlay", "expected"), [
    # The overlay's newTag makes the image mutable: reported on that newTag line.
    ("resources: [../base]\nimages:\n  - name: nginx\n    newName: registry.example.com/nginx\n    newTag: latest\n",
     ("overlay/kustomization.yaml", 5, "patch")),
    # The overlay's entry sets busybox's tag (to the 'latest' the resource file already had): the entry decides it.
    ("resources: [../base]\nimages:\n  - name: busybox\n    newTag: latest\n",
     ("overlay/kustomization.yaml", 4, "patch")),
])
def test_an_image_finding_lands_on_the_images_entry_that_wrote_it(repo: Path, overlay: str,
                                                                 expected: tuple[str, int, str]) -> None:
    write(repo, {"base/deploy.yaml": DEPLOY, "base/kustomization.yaml": BASE, "overlay/kustomization.yaml": overlay})
    found = unpinned(repo)
    assert expected in found


def test_an_image_no_entry_wrote_stays_on_the_resource_line(repo: Path) -> None:
    write(repo, {"base/deploy.yaml": DEPLOY, "base/kustomization.yaml": BASE,
                 "overlay/kustomization.yaml": "resources: [../base]\n"})
    # busybox:latest is written in the resource file; nginx:1.27 is pinned by the base's entry.
    assert unpinned(repo) == [("base/deploy.yaml", 16, "resource")]


def test_a_tag_set_inside_a_renaming_entry_lands_on_the_entry_that_set_the_tag(repo: Path) -> None:
    """The overlay's entry only renames nginx (newName alone); the base's entry set the tag 'latest' the rendered
    image has (other/nginx:latest): the finding is on the base's newTag line, not on the overlay's newName."""
    write(repo, {"base/deploy.yaml": DEPLOY,
                 "base/kustomization.yaml": "resources: [deploy.yaml]\nimages:\n  - name: nginx\n    newTag: latest\n",
                 "overlay/kustomization.yaml": ("resources: [../base]\nimages:\n  - name: nginx\n"
                                                "    newName: other/nginx\n")})
    assert ("base/kustomization.yaml", 4, "patch") in unpinned(repo)


def test_a_renaming_entry_is_the_answer_when_nothing_inside_set_the_tag(repo: Path) -> None:
    """The base's image has no tag (nginx, which pulls latest); the overlay renames it: the rename is where the
    image the finding names was written."""
    write(repo, {"base/deploy.yaml": DEPLOY, "base/kustomization.yaml": "resources: [deploy.yaml]\n",
                 "overlay/kustomization.yaml": ("resources: [../base]\nimages:\n  - name: nginx\n"
                                                "    newName: other/nginx\n")})
    assert ("overlay/kustomization.yaml", 4, "patch") in unpinned(repo)
