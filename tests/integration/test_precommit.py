"""The published hook, run by the real pre-commit against this repository (``pre-commit try-repo``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.slow

FAILING = """apiVersion: v1
kind: Pod
metadata:
  name: bad
spec:
  containers:
    - name: app
      image: busybox:1.36
      securityContext:
        privileged: true
"""
PASSING = """apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - port: 80
      targetPort: http
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def work_repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "t@example.com")
    _git(repo, "config", "user.name", "t")
    (repo / "bad.yaml").write_text(FAILING)
    (repo / "service.yaml").write_text(PASSING)
    (repo / "values.yaml").write_text("replicaCount: 1\n")
    _git(repo, "add", ".")
    return repo


def _env(tmp_path: Path) -> dict[str, str]:
    """The test's environment, with the running interpreter's folder taken off PATH: the test runs the
    pre-commit installed next to it (the test extra), never whichever one PATH would find."""
    own_bin = os.path.dirname(sys.executable)
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != own_bin)
    return {**os.environ, "PATH": path, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1"}


def _try_repo(repo: Path, tmp_path: Path, *files: str, hook: str = "guardlint") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--verbose", "--files", *files],
        cwd=repo, env=_env(tmp_path), capture_output=True, text=True, timeout=900, check=False,
    )


def test_hook_fails_on_a_bad_manifest_and_passes_a_good_one(work_repo: Path, tmp_path: Path) -> None:
    failing = _try_repo(work_repo, tmp_path, "bad.yaml", "values.yaml")
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "bad.yaml:10:9: error privileged-container" in failing.stdout
    # The Service's pods live in files pre-commit did not pass: no "selects no pods" report.
    passing = _try_repo(work_repo, tmp_path, "service.yaml", "values.yaml")
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "Passed" in passing.stdout


# The README's snippets, with real pre-commit ------------------------------------------------------------

SHOP_POD = """apiVersion: v1
kind: Pod
metadata:
  name: api
  namespace: shop
spec:
  containers:
    - name: api
      image: example.com/api:1.0
      envFrom:
        - secretRef: {name: api-credentials}
"""
SHOP_SECRET = """apiVersion: v1
kind: Secret
metadata:
  name: unrelated
  namespace: shop
stringData: {a: b}
"""
CHART_TEMPLATE = """apiVersion: v1
kind: Pod
metadata:
  name: {{ .Release.Name }}
spec:
  containers:
    - name: app
      image: nginx:1.27
"""


def _readme_configs() -> list[str]:
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## pre-commit\n", 1)[1].split("\n## ", 1)[0]
    return [b for b in re.findall(r"```yaml\n(.*?)```", section, re.S) if b.startswith("# .pre-commit-config.yaml")]


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout's files (committed or not) as a repository of their own, tagged with the release the
    README names, exactly as a user's pre-commit would clone it."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    from guardlint._version import __version__

    repo = tmp_path_factory.mktemp("hook-repo")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "release")
    _git(repo, "-c", "user.email=t@example.com", "-c", "user.name=t", "tag", "-a", f"v{__version__}", "-m",
         f"guardlint {__version__}")
    return repo


def _user_repo(tmp_path: Path, config: str, hook_repo: Path) -> Path:
    repo = tmp_path / "user"
    for name, text in {
        "deploy/shop/pod.yaml": SHOP_POD, "deploy/shop/secret.yaml": SHOP_SECRET,
        "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
        "charts/web/templates/pod.yaml": CHART_TEMPLATE,
        "a/.guardlint.yaml": "fail-on: error\n", "b/.guardlint.yaml": "fail-on: warning\n",
        ".pre-commit-config.yaml": config.replace("https://github.com/guardlint/guardlint", str(hook_repo)),
    }.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    return repo


def _run_hooks(repo: Path, home: Path, *files: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--verbose", "--color", "never", "--files", *files],
        cwd=repo, env=_env(home), capture_output=True, text=True, timeout=900, check=False,
    )


def test_readme_snippets_work_with_real_pre_commit(hook_repo: Path, tmp_path_factory: pytest.TempPathFactory,
                                                   tmp_path: Path) -> None:
    from guardlint._version import __version__

    home = tmp_path_factory.getbasetemp() / "readme-hooks"
    plain, with_context, _ = _readme_configs()
    for config in (plain, with_context):
        assert f"rev: v{__version__}\n" in config  # the README names the release tag of this version
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{__version__}]" in changelog

    user = _user_repo(tmp_path / "plain", plain, hook_repo)
    result = _run_hooks(user, home, "deploy/shop/pod.yaml", "charts/web/templates/pod.yaml",
                        "a/.guardlint.yaml", "b/.guardlint.yaml")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # The README's hook renders the chart (helm-python-sdk as an additional dependency): its Pod is linted
    # beside deploy/shop/pod.yaml, and the template is never reported as unrendered.
    assert "2 objects" in output and "unrendered" not in output
    assert "a/.guardlint.yaml: valid" in output and "b/.guardlint.yaml: valid" in output
    assert "missing-secret" not in output  # a partial run judges no reference

    user = _user_repo(tmp_path / "context", with_context, hook_repo)
    result = _run_hooks(user, home, "deploy/shop/pod.yaml")
    output = result.stdout + result.stderr
    assert "deploy/shop/pod.yaml:11:29: warning missing-secret" in output, output


WARNING_ONLY_POD = """apiVersion: v1
kind: Pod
metadata:
  name: tools
spec:
  containers:
    - name: tools
      image: busybox:1.36
"""


def test_readme_config_change_hook_lints_the_whole_repository(hook_repo: Path,
                                                             tmp_path_factory: pytest.TempPathFactory,
                                                             tmp_path: Path) -> None:
    """A commit that changes only .guardlint.yaml: the README's plain hook lints nothing (the limit the README
    states), its second snippet lints every manifest of the repository with the new configuration."""
    home = tmp_path_factory.getbasetemp() / "readme-hooks"
    plain, _, whole_on_config = _readme_configs()
    assert "pass_filenames: false" in whole_on_config and "args: [.]" in whole_on_config
    outputs = []
    for name, config in (("plain", plain), ("whole", whole_on_config)):
        repo = tmp_path / name
        for rel, text in {"manifests/pod.yaml": WARNING_ONLY_POD, ".guardlint.yaml": "fail-on: error\n",
                          ".pre-commit-config.yaml": config.replace("https://github.com/guardlint/guardlint",
                                                                    str(hook_repo))}.items():
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            (repo / rel).write_text(text)
        _git(repo, "init", "-q")
        _git(repo, "add", ".")
        _git(repo, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "initial",
             "--no-verify")
        (repo / ".guardlint.yaml").write_text("fail-on: warning\n")  # the pod's warnings now fail a run
        _git(repo, "add", ".guardlint.yaml")
        result = subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", "--verbose", "--color", "never"],  # the staged files
            cwd=repo, env=_env(home), capture_output=True, text=True, timeout=900, check=False)
        outputs.append(result)
    plain_result, whole_result = outputs
    assert plain_result.returncode == 0, plain_result.stdout + plain_result.stderr
    assert "manifests/pod.yaml" not in plain_result.stdout
    assert whole_result.returncode == 1, whole_result.stdout + whole_result.stderr
    assert "manifests/pod.yaml:" in whole_result.stdout and "warning" in whole_result.stdout
    assert "whole repository when .guardlint.yaml changes" in whole_result.stdout
