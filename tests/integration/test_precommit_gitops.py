"""A GitOps repository (a Helm chart, a kustomize overlay, plain manifests) under the real pre-commit: a commit
that sets ``privileged: true`` in a values file fails with the finding on that values line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.slow

CHART = {
    "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    "charts/web/values.yaml": "image: nginx:1.27\nsecurityContext:\n  privileged: false\n",
    "charts/web/templates/deployment.yaml": """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: {{ .Values.image }}
          resources:
            limits: {memory: 128Mi}
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
""",
    "deploy/base/kustomization.yaml": "resources: [deployment.yaml]\n",
    "deploy/base/deployment.yaml": """apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: busybox:1.36
          resources:
            limits: {memory: 64Mi}
""",
    "deploy/prod/kustomization.yaml": "namePrefix: prod-\nresources: [../base]\n",
    "manifests/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: {a: b}\n",
}


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def _hook_repo(tmp_path: Path) -> tuple[Path, str]:
    """This checkout as it is now (tracked and new files), committed in a repository of its own."""
    dest = tmp_path / "hook-repo"
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.splitlines()
    for rel in listed:
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    _git(dest, "init", "-q")
    _git(dest, "add", ".")
    _git(dest, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "hook")
    return dest, _git(dest, "rev-parse", "HEAD").strip()


def test_a_values_change_fails_the_commit_on_the_values_line(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if shutil.which("kustomize") is None and shutil.which("kubectl") is None:
        pytest.skip("needs 'kustomize' or 'kubectl' on PATH to build the overlay")
    hook, rev = _hook_repo(tmp_path)
    repo = tmp_path / "gitops"
    for rel, text in CHART.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook}\n    rev: {rev}\n    hooks:\n      - id: guardlint\n"
        "        additional_dependencies: ['helm-python-sdk==0.2.2']\n"
    )
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "t@example.com")
    _git(repo, "config", "user.name", "t")
    _git(repo, "add", ".")
    own_bin = os.path.dirname(sys.executable)
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != own_bin)
    env = {**os.environ, "PATH": path, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1",
           "GUARDLINT_CACHE_DIR": str(tmp_path / "cache")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--verbose", *args], cwd=repo, env=env,
                              capture_output=True, text=True, timeout=900, check=False)

    clean = run("--all-files")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    _git(repo, "commit", "-qm", "initial", "--no-verify")

    (repo / "charts/web/values.yaml").write_text("image: nginx:1.27\nsecurityContext:\n  privileged: true\n")
    _git(repo, "add", "charts/web/values.yaml")
    failing = run()  # the staged files only: the values file
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "charts/web/values.yaml:3:3: error privileged-container" in failing.stdout
    assert "with values set values.yaml" in failing.stdout
