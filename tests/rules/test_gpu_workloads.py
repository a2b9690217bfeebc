"""The GPU pack's workload coverage: every custom-resource row of the pod-template table finds its
containers at the right paths (and other packs' rules report inside them at the right lines), and the
operator shapes that are not pod templates have their resource fields checked where they are written.

Each file under tests/fixtures/workloads/ is one kind: a ``# containers:`` header lists the dotted paths
``iter_all_containers`` must yield (in order), ``# select:`` names the rules run (default
``privileged-container``), and ``# expect: <rule>`` markers give the expected findings by line.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from guardlint.engine import lint_loaded
from guardlint.model.crds import CRD_WORKLOADS
from guardlint.model.paths import to_dotted
from guardlint.model.resource import resources_of
from guardlint.model.workloads import default_table, iter_all_containers
from guardlint.source.loader import load_text
from tests.helpers import ROOT, found_counter, settings_for

WORKLOADS = ROOT / "tests" / "fixtures" / "workloads"
FILES = sorted(WORKLOADS.glob("*.yaml"))
TABLE = default_table()


def _header(text: str, key: str) -> str | None:
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        name, _, value = line[1:].strip().partition(":")
        if name.strip() == key:
            return value.strip()
    return None


def _expected(text: str) -> Counter[tuple[str, int]]:
    out: Counter[tuple[str, int]] = Counter()
    for lineno, line in enumerate(text.splitlines(), start=1):
        if "# expect:" in line:
            for name in line.split("# expect:", 1)[1].split(","):
                if name.strip():
                    out[(name.strip(), lineno)] += 1
    return out


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_containers_found_at_their_paths(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    header = _header(text, "containers")
    assert header is not None, "workload fixtures declare '# containers:'"
    expected = [p.strip() for p in header.split(",") if p.strip()]
    loaded = load_text(text, path.name)
    got = [
        to_dotted(c.path)
        for doc in loaded.documents
        for r in resources_of(doc)
        for c in iter_all_containers(r, TABLE)
    ]
    assert got == expected


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_findings_at_the_right_lines(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    select = [s.strip() for s in (_header(text, "select") or "privileged-container").split(",") if s.strip()]
    report = lint_loaded([load_text(text, path.name)], settings_for(select).plan, raise_errors=True)
    assert not report.errors
    expected = _expected(text)
    assert expected, "workload fixtures carry '# expect:' markers"
    found = found_counter(report, select)
    details = "\n".join(f"  line {f.line}: {f.rule}: {f.message}" for f in report.active)
    assert found == expected, f"expected {sorted(expected.elements())}, found:\n{details}"


def test_every_crd_row_has_a_fixture() -> None:
    seen: set[tuple[str, str, str]] = set()
    for path in FILES:
        for doc in load_text(path.read_text(encoding="utf-8"), path.name).documents:
            for r in resources_of(doc):
                seen.add((r.group, r.kind, r.version))
    missing = [
        f"{e.group}/{e.kind} {e.versions or ''}"
        for e in CRD_WORKLOADS
        if not any(g == e.group and k == e.kind and (not e.versions or v in e.versions) for g, k, v in seen)
    ]
    assert not missing, f"CRD rows without a workload fixture: {missing}"


def test_batch_rows() -> None:
    batch = {(e.group, e.kind) for e in CRD_WORKLOADS if e.batch}
    for key in [
        ("kubeflow.org", "PyTorchJob"), ("kubeflow.org", "MPIJob"), ("jobset.x-k8s.io", "JobSet"),
        ("ray.io", "RayJob"), ("batch.volcano.sh", "Job"), ("argoproj.io", "Workflow"),
        ("trainer.kubeflow.org", "ClusterTrainingRuntime"),
    ]:
        assert key in batch
    for key in [("ray.io", "RayCluster"), ("leaderworkerset.x-k8s.io", "LeaderWorkerSet"),
                ("serving.kserve.io", "InferenceService"), ("argoproj.io", "Rollout")]:
        assert key not in batch
