"""The JSON report's fields for agents: ``locked`` and ``lockedBy`` (the policy that locks a finding's rule) and
``rationale`` (the rule's why, from its documentation), and the rationale extraction itself."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from guardlint.cli import main
from guardlint.rules.rationale import rationale
from tests.helpers import registry

SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "report.schema.json"

PODS = """apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: prod-eu
spec:
  hostNetwork: true
  containers:
    - name: web
      image: nginx:1.27
      securityContext:
        privileged: true
---
apiVersion: v1
kind: Pod
metadata:
  name: tool
  namespace: staging
spec:
  hostNetwork: true
  containers:
    - name: tool
      image: nginx:1.27
"""

POLICY = """locked:
  - privileged-container
  - rules: [shared-host-namespace]
    namespaces: [prod-*]
"""


def _check(tmp_path: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    (tmp_path / "pods.yaml").write_text(PODS)
    (tmp_path / "policy.yaml").write_text(POLICY)
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", str(tmp_path / "pods.yaml"), "--no-config", "--select",
                 "privileged-container,shared-host-namespace", "-f", "json", *extra], out=out, err=err)
    return code, json.loads(out.getvalue()), err.getvalue()


def test_findings_say_whether_and_by_whom_their_rule_is_locked(tmp_path: Path) -> None:
    _, doc, err = _check(tmp_path, "--policy", str(tmp_path / "policy.yaml"))
    got = {(f["rule"], f["resource"]["name"]): (f["locked"], f["lockedBy"]) for f in doc["findings"]}
    policy = str(tmp_path / "policy.yaml")
    assert got == {
        ("privileged-container", "web"): (True, {"policy": policy, "selector": "privileged-container"}),
        ("shared-host-namespace", "web"): (True, {"policy": policy, "selector": "shared-host-namespace"}),
        ("shared-host-namespace", "tool"): (False, None),  # staging: not a locked namespace
    }, err


def test_without_a_policy_nothing_is_locked(tmp_path: Path) -> None:
    _, doc, _ = _check(tmp_path)
    assert doc["findings"] and all(f["locked"] is False and f["lockedBy"] is None for f in doc["findings"])


def test_the_text_report_says_it_too(tmp_path: Path) -> None:
    (tmp_path / "pods.yaml").write_text(PODS)
    (tmp_path / "policy.yaml").write_text(POLICY)
    out = io.StringIO()
    main(["check", str(tmp_path / "pods.yaml"), "--no-config", "--select", "privileged-container",
          "--policy", str(tmp_path / "policy.yaml"), "--color", "never"], out=out, err=io.StringIO())
    assert (f"    = locked by the policy {tmp_path / 'policy.yaml'} (locked: 'privileged-container'): fix it, no "
            "suppression in the repository applies") in out.getvalue()


def test_each_finding_carries_its_rules_rationale(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    _, doc, _ = _check(tmp_path, "--policy", str(tmp_path / "policy.yaml"))
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(doc)
    by_rule = {f["rule"]: f["rationale"] for f in doc["findings"]}
    assert by_rule["privileged-container"] == (
        "A privileged container runs with every capability and sees every device of the node, with no seccomp or "
        "AppArmor confinement: a process that escapes its container owns the node.")
    assert by_rule["shared-host-namespace"] == rationale(registry().get("shared-host-namespace").meta.doc)


def test_every_builtin_rule_has_a_rationale() -> None:
    for r in registry().rules:
        text = rationale(r.meta.doc)
        assert text, r.name
        assert 40 <= len(text) <= 401 and text[-1] in ".!?…", (r.name, text)
        assert text.count("`") % 2 == 0, (r.name, text)


DOC = """## What it does
Something.

## Why is this bad?
{why}

## Example
```yaml
a: 1
```
"""


@pytest.mark.parametrize(("why", "expected"), [
    (("A long opening sentence that is enough on its own to say why the rule exists, and more, much more, still more. "
     "Second."),
     "A long opening sentence that is enough on its own to say why the rule exists, and more, much more, still more."),
    ("Short scene. The reason (https://example.com/a.b) follows, e.g. this. Third.",
     "Short scene. The reason follows, e.g. this."),
    ("Runtimes fail with `Error. Bus error` in their workers, which is a long sentence that goes on and on. Next.",
     "Runtimes fail with `Error. Bus error` in their workers, which is a long sentence that goes on and on."),
    ("Only one sentence\nover two lines", "Only one sentence over two lines"),
])
def test_rationale_is_the_opening_of_why(why: str, expected: str) -> None:
    assert rationale(DOC.format(why=why)) == expected


def test_rationale_none_and_cut() -> None:
    assert rationale("## What it does\nSomething.\n") is None
    assert rationale(DOC.format(why="")) is None
    long = rationale(DOC.format(why="word " * 200))
    assert long is not None and long.endswith("…") and len(long) <= 401
