"""The shortcuts that make the hottest rules of the resources and security packs cheap are exact.

Each test is built so that a shortcut that skipped something it must not (a fragment judged too late or
not at all, a LimitRange, a pod in a custom resource or made by an operator, an alias, two quantities that
Python calls equal but the API does not) would change the findings. The counting tests pin the structural
win itself: work that was done for every object is now done only where a finding is possible.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import guardlint
from guardlint.findings import Report
from tests.helpers import settings_for

MISSING = ["missing-cpu-request", "missing-memory-request", "missing-cpu-limit", "missing-memory-limit"]

RESOURCES = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: whole, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: app
          image: nginx:1.27
          resources:
            requests: {memory: 64Mi}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: patched, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: app
          image: nginx:1.27
          resources:
            $patch: replace
            requests: {memory: 64Mi}
---
apiVersion: v1
kind: LimitRange
metadata: {name: cpu-defaults, namespace: shop}
spec:
  limits:
    - type: Container
      defaultRequest: {cpu: 100m}
      default: {cpu: 500m}
---
apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: train, namespace: lab}
spec:
  pytorchReplicaSpecs:
    Master:
      replicas: 1
      template:
        spec:
          containers:
            - name: pytorch
              image: pytorch/pytorch:2.4.0
              resources:
                limits: {memory: 8Gi}
---
apiVersion: v1
kind: Pod
metadata: {name: shared, namespace: lab}
spec:
  containers:
    - name: a
      image: busybox:1.36
      resources: &full
        requests: {cpu: 100m, memory: 64Mi}
        limits: {cpu: 100m, memory: 64Mi}
    - name: b
      image: busybox:1.36
      resources: *full
    - name: c
      image: busybox:1.36
      resources: &memonly
        requests: {memory: 64Mi}
    - name: d
      image: busybox:1.36
      resources: *memonly
---
apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {name: etl, namespace: lab}
spec:
  type: Scala
  mode: cluster
  image: spark:3.5.1
  mainApplicationFile: local:///opt/app.jar
  sparkVersion: "3.5.1"
  driver:
    cores: 1
    memory: 4g
  executor:
    instances: 2
    memory: 16g
"""


def _found(report: Report) -> list[tuple[str, int, int]]:
    return sorted((f.rule, f.location.line, f.location.column) for f in report.findings)


def test_missing_requests_and_limits_judge_every_kind_of_pod() -> None:
    found = _found(guardlint.lint_text(RESOURCES, "app.yaml", select=MISSING))
    assert found == sorted([
        # The LimitRange of namespace shop supplies cpu, not memory; the patched Deployment is a fragment.
        ("missing-memory-limit", 10, 11),
        # A pod in a custom resource.
        ("missing-cpu-request", 47, 15),
        ("missing-cpu-limit", 48, 17),
        # Containers c and d share one mapping; d's findings are placed at its alias.
        ("missing-memory-limit", 65, 7), ("missing-cpu-limit", 65, 7), ("missing-cpu-request", 66, 9),
        ("missing-memory-limit", 69, 7), ("missing-cpu-limit", 69, 7), ("missing-cpu-request", 69, 18),
        # Pods made by the Spark operator: the driver's and executor's cpu limit (coreLimit) is unset.
        ("missing-cpu-limit", 80, 3), ("missing-cpu-limit", 83, 3),
    ])


def test_a_fragment_is_excused_even_when_asked_late() -> None:
    """The `$patch` directive alone keeps the patched Deployment quiet: without it, it is reported."""
    whole = RESOURCES.replace("            $patch: replace\n", "")
    found = _found(guardlint.lint_text(whole, "app.yaml", select=["missing-memory-limit"]))
    assert ("missing-memory-limit", 22, 11) in found
    found = _found(guardlint.lint_text(RESOURCES, "app.yaml", select=["missing-memory-limit"]))
    assert [f for f in found if f[1] < 40] == [("missing-memory-limit", 10, 11)]


def _deployments(n: int, *, cpu: bool) -> Iterator[str]:
    for i in range(n):
        requests = "{cpu: 100m, memory: 64Mi}" if cpu or i else "{memory: 64Mi}"
        yield f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: d{i}, namespace: shop}}
spec:
  template:
    spec:
      containers:
        - name: app
          image: nginx:1.27
          readinessProbe: {{httpGet: {{port: 80}}}}
          resources:
            requests: {requests}
"""


@pytest.mark.parametrize("rule", ["missing-cpu-request", "missing-readiness-probe"])
def test_fragments_are_looked_for_only_where_a_finding_is_possible(
    rule: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether an object is a patch is asked only of objects with a container that lacks the value."""
    from guardlint.model import patches

    asked: list[Any] = []
    real = patches.is_patch

    def counting(resource: Any, index: Any) -> bool:
        asked.append(resource)
        return real(resource, index)

    monkeypatch.setattr(patches, "is_patch", counting)
    report = guardlint.lint_text("---\n".join(_deployments(20, cpu=True)), "app.yaml", select=[rule])
    assert not report.findings
    assert asked == []
    report = guardlint.lint_text("---\n".join(_deployments(20, cpu=False)), "app.yaml", select=[rule])
    if rule == "missing-cpu-request":
        assert [f.rule for f in report.findings] == [rule]
        assert [r.name for r in asked] == ["d0"]
    else:
        assert not report.findings
        assert asked == []


def test_a_fragment_is_decided_once_per_object_and_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every "missing" rule asks whether an object lacking its value is a fragment: the answer is computed once
    per object and run (``_common.is_partial_object``'s memo), and the reports are those of computing it on
    every question (the memo bypassed: a context whose pod-template table is not the memo's)."""
    from guardlint.model import patches
    from guardlint.rules.resources import _common

    asked: list[Any] = []
    real = patches.incomplete_workload

    def counting(resource: Any, workloads: Any) -> bool:
        asked.append(resource.name)
        return real(resource, workloads)

    monkeypatch.setattr(patches, "incomplete_workload", counting)
    text = "---\n".join([*_deployments(6, cpu=False), RESOURCES])
    rules = [*MISSING, "missing-memory-request", "missing-liveness-probe", "missing-readiness-probe",
             "missing-startup-probe", "missing-ephemeral-storage-request", "duplicate-object"]
    memoized = guardlint.lint_text(text, "app.yaml", select=rules)
    assert asked and len(asked) == len(set(asked))  # several rules asked about d0 and the patch: once each
    asked.clear()

    class Unshared(_common._PartialMemo):
        def __init__(self) -> None:
            super().__init__()
            self.workloads = object()  # type: ignore[assignment]  # never the run's table: nothing kept

    monkeypatch.setattr(_common, "_PartialMemo", Unshared)
    plain = guardlint.lint_text(text, "app.yaml", select=rules)
    assert len(asked) > len(set(asked))
    assert _found(plain) == _found(memoized) and memoized.findings


QUANTITIES = """\
apiVersion: v1
kind: Pod
metadata: {name: huge}
spec:
  containers:
    - name: same-text
      image: busybox:1.36
      resources:
        requests: {cpu: 500m, hugepages-2Mi: 1Gi}
        limits: {cpu: 500m, hugepages-2Mi: 1Gi}
    - name: same-value
      image: busybox:1.36
      resources:
        requests: {cpu: 1, hugepages-2Mi: 1024Mi}
        limits: {cpu: "1", hugepages-2Mi: 1Gi}
    - name: equal-in-python-only
      image: busybox:1.36
      resources:
        requests: {hugepages-2Mi: 9223372036854775808}
        limits: {hugepages-2Mi: 9.223372036854775808e+18}
    - name: above
      image: busybox:1.36
      resources:
        requests: {cpu: "2"}
        limits: {cpu: "1"}
"""


def test_a_request_written_as_its_limit_is_not_parsed_but_python_equality_is_not_enough() -> None:
    """``9223372036854775808 == 9.223372036854775808e+18`` in Python (2**63, an unsigned 64-bit integer to
    Kubernetes' YAML decoder, and the float that is exactly 2**63), but the API reads the float through its
    shortest decimal text (9223372036854776000): a shortcut on ``==`` alone would hide that the huge-pages
    request differs from the limit."""
    report = guardlint.lint_text(QUANTITIES, "pod.yaml", select=["request-exceeds-limit", "limit-far-above-request"])
    assert [(f.rule, f.location.line, f.message.split(" requests ")[0]) for f in report.findings] == [
        ("request-exceeds-limit", 19, "container 'equal-in-python-only'"),
        ("request-exceeds-limit", 24, "container 'above'"),
    ]


def test_a_limit_written_as_its_request_is_still_above_a_ratio_below_one() -> None:
    settings = settings_for(["limit-far-above-request"], {"limit-far-above-request": {"cpu-ratio": 0.5}})
    report = guardlint.lint_text(QUANTITIES, "pod.yaml", settings=settings)
    assert [(f.location.line, f.message) for f in report.findings] == [
        (10, "container 'same-text' limits cpu to 500m, 1 times its request of 500m (at most 0.5 allowed)"),
        (15, "container 'same-value' limits cpu to 1, 1 times its request of 1 (at most 0.5 allowed)"),
    ]


CREDENTIALS = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data:
  FOO_CODE: hunter2-but-longer
  DB_PASSWORD: hunter2-but-longer
---
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
    - name: app
      image: busybox:1.36
      env:
        - {name: FOO_CODE, value: hunter2-but-longer}
        - {name: DB_PASSWORD, value: hunter2-but-longer}
"""


def test_credential_names_are_shared_per_run_but_kept_apart_per_parameters() -> None:
    """The run builds one name matcher per set of words: a rule with its own words gets its own."""
    settings = settings_for(
        ["credentials-in-configmap", "secret-in-env-value"],
        {"credentials-in-configmap": {"secret-words": ["FOO"]}},
    )
    report = guardlint.lint_text(CREDENTIALS, "app.yaml", settings=settings)
    assert sorted((f.rule, f.location.line) for f in report.findings) == [
        ("credentials-in-configmap", 5),
        ("secret-in-env-value", 17),
    ]


ROLE = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: shop}
rules:
  - {apiGroups: [""], resources: [pods, secrets], verbs: [get, list]}
  - {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
"""


def test_per_object_tables_are_usable_in_a_pool_share() -> None:
    """A process of a ``--jobs`` pool has no run-wide index: the per-run tables of Roles' rules and of
    credential-name matchers remember what one object (or the parameters) alone decides, so a share keeps
    them (``ResourceIndex.object_memo``) instead of handing the rule to the parent."""
    from guardlint.model.resource import resources_of
    from guardlint.parallel import _NoIndex
    from guardlint.rules.security._common import credential_names
    from guardlint.rules.security._rbac import policy_rules, role_rules
    from guardlint.source.loader import load_text

    role = next(resources_of(load_text(ROLE, "role.yaml", nodes=False).documents[0]))
    share: Any = _NoIndex()
    first = role_rules(role, share)
    assert first == tuple(policy_rules(role))
    assert [r.resources for r in first] == [("pods", "secrets"), ("*",)]
    assert role_rules(role, share) is first  # read once
    names = credential_names(share, ("PASSWORD",), ("FILE",))
    assert names("DB_PASSWORD") and not names("DB_PASSWORD_FILE")
    assert credential_names(share, ("PASSWORD",), ("FILE",)) is names


def test_a_service_selects_some_pod_exactly_when_its_pod_list_is_not_empty() -> None:
    """``service-selects-no-pods`` stops at the first selected pod; the answer is the full list's."""
    from guardlint.engine import Run
    from guardlint.model.selection import pods_selected_by_service, service_selector, service_selects_any_pod
    from guardlint.source.loader import load_text
    from tests.helpers import FIXTURES, default_settings

    files = sorted(p for rule in ("service-selects-no-pods", "service-target-port-not-exposed", "pdb-selects-no-pods")
                   for p in (FIXTURES / rule).rglob("*.yaml"))
    run = Run([load_text(p.read_text(), str(p), nodes=False) for p in files], default_settings().plan)
    answers = []
    for service in run.resources:
        selector = service_selector(service) if service.kind == "Service" else None
        if selector is not None:
            full = pods_selected_by_service(run.ctx, service, selector)
            assert service_selects_any_pod(run.ctx, service, selector) == bool(full)
            answers.append(bool(full))
    assert True in answers and False in answers


@pytest.mark.parametrize(("field", "text"), [
    ("metadata.managedFields", "  managedFields: [{manager: kubectl}]\n"),
    ("metadata.uid", "  uid: 5e1f0c3a-1b2c-4d5e-8f90-123456789abc\n"),
    ("metadata.resourceVersion", '  resourceVersion: "12345"\n'),
    ("metadata.creationTimestamp", '  creationTimestamp: "2024-01-01T00:00:00Z"\n'),
    ("metadata.selfLink", "  selfLink: /api/v1/namespaces/default/configmaps/c\n"),
    ("metadata.generation", "  generation: 3\n"),
    ("last-applied-configuration", "  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{}x'\n"),
    ("status", None),
])
def test_each_server_set_field_alone_is_found(field: str, text: str | None) -> None:
    """``exported-live-object`` leaves objects without any of the fields at once; each one alone is enough."""
    doc = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n" + (text or "") + (
        "status: {phase: Active}\n" if text is None else "")
    report = guardlint.lint_text(doc, "c.yaml", select=["exported-live-object"])
    assert [f.message.split(": ")[0] for f in report.findings] == [f"the manifest carries {field}"]


def test_an_object_without_server_set_values_is_not_reported() -> None:
    doc = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  generation: 0\n"
           "  annotations: {example.com/note: x}\nstatus: {}\n")
    assert not guardlint.lint_text(doc, "c.yaml", select=["exported-live-object"]).findings


def test_bounds_apply_per_resource_name_from_either_parameter() -> None:
    """``resource-out-of-bounds`` reads only the values of resources that have a bound; a name bounded only by
    ``max`` (or only by ``min``) is still judged."""
    pod = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: app
      image: busybox:1.36
      resources:
        requests: {cpu: 50m, memory: 2Gi, ephemeral-storage: 100Ti, example.com/widget: 3}
        limits: {cpu: 50m, memory: 512Mi, example.com/widget: 7}
"""
    settings = settings_for(["resource-out-of-bounds"], {"resource-out-of-bounds": {
        "min": {"cpu": "100m"}, "max": {"memory": "1Gi", "example.com/widget": 5}}})
    report = guardlint.lint_text(pod, "p.yaml", settings=settings)
    assert [(f.location.line, f.message.split(", ")[0]) for f in report.findings] == [
        (9, "container 'app' has a cpu request of 50m"),
        (9, "container 'app' has a memory request of 2Gi"),
        (10, "container 'app' has a cpu limit of 50m"),
        (10, "container 'app' has a example.com/widget limit of 7"),
    ]


def _reference_credential_name(name: str, words: tuple[str, ...], ignored: tuple[str, ...]) -> bool:
    """The matching as first written: every word sequence against every window of the name's words."""
    import re

    from guardlint.rules.security._common import name_words

    found = name_words(name)
    if not found or found[-1] in {s.upper() for s in ignored}:
        return False
    for word in words:
        seq = tuple(w.upper() for w in re.split(r"[_\-. ]+", word) if w)
        n = len(seq)
        if n and any(tuple(found[i : i + n]) == seq for i in range(len(found) - n + 1)):
            return True
    return False


@pytest.mark.parametrize("words", [
    None, ("token",), ("API_KEY", "access key", "x"), ("a.b.c", "B", "--"),
])
def test_credential_names_match_as_every_window_does(words: tuple[str, ...] | None) -> None:
    """One-word sequences are tested as a set: the verdicts are those of comparing every window."""
    from guardlint.rules.security._common import DEFAULT_IGNORED_SUFFIXES, DEFAULT_SECRET_WORDS, CredentialNames

    secret = DEFAULT_SECRET_WORDS if words is None else words
    names = CredentialNames(secret, DEFAULT_IGNORED_SUFFIXES)
    samples = [
        "DB_PASSWORD", "dbPassword", "PASSWORD_FILE", "API_KEY", "apiKey", "KEY_API", "API_KEY_ID", "MY_API_KEY_2",
        "ACCESS_KEY", "accessKeyId", "PRIVATEKEY", "private-key", "SECRET", "secretKeyRef", "TOKEN_TTL", "token",
        "AUTH", "authKey", "x", "A_B_C", "a.b.c", "b", "ABC", "", "_", "PASS", "CREDENTIALS_JSON", "GH_TOKEN_2",
    ]
    for name in samples:
        assert names(name) == _reference_credential_name(name, secret, DEFAULT_IGNORED_SUFFIXES), name


REFERENCES = """\
apiVersion: v1
kind: ServiceAccount
metadata: {name: runner, namespace: shop}
imagePullSecrets:
  - name: sa-pull
---
apiVersion: v1
kind: ConfigMap
metadata: {name: present, namespace: shop}
---
apiVersion: v1
kind: Secret
metadata: {name: present, namespace: shop}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: present, namespace: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      serviceAccountName: robot
      serviceAccount: other
      imagePullSecrets: [{name: pull}]
      volumes:
        - name: all
          configMap: {name: cm-vol}
          secret: {secretName: s-vol}
          persistentVolumeClaim: {claimName: data}
          projected:
            sources:
              - configMap: {name: cm-proj}
                secret: {name: s-proj}
              - secret: {name: s-proj2, optional: true}
        - configMap: {name: cm-unnamed-vol}
      containers:
        - name: app
          image: nginx:1.27
          env:
            - name: A
              valueFrom:
                configMapKeyRef: {name: cm-env, key: a}
                secretKeyRef: {name: s-env, key: b}
            - name: B
              valueFrom: {secretKeyRef: {name: present, key: c}}
          envFrom:
            - configMapRef: {name: cm-from}
              secretRef: {name: s-from}
      initContainers:
        - name: init
          image: busybox:1.36
          envFrom: [{secretRef: {name: s-init}}]
"""

MISSING_REFERENCES = ["missing-config-map", "missing-secret", "missing-persistent-volume-claim",
                      "missing-service-account"]


def test_one_walk_finds_every_reference_of_every_kind_in_field_order() -> None:
    """The four missing-object rules share one walk per object: each kind's references in the order of the
    pod's fields (init containers before containers), optional ones left out, a ServiceAccount's
    ``imagePullSecrets`` included; the memo holds no table for objects without pods."""
    from guardlint.engine import Run
    from guardlint.rules.resources._refs import object_references
    from guardlint.source.loader import load_text
    from tests.helpers import default_settings

    run = Run([load_text(REFERENCES, "app.yaml", nodes=False)], default_settings().plan)
    found = {r.kind: {k: [name for _, name, _ in refs] for k, refs in object_references(r, run.ctx).items()}
             for r in run.resources}
    assert found == {
        "ServiceAccount": {"Secret": ["sa-pull"]},
        "ConfigMap": {}, "Secret": {}, "PersistentVolumeClaim": {},
        "Deployment": {
            "ServiceAccount": ["robot"],
            "Secret": ["pull", "s-vol", "s-proj", "s-init", "s-env", "present", "s-from"],
            "ConfigMap": ["cm-vol", "cm-proj", "cm-unnamed-vol", "cm-env", "cm-from"],
            "PersistentVolumeClaim": ["data"],
        },
    }
    report = guardlint.lint_text(REFERENCES, "app.yaml", select=MISSING_REFERENCES)
    assert sorted((f.rule, f.location.line) for f in report.findings) == sorted([
        ("missing-secret", 5), ("missing-service-account", 25), ("missing-secret", 27),
        ("missing-config-map", 30), ("missing-secret", 31), ("missing-persistent-volume-claim", 32),
        ("missing-config-map", 35), ("missing-secret", 36), ("missing-config-map", 38), ("missing-config-map", 45),
        ("missing-secret", 46), ("missing-config-map", 50), ("missing-secret", 51), ("missing-secret", 55),
    ])


WORKLOAD = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: NAME, namespace: shop}
spec:
  selector: {matchLabels: {app: NAME}}
  template:
    metadata: {labels: {app: NAME}}
    spec:
      containers: [{name: app, image: example.com/app:1.0.0}]
"""

CLUSTER_POLICY = """\
apiVersion: crd.projectcalico.org/v1
kind: GlobalNetworkPolicy
metadata: {name: NAME}
spec: {selector: all()}
"""


def test_a_cluster_policy_counts_in_the_workloads_tree_only(tmp_path: Any) -> None:
    """``namespace-without-network-policy`` finds cluster-wide policies through the kind's tree set (one lookup
    per workload instead of a comparison with every policy): in an ancestor or descendant folder, the same folder
    or the same file they count, whatever namespace they name; in a sibling folder they do not."""
    files = {
        "apps/ancestor/team/deploy.yaml": WORKLOAD.replace("NAME", "under-ancestor"),
        "apps/ancestor/policy.yaml": CLUSTER_POLICY.replace("NAME", "up"),
        "apps/descendant/deploy.yaml": WORKLOAD.replace("NAME", "above-descendant"),
        "apps/descendant/deep/er/policy.yaml": CLUSTER_POLICY.replace("NAME", "down"),
        "apps/same/deploy.yaml": WORKLOAD.replace("NAME", "same-folder") + "---\n" + CLUSTER_POLICY.replace(
            "{name: NAME}", "{name: named, namespace: elsewhere}"),
        "apps/sibling/deploy.yaml": WORKLOAD.replace("NAME", "sibling"),
        "apps/other/policy.yaml": CLUSTER_POLICY.replace("NAME", "unrelated"),
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    report = guardlint.lint_paths([tmp_path], use_config_file=False, select=["namespace-without-network-policy"])
    assert [f.message.split(" runs ")[0] for f in report.findings] == ["Deployment 'sibling'"]


def test_cluster_policies_are_not_compared_with_every_workload(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """N workloads and N cluster-wide policies in unrelated folders: no pairwise tree comparison (it was N*N)."""
    from guardlint.model.index import ResourceIndex

    n = 24
    for i in range(n):
        (tmp_path / f"app{i}").mkdir()
        (tmp_path / f"app{i}" / "deploy.yaml").write_text(WORKLOAD.replace("NAME", f"w{i}"))
        (tmp_path / f"net{i}").mkdir()
        (tmp_path / f"net{i}" / "policy.yaml").write_text(CLUSTER_POLICY.replace("NAME", f"p{i}"))
    compared: list[int] = []
    real = ResourceIndex.same_tree

    def counting(self: ResourceIndex, a: Any, b: Any) -> bool:
        compared.append(1)
        return real(self, a, b)

    monkeypatch.setattr(ResourceIndex, "same_tree", counting)
    report = guardlint.lint_paths([tmp_path], use_config_file=False, select=["namespace-without-network-policy"])
    assert len(report.findings) == n
    assert len(compared) < n  # the pairwise version made n * n = 576 comparisons


# --- shell patterns without regular expressions ----------------------------------------------------------

GLOB_CASES = [
    ("nvidia.com/gpu.product", "nvidia.com/gpu.*"), ("nvidia.com/gpu", "nvidia.com/gpu.*"),
    ("cloud.google.com/gke-tpu-topology", "cloud.google.com/gke-tpu-*"), ("abc", "a*c"), ("ac", "a*c"),
    ("a", "a*a"), ("aa", "a*a"), ("aXbXa", "a*b*a"), ("abab", "*ab*ab*"), ("aba", "*ab*ab*"), ("x\ny", "x*y"),
    ("", ""), ("", "*"), ("a", ""), ("kube-system", "*-system"), ("gpu-operator", "gpu-operator"),
    ("nvcr.io/nvidia/k8s-device-plugin:v0.17", "nvcr.io/nvidia/*"), ("a/b/c", "a*c"), ("abc", "**"),
    ("abc", "a**c"), ("abc", "?bc"), ("abc", "[ab]bc"), ("a[c", "a[c"), ("a?c", "a?c"), ("ab", "a?c"),
]


@pytest.mark.parametrize(("text", "pattern"), GLOB_CASES)
def test_glob_match_is_fnmatchcase(text: str, pattern: str) -> None:
    import fnmatch

    from guardlint.model.glob import glob_match

    assert glob_match(text, pattern) == fnmatch.fnmatchcase(text, pattern)


def test_glob_match_is_fnmatchcase_on_generated_text() -> None:
    """Every text and pattern over a small alphabet (where overlaps and repeats are common), up to 5 and 4
    characters: the string-method match agrees with ``fnmatch`` on all of them."""
    import fnmatch
    import itertools

    from guardlint.model.glob import glob_match

    texts = ["".join(p) for n in range(6) for p in itertools.product("ab.", repeat=n)]
    patterns = ["".join(p) for n in range(5) for p in itertools.product("ab*", repeat=n)]
    for pattern in patterns:
        for text in texts:
            assert glob_match(text, pattern) == fnmatch.fnmatchcase(text, pattern), (text, pattern)


def test_the_gpu_node_labels_are_matched_without_compiling_a_pattern(monkeypatch: pytest.MonkeyPatch) -> None:
    """The GPU pack's default node labels (``*`` patterns only) never reach ``fnmatch``, which would compile
    each into a regular expression on a small run's first use."""
    import fnmatch

    from guardlint.rules.gpu._support import DEFAULT_GPU_NODE_LABELS, label_matches

    def refuse(*args: Any) -> bool:
        raise AssertionError("fnmatch used")

    monkeypatch.setattr(fnmatch, "fnmatchcase", refuse)
    assert label_matches("nvidia.com/gpu.product", DEFAULT_GPU_NODE_LABELS)
    assert label_matches("cloud.google.com/gke-accelerator", DEFAULT_GPU_NODE_LABELS)
    assert not label_matches("kubernetes.io/hostname", DEFAULT_GPU_NODE_LABELS)


# --- selectors: few candidates, partial runs ---------------------------------------------------------------

SELECTED = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: NAME, namespace: NS}
spec:
  replicas: 2
  selector: {matchLabels: {app: NAME}}
  template:
    metadata: {labels: {app: NAME, team: core}}
    spec:
      containers: [{name: app, image: example.com/app:1.0.0}]
---
apiVersion: v1
kind: Service
metadata: {name: NAME, namespace: NS}
spec:
  selector: {app: NAME}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: NAME-team, namespace: NS}
spec:
  selector: {team: core}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: NAME-typo, namespace: NS}
spec:
  selector: {app: NAME-tpyo}
  ports: [{port: 80}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: NAME, namespace: NS}
spec:
  minAvailable: 1
  selector: {matchLabels: {team: core, app: OTHER}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: NAME, namespace: NS}
spec:
  podSelector: {matchLabels: {app: OTHER}}
  ingress: [{from: [{podSelector: {matchLabels: {app: OTHER}}}]}]
"""
"""A workload with Services, a budget and a policy whose selectors match it, match a sibling's pods
(``OTHER``: in another folder, namespace or Kustomization) or match nothing."""

SELECTOR_RULES = ["service-selects-no-pods", "pdb-selects-no-pods", "network-policy-selects-no-pods",
                  "network-policy-peer-selects-no-pods", "missing-pod-disruption-budget", "pdb-allows-no-disruption"]


def _selector_tree(root: Any) -> None:
    """Pods of one label in the same folder, a sibling folder, a parent, a child, another namespace, and two
    folders a Kustomization joins: whether a selector finds them depends on the tree and namespace alone."""
    kustomization = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [../a, ../b]\n"
    files = {
        "apps/one/app.yaml": SELECTED.replace("NAME", "one").replace("OTHER", "two").replace("NS", "shop"),
        "apps/one/two.yaml": SELECTED.replace("NAME", "two").replace("OTHER", "one").replace("NS", "shop"),
        "apps/sibling/app.yaml": SELECTED.replace("NAME", "three").replace("OTHER", "one").replace("NS", "shop"),
        "apps/app.yaml": SELECTED.replace("NAME", "parent").replace("OTHER", "child").replace("NS", "shop"),
        "apps/one/deep/app.yaml": SELECTED.replace("NAME", "child").replace("OTHER", "parent").replace("NS", "shop"),
        "apps/ns/app.yaml": SELECTED.replace("NAME", "four").replace("OTHER", "one").replace("NS", "lab"),
        "joined/a/app.yaml": SELECTED.replace("NAME", "five").replace("OTHER", "six").replace("NS", "web"),
        "joined/b/app.yaml": SELECTED.replace("NAME", "six").replace("OTHER", "five").replace("NS", "web"),
        "joined/overlay/kustomization.yaml": kustomization,
    }
    for i in range(12):  # one label (team: core) on more pods than FEW_POSTED: its tree set is built
        files[f"many/m{i}/app.yaml"] = SELECTED.replace("NAME", f"m{i}").replace("OTHER", f"m{(i + 1) % 12}") \
            .replace("NS", "bulk")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _report_json(report: Report) -> list[tuple[str, str, int, int, str]]:
    return sorted((f.rule, f.file, f.location.line, f.location.column, f.message) for f in report.findings)


def test_few_candidates_skip_the_tree_set_with_the_same_findings(tmp_path: Any, monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    """Under ``FEW_POSTED`` pods a term's candidates are checked with ``related`` one by one instead of through
    the term's tree set: the findings are those of the tree set everywhere (always, never), and fewer sets are
    built."""
    from guardlint.model import selection
    from guardlint.model.index import ResourceIndex

    _selector_tree(tmp_path)
    built: list[str] = []
    real = ResourceIndex.tree_set

    def counting(self: ResourceIndex, key: str, members: Any) -> Any:
        if key not in built:
            built.append(key)
        return real(self, key, members)

    monkeypatch.setattr(ResourceIndex, "tree_set", counting)
    reports = {}
    default = selection.FEW_POSTED
    for few in (0, default, 10**9):
        monkeypatch.setattr(selection, "FEW_POSTED", few)
        built.clear()
        report = guardlint.lint_paths([tmp_path], use_config_file=False, select=SELECTOR_RULES)
        reports[few] = (_report_json(report), len([k for k in built if k.startswith("resources.pod-owners:")]))
    assert reports[0][0] == reports[default][0] == reports[10**9][0]
    assert {f[0] for f in reports[0][0]} >= {"service-selects-no-pods", "pdb-selects-no-pods",
                                              "network-policy-selects-no-pods", "network-policy-peer-selects-no-pods"}
    assert reports[10**9][1] == 0 < reports[default][1] < reports[0][1]


def test_a_partial_run_judges_selectors_only_where_the_context_covers_them(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The selector rules leave a partial run before looking for pods where ``sees_namespace`` is False (the
    first step of ``can_judge_pods`` and ``can_judge_missing``): the findings are those of the same runs with that
    shortcut off, with ``--context`` covering part of the tree (namespaces shop and lab) and with none; without
    context the pod table is never built."""
    import importlib

    from guardlint.model import selection

    _selector_tree(tmp_path)
    holders = [importlib.import_module(m) for m in (
        "guardlint.rules.resources.service_selects_no_pods", "guardlint.rules.resources.pdb_selects_no_pods",
        "guardlint.rules.resources.network_policy_selects_no_pods",
        "guardlint.rules.resources.network_policy_peer_selects_no_pods",
        "guardlint.rules.resources.missing_pod_disruption_budget", "guardlint.model.scaling",
    )]

    def runs() -> list[list[tuple[str, str, int, int, str]]]:
        return [_report_json(guardlint.lint_paths([tmp_path], use_config_file=False, select=SELECTOR_RULES,
                                                  partial=True, context=context))
                for context in ([tmp_path / "apps"], [])]

    tables: list[int] = []
    real = selection._pod_table

    def counting(ctx: Any) -> Any:
        tables.append(1)
        return real(ctx)

    monkeypatch.setattr(selection, "_pod_table", counting)
    alone = guardlint.lint_paths([tmp_path], use_config_file=False, select=SELECTOR_RULES, partial=True)
    assert not alone.findings and not tables
    shortcut = runs()
    for module in holders:
        monkeypatch.setattr(module, "sees_namespace", lambda *args: True)
    slow = runs()
    assert shortcut == slow
    covered, uncovered = shortcut
    assert {f[0] for f in covered} >= {"service-selects-no-pods", "pdb-selects-no-pods",
                                        "network-policy-selects-no-pods", "missing-pod-disruption-budget"}
    assert all("/apps/" in f[1] for f in covered) and not uncovered


def test_a_peer_in_another_namespace_is_judged_where_the_context_covers_that_namespace(tmp_path: Any) -> None:
    """``network-policy-peer-selects-no-pods`` asks ``sees_namespace`` of the peer's namespaces (its
    ``namespaceSelector``), not of the policy's own: a policy outside the context whose peer names a namespace
    the context covers is still judged there (a shortcut asking the policy's namespace would skip it)."""
    (tmp_path / "apps").mkdir()
    (tmp_path / "edge").mkdir()
    workload = SELECTED.split("---", maxsplit=1)[0]  # the Deployment alone
    (tmp_path / "apps" / "shop.yaml").write_text(workload.replace("NAME", "web").replace("NS", "shop"))
    (tmp_path / "edge" / "policy.yaml").write_text("""\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-shop, namespace: edge}
spec:
  podSelector: {}
  ingress:
    - from:
        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}
          podSelector: {matchLabels: {app: wbe}}
        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}
          podSelector: {matchLabels: {app: web}}
""")
    report = guardlint.lint_paths([tmp_path / "edge"], use_config_file=False, partial=True,
                                  context=[tmp_path / "apps"], select=["network-policy-peer-selects-no-pods"])
    assert [(f.rule, f.location.line, "app=wbe" in f.message) for f in report.findings] == [
        ("network-policy-peer-selects-no-pods", 9, True)]


# --- the schema walk ---------------------------------------------------------------------------------------


def test_the_walk_goes_straight_to_a_mappings_properties_only_where_check_would(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A mapping under a ``Node.mapping`` node is checked by ``_check_object`` directly, skipping ``_check``:
    the problems of every schema fixture's objects are the same with every node's flag off (the walk then goes
    through ``_check`` for each mapping, as it did before)."""
    from guardlint.apischema import validate
    from guardlint.apischema.node import Node
    from guardlint.engine import Run
    from guardlint.rules.schema._support import find_schema
    from guardlint.source.loader import load_text
    from tests.helpers import FIXTURES, default_settings

    rules = ("unknown-field", "wrong-field-type", "missing-required-field", "unsupported-field-value",
             "unrendered-placeholder", "service-selects-no-pods", "gpu-request-without-limit")
    files = sorted(p for rule in rules for p in (FIXTURES / rule).rglob("*.yaml"))
    run = Run([load_text(p.read_text(), str(p), nodes=False) for p in files], default_settings().plan)
    targets = [(r, find_schema(r, run.ctx).node) for r in run.resources]
    targets = [(r, node) for r, node in targets if node is not None]
    assert len(targets) > 20
    fast = [validate.validate(r.data, node) for r, node in targets]
    direct: list[int] = []
    real_object = validate._check_object

    def counting(value: Any, node: Node, path: Any, out: Any) -> None:
        direct.append(1)
        real_object(value, node, path, out)

    # The flags off, through the same functions: every mapping goes through ``_check`` again.
    seen: dict[int, Node] = {}

    def collect(node: Node | None) -> None:
        if node is None or id(node) in seen:
            return
        seen[id(node)] = node
        for child in (*(node.properties or {}).values(), node.values, node.items, *node.any_of):
            collect(child)

    for _, node in targets:
        collect(node)
    flagged = [n for n in seen.values() if n.mapping]
    assert flagged
    try:
        for n in flagged:
            n.mapping = False
        monkeypatch.setattr(validate, "_check_object", counting)
        slow = [validate.validate(r.data, node) for r, node in targets]
    finally:
        for n in flagged:
            n.mapping = True
    assert slow == fast
    assert any(p for p in fast)
    assert direct


# --- declarative rules ---------------------------------------------------------------------------------------


def test_a_path_of_keys_is_looked_up_as_expand_would() -> None:
    """Declarative rules look a path of map keys up directly (``at_keys``) instead of through ``expand``: on
    every shape (the field there, null, absent, a parent that is a list, a string or null) the one pair ``expand``
    yields is the path and ``at_keys``'s value."""
    from guardlint.model.paths import MISSING, expand
    from guardlint.rules.declarative import at_keys

    leaves: list[Any] = [None, "x", 0, False, [], {}, {"b": 1}, {"b": None}, {"b": {"c": 2}}, ["b"], {"c": 3}]
    shapes: list[Any] = [*leaves, *({"a": leaf} for leaf in leaves), *({"a": {"b": leaf}} for leaf in leaves)]
    for data in shapes:
        for keys in (("a",), ("a", "b"), ("a", "b", "c"), ("b",)):
            pairs = list(expand(data, keys, with_missing=True))
            assert pairs == [(keys, at_keys(data, keys))], (data, keys)
            assert (at_keys(data, keys) is MISSING) == (pairs[0][1] is MISSING)


def test_a_declarative_rule_reports_the_same_on_every_shape(tmp_path: Any) -> None:
    """A declarative rule on a path of keys (the direct lookup) reports the field where it is set, and nothing
    where it is null, absent or under a list, a string or null; a rule whose path has a list index (``expand``)
    reports as before; the label of the place (``{where}``) is made for the violation."""
    rule = """\
rules:
  - name: NAME
    code: TST00N
    title: Node selector uses the zone label
    severity: warning
    pack: test
    match: {pod-specs: true}
    path: PATH
    schema: {type: string, const: a}
    expect: violates
    message: "{where} sets {path} to {value}"
    remediation: Use topology.kubernetes.io/zone.
"""
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "keys.yaml").write_text(
        rule.replace("NAME", "by-keys").replace("TST00N", "TST001").replace("PATH", "nodeSelector.zone"))
    (tmp_path / "rules" / "index.yaml").write_text(
        rule.replace("NAME", "by-index").replace("TST00N", "TST002").replace("PATH", "containers[0].name"))
    (tmp_path / ".guardlint.yaml").write_text("rule-dirs: [rules]\nextend-select: [test]\n")
    pods = []
    for i, (selector, name) in enumerate([("{zone: a}", "a"), ("{zone: null}", "b"), ("{}", "a"), ("[zone]", "a"),
                                           ("zone", "b"), ("null", "a")]):
        pods.append(f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}}}\nspec:\n  nodeSelector: {selector}\n"
                    f"  containers: [{{name: {name}, image: example.com/app:1.0.0}}]\n")
    (tmp_path / "pods.yaml").write_text("---\n".join(pods))
    report = guardlint.lint_paths([tmp_path / "pods.yaml"], config=tmp_path / ".guardlint.yaml",
                                  select=["by-keys", "by-index"])
    by_rule: dict[str, list[tuple[int, str]]] = {}
    for f in report.findings:
        by_rule.setdefault(f.rule, []).append((f.location.line, f.message))
    assert [m for _, m in by_rule["by-keys"]] == ['pod spec at spec sets nodeSelector.zone to "a"']
    assert [m for _, m in by_rule["by-index"]] == ['pod spec at spec sets containers[0].name to "a"'] * 4


def _reference_known_token(value: str) -> str | None:
    """``known_token`` without its one-scan test for any marker: each entry's markers tried in turn."""
    from guardlint.rules.security._common import _KNOWN_TOKENS

    for label, markers, pattern in _KNOWN_TOKENS:
        for marker in markers:
            if marker in value:
                if pattern.search(value):
                    return label
                break
    return None


def test_known_tokens_are_found_as_trying_each_marker_does() -> None:
    """``known_token`` first scans once for any marker of its table; the verdict on every value is that of trying
    each entry's markers in turn: every marker alone, at the start, the end and inside text, next to other
    markers, as a full token of its kind and as a near miss (a marker whose pattern does not match)."""
    import random

    from guardlint.rules.security._common import _ANY_MARKER, _KNOWN_TOKENS, known_token

    tokens = [
        "-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN PRIVATE KEY-----",
        "AKIAIOSFODNN7EXAMPLE", "ASIAIOSFODNN7EXAMPLE",
        "ghp_" + "a" * 36, "gho_" + "B1" * 18, "github_pat_" + "x" * 60, "glpat-" + "a" * 20, "xoxb-1234567890",
        "AIza" + "A" * 35, "sk_live_" + "0" * 24, "rk_live_" + "z" * 24,
        "hf_" + "aB3" * 12, "nvapi-" + "Xy7-" * 12, "sk-proj-" + "Qr5_" * 12, "sk-svcacct-" + "Mn2" * 15,
        "sk-admin-" + "Zz9a" * 11, "sk-ant-api03-" + "Ab1_" * 21,
        "hooks.slack.com/services/T04QWERTY9/B07ZXCVBN12/" + "Rk3p" * 6,
    ]
    markers = [m for _, ms, _ in _KNOWN_TOKENS for m in ms]
    assert all(_ANY_MARKER.fullmatch(m) for m in markers)  # every marker of the table is in the one scan
    pieces = [*tokens, *markers, "PRIVATE", "KEY", "AKI", "gh", "_", "-", "x", "live", "k_live", " ", "\n", "plain"]
    values = ["", "plain text", "high ghost AKIA short", *tokens, *markers]
    values += [f"{prefix}{m}{suffix}" for m in markers for prefix in ("", "a", "_", " ") for suffix in ("", "9", " ")]
    rng = random.Random(14)
    values += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 6))) for _ in range(3000)]
    found = 0
    for value in values:
        expected = _reference_known_token(value)
        assert known_token(value) == expected, value
        found += expected is not None
        assert (_ANY_MARKER.search(value) is not None) == any(m in value for m in markers), value
    assert found > 500  # the generated values hold tokens of every kind, not only near misses
    assert {_reference_known_token(t) for t in tokens} == {label for label, _, _ in _KNOWN_TOKENS}


PEER_UNIT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: app-N, namespace: shop}
spec:
  selector: {matchLabels: {app: app-N}}
  template:
    metadata: {labels: {app: app-N, team: core}}
    spec:
      containers: [{name: app, image: "nginx:1.27"}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: app-N, namespace: shop}
spec:
  podSelector: {matchLabels: {app: app-N}}
  ingress: [{from: [{podSelector: {matchLabels: {team: core}}}, {podSelector: {matchLabels: {team: none}}}]}]
"""


@pytest.mark.parametrize("units", [20, 80])
def test_a_term_many_pods_carry_costs_each_selector_what_it_finds(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, units: int
) -> None:
    """A peer selector on a label every pod of the run carries (``team: core``) looks its pods up through the
    term's tree set, built once per run: listing the term's pods for that set on every selector's call (the old
    code) read the pod table once per pod per policy, quadratic in the number of units. The pod table's reads
    now grow with the units, and the findings (every policy's ``team: none`` peer) are the same."""
    from guardlint.model import selection

    reads = [0]

    class CountingPods(tuple):  # type: ignore[type-arg]
        def __getitem__(self, i: Any) -> Any:
            reads[0] += 1
            return super().__getitem__(i)

    real_init = selection._PodTable.__init__

    def counting_init(self: Any, pods: Any) -> None:
        real_init(self, CountingPods(pods))

    monkeypatch.setattr(selection._PodTable, "__init__", counting_init)
    (tmp_path / "apps.yaml").write_text("---\n".join(PEER_UNIT.replace("-N", f"-{i}") for i in range(units)))
    report = guardlint.lint_paths([tmp_path], use_config_file=False, select=["network-policy-peer-selects-no-pods"])
    assert [(f.location.line, "pods team=none," in f.message) for f in report.findings] == [
        (i * 17 + 16, True) for i in range(units)
    ]
    assert reads[0] <= 6 * units  # the old code: about units * units reads


def _reference_expand(data: Any, pattern: tuple[Any, ...], prefix: tuple[Any, ...] = (), *,
                      with_missing: bool = False) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """``expand`` as it was: one generator per level of the pattern, for every pattern."""
    from guardlint.model.paths import MISSING

    if not pattern:
        yield prefix, data
        return
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield from _reference_expand(item, rest, (*prefix, i), with_missing=with_missing)
        elif isinstance(data, dict):
            for key, item in data.items():
                yield from _reference_expand(item, rest, (*prefix, key), with_missing=with_missing)
        return
    if isinstance(head, int):
        if isinstance(data, list) and 0 <= head < len(data):
            yield from _reference_expand(data[head], rest, (*prefix, head), with_missing=with_missing)
        elif with_missing:
            yield (*prefix, *pattern), MISSING
        return
    if isinstance(data, dict) and head in data:
        yield from _reference_expand(data[head], rest, (*prefix, head), with_missing=with_missing)
    elif with_missing:
        yield (*prefix, *pattern), MISSING


def test_a_path_without_wildcards_expands_as_the_recursion_does() -> None:
    """``expand`` looks a path of keys and indexes up in one loop (pod templates: ``spec.template``): on every
    shape (present, null, absent, a list or scalar where a map is expected, indexes in and out of range, negative)
    and with every prefix, the pairs are the recursion's, with and without wildcards and ``with_missing``."""
    import itertools

    from guardlint.model.paths import expand

    leaves: list[Any] = [None, "x", 0, False, [], {}, [None], ["a"], {"a": None}, {"b": 1}]
    level1: list[Any] = [*leaves, {"a": leaves}, {"a": {"b": leaves}}, [{"a": 1}, {"b": {"a": 2}}], {"0": 1}]
    shapes: list[Any] = [*level1, *({"a": s} for s in level1), *([s, s] for s in level1),
                         *({"a": [s], "b": {"a": s}} for s in level1)]
    parts: list[Any] = ["a", "b", 0, 1, -1, 2, "0", "*"]
    patterns = [p for n in range(4) for p in itertools.product(parts, repeat=n)]
    for data in shapes:
        for pattern in patterns:
            for prefix in ((), ("x", 3)):
                for with_missing in (False, True):
                    expected = list(_reference_expand(data, pattern, prefix, with_missing=with_missing))
                    got = list(expand(data, pattern, prefix, with_missing=with_missing))
                    assert got == expected, (data, pattern, prefix, with_missing)
                    assert all(g[1] is e[1] for g, e in zip(got, expected, strict=True))


BUDGET_UNIT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: app-N, namespace: shop}
spec:
  replicas: REPLICAS
  selector: {matchLabels: {app: app-N}}
  template:
    metadata: {labels: {app: app-N}}
    spec:
      containers: [{name: app, image: "nginx:1.27"}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: app-N, namespace: shop}
spec:
  minAvailable: 2
  selector: {matchLabels: {app: app-N}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: app-N, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: app-N}
  minReplicas: 2
  maxReplicas: 4
"""


def test_both_budget_rules_count_one_selection_per_budget(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """``pdb-allows-no-disruption`` and ``pdb-blocks-hpa-minimum`` count the pods of the same selection: it is
    found once per budget and run (``selected_workloads`` once per budget, not once per rule), and each rule
    reports what it reports alone."""
    from guardlint.model import scaling

    calls = [0]
    real = scaling.selected_workloads

    def counting(*args: Any) -> Any:
        calls[0] += 1
        return real(*args)

    monkeypatch.setattr(scaling, "selected_workloads", counting)
    units = [BUDGET_UNIT.replace("-N", f"-{i}").replace("REPLICAS", str(i % 3)) for i in range(6)]
    units = [u if i % 2 else u.rpartition("---")[0] for i, u in enumerate(units)]  # every other one unscaled
    (tmp_path / "apps.yaml").write_text("---\n".join(units))
    rules = ["pdb-allows-no-disruption", "pdb-blocks-hpa-minimum"]
    together = _report_json(guardlint.lint_paths([tmp_path], use_config_file=False, select=rules))
    assert calls[0] == 6
    alone = sorted(f for rule in rules
                   for f in _report_json(guardlint.lint_paths([tmp_path], use_config_file=False, select=[rule])))
    assert together == alone
    assert {f[0] for f in together} == set(rules)


@pytest.mark.parametrize("units", [3, 12])
def test_the_workload_tree_reads_the_kinds_once_per_run(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, units: int
) -> None:
    """``can_judge_pods`` asks for the run's tree set of workloads for every selector it judges; the set is built
    once, and the pod-template table's kinds are read when it is built, not on every call (they were: a
    frozenset of every row's kind per selector)."""
    from guardlint.model.workloads import WorkloadTable

    calls = [0]
    real = WorkloadTable.kinds

    def counting(self: WorkloadTable) -> Any:
        calls[0] += 1
        return real(self)

    monkeypatch.setattr(WorkloadTable, "kinds", counting)
    text = "---\n".join(BUDGET_UNIT.replace("-N", f"-{i}").replace("REPLICAS", "1") for i in range(units))
    (tmp_path / "apps.yaml").write_text(text)
    report = guardlint.lint_paths([tmp_path], use_config_file=False, select=["pdb-blocks-hpa-minimum"])
    assert len(report.findings) == units
    assert calls[0] <= 3  # the old code: one more per budget


CREDENTIAL_TABLE = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data:
  LOG_LEVEL: info
  DB_PASSWORD: hunter2-but-longer
  PASSWORD_FILE: /run/secrets/db
  API_KEY: "12345"
  apiKey: sk-abcdefghij
  token: ""
  TOKEN_TTL: 3600s
  secretKey: ${SECRET_KEY}
  greeting: hello-world
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: nginx:1.27
          env:
            - {name: LOG_LEVEL, value: debug}
            - {name: DB_PASSWORD, value: hunter2-but-longer}
            - {name: PASSWORD_FILE, value: /run/secrets/db}
            - {name: GITHUB_TOKEN, value: changeme}
            - {name: authKey, value: abc}
            - {name: MODE, value: production-ready}
"""


def test_credential_values_are_judged_only_under_credential_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """``credentials-in-configmap`` and ``secret-in-env-value`` report a literal under a credential name: they
    ask the name first and judge the value (several patterns) only under such a name; the findings are those of
    judging every value first (the expected table: names and values each decide some rows)."""
    from guardlint.rules.security import credentials_in_configmap as cm
    from guardlint.rules.security import secret_in_env_value as env

    judged: list[str] = []
    real = cm.literal_credential

    def counting(value: str, name: str | None = None) -> bool:
        judged.append(str(name))
        return real(value, name)

    monkeypatch.setattr(cm, "literal_credential", counting)
    monkeypatch.setattr(env, "literal_credential", counting)
    settings = settings_for(["credentials-in-configmap", "secret-in-env-value"])
    report = guardlint.lint_text(CREDENTIAL_TABLE, "app.yaml", settings=settings)
    assert sorted((f.rule, f.location.line) for f in report.findings) == [
        ("credentials-in-configmap", 6),
        ("credentials-in-configmap", 9),
        ("secret-in-env-value", 28),
        ("secret-in-env-value", 31),
    ]  # what judging every value first reports (the code before this change, on the same text)
    assert sorted(judged) == sorted(["DB_PASSWORD", "API_KEY", "apiKey", "token", "secretKey",
                                     "DB_PASSWORD", "GITHUB_TOKEN", "authKey"])


DEFAULTS_TABLE = """\
apiVersion: v1
kind: Secret
metadata: {name: login, namespace: shop}
stringData:
  password: changeme
  PASSWORD: PASSWORD
  admin-password: "  Change-It-Now "
  user: admin
  token: ${TOKEN}
  api-key: s3cr3t-value
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: nginx:1.27
          env:
            - {name: LOG_LEVEL, value: debug}
            - {name: DB_PASSWORD, value: postgres}
            - {name: PASSWORD, value: password}
            - {name: ROOT_PASSWORD, value: "please change me"}
            - {name: ADMIN_PASSWORD, value: YOUR_PASSWORD}
            - {name: API_TOKEN, value: hunter2-but-longer}
            - {name: PORT, value: "8080"}
"""

DEFAULT_TEXTS = [
    "", " ", "changeme", "ChangeMe", " changeme ", "CHANGE_ME", "change-it", "please change me", "changemeplease",
    "change me\nnow", "Password", "PASSWORD", "passw0rd", "admin", "root", "${ADMIN}", "$(PASS)", "<password>",
    "{{ .Values.password }}", "YOUR_PASSWORD", "your-password", "yourpassword", "replace-me", "placeholder", "xxx",
    "***", "todo", "none", "n/a", "hunter2", "s3cr3t-value", "8080", "minioadmin", "prom-operator", "test",
    "sk-YOURKEY", "nvapi-NVKEY", "chang eme", "exchange-it", "Ch\u0130ange-it", "\u212aey",
]


@pytest.mark.parametrize("name", [None, "password", "PASSWORD", "DB_PASSWORD", "changeme", "admin", " Admin "])
def test_a_well_known_default_is_what_the_placeholder_judgement_says(name: str | None) -> None:
    """``well_known_default`` decides first whether a value could be a default at all; on every text (defaults,
    placeholders that are also defaults, such as a value equal to its key's name, and neither) it answers what
    ``placeholder_kind(...) == WELL_KNOWN_DEFAULT`` answers."""
    from guardlint.rules.security._common import WELL_KNOWN_DEFAULT, placeholder_kind, well_known_default

    for text in DEFAULT_TEXTS:
        assert well_known_default(text, name) == (placeholder_kind(text, name) == WELL_KNOWN_DEFAULT), (text, name)


def test_default_credential_judges_placeholders_only_for_values_that_could_be_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``default-credential`` asks the full placeholder judgement (whose patterns are the pack's dearest to
    compile) only of the values that could be a well-known default, with the same findings: a default is
    reported, a default that is also a placeholder (a value equal to its key's name) is not."""
    from guardlint.rules.security import _common

    judged: list[str] = []
    real = _common.placeholder_kind

    def counting(value: str, name: str | None = None) -> str | None:
        judged.append(value)
        return real(value, name)

    monkeypatch.setattr(_common, "placeholder_kind", counting)
    report = guardlint.lint_text(DEFAULTS_TABLE, "app.yaml", settings=settings_for(["default-credential"]))
    assert sorted(f.location.line for f in report.findings) == [5, 7, 25, 27]
    assert sorted(judged) == sorted(["changeme", "PASSWORD", "  Change-It-Now ", "admin", "postgres", "password",
                                     "please change me"])
