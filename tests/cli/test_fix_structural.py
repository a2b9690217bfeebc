"""--fix second generation: insertions, removals and renames by exact spans, safety levels, --diff, fixes of
standard input, verification by linting again, and the fixable counts of the text report."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from guardlint.cli import main

DEPLOY = """\
# web tier
apiVersion: apps/v1
kind: Deployment
metadata:
    name: web   # four-space indentation
spec:
    replicas: 3
    selector: {matchLabels: {app: web}}
    template:
        metadata: {labels: {app: web}}
        spec:
            serviceAccount: web   # deprecated alias
            containers:
            - name: web
              image: "example.com/web:1.0.0"   # quoted
              securityContext: {privileged: true}
---
# unrelated document: must stay byte for byte
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: "1"}
"""
RULES = ["--no-config", "--select", "deprecated-service-account-field,privileged-container,run-as-root-allowed"]


def run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(["check", *args], out=out, err=err), out.getvalue(), err.getvalue()


@pytest.fixture
def deploy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "deploy.yaml"
    path.write_text(DEPLOY, encoding="utf-8")
    return path


def test_fix_applies_only_the_safe_fixes(deploy: Path) -> None:
    code, out, err = run(["deploy.yaml", *RULES, "--fix"])
    assert "fixed deprecated-service-account-field: rename serviceAccount to serviceAccountName" in err
    assert "applied 1 fix\n" in err
    assert deploy.read_text() == DEPLOY.replace("serviceAccount: web", "serviceAccountName: web")
    assert code == 1  # privileged-container is left, and its fix needs --unsafe-fixes
    assert "2 fixable with --fix --unsafe-fixes (--diff shows the changes)." in out


def test_unsafe_fixes_insert_and_remove_keeping_everything_else(deploy: Path) -> None:
    code, _, err = run(["deploy.yaml", *RULES, "--fix", "--unsafe-fixes"])
    assert code == 0, err
    text = deploy.read_text()
    assert "serviceAccountName: web   # deprecated alias" in text
    assert "              securityContext: {}\n" in text
    assert "            securityContext:\n                runAsNonRoot: true\n" in text  # the pod level, 4 spaces
    assert text.split("---\n")[1] == DEPLOY.split("---\n")[1]  # the other document is untouched
    assert '# web tier\n' in text and 'image: "example.com/web:1.0.0"   # quoted' in text


def test_diff_prints_the_change_and_writes_nothing(deploy: Path) -> None:
    code, out, err = run(["deploy.yaml", *RULES, "--diff"])
    assert code == 1
    assert out.startswith("--- a/deploy.yaml\n+++ b/deploy.yaml\n@@ ")
    assert "-            serviceAccount: web   # deprecated alias\n" in out
    assert "+            serviceAccountName: web   # deprecated alias\n" in out
    assert "privileged" not in out  # unsafe: not without --unsafe-fixes
    assert "--fix would apply 1 fix\n" in err
    assert deploy.read_text() == DEPLOY
    code, out, _ = run(["deploy.yaml", *RULES, "--diff", "--unsafe-fixes"])
    assert code == 1 and "-              securityContext: {privileged: true}\n" in out
    run(["deploy.yaml", *RULES, "--fix", "--unsafe-fixes"])
    code, out, err = run(["deploy.yaml", *RULES, "--diff", "--unsafe-fixes"])
    assert (code, out) == (0, "") and "--fix would apply 0 fixes" in err


def test_the_patch_in_the_json_report_applies_with_git(deploy: Path, tmp_path: Path) -> None:
    _, out, _ = run(["deploy.yaml", *RULES, "--format", "json"])
    findings = [f for f in json.loads(out)["findings"] if f["rule"] == "privileged-container"]
    fix = findings[0]["fix"]
    assert fix["safety"] == "unsafe" and fix["replacement"] is None
    assert fix["edits"] == [{"op": "remove", "path": "spec.template.spec.containers[0].securityContext.privileged",
                             "value": None}]
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "p.diff").write_text(fix["patch"])
    subprocess.run(["git", "apply", "p.diff"], cwd=tmp_path, check=True)
    assert "securityContext: {}" in deploy.read_text()


def test_json_documents_stay_json_with_their_indentation(tmp_path: Path) -> None:
    doc = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "c", "image": "example.com/c:1.0.0"}]}}
    path = tmp_path / "pod.json"
    path.write_text(json.dumps(doc, indent=4) + "\n")
    run([str(path), "--no-config", "--select", "run-as-root-allowed,writable-root-filesystem", "--fix",
         "--unsafe-fixes"])
    fixed = json.loads(path.read_text())
    assert fixed["spec"]["securityContext"] == {"runAsNonRoot": True}
    assert fixed["spec"]["containers"][0]["securityContext"] == {"readOnlyRootFilesystem": True}
    assert path.read_text() == json.dumps(fixed, indent=4) + "\n"  # written as the file was: indent 4


def test_standard_input_alone_is_fixed_to_standard_output(tmp_path: Path) -> None:
    named = tmp_path / "deploy.yaml"
    named.write_text("do not touch\n")
    proc = subprocess.run([sys.executable, "-m", "guardlint", "check", "-", "--stdin-filename", str(named), *RULES,
                           "--fix"], input=DEPLOY.encode(), capture_output=True, cwd=tmp_path, check=False)
    assert proc.stdout.decode() == DEPLOY.replace("serviceAccount: web", "serviceAccountName: web")
    assert "privileged-container" in proc.stderr.decode()  # the report went to standard error
    assert named.read_text() == "do not touch\n"


def test_standard_input_among_files_is_not_fixed_and_names_no_file(tmp_path: Path) -> None:
    named = tmp_path / "deploy.yaml"
    named.write_text(DEPLOY)
    other = tmp_path / "other.yaml"
    other.write_text(DEPLOY)
    proc = subprocess.run([sys.executable, "-m", "guardlint", "check", "-", str(other), "--stdin-filename",
                           str(named), *RULES, "--fix"], input=DEPLOY.encode(), capture_output=True, cwd=tmp_path,
                          check=False)
    assert named.read_text() == DEPLOY  # the file standard input is named after is never written
    assert "serviceAccountName: web" in other.read_text(), proc.stderr.decode()


def test_a_fix_that_would_bring_a_new_finding_leaves_the_file_alone() -> None:
    from guardlint.api import lint_text
    from guardlint.findings import Finding
    from guardlint.fix import fix_text

    report = lint_text(DEPLOY, "d.yaml", select=["deprecated-service-account-field"])
    found = [f for f in report.active if f.fix is not None]

    def relint(text: str, name: str) -> list[Finding]:
        again = lint_text(text, name, select=["deprecated-service-account-field"]).active
        if "serviceAccountName" in text:  # pretend the fix woke another rule up
            return [*again, found[0]._replace(rule="some-other-rule", path=("spec",))]
        return list(again)

    result = fix_text(DEPLOY, "d.yaml", found, relint)
    assert result.text is None
    assert result.failure == "the fixes would bring a new some-other-rule finding at spec; nothing was written"
    assert fix_text(DEPLOY, "d.yaml", found, lambda t, n: lint_text(t, n, select=[
        "deprecated-service-account-field"]).active).text is not None


def test_a_fix_that_reveals_a_fixable_finding_fixes_it_too(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n"
                    "    image: example.com/c:1.0.0\n    securityContext:\n      privileged: true\n")
    _, _, err = run([str(path), "--no-config", "--select", "privileged-container,net-raw-not-dropped", "--fix",
                     "--unsafe-fixes"])
    # net-raw-not-dropped does not judge privileged containers: removing privileged wakes it up, and its fix
    # follows in the same run, so that a second run changes nothing
    assert path.read_text().endswith("    securityContext: {capabilities: {drop: [NET_RAW]}}\n"), err
    code, out, _ = run([str(path), "--no-config", "--select", "privileged-container,net-raw-not-dropped",
                        "--diff", "--unsafe-fixes"])
    assert (code, out) == (0, "")


def test_no_structural_fix_on_a_pod_an_operator_makes() -> None:
    from guardlint.api import lint_text

    spark = ("apiVersion: sparkoperator.k8s.io/v1beta2\nkind: SparkApplication\nmetadata:\n  name: pi\nspec:\n"
             "  type: Scala\n  mode: cluster\n  image: example.com/spark:3.5.0\n  mainApplicationFile: local:///x.jar\n"
             "  driver:\n    cores: 1\n  executor:\n    cores: 1\n    instances: 2\n")
    report = lint_text(spark, "s.yaml", select=["run-as-root-allowed", "writable-root-filesystem"])
    assert report.active
    assert all(f.fix is None or not f.fix.edits for f in report.active)


def test_the_fix_that_brings_a_new_finding_is_left_out_and_the_others_are_made(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    text = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n"
            "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n"
            "      containers:\n      - name: web\n        image: example.com/web:1.0.0\n")
    path.write_text(text)
    _, _, err = run([str(path), "--no-config", "--select",
                     "replicas-below-minimum,replicas-not-spread,run-as-root-allowed", "--fix", "--unsafe-fixes"])
    # two replicas would need a spread constraint (replicas-not-spread, which has no fix): that fix is left out
    assert "not fixed replicas-below-minimum: the fixes would bring a new replicas-not-spread finding" in err
    assert path.read_text() == text + "      securityContext:\n        runAsNonRoot: true\n"


def test_a_large_run_carries_no_patches_and_says_so(deploy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import guardlint.cli

    monkeypatch.setattr(guardlint.cli, "PATCH_LIMIT", 1)
    _, out, err = run(["deploy.yaml", *RULES, "--format", "json"])
    doc = json.loads(out)
    assert all(f["fix"]["patch"] is None for f in doc["findings"] if f["fix"])
    assert "no fix patches: 3 findings offer fixes, more than 1" in err
    assert any("no fix patches" in w for w in doc["warnings"])
