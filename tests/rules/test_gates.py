"""Every gate a rule declares is exact: the rule yields nothing for an object for which none of its gates holds.

A gated rule (``@rule(..., gates=(...))``, ``guardlint.rules.gates``) is neither imported nor called on such an
object, so a wrong declaration would lose findings silently. Here every gated rule runs UNGATED (its check
called directly) on every object of every rule fixture and workload fixture, and on generated objects that barely
miss each gate (an accelerator only in an ephemeral container or in pod-level resources, a GPU node selector,
toleration, runtime class, environment variable or device path without a request, claims without devices, ...),
each with the fixture's options; a finding on an object whose gates are all closed fails the test. The adversarial
objects that barely pass a gate (an accelerator only in an init container, only in an operator's shape, only in
``limits`` or ``requests``, a zero, negative or malformed quantity, a TPU, AMD, Intel or custom-domain name, a
resource name the API rejects, a pod template of a custom resource) must be reported by the gated engine.
And the engine's reports are compared with every gate forced open (``tests/rules/test_pods_only.py``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from guardlint import engine
from guardlint.engine import Run
from guardlint.model.index import KnownObject
from guardlint.rules.gates import GATES, PODS, needed, open_gates, passes
from guardlint.source.loader import load_text
from guardlint.testing import Fixture, parse_fixture, settings_for
from tests.helpers import FIXTURES, ROOT, iter_fixtures, registry

WORKLOADS = ROOT / "tests" / "fixtures" / "workloads"

_POD = """apiVersion: v1
kind: Pod
metadata: {{name: {name}, namespace: ml}}
spec:
{spec}
"""


def _pod(name: str, spec: str) -> str:
    return _POD.format(name=name, spec="\n".join("  " + line for line in spec.strip("\n").splitlines()))


NEAR_MISSES = "---\n".join([
    # An accelerator where no gate looks: ephemeral containers cannot set resources, pod-level resources are
    # another gate's.
    _pod("ephemeral-gpu", """
containers: [{name: app, image: example.com/app:1, resources: {limits: {cpu: "1", memory: 1Gi}}}]
ephemeralContainers:
  - {name: debug, image: example.com/debug:1, resources: {limits: {nvidia.com/gpu: 1}},
     env: [{name: NVIDIA_VISIBLE_DEVICES, value: all}]}
"""),
    _pod("pod-level-gpu", """
resources: {limits: {nvidia.com/gpu: 2, cpu: "2"}}
containers: [{name: app, image: example.com/app:1}]
"""),
    # Targeting accelerator nodes, or naming devices, without asking for one.
    _pod("selector-only", """
nodeSelector: {nvidia.com/gpu.product: A100, cloud.google.com/gke-accelerator: nvidia-l4}
containers: [{name: app, image: nvcr.io/nvidia/pytorch:24.01-py3}]
"""),
    _pod("toleration-only", """
tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}, {key: sku, value: gpu}]
containers: [{name: app, image: example.com/app:1}]
"""),
    _pod("affinity-only", """
affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms: [{matchExpressions: [{key: nvidia.com/gpu.present, operator: Exists}]}]
containers: [{name: app, image: example.com/app:1}]
"""),
    _pod("runtime-class-only", """
runtimeClassName: nvidia
containers: [{name: app, image: example.com/app:1, securityContext: {privileged: true}}]
"""),
    _pod("env-only", """
containers:
  - name: app
    image: example.com/app:1
    securityContext: {privileged: true}
    env:
      - {name: NVIDIA_VISIBLE_DEVICES, value: all}
      - {name: CUDA_VISIBLE_DEVICES, value: "0,1"}
      - {name: NVIDIA_MIG_CONFIG_DEVICES, value: all}
    envFrom: [{configMapRef: {name: gpu-env}}]
"""),
    _pod("host-dev-only", """
volumes:
  - {name: dev, hostPath: {path: /dev}}
  - {name: nvidia0, hostPath: {path: /dev/nvidia0}}
  - {name: dri, hostPath: {path: /dev/dri/}}
containers:
  - name: app
    image: example.com/app:1
    env: [{name: CUDA_VISIBLE_DEVICES, value: "0"}]
    volumeMounts: [{name: dev, mountPath: /dev}, {name: nvidia0, mountPath: /dev/nvidia0}]
"""),
    _pod("device-list-only", """
volumes: [{name: list, emptyDir: {}}]
containers:
  - name: app
    image: example.com/app:1
    volumeMounts:
      - {name: list, mountPath: /var/run/nvidia-container-devices/}
      - {name: list, mountPath: /run//nvidia-container-devices/x}
"""),
    _pod("claims-only", """
resourceClaims: [{name: gpu}, {name: both, resourceClaimName: a, resourceClaimTemplateName: b}, {name: none}]
containers:
  - {name: app, image: example.com/app:1, resources: {claims: [{name: gpu}, {name: undeclared}]}}
"""),
    _pod("container-claims-only", """
initContainers: [{name: init, image: example.com/init:1, resources: {claims: [{name: nowhere}]}}]
containers: [{name: app, image: example.com/app:1}]
"""),
    _pod("standard-only", """
volumes: [{name: shm, emptyDir: {medium: Memory}}]
containers:
  - name: app
    image: nvcr.io/nvidia/cuda:12.4.0-base-ubuntu22.04
    resources: {limits: {cpu: "0", memory: "-1", ephemeral-storage: 0.5}, requests: {cpu: "bad", memory: 1Gi}}
    volumeMounts: [{name: shm, mountPath: /dev/shm}]
"""),
    # Security settings that are set, but not to what the gated security rules report.
    _pod("quiet-security", """
hostNetwork: false
hostPID: false
securityContext: {seccompProfile: {type: RuntimeDefault}, runAsNonRoot: true}
containers:
  - name: app
    image: example.com/app:1
    ports: [{containerPort: 8080}]
    securityContext: {capabilities: {drop: [ALL]}, allowPrivilegeEscalation: false}
    env: []
"""),
    """apiVersion: batch/v1
kind: Job
metadata: {name: kueue-label-no-gpu, namespace: ml, labels: {kueue.x-k8s.io/queue-name: q}}
spec:
  backoffLimit: 100
  template:
    spec:
      restartPolicy: OnFailure
      runtimeClassName: runc
      containers: [{name: train, image: example.com/train:1, resources: {requests: {cpu: "8"}}}]
""",
    """apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: cpu-training, namespace: ml}
spec:
  pytorchReplicaSpecs:
    Master:
      replicas: 1
      restartPolicy: OnFailure
      template: {spec: {containers: [{name: pytorch, image: example.com/t:1}]}}
    Worker:
      replicas: 4
      restartPolicy: OnFailure
      template: {spec: {containers: [{name: pytorch, image: example.com/t:1}]}}
""",
    """apiVersion: apps/v1
kind: Deployment
metadata: {name: cpu-rollout, namespace: ml}
spec:
  replicas: 2
  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec:
      containers: [{name: a, image: example.com/a:1, resources: {requests: {cpu: 100m, memory: 1Gi}}}]
""",
    """apiVersion: v1
kind: ResourceQuota
metadata: {name: quota, namespace: ml}
spec: {hard: {limits.nvidia.com/gpu: "4", nvidia.com/gpu: "4"}}
""",
    # Empty or null fields where the probe, port and reference rules look, and volumes that name no object the
    # missing-object rules check (a CSI driver's secret is not among them).
    _pod("empty-fields", """
imagePullSecrets: []
volumes:
  - {name: scratch, emptyDir: {}}
  - {name: info, downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}}
  - {name: store, csi: {driver: secrets-store.csi.k8s.io, nodePublishSecretRef: {name: absent-secret}}}
resources: {requests: {cpu: "2"}, limits: {}}
initContainers: [{name: init, image: example.com/i:1, livenessProbe: null, lifecycle: null, ports: [],
                  resources: {requests: {memory: 2Gi}, limits: null}}]
containers:
  - name: app
    image: example.com/app:1
    resources: {requests: {cpu: "4", memory: 1Gi}}
    ports: []
    envFrom: []
    env: []
    readinessProbe: null
    volumeMounts: [{name: scratch, mountPath: /scratch}, {name: store, mountPath: /store}]
"""),
    """apiVersion: example.com/v1
kind: Secret
metadata: {name: lookalike-secret, namespace: ml}
stringData: {password: changeme}
""",
    # Profiles and accounts left null, and annotations that only look like the seccomp and AppArmor ones.
    """apiVersion: v1
kind: Pod
metadata:
  name: profiles-unset
  namespace: ml
  annotations:
    seccomp.security.beta.kubernetes.io/pod: unconfined
    apparmor.security.beta.kubernetes.io/app: unconfined
    container.apparmor.security.alpha.kubernetes.io/app: unconfined
spec:
  serviceAccountName: ""
  serviceAccount: null
  securityContext: {seccompProfile: null, appArmorProfile: null}
  containers:
    - {name: app, image: example.com/app:1, securityContext: {seccompProfile: null, appArmorProfile: null}}
""",
])

NEAR_HITS = "---\n".join([
    # Each just passes a gate, and the gated engine must report what it reports.
    _pod("huge-page-volume-only", """
containers: [{name: app, image: example.com/app:1, resources: {limits: {memory: 1Gi}}}]
volumes: [{name: pages, emptyDir: {medium: HugePages-2Mi}}]
"""),
    _pod("gpu-only-in-init", """
initContainers: [{name: warm, image: example.com/w:1, resources: {limits: {nvidia.com/gpu: 2}}}]
containers: [{name: app, image: example.com/app:1, resources: {limits: {nvidia.com/gpu: 1}}}]
"""),
    _pod("requests-only", """
containers: [{name: app, image: example.com/app:1, resources: {requests: {amd.com/gpu: 1}}}]
"""),
    _pod("limits-only-zero", """
containers: [{name: app, image: example.com/app:1, resources: {limits: {nvidia.com/gpu: 0}}}]
"""),
    _pod("negative-and-fraction", """
containers:
  - {name: a, image: example.com/a:1, resources: {limits: {google.com/tpu: -1}}}
  - {name: b, image: example.com/b:1, resources: {limits: {gpu.intel.com/i915: 500m}}}
  - {name: c, image: example.com/c:1, resources: {limits: {example.com/fpga: 1}, requests: {example.com/fpga: 2}}}
  - {name: d, image: example.com/d:1, resources: {limits: {nvidia.com/gpu: one}}}
"""),
    _pod("name-without-domain", """
containers: [{name: app, image: example.com/app:1, resources: {limits: {gpu: 1}}}]
"""),
    _pod("misspelt-accelerator", """
containers: [{name: app, image: example.com/app:1, resources: {limits: {nvidia.com/gpus: 1}}}]
"""),
    _pod("pod-level", """
resources: {limits: {nvidia.com/gpu: 1}}
containers: [{name: app, image: example.com/app:1}]
"""),
    _pod("security-in-odd-places", """
hostIPC: true
securityContext:
  sysctls: [{name: kernel.msgmax, value: "1"}]
  windowsOptions: {hostProcess: true}
initContainers:
  - {name: init, image: example.com/i:1, ports: [{containerPort: 1, hostPort: 9000}],
     securityContext: {procMount: Unmasked, seLinuxOptions: {type: spc_t}}}
containers: [{name: app, image: example.com/app:1}]
ephemeralContainers:
  - {name: debug, image: example.com/d:1, securityContext: {capabilities: {add: [SYS_ADMIN]}},
     env: [{name: AWS_SECRET_ACCESS_KEY, value: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY}]}
"""),
    """apiVersion: trainer.kubeflow.org/v1alpha1
kind: TrainJob
metadata: {name: operator-site-only, namespace: ml}
spec:
  runtimeRef: {name: torch}
  trainer:
    env: [{name: NVIDIA_VISIBLE_DEVICES, value: "0"}]
    resourcesPerNode: {limits: {nvidia.com/gpu: 0.5}}
""",
    """apiVersion: example.com/v1
kind: Trainer
metadata: {name: crd-pod-template, namespace: ml}
spec:
  template:
    spec:
      containers:
        - {name: t, image: example.com/t:1, resources: {limits: {nvidia.com/gpu: 1}, requests: {nvidia.com/gpu: 2}}}
""",
    # Probes, lifecycle hooks, ports and env entries only where few look: an init container (sidecar or not), an
    # ephemeral container, a hook without any probe.
    _pod("probes-in-odd-places", """
initContainers:
  - {name: init, image: example.com/i:1, lifecycle: {preStop: {exec: {command: [sh]}}},
     ports: [{containerPort: 80, name: Bad_Name}, {containerPort: 80}]}
  - {name: proxy, image: example.com/p:1, restartPolicy: Always, readinessProbe: {tcpSocket: {port: 70000}}}
containers:
  - name: app
    image: example.com/app:1
    lifecycle: {postStart: {httpGet: {host: example.com, port: admin}}}
  - name: twin
    image: example.com/twin:1
    livenessProbe: {exec: {command: [true]}}
    readinessProbe: {exec: {command: [true]}}
ephemeralContainers:
  - {name: debug, image: example.com/d:1, env: [{name: MODE, value: a}, {name: MODE, value: b}]}
"""),
    """apiVersion: v1
kind: Secret
metadata: {name: admin-login, namespace: ml}
stringData: {password: changeme}
""",
    # Limits only at the pod level (below the pod's request) or on an init container (far above its request).
    _pod("limits-in-odd-places", """
resources: {requests: {cpu: "2"}, limits: {cpu: "1"}}
initContainers: [{name: init, image: example.com/i:1, resources: {requests: {memory: 64Mi}, limits: {memory: 8Gi}}}]
containers: [{name: app, image: example.com/app:1, resources: {requests: {cpu: 100m}}}]
"""),
    # A seccomp or AppArmor profile only on an init or ephemeral container, or only in an annotation.
    _pod("profiles-in-odd-places", """
initContainers: [{name: init, image: example.com/i:1, securityContext: {seccompProfile: {type: Unconfined}}}]
containers: [{name: app, image: example.com/app:1}]
ephemeralContainers:
  - {name: debug, image: example.com/d:1, securityContext: {appArmorProfile: {type: Unconfined}}}
"""),
    """apiVersion: v1
kind: Pod
metadata:
  name: apparmor-annotation-only
  namespace: ml
  annotations: {container.apparmor.security.beta.kubernetes.io/app: unconfined}
spec:
  containers: [{name: app, image: example.com/app:1}]
""",
    # The declarative rules' gates at their edges: a null deprecated serviceAccount (reported whatever its
    # value), deprecated annotations and labels on a pod template (keys that are not strings:
    # ``test_declarative_gates_open_for_keys_that_are_not_strings``).
    _pod("null-service-account", """
serviceAccount: null
containers: [{name: app, image: example.com/app:1}]
"""),
    """apiVersion: apps/v1
kind: Deployment
metadata: {name: deprecated-template-fields, namespace: ml}
spec:
  selector: {matchLabels: {app: d}}
  template:
    metadata:
      labels: {app: d}
      annotations:
        seccomp.security.alpha.kubernetes.io/pod: runtime/default
        container.apparmor.security.beta.kubernetes.io/app: runtime/default
    spec:
      nodeSelector: {failure-domain.beta.kubernetes.io/zone: a}
      containers: [{name: app, image: example.com/app:1}]
""",
])

REFERENCES = "---\n".join([
    # A file of its own, without custom resources (an operator's object may create ConfigMaps, Secrets and
    # claims, which excuses every missing one in its folder): references only in one field each, to objects the
    # run lacks or that lack the key, and a pod whose volumes and env name no object the missing-object rules
    # check (a CSI driver's secret, a downward API file, a claim template) though it names Secrets elsewhere.
    _pod("references-in-odd-places", """
volumes: [{name: data, persistentVolumeClaim: {claimName: absent-claim}}]
initContainers:
  - name: init
    image: example.com/i:1
    env: [{name: LEVEL, valueFrom: {configMapKeyRef: {name: settings, key: absent-key}}}]
containers:
  - {name: app, image: example.com/app:1, envFrom: [{configMapRef: {name: absent-config}}]}
"""),
    _pod("runs-as-absent-account", """
serviceAccount: absent-account
containers: [{name: app, image: example.com/app:1}]
"""),
    _pod("no-references", """
imagePullSecrets: []
volumes:
  - {name: store, csi: {driver: secrets-store.csi.k8s.io, nodePublishSecretRef: {name: absent-secret}}}
  - {name: info, downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}}
  - name: scratch
    ephemeral: {volumeClaimTemplate: {spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}}
containers:
  - name: app
    image: example.com/app:1
    envFrom: []
    env: [{name: MODE, value: prod}]
    volumeMounts: [{name: store, mountPath: /store}, {name: info, mountPath: /info}, {name: scratch, mountPath: /s}]
"""),
    """apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: ml}
data: {level: debug}
""",
    """apiVersion: v1
kind: ServiceAccount
metadata: {name: puller, namespace: ml}
imagePullSecrets: [{name: absent-pull-secret}]
""",
    """apiVersion: v1
kind: Secret
metadata: {name: other-login, namespace: ml}
stringData: {token: s3cr3t-value-1234}
""",
    """apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: other-claim, namespace: ml}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
""",
])

EXPECTED_NEAR_HITS = {
    ("invalid-huge-pages", "huge-page-volume-only"),
    ("gpu-in-init-container", "gpu-only-in-init"),
    ("gpu-request-without-limit", "requests-only"),
    ("gpu-zero-quantity", "limits-only-zero"),
    ("gpu-negative-quantity", "negative-and-fraction"),
    ("gpu-fractional-quantity", "negative-and-fraction"),
    ("gpu-request-limit-mismatch", "negative-and-fraction"),
    ("gpu-resource-name-invalid", "name-without-domain"),
    ("gpu-resource-name-unknown", "misspelt-accelerator"),
    ("gpu-pod-level-resources", "pod-level"),
    ("gpu-fractional-quantity", "operator-site-only"),
    ("gpu-visible-devices-env", "operator-site-only"),
    ("gpu-request-limit-mismatch", "crd-pod-template"),
    # near misses of the GPU gates are hits of the others'
    ("gpu-node-targeted-without-request", "selector-only"),
    ("gpu-node-targeted-without-request", "toleration-only"),
    ("gpu-node-targeted-without-request", "affinity-only"),
    ("gpu-runtime-class-without-request", "runtime-class-only"),
    ("gpu-privileged-container", "runtime-class-only"),
    ("gpu-visible-devices-env", "env-only"),
    ("gpu-visible-devices-without-request", "env-only"),
    ("gpu-device-hostpath", "host-dev-only"),
    ("host-path-volume", "host-dev-only"),
    ("gpu-device-list-mount", "device-list-only"),
    ("dra-container-claim-unknown", "claims-only"),
    ("dra-pod-claim-source-invalid", "claims-only"),
    ("dra-container-claim-unknown", "container-claims-only"),
    ("shared-host-namespace", "security-in-odd-places"),
    ("unsafe-sysctl", "security-in-odd-places"),
    ("host-process-container", "security-in-odd-places"),
    ("host-port", "security-in-odd-places"),
    ("unmasked-proc-mount", "security-in-odd-places"),
    ("forbidden-selinux-options", "security-in-odd-places"),
    ("dangerous-capability", "security-in-odd-places"),
    ("non-default-capability", "security-in-odd-places"),
    ("secret-in-env-value", "security-in-odd-places"),
    ("init-container-probe", "probes-in-odd-places"),
    ("probe-port-invalid", "probes-in-odd-places"),
    ("probe-port-not-exposed", "probes-in-odd-places"),
    ("probe-or-lifecycle-host", "probes-in-odd-places"),
    ("liveness-equals-readiness", "probes-in-odd-places"),
    ("invalid-container-port", "probes-in-odd-places"),
    ("duplicate-container-port", "probes-in-odd-places"),
    ("duplicate-env-name", "probes-in-odd-places"),
    ("default-credential", "admin-login"),
    ("request-exceeds-limit", "limits-in-odd-places"),
    ("limit-far-above-request", "limits-in-odd-places"),
    ("unconfined-seccomp-profile", "profiles-in-odd-places"),
    ("forbidden-apparmor-profile", "profiles-in-odd-places"),
    ("forbidden-apparmor-profile", "apparmor-annotation-only"),
    ("deprecated-service-account-field", "null-service-account"),
    ("deprecated-seccomp-annotation", "deprecated-template-fields"),
    ("deprecated-apparmor-annotation", "deprecated-template-fields"),
    ("deprecated-topology-label", "deprecated-template-fields"),
}

EXPECTED_REFERENCE_HITS = {
    ("missing-persistent-volume-claim", "references-in-odd-places"),
    ("missing-config-map", "references-in-odd-places"),
    ("referenced-key-missing", "references-in-odd-places"),
    ("missing-secret", "puller"),
    ("missing-service-account", "runs-as-absent-account"),
}


def _fixtures() -> list[Fixture]:
    extra = [parse_fixture(p, "workloads", "fail") for p in sorted(WORKLOADS.glob("*.yaml"))]
    synthetic = parse_fixture(FIXTURES / "privileged-container" / "pass" / "more-kinds.yaml", "synthetic", "pass")
    generated = [synthetic._replace(text=text, path=Path(name), params={})
                 for name, text in (("near-misses.yaml", NEAR_MISSES), ("near-hits.yaml", NEAR_HITS),
                                    ("references.yaml", REFERENCES))]
    return [*iter_fixtures(), *extra, *generated]


def _run(fx: Fixture, rules: list[str]) -> Run:
    """A run of ``rules`` over the fixture's text, configured as the fixture's header says."""
    extra: dict[str, Any] = {}
    if "known_objects" in fx.extra_config:
        extra["known_objects"] = tuple(KnownObject(**k) for k in fx.extra_config["known_objects"])
    if "options" in fx.extra_config:
        extra["options"] = fx.extra_config["options"]
    params = {fx.rule: fx.params} if fx.params and fx.rule != "workloads" else None
    plan = settings_for(registry(), rules, params, fx.kubernetes_version, extra).plan
    if fx.extra_config.get("partial"):
        plan = plan._replace(partial=True)
    return Run([load_text(fx.text, fx.path.name, nodes=False)], plan)


def _gated() -> list[str]:
    return sorted(r.name for r in registry().rules if r.meta.gates)


def test_gate_declarations_are_known_and_recorded_in_the_catalog() -> None:
    from guardlint.api import make_registry

    names = _gated()
    assert len(names) >= 40  # GPU rules that need an accelerator, a claim, a GPU setting; security rules of rare fields
    lazy = {r.name: r.info.gates for r in make_registry(entry_points=False).rules}
    for r in registry().rules:
        assert set(r.meta.gates) <= set(GATES) - {PODS}, r.name
        assert lazy[r.name] == r.meta.gates, r.name  # the generated catalog carries what the decorator declares


def test_no_gated_rule_reports_where_its_gates_are_closed() -> None:
    """Every gated rule, called directly (ungated), on every fixture object and every generated object: no
    violation where ``passes`` is False. A wrong declaration (say ``gates=("runtime-class",)`` on
    ``gpu-fractional-quantity``) makes this fail."""
    gated = set(_gated())
    offenders: list[str] = []
    closed: Counter[str] = Counter()
    reported: Counter[str] = Counter()
    for fx in _fixtures():
        run = _run(fx, ["all"])
        for active in run.plan.active:
            meta = active.rule.meta
            if meta.name not in gated:
                continue
            wanted = needed(meta.pods_only, meta.gates)
            for resource in run.resources:
                if meta.kinds is not None and resource.kind not in meta.kinds:
                    continue
                answers = open_gates(resource, run.ctx.workloads, wanted)
                found = list(active.rule.check(resource, active.params, run.ctx))
                if passes(meta.pods_only, meta.gates, answers):
                    reported[meta.name] += bool(found)
                    continue
                closed[meta.name] += 1
                if found:
                    offenders.append(f"{meta.name} (gates {meta.gates}) on {resource.display()} in {fx.id}: "
                                     f"{found[0].message}")
    assert not offenders, "\n".join(offenders[:20])
    # Not vacuous: every gated rule was judged closed on many objects and reported where its gates were open.
    assert all(closed[n] >= 50 for n in gated), {n: closed[n] for n in gated if closed[n] < 50}
    assert not [n for n in gated if not reported[n]]


def test_objects_that_barely_pass_a_gate_are_reported() -> None:
    synthetic = parse_fixture(FIXTURES / "privileged-container" / "pass" / "more-kinds.yaml", "synthetic", "pass")
    text = "---\n".join([NEAR_HITS, NEAR_MISSES])
    run = _run(synthetic._replace(text=text, path=Path("near.yaml"), params={}), ["all"])
    run.check(raise_errors=True)
    seen = {(f.rule, f.resource.name) for f in run.report().findings if f.resource is not None}
    assert seen >= EXPECTED_NEAR_HITS, sorted(EXPECTED_NEAR_HITS - seen)
    run = _run(synthetic._replace(text=REFERENCES, path=Path("references.yaml"), params={}), ["all"])
    run.check(raise_errors=True)
    seen = {(f.rule, f.resource.name) for f in run.report().findings if f.resource is not None}
    assert seen >= EXPECTED_REFERENCE_HITS, sorted(EXPECTED_REFERENCE_HITS - seen)
    assert not {rule for rule, name in seen if name == "no-references"} & {r for r, _ in EXPECTED_REFERENCE_HITS}


def test_each_gate_is_closed_for_a_plain_workload_and_open_where_it_should_be() -> None:
    synthetic = parse_fixture(FIXTURES / "privileged-container" / "pass" / "more-kinds.yaml", "synthetic", "pass")
    text = "---\n".join([NEAR_HITS, NEAR_MISSES])
    run = _run(synthetic._replace(text=text, path=Path("near.yaml"), params={}), ["all"])
    by_name = {r.name: r for r in run.resources}
    names = tuple(GATES)

    def answers(name: str) -> frozenset[str]:
        return open_gates(by_name[name], run.ctx.workloads, names)

    assert answers("cpu-rollout") == {PODS}
    assert answers("standard-only") == {PODS, "limits"}
    assert answers("quiet-security") == {PODS, "container-ports", "seccomp"}  # a RuntimeDefault profile
    assert answers("empty-fields") == {PODS, "pod-resources"}  # a pod-level request, no limit
    assert answers("lookalike-secret") == frozenset()
    assert answers("admin-login") == {"secret"}
    # a null serviceAccount is a key deprecated-service-account-field reports, whatever its value
    assert answers("profiles-unset") == {PODS, "service-account"}
    assert answers("limits-in-odd-places") == {PODS, "limits", "pod-resources"}
    assert answers("profiles-in-odd-places") == {PODS, "seccomp", "apparmor"}
    assert answers("apparmor-annotation-only") == {PODS, "apparmor"}
    assert answers("probes-in-odd-places") == {PODS, "probes", "container-ports", "env"}
    # an ephemeral container's resources are not the extended-resources gate's (the app container limits cpu)
    assert answers("ephemeral-gpu") == {PODS, "env", "limits"}
    assert answers("selector-only") == {PODS, "node-targeting", "device-exposure"}
    assert answers("pod-level-gpu") == {PODS, "pod-resources", "limits"}
    assert answers("gpu-only-in-init") == {PODS, "extended-resources", "limits"}
    assert answers("name-without-domain") == {PODS, "extended-resources", "limits"}
    assert answers("operator-site-only") == {"extended-resources", "env"}
    assert answers("crd-pod-template") == {PODS, "extended-resources", "limits"}
    assert answers("requests-only") == {PODS, "extended-resources"}
    assert answers("quota") == frozenset()
    assert "resource-claims" in answers("container-claims-only")
    assert "device-list-mount" in answers("device-list-only")
    assert "host-path" in answers("host-dev-only") and "host-path" not in answers("device-list-only")


PLAIN = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: ghcr.io/example/web:2.8.1
          ports: [{containerPort: 8080}]
          volumeMounts: [{name: cache, mountPath: /cache}]
          resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 64Mi}}
      volumes: [{name: cache, emptyDir: {}}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
"""

_CHILD = """
import json, sys
from guardlint.api import lint_text
lint_text(sys.stdin.read(), "m.yaml", select=sys.argv[1:] or None, use_config_file=False)
print(json.dumps(sorted(m for m in sys.modules if m.startswith("guardlint.rules."))))
"""


def _imported(text: str, *select: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", _CHILD, *select], input=text, capture_output=True, text=True,
                         check=True, cwd=ROOT)
    modules: list[str] = json.loads(out.stdout)
    return modules


def test_a_plain_deployment_and_service_import_no_gated_rule_module() -> None:
    """Counted in fresh processes: with every rule selected, no module of a rule whose gates a plain Deployment
    and Service close is imported (no module of the GPU pack at all), while the rules that judge them are (the
    Deployment declares a container port and a memory limit: the port and limit rules' gates are open); an
    environment variable opens the
    ``env`` gate only (five rules), a GPU request the pack's accelerator rules, a probe the probe rules."""
    gated_modules = {r.check.__module__: r for r in registry().rules if r.meta.gates}
    modules = set(_imported(PLAIN, "all"))
    plain_gated = {gated_modules[m].name for m in modules & set(gated_modules)}
    assert plain_gated == {"invalid-container-port", "duplicate-container-port", "request-exceeds-limit",
                           "limit-far-above-request"}
    assert not [m for m in modules if m.startswith("guardlint.rules.gpu.")]  # no GPU rule runs, nor its helpers
    assert "guardlint.rules.security.privileged_container" in modules  # the others still run
    env = "env: [{name: MODE, value: prod}]\n          volumeMounts:"
    with_env = set(_imported(PLAIN.replace("volumeMounts:", env), "all"))
    env_gated = {gated_modules[m].name for m in with_env & set(gated_modules)} - plain_gated
    assert env_gated == {"gpu-visible-devices-env", "secret-in-env-value", "duplicate-env-name", "default-credential",
                         "env-reference-defined-later"}
    probe = "readinessProbe: {httpGet: {path: /ready, port: 8080}}\n          volumeMounts:"
    with_probe = set(_imported(PLAIN.replace("volumeMounts:", probe), "all"))
    assert {gated_modules[m].name for m in with_probe & set(gated_modules)} - plain_gated == {
        "init-container-probe", "probe-or-lifecycle-host", "probe-port-invalid", "probe-port-not-exposed",
        "liveness-equals-readiness", "invalid-probe"}
    with_gpu = set(_imported(PLAIN.replace("limits: {memory: 64Mi}", "limits: {memory: 64Mi, nvidia.com/gpu: 1}"),
                             "all"))
    assert "guardlint.rules.gpu.gpu_node_selection_missing" in with_gpu
    assert "guardlint.rules.gpu.gpu_device_hostpath" not in with_gpu


def test_gates_cut_the_rule_calls_by_the_calls_of_closed_gates(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine calls a gated rule exactly on the objects whose gates hold: counted over the workload
    fixtures and the plain Deployment and Service, with every rule, against the same run with every gate open
    (``pods_only`` keeps its skip in both)."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(WORKLOADS.glob("*.yaml"))] + [PLAIN, NEAR_MISSES]
    plan = settings_for(registry(), ["all"], None, None, {}).plan
    calls: Counter[str] = Counter()
    real = {a.rule.name: a.rule.check for a in plan.active if not a.rule.info.engine}

    def counting(name: str) -> Any:
        def check(resource: Any, params: Any, ctx: Any) -> Any:
            calls[name] += 1
            return real[name](resource, params, ctx)

        return check

    def run() -> tuple[Counter[str], list[Any]]:
        calls.clear()
        findings = []
        for i, text in enumerate(texts):
            r = Run([load_text(text, f"{i}.yaml", nodes=False)], plan)
            r.check(raise_errors=True)
            findings.extend(r.report().findings)
        return Counter(calls), findings

    expected_skips = 0
    for i, text in enumerate(texts):
        r = Run([load_text(text, f"{i}.yaml", nodes=False)], plan)
        for active in plan.active:
            info = active.rule.info
            if not info.gates or info.engine:
                continue
            for resource in r.resources:
                if info.kinds is not None and resource.kind not in info.kinds:
                    continue
                wanted = needed(info.pods_only, info.gates)
                answers = open_gates(resource, r.ctx.workloads, wanted)
                if passes(info.pods_only, (), answers) and not passes(info.pods_only, info.gates, answers):
                    expected_skips += 1
    for active in plan.active:
        if not active.rule.info.engine:
            monkeypatch.setattr(active.rule, "_check", counting(active.rule.name))
    gated_calls, gated_findings = run()
    monkeypatch.setattr(engine, "_open_gates", lambda resource, workloads, names: frozenset(
        n for n in names if n != PODS or bool(workloads.pods_of(resource))))
    open_calls, open_findings = run()
    assert gated_findings == open_findings
    assert sum(open_calls.values()) - sum(gated_calls.values()) == expected_skips
    assert expected_skips > 500
    # On the plain Deployment and Service alone, no gated rule is called but those whose gates (a container
    # port, a limit) the Deployment opens.
    calls.clear()
    monkeypatch.undo()
    for active in plan.active:
        if not active.rule.info.engine:
            monkeypatch.setattr(active.rule, "_check", counting(active.rule.name))
    Run([load_text(PLAIN, "plain.yaml", nodes=False)], plan).check(raise_errors=True)
    assert {n for n in calls if registry().get(n) is not None and registry().get(n).info.gates} == {  # type: ignore[union-attr]
        "invalid-container-port", "duplicate-container-port", "request-exceeds-limit", "limit-far-above-request"}


def test_declarative_gates_open_for_keys_that_are_not_strings() -> None:
    """Loaded YAML has string keys only (plain keys are not resolved, complex ones become a text), but a caller
    may hand the library data with other keys, and a JSON Schema ``propertyNames`` pattern rejects a key that
    is not a string: the deprecated-annotation and topology-label rules report it, so their gates must open."""
    text = _pod("odd-keys", """
nodeSelector: {zone: a}
containers: [{name: app, image: example.com/app:1}]
""")
    synthetic = parse_fixture(FIXTURES / "privileged-container" / "pass" / "more-kinds.yaml", "synthetic", "pass")
    run = _run(synthetic._replace(text=text, path=Path("odd.yaml"), params={}), ["all"])
    (resource,) = run.resources
    resource.data["metadata"]["annotations"] = {1: "x"}
    resource.data["spec"]["nodeSelector"] = {2: "y"}
    by_name = {a.rule.name: a for a in run.plan.active}
    for name in ("deprecated-seccomp-annotation", "deprecated-apparmor-annotation", "deprecated-topology-label"):
        active = by_name[name]
        assert list(active.rule.check(resource, active.params, run.ctx)), name  # the rule reports the odd key
        meta = active.rule.meta
        assert meta.gates
        assert passes(meta.pods_only, meta.gates, open_gates(resource, run.ctx.workloads, needed(
            meta.pods_only, meta.gates))), name
