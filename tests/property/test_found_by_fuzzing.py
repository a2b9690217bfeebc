"""Inputs that scripts/fuzz.py found failing, reduced by hand; each failed before its fix."""

from __future__ import annotations

import pytest

from tests import fuzzing

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.27}]
"""


@pytest.mark.parametrize("target", ["{kind: Deployment, name: [web]}", "{kind: {a: 1}, name: web}",
                                    "{kind: [Deployment], name: {x: y}}"])
def test_an_hpa_whose_target_kind_or_name_is_not_a_string(target: str) -> None:
    """replicas-managed-by-hpa and replicas-not-spread crashed with 'unhashable type' (campaign seeds
    1029496, 1005152, ...)."""
    hpa = ("---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\n"
           f"spec:\n  scaleTargetRef: {target}\n  minReplicas: 2\n  maxReplicas: 4\n")
    assert fuzzing.check(DEPLOYMENT + hpa, select=("replicas-managed-by-hpa", "replicas-not-spread")) == []
