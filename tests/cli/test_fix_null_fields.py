"""``--fix`` into a field written as null: the Kubernetes API reads a null list or mapping as an absent one, so
net-raw-not-dropped's fix (append "NET_RAW" to ``capabilities.drop``) works on ``drop: null`` (and ``~``, an
empty value, ``!!null``) and under ``capabilities: null`` / ``securityContext: null`` as it does on ``drop: []``
or a missing field: the null is replaced by the value the fix adds, nothing else changes, a second run changes
nothing, and ``--diff`` shows the same edit."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml

from guardlint.cli import main
from guardlint.fix import Edit, plan_edits

HEAD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: app
      image: example.com/app:1.0.0
"""


def run(path: Path, select: str, *more: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", str(path), "--no-config", "--select", select, *more], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("written", "fixed"),
    [
        ("      securityContext:\n        capabilities:\n          drop: null\n",
         "      securityContext:\n        capabilities:\n          drop: [NET_RAW]\n"),
        ("      securityContext:\n        capabilities:\n          drop: ~  # none yet\n",
         "      securityContext:\n        capabilities:\n          drop: [NET_RAW]  # none yet\n"),
        ("      securityContext:\n        capabilities:\n          drop:\n",
         "      securityContext:\n        capabilities:\n          drop: [NET_RAW]\n"),
        ("      securityContext:\n        capabilities:\n          drop:   # later\n",
         "      securityContext:\n        capabilities:\n          drop: [NET_RAW]   # later\n"),
        ("      securityContext:\n        capabilities:\n          drop: !!null\n",
         "      securityContext:\n        capabilities:\n          drop: [NET_RAW]\n"),
        ("      securityContext: {capabilities: {drop: NULL}}\n",
         "      securityContext: {capabilities: {drop: [NET_RAW]}}\n"),
        ("      securityContext: {capabilities: {drop: }}\n",
         "      securityContext: {capabilities: {drop: [NET_RAW] }}\n"),
        ("      securityContext:\n        capabilities: null\n",
         "      securityContext:\n        capabilities: {drop: [NET_RAW]}\n"),
        ("      securityContext: ~\n",
         "      securityContext: {capabilities: {drop: [NET_RAW]}}\n"),
        ("      securityContext:\n      env: []\n",
         "      securityContext: {capabilities: {drop: [NET_RAW]}}\n      env: []\n"),
        # as before: an empty list and a missing field
        ("      securityContext:\n        capabilities:\n          drop: []\n",
         "      securityContext:\n        capabilities:\n          drop: [NET_RAW]\n"),
        ("      securityContext:\n        capabilities: {}\n",
         "      securityContext:\n        capabilities: {drop: [NET_RAW]}\n"),
    ],
)
def test_a_null_drop_gets_the_fix(tmp_path: Path, written: str, fixed: str) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(HEAD + written)
    _, diff, _ = run(path, "net-raw-not-dropped", "--diff", "--unsafe-fixes")
    assert path.read_text() == HEAD + written  # --diff writes nothing
    _, _, err = run(path, "net-raw-not-dropped", "--fix", "--unsafe-fixes")
    assert 'fixed net-raw-not-dropped: add "NET_RAW" to capabilities.drop' in err, err
    assert "not fixed" not in err
    assert path.read_text() == HEAD + fixed
    data = yaml.safe_load(path.read_text())
    assert data["spec"]["containers"][0]["securityContext"]["capabilities"]["drop"] == ["NET_RAW"]
    # --diff showed exactly that change
    removed = [line[1:] for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    old_lines, new_lines = (HEAD + written).splitlines(), (HEAD + fixed).splitlines()
    assert [x for x in old_lines if x not in new_lines] == removed
    assert [x for x in new_lines if x not in old_lines] == added
    # idempotent: nothing left to fix or report
    code, out, err = run(path, "net-raw-not-dropped", "--fix", "--unsafe-fixes")
    assert (code, "fixed" in err, path.read_text()) == (0, False, HEAD + fixed)
    assert "No problems found" in out


def test_all_and_net_raw_into_a_null_drop(tmp_path: Path) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(HEAD + "      securityContext:\n        capabilities:\n          drop: null\n")
    _, _, err = run(path, "unrestricted-capabilities,net-raw-not-dropped", "--fix", "--unsafe-fixes")
    assert path.read_text().endswith("          drop: [ALL]\n"), path.read_text()
    assert 'net-raw-not-dropped: "ALL" added to capabilities.drop for unrestricted-capabilities' in err


def test_a_shared_null_is_still_refused(tmp_path: Path) -> None:
    text = HEAD + ("      securityContext:\n        capabilities:\n          drop: &none null\n"
                   "    - name: side\n      image: example.com/side:1.0.0\n"
                   "      securityContext: {capabilities: {drop: *none}}\n")
    path = tmp_path / "pod.yaml"
    path.write_text(text)
    _, _, err = run(path, "net-raw-not-dropped", "--fix", "--unsafe-fixes")
    assert path.read_text() == text
    assert err.count("not fixed net-raw-not-dropped:") == 2 and "shared" in err


@pytest.mark.parametrize(
    ("text", "edit", "expected"),
    [
        ("a: null\n", Edit(0, ("a", "b"), 1), "a: {b: 1}\n"),
        ("a:\n  b: null\n", Edit(0, ("a", "b", "c", "d"), "x"), "a:\n  b: {c: {d: x}}\n"),
        ("a: ~\n", Edit(0, ("a",), "v", op="append"), "a: [v]\n"),
        ("a: &k null\n", Edit(0, ("a",), "v", op="append"), "a: &k [v]\n"),
        ('{"a": null}', Edit(0, ("a",), "v", op="append"), '{"a": ["v"]}'),
        ('{"a": null}', Edit(0, ("a", "b"), True), '{"a": {"b": true}}'),
    ],
)
def test_planning_into_null(text: str, edit: Edit, expected: str) -> None:
    plan = plan_edits(text, "x.json" if text.startswith("{") else "x.yaml", [edit])
    assert (plan.text, plan.refused, plan.failure) == (expected, (), None)


@pytest.mark.parametrize(
    "text",
    ['a: "null"\n', "a: 'null'\n", "a: !!str null\n", "a: nil\n", "a: 0\n"],
)
def test_a_null_looking_string_is_not_null(text: str) -> None:
    plan = plan_edits(text, "x.yaml", [Edit(0, ("a",), "v", op="append"), Edit(0, ("a", "b"), 1)])
    assert plan.text is None and len(plan.refused) == 2
