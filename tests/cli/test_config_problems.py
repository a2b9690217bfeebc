"""Configuration problems: all in one pass, sorted by position, each located and with a suggestion; exemptions
that name unknown rules or match nothing; Kubernetes versions guardlint does not know."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from guardlint.api import resolve_settings
from guardlint.cli import main
from guardlint.errors import ConfigError, UsageError

POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: kube-system
spec:
  containers:
    - name: web
      image: nginx:1.27
      securityContext:
        privileged: true
"""

LOCATED = re.compile(r"^  (?P<file>\S+):(?P<line>\d+):(?P<column>\d+): at (?P<path>\S+): (?P<message>.+)$")


def run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(args, out=out, err=err), out.getvalue(), err.getvalue()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pod.yaml").write_text(POD)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def problems(config: Path) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        resolve_settings(config=config, entry_points=False)
    return info.value


def test_every_problem_in_one_pass_sorted_located_with_a_suggestion(repo: Path) -> None:
    (repo / ".guardlint.yaml").write_text(
        "extends: defualt\n"                        # 1: a misspelled preset
        "fail-on: warnings\n"                       # 2: an enum value
        "kubernetes-version: 1.30\n"                # 3: a YAML number
        "select: [securty]\n"                       # 4: a misspelled pack
        "ignore: [unpined-image]\n"                 # 5: a misspelled rule
        "rules:\n"
        "  privilegd-container: {enabled: true}\n"  # 7: a misspelled rule
        "exemptions:\n"
        "  - rules: [privileged-containr]\n"        # 9: a misspelled rule in an exemption
        "    reason: CNI\n"
        "workloads:\n"
        "  - apiVersion: example.com/v1\n"          # 12: no pod-templates or pod-specs
        "    kind: BatchRun\n"
    )
    code, _, err = run(["pod.yaml"])
    assert code == 2
    lines = [m.groupdict() for m in map(LOCATED.match, err.splitlines()) if m]
    assert [(int(p["line"]), p["path"]) for p in lines] == [
        (1, "extends"), (2, "fail-on"), (3, "kubernetes-version"), (4, "select[0]"), (5, "ignore[0]"),
        (7, "rules"), (9, "exemptions[0].rules[0]"), (12, "workloads[0]"),
    ]
    assert all(p["file"].endswith(".guardlint.yaml") for p in lines)
    messages = [p["message"] for p in lines]
    assert "did you mean 'default'?" in messages[0]
    assert "did you mean 'warning'?" in messages[1]
    assert 'quote it: "1.30"' in messages[2]
    assert "did you mean 'security'?" in messages[3]
    assert "did you mean 'unpinned-image'?" in messages[4]
    assert "did you mean 'privileged-container'?" in messages[5]
    assert "did you mean 'privileged-container'?" in messages[6]
    assert "missing 'pod-templates' or 'pod-specs'" in messages[7]
    assert "not valid under any of the given schemas" not in err


def test_problems_are_structured_with_columns(repo: Path) -> None:
    config = repo / ".guardlint.yaml"
    config.write_text("fail-on: warnings\nselect: [all, securty]\n")
    error = problems(config)
    assert [(p.line, p.column, p.path) for p in error.problems] == [(1, 10, "fail-on"), (2, 15, "select[1]")]
    assert all(p.file == str(config) for p in error.problems)


def test_problems_in_extended_files_come_in_the_same_pass(repo: Path) -> None:
    (repo / "base.yaml").write_text("fail-on: eror\nextends: [strcit]\n")
    (repo / ".guardlint.yaml").write_text("extends: [base.yaml, missing.yaml]\nselect: [SEC99]\n")
    error = problems(repo / ".guardlint.yaml")
    where = [(Path(p.file).name, p.line, p.path) for p in error.problems]
    assert where == [(".guardlint.yaml", 1, "extends[1]"), (".guardlint.yaml", 2, "select[0]"),
                     ("base.yaml", 1, "fail-on"), ("base.yaml", 2, "extends[0]")]
    assert "did you mean 'strict'?" in error.problems[3].message
    assert "no such file" in error.problems[0].message


def test_a_missing_rule_folder_is_one_of_the_problems(repo: Path) -> None:
    config = repo / ".guardlint.yaml"
    config.write_text("rule-dirs: [rules, nope]\nfail-on: warnings\n")
    (repo / "rules").mkdir()
    error = problems(config)
    assert [(p.line, p.column, p.path) for p in error.problems] == [(1, 20, "rule-dirs[1]"), (2, 10, "fail-on")]
    assert "the rule folder 'nope' does not exist" in error.problems[0].message


def test_a_cycle_is_located_at_the_entry_that_closes_it(repo: Path) -> None:
    (repo / "a.yaml").write_text("extends: b.yaml\n")
    (repo / "b.yaml").write_text("fail-on: error\nextends: a.yaml\n")
    error = problems(repo / "a.yaml")
    assert [(Path(p.file).name, p.line, p.column) for p in error.problems] == [("b.yaml", 2, 10)]
    assert "extends itself" in error.problems[0].message


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        ("rules:\n  unpinned-image: {severity: warn}\n", "rules.unpinned-image.severity", "did you mean 'warning'?"),
        ("accelerators:\n  - {name: x, kind: gpus}\n", "accelerators[0].kind", "did you mean 'gpu'?"),
        ("workloads:\n  - {apiVersion: v1, pod-specs: [spec]}\n", "workloads[0]", "missing the required key 'kind'"),
        ("select: security\n", "select", "write a list: [security]"),
        ("extends: [default, 5]\n", "extends[1]", "expected a string"),
        ("exemptions:\n  - {reason: '  '}\n", "exemptions[0].reason", "must say why"),
        ("exemptions:\n  - {rules: [host-port]}\n", "exemptions[0]", "missing the required key 'reason'"),
        ("workloads:\n  - {apiVersion: v1, kind: K, pod-specs: ['spec..x']}\n", "workloads[0].pod-specs[0]",
         "not a dotted path"),
        ("exclud: []\n", "<top level>", "did you mean 'exclude'?"),
    ],
)
def test_each_kind_of_problem_is_explained(repo: Path, text: str, path: str, expected: str) -> None:
    config = repo / ".guardlint.yaml"
    config.write_text(text)
    error = problems(config)
    assert [p.path for p in error.problems] == [path]
    assert expected in error.problems[0].message


@pytest.mark.parametrize("text", ["1.30", "1.3", "1.4", "1.40"])
def test_a_version_yaml_reads_as_a_number_says_to_quote_it(repo: Path, text: str) -> None:
    config = repo / ".guardlint.yaml"
    config.write_text(f"kubernetes-version: {text}\n")
    (problem,) = problems(config).problems
    assert (problem.line, problem.column, problem.path) == (1, 21, "kubernetes-version")
    assert f'quote it: "{text}"' in problem.message


@pytest.mark.parametrize("version", ["1.38", "1.40", "2.0", "0.9", "1.x", "1", ""])
def test_unknown_versions_are_rejected_listing_the_range(repo: Path, version: str) -> None:
    config = repo / ".guardlint.yaml"
    config.write_text(f'kubernetes-version: "{version}"\n')
    (problem,) = problems(config).problems
    assert problem.path == "kubernetes-version" and "1.0 to 1.37" in problem.message
    code, _, err = run(["pod.yaml", "--no-config", "--kubernetes-version", version])
    assert code == 2 and "--kubernetes-version" in err and "1.0 to 1.37" in err
    with pytest.raises(UsageError, match=r"1\.0 to 1\.37"):
        resolve_settings(use_config_file=False, kubernetes_version=version, entry_points=False)


@pytest.mark.parametrize(("version", "expected"), [("1.37", (1, 37)), ("v1.30.2", (1, 30)), ("latest", (1, 37)),
                                                   ("1.0", (1, 0)), ("1.25", (1, 25))])
def test_known_versions_are_accepted(repo: Path, version: str, expected: tuple[int, int]) -> None:
    config = repo / ".guardlint.yaml"
    config.write_text(f'kubernetes-version: "{version}"\n')
    assert resolve_settings(config=config, entry_points=False).plan.kubernetes_version == expected
    settings = resolve_settings(use_config_file=False, kubernetes_version=version, entry_points=False)
    assert settings.plan.kubernetes_version == expected


def test_command_line_selectors_are_checked_with_a_suggestion(repo: Path) -> None:
    code, _, err = run(["pod.yaml", "--no-config", "--select", "securty", "--ignore", "SEC003"])
    assert code == 2
    assert "--select: 'securty' names no rule, code, code prefix, pack or tag; did you mean 'security'?" in err


def _json(args: list[str]) -> tuple[int, list[dict[str, object]]]:
    code, out, _ = run([*args, "--format", "json"])
    return code, json.loads(out)["findings"]


EXEMPTIONS = (
    "exemptions:\n"
    "  - rules: [privileged-container]\n"   # 2: matches the pod
    "    namespaces: [kube-system]\n"
    "    reason: CNI agents\n"
    "  - rules: [privileged-container]\n"   # 5: matches nothing
    "    namespaces: [other]\n"
    "    reason: stale\n"
    "  - rules: [missing-startup-probe]\n"  # 8: its rule does not run
    "    reason: not run\n"
)


def test_an_exemption_that_matches_nothing_is_reported_at_the_exemption(repo: Path) -> None:
    (repo / ".guardlint.yaml").write_text(EXEMPTIONS)
    code, findings = _json(["pod.yaml"])
    unused = [f for f in findings if f["rule"] == "unused-suppression"]
    assert [(f["file"], f["line"], f["column"], f["path"]) for f in unused] == [
        (".guardlint.yaml", 5, 5, "exemptions[1]")]
    assert "stale" in str(unused[0]["message"])
    priv = [f for f in findings if f["rule"] == "privileged-container"]
    assert priv and all(f["suppressed"] for f in priv)
    assert code == 0  # unused-suppression is a warning


def test_the_summary_counts_the_configuration_file_with_the_unused_exemption(repo: Path) -> None:
    (repo / ".guardlint.yaml").write_text(EXEMPTIONS)
    code, out, _ = run(["pod.yaml", "--select", "privileged-container"])
    assert code == 0  # the privileged pod is exempted; the unused exemption is a warning
    assert ".guardlint.yaml:5:5: warning unused-suppression" in out
    assert "in 1 of 2 files checked" in out  # only the config file has an active finding; both were checked


def test_unused_exemptions_are_not_judged_in_a_partial_run_or_when_turned_off(repo: Path) -> None:
    (repo / ".guardlint.yaml").write_text(EXEMPTIONS)
    assert not [f for f in _json(["pod.yaml", "--partial"])[1] if f["rule"] == "unused-suppression"]
    assert not [f for f in _json(["pod.yaml", "--ignore", "unused-suppression"])[1]
                if f["rule"] == "unused-suppression"]


def test_an_exemption_for_every_rule_that_matches_nothing_is_reported(repo: Path) -> None:
    (repo / ".guardlint.yaml").write_text("exemptions:\n  - kinds: [DaemonSet]\n    reason: agents\n")
    findings = _json(["pod.yaml"])[1]
    assert [(f["rule"], f["line"]) for f in findings if f["file"] == ".guardlint.yaml"] == [
        ("unused-suppression", 2)]


def test_the_documented_version_range_is_the_one_enforced() -> None:
    from guardlint.config.model import LATEST_KUBERNETES, OLDEST_KUBERNETES
    from tests.helpers import ROOT

    known = f"{OLDEST_KUBERNETES[0]}.{OLDEST_KUBERNETES[1]} to {LATEST_KUBERNETES[0]}.{LATEST_KUBERNETES[1]}"
    schema = json.loads((ROOT / "schemas" / "config.schema.json").read_text(encoding="utf-8"))
    assert known in schema["properties"]["kubernetes-version"]["description"]
    assert f"({known}, or `latest`)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_infinity_and_not_a_number_are_located_problems_not_silent_settings(repo: Path) -> None:
    # .inf as a bound would bound nothing; .nan passes every comparison of the schema (minimum, maximum)
    config = repo / ".guardlint.yaml"
    config.write_text(
        "max-file-size-mb: .inf\n"
        "rules:\n"
        "  resource-out-of-bounds:\n"
        "    params:\n"
        "      max: {cpu: .inf, memory: .NaN}\n"
        "      min: {cpu: -.inf, memory: 10m}\n"
    )
    error = problems(config)
    found = [(p.line, p.column, p.path, p.message.split(",")[0]) for p in error.problems]
    assert found[:3] == [
        (1, 19, "max-file-size-mb", "YAML reads .inf as infinity"),
        (5, 18, "rules.resource-out-of-bounds.params.max.cpu", "YAML reads .inf as infinity"),
        (5, 32, "rules.resource-out-of-bounds.params.max.memory", "YAML reads .NaN as not a number"),
    ]
    # -.inf is below the schema's minimum of 0: that problem alone, not a second one at the same place
    assert [p.path for p in error.problems].count("rules.resource-out-of-bounds.params.min.cpu") == 1
    assert all("finite number" in p.message for p in error.problems[:3])
    code, _, err = run(["pod.yaml"])
    assert code == 2 and ".guardlint.yaml:5:18: at rules.resource-out-of-bounds.params.max.cpu" in err


def test_finite_bounds_still_load(repo: Path) -> None:
    config = repo / ".guardlint.yaml"
    config.write_text("rules:\n  resource-out-of-bounds:\n    params:\n      max: {cpu: 8.5, memory: 32Gi}\n")
    settings = resolve_settings(config=config, entry_points=False)
    assert settings.config.rules["resource-out-of-bounds"].params["max"] == {"cpu": 8.5, "memory": "32Gi"}
