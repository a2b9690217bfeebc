#!/usr/bin/env python3
"""Benchmark the cost of rendering: a Helm chart with 3 values sets, cold and warm, and a kustomize overlay.

Usage: python scripts/benchmark_render.py [--repeat N]

Builds, in a temporary folder, a chart (a Deployment with helpers, toYaml and range, a Job, a Service and a
subchart; ``values.yaml`` plus ``ci/a-values.yaml`` and ``ci/b-values.yaml``: 3 values sets) and a kustomize
base with one overlay, then times the ``guardlint check`` command as a subprocess:

  * ``plain``: the same objects as already rendered manifests (no rendering at all), the floor;
  * ``chart cold``: an empty render cache (every values set rendered);
  * ``chart warm``: the cache filled by the previous run (nothing rendered);
  * ``overlay``: the kustomize overlay (built on every run; kustomize output is not cached).

Each line prints the median and the best wall time, and the median CPU time (user + system of the command
and its children), over N runs. On a shared machine the CPU time is the steadier figure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHART = {
    "Chart.yaml": "apiVersion: v2\nname: bench\nversion: 0.1.0\ndependencies:\n  - name: sub\n    version: 0.1.0\n",
    "values.yaml": (
        "image: {repository: nginx, tag: '1.27'}\nreplicas: 2\nsecurityContext:\n  runAsNonRoot: true\n"
        "  allowPrivilegeEscalation: false\n  capabilities: {drop: [ALL]}\nresources:\n  limits: {memory: 128Mi}\n"
        "  requests: {cpu: 100m, memory: 64Mi}\nenv:\n  - {name: A, value: '1'}\n  - {name: B, value: '2'}\n"
    ),
    "ci/a-values.yaml": "replicas: 3\nsecurityContext:\n  privileged: true\n",
    "ci/b-values.yaml": "image: {tag: '1.28'}\nenv: []\n",
    "templates/_helpers.tpl": (
        '{{- define "bench.name" -}}\n{{- printf "%s-bench" .Release.Name | trunc 63 }}\n{{- end }}\n'
        '{{- define "bench.labels" -}}\napp: bench\nrelease: {{ .Release.Name }}\n{{- end }}\n'
    ),
    "templates/deployment.yaml": """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "bench.name" . }}
  labels:
    {{- include "bench.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      {{- include "bench.labels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "bench.labels" . | nindent 8 }}
    spec:
      containers:
        - name: app
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
          env:
          {{- range .Values.env }}
            - name: {{ .name }}
              value: {{ .value | quote }}
          {{- end }}
""",
    "templates/service.yaml": """apiVersion: v1
kind: Service
metadata:
  name: {{ include "bench.name" . }}
spec:
  selector:
    {{- include "bench.labels" . | nindent 4 }}
  ports:
    - port: 80
""",
    "templates/job.yaml": """apiVersion: batch/v1
kind: Job
metadata:
  name: {{ include "bench.name" . }}-init
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: init
          image: busybox:1.36
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
""",
    "charts/sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
    "charts/sub/values.yaml": "port: 8080\n",
    "charts/sub/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sub\ndata:\n"
                                    "  port: {{ .Values.port | quote }}\n",
}
BASE_DEPLOYMENT = """apiVersion: apps/v1
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
"""
KUSTOMIZE = {
    "base/kustomization.yaml": (
        "resources: [deployment.yaml]\nconfigMapGenerator:\n  - name: cfg\n    literals: [a=b]\n"
    ),
    "base/deployment.yaml": BASE_DEPLOYMENT,
    "prod/kustomization.yaml": "namePrefix: prod-\nresources: [../base]\npatches:\n  - path: replicas.yaml\n",
    "prod/replicas.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 3\n",
}


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int]:
    before = os.times()
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu, proc.returncode


def line(name: str, runs: list[tuple[float, float, int]]) -> str:
    walls = [r[0] for r in runs]
    cpus = [r[1] for r in runs]
    codes = sorted({r[2] for r in runs})
    return (f"{name:<12} wall median {statistics.median(walls) * 1000:7.0f} ms  best {min(walls) * 1000:7.0f} ms  "
            f"cpu median {statistics.median(cpus) * 1000:7.0f} ms  exit {codes}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    guardlint = [sys.executable, "-m", "guardlint", "check", "--quiet"]
    with tempfile.TemporaryDirectory(prefix="guardlint-bench-") as tmp:
        root = Path(tmp)
        (root / ".git").mkdir()
        write(root / "chart", CHART)
        write(root / "kz", KUSTOMIZE)
        env = {**os.environ, "GUARDLINT_CACHE_DIR": str(root / "cache")}
        # The floor: the chart's three renderings, already rendered, as plain files.
        from guardlint.render.helm import find_renderer

        renderer = find_renderer()
        if renderer is None:
            print("no Helm renderer (helm binary or helm-python-sdk): nothing to measure")
            return 1
        print(f"renderer: {renderer.name} {renderer.version}; {args.repeat} runs each; 3 values sets")
        subprocess.run([*guardlint, "chart"], cwd=root, env=env, check=False)
        plain = root / "plain"
        plain.mkdir()
        for i, stored in enumerate(sorted((root / "cache" / "render").glob("*.yaml"))):
            shutil.copy(stored, plain / f"rendered-{i}.yaml")
        results = {"plain": [], "chart cold": [], "chart warm": [], "overlay": []}
        for _ in range(args.repeat):
            results["plain"].append(timed([*guardlint, "plain"], root, env))
            shutil.rmtree(root / "cache", ignore_errors=True)
            results["chart cold"].append(timed([*guardlint, "chart"], root, env))
            results["chart warm"].append(timed([*guardlint, "chart"], root, env))
            if shutil.which("kustomize") or shutil.which("kubectl"):
                results["overlay"].append(timed([*guardlint, "kz"], root, env))
        for name, runs in results.items():
            if runs:
                print(line(name, runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
