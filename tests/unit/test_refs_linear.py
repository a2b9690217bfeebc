"""The reference rules (keys, backend ports, image pull Secrets, NetworkPolicy peers) stay linear: the work the index
hands out grows with the objects, not with their square (counted as in ``test_index``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from guardlint.api import resolve_settings, run
from guardlint.model import selection
from guardlint.model.index import ResourceIndex

UNIT = """\
apiVersion: v1
kind: Secret
metadata: {{name: app-{i}, namespace: {ns}}}
stringData: {{password: p{i}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app-{i}, namespace: {ns}}}
spec:
  selector:
    matchLabels: {{app: app-{i}}}
  template:
    metadata:
      labels: {{app: app-{i}, team: t{t}}}
    spec:
      imagePullSecrets: [{{name: app-{i}}}]
      containers:
        - name: web
          image: registry.example.com/web:1.{i}
          env:
            - name: PASSWORD
              valueFrom: {{secretKeyRef: {{name: app-{i}, key: password}}}}
---
apiVersion: v1
kind: Service
metadata: {{name: app-{i}, namespace: {ns}}}
spec:
  selector: {{app: app-{i}}}
  ports: [{{name: http, port: 80}}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: app-{i}, namespace: {ns}}}
spec:
  defaultBackend: {{service: {{name: app-{i}, port: {{name: http}}}}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: app-{i}, namespace: {ns}}}
spec:
  podSelector: {{matchLabels: {{app: app-{i}}}}}
  ingress:
    - from:
        - podSelector: {{matchLabels: {{team: t{t}}}}}
        - namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: ns-0}}}}
          podSelector: {{matchLabels: {{app: app-0}}}}
"""

RULES = ["referenced-key-missing", "backend-port-not-exposed", "missing-secret", "network-policy-peer-selects-no-pods"]


def _write(out: Path, units: int) -> None:
    for i in range(units):
        folder = out / f"team-{i % 6:02d}" / ("base" if i % 2 else "apps")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"app-{i}.yaml").write_text(UNIT.format(i=i, ns=f"ns-{i % 4}", t=i % 5), encoding="utf-8")


def _work(tmp_path: Path, units: int, monkeypatch: pytest.MonkeyPatch) -> int:
    counter = {"n": 0}
    of_kind, named = ResourceIndex.of_kind, ResourceIndex.named

    def counting_of_kind(self: ResourceIndex, *args: Any, **kwargs: Any) -> Iterator[Any]:
        items = list(of_kind(self, *args, **kwargs))
        counter["n"] += len(items) + 1
        return iter(items)

    def counting_named(self: ResourceIndex, *args: Any, **kwargs: Any) -> tuple[Any, ...]:
        items = named(self, *args, **kwargs)
        counter["n"] += len(items) + 1
        return items

    def counted(fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counter["n"] += 1
            return fn(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(ResourceIndex, "of_kind", counting_of_kind)
    monkeypatch.setattr(ResourceIndex, "named", counting_named)
    monkeypatch.setattr(selection, "label_selector_matches", counted(selection.label_selector_matches))
    monkeypatch.setattr(ResourceIndex, "same_tree", counted(ResourceIndex.same_tree))
    out = tmp_path / f"u{units}"
    _write(out, units)
    report = run([str(out)], resolve_settings(use_config_file=False, select=RULES))
    assert report.resources == units * 5
    monkeypatch.undo()
    return counter["n"]


def test_reference_rules_grow_linearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small = _work(tmp_path, 24, monkeypatch)
    large = _work(tmp_path, 96, monkeypatch)
    assert small > 24  # the rules did ask the index
    assert large <= 4 * small * 1.3, (small, large)
