"""The one missing-object policy (``guardlint.model.missing``): results of cross-object rules never depend on
unrelated files of the same run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from guardlint.findings import Report

CLAIM_TEMPLATE = """apiVersion: resource.k8s.io/v1
kind: ResourceClaimTemplate
metadata:
  name: single-gpu
spec:
  spec:
    devices:
      requests:
        - name: gpu
          exactly:
            deviceClassName: gpu.nvidia.com
"""

POD = """apiVersion: v1
kind: Pod
metadata:
  name: infer
spec:
  resourceClaims:
    - name: gpu
      resourceClaimTemplateName: two-gpus
  containers:
    - name: server
      image: vllm/vllm-openai:v0.6.3
      resources:
        claims:
          - name: gpu
"""

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: dns
  namespace: kube-system
spec:
  replicas: 2
  selector:
    matchLabels: {app: dns}
  template:
    metadata:
      labels: {app: dns}
    spec:
      containers:
        - name: dns
          image: example.com/dns:1.0.0
"""

OTHER_PDB = """apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: metrics
  namespace: kube-system
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {app: metrics}
"""


def _write(root: Path, files: dict[str, str]) -> list[Path]:
    out = []
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
        out.append(p)
    return out


def _rules(report: Report) -> list[tuple[str, str]]:
    assert not report.errors
    return sorted((f.rule, Path(f.file).parent.name) for f in report.active)


def _lint(paths: list[Path], rule: str) -> Report:
    # The tree policy as it applies to loose files; kustomize folders are not rendered here (a Kustomization
    # that names a file outside its folder is one kustomize itself refuses to build).
    from guardlint.api import resolve_settings, run

    settings = resolve_settings(select=[rule], use_config_file=False, render=False)
    return run([str(p) for p in paths], settings)


def test_a_claim_template_in_a_sibling_folder_does_not_make_the_tree_complete(tmp_path: Path) -> None:
    paths = _write(tmp_path, {"a/template.yaml": CLAIM_TEMPLATE, "b/pod.yaml": POD})
    rule = "dra-claim-reference-missing"
    assert _rules(_lint(paths, rule)) == []
    assert _rules(_lint([tmp_path], rule)) == []
    # The same template beside the pod does.
    paths = _write(tmp_path, {"b/template.yaml": CLAIM_TEMPLATE})
    assert _rules(_lint([tmp_path / "b"], rule)) == [(rule, "b")]
    assert _rules(_lint([tmp_path], rule)) == [(rule, "b")]


def test_a_pdb_of_another_project_in_kube_system_does_not_make_the_namespace_complete(tmp_path: Path) -> None:
    _write(tmp_path, {"dns/deployment.yaml": DEPLOYMENT, "metrics/pdb.yaml": OTHER_PDB})
    rule = "missing-pod-disruption-budget"
    assert _rules(_lint([tmp_path / "dns"], rule)) == []
    assert _rules(_lint([tmp_path], rule)) == []
    # A PDB of the project itself, for other pods, does.
    _write(tmp_path, {"dns/pdb.yaml": OTHER_PDB})
    assert _rules(_lint([tmp_path / "dns"], rule)) == [(rule, "dns")]
    assert _rules(_lint([tmp_path], rule)) == [(rule, "dns")]


def test_a_kustomization_joins_sibling_folders_into_one_tree(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # the repository root: kustomize bases inside it are read
    _write(tmp_path, {
        "config/templates/template.yaml": CLAIM_TEMPLATE,
        "config/workload/pod.yaml": POD,
    })
    rule = "dra-claim-reference-missing"
    assert _rules(_lint([tmp_path], rule)) == []
    kustomization = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
    _write(tmp_path, {
        "config/templates/kustomization.yaml": kustomization + "  - template.yaml\n",
        "config/workload/kustomization.yaml": kustomization + "  - pod.yaml\n",
        "config/default/kustomization.yaml": kustomization + "  - ../templates\n  - ../workload\n",
    })
    assert ("dra-claim-reference-missing", "workload") in _rules(_lint([tmp_path], rule))


SAMPLE_ACCOUNT = """apiVersion: v1
kind: ServiceAccount
metadata:
  name: sample-a
"""

SAMPLE_SA = """apiVersion: v1
kind: ServiceAccount
metadata:
  name: sample-a
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data: {mode: a}
"""

SAMPLE_POD = """apiVersion: v1
kind: Pod
metadata:
  name: sample-b
spec:
  serviceAccountName: my-ksa
  containers:
    - name: app
      image: example.com/app:1.0.0
"""


def test_a_folder_of_independent_samples_is_no_evidence_for_each_sample(tmp_path: Path) -> None:
    # One sample's ServiceAccount beside another sample: the folder looks complete for ServiceAccounts.
    _write(tmp_path, {"samples/a.yaml": SAMPLE_SA, "samples/b.yaml": SAMPLE_POD})
    rule = "missing-service-account"
    assert _rules(_lint([tmp_path / "samples"], rule)) == [(rule, "samples")]
    # Two files defining the same object cannot be applied together: the folder holds alternatives, and a
    # sample's own file must show completeness.
    _write(tmp_path, {"samples/c.yaml": SAMPLE_SA.split("---\n", maxsplit=1)[1]})
    assert _rules(_lint([tmp_path / "samples"], rule)) == []
    assert _rules(_lint([tmp_path], rule)) == []
    # Evidence in the sample's own file still counts.
    _write(tmp_path, {"samples/b.yaml": SAMPLE_POD + "---\n" + SAMPLE_ACCOUNT})
    assert _rules(_lint([tmp_path / "samples"], rule)) == [(rule, "samples")]
    # A sibling folder's duplicates say nothing about this folder.
    _write(tmp_path, {"samples/c.yaml": SAMPLE_ACCOUNT.replace("sample-a", "sample-c"),
                      "other/x.yaml": SAMPLE_SA, "other/y.yaml": SAMPLE_SA})
    _write(tmp_path, {"samples/b.yaml": SAMPLE_POD})
    assert _rules(_lint([tmp_path / "samples"], rule)) == [(rule, "samples")]
    assert _rules(_lint([tmp_path], rule)) == [(rule, "samples")]


SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: exporter
  namespace: monitoring
spec:
  selector: {app: exporter}
  ports:
    - port: 9400
"""

ADAPTER = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: adapter
  namespace: monitoring
spec:
  selector:
    matchLabels: {app: adapter}
  template:
    metadata:
      labels: {app: adapter}
    spec:
      containers:
        - name: adapter
          image: example.com/adapter:1.0.0
"""

MONITOR = """apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: exporter
  namespace: monitoring
spec:
  selector:
    matchLabels: {app: exporter}
  endpoints:
    - port: metrics
"""


def test_variants_in_one_folder_are_no_evidence_for_a_shared_namespace(tmp_path: Path) -> None:
    files = {"hpa/service.yaml": SERVICE, "hpa/adapter.yaml": ADAPTER}
    _write(tmp_path, files)
    rule = "service-selects-no-pods"
    assert _rules(_lint([tmp_path / "hpa"], rule)) == [(rule, "hpa")]
    # `-gke` and `-generic` variants of one ServiceMonitor: the folder holds alternatives for the reader to pick.
    _write(tmp_path, {"hpa/monitor-gke.yaml": MONITOR, "hpa/monitor-generic.yaml": MONITOR})
    assert _rules(_lint([tmp_path / "hpa"], rule)) == []
    assert _rules(_lint([tmp_path], rule)) == []


SHOP_WEB = """apiVersion: apps/v1
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
      containers:
        - name: web
          image: nginx:1.27
"""


def test_absence_of_a_kind_is_judged_only_where_the_namespace_is_seen_completely(tmp_path: Path) -> None:
    from guardlint.api import resolve_settings, run

    web, _ = _write(tmp_path, {"app/web.yaml": SHOP_WEB,
                               "app/settings.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n"
                                                    "  namespace: shop\ndata: {mode: fast}\n"})
    rule = "namespace-without-network-policy"

    def findings(*, context: tuple[str, ...] = (), **kwargs: Any) -> list[tuple[str, str]]:
        settings = resolve_settings(select=[rule], use_config_file=False, render=False, **kwargs)
        return _rules(run([str(web)], settings, context=context))

    assert findings() == [(rule, "app")]
    assert findings(partial=True) == []  # pre-commit: the namespace may hold policies in unchanged files
    assert findings(partial=True, context=(str(tmp_path / "app"),)) == [(rule, "app")]  # --context covers it
    config = tmp_path / "known.yaml"
    config.write_text("known-objects:\n  - {kind: NetworkPolicy, name: default-deny, namespace: shop}\n")
    assert findings(config=str(config)) == []
    other = tmp_path / "other.yaml"
    other.write_text("known-objects:\n  - {kind: NetworkPolicy, name: default-deny, namespace: billing}\n")
    assert findings(config=str(other)) == [(rule, "app")]


def test_a_kustomization_makes_a_folder_one_application_even_with_duplicates(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    _write(tmp_path, {"app/a.yaml": SAMPLE_SA, "app/b.yaml": SAMPLE_POD,
                      "app/c.yaml": SAMPLE_SA.split("---\n", maxsplit=1)[1]})
    rule = "missing-service-account"
    assert _rules(_lint([tmp_path / "app"], rule)) == []
    _write(tmp_path, {"app/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                                                "resources: [a.yaml, b.yaml]\n"})
    assert _rules(_lint([tmp_path / "app"], rule)) == [(rule, "app")]


KEYED_SECRET = """apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  password: change-me
"""

KEY_READER = """apiVersion: v1
kind: Pod
metadata:
  name: reader
spec:
  containers:
    - name: app
      image: example.com/app:1.0.0
      env:
        - name: USER
          valueFrom:
            secretKeyRef: {name: db, key: username}
"""


def test_a_sibling_projects_secret_does_not_decide_a_key_reference(tmp_path: Path) -> None:
    _write(tmp_path, {"one/secret.yaml": KEYED_SECRET, "two/pod.yaml": KEY_READER})
    rule = "referenced-key-missing"
    assert _rules(_lint([tmp_path], rule)) == []
    assert _rules(_lint([tmp_path / "two"], rule)) == []
    _write(tmp_path, {"two/secret.yaml": KEYED_SECRET})
    assert _rules(_lint([tmp_path], rule)) == [(rule, "two")]
    assert _rules(_lint([tmp_path / "two"], rule)) == [(rule, "two")]


def test_in_a_folder_of_alternatives_only_the_own_files_object_decides_its_keys(tmp_path: Path) -> None:
    rule = "referenced-key-missing"
    _write(tmp_path, {"samples/secret.yaml": KEYED_SECRET, "samples/pod.yaml": KEY_READER})
    assert _rules(_lint([tmp_path / "samples"], rule)) == [(rule, "samples")]
    # Another sample defines the same ConfigMap: the folder holds alternatives, and the Secret beside the pod may
    # be another sample's.
    _write(tmp_path, {"samples/x.yaml": SAMPLE_SA, "samples/y.yaml": SAMPLE_SA})
    assert _rules(_lint([tmp_path / "samples"], rule)) == []
    _write(tmp_path, {"samples/pod.yaml": KEY_READER + "---\n" + KEYED_SECRET})
    assert _rules(_lint([tmp_path / "samples"], rule)) == [(rule, "samples")]


def _web(replicas: str = "") -> str:
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:{replicas}
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
        - name: web
          image: example.com/web:2.0.0
"""


def _web_hpa(minimum: int) -> str:
    return f"""apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
  namespace: shop
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web}}
  minReplicas: {minimum}
  maxReplicas: 10
"""


def test_an_autoscaler_of_an_alternative_file_scales_only_its_own_files_workload(tmp_path: Path) -> None:
    # Golden outputs: each file renders the same Deployment with its own autoscaler. The autoscaler with a
    # minimum of 3 belongs to its own file's Deployment; the other file's Deployment runs one replica.
    _write(tmp_path, {"golden/default.yaml": _web() + "---\n" + _web_hpa(1),
                      "golden/scaled.yaml": _web() + "---\n" + _web_hpa(3)})
    files = sorted(f.file.rsplit("/", 1)[-1] for f in _lint([tmp_path / "golden"], "replicas-not-spread").active)
    assert files == ["scaled.yaml"]
    # A file that renders only the autoscaler, beside a file whose Deployment has its own autoscaler of that name.
    _write(tmp_path, {"golden/scaled.yaml": _web_hpa(3)})
    assert not _lint([tmp_path / "golden"], "replicas-not-spread").active
    # An autoscaler whose file renders its own Deployment is not another file's autoscaler either.
    _write(tmp_path, {"golden/default.yaml": _web(), "golden/scaled.yaml": _web() + "---\n" + _web_hpa(3)})
    files = sorted(f.file.rsplit("/", 1)[-1] for f in _lint([tmp_path / "golden"], "replicas-below-minimum").active)
    assert files == ["default.yaml"]


def test_an_autoscaler_in_a_file_of_its_own_scales_each_alternative(tmp_path: Path) -> None:
    # A CPU and a GPU variant of one Deployment, and an hpa.yaml for whichever is applied: it scales both.
    _write(tmp_path, {"app/serving-cpu.yaml": _web("\n  replicas: 1"), "app/serving-gpu.yaml": _web("\n  replicas: 1"),
                      "app/hpa.yaml": _web_hpa(3)})
    for rule in ("replicas-managed-by-hpa", "replicas-not-spread"):
        files = sorted(f.file.rsplit("/", 1)[-1] for f in _lint([tmp_path / "app"], rule).active)
        assert files == ["serving-cpu.yaml", "serving-gpu.yaml"], rule
