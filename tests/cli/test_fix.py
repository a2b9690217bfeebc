"""--fix: value replacements by source span, written atomically, only for what the report shows."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from guardlint.cli import main

POD = """# the pod under test
apiVersion: v1
kind: Pod
metadata:
  name: web  # ünïcode before the fixed value
  labels: {app: web}
spec:
  containers:
    - name: web
      image: nginx:1.27
      securityContext:
        allowPrivilegeEscalation: true   # keep this comment
        runAsNonRoot: true
    - name: gpu
      image: vllm/vllm-openai:v0.6.3
      securityContext: {allowPrivilegeEscalation: false}
      resources:
        requests: {nvidia.com/gpu: 1}
        limits: {nvidia.com/gpu: "2"}
"""
SELECT = ["--select", "privilege-escalation-allowed,gpu-request-limit-mismatch", "--no-config"]


def run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(args, out=out, err=err), out.getvalue(), err.getvalue()


@pytest.fixture
def pod(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "pod.yaml"
    target.write_text(POD, encoding="utf-8")
    target.chmod(0o640)
    return target


def test_fix_replaces_only_the_reported_values(pod: Path) -> None:
    code, out, err = run(["pod.yaml", *SELECT, "--fix", "--unsafe-fixes"])
    assert code == 0
    assert "pod.yaml:12:9: fixed privilege-escalation-allowed: set allowPrivilegeEscalation to false" in err
    assert "pod.yaml:18:20: fixed gpu-request-limit-mismatch:" in err
    assert "applied 2 fixes" in err
    expected = POD.replace("allowPrivilegeEscalation: true", "allowPrivilegeEscalation: false").replace(
        "requests: {nvidia.com/gpu: 1}", "requests: {nvidia.com/gpu: 2}"
    )
    assert pod.read_text(encoding="utf-8") == expected
    assert stat.S_IMODE(os.stat(pod).st_mode) == 0o640
    # The report is the one after fixing: nothing is left.
    assert "privilege-escalation-allowed" not in out and "gpu-request-limit-mismatch" not in out
    assert not [p for p in pod.parent.iterdir() if p.name.startswith(".guardlint-fix-")]
    # A second run has nothing left to fix and changes nothing.
    before = pod.read_bytes()
    _, _, err = run(["pod.yaml", *SELECT, "--fix", "--unsafe-fixes"])
    assert "applied 0 fixes" in err and pod.read_bytes() == before


def test_without_fix_nothing_changes(pod: Path) -> None:
    run(["pod.yaml", *SELECT])
    assert pod.read_text(encoding="utf-8") == POD


def test_suppressed_findings_are_not_fixed(pod: Path) -> None:
    pod.write_text(POD.replace("allowPrivilegeEscalation: true   # keep this comment",
                               "allowPrivilegeEscalation: true  # guardlint: ignore privilege-escalation-allowed -- "
                               "legacy entrypoint"), encoding="utf-8")
    before = pod.read_text(encoding="utf-8")
    run(["pod.yaml", *SELECT, "--fix", "--unsafe-fixes"])
    after = pod.read_text(encoding="utf-8")
    assert "allowPrivilegeEscalation: true" in after
    assert after == before.replace("requests: {nvidia.com/gpu: 1}", "requests: {nvidia.com/gpu: 2}")


def test_helm_output_is_never_rewritten(pod: Path) -> None:
    pod.write_text("---\n# Source: chart/templates/pod.yaml\n" + POD, encoding="utf-8")
    before = pod.read_bytes()
    _, _, err = run(["pod.yaml", *SELECT, "--fix", "--unsafe-fixes"])
    assert pod.read_bytes() == before and "applied 0 fixes" in err
    # never silently: each fix that cannot be made says why
    assert ("pod.yaml:14:9: not fixed privilege-escalation-allowed: not applicable: the document is Helm output "
            "(chart/templates/pod.yaml)") in err


def test_crlf_files_keep_their_line_endings_and_byte_order_mark(pod: Path) -> None:
    pod.write_bytes(b"\xef\xbb\xbf" + POD.replace("\n", "\r\n").encode())
    _, _, err = run(["pod.yaml", *SELECT, "--fix", "--unsafe-fixes"])
    expected = POD.replace("allowPrivilegeEscalation: true", "allowPrivilegeEscalation: false").replace(
        "requests: {nvidia.com/gpu: 1}", "requests: {nvidia.com/gpu: 2}")
    assert pod.read_bytes() == b"\xef\xbb\xbf" + expected.replace("\n", "\r\n").encode(), err


def test_mixed_line_endings_are_left_alone(pod: Path) -> None:
    pod.write_bytes(POD.replace("\n", "\r\n", 3).encode())
    before = pod.read_bytes()
    _, _, err = run(["pod.yaml", *SELECT, "--fix", "--unsafe-fixes"])
    assert pod.read_bytes() == before
    assert "pod.yaml: not fixed: it mixes line endings" in err


def test_json_report_carries_the_fix(pod: Path) -> None:
    import json

    _, out, _ = run(["pod.yaml", *SELECT, "--format", "json"])
    fixes = {f["rule"]: f["fix"] for f in json.loads(out)["findings"] if f["fix"] is not None}
    patch = fixes["privilege-escalation-allowed"].pop("patch")
    assert patch.startswith("--- a/pod.yaml\n+++ b/pod.yaml\n@@ ")
    assert "-        allowPrivilegeEscalation: true   # keep this comment\n" in patch
    assert "+        allowPrivilegeEscalation: false   # keep this comment\n" in patch
    assert "nvidia.com/gpu" not in patch  # the finding's own fix alone
    assert "+        requests: {nvidia.com/gpu: 2}\n" in fixes["gpu-request-limit-mismatch"].pop("patch")
    assert fixes == {
        "privilege-escalation-allowed": {
            "replacement": "false", "description": "set allowPrivilegeEscalation to false", "safety": "unsafe",
            "edits": [],
        },
        "gpu-request-limit-mismatch": {
            "replacement": "2", "description": "set the nvidia.com/gpu request to the limit, 2", "safety": "safe",
            "edits": [],
        },
    }


# --- issue 9: --fix must never lose data -------------------------------------------------------------------

ALL = ["--select", "privilege-escalation-allowed,gpu-request-limit-mismatch,image-pull-policy-not-always",
       "--no-config"]


def fix(path: Path, text: str, *extra: str) -> tuple[str, str]:
    """Write ``text`` to ``path``, run --fix on it, and return the file's new text and stderr."""
    path.write_text(text, encoding="utf-8")
    if "allowPrivilegeEscalation" not in text:  # these tests are about values that exist: no insertion
        extra = ("--ignore", "privilege-escalation-allowed", *extra)
    _, _, err = run([str(path), *ALL, *extra, "--fix", "--unsafe-fixes"])
    return path.read_text(encoding="utf-8"), err


def load(text: str) -> object:
    import yaml

    return yaml.safe_load(text)


def pod_with(containers: str, spec: str = "") -> str:
    return f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n{spec}  containers:\n{containers}"


def test_a_fix_through_an_alias_replaces_the_alias_not_the_anchor(tmp_path: Path) -> None:
    text = pod_with("    - name: a\n      image: nginx:latest\n      securityContext:\n"
                    "        allowPrivilegeEscalation: *flag\n", spec="  hostNetwork: &flag true\n")
    after, err = fix(tmp_path / "p.yaml", text)
    assert after == text.replace("allowPrivilegeEscalation: *flag", "allowPrivilegeEscalation: false")
    assert "fixed privilege-escalation-allowed" in err
    data = load(after)
    assert data["spec"]["hostNetwork"] is True  # type: ignore[index]


def test_an_anchor_other_fields_read_is_not_changed_for_one_of_them(tmp_path: Path) -> None:
    text = pod_with("    - name: a\n      image: nginx:latest\n      securityContext:\n"
                    "        allowPrivilegeEscalation: &flag true\n") + "  hostNetwork: *flag\n"
    after, err = fix(tmp_path / "p.yaml", text)
    assert after == text
    assert "not fixed privilege-escalation-allowed: the value is shared through the YAML anchor '&flag'" in err
    assert "also read at spec.hostNetwork" in err


def test_a_shared_value_every_reader_wants_changed_is_changed_once_in_place(tmp_path: Path) -> None:
    sc = "      securityContext:\n        allowPrivilegeEscalation: {}\n"
    text = pod_with("    - name: a\n      image: nginx:latest\n" + sc.format("&off true")
                    + "    - name: b\n      image: nginx:latest\n" + sc.format("*off"))
    after, err = fix(tmp_path / "p.yaml", text)
    assert after == text.replace("&off true", "&off false")
    assert err.count("fixed privilege-escalation-allowed") == 2


def test_a_gpu_request_aliasing_replicas_leaves_replicas_alone(tmp_path: Path) -> None:
    text = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: &one 1\n"
            "  selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d}}\n    spec:\n"
            "      containers:\n        - name: c\n          image: vllm/vllm-openai:latest\n          resources:\n"
            "            requests: {nvidia.com/gpu: *one}\n            limits: {nvidia.com/gpu: 2}\n")
    after, _ = fix(tmp_path / "d.yaml", text)
    assert after == text.replace("{nvidia.com/gpu: *one}", "{nvidia.com/gpu: 2}")
    assert load(after)["spec"]["replicas"] == 1  # type: ignore[index]


def test_a_value_whose_own_finding_is_suppressed_is_not_rewritten_through_an_alias(tmp_path: Path) -> None:
    sc = "      securityContext:\n        allowPrivilegeEscalation: {}\n"
    text = pod_with("    - name: a\n      image: nginx:latest\n"
                    + sc.format("&on true  # guardlint: ignore privilege-escalation-allowed -- legacy")
                    + "    - name: b\n      image: nginx:latest\n" + sc.format("*on"))
    after, _ = fix(tmp_path / "p.yaml", text)
    assert after == text.replace(": *on", ": false")


def test_a_value_inside_a_shared_collection_is_refused_when_a_reader_keeps_it(tmp_path: Path) -> None:
    text = pod_with("    - name: a\n      image: nginx:latest\n      securityContext: &sc\n"
                    "        allowPrivilegeEscalation: true\n") + "x-defaults: *sc\n"
    after, err = fix(tmp_path / "p.yaml", text)
    assert after == text
    assert ("not fixed privilege-escalation-allowed: the value is shared because it sits in a collection shared "
            "through a YAML anchor or merge key (also read at x-defaults.allowPrivilegeEscalation)") in err


def test_a_value_merged_from_a_shared_mapping_is_refused_when_a_reader_keeps_it(tmp_path: Path) -> None:
    text = pod_with("    - name: a\n      image: nginx:latest\n      securityContext:\n        <<: *sc\n"
                    "    - name: b\n      image: nginx:latest\n      securityContext:\n        <<: *sc\n"
                    "        allowPrivilegeEscalation: true  # guardlint: ignore privilege-escalation-allowed -- x\n",
                    spec="  overhead: &sc\n    allowPrivilegeEscalation: true\n")
    after, err = fix(tmp_path / "p.yaml", text, "--partial")
    assert after == text
    assert "not fixed privilege-escalation-allowed: the value is shared" in err


def test_json_stays_json(tmp_path: Path) -> None:
    import json

    doc = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}, "spec": {"containers": [
        {"name": "a", "image": "nginx:1.2", "imagePullPolicy": "IfNotPresent",
         "securityContext": {"allowPrivilegeEscalation": True},
         "resources": {"requests": {"nvidia.com/gpu": "1"}, "limits": {"nvidia.com/gpu": "2"}}}]}}
    for name, text in (("x.json", json.dumps(doc)), ("x.yaml", json.dumps(doc, indent=2))):
        after, err = fix(tmp_path / name, text)
        assert "applied 3 fixes" in err, err
        c = json.loads(after)["spec"]["containers"][0]
        assert c["imagePullPolicy"] == "Always"
        assert c["securityContext"]["allowPrivilegeEscalation"] is False
        assert c["resources"]["requests"]["nvidia.com/gpu"] == 2


@pytest.mark.parametrize(("before", "after"), [
    ("imagePullPolicy: 'IfNotPresent'", "imagePullPolicy: 'Always'"),
    ('imagePullPolicy: "IfNotPresent"', 'imagePullPolicy: "Always"'),
    ("imagePullPolicy: !!str IfNotPresent", "imagePullPolicy: !!str Always"),
    ("imagePullPolicy: &p !!str 'Never'", "imagePullPolicy: &p !!str 'Always'"),
    ("allowPrivilegeEscalation: 'true'", "allowPrivilegeEscalation: false"),
    ("allowPrivilegeEscalation: !!str true", "allowPrivilegeEscalation: false"),
    ("allowPrivilegeEscalation: &a !!bool yes", "allowPrivilegeEscalation: &a !!bool false"),
])
def test_yaml_keeps_quoting_style_and_fitting_tags(tmp_path: Path, before: str, after: str) -> None:
    text = pod_with(f"    - name: a\n      image: nginx:latest\n      {before}\n")
    if "allowPrivilegeEscalation" in before:
        text = pod_with(f"    - name: a\n      image: nginx:latest\n      imagePullPolicy: Always\n"
                        f"      securityContext:\n        {before}\n")
    fixed, err = fix(tmp_path / "p.yaml", text)
    assert fixed == text.replace(before, after), err


def test_a_custom_tag_the_value_cannot_keep_refuses_the_fix(tmp_path: Path) -> None:
    text = pod_with("    - name: a\n      image: nginx:latest\n      imagePullPolicy: Always\n"
                    "      securityContext:\n        allowPrivilegeEscalation: !flag true\n")
    after, err = fix(tmp_path / "p.yaml", text)
    assert after == text
    assert "the value carries the tag '!flag'" in err


def test_a_block_scalar_is_refused(tmp_path: Path) -> None:
    text = pod_with("    - name: a\n      image: nginx:latest\n      imagePullPolicy: |-\n        Never\n")
    after, err = fix(tmp_path / "p.yaml", text)
    assert after == text and "block scalar" in err


@pytest.mark.parametrize("limit", ["-2", "0.5", "1500m", "'-1'"])
def test_an_invalid_limit_is_never_copied_into_the_request(tmp_path: Path, limit: str) -> None:
    import json

    text = pod_with("    - name: a\n      image: nginx:latest\n      imagePullPolicy: Always\n      resources:\n"
                    f"        requests: {{nvidia.com/gpu: 1}}\n        limits: {{nvidia.com/gpu: {limit}}}\n")
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    _, out, _ = run([str(tmp_path / "p.yaml"), *ALL, "--format", "json"])
    findings = [f for f in json.loads(out)["findings"] if f["rule"] == "gpu-request-limit-mismatch"]
    assert findings and all(f["fix"] is None for f in findings)
    after, _ = fix(tmp_path / "p.yaml", text)
    assert after == text


def test_a_valid_limit_is_copied_as_a_whole_number(tmp_path: Path) -> None:
    text = pod_with("    - name: a\n      image: nginx:latest\n      imagePullPolicy: Always\n      resources:\n"
                    "        requests: {nvidia.com/gpu: 1}\n        limits: {nvidia.com/gpu: 2000m}\n")
    after, _ = fix(tmp_path / "p.yaml", text)
    assert after == text.replace("{nvidia.com/gpu: 1}", "{nvidia.com/gpu: 2}")


APE = pod_with("    - name: a\n      image: nginx:latest\n      imagePullPolicy: Always\n      securityContext:\n"
               "        allowPrivilegeEscalation: true\n")


def test_a_symlinked_manifest_is_fixed_at_its_target_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    target = real / "p.yaml"
    target.write_text(APE, encoding="utf-8")
    target.chmod(0o604)
    link = tmp_path / "p.yaml"
    link.symlink_to(os.path.join("real", "p.yaml"))
    _, _, err = run([str(link), *ALL, "--fix", "--unsafe-fixes"])
    assert "applied 1 fix" in err
    assert link.is_symlink() and os.readlink(link) == os.path.join("real", "p.yaml")
    assert target.read_text(encoding="utf-8") == APE.replace(": true", ": false")
    assert stat.S_IMODE(target.stat().st_mode) == 0o604
    assert not [p for p in (*tmp_path.iterdir(), *real.iterdir()) if p.name.startswith(".guardlint-fix-")]


def test_a_hard_linked_manifest_is_refused(tmp_path: Path) -> None:
    first = tmp_path / "p.yaml"
    first.write_text(APE, encoding="utf-8")
    os.link(first, tmp_path / "q.yaml")
    _, _, err = run([str(first), *ALL, "--fix", "--unsafe-fixes"])
    assert "not fixed: it has 2 hard links" in err
    assert first.read_text(encoding="utf-8") == APE == (tmp_path / "q.yaml").read_text(encoding="utf-8")
    assert os.stat(first).st_ino == os.stat(tmp_path / "q.yaml").st_ino


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o464])
def test_a_read_only_manifest_is_refused_with_its_location_and_kept(tmp_path: Path, mode: int) -> None:
    # The rename that writes a fix needs only the folder's permission (``sed -i`` replaces such a file silently);
    # a file its owner may not write is one the user marked as not to be edited: refused, as a hard link is.
    target = tmp_path / "p.yaml"
    target.write_text(APE, encoding="utf-8")
    target.chmod(mode)
    _, out, err = run([str(target), *ALL, "--fix", "--unsafe-fixes"])
    assert f"{target}: not fixed: it is read-only (mode {mode:04o}); make it writable (chmod u+w)" in err
    assert "applied 0 fixes" in err
    assert "privilege-escalation-allowed" in out  # the finding is still reported (a warning: exit 0 by default)
    assert run([str(target), *ALL, "--fix", "--unsafe-fixes", "--fail-on", "warning"])[0] == 1
    assert target.read_text(encoding="utf-8") == APE
    assert stat.S_IMODE(target.stat().st_mode) == mode
    _, diff, err = run([str(target), *ALL, "--diff", "--unsafe-fixes"])
    assert diff == "" and "not fixed: it is read-only" in err  # --diff says what --fix would do


def test_a_writable_manifest_in_a_read_only_looking_mode_family_is_fixed(tmp_path: Path) -> None:
    target = tmp_path / "p.yaml"
    target.write_text(APE, encoding="utf-8")
    target.chmod(0o644)
    _, _, err = run([str(target), *ALL, "--fix", "--unsafe-fixes"])
    assert "applied 1 fix" in err and stat.S_IMODE(target.stat().st_mode) == 0o644


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="changing a file's owner needs root")
def test_the_owner_and_mode_are_kept(tmp_path: Path) -> None:
    target = tmp_path / "p.yaml"
    target.write_text(APE, encoding="utf-8")
    os.chown(target, 4321, 4322)
    target.chmod(0o2664)
    _, _, err = run([str(target), *ALL, "--fix", "--unsafe-fixes"])
    assert "applied 1 fix" in err
    st = os.stat(target)
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (4321, 4322, 0o2664)


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX owners")
def test_a_file_of_another_user_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "p.yaml"
    target.write_text(APE, encoding="utf-8")
    owner = os.stat(target).st_uid
    monkeypatch.setattr(os, "geteuid", lambda: owner + 1)
    _, _, err = run([str(target), *ALL, "--fix", "--unsafe-fixes"])
    assert "not fixed: it belongs to another user" in err
    assert target.read_text(encoding="utf-8") == APE


def test_a_fix_whose_result_does_not_verify_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from guardlint import fix as fixmod

    real = fixmod._scalar_edit

    def sloppy(occ: object, body: str, value: object, *, json_doc: bool) -> object:
        edit = real(occ, body, value, json_doc=json_doc)  # type: ignore[arg-type]
        assert not isinstance(edit, str)
        return edit._replace(end=edit.end + 1)  # also eats the line break after the value

    monkeypatch.setattr(fixmod, "_scalar_edit", sloppy)
    target = tmp_path / "p.yaml"
    target.write_text(APE + "  hostname: h\n", encoding="utf-8")
    _, _, err = run([str(target), *ALL, "--fix", "--unsafe-fixes"])
    assert "p.yaml: not fixed: the fixed text would" in err and "nothing was written" in err
    assert target.read_text(encoding="utf-8") == APE + "  hostname: h\n"


def test_an_anchored_value_also_used_as_a_key_is_not_changed(tmp_path: Path) -> None:
    text = pod_with("    - name: a\n      image: nginx:latest\n      securityContext:\n"
                    "        allowPrivilegeEscalation: &t true\n") + "x-extra:\n  *t : kept\n"
    after, err = fix(tmp_path / "p.yaml", text)
    assert after == text
    assert "(also read at a key in x-extra)" in err


def test_one_run_does_what_a_second_run_would(tmp_path: Path) -> None:
    """Found by the property tests: the alias was replaced, which left the anchor to one reader, but that
    reader's fix had been refused as shared, so a second --fix changed the file again."""
    text = pod_with("    - name: a\n      image: nginx:latest\n      imagePullPolicy: &p Never\n"
                    "      securityContext:\n        allowPrivilegeEscalation: *p\n")
    after, err = fix(tmp_path / "p.yaml", text)
    assert after == text.replace("&p Never", "&p Always").replace("*p", "false")
    assert "applied 2 fixes" in err and "not fixed" not in err
    again, err = fix(tmp_path / "p.yaml", after)
    assert again == after and "applied 0 fixes" in err


def test_an_alias_replaced_by_its_value_takes_the_anchors_quoting(tmp_path: Path) -> None:
    text = pod_with("    - name: c\n      image: nginx:latest\n      imagePullPolicy: *p\n").replace(
        "  name: p\n", "  name: p\n  annotations: {policy: &p 'Never'}\n")
    after, _ = fix(tmp_path / "p.yaml", text)
    assert after == text.replace("imagePullPolicy: *p\n", "imagePullPolicy: 'Always'\n")
