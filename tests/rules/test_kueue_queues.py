"""kueue-local-queue-missing and kueue-cluster-queue-missing under the missing-object policy: what a partial
run, ``--context``, ``known-objects``, separate trees, RBAC that may create queues and a folder of samples do;
and the work grows linearly with the number of queues."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from guardlint.cli import main

RULES = "kueue-local-queue-missing,kueue-cluster-queue-missing"


def local_queue(name: str, namespace: str, cluster_queue: str) -> str:
    return (f"apiVersion: kueue.x-k8s.io/v1beta1\nkind: LocalQueue\nmetadata:\n  name: {name}\n"
            f"  namespace: {namespace}\nspec:\n  clusterQueue: {cluster_queue}\n---\n")


def cluster_queue(name: str, namespace: str | None = None) -> str:
    ns = f"  namespace: {namespace}\n" if namespace else ""
    return (f"apiVersion: kueue.x-k8s.io/v1beta1\nkind: ClusterQueue\nmetadata:\n  name: {name}\n{ns}"
            "spec:\n  namespaceSelector: {}\n  resourceGroups: []\n---\n")


def job(name: str, namespace: str, queue: str) -> str:
    return (f"apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {name}\n  namespace: {namespace}\n  labels:\n"
            f"    kueue.x-k8s.io/queue-name: {queue}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n"
            "      containers:\n        - {name: c, image: example.com/c:1.0.0}\n---\n")


def found(*args: str) -> list[tuple[str, str, int, str]]:
    out = io.StringIO()
    main(["check", "--no-config", "--select", RULES, "--format", "json", "--fail-on", "never", *args], out=out,
         err=io.StringIO())
    report = json.loads(out.getvalue())
    return sorted((f["rule"], f["file"], f["line"], f["message"].split("'")[1]) for f in report["findings"])


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "platform").mkdir()
    (tmp_path / "platform" / "queues.yaml").write_text(
        cluster_queue("gpu") + local_queue("team-a", "ml", "gpu") + local_queue("team-b", "ml", "cpu"))
    (tmp_path / "platform" / "jobs.yaml").write_text(job("a", "ml", "team-a") + job("b", "ml", "team-x"))
    return tmp_path


def test_a_full_run_judges_both(repo: Path) -> None:
    assert found(".") == [
        ("kueue-cluster-queue-missing", "platform/queues.yaml", 23, "cpu"),
        ("kueue-local-queue-missing", "platform/jobs.yaml", 21, "team-x"),
    ]


def test_a_partial_run_judges_nothing_without_context(repo: Path) -> None:
    assert found("--partial", "platform/jobs.yaml", "platform/queues.yaml") == []
    # --context over the folder: the run sees it whole again
    assert len(found("--partial", "--context", "platform", "platform/jobs.yaml", "platform/queues.yaml")) == 2


def test_known_objects_stand_for_queues_kept_elsewhere(repo: Path) -> None:
    (repo / ".guardlint.yaml").write_text(
        "known-objects:\n  - {kind: LocalQueue, name: team-x, namespace: ml}\n  - {kind: ClusterQueue, name: cpu}\n")
    out = io.StringIO()
    main(["check", ".", "--select", RULES, "--format", "json", "--fail-on", "never"], out=out, err=io.StringIO())
    assert json.loads(out.getvalue())["findings"] == []


def test_a_workload_in_another_tree_is_not_judged_by_this_one(repo: Path) -> None:
    (repo / "apps").mkdir()
    (repo / "apps" / "job.yaml").write_text(job("c", "ml", "team-y"))
    # apps/ holds no LocalQueue and is not below platform/: nothing there says the queues are complete
    assert [f for f in found(".") if f[1] == "apps/job.yaml"] == []


def test_cluster_queues_kept_in_a_parent_folder_count(repo: Path) -> None:
    (repo / "platform" / "teams").mkdir()
    (repo / "platform" / "teams" / "ml.yaml").write_text(local_queue("team-c", "ml", "gpu")
                                                        + local_queue("team-d", "ml", "tpu"))
    assert [f for f in found(".") if f[1] == "platform/teams/ml.yaml"] == [
        ("kueue-cluster-queue-missing", "platform/teams/ml.yaml", 15, "tpu")]


def test_a_role_that_may_create_queues_keeps_them_quiet(repo: Path) -> None:
    (repo / "platform" / "rbac.yaml").write_text(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: queue-maker\nrules:\n"
        "  - apiGroups: [kueue.x-k8s.io]\n    resources: [localqueues, clusterqueues]\n    verbs: [create]\n")
    assert found(".") == []


def test_a_namespaced_cluster_queue_still_counts(repo: Path) -> None:
    (repo / "platform" / "more.yaml").write_text(cluster_queue("cpu", namespace="ml"))
    assert [f[0] for f in found(".")] == ["kueue-local-queue-missing"]


def test_a_folder_of_samples_judges_each_file_alone(repo: Path) -> None:
    samples = repo / "samples"
    samples.mkdir()
    # the same LocalQueue in two files: independent alternatives
    (samples / "a.yaml").write_text(cluster_queue("gpu") + local_queue("q", "ml", "gpu") + job("j", "ml", "q"))
    (samples / "b.yaml").write_text(local_queue("q", "ml", "missing-in-b") + job("j2", "ml", "nope"))
    got = [f for f in found(".") if f[1].startswith("samples/")]
    # b.yaml holds no ClusterQueue of its own: its LocalQueue's reference is not judged; its job's queue is
    assert got == [("kueue-local-queue-missing", "samples/b.yaml", 15, "nope")]


@pytest.mark.parametrize("n", [50])
def test_work_grows_linearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    """Counted, not timed: ``same_tree`` calls for n and 4n queues and jobs (a scan per reference would make
    them grow 16-fold)."""
    from guardlint.model.index import ResourceIndex

    calls = 0
    real = ResourceIndex.same_tree

    def counting(self: ResourceIndex, a: object, b: object) -> bool:
        nonlocal calls
        calls += 1
        return real(self, a, b)  # type: ignore[arg-type]

    monkeypatch.setattr(ResourceIndex, "same_tree", counting)
    monkeypatch.chdir(tmp_path)
    counts = []
    for size in (n, 4 * n):
        folder = tmp_path / f"s{size}"
        folder.mkdir()
        text = "".join(cluster_queue(f"cq{i}") + local_queue(f"lq{i}", "ml", f"cq{i + 1}")
                       + job(f"j{i}", "ml", f"lq{i + 1}") for i in range(size))
        (folder / "all.yaml").write_text(text)
        calls = 0
        assert len(found(str(folder.name))) == 2
        counts.append(calls)
    assert counts[1] <= 5 * max(counts[0], 1), counts


def deployment(name: str, namespace: str, own: str | None, template: str | None) -> str:
    own_labels = f"  labels: {{kueue.x-k8s.io/queue-name: {own}}}\n" if own else ""
    template_labels = f", kueue.x-k8s.io/queue-name: {template}" if template else ""
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {namespace}\n"
            f"{own_labels}spec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata:\n"
            f"      labels: {{app: {name}{template_labels}}}\n    spec:\n"
            "      containers:\n        - {name: c, image: example.com/c:1.0.0}\n---\n")


def test_a_pod_template_label_is_read_as_kueue_reads_it(repo: Path) -> None:
    (repo / "platform" / "serve.yaml").write_text(
        deployment("only-template", "ml", None, "team-y")  # the pods' own label: the pod integration reads it
        + deployment("both", "ml", "team-a", "team-z")  # the object's: Kueue copies it onto the template
        + deployment("object", "ml", "team-w", None))
    assert [f for f in found(".") if f[1] == "platform/serve.yaml"] == [
        ("kueue-local-queue-missing", "platform/serve.yaml", 10, "team-y"),
        ("kueue-local-queue-missing", "platform/serve.yaml", 35, "team-w"),
    ]


def test_without_the_pod_integration_a_template_label_is_not_read(repo: Path) -> None:
    (repo / "platform" / "serve.yaml").write_text(
        deployment("only-template", "ml", None, "team-y") + deployment("object", "ml", "team-w", None))
    (repo / "cfg.yaml").write_text(
        "rules:\n  kueue-local-queue-missing:\n    params: {kinds: [Job, Deployment, StatefulSet]}\n")
    out = io.StringIO()
    main(["check", "--config", "cfg.yaml", "--select", RULES, "--format", "json", "--fail-on", "never", "."],
         out=out, err=io.StringIO())
    names = sorted(f["message"].split("'")[1] for f in json.loads(out.getvalue())["findings"]
                   if f["file"] == "platform/serve.yaml")
    assert names == ["team-w"]


def test_a_default_local_queue_takes_the_unlabelled_workload(repo: Path) -> None:
    (repo / "platform" / "serve.yaml").write_text(
        local_queue("default", "web", "gpu") + deployment("only-template", "web", None, "team-y")
        + deployment("object", "web", "team-w", None))
    assert [f[3] for f in found(".") if f[1] == "platform/serve.yaml"] == ["team-w"]
