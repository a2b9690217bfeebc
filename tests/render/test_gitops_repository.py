"""A GitOps repository as teams keep one, linted whole: a kustomize base with two overlays, a chart with its
own values sets, an Argo CD Application pointing at the chart, hand-written objects, a malformed file, an
outdated API and a custom resource without its CRD. Each is read, rendered or reported as the README and
docs/rendering.md say, at the line a person edits."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from guardlint.cli import main
from guardlint.render.helm import find_renderer
from tests.render.conftest import write

pytestmark = pytest.mark.skipif(
    find_renderer() is None or (shutil.which("kustomize") is None and shutil.which("kubectl") is None),
    reason="needs helm (or helm-python-sdk) and kustomize (or kubectl)",
)

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: example/api:1.2.3
"""

CHART_TEMPLATE = """apiVersion: apps/v1
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
          image: "nginx:1.27"
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
"""

FILES = {
    "base/kustomization.yaml": "resources: [deployment.yaml]\n",
    "base/deployment.yaml": DEPLOYMENT,
    "overlays/prod/kustomization.yaml": "namespace: prod\nresources: [../../base]\npatches:\n  - path: patch.yaml\n",
    "overlays/prod/patch.yaml": ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n"
                                "    spec:\n      containers:\n        - name: api\n          securityContext:\n"
                                "            privileged: true\n"),
    "overlays/staging/kustomization.yaml": (
        "namespace: staging\nresources: [../../base]\npatches:\n  - target: {kind: Deployment, name: api}\n"
        "    patch: |-\n      - op: add\n        path: /spec/template/spec/hostNetwork\n        value: true\n"),
    "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    "charts/web/values.yaml": "securityContext:\n  runAsNonRoot: true\n",
    "charts/web/ci/prod-values.yaml": "securityContext:\n  privileged: true\n",
    "charts/web/argo-values.yaml": "securityContext:\n  capabilities: {add: [SYS_ADMIN]}\n",
    "charts/web/templates/deployment.yaml": CHART_TEMPLATE,
    "argocd/web.yaml": (
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: web\n  namespace: argocd\nspec:\n"
        "  project: default\n  source:\n    repoURL: https://example.com/repo.git\n    path: charts/web\n"
        "    helm:\n      valueFiles: [argo-values.yaml]\n"
        "  destination: {server: https://kubernetes.default.svc, namespace: web}\n"),
    "manifests/debug.yaml": ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: debug\n  namespace: tools\nspec:\n"
                             "  hostPID: true\n  containers:\n    - name: sh\n      image: busybox:1.36\n"),
    "manifests/broken.yaml": ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: [1, 2\n---\n"
                              "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok, namespace: tools}\n"
                              "data: {b: c}\n"),
    "manifests/legacy.yaml": ("apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata:\n  name: legacy\n"
                              "  namespace: tools\nspec:\n  template:\n    metadata:\n      labels: {app: legacy}\n"
                              "    spec:\n      containers:\n        - name: legacy\n          image: example/l:0.9\n"),
    "manifests/widget.yaml": ("apiVersion: widgets.example.com/v1\nkind: Widget\nmetadata:\n  name: w1\n"
                              "  namespace: tools\nspec:\n  size: 3\n"),
}

RULES = "privileged-container,shared-host-namespace,dangerous-capability,removed-api,unknown-kind"


def test_every_part_of_the_repository_as_documented(repo: Path) -> None:
    write(repo, FILES)
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", ".", "--format", "json", "--select", RULES], out=out, err=err)
    assert code == 2, err.getvalue()  # the malformed file is an input error
    report = json.loads(out.getvalue())
    found: dict[tuple[str, str, int, int], dict[str, Any]] = {
        (f["rule"], f["file"], f["line"], f["column"]): f for f in report["findings"]}
    assert sorted(found) == sorted([
        # an outdated API: named with its release and replacement, at the apiVersion's value
        ("removed-api", "manifests/legacy.yaml", 1, 13),
        # overlays: on the strategic-merge patch line, and on the JSON 6902 operation in the kustomization
        ("privileged-container", "overlays/prod/patch.yaml", 11, 13),
        ("shared-host-namespace", "overlays/staging/kustomization.yaml", 8, 16),
        # the chart: rendered with values.yaml and ci/prod-values.yaml, on the values line the value comes from
        ("privileged-container", "charts/web/ci/prod-values.yaml", 2, 3),
        # hand-written
        ("shared-host-namespace", "manifests/debug.yaml", 7, 3),
        # custom resources without a CRD: once each, as information (the Argo CD Application is one of them)
        ("unknown-kind", "argocd/web.yaml", 2, 7),
        ("unknown-kind", "manifests/widget.yaml", 2, 7),
    ]), sorted(found)
    assert ("removed-api", "manifests/legacy.yaml", 1, 13) in found
    assert "was removed in Kubernetes 1.16; use apps/v1" in found[("removed-api", "manifests/legacy.yaml", 1, 13)][
        "message"]
    prod_patch = found[("privileged-container", "overlays/prod/patch.yaml", 11, 13)]
    assert prod_patch["rendered"]["mappedTo"] == "patch" and prod_patch["resource"]["namespace"] == "prod"
    assert ("shared-host-namespace", "overlays/staging/kustomization.yaml", 8, 16) in found
    values = found[("privileged-container", "charts/web/ci/prod-values.yaml", 2, 3)]
    assert values["rendered"]["mappedTo"] == "values" and values["rendered"]["valuesSets"] == ["ci/prod-values.yaml"]
    assert ("shared-host-namespace", "manifests/debug.yaml", 7, 3) in found
    assert {k[1] for k in found if k[0] == "unknown-kind"} == {"argocd/web.yaml", "manifests/widget.yaml"}
    # The Application's helm.valueFiles are not applied: guardlint renders the chart with its own values sets
    # (docs/rendering.md, Known limits), so argo-values.yaml's SYS_ADMIN reaches no finding.
    assert not [k for k in found if k[0] == "dangerous-capability"]
    # The rendered position is kept next to the source line, and it holds the reported field.
    for f in report["findings"]:
        if f.get("rendered") and f["rendered"].get("file"):
            rendered = Path(f["rendered"]["file"]).read_text().splitlines()[f["rendered"]["line"] - 1]
            assert f["path"].rsplit(".", 1)[-1] in rendered, (f["rule"], rendered)
    # The malformed file: a located error for its first document; its second document is still linted.
    (error,) = report["errors"]
    assert (error["kind"], error["file"]) == ("yaml-syntax-error", "manifests/broken.yaml")
    assert report["summary"]["resources"] >= 8
