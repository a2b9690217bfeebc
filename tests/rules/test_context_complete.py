"""``--context`` paths make a partial run complete for what they cover.

The pre-commit hook passes only the changed files with ``--partial``; ``args: [--context, deploy/]`` adds
the rest of the repository. Objects read from the context count as the complete set for the namespaces
they hold and, for objects without a namespace, for the directory trees given, so references from the
changed files are judged there, and only there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import guardlint

RULES = ["missing-secret", "service-selects-no-pods", "missing-config-map"]

POD = """apiVersion: v1
kind: Pod
metadata:
  name: api
{ns}spec:
  containers:
    - name: api
      image: example.com/api:1.0
      envFrom:
        - secretRef: {{name: api-credentials}}
"""
SECRET = """apiVersion: v1
kind: Secret
metadata:
  name: {name}
{ns}stringData: {{a: b}}
"""
SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: web
{ns}spec:
  selector: {{app: web}}
  ports: [{{port: 80}}]
"""


def _ns(namespace: str | None) -> str:
    return f"  namespace: {namespace}\n" if namespace else ""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for folder, ns in (("deploy/shop", "shop"), ("deploy/plain", None), ("other", "misc")):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "pod.yaml").write_text(POD.format(ns=_ns(ns)))
        (tmp_path / folder / "secret.yaml").write_text(SECRET.format(name="unrelated", ns=_ns(ns)))
        (tmp_path / folder / "service.yaml").write_text(SERVICE.format(ns=_ns(ns)))
    return tmp_path


def _rules(paths: list[str], context: list[str] = (), *, partial: bool = True) -> list[tuple[str, str]]:
    report = guardlint.lint_paths(paths, select=RULES, partial=partial, context=context, use_config_file=False)
    assert not report.errors
    return sorted((f.file, f.rule) for f in report.active)


def test_partial_run_without_context_judges_nothing(repo: Path) -> None:
    assert _rules(["deploy/shop/pod.yaml", "deploy/shop/service.yaml"]) == []


def test_context_covers_the_namespaces_it_holds(repo: Path) -> None:
    found = _rules(["deploy/shop/pod.yaml", "deploy/shop/service.yaml"], ["deploy/"])
    assert found == [
        ("deploy/shop/pod.yaml", "missing-secret"), ("deploy/shop/service.yaml", "service-selects-no-pods"),
    ]
    # A namespace the context does not hold stays unjudged in a partial run.
    assert _rules(["other/pod.yaml", "other/service.yaml"], ["deploy/"]) == []
    # A context file (not a folder) covers the namespaces of its objects.
    assert _rules(["other/pod.yaml"], ["other/secret.yaml"]) == [("other/pod.yaml", "missing-secret")]


def test_context_folders_cover_objects_without_a_namespace(repo: Path) -> None:
    assert _rules(["deploy/plain/pod.yaml"], ["deploy/"]) == [("deploy/plain/pod.yaml", "missing-secret")]
    assert _rules(["deploy/plain/pod.yaml"], ["deploy/shop"]) == []


def test_the_secret_in_the_context_satisfies_the_reference(repo: Path) -> None:
    (repo / "deploy/shop/secret.yaml").write_text(SECRET.format(name="api-credentials", ns=_ns("shop")))
    assert _rules(["deploy/shop/pod.yaml"], ["deploy/"]) == []


def test_a_full_run_is_unchanged_by_context(repo: Path) -> None:
    files = ["deploy/shop/pod.yaml", "deploy/shop/secret.yaml"]
    expected = [("deploy/shop/pod.yaml", "missing-secret")]
    assert _rules(files, partial=False) == expected == _rules(files, ["other"], partial=False)
