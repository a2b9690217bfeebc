#!/usr/bin/env python3
"""Write N copies of a realistic application unit, spread over namespaces and folders, for scaling benchmarks.

Usage: python scripts/gen_scale.py OUT_DIR UNITS [--namespaces K] [--folders F]

Each unit is a Deployment, a Service selecting it, a ConfigMap and a Secret reference it uses, an HPA and a PDB
targeting it and a NetworkPolicy selecting its pods: the objects the cross-object rules relate to each other.
Units are spread round-robin over K namespaces and F folders (one file per unit), so lookups by namespace and
directory tree are exercised the way a monorepo exercises them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

UNIT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: {ns}
  labels: {{app: app-{i}, team: t{t}}}
spec:
  selector:
    matchLabels: {{app: app-{i}}}
  template:
    metadata:
      labels: {{app: app-{i}, team: t{t}}}
    spec:
      serviceAccountName: default
      containers:
        - name: web
          image: registry.example.com/web:1.{i}
          ports:
            - {{name: http, containerPort: 8080}}
          envFrom:
            - configMapRef: {{name: app-{i}-config}}
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{memory: 256Mi}}
          readinessProbe:
            httpGet: {{path: /ready, port: http}}
          livenessProbe:
            httpGet: {{path: /live, port: http}}
---
apiVersion: v1
kind: Service
metadata:
  name: app-{i}
  namespace: {ns}
spec:
  selector: {{app: app-{i}}}
  ports:
    - {{name: http, port: 80, targetPort: http}}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-{i}-config
  namespace: {ns}
data:
  LOG_LEVEL: info
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: app-{i}
  namespace: {ns}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: app-{i}}}
  minReplicas: 3
  maxReplicas: 10
  metrics:
    - type: Resource
      resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 70}}}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: app-{i}
  namespace: {ns}
spec:
  minAvailable: 2
  selector:
    matchLabels: {{app: app-{i}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: app-{i}
  namespace: {ns}
spec:
  podSelector:
    matchLabels: {{app: app-{i}}}
  policyTypes: [Ingress]
  ingress:
    - from:
        - podSelector:
            matchLabels: {{team: t{t}}}
      ports:
        - {{port: 8080}}
"""
OBJECTS_PER_UNIT = UNIT.count("\nkind: ")


def write_units(out: Path, units: int, namespaces: int = 8, folders: int = 16) -> int:
    """Write ``units`` units under ``out``; returns the number of objects written."""
    for i in range(units):
        folder = out / f"team-{i % folders:02d}" / ("base" if i % 2 else "apps")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"app-{i}.yaml").write_text(UNIT.format(i=i, ns=f"ns-{i % namespaces}", t=i % 5))
    return units * OBJECTS_PER_UNIT


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("units", type=int)
    parser.add_argument("--namespaces", type=int, default=8)
    parser.add_argument("--folders", type=int, default=16)
    args = parser.parse_args()
    n = write_units(Path(args.out), args.units, args.namespaces, args.folders)
    print(f"{args.units} units, {n} objects in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
