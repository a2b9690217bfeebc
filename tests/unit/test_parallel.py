"""The process pool (``--jobs``, ``guardlint.parallel``): a pooled run reports exactly what a serial run does."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from guardlint import _jobs, parallel
from guardlint.api import load_inputs, resolve_settings, run
from guardlint.cli import main
from guardlint.engine import lint_loaded
from guardlint.model.resource import Resource
from guardlint.rules.api import RuleContext, Severity, Violation, rule
from guardlint.source.files import Input, discover_all
from tests.helpers import FIXTURES

pytestmark = pytest.mark.skipif(not parallel.can_fork(), reason="the pool needs fork")

MIXED = {
    # a workload whose requests a LimitRange in another file supplies, with a ConfigMap and a Service elsewhere
    "app/web.yaml": """apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx
          envFrom: [{configMapRef: {name: cfg}}, {secretRef: {name: absent}}]
          securityContext: &sc {privileged: true}
        - name: side
          image: busybox:1.36
          securityContext: *sc
""",
    "app/more.yaml": """apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: prod}
data: {a: "1"}
---
apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: prod}
spec:
  limits:
    - type: Container
      defaultRequest: {cpu: 100m}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: prod}
spec:
  selector: {app: nobody}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: prod}
data: {b: "2"}
---
apiVersion: v1
kind: Secret
metadata: {name: other, namespace: prod}
""",
    # a kustomize base with a strategic-merge patch (a fragment: no "missing field" findings on it)
    "base/kustomization.yaml": """apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [deploy.yaml]
patches: [{path: patch.yaml}]
""",
    "base/deploy.yaml": """apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: "ghcr.io/x/api:1.0"}]
""",
    "base/patch.yaml": """apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
        - name: api
          $patch: delete
""",
    # a CRD of the run and a custom resource it validates, in another file
    "crd/crd.yaml": """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: integer}
""",
    "crd/widget.yaml": """apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: prod}
spec: {size: big, colour: red}
""",
    # pods in a custom resource, suppressions, a duplicate key, a made pod
    "jobs/workflow.yaml": """apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf, namespace: prod}
spec:
  entrypoint: main
  templates:
    - name: main
      container:
        image: alpine
        securityContext: {privileged: true}
""",
    "jobs/pod.yaml": """apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: prod
  namespace: prod
spec:
  containers:
    - name: p
      image: alpine # guardlint: ignore unpinned-image -- pinned by the mirror
      securityContext: {privileged: true} # guardlint: ignore privileged-container -- a node agent
    - name: q # guardlint: ignore privileged-container -- stale
      # guardlint: ignore no-such-rule -- typo
      image: alpine:3.20
""",
    "jobs/spark.yaml": """apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {name: s, namespace: prod}
spec:
  type: Python
  mode: cluster
  image: spark:3.5.0
  mainApplicationFile: local:///x.py
  sparkVersion: 3.5.0
  driver: {cores: 1, memory: 512m, securityContext: {privileged: true}}
  executor: {instances: 1, cores: 1, memory: 512m}
""",
    "broken.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [\n",
    "list.yaml": """apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: {name: listed}
    spec: {containers: [{name: c, image: nginx}]}
""",
}


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    for name, text in MIXED.items():
        path = tmp_path / "tree" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path / "tree"


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts the (object, rule) pairs the parent took from the shares and those it ran itself."""
    counts = {"from_shares": 0, "in_parent": 0}
    real = parallel.ready_from

    def counting(shares: Any, by_doc: Any) -> Any:
        ready = real(shares, by_doc)

        def wrapped(resource: Resource, active: Any) -> Any:
            got = ready(resource, active)
            counts["from_shares" if got is not None else "in_parent"] += 1
            return got

        return wrapped

    monkeypatch.setattr(parallel, "ready_from", counting)
    return counts


def _both(paths: list[str], jobs: int, **settings: Any) -> tuple[Any, Any]:
    resolved = resolve_settings(use_config_file=False, entry_points=False, **settings)
    return run(paths, resolved, jobs=1), run(paths, resolved, jobs=jobs)


@pytest.mark.parametrize("jobs", [2, pytest.param(3, marks=pytest.mark.slow)])
def test_every_rule_on_every_fixture_same_report(jobs: int, counted: dict[str, int]) -> None:
    serial, pooled = _both([str(FIXTURES)], jobs, select=["all"])
    assert pooled == serial
    assert serial.findings
    # both ways were taken: pairs worked out by the shares, and pairs left to the parent
    assert counted["from_shares"] > 1000 and counted["in_parent"] > 100


@pytest.mark.parametrize("jobs", [2, 3, 5])
@pytest.mark.parametrize("extra", [{}, {"partial": True}, {"kubernetes_version": "1.29"}])
def test_mixed_set_same_report(mixed: Path, jobs: int, extra: dict[str, Any], counted: dict[str, int]) -> None:
    serial, pooled = _both([str(mixed)], jobs, select=["all"], **extra)
    assert pooled == serial
    assert counted["from_shares"] > 0 and counted["in_parent"] > 0
    rules = {f.rule for f in serial.findings}
    # cross-object findings across files and per-object ones, suppressions and input errors, all there
    expected = {"privileged-container", "duplicate-object", "invalid-suppression", "duplicate-key", "unknown-field",
                "unused-suppression"}
    if not extra.get("partial"):
        expected |= {"missing-secret", "service-selects-no-pods"}
    assert expected <= rules
    assert serial.errors
    assert any(f.suppressed for f in serial.findings)


def test_context_same_report(mixed: Path, counted: dict[str, int]) -> None:
    settings = resolve_settings(use_config_file=False, entry_points=False, select=["all"], partial=True)
    paths = [str(mixed / "app"), str(mixed / "jobs")]
    context = [str(mixed / "base"), str(mixed / "crd")]
    assert run(paths, settings, context=context, jobs=2) == run(paths, settings, context=context, jobs=1)
    assert counted["from_shares"] > 0


def _index_reader_rules() -> tuple[Any, Any]:
    @rule(code="TST901", name="reads-index", title="A test rule", severity=Severity.WARNING, pack="test",
          remediation="Nothing.")
    def reads_index(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
        try:  # a rule's own handler must not turn the stand-in's signal into a finding or swallow it
            alone = not ctx.index.has_kind("ConfigMap")
        except Exception:  # a rule's broad handler
            alone = True
        yield Violation(("metadata",), f"alone: {alone}")

    @rule(code="TST902", name="reads-object", title="A test rule", severity=Severity.WARNING, pack="test",
          remediation="Nothing.")
    def reads_object(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
        yield Violation(("kind",), resource.kind)

    return reads_index, reads_object


def test_rules_that_read_the_index_are_left_to_the_parent(mixed: Path) -> None:
    from guardlint.testing import settings_for

    reads_index, reads_object = _index_reader_rules()
    from guardlint.rules.registry import build_registry

    registry = build_registry([[reads_index, reads_object]])
    plan = settings_for(registry, ["reads-index", "reads-object"]).plan
    loaded = load_inputs(discover_all([str(mixed)], ()).inputs, 1 << 20)
    checked, _, _ = parallel.per_object_work(loaded, plan)
    ran = {name for c in checked.values() for _, name in c.findings}
    deferred = {name for c in checked.values() for _, name in c.deferred}
    assert ran == {"reads-object"}
    assert deferred == {"reads-index"}
    share = parallel.Share(tuple(range(len(loaded))), loaded, checked, {})
    pooled = lint_loaded(loaded, plan, ready=lambda r: parallel.ready_from([share], r.resources_by_doc))
    assert pooled == lint_loaded(loaded, plan)
    assert {f.message for f in pooled.findings if f.rule == "reads-index"} == {"alone: False"}


def test_per_object_caches_are_exact(mixed: Path) -> None:
    """The one memo a share keeps for itself caches per-object answers: a stand-in that refused it too would
    give the same findings (every schema pair left to the parent)."""
    settings = resolve_settings(use_config_file=False, entry_points=False, select=["schema"])
    loaded = load_inputs(discover_all([str(mixed)], ()).inputs, settings.max_bytes)
    checked, _, _ = parallel.per_object_work(loaded, settings.plan)
    assert any(name == "unknown-field" for c in checked.values() for _, name in c.findings) or any(
        name == "unknown-field" for c in checked.values() for _, name in c.deferred)
    share = parallel.Share(tuple(range(len(loaded))), loaded, checked, {})
    share = share._replace(considered=_considered(settings.plan, loaded))
    pooled = lint_loaded(loaded, settings.plan, ready=lambda r: parallel.ready_from([share], r.resources_by_doc))
    assert pooled == lint_loaded(loaded, settings.plan)


def test_a_shares_findings_share_values_as_a_serial_runs_do() -> None:
    """Every finding a share makes for one object holds one ResourceRef, and equal messages and paths are one
    object (``SharedValues``), as in a serial run; pickling keeps the sharing, so the parent of a pooled run
    holds them once (a run of every rule at 50,688 objects: 459 MB -> 421 MB in the parent). Same findings."""
    settings = resolve_settings(use_config_file=False, entry_points=False, select=["all"])
    loaded = load_inputs(discover_all([str(FIXTURES)], ()).inputs, settings.max_bytes)
    checked, _, _ = parallel.per_object_work(loaded, settings.plan)
    back = parallel.loads(parallel.dumps(checked))
    for found in (checked, back):
        per_object = [((i, j), f) for i, c in enumerate(found.values()) for (j, _), fs in c.findings.items()
                      for f in fs]
        assert len(per_object) > 1000
        refs: dict[tuple[int, int], Any] = {}
        texts: dict[str, str] = {}
        for key, f in per_object:
            assert refs.setdefault(key, f.resource) is f.resource  # one ResourceRef per object
            assert texts.setdefault(f.message, f.message) is f.message  # equal messages are one string
        assert len(refs) < len(per_object) / 2 and len(texts) < len(per_object) / 2


def test_equal_deferred_pairs_are_kept_once() -> None:
    """Documents whose objects leave the same rules to the parent hold one shared set of deferred pairs (most
    documents: one object of a kind whose rules read the index alike), also after pickling; same values."""
    settings = resolve_settings(use_config_file=False, entry_points=False, select=["all"])
    loaded = load_inputs(discover_all([str(FIXTURES)], ()).inputs, settings.max_bytes)
    checked, _, _ = parallel.per_object_work(loaded, settings.plan)
    back = parallel.loads(parallel.dumps(checked))
    for found in (checked, back):
        sets = [c.deferred for c in found.values() if c.deferred]
        assert len(sets) > 100
        by_value: dict[frozenset[tuple[int, str]], frozenset[tuple[int, str]]] = {}
        for deferred in sets:
            assert by_value.setdefault(deferred, deferred) is deferred
        assert len(by_value) < len(sets) / 2
        pairs: dict[tuple[int, str], tuple[int, str]] = {}
        for deferred in by_value:
            for pair in deferred:
                assert pairs.setdefault(pair, pair) is pair
    assert [c.deferred for c in back.values()] == [c.deferred for c in checked.values()]


def _considered(plan: Any, loaded: Any) -> dict[str, frozenset[str]]:
    return parallel.per_object_work(loaded, plan)[1]


def test_a_failed_worker_is_redone_in_the_parent(mixed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parent = os.getpid()
    real = parallel.dumps

    def failing(value: object) -> bytes:
        if os.getpid() != parent:
            raise RuntimeError("a worker that fails")
        return real(value)

    monkeypatch.setattr(parallel, "dumps", failing)
    serial, pooled = _both([str(mixed)], 3, select=["all"])
    assert pooled == serial


def test_a_worker_that_dies_is_redone_in_the_parent(mixed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parent = os.getpid()

    def dying(value: object) -> bytes:
        if os.getpid() != parent:
            os._exit(9)
        raise AssertionError("the parent pickles nothing")

    monkeypatch.setattr(parallel, "dumps", dying)
    serial, pooled = _both([str(mixed)], 2, select=["all"])
    assert pooled == serial


def test_rule_errors_raise_as_in_a_serial_run(mixed: Path) -> None:
    from guardlint.rules.registry import build_registry
    from guardlint.testing import settings_for

    @rule(code="TST903", name="breaks", title="A test rule", severity=Severity.WARNING, pack="test",
          remediation="Nothing.")
    def breaks(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
        raise ValueError(f"broken on {resource.kind}")
        yield  # pragma: no cover

    settings = settings_for(build_registry([[breaks]]), ["breaks"])
    with pytest.raises(ValueError, match="broken on"):
        run([str(mixed)], settings, jobs=2, raise_errors=True)
    serial, pooled = run([str(mixed)], settings, jobs=1), run([str(mixed)], settings, jobs=2)
    assert pooled == serial  # as rule-error findings
    assert any(f.rule == "rule-error" for f in serial.findings) or not serial.findings


def test_transfer_keeps_documents_exact(mixed: Path) -> None:
    loaded = load_inputs(discover_all([str(mixed)], ()).inputs, 1 << 20)
    back = parallel.loads(parallel.dumps(loaded))
    assert [lt.file for lt in back] == [lt.file for lt in loaded]
    anchored = 0
    for lt, got in zip(loaded, back, strict=True):
        assert got.errors == lt.errors
        for doc, copy in zip(lt.documents, got.documents, strict=True):
            assert copy is not doc
            assert copy.data == doc.data and copy.positions == doc.positions and copy.aliases == doc.aliases
            assert (copy.directives, copy.duplicate_keys, copy.dollar, copy.origin) == (
                doc.directives, doc.duplicate_keys, doc.dollar, doc.origin)
            if doc.root is not None:
                anchored += 1
                paths = [("spec",), ("spec", "template", "spec", "containers", 1, "securityContext"),
                         ("spec", "template", "spec", "containers", 1, "securityContext", "privileged"),
                         ("metadata", "name"), ("nowhere",)]
                for path in paths:
                    assert copy.locate(path) == doc.locate(path)
    assert anchored >= 1


def test_split_by_bytes() -> None:
    sizes = [5, 1, 1, 1, 1, 1, 10, 0]
    groups = parallel.split_by_bytes(sizes, 2)
    assert sorted(i for g in groups for i in g) == list(range(len(sizes)))
    assert all(g == sorted(g) for g in groups)
    totals = sorted(sum(sizes[i] for i in g) for g in groups)
    assert totals == [10, 10]
    assert parallel.split_by_bytes([1, 1], 5) == [[0], [1]]
    weighted = parallel.split_by_bytes([1] * 44, 2, first=1.2)
    assert [len(g) for g in weighted] == [24, 20]


def test_workers_for(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parallel.workers_for(1, 10**12) == 1
    assert parallel.workers_for(3, 10) == 3
    monkeypatch.setattr(_jobs, "AUTO_MIN_BYTES", 1000)
    assert parallel.workers_for(parallel.AUTO, 999, cpus=2) == 1
    assert parallel.workers_for(parallel.AUTO, 1000, cpus=2) == 2
    assert parallel.workers_for(parallel.AUTO, 1000, cpus=1) == 1
    monkeypatch.setattr(_jobs, "can_fork", lambda: False)
    assert parallel.workers_for(4, 10**12) == 1


def test_auto_is_serial_below_the_threshold(mixed: Path, counted: dict[str, int]) -> None:
    assert sum(f.stat().st_size for f in mixed.rglob("*") if f.is_file()) < _jobs.AUTO_MIN_BYTES
    settings = resolve_settings(use_config_file=False, entry_points=False)
    run([str(mixed)], settings, jobs=parallel.AUTO)
    assert counted == {"from_shares": 0, "in_parent": 0}  # the hook was never made: no pool


def test_auto_pools_at_the_threshold(monkeypatch: pytest.MonkeyPatch, mixed: Path, counted: dict[str, int]) -> None:
    if not parallel.can_fork():
        pytest.skip("no fork here")
    monkeypatch.setattr(_jobs, "AUTO_MIN_BYTES", 1)
    monkeypatch.setattr(_jobs, "usable_cpus", lambda: 2)
    settings = resolve_settings(use_config_file=False, entry_points=False)
    run([str(mixed)], settings, jobs=parallel.AUTO)
    assert counted["from_shares"] > 0


def _cli(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", "--no-config", *args], out=out, err=err)
    return code, out.getvalue()


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit", "text", "full"])
def test_cli_reports_are_byte_identical(mixed: Path, fmt: str) -> None:
    serial = _cli(str(mixed), "--select", "all", "--format", fmt, "--jobs", "1")
    pooled = _cli(str(mixed), "--select", "all", "--format", fmt, "--jobs", "2")
    assert pooled == serial
    assert serial[1]


def test_cli_profile_rules_and_stdin_stay_serial(mixed: Path, counted: dict[str, int]) -> None:
    _cli(str(mixed), "--jobs", "2", "--profile-rules")
    assert counted["from_shares"] == 0


@pytest.mark.parametrize("value", ["0", "-1", "x", "257", "1.5"])
def test_cli_rejects_bad_jobs(mixed: Path, value: str, capsys: pytest.CaptureFixture[str]) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", "--no-config", str(mixed), "--jobs", value], out=out, err=err)
    assert code == 2
    assert "--jobs" in err.getvalue()


def test_single_input_and_stdin_stay_serial(mixed: Path, counted: dict[str, int]) -> None:
    settings = resolve_settings(use_config_file=False, entry_points=False)
    run([str(mixed / "app" / "web.yaml")], settings, jobs=2)
    run(["-", str(mixed / "app" / "web.yaml")], settings, jobs=2, stdin=b"apiVersion: v1\nkind: Namespace\n"
        b"metadata: {name: x}\n")
    assert counted["from_shares"] == 0
    inputs = [Input("-", "-"), Input(str(mixed / "app" / "web.yaml"), "web.yaml")]
    assert parallel.load_pooled(inputs, 1 << 20, settings.plan, 2) is None


def _object_memo_keys() -> set[str]:
    """The keys of the ``object_memo`` calls of the rules (a name for a key is resolved by its constant)."""
    import re

    keys: set[str] = set()
    package = Path(parallel.__file__).parent
    for path in [*(package / "rules").rglob("*.py"), package / "model" / "quantity.py"]:  # (the rules' quantities)
        text = path.read_text()
        for literal, name in re.findall(r'object_memo\(\s*(?:"([^"]+)"|(\w+))', text):
            if name:
                found = re.search(rf'^{name} = "([^"]+)"', text, re.MULTILINE)
                assert found, f"{path.name}: the key {name} is not a string constant"
            keys.add(found.group(1) if name and found else literal)
    return keys


def test_only_per_object_memos_pass_the_stand_in() -> None:
    """A memo that derives a table from the run's objects is a read of the index: refused in a share (here
    ``duplicate-object``'s and the schema pack's CRD table, and every per-object key asked through ``memo``);
    the per-object caches (``object_memo``) are the share's own."""
    stand_in: Any = parallel._NoIndex()
    keys = _object_memo_keys()
    for key in ("duplicate-object:first:namespace", "schema:crd-schemas", "model:is-patch", "resources.pod-table",
                *keys):
        with pytest.raises(parallel.NeedsIndex):
            stand_in.memo(key, dict)
    for key in keys:
        assert stand_in.object_memo(key, dict) is stand_in.object_memo(key, dict)
    for read in (lambda: stand_in.resources, lambda: stand_in.has_kind("X"), lambda: bool(stand_in),
                 lambda: list(stand_in), lambda: "x" in stand_in):
        with pytest.raises(parallel.NeedsIndex):
            read()


def test_the_per_object_caches_are_declared_where_they_are_used() -> None:
    """The ten per-object caches of the packs (schema lifecycle, targets and problems; label texts found
    valid; GPU facts; the missing-object references; Roles' rules; credential and host-path matchers; parsed
    quantities) are declared at their call, so a share keeps each one: none is asked through ``memo``, which a
    share refuses."""
    assert _object_memo_keys() == {
        "schema:lifecycle", "schema:targets", "schema:problems", "schema.invalid-label.valid", "gpu.facts",
        "resources.references", "security.policy-rules", "security:credential-names", "security:host-paths",
        "model:quantity-values",
    }


def test_a_rule_that_keeps_reading_the_index_is_left_to_the_parent_early(tmp_path: Path) -> None:
    """After GIVE_UP_AFTER objects of a kind in a row, a share stops starting the rule on that kind: the later
    pairs are the parent's even where the rule would not have read the index, and the report stays the same."""
    from guardlint.rules.registry import build_registry
    from guardlint.testing import settings_for

    @rule(code="TST904", name="sometimes-reads-index", title="A test rule", severity=Severity.WARNING,
          pack="test", remediation="Nothing.")
    def sometimes(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
        if (resource.name or "").startswith("many"):
            yield Violation(("metadata",), f"maps: {sum(1 for _ in ctx.index.of_kind('ConfigMap'))}")
        else:
            yield Violation(("metadata",), "alone")

    many = parallel.GIVE_UP_AFTER + 5
    docs = [f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: many{n}}}\n" for n in range(many)]
    docs += [f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: few{n}}}\n" for n in range(10)]
    (tmp_path / "a.yaml").write_text("---\n".join(docs))
    (tmp_path / "b.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: few-other}\n")
    settings = settings_for(build_registry([[sometimes]]), ["sometimes-reads-index"])
    loaded = load_inputs(discover_all([str(tmp_path)], ()).inputs, settings.max_bytes)
    checked, _, _ = parallel.per_object_work(loaded, settings.plan)
    deferred = {doc.data["metadata"]["name"] for doc, c in checked.items() if c.deferred}
    assert deferred == {f"many{n}" for n in range(many)} | {f"few{n}" for n in range(10)} | {"few-other"}
    share = parallel.Share(tuple(range(len(loaded))), loaded, checked, _considered(settings.plan, loaded))
    pooled = lint_loaded(loaded, settings.plan, ready=lambda r: parallel.ready_from([share], r.resources_by_doc))
    assert pooled == lint_loaded(loaded, settings.plan)
    assert run([str(tmp_path)], settings, jobs=2) == run([str(tmp_path)], settings, jobs=1)


def test_split_by_bytes_keeps_fixed_positions_in_the_first_group() -> None:
    groups = parallel.split_by_bytes([1, 1, 1, 1, 8], 2, fixed=[1, 2])
    assert groups[0][:2] == [1, 2] or set(groups[0]) >= {1, 2}
    assert sorted(i for g in groups for i in g) == [0, 1, 2, 3, 4]
    assert groups == [[0, 1, 2, 3], [4]]


def _exchange_tree(tmp_path: Path, limitrange_kind: str = "LimitRange") -> Path:
    """A LimitRange and a Kustomization with its patch, each in a file of its own, and workloads in others
    (so that the workloads fall in the other shares: the exchange's files are the first share's)."""
    tree = tmp_path / "tree"
    (tree / "base").mkdir(parents=True)
    (tree / "apps").mkdir()
    (tree / "limits.yaml").write_text(f"""apiVersion: v1
kind: {limitrange_kind}
metadata: {{name: defaults, namespace: prod}}
spec:
  limits: [{{type: Container, defaultRequest: {{cpu: 100m, memory: 64Mi}}, default: {{memory: 128Mi}}}}]
""")
    # a Kustomization among the objects (a file of another name: the folder is not rendered), listing a patch
    (tree / "base" / "overlay.yaml").write_text("""apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [deploy.yaml]
patches: [{path: patch.yaml}]
""")
    (tree / "base" / "patch.yaml").write_text("""apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers: [{name: api, image: "ghcr.io/x/api:1.0"}]
""")
    for n in range(6):
        (tree / "apps" / f"app{n}.yaml").write_text(f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: app{n}, namespace: {"prod" if n % 2 else "dev"}}}
spec:
  selector: {{matchLabels: {{app: a{n}}}}}
  template:
    metadata: {{labels: {{app: a{n}}}}}
    spec:
      containers: [{{name: c, image: "nginx:1.27"}}]
""" + "# padding\n" * 40 * n)
    return tree


@pytest.mark.parametrize("jobs", [2, 3])
def test_the_exchange_answers_for_objects_in_other_shares(tmp_path: Path, jobs: int, counted: dict[str, int]
                                                           ) -> None:
    """The LimitRange and the Kustomization are in the first share, the workloads they bear on in the others:
    the shares run the "missing request" and probe rules with what the exchange answers (no pair of theirs is
    left to the parent), and the report is the serial one, with and without --partial."""
    tree = _exchange_tree(tmp_path)
    for extra in ({}, {"partial": True}):
        serial, pooled = _both([str(tree)], jobs, select=["all"], **extra)
        assert pooled == serial
    rules = {(f.rule, f.resource.name if f.resource else None) for f in serial.findings}
    assert ("missing-cpu-request", "app0") in rules and ("missing-cpu-request", "app1") not in rules
    assert not any(f.file.endswith("patch.yaml") and f.rule in ("missing-cpu-request", "missing-liveness-probe")
                   for f in serial.findings)  # a patch the Kustomization lists
    settings = resolve_settings(use_config_file=False, entry_points=False)
    inputs = discover_all([str(tree)], ()).inputs
    exchange = parallel.make_exchange(inputs, parallel.input_sizes(inputs), settings.max_bytes, settings.plan)
    assert exchange is not None
    assert sorted(inputs[i].display.rpartition("/")[2] for i in exchange.loaded) == [
        "limits.yaml", "overlay.yaml"]
    others = [i for i in range(len(inputs)) if i not in exchange.loaded]
    share = parallel.lint_share(others, inputs, settings.max_bytes, settings.plan, exchange=exchange)
    deferred = {name for c in share.checked.values() for _, name in c.deferred}
    touched = {name for c in share.checked.values() for _, name in c.touched}
    assert not share.surprise
    assert not deferred & {"missing-cpu-request", "missing-memory-request", "missing-memory-limit",
                           "missing-liveness-probe", "missing-readiness-probe"}
    assert {"missing-cpu-request", "missing-liveness-probe"} <= touched


def test_an_exchanged_kind_spelled_otherwise_is_a_surprise(tmp_path: Path, counted: dict[str, int]) -> None:
    """A LimitRange whose kind is written with an escape is not among the exchange's files: the share that
    loads it says so, and the parent runs again every pair that read the exchange. Same report."""
    tree = _exchange_tree(tmp_path, limitrange_kind='"LimitR\\x61nge"')
    serial, pooled = _both([str(tree)], 2, select=["all"])
    assert pooled == serial
    assert not any(f.rule == "missing-cpu-request" and f.resource and f.resource.name == "app1"
                   for f in serial.findings)
    settings = resolve_settings(use_config_file=False, entry_points=False)
    inputs = discover_all([str(tree)], ()).inputs
    exchange = parallel.make_exchange(inputs, parallel.input_sizes(inputs), settings.max_bytes, settings.plan)
    assert exchange is not None and len(exchange.loaded) == 1  # the Kustomization alone
    share = parallel.lint_share(list(range(len(inputs))), inputs, settings.max_bytes, settings.plan,
                                exchange=exchange)
    assert share.surprise
    ready = parallel.ready_from([share], {})
    assert ready is not None


def test_the_exchange_is_made_only_when_its_files_are_few(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = _exchange_tree(tmp_path)
    settings = resolve_settings(use_config_file=False, entry_points=False)
    inputs = discover_all([str(tree)], ()).inputs
    sizes = parallel.input_sizes(inputs)
    assert parallel.make_exchange(inputs, sizes, settings.max_bytes, settings.plan) is not None
    monkeypatch.setattr(parallel, "EXCHANGE_MAX_FRACTION", 0.01)
    assert parallel.make_exchange(inputs, sizes, settings.max_bytes, settings.plan) is None


def test_the_share_index_answers_only_what_the_exchange_holds(tmp_path: Path) -> None:
    tree = _exchange_tree(tmp_path)
    settings = resolve_settings(use_config_file=False, entry_points=False, partial=True)
    inputs = discover_all([str(tree)], ()).inputs
    exchange = parallel.make_exchange(inputs, parallel.input_sizes(inputs), settings.max_bytes, settings.plan)
    assert exchange is not None
    share_index: Any = parallel._ShareIndex(exchange.objects)
    assert not share_index.touched
    assert [r.name for r in share_index.in_namespace("LimitRange", "prod")] == ["defaults"]
    assert share_index.touched
    assert share_index.has_kind("Kustomization") and share_index.partial is True
    assert share_index.memo("x", dict) is share_index.memo("x", dict)
    for read in (lambda: share_index.has_kind("Deployment"), lambda: share_index.of_kind("ConfigMap"),
                 lambda: share_index.resources, lambda: share_index.kinds, lambda: share_index.tree_set("k", list),
                 lambda: share_index.memo("y", lambda: list(share_index.of_kind("Service"))), lambda: bool(share_index),
                 lambda: list(share_index), lambda: "x" in share_index, lambda: share_index._by_kind):
        with pytest.raises(parallel.NeedsIndex):
            read()
    with pytest.raises(parallel.NeedsIndex):  # a memo whose table reads a kind the exchange lacks is not kept
        share_index.memo("y", lambda: list(share_index.of_kind("Service")))


def test_a_context_run_makes_no_exchange_a_rendered_one_does(mixed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--context files are read after the pool (no exchange); rendered overlays before it: their objects are the
    exchange's too (here the kustomize base of the mixed tree, rendered)."""
    made: list[Any] = []
    real = parallel.make_exchange
    monkeypatch.setattr(parallel, "make_exchange", lambda *a, **k: made.append(a) or real(*a, **k))
    settings = resolve_settings(use_config_file=False, entry_points=False, select=["all"], partial=True)
    run([str(mixed / "app"), str(mixed / "jobs")], settings, context=[str(mixed / "base")], jobs=2)
    assert not made
    run([str(mixed)], settings, jobs=2)
    assert len(made) == 1 and made[0][4]  # the rendered base among the run's objects
