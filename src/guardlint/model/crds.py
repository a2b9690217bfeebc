"""Pod-template table rows for custom resources (AI, batch and delivery CRDs)."""

from __future__ import annotations

from guardlint.model.workloads import WorkloadEntry

CRD_WORKLOADS: tuple[WorkloadEntry, ...] = ()
