"""The engine's per-run shortcuts are exact: they change which work is done, never what is reported.

- ``engine._Checks`` finds the rules of a kind by the kinds they name instead of testing every rule: the
  (rule, object) pairs a run calls, in their order, are those of the plain selection (every rule in the plan's
  order whose kinds hold the object's kind and whose gates pass), over every rule fixture, the workload
  fixtures and the gates' near hits and near misses, with every rule on; also in one run of all of them,
  where kinds that the same rules name (every kind no rule names among them) share one ``of_kind`` answer and
  the plans made for it.
- A run without any suppression (no configuration exemption, no comment directive, no suppression annotation)
  neither imports nor calls ``apply_suppressions``; one with any of the three calls it.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from guardlint import suppress
from guardlint.config.model import Exemption
from guardlint.engine import Run, _Checks
from guardlint.rules.gates import needed, open_gates, passes
from guardlint.source.loader import load_text
from guardlint.testing import settings_for
from tests.helpers import ROOT, registry
from tests.rules.test_gates import NEAR_HITS, NEAR_MISSES, PLAIN, _fixtures

WORKLOADS = ROOT / "tests" / "fixtures" / "workloads"


def _expected_pairs(run: Run) -> list[tuple[str, int]]:
    """The (rule, object) pairs a run calls, by the plain selection: each object in turn, each rule in the
    plan's order that checks its kind and whose gates (``pods_only`` included) its answers pass."""
    pairs: list[tuple[str, int]] = []
    for position, resource in enumerate(run.resources):
        for active in run.plan.active:
            info = active.rule.info
            if info.engine or (info.kinds is not None and resource.kind not in info.kinds):
                continue
            answers = open_gates(resource, run.ctx.workloads, needed(info.pods_only, info.gates))
            if passes(info.pods_only, info.gates, answers):
                pairs.append((info.name, position))
    return pairs


def test_the_rules_called_on_each_object_are_those_of_the_plain_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = settings_for(registry(), ["all"], None, None, {}).plan
    texts = [fx.text for fx in _fixtures()]
    texts += [p.read_text(encoding="utf-8") for p in sorted(WORKLOADS.glob("*.yaml"))]
    texts += [PLAIN, NEAR_HITS, NEAR_MISSES]
    calls: list[tuple[str, int]] = []
    checks = {a.rule.name: a.rule.check for a in plan.active if not a.rule.info.engine}
    compared = 0
    for i, text in enumerate(texts):
        run = Run([load_text(text, f"{i}.yaml", nodes=False)], plan)
        positions = {id(r): n for n, r in enumerate(run.resources)}

        def counting(name: str, positions: dict[int, int] = positions) -> Any:
            def check(resource: Any, params: Any, ctx: Any) -> Any:
                calls.append((name, positions[id(resource)]))
                return checks[name](resource, params, ctx)

            return check

        expected = _expected_pairs(run)
        for active in plan.active:
            if not active.rule.info.engine:
                monkeypatch.setattr(active.rule, "_check", counting(active.rule.name))
        calls.clear()
        run.check(raise_errors=True)
        monkeypatch.undo()
        assert calls == expected, f"text {i}"
        compared += len(expected)
    assert compared > 50_000  # every rule fixture, with every rule on (75,970 pairs at this writing)


def test_kinds_named_by_the_same_rules_share_their_rules_and_plans(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = settings_for(registry(), ["all"], None, None, {}).plan
    active = [a for a in plan.active if not a.rule.info.engine]
    checks = _Checks(active)
    unnamed = checks.of_kind("NoRuleNamesThisKind")
    assert checks.of_kind("NorThisOne") is unnamed  # one answer for every kind no rule names
    assert [c.name for c in unnamed.candidates] == [a.rule.name for a in active if a.rule.info.kinds is None]
    for kind in sorted({k for a in active for k in a.rule.info.kinds or ()}):
        got = checks.of_kind(kind)
        plain = [a for a in active if a.rule.info.kinds is None or kind in a.rule.info.kinds]
        assert [c.name for c in got.candidates] == [a.rule.name for a in plain], kind
        assert got.asks == tuple(dict.fromkeys(
            g for a in plain for g in needed(a.rule.info.pods_only, a.rule.info.gates))), kind
        assert checks.of_kind(kind) is got
    # One run of every fixture: objects of many kinds, most of them sharing an answer with other kinds.
    texts = [fx.text for fx in _fixtures()]
    texts += [p.read_text(encoding="utf-8") for p in sorted(WORKLOADS.glob("*.yaml"))]
    texts += [PLAIN, NEAR_HITS, NEAR_MISSES]
    run = Run([load_text(text, f"{i}.yaml", nodes=False) for i, text in enumerate(texts)], plan)
    positions = {id(r): n for n, r in enumerate(run.resources)}
    real = {a.rule.name: a.rule.check for a in active}
    calls: list[tuple[str, int]] = []
    for a in active:
        def check(resource: Any, params: Any, ctx: Any, name: str = a.rule.name) -> Any:
            calls.append((name, positions[id(resource)]))
            return real[name](resource, params, ctx)

        monkeypatch.setattr(a.rule, "_check", check)
    expected = _expected_pairs(run)
    run.check(raise_errors=True)
    monkeypatch.undo()
    assert calls == expected
    assert len({r.kind for r in run.resources}) > 100


def _counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = suppress.apply_suppressions

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(suppress, "apply_suppressions", counting)
    return calls


_DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop{annotations}
spec:
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers:
      - name: web
        image: nginx:1.27{comment}
        securityContext: {{privileged: true}}
"""


@pytest.mark.parametrize(("annotations", "comment", "exempt", "suppressing"), [
    ("", "", False, False),
    ("\n  annotations: {ignore.guardlint.dev/privileged-container: needs raw sockets}", "", False, True),
    ("\n  annotations: {ignore.guardlint.dev/no-such-rule: why}", "", False, True),
    ("", "  # guardlint: ignore latest-tag -- pinned by digest elsewhere", False, True),
    ("", "", True, True),
])
def test_suppressions_are_resolved_only_in_a_run_that_holds_one(
    annotations: str, comment: str, exempt: bool, suppressing: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _counted(monkeypatch)
    plan = settings_for(registry(), ["all"], None, None, {}).plan
    if exempt:
        plan = plan._replace(exemptions=(Exemption(reason="a lab cluster", rules=("privileged-container",)),))
    text = _DEPLOYMENT.format(annotations=annotations, comment=comment)
    run = Run([load_text(text, "m.yaml", nodes=False)], plan)
    run.check(raise_errors=True)
    report = run.report()
    assert len(calls) == (1 if suppressing else 0)
    privileged = [f for f in report.findings if f.rule == "privileged-container"]
    assert privileged and all(f.suppressed == (suppressing and not comment and "no-such-rule" not in annotations)
                              for f in privileged)


def test_a_run_without_suppressions_does_not_import_them() -> None:
    code = ("import sys; from guardlint.api import lint_text; "
            "lint_text('apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: a}\\n'); "
            "print('guardlint.suppress' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


@pytest.mark.parametrize("named", ["out", "out/", "out/.", "./out", "lf.yaml", "sub/../out"])
def test_a_named_link_out_of_the_repository_is_refused_however_it_is_spelled(
    named: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Discovery asks one ``lstat`` per named path that is not itself a link; a link spelled with a trailing
    ``/`` or ``/.`` (which ``lstat`` follows) is still looked at as a link, and refused."""
    from guardlint.findings import ErrorKind
    from guardlint.source.files import discover_all

    repo, outside = tmp_path / "repo", tmp_path / "outside"
    (repo / ".git").mkdir(parents=True)
    (repo / "sub").mkdir()
    outside.mkdir()
    (outside / "x.yaml").write_text("kind: ConfigMap\n")
    (repo / "out").symlink_to(outside, target_is_directory=True)
    (repo / "lf.yaml").symlink_to(outside / "x.yaml")
    monkeypatch.chdir(repo)
    found = discover_all([named])
    assert found.inputs == []
    assert [e.kind for e in found.errors] == [ErrorKind.UNREADABLE]
    assert "outside the repository" in found.errors[0].message


@pytest.mark.parametrize(("named", "inputs", "error"), [
    ("a.yaml", ["a.yaml"], None),
    ("./a.yaml", ["a.yaml"], None),
    ("sub", ["sub/b.yaml"], None),
    ("sub/", ["sub/b.yaml"], None),
    (".", ["a.yaml", "dangling.yaml", "in.yaml", "sub/b.yaml"], None),
    ("in.yaml", ["in.yaml"], None),
    ("missing.yaml", [], "NOT_FOUND"),
    ("dangling.yaml", [], None),
])
def test_named_paths_are_found_as_before(named: str, inputs: list[str], error: str | None, tmp_path: Any,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from guardlint.source.files import discover_all

    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "sub").mkdir()
    (repo / "a.yaml").write_text("kind: ConfigMap\n")
    (repo / "sub" / "b.yaml").write_text("kind: ConfigMap\n")
    (repo / "in.yaml").symlink_to(repo / "a.yaml")  # a link that stays inside: read
    (repo / "dangling.yaml").symlink_to(repo / "nowhere.yaml")  # exists as a link: named, read later
    monkeypatch.chdir(repo)
    found = discover_all([named])
    if named == "dangling.yaml":
        assert [i.display for i in found.inputs] == ["dangling.yaml"] and not found.errors
        return
    assert sorted(i.display for i in found.inputs) == inputs
    assert [e.kind.name for e in found.errors] == ([error] if error else [])


def test_a_serial_run_does_not_import_the_pool(tmp_path: Any) -> None:
    """``--jobs auto`` on a small input decides to stay serial from ``guardlint._jobs`` alone; the pool's module
    is imported only for a run that starts one."""
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\n")
    code = ("import sys; from guardlint.cli import main; "
            f"code = main(['check', '--no-config', '--jobs', 'auto', {str(tmp_path)!r}]); "
            "print(code, 'guardlint.parallel' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split()[-2:] == ["0", "False"]


def test_the_tree_walk_probes_as_isfile_and_lexists(tmp_path: Any) -> None:
    """``render.tree.Trees`` probes a folder's names with ``os.stat``/``os.lstat`` of a concatenated path: a
    ``Chart.yaml`` that is a folder is no chart, a kustomization that is a link to a file counts, ``.git`` as a
    file (a worktree) stops the walk, and the answers equal those of ``isfile``/``lexists`` of ``join``."""
    import os

    from guardlint.render.tree import KUSTOMIZATION_NAMES, Trees, is_repo_root, kustomization_file, partition
    from guardlint.source.files import Input

    root = tmp_path / "repo"
    (root / "a" / "Chart.yaml").mkdir(parents=True)  # a folder, not a chart file
    (root / "a" / "b").mkdir()
    (root / "a" / "b" / "Chart.yaml").write_text("name: b\n")
    (root / "a" / "b" / "templates").mkdir()
    (root / "k" / "x").mkdir(parents=True)
    (root / "k" / "Kustomization").write_text("resources: []\n")
    (root / "l").mkdir()
    (root / "l" / "kustomization.yaml").symlink_to(root / "k" / "Kustomization")
    (root / "p").mkdir()
    (root / ".git").write_text("gitdir: elsewhere\n")
    (tmp_path / "Chart.yaml").write_text("name: outside\n")  # above the checkout: never picked up
    files = {name: root / name / "m.yaml" for name in ("a", "a/b/templates", "k/x", "l", "p")}
    for f in files.values():
        f.write_text("kind: ConfigMap\n")
    parts = partition([Input(str(f), name) for name, f in files.items()])
    assert {k: [i.display for i in v] for k, v in parts.charts.items()} == {str(root / "a" / "b"): ["a/b/templates"]}
    assert {k: [i.display for i in v] for k, v in parts.kustomize.items()} == {
        str(root / "k"): ["k/x"], str(root / "l"): ["l"]}
    assert [i.display for i in parts.raw] == ["a", "p"]
    trees = Trees()
    for folder in [root, *(root / n for n in ("a", "a/b", "k", "l", "p")), tmp_path]:
        d = os.path.abspath(folder)
        assert trees._is_repo_root(d) == is_repo_root(d)
        assert any(os.path.isfile(os.path.join(d, n)) for n in KUSTOMIZATION_NAMES) == (
            kustomization_file(d) is not None)
