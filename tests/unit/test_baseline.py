"""Baselines: keyed by file, object identity, rule and path (never line), counted, strict when read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from guardlint import baseline
from guardlint.config.model import Config, make_plan
from guardlint.engine import lint_loaded
from guardlint.errors import UsageError
from guardlint.findings import Report
from guardlint.model.workloads import default_table
from guardlint.rules.core import rules as core_rules
from guardlint.rules.registry import build_registry
from guardlint.rules.security.privileged_container import RULE as PRIVILEGED
from guardlint.source.loader import load_text

REGISTRY = build_registry([core_rules(), [PRIVILEGED]])


def lint(text: str, file: str = "app.yaml") -> Report:
    plan = make_plan(REGISTRY, Config(select=("privileged-container",)), workloads=default_table())
    return lint_loaded([load_text(text, file)], plan, raise_errors=True)


def pod(name: str = "web", containers: tuple[str, ...] = ("a",), namespace: str = "prod") -> str:
    body = "".join(f"    - name: {c}\n      image: x:1\n      securityContext: {{privileged: true}}\n"
                   for c in containers)
    return (f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n"
            f"  containers:\n{body}")


def roundtrip(report: Report, tmp_path: Path) -> Any:
    target = tmp_path / "baseline.json"
    baseline.write(report, target)
    return baseline.read(target)


def test_round_trip_file_format(tmp_path: Path) -> None:
    report = lint(pod(containers=("a", "b")))
    target = tmp_path / "b.json"
    baseline.write(report, target)
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data == {"version": 1, "findings": [
        {"file": "app.yaml", "apiVersion": "v1", "kind": "Pod", "namespace": "prod", "name": "web",
         "rule": "privileged-container", "path": f"spec.containers[{i}].securityContext.privileged", "count": 1}
        for i in (0, 1)
    ]}
    assert "line" not in target.read_text(encoding="utf-8")
    assert sorted(tmp_path.iterdir()) == [target]  # no temporary file left behind
    again = baseline.apply(report, baseline.read(target))
    assert (again.findings, again.baselined) == ((), 2)


def test_lines_inserted_above_do_not_invalidate(tmp_path: Path) -> None:
    counts = roundtrip(lint(pod()), tmp_path)
    moved = lint("# a new comment\n# and another\n" + pod().replace("metadata:", "metadata:\n  labels: {a: b}"))
    assert moved.findings[0].line != lint(pod()).findings[0].line
    applied = baseline.apply(moved, counts)
    assert (applied.findings, applied.baselined) == ((), 1)


def test_new_finding_is_reported(tmp_path: Path) -> None:
    counts = roundtrip(lint(pod(containers=("a",))), tmp_path)
    applied = baseline.apply(lint(pod(containers=("a", "b"))), counts)
    assert [f.path for f in applied.findings] == [("spec", "containers", 1, "securityContext", "privileged")]
    assert applied.baselined == 1


@pytest.mark.parametrize(
    ("changed", "why"),
    [(pod(name="api"), "name"), (pod(namespace="dev"), "namespace"),
     (pod().replace("apiVersion: v1", "apiVersion: v2"), "apiVersion")],
    ids=["name", "namespace", "api-version"],
)
def test_object_identity_is_part_of_the_key(changed: str, why: str, tmp_path: Path) -> None:
    counts = roundtrip(lint(pod()), tmp_path)
    applied = baseline.apply(lint(changed), counts)
    assert len(applied.findings) == 1, why
    assert applied.baselined == 0


def test_file_is_part_of_the_key(tmp_path: Path) -> None:
    counts = roundtrip(lint(pod(), file="a.yaml"), tmp_path)
    assert baseline.apply(lint(pod(), file="b.yaml"), counts).baselined == 0


def test_counts_matter(tmp_path: Path) -> None:
    # Two identical findings (same file, object, rule and path) need two entries.
    two = lint(pod() + "---\n" + pod())
    assert len(two.findings) == 2 and len({baseline.key_of(f) for f in two.findings}) == 1
    one_entry = roundtrip(lint(pod()), tmp_path)
    applied = baseline.apply(two, one_entry)
    assert (len(applied.findings), applied.baselined) == (1, 1)
    two_entries = roundtrip(two, tmp_path)
    assert list(two_entries.values()) == [2]
    assert baseline.apply(two, two_entries).findings == ()


def test_suppressed_findings_are_neither_written_nor_consumed(tmp_path: Path) -> None:
    suppressed = pod().replace("{privileged: true}", "{privileged: true}  # guardlint: ignore SEC003 -- ok")
    report = lint(suppressed)
    assert [f.suppressed for f in report.findings] == [True]
    assert roundtrip(report, tmp_path) == {}
    applied = baseline.apply(report, roundtrip(lint(pod()), tmp_path))
    assert (applied.findings, applied.baselined) == (report.findings, 0)


def test_entries_for_the_same_key_add_up(tmp_path: Path) -> None:
    entry = {"file": "f", "apiVersion": "v1", "kind": "Pod", "namespace": "", "name": "p", "rule": "r", "path": "a"}
    target = tmp_path / "b.json"
    target.write_text(json.dumps({"version": 1, "findings": [entry, {**entry, "count": 2}]}), encoding="utf-8")
    assert list(baseline.read(target).values()) == [3]


_ENTRY = {"file": "f", "apiVersion": "v1", "kind": "Pod", "namespace": "", "name": "p", "rule": "r", "path": "a"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "cannot read baseline"),
        ("[]", "not a guardlint baseline"),
        ('{"version": 2, "findings": []}', "not a guardlint baseline"),
        ('{"findings": []}', "not a guardlint baseline"),
        ('{"version": 1, "findings": {}}', "not a guardlint baseline"),
        ('{"version": 1, "findings": ["x"]}', "malformed baseline entry"),
        (json.dumps({"version": 1, "findings": [{k: v for k, v in _ENTRY.items() if k != "rule"}]}),
         "malformed baseline entry"),
        (json.dumps({"version": 1, "findings": [{**_ENTRY, "name": None}]}), "malformed baseline entry"),
        (json.dumps({"version": 1, "findings": [{**_ENTRY, "path": ["a"]}]}), "malformed baseline entry"),
        (json.dumps({"version": 1, "findings": [{**_ENTRY, "count": "2"}]}), "malformed baseline entry"),
        (json.dumps({"version": 1, "findings": [{**_ENTRY, "count": 0}]}), "malformed baseline entry"),
        (json.dumps({"version": 1, "findings": [{**_ENTRY, "count": -1}]}), "malformed baseline entry"),
        (json.dumps({"version": 1, "findings": [{**_ENTRY, "count": 1.5}]}), "malformed baseline entry"),
        (json.dumps({"version": 1, "findings": [{**_ENTRY, "count": True}]}), "malformed baseline entry"),
    ],
    ids=["bad-json", "not-an-object", "other-version", "no-version", "findings-not-a-list", "entry-not-an-object",
         "missing-field", "null-field", "list-field", "string-count", "zero-count", "negative-count",
         "float-count", "bool-count"],
)
def test_malformed_baseline_is_a_usage_error(content: str, message: str, tmp_path: Path) -> None:
    target = tmp_path / "b.json"
    target.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError, match=message) as err:
        baseline.read(target)
    assert str(target) in str(err.value)


def test_missing_and_unreadable_baselines_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="baseline file not found"):
        baseline.read(tmp_path / "nope.json")
    with pytest.raises(UsageError, match="cannot read baseline"):
        baseline.read(tmp_path)  # a directory
    (tmp_path / "latin1.json").write_bytes(b'{"version": 1, "findings": ["\xe9"]}')
    with pytest.raises(UsageError, match="cannot read baseline"):
        baseline.read(tmp_path / "latin1.json")


def test_unwritable_baseline_is_a_usage_error(tmp_path: Path) -> None:
    report = lint(pod())
    with pytest.raises(UsageError, match=r"nodir/b\.json: cannot write baseline: No such file or directory"):
        baseline.write(report, tmp_path / "nodir" / "b.json")
    (tmp_path / "taken").mkdir()
    with pytest.raises(UsageError, match="taken: cannot write baseline"):
        baseline.write(report, tmp_path / "taken")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]  # no temporary file left behind


def test_write_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "b.json"
    target.write_text("old", encoding="utf-8")
    baseline.write(lint(pod()), target)
    assert json.loads(target.read_text(encoding="utf-8"))["findings"][0]["name"] == "web"


def test_cli_write_then_use_baseline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from guardlint.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.yaml").write_text(pod(), encoding="utf-8")
    args = ["app.yaml", "--no-config", "--select", "privileged-container"]
    out, err = io.StringIO(), io.StringIO()
    assert main([*args, "--write-baseline", "base.json"], out=out, err=err) == 0
    (tmp_path / "app.yaml").write_text("# moved down\n" + pod(containers=("a", "b")), encoding="utf-8")
    out = io.StringIO()
    assert main([*args, "--baseline", "base.json"], out=out, err=err) == 1
    assert "app.yaml:14:" in out.getvalue() and "app.yaml:11:" not in out.getvalue()
    assert "1 in the baseline" in out.getvalue()
    err = io.StringIO()
    assert main([*args, "--write-baseline", "nodir/b.json"], out=io.StringIO(), err=err) == 2
    assert "nodir/b.json: cannot write baseline" in err.getvalue() and "internal error" not in err.getvalue()
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    err = io.StringIO()
    assert main([*args, "--baseline", "bad.json"], out=io.StringIO(), err=err) == 2
    assert "bad.json: cannot read baseline" in err.getvalue() and "Traceback" not in err.getvalue()


def test_the_root_is_the_checkout_every_part_of_guardlint_uses(tmp_path: Path) -> None:
    from guardlint.source.files import nearest_checkout

    (tmp_path / ".git").mkdir()
    inner = tmp_path / "vendor" / "lib"
    (inner / "deep").mkdir(parents=True)
    assert baseline.root_for(None, str(inner / "deep")) == str(tmp_path)
    (inner / ".git").write_text("gitdir: /elsewhere\n")  # a submodule or worktree: its own checkout
    assert baseline.root_for(None, str(inner / "deep")) == str(inner)
    (inner / ".git").unlink()
    # A dangling .git link marks the checkout for the walk's limit, rendering and SARIF's file names
    # (source.files.nearest_checkout, os.path.lexists); the baseline's root agrees (os.path.exists passed it by).
    (inner / ".git").symlink_to(tmp_path / "missing")
    assert baseline.root_for(None, str(inner / "deep")) == str(inner) == nearest_checkout(str(inner / "deep"))
    assert baseline.root_for("conf/.guardlint.yaml", str(inner)) == str(inner / "conf")
    outside = tmp_path.parent / f"{tmp_path.name}-nogit"
    outside.mkdir()
    if nearest_checkout(str(outside)) is None:  # no checkout above the temporary folder: the working directory
        assert baseline.root_for(None, str(outside)) == str(outside)
