"""--fix reaches a fixed point in one run: a second --fix on its output changes nothing.

Found by QA with scripts/fuzz.py: on a flow-style pod, the removals of two adjacent fields (``hostPID: true,
hostIPC: true``) touched the same text; one was refused and a second --fix removed it. A fix refused in one
round is now tried again on the edited text, with the findings of that text, and reported as fixed."""

from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from guardlint.cli import main
from tests import fuzzing

FLOW_POD = (
    "{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {hostPID: true, hostIPC: true,\n"
    "    dnsPolicy: ClusterFirst, containers: [{name: c, image: 'example.com/c:1.0.0'}]}}\n"
)
"""The minimised case: two removals side by side in one flow mapping."""


def run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(["check", *args], out=out, err=err), out.getvalue(), err.getvalue()


def fix(path: Path, *extra: str) -> tuple[str, str]:
    """--fix on ``path``; the file's new text and stderr."""
    _, _, err = run([str(path), "--no-config", *extra, "--fix"])
    return path.read_text(encoding="utf-8"), err


def test_two_removals_side_by_side_in_a_flow_mapping_are_made_in_one_run(tmp_path: Path) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(FLOW_POD, encoding="utf-8")
    after, err = fix(path, "--select", "shared-host-namespace", "--unsafe-fixes")
    assert yaml.safe_load(after)["spec"] == {
        "dnsPolicy": "ClusterFirst", "containers": [{"name": "c", "image": "example.com/c:1.0.0"}]}
    assert after == FLOW_POD.replace("hostPID: true, hostIPC: true,\n    ", "")
    assert err.count("fixed shared-host-namespace") == 2
    assert "not fixed" not in err and "applied 2 fixes" in err
    again, err = fix(path, "--select", "shared-host-namespace", "--unsafe-fixes")
    assert again == after and "applied 0 fixes" in err


@pytest.mark.parametrize(("before", "after"), [
    ("{containers: [{name: c, image: 'example.com/c:1.0.0'}], hostPID: true, hostIPC: true}",
     "{containers: [{name: c, image: 'example.com/c:1.0.0'}]}"),
    ("{hostNetwork: true, hostPID: true, shareProcessNamespace: true, containers: [{name: c, image: 'x:1'}]}",
     "{containers: [{name: c, image: 'x:1'}]}"),
    ("{dnsPolicy: Default, hostPID: true, hostIPC: true, containers: [{name: c, image: 'x:1'}], hostNetwork: true}",
     "{dnsPolicy: Default, containers: [{name: c, image: 'x:1'}]}"),
])
def test_neighbouring_removals_in_a_flow_mapping_are_one_span(tmp_path: Path, before: str, after: str) -> None:
    path = tmp_path / "pod.yaml"
    head = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: "
    path.write_text(head + before + "\n", encoding="utf-8")
    source = head + before + "\n"
    # One round of planning (no further rounds) already makes every removal.
    from guardlint.engine import lint_loaded
    from guardlint.fix import edits_for, fixable, plan_edits
    from guardlint.source.loader import load_text

    loaded = load_text(source, str(path))
    report = lint_loaded([loaded], fuzzing.settings(("shared-host-namespace", "shared-process-namespace")).plan)
    edits, no = edits_for(loaded, fixable(report)[str(path)])
    plan = plan_edits(source, str(path), edits, loaded=loaded)
    assert no == [] and plan.refused == () and len(plan.applied) == len(edits) == before.count("true")
    assert plan.text == head + after + "\n"
    text, err = fix(path, "--select", "shared-host-namespace,shared-process-namespace", "--unsafe-fixes")
    assert text == head + after + "\n"
    assert "not fixed" not in err


def test_diff_shows_what_fix_writes_when_it_takes_further_rounds(tmp_path: Path) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(FLOW_POD, encoding="utf-8")
    _, diff, _ = run([str(path), "--no-config", "--select", "shared-host-namespace", "--unsafe-fixes", "--diff"])
    assert path.read_text(encoding="utf-8") == FLOW_POD  # --diff writes nothing
    after, _ = fix(path, "--select", "shared-host-namespace", "--unsafe-fixes")
    removed = [line[1:] for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert removed == FLOW_POD.splitlines()[:2]
    assert added == after.splitlines()[:1]


def test_a_refusal_that_stands_is_still_reported(tmp_path: Path) -> None:
    """A fix refused for a reason the edited text keeps (the field defines an anchor) is tried again and
    stays refused, with its reason; the other fixes are made."""
    path = tmp_path / "pod.yaml"
    text = FLOW_POD.replace("hostIPC: true", "hostIPC: &h true").replace("dnsPolicy: ClusterFirst",
                                                                          "x-copy: *h, dnsPolicy: ClusterFirst")
    path.write_text(text, encoding="utf-8")
    after, err = fix(path, "--select", "shared-host-namespace", "--unsafe-fixes")
    assert after == text.replace("hostPID: true, ", "")
    assert "applied 1 fix\n" in err
    assert "not fixed shared-host-namespace" in err and "anchor '&h'" in err


def test_a_fix_refused_in_one_round_is_made_in_a_further_round(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever makes a fix refused in one round (here: the first round refuses the removal of hostIPC as
    if another fix touched its text), the fix is tried again on the edited text, made, and reported as
    fixed; without the further round a second --fix would remove hostIPC."""
    from guardlint import fix as fix_module

    real_add = fix_module._Structural.add
    refused: list[object] = []

    def add_refusing_once(self: Any, e: Any, chain: Any) -> str | None:
        if e.op == "remove" and e.path[-1] == "hostIPC" and not refused:
            refused.append(e)
            return "two fixes touch the same text"
        result: str | None = real_add(self, e, chain)
        return result

    monkeypatch.setattr(fix_module._Structural, "add", add_refusing_once)
    path = tmp_path / "pod.yaml"
    text = FLOW_POD.replace("spec: {", "spec: {hostNetwork: true, ").replace("hostIPC: true,\n    ", "")
    text = text.replace("dnsPolicy", "hostIPC: true, dnsPolicy")
    path.write_text(text, encoding="utf-8")
    after, err = fix(path, "--select", "shared-host-namespace", "--unsafe-fixes")
    assert len(refused) == 1  # the first round did refuse it
    assert "hostPID" not in after and "hostIPC" not in after and "hostNetwork" not in after
    assert err.count("fixed shared-host-namespace") == 3 and "not fixed" not in err and "applied 3 fixes" in err


# The property: for flow-style and block-style inputs, what one --fix writes is a fixed point.
HAND_WRITTEN = {
    "flow pod": FLOW_POD,
    "block pod": (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostPID: true\n  hostIPC: true\n"
        "  hostNetwork: true\n  containers:\n  - name: c\n    image: nginx:latest\n    imagePullPolicy: Never\n"
        "    securityContext:\n      privileged: true\n      allowPrivilegeEscalation: true\n"),
    "flow containers": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {a: b}}\n"
        "  template:\n    metadata: {labels: {a: b}}\n    spec: {hostNetwork: true, hostPID: true, containers: [\n"
        "      {name: a, image: 'nginx:latest', securityContext: {privileged: true, allowPrivilegeEscalation: true}},\n"
        "      {name: b, image: 'nginx:latest', securityContext: {privileged: true}}]}\n"),
    "flow custom resource": (
        "{apiVersion: ray.io/v1, kind: RayCluster, metadata: {name: r}, spec: {headGroupSpec: {template: {\n"
        "  spec: {hostPID: true, hostIPC: true, containers: [{name: h, image: 'rayproject/ray:2.9.0',\n"
        "    securityContext: {privileged: true}}]}}}}}\n"),
}


@pytest.mark.parametrize("name", sorted(HAND_WRITTEN))
def test_a_second_fix_changes_nothing_on_hand_written_inputs(tmp_path: Path, name: str) -> None:
    path = tmp_path / "in.yaml"
    path.write_text(HAND_WRITTEN[name], encoding="utf-8")
    once, err = fix(path, "--select", "all", "--unsafe-fixes")
    assert once != HAND_WRITTEN[name] and "applied 0 fixes" not in err
    twice, err = fix(path, "--select", "all", "--unsafe-fixes")
    assert twice == once, name
    assert "applied 0 fixes" in err


def _generated(seed: int, flow: bool) -> str:
    """A workload of a random kind with random mutations, in flow or block style."""
    rng = random.Random(seed)
    kind = rng.choice(fuzzing.workload_kinds())
    data = fuzzing.workload(rng, kind)
    data["spec"] = data.get("spec") if isinstance(data.get("spec"), dict) else {}
    text: str = yaml.safe_dump(data, default_flow_style=flow, sort_keys=False, width=80)
    return text


@pytest.mark.parametrize("flow", [True, False], ids=["flow", "block"])
@pytest.mark.parametrize("seed", range(6))
def test_a_second_fix_changes_nothing_on_generated_inputs(seed: int, flow: bool) -> None:
    """fuzzing.check runs --fix --unsafe-fixes as the CLI does and then again on its output."""
    assert fuzzing.check(_generated(seed, flow)) == []
