"""A library call shares its process with the host program: it leaves the working directory, the garbage
collector and the host's threads as it found them, and its errors speak the library's language."""

from __future__ import annotations

import gc
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import guardlint
from tests.cli.test_diff_base import git, pod, write

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _observer(log: Path) -> str:
    """A rule module whose rule writes, for every object it sees, the working directory, what a second thread
    reads from the relative path ``marker.txt`` and the garbage collector's state; on an object named ``boom`` it
    raises KeyboardInterrupt (which no rule-error handler catches: the run is abandoned)."""
    return (
        "import gc, os, threading\n"
        "from guardlint.plugin import Severity, Violation, rule\n"
        "@rule(code='OBS001', name='observe-cwd', title='Observes the working directory', severity=Severity.INFO,"
        " pack='obs', remediation='None.')\n"
        "def observe_cwd(resource, params, ctx):\n"
        "    '''## What it does\\nx\\n\\n## Why is this bad?\\ny'''\n"
        "    seen = []\n"
        "    def read():\n"
        "        try:\n"
        "            with open('marker.txt') as fh:\n"
        "                seen.append(fh.read())\n"
        "        except OSError as exc:\n"
        "            seen.append(type(exc).__name__)\n"
        "    t = threading.Thread(target=read)\n"
        "    t.start()\n"
        "    t.join()\n"
        f"    with open({str(log)!r}, 'a') as fh:\n"
        "        fh.write(f'{os.getcwd()}|{resource.name}|{seen[0]}|{gc.isenabled()}|{gc.get_threshold()}\\n')\n"
        "    if resource.name == 'boom':\n"
        "        raise KeyboardInterrupt\n"
        "    yield from ()\n"
        "RULES = [observe_cwd]\n"
    )


@pytest.fixture
def observed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, Path]:
    """A repository with a subfolder ``deploy`` (the working directory) holding ``marker.txt`` (untracked: the
    base revision has none), a configuration outside the repository naming the observing rule, and its log."""
    root = tmp_path / "repo"
    sub = root / "deploy"
    sub.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    write(root, "deploy/a.yaml", pod("a"))
    write(root, "deploy/boom.yaml", pod("boom"))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "feature")
    git(root, "rm", "-q", "deploy/boom.yaml")
    git(root, "commit", "-qm", "change")
    (sub / "marker.txt").write_text("the working tree's")
    log = tmp_path / "seen.log"
    (tmp_path / "observe.py").write_text(_observer(log))
    config = tmp_path / "guardlint.yaml"
    config.write_text(f"plugins: [{tmp_path / 'observe.py'}]\nselect: [observe-cwd]\n")
    monkeypatch.chdir(sub)
    return sub, config, log


@needs_git
def test_a_diff_base_call_never_changes_the_working_directory(observed: tuple[Path, Path, Path]) -> None:
    _sub, config, log = observed
    cwd = os.getcwd()
    report = guardlint.lint_paths(["."], config=config, allow_local_plugins=True, diff_base="HEAD")
    assert report.diff is not None and os.getcwd() == cwd
    lines = [line.rsplit("|", 2)[0] for line in log.read_text().splitlines()]
    assert len(lines) == 2  # object 'a' in the working tree, then at the base
    # during both runs the process's working directory is the caller's, and a second thread's relative open
    # reads the caller's file
    assert set(lines) == {f"{cwd}|a|the working tree's"}


@needs_git
def test_the_working_directory_is_the_callers_when_the_base_run_is_abandoned(
    observed: tuple[Path, Path, Path],
) -> None:
    _sub, config, log = observed
    cwd = os.getcwd()
    with pytest.raises(KeyboardInterrupt):  # 'boom' is only at the base
        guardlint.lint_paths(["."], config=config, allow_local_plugins=True, diff_base="main")
    assert os.getcwd() == cwd
    seen = [line.rsplit("|", 2)[0] for line in log.read_text().splitlines()]
    assert f"{cwd}|boom|the working tree's" in seen
    assert all(line.startswith(f"{cwd}|") for line in seen), seen


@needs_git
def test_a_diff_base_run_from_a_subfolder_reads_the_base_like_the_working_tree(
    observed: tuple[Path, Path, Path],
) -> None:
    """A relative path above the working directory names the same files at the base as in the working tree."""
    sub, _config, _log = observed
    root = sub.parent
    write(root, "other/web.yaml", pod("web", privileged=True))
    write(root, "other/skip/x.yaml", pod("x", privileged=True))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "other")
    git(root, "branch", "-f", "main")
    write(root, "other/web.yaml", pod("web", privileged=True, host_network=True))
    report = guardlint.lint_paths(["../other"], use_config_file=False,
                                  select=["privileged-container", "shared-host-namespace"], diff_base="main")
    assert report.diff is not None
    assert (report.diff.new, report.diff.fixed, report.diff.unchanged) == (1, 0, 2)
    assert [(f.file, f.rule) for f in report.active] == [("../other/web.yaml", "shared-host-namespace")]


@pytest.fixture
def gc_observed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    """A folder with a pod, a configuration naming the observing rule, and the rule's log; the collector's state
    is put back after the test whatever it does."""
    (tmp_path / "pod.yaml").write_text(pod("a"))
    log = tmp_path / "seen.log"
    (tmp_path / "observe.py").write_text(_observer(log))
    config = tmp_path / "guardlint.yaml"
    config.write_text("plugins: [observe.py]\nselect: [observe-cwd]\n")
    monkeypatch.chdir(tmp_path)
    was = gc.isenabled()
    yield config, log
    if was:
        gc.enable()
    else:
        gc.disable()


def _collector_states(log: Path) -> list[str]:
    return [line.split("|")[3] for line in log.read_text().splitlines()]


@pytest.mark.parametrize("host_enabled", [True, False])
def test_library_calls_leave_the_collector_as_the_host_has_it(gc_observed: tuple[Path, Path],
                                                               host_enabled: bool) -> None:
    config, log = gc_observed
    (gc.enable if host_enabled else gc.disable)()
    threshold = gc.get_threshold()
    guardlint.lint_paths(["pod.yaml"], config=config, allow_local_plugins=True)
    guardlint.lint_text(pod("a"), config=config, allow_local_plugins=True)
    assert gc.isenabled() is host_enabled and gc.get_threshold() == threshold
    assert _collector_states(log) == [str(host_enabled)] * 2  # during the runs too


def _main(args: list[str]) -> int:
    from guardlint.cli import main

    return main(args, out=io.StringIO(), err=io.StringIO())


@pytest.mark.parametrize("host_enabled", [True, False])
def test_the_command_line_pauses_the_collector_for_the_whole_command(gc_observed: tuple[Path, Path],
                                                                     host_enabled: bool,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """``main`` pauses the collector from its first step, not only around the run: the settings and the report
    (and the imports before them) run paused too; it is restored as the caller had it, a usage error included."""
    import guardlint.api
    import guardlint.report

    config, _log = gc_observed
    seen: list[tuple[str, bool]] = []
    resolve, write = guardlint.api.resolve_settings, guardlint.report.write_report

    def resolve_settings(*args: object, **kwargs: object) -> object:
        seen.append(("settings", gc.isenabled()))
        return resolve(*args, **kwargs)  # type: ignore[arg-type]

    def write_report(*args: object, **kwargs: object) -> object:
        seen.append(("report", gc.isenabled()))
        return write(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(guardlint.api, "resolve_settings", resolve_settings)
    monkeypatch.setattr(guardlint.report, "write_report", write_report)
    (gc.enable if host_enabled else gc.disable)()
    assert _main(["check", "pod.yaml", "--config", str(config), "--allow-local-plugins"]) == 0
    assert seen == [("settings", False), ("report", False)]
    assert gc.isenabled() is host_enabled
    assert _main(["check", "pod.yaml", "--no-such-option"]) == 2  # argparse's usage error (SystemExit)
    assert _main(["rules", "--format", "json"]) == 0
    assert gc.isenabled() is host_enabled


@pytest.mark.parametrize("host_enabled", [True, False])
def test_the_command_line_pauses_the_collector_and_restores_it(gc_observed: tuple[Path, Path],
                                                              host_enabled: bool) -> None:
    config, log = gc_observed
    (gc.enable if host_enabled else gc.disable)()
    assert _main(["check", "pod.yaml", "--config", str(config), "--allow-local-plugins"]) == 0
    assert gc.isenabled() is host_enabled  # a collector the caller had disabled is not turned on
    (Path("pod.yaml")).write_text(pod("boom"))
    assert _main(["check", "pod.yaml", "--config", str(config), "--allow-local-plugins"]) == 130  # interrupted
    assert gc.isenabled() is host_enabled
    assert _collector_states(log) == ["False", "False"]


def test_python_m_guardlint_runs_the_console_script(gc_observed: tuple[Path, Path]) -> None:
    """``python -m guardlint`` and the ``guardlint`` console script (``guardlint.cli:entry``) are one code path:
    the same collector settings during the run, the same exit code and output."""
    config, log = gc_observed
    args = ["check", "pod.yaml", "--config", str(config), "--allow-local-plugins", "-f", "json"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    console_script = "import sys; from guardlint.cli import entry; sys.argv[0] = 'guardlint'; entry()"
    module = subprocess.run([sys.executable, "-m", "guardlint", *args], capture_output=True, text=True, env=env,
                            check=False)
    script = subprocess.run([sys.executable, "-c", console_script, *args], capture_output=True, text=True, env=env,
                            check=False)
    assert (module.returncode, module.stdout, module.stderr) == (script.returncode, script.stdout, script.stderr)
    first, second = (line.split("|", 3)[3] for line in log.read_text().splitlines())
    assert first == second == "False|(100000, 50, 100)"


PRIVILEGED = pod("web", privileged=True, host_network=True)


def test_lint_paths_takes_settings_resolved_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from guardlint.api import resolve_settings

    monkeypatch.chdir(tmp_path)
    write(tmp_path, "deploy/web.yaml", PRIVILEGED)
    write(tmp_path, "context/other.yaml", pod("other"))
    settings = resolve_settings(use_config_file=False, select=["privileged-container"])
    direct = guardlint.lint_paths(["deploy"], use_config_file=False, select=["privileged-container"],
                                  context=["context"])
    reused = guardlint.lint_paths(["deploy"], settings=settings, context=["context"])
    assert reused == direct and [f.rule for f in reused.active] == ["privileged-container"]
    assert guardlint.lint_paths([Path("deploy")], settings=settings) == guardlint.lint_paths(["deploy"],
                                                                                           settings=settings)


@pytest.mark.parametrize(("option", "value"), [
    ("config", "x.yaml"), ("use_config_file", False), ("select", ["all"]), ("extend_select", ["gpu"]),
    ("ignore", ["gpu"]), ("kubernetes_version", "1.30"), ("partial", True), ("allow_local_plugins", True),
])
def test_lint_paths_refuses_settings_with_an_option_that_makes_settings(option: str, value: object) -> None:
    from guardlint.api import resolve_settings

    settings = resolve_settings(use_config_file=False)
    with pytest.raises(TypeError, match=rf"^lint_paths\(\) takes either settings or {option}, not both: pass them "
                                        r"to resolve_settings\(\)$"):
        guardlint.lint_paths(["."], settings=settings, **{option: value})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"takes either settings or select, ignore, not both"):
        guardlint.lint_paths(["."], settings=settings, select=["all"], ignore=["gpu"])


@pytest.mark.parametrize(("option", "value"), [
    ("config", "x.yaml"), ("use_config_file", True), ("select", ["all"]), ("extend_select", ["gpu"]),
    ("ignore", ["gpu"]), ("kubernetes_version", "1.30"), ("partial", True), ("allow_local_plugins", True),
])
def test_lint_text_refuses_them_alike(option: str, value: object) -> None:
    from guardlint.api import resolve_settings

    settings = resolve_settings(use_config_file=False)
    with pytest.raises(TypeError, match=rf"^lint_text\(\) takes either settings or {option}, not both"):
        guardlint.lint_text(pod("a"), settings=settings, **{option: value})  # type: ignore[arg-type]


@needs_git
def test_lint_paths_with_settings_reads_the_base_configuration_with_the_same_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With ``diff_base``, the base version of the configuration is resolved with the options the settings were
    resolved with: a --select the settings apply is no configuration change ("turns off N rules")."""
    from guardlint.api import resolve_settings

    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, ".guardlint.yaml", "exemptions: []\n")
    write(root, "web.yaml", pod("web", privileged=True))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    write(root, "web.yaml", PRIVILEGED)
    monkeypatch.chdir(root)
    settings = resolve_settings(select=["privileged-container", "shared-host-namespace"])
    report = guardlint.lint_paths(["."], settings=settings, diff_base="main")
    direct = guardlint.lint_paths(["."], select=["privileged-container", "shared-host-namespace"], diff_base="main")
    assert report.diff is not None and (report.diff.new, report.diff.unchanged) == (1, 1)
    assert report == direct
    assert not [w for w in report.warnings if "turns off" in w], report.warnings


def _library_and_command_line(call: Callable[[], object], args: list[str]) -> tuple[str, str]:
    """The message a library call raises, and what the same mistake prints on the command line."""
    from guardlint.cli import main

    with pytest.raises(guardlint.GuardlintError) as raised:
        call()
    err = io.StringIO()
    assert main(args, out=io.StringIO(), err=err) == 2
    return str(raised.value), err.getvalue()


@pytest.mark.parametrize(("options", "flags", "library", "command_line"), [
    ({"select": ["securty", "{x}"], "ignore": ["gpuu"]}, ["--select", "securty,{x}", "--ignore", "gpuu"],
     ("select: 'securty' names no rule, code, code prefix, pack or tag; did you mean 'security'?; select: '{x}' "
      "names no rule, code, code prefix, pack or tag; ignore: 'gpuu'"),
     ("--select: 'securty' names no rule, code, code prefix, pack or tag; did you mean 'security'?; --select: "
      "'{x}' names no rule, code, code prefix, pack or tag; --ignore: 'gpuu'")),
    ({"kubernetes_version": "one.thirty"}, ["--kubernetes-version", "one.thirty"],
     "kubernetes_version: ", "guardlint: error: --kubernetes-version: "),
])
def test_usage_errors_name_the_option_as_the_caller_gave_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: dict[str, object], flags: list[str], library: str,
    command_line: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pod.yaml").write_text(pod("a"))
    said, printed = _library_and_command_line(
        lambda: guardlint.lint_paths(["pod.yaml"], use_config_file=False, **options),  # type: ignore[arg-type]
        ["check", "pod.yaml", "--no-config", *flags])
    assert said.startswith(library) and "--" not in said
    assert command_line in printed
    with pytest.raises(guardlint.UsageError) as same:
        guardlint.lint_text(pod("a"), **options)  # type: ignore[arg-type]
    assert str(same.value) == said


def test_a_file_size_limit_is_named_as_the_parameter() -> None:
    from guardlint.api import resolve_settings

    with pytest.raises(guardlint.UsageError, match=r"^max_file_size_mb: expected a number of megabytes above 0"):
        resolve_settings(use_config_file=False, max_file_size_mb=0)


def test_local_plugins_are_refused_in_the_callers_words(gc_observed: tuple[Path, Path]) -> None:
    config, _log = gc_observed
    said, printed = _library_and_command_line(
        lambda: guardlint.lint_paths(["pod.yaml"], config=config),
        ["check", "pod.yaml", "--config", str(config)])
    assert "pass allow_local_plugins=True to import them" in said and "--" not in said
    assert "GUARDLINT_ALLOW_LOCAL_PLUGINS" not in said  # the library does not read the environment variable
    assert "pass --allow-local-plugins (or set GUARDLINT_ALLOW_LOCAL_PLUGINS=1) to import them" in printed


@needs_git
def test_diff_base_errors_name_the_parameter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pod.yaml").write_text(pod("a"))
    said, printed = _library_and_command_line(lambda: guardlint.lint_paths(["pod.yaml"], diff_base="main"),
                                              ["check", "pod.yaml", "--diff-base", "main"])
    assert said.startswith("diff_base: ") and "is not inside a git working tree" in said
    assert "guardlint: error: --diff-base: " in printed
    git(tmp_path, "init", "-q", "-b", "main")
    write(tmp_path, "pod.yaml", pod("a"))
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "base")
    for ref, library, command_line in (
        ("-x", "diff_base '-x': not a git revision", "--diff-base '-x': not a git revision"),
        ("nope", "diff_base nope: no such commit in this clone", "--diff-base nope: no such commit in this clone"),
    ):
        said, printed = _library_and_command_line(lambda ref=ref: guardlint.lint_paths(["pod.yaml"], diff_base=ref),
                                                  ["check", "pod.yaml", f"--diff-base={ref}"])
        assert said.startswith(library) and "--" not in said.split(";")[0]
        assert f"guardlint: error: {command_line}" in printed
    with pytest.raises(guardlint.UsageError, match=r"^diff_base: \.\./x is outside the git repository"):
        guardlint.lint_paths(["../x"], diff_base="main")
