"""The concise and full formats, --statistics, the GitLab code quality report and several reports per run."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from guardlint.cli import main

BAD = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:1.27
      resources: {limits: {memory: 64Mi}}
      securityContext:
        privileged: true
"""
TWO_PRIVILEGED = BAD + """---
apiVersion: v1
kind: Pod
metadata:
  name: db
spec:
  containers:
    - name: db
      image: postgres:16
      resources: {limits: {memory: 64Mi}}
      securityContext:
        privileged: true
"""
CLEAN = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:1.27
      resources: {limits: {memory: 64Mi}}
"""


def run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(args, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.yaml").write_text(BAD)
    (tmp_path / "two.yaml").write_text(TWO_PRIVILEGED)
    (tmp_path / "good.yaml").write_text(CLEAN)
    return tmp_path


def _json_findings(path: Path) -> list[tuple[str, int, int, str]]:
    doc = json.loads(path.read_text())
    return [(f["file"], f["line"], f["column"], f["code"]) for f in doc["findings"]]


def test_concise_one_line_per_finding(repo: Path) -> None:
    code, out, _ = run(["bad.yaml", "--output-format", "concise", "--select", "SEC003,RES001"])
    assert code == 1
    lines = out.splitlines()
    assert lines[:-2] == [
        "bad.yaml:9:7: RES001 [warning] container 'web' has no cpu request",
        ("bad.yaml:11:9: SEC003 [error] container 'web' sets securityContext.privileged=true (violates PodSecurity "
        "\"baseline:v1.37\", check privileged)"),
    ]
    assert lines[-2] == "1 fixable with --fix --unsafe-fixes (--diff shows the changes)."
    assert lines[-1].startswith("Found 2 problems (1 error, 1 warning)")


def test_concise_matches_json_locations(repo: Path) -> None:
    code, out, _ = run(["bad.yaml", "two.yaml", "--format", "concise", "--output-file", "json:r.json"])
    assert code == 1
    pattern = re.compile(r"^(.+):(\d+):(\d+): ([A-Z]+\d+) \[(error|warning|info)\] ")
    seen = []
    for line in out.splitlines()[:-2]:
        m = pattern.match(line)
        assert m, line
        seen.append((m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)))
    assert sorted(seen) == sorted(_json_findings(repo / "r.json"))


def test_concise_input_errors_and_clean(repo: Path) -> None:
    (repo / "broken.yaml").write_text("a: [\n")
    code, out, _ = run(["broken.yaml", "good.yaml", "-f", "concise", "--select", "SEC003"])
    assert code == 2
    assert out.splitlines()[0].startswith("broken.yaml:2:1: GL001 [error] ")
    code, out, _ = run(["good.yaml", "-f", "concise", "--select", "SEC003"])
    assert (code, out) == (0, "No problems found in 1 file checked (1 object).\n")


def test_full_shows_the_source_with_the_span_marked(repo: Path) -> None:
    code, out, _ = run(["bad.yaml", "--output-format", "full", "--select", "SEC003"])
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("bad.yaml:11:9: error privileged-container ")
    assert lines[1:6] == [
        "   |",
        "10 |       securityContext:",
        "11 |         privileged: true",
        "   |         ^^^^^^^^^^^^^^^^",
        "   |",
    ]
    assert lines[6].startswith("    = SEC003 at spec.containers[0].securityContext.privileged in Pod web")
    assert lines[7].startswith("    help: ")


def test_full_missing_field_marks_the_parent_start(repo: Path) -> None:
    _, out, _ = run(["bad.yaml", "-f", "full", "--select", "RES001"])
    assert out.splitlines()[1:6] == [
        "   |",
        " 8 |       image: nginx:1.27",
        " 9 |       resources: {limits: {memory: 64Mi}}",
        "   |       ^",
        "10 |       securityContext:",
    ]


def test_full_escapes_control_characters_and_keeps_the_mark_aligned(repo: Path) -> None:
    # A tab before the field (printed as \t, two characters) and a right-to-left override in a comment.
    (repo / "ctl.yaml").write_text(BAD.replace("      securityContext:\n        privileged: true",
                                               "      securityContext: {\tprivileged: true}  # \u202e"))
    code, out, _ = run(["ctl.yaml", "-f", "full", "--select", "SEC003"])
    assert code == 1
    assert "\u202e" not in out and "\t" not in out and "\\u202e" in out
    frame = out.splitlines()
    source = next(line for line in frame if "privileged: true" in line and "|" in line)
    mark = frame[frame.index(source) + 1]
    assert source.index("privileged") == mark.index("^")


def test_full_on_stdin_uses_the_text_read(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(BAD.encode())))
    code, out, _ = run(["-", "--stdin-filename", "pod.yaml", "-f", "full", "--select", "SEC003"])
    assert code == 1
    assert "11 |         privileged: true" in out


def test_full_without_a_readable_source_has_no_frame(repo: Path) -> None:
    # A file replaced between the lint and the report: the finding is shown without a frame.
    from guardlint.api import resolve_settings
    from guardlint.api import run as lint
    from guardlint.report import RenderOptions, render
    from guardlint.report.text import load_sources

    settings = resolve_settings(use_config_file=False, select=["SEC003"])
    report = lint(["bad.yaml"], settings)
    (repo / "bad.yaml").unlink()
    sources = load_sources(report, settings.max_bytes)
    assert sources == {}
    text = render(report, "full", RenderOptions(settings.registry, sources=sources))
    assert " | " not in text and "help: " in text


def test_text_stays_the_default(repo: Path) -> None:
    _, default, _ = run(["bad.yaml"])
    _, text, _ = run(["bad.yaml", "--format", "text"])
    assert default == text
    assert " | " not in default


def test_statistics_counts_per_rule_sorted(repo: Path) -> None:
    code, out, _ = run(["bad.yaml", "two.yaml", "--statistics", "--select", "SEC003,RES001"])
    assert code == 1
    lines = out.splitlines()
    assert lines[0].split() == ["3", "RES001", "warning", "missing-cpu-request"]
    assert lines[1].split() == ["3", "SEC003", "error", "privileged-container", "(3", "fixable)"]
    assert lines[-1].startswith("Found 6 problems")
    assert "bad.yaml:" not in out


def test_statistics_shows_fixable_counts(repo: Path) -> None:
    from guardlint.api import resolve_settings
    from guardlint.api import run as lint
    from guardlint.findings import Fix
    from guardlint.report.text import render_statistics

    report = lint(["two.yaml", "bad.yaml"], resolve_settings(use_config_file=False, select=["SEC003", "RES001"]))
    lines = render_statistics(report).splitlines()
    assert lines[0].split()[:2] == ["3", "RES001"] and "fixable" not in lines[0]
    assert lines[1].endswith("privileged-container (3 fixable)")
    assert lines[2] == "3 fixable with --fix --unsafe-fixes (--diff shows the changes)."
    safe = report._replace(findings=tuple(
        f._replace(fix=Fix("false", "set privileged to false", safety="safe")) if f.code == "SEC003"
        and "two" in f.file else f for f in report.findings))
    lines = render_statistics(safe).splitlines()
    assert lines[2] == "2 fixable with --fix, 1 more with --unsafe-fixes (--diff shows the changes)."


def test_statistics_with_a_machine_format_needs_a_file(repo: Path) -> None:
    code, _, err = run(["bad.yaml", "--statistics", "--format", "json"])
    assert code == 2 and "--statistics" in err
    code, out, _ = run(["bad.yaml", "--statistics", "--format", "sarif", "--output", "r.sarif"])
    assert code == 1 and out.splitlines()[-1].startswith("Found ")
    assert json.loads((repo / "r.sarif").read_text())["version"] == "2.1.0"


def test_gitlab_code_quality(repo: Path) -> None:
    code, out, _ = run(["bad.yaml", "two.yaml", "--format", "gitlab", "--select", "SEC003,RES001"])
    assert code == 1
    issues = json.loads(out)
    assert len(issues) == 6
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in ("major", "minor")
        assert isinstance(issue["location"]["lines"]["begin"], int)
    assert len({i["fingerprint"] for i in issues}) == 6
    first = issues[0]
    assert first["location"] == {"path": "bad.yaml", "lines": {"begin": 9}}
    assert first["check_name"] == "RES001 missing-cpu-request" and first["severity"] == "minor"
    assert {i["severity"] for i in issues if i["check_name"].startswith("SEC003")} == {"major"}


def test_gitlab_fingerprints_survive_moved_lines(repo: Path) -> None:
    _, before, _ = run(["bad.yaml", "-f", "gitlab", "--select", "SEC003"])
    (repo / "bad.yaml").write_text("# a comment added above\n\n" + BAD)
    _, after, _ = run(["bad.yaml", "-f", "gitlab", "--select", "SEC003"])
    (b,), (a,) = json.loads(before), json.loads(after)
    assert a["location"]["lines"]["begin"] == b["location"]["lines"]["begin"] + 2
    assert a["fingerprint"] == b["fingerprint"]


def test_gitlab_input_errors_and_empty(repo: Path) -> None:
    (repo / "broken.yaml").write_text("a: [\n")
    _, out, _ = run(["broken.yaml", "good.yaml", "-f", "gitlab", "--select", "SEC003"])
    (issue,) = json.loads(out)
    assert issue["severity"] == "critical" and issue["check_name"] == "GL001 yaml-syntax-error"
    code, out, _ = run(["good.yaml", "-f", "gitlab", "--select", "SEC003"])
    assert (code, json.loads(out)) == (0, [])


def test_several_reports_from_one_run(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    import guardlint.api

    real = guardlint.api.run

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(guardlint.api, "run", counting)
    code, out, _ = run(["bad.yaml", "two.yaml", "-f", "concise", "--output-file", "sarif:r.sarif",
                        "--output-file", "gitlab:gl.json", "--output-file", "json:r.json",
                        "--output-file", "github:gh.txt"])
    assert code == 1 and len(calls) == 1
    assert out.splitlines()[0].startswith("bad.yaml:")
    sarif = json.loads((repo / "r.sarif").read_text())
    findings = _json_findings(repo / "r.json")
    assert len(sarif["runs"][0]["results"]) == len(findings) == len(json.loads((repo / "gl.json").read_text()))
    assert (repo / "gh.txt").read_text().count("::") >= 2 * len(findings)


def test_output_file_with_quiet_and_output(repo: Path) -> None:
    code, out, err = run(["bad.yaml", "-q", "--output-file", "sarif:r.sarif"])
    assert (code, out, err) == (1, "", "")
    assert (repo / "r.sarif").exists()
    code, out, _ = run(["bad.yaml", "-f", "json", "-o", "r.json", "--output-file", "full:r.txt"])
    assert code == 1 and out == ""
    assert json.loads((repo / "r.json").read_text())["findings"]
    assert "privileged: true" in (repo / "r.txt").read_text()
    assert "\x1b" not in (repo / "r.txt").read_text()


@pytest.mark.parametrize(("spec", "message"), [
    ("sarif", "expected FORMAT:FILE"),
    ("sarif:", "expected FORMAT:FILE"),
    ("xml:r.xml", "unknown format 'xml'"),
])
def test_output_file_bad_spec(repo: Path, spec: str, message: str) -> None:
    code, _, err = run(["bad.yaml", "--output-file", spec])
    assert code == 2 and message in err


def test_output_file_refuses_duplicates_and_inputs(repo: Path) -> None:
    code, _, err = run(["bad.yaml", "-o", "r.json", "--output-file", "sarif:./r.json"])
    assert code == 2 and "already the target" in err
    code, _, err = run(["bad.yaml", "--output-file", "sarif:bad.yaml"])
    assert code == 2 and "an input of this run" in err
    assert (repo / "bad.yaml").read_text() == BAD


def test_concise_keeps_the_notes_of_the_text_format(repo: Path) -> None:
    (repo / ".guardlint.yaml").write_text("exclude: [bad.yaml]\n")
    _, text, _ = run(["bad.yaml", "good.yaml", "--select", "SEC003"])
    _, concise, _ = run(["bad.yaml", "good.yaml", "--select", "SEC003", "-f", "concise"])
    note = "bad.yaml:1: note: excluded by the configuration's exclude patterns"
    assert any(line.startswith(note) for line in text.splitlines())
    assert any(line.startswith(note) for line in concise.splitlines())
    assert concise.splitlines()[-1] == text.splitlines()[-1]
