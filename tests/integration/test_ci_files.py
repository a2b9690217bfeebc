"""The GitHub Action (action.yml and its run script) and the Dockerfile."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "github-action.sh"

BAD = """apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
    - name: web
      image: nginx:1.27
      resources: {limits: {memory: 64Mi}}
      securityContext: {privileged: true}
"""
CLEAN = BAD.replace("      securityContext: {privileged: true}\n", "")


def _action() -> dict[str, object]:
    data = yaml.safe_load((ROOT / "action.yml").read_text())
    assert isinstance(data, dict)
    return data


def test_action_is_a_composite_that_runs_the_script() -> None:
    action = _action()
    runs = action["runs"]
    assert isinstance(runs, dict) and runs["using"] == "composite"
    steps = runs["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    run_step = next(s for s in steps if s.get("id") == "run")
    assert "scripts/github-action.sh" in run_step["run"] and SCRIPT.is_file()
    assert run_step["env"]["GUARDLINT_ACTION_PATH"] == "${{ github.action_path }}"
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert "inputs.upload-sarif == 'true'" in upload["if"]
    assert steps[-1]["run"].startswith("exit ") and "steps.run.outputs.exit-code" in steps[-1]["env"][
        "GUARDLINT_EXIT_CODE"]
    for step in steps:  # inputs go through the environment, never into a script's text
        assert "${{" not in step.get("run", "")
    inputs = action["inputs"]
    assert isinstance(inputs, dict)
    assert {"paths", "args", "python-version", "annotations", "upload-sarif", "sarif-file"} <= set(inputs)


def _run_script(repo: Path, tmp_path: Path, **env: str) -> tuple[int, str, dict[str, str]]:
    output = tmp_path / "github_output"
    output.write_text("")
    full = {**os.environ, "GUARDLINT_SKIP_INSTALL": "1", "GUARDLINT_PYTHON": sys.executable,
            "GITHUB_OUTPUT": str(output), "GUARDLINT_ACTION_PATH": str(ROOT), **env}
    for name in ("GUARDLINT_ARGS", "GUARDLINT_PATHS", "GUARDLINT_SARIF_FILE", "GUARDLINT_ANNOTATIONS"):
        if name not in env:
            full.pop(name, None)
    proc = subprocess.run(["bash", str(SCRIPT)], check=False, cwd=repo, env=full, capture_output=True, text=True,
                          timeout=120)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return proc.returncode, proc.stdout, outputs


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "deploy").mkdir(parents=True)
    (repo / "deploy" / "web.yaml").write_text(BAD)
    (repo / "deploy" / "ok.yaml").write_text(CLEAN)
    (repo / ".github").mkdir()
    (repo / ".github" / "ci.yml").write_text("on: push\n")
    return repo


def test_action_script_annotates_writes_sarif_and_keeps_the_exit_code(repo: Path, tmp_path: Path) -> None:
    code, out, outputs = _run_script(repo, tmp_path, GUARDLINT_PATHS="deploy .github",
                                     GUARDLINT_SARIF_FILE="guardlint.sarif")
    assert code == 0
    assert outputs == {"exit-code": "1", "sarif-file": "guardlint.sarif"}
    assert "::error file=deploy/web.yaml,line=9," in out
    sarif = json.loads((repo / "guardlint.sarif").read_text())
    results = sarif["runs"][0]["results"]
    assert "SEC003" in {r["ruleId"] for r in results}


def test_action_script_clean_repository_and_options(repo: Path, tmp_path: Path) -> None:
    code, out, outputs = _run_script(repo, tmp_path, GUARDLINT_PATHS="deploy/ok.yaml", GUARDLINT_ANNOTATIONS="false",
                                     GUARDLINT_ARGS="--select SEC003")
    assert (code, outputs) == (0, {"exit-code": "0"})
    assert "No problems found in 1 file checked" in out and "::" not in out
    code, _, outputs = _run_script(repo, tmp_path, GUARDLINT_PATHS="deploy", GUARDLINT_ARGS="--fail-on never")
    assert outputs["exit-code"] == "0"
    code, _, outputs = _run_script(repo, tmp_path, GUARDLINT_PATHS="missing.yaml")
    assert (code, outputs["exit-code"]) == (0, "2")


def test_action_script_does_not_expand_globs_or_commands(repo: Path, tmp_path: Path) -> None:
    (repo / "deploy" / "$(touch pwned).yaml").write_text(CLEAN)
    code, _, outputs = _run_script(repo, tmp_path, GUARDLINT_PATHS="deploy/*.yaml", GUARDLINT_ANNOTATIONS="false")
    assert (code, outputs["exit-code"]) == (0, "2")  # the literal name deploy/*.yaml does not exist
    assert not (repo / "pwned").exists()


def test_action_script_reads_every_line_of_multi_line_inputs(repo: Path, tmp_path: Path) -> None:
    """``paths: |`` with a folder a line is how workflows often write lists; the script read only the first line
    (``read`` stops at a line break), so the other folders and options were silently left out."""
    code, out, outputs = _run_script(repo, tmp_path, GUARDLINT_PATHS="deploy/ok.yaml\ndeploy/web.yaml\n",
                                     GUARDLINT_ANNOTATIONS="false", GUARDLINT_ARGS="--select\nSEC003\n--fail-on\nerror")
    assert (code, outputs["exit-code"]) == (0, "1"), out
    assert "deploy/web.yaml:9:" in out and "in 1 of 2 files checked" in out
    code, out, outputs = _run_script(repo, tmp_path, GUARDLINT_PATHS="\n", GUARDLINT_ANNOTATIONS="false",
                                     GUARDLINT_ARGS="--select SEC003\n  --fail-on never\n")
    assert (code, outputs["exit-code"]) == (0, "0"), out  # only whitespace: the default path "."
    assert "SEC003" in out


def test_action_script_expands_possibly_empty_arrays_as_bash_3_2_allows() -> None:
    """macOS runners run Apple's bash 3.2 (actions/runner-images lists 3.2.57), where ``"${a[@]}"`` of an empty
    array is an "unbound variable" error under ``set -u``: the action, whose ``args`` is empty by default, failed
    there before guardlint ran. Bash 3.2 is not here to run it, so the spelling is checked: every expansion of
    ``extra`` (empty unless ``args`` is given) and the test of ``paths`` use the guarded form."""
    text = SCRIPT.read_text()
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert '${extra[@]+"${extra[@]}"}' in code
    assert '"${extra[@]}"' not in code.replace('${extra[@]+"${extra[@]}"}', "")
    assert "${#paths[@]}" not in code and '"${paths[*]+set}"' in code


def _dockerfile() -> list[list[str]]:
    lines = []
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            lines.append(line.split())
    return lines


def test_dockerfile_uses_slim_python_and_copies_what_the_wheel_needs() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    instructions = _dockerfile()
    images = [words[1] for words in instructions if words[0] == "FROM"]
    assert images and all(i.startswith("python:") and i.split(" ")[0].endswith("-slim") for i in images)
    assert not any("alpine" in i for i in images)
    copied = {src.rstrip("/") for words in instructions if words[0] == "COPY" and not words[1].startswith("--from")
              for src in words[1:-1]}
    for name in copied:
        assert (ROOT / name).exists(), name
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    hatch = project["tool"]["hatch"]["build"]["targets"]["wheel"]
    needed = {"pyproject.toml", project["project"]["readme"], *project["project"]["license-files"],
              *(p.split("/")[0] for p in hatch["packages"]), *hatch["force-include"]}
    assert needed <= copied, needed - copied
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert not set(ignored) & needed
    assert ["ENTRYPOINT", '["guardlint"]'] in instructions
    assert any(words[0] == "USER" and words[1] != "root" for words in instructions)


@pytest.mark.slow
def test_dockerfile_files_build_the_wheel(tmp_path: Path) -> None:
    """The wheel builds from exactly the files the Dockerfile copies (as its build stage does)."""
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    for words in _dockerfile():
        if words[0] == "COPY" and not words[1].startswith("--from"):
            for src in words[1:-1]:
                source = ROOT / src
                if source.is_dir():
                    shutil.copytree(source, ctx / src, ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    shutil.copy2(source, ctx / src)
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--wheel-dir",
                    str(dist), str(ctx)], check=True, capture_output=True, timeout=300)
    (wheel,) = dist.glob("guardlint-*.whl")
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "guardlint/cli.py" in names
    assert any(n.startswith("guardlint/_data/rules/") for n in names)
    assert any(n.startswith("guardlint/_data/schemas/") for n in names)


def _engine() -> str | None:
    for name in ("docker", "podman"):
        path = shutil.which(name)
        if path and subprocess.run([path, "info"], check=False, capture_output=True, timeout=30).returncode == 0:
            return path
    return None


@pytest.mark.slow
def test_docker_image_builds_and_runs(tmp_path: Path) -> None:
    engine = _engine()
    if engine is None:
        pytest.skip("no container engine running")
    subprocess.run([engine, "build", "-t", "guardlint-test", str(ROOT)], check=True, timeout=1800)
    (tmp_path / "pod.yaml").write_text(BAD)
    proc = subprocess.run([engine, "run", "--rm", "-v", f"{tmp_path}:/src", "guardlint-test", "check", "."],
                          check=False, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1 and "privileged-container" in proc.stdout


def _ci_section_blocks() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("\n## In CI\n"):]
    section = section[:section.index("\n## ", 1)]
    blocks = []
    parts = section.split("```")
    for i in range(1, len(parts), 2):
        lang, _, body = parts[i].partition("\n")
        blocks.append((lang.strip(), body))
    return blocks


def test_readme_github_workflow_uses_this_action_and_its_inputs() -> None:
    from guardlint._version import __version__

    (workflow,) = [yaml.safe_load(b) for lang, b in _ci_section_blocks() if lang == "yaml" and "runs-on" in b]
    steps = workflow["jobs"]["guardlint"]["steps"]
    (step,) = [s for s in steps if s.get("uses", "").startswith("guardlint/guardlint@")]
    assert step["uses"] == f"guardlint/guardlint@v{__version__}"
    inputs = _action()["inputs"]
    assert isinstance(inputs, dict) and set(step["with"]) <= set(inputs)


def test_readme_gitlab_and_shell_recipes_run(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import shlex

    from guardlint.cli import main

    monkeypatch.chdir(repo)
    (gitlab,) = [yaml.safe_load(b) for lang, b in _ci_section_blocks() if lang == "yaml" and "script" in b]
    job = gitlab["guardlint"]
    (command,) = [c for c in job["script"] if c.startswith("guardlint ")]
    code = main(shlex.split(command)[1:], out=io.StringIO(), err=io.StringIO())
    assert code == 1
    reports = job["artifacts"]["reports"]
    issues = json.loads((repo / reports["codequality"]).read_text())
    assert issues and {"description", "check_name", "fingerprint", "severity", "location"} <= set(issues[0])
    assert (repo / reports["junit"]).read_text().startswith("<?xml")
    (shell,) = [b for lang, b in _ci_section_blocks() if lang == "sh"]
    run_line = next(line for line in shell.splitlines() if line.startswith("docker run"))
    args = shlex.split(run_line)
    out = io.StringIO()
    assert main(args[args.index("guardlint") + 1:], out=out, err=io.StringIO()) == 1
    assert "deploy/web.yaml:" in out.getvalue() and "[error]" in out.getvalue()


HIJACK = "open({marker!r}, 'a').write({name!r} + '\\n')\n"


def test_action_script_never_imports_from_the_repository(repo: Path, tmp_path: Path) -> None:
    """The working folder is the pull request's checkout, and ``python -m X`` (or ``-c``) puts it first on the
    module path: a pull request that added a top-level ``guardlint/`` package ran its own code in the job and
    made the step pass (tried on main 4a393f9: ``guardlint exited with 0``, a privileged pod in the repository),
    and a ``pip/`` package ran in the install step. Python now starts only on a launcher file in a folder of its
    own, and pip in that folder; a stand-in ``python`` records where and how each was started."""
    marker = tmp_path / "ran"
    for name in ("guardlint/__init__.py", "guardlint/__main__.py", "guardlint/cli.py", "pip/__init__.py",
                 "pip/__main__.py", "yaml.py", "sitecustomize.py"):
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(HIJACK.format(marker=str(marker), name=name))
    log = tmp_path / "python.log"
    python = tmp_path / "python"
    python.write_text(f"#!/usr/bin/env bash\nprintf '%s\\t%s\\n' \"$PWD\" \"$*\" >> {log}\n"
                      f"if [[ \"$1 $2\" == '-m pip' ]]; then exit 0; fi\nexec {sys.executable} \"$@\"\n")
    python.chmod(0o755)
    (repo / "deploy" / "ok.yaml").unlink()
    code, out, outputs = _run_script(repo, tmp_path, GUARDLINT_SKIP_INSTALL="0", GUARDLINT_PYTHON=str(python),
                                     GUARDLINT_PATHS="deploy", GUARDLINT_ANNOTATIONS="false")
    assert not marker.exists(), marker.read_text()
    assert (code, outputs["exit-code"]) == (0, "1"), out
    assert "deploy/web.yaml:9:" in out
    calls = [line.split("\t") for line in log.read_text().splitlines()]
    assert [args.split()[:2] for _, args in calls] == [
        ["-m", "pip"], [calls[1][1].split()[0], "check"]], calls
    (pip_cwd, pip_args), (run_cwd, run_args) = calls
    assert pip_cwd != str(repo) and not Path(pip_cwd).is_relative_to(repo)
    assert pip_args.endswith(str(ROOT))  # the action's own checkout, by its absolute path
    launcher = Path(run_args.split()[0])
    assert run_cwd == str(repo) and launcher.parent == Path(pip_cwd) and not launcher.exists()  # removed after


def test_action_script_declares_only_a_sarif_report_this_run_wrote(repo: Path, tmp_path: Path) -> None:
    """A pull request can commit ``guardlint.sarif`` (say, with no results) and make guardlint stop before it
    writes one (a configuration error): the script declared the committed file as the report, and the action
    uploaded it to code scanning as guardlint's (tried on main 4a393f9)."""
    forged = repo / "guardlint.sarif"
    forged.write_text('{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "guardlint"}}, "results": []}]}')
    os.utime(forged, (1_600_000_000, 1_600_000_000))  # checked out before the step ran
    (repo / ".guardlint.yaml").write_text("fail-on: eror\n")
    code, _, outputs = _run_script(repo, tmp_path, GUARDLINT_PATHS="deploy", GUARDLINT_SARIF_FILE="guardlint.sarif")
    assert (code, outputs) == (0, {"exit-code": "2"})
    (repo / ".guardlint.yaml").unlink()
    code, _, outputs = _run_script(repo, tmp_path, GUARDLINT_PATHS="deploy", GUARDLINT_SARIF_FILE="guardlint.sarif")
    assert (code, outputs) == (0, {"exit-code": "1", "sarif-file": "guardlint.sarif"})
    assert json.loads(forged.read_text())["runs"][0]["results"] != []
