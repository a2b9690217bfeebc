"""The resources pack's missing-object policy on runs over part of a repository.

Pre-commit passes only the changed files (``guardlint check --partial``), and charts reference objects that
live elsewhere. A cross-object rule of the pack reports an absent object only when the run is not partial
and the linted set holds objects of the referenced kind in that namespace; these tests show a hook run over
a subset of the files with no false "missing" report, and a correct report when the set is complete.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import guardlint
from guardlint.findings import Report

SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
    - port: 80
      targetPort: http
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
spec:
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: {name: web, port: {number: 80}}
"""

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      serviceAccountName: web
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - {name: http, containerPort: 8080}
          envFrom:
            - configMapRef: {name: web-config}
"""

RENAMED_DEPLOYMENT = DEPLOYMENT.replace("{app: web}", "{app: web-v2}")

SUPPORT = """apiVersion: v1
kind: ServiceAccount
metadata:
  name: web
  namespace: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: shop
data:
  LOG_LEVEL: info
"""

OTHER_SUPPORT = SUPPORT.replace("name: web\n", "name: api\n").replace("web-config", "api-config")

CROSS_OBJECT_RULES = {
    "service-selects-no-pods", "service-target-port-not-exposed", "backend-service-missing",
    "hpa-targets-nothing", "pdb-selects-no-pods", "network-policy-selects-no-pods",
    "missing-service-account", "missing-config-map", "missing-secret", "missing-persistent-volume-claim",
    "missing-pod-disruption-budget",
}


def _write(tmp_path: Path, files: dict[str, str]) -> list[Path]:
    paths = []
    for name, text in files.items():
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths


def _lint(paths: list[Path], *, partial: bool) -> Report:
    return guardlint.lint_paths(paths, partial=partial, select=["resources"], use_config_file=False,
                                extend_select=sorted(CROSS_OBJECT_RULES))


def _cross(report: Report) -> list[tuple[str, str]]:
    return sorted((f.rule, f.message) for f in report.active if f.rule in CROSS_OBJECT_RULES)


@pytest.mark.parametrize("partial", [True, False], ids=["partial", "full"])
def test_service_whose_deployment_is_not_passed(tmp_path: Path, partial: bool) -> None:
    service, _ = _write(tmp_path, {"service.yaml": SERVICE, "deployment.yaml": DEPLOYMENT})
    report = _lint([service], partial=partial)
    assert not report.errors
    assert report.resources == 2
    assert _cross(report) == []


@pytest.mark.parametrize("partial", [True, False], ids=["partial", "full"])
def test_deployment_whose_references_are_not_passed(tmp_path: Path, partial: bool) -> None:
    _, deployment, _ = _write(tmp_path, {"service.yaml": SERVICE, "deployment.yaml": DEPLOYMENT,
                                         "support.yaml": SUPPORT})
    assert _cross(_lint([deployment], partial=partial)) == []


def test_partial_run_never_judges_missing_even_with_the_kind_present(tmp_path: Path) -> None:
    # The set holds a ServiceAccount and a ConfigMap of other names: a full run may judge, a hook may not.
    paths = _write(tmp_path, {"deployment.yaml": DEPLOYMENT, "other.yaml": OTHER_SUPPORT})
    assert _cross(_lint(paths, partial=True)) == []
    assert {r for r, _ in _cross(_lint(paths, partial=False))} == {"missing-service-account", "missing-config-map"}


def test_complete_set_is_quiet_when_consistent(tmp_path: Path) -> None:
    paths = _write(tmp_path, {"service.yaml": SERVICE, "deployment.yaml": DEPLOYMENT, "support.yaml": SUPPORT})
    assert _cross(_lint(paths, partial=False)) == []


def test_complete_set_reports_a_real_mismatch(tmp_path: Path) -> None:
    paths = _write(tmp_path, {"service.yaml": SERVICE, "deployment.yaml": RENAMED_DEPLOYMENT, "support.yaml": SUPPORT})
    report = _lint(paths, partial=False)
    found = _cross(report)
    assert found == [
        ("service-selects-no-pods",
         "Service 'web' selects app=web, which matches no pod template among the linted workloads in its namespace"),
    ]
    finding = next(f for f in report.active if f.rule == "service-selects-no-pods")
    assert finding.file.endswith("service.yaml")
    assert finding.line == 7  # spec.selector
    # The same mismatch in a hook run over the same files stays quiet: the run is declared partial.
    assert _cross(_lint(paths, partial=True)) == []


def test_complete_set_reports_a_missing_service_behind_the_ingress(tmp_path: Path) -> None:
    other_service = SERVICE.split("---", maxsplit=1)[0].replace("name: web\n", "name: api\n", 1)
    ingress = "---".join(SERVICE.split("---")[1:])
    paths = _write(tmp_path, {"svc.yaml": other_service, "ingress.yaml": ingress, "deployment.yaml": DEPLOYMENT,
                              "support.yaml": SUPPORT})
    found = _cross(_lint(paths, partial=False))
    assert ("backend-service-missing",
            "Ingress 'web' sends traffic to Service 'web', which is not among the linted objects in namespace 'shop'") \
        in found
    assert _cross(_lint(paths[1:], partial=False)) == []  # no Service in the set: not judged


def test_duplicate_object_scope(tmp_path: Path) -> None:
    (tmp_path / "base").mkdir()
    (tmp_path / "overlay").mkdir()
    base = tmp_path / "base" / "deployment.yaml"
    overlay = tmp_path / "overlay" / "deployment.yaml"
    copy = tmp_path / "base" / "deployment-copy.yaml"
    for p in (base, overlay, copy):
        p.write_text(DEPLOYMENT, encoding="utf-8")
    config = tmp_path / ".guardlint.yaml"
    config.write_text("rules:\n  duplicate-object:\n    params:\n      scope: directory\n", encoding="utf-8")
    # Default scope (one file): variants in separate files are not duplicates.
    report = guardlint.lint_paths([base, copy], select=["duplicate-object"], use_config_file=False)
    assert [f for f in report.active if f.rule == "duplicate-object"] == []
    # Directory scope: a base and an overlay in different directories are not duplicates ...
    report = guardlint.lint_paths([base, overlay], select=["duplicate-object"], config=config)
    assert [f for f in report.active if f.rule == "duplicate-object"] == []
    # ... two files of one directory are.
    report = guardlint.lint_paths([base, copy], select=["duplicate-object"], config=config)
    dups = [f for f in report.active if f.rule == "duplicate-object"]
    assert len(dups) == 1
    assert dups[0].line == 4  # metadata.name of the later definition


def test_objects_without_namespace_are_judged_within_their_directory_tree(tmp_path: Path) -> None:
    unnamespaced_service = SERVICE.split("---", maxsplit=1)[0].replace("  namespace: shop\n", "")
    unnamespaced_other = RENAMED_DEPLOYMENT.replace("  namespace: shop\n", "")
    (tmp_path / "example-a").mkdir()
    (tmp_path / "example-b").mkdir()
    service = tmp_path / "example-a" / "service.yaml"
    service.write_text(unnamespaced_service, encoding="utf-8")
    elsewhere = tmp_path / "example-b" / "deployment.yaml"
    elsewhere.write_text(unnamespaced_other, encoding="utf-8")
    # A workload of another example directory says nothing about this one's pods.
    assert _cross(_lint([service, elsewhere], partial=False)) == []
    # A workload beside the Service does.
    beside = tmp_path / "example-a" / "deployment.yaml"
    beside.write_text(unnamespaced_other, encoding="utf-8")
    assert [r for r, _ in _cross(_lint([service, elsewhere, beside], partial=False))] == ["service-selects-no-pods"]
