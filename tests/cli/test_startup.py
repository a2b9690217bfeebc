"""What one small file's check does at start-up, counted (never timed): the modules it imports, how often it
measures the terminal, and that the command line parses as before when only the subcommand's options exist."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from guardlint import cli

MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: ghcr.io/example/web:2.8.1
          resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 64Mi}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80}]
"""

CONFIG = "extends: default\nfail-on: warning\nignore: [missing-liveness-probe]\n"

NEVER = (
    # heavy third-party or standard modules a plain check must not pay for
    "jsonschema", "ruamel", "importlib.metadata", "pathlib", "logging", "inspect", "tempfile", "difflib",
    "dataclasses", "subprocess", "email", "zipfile", "urllib", "hashlib", "csv", "textwrap", "shutil", "bz2", "lzma",
    "copy", "argparse", "gettext",  # a plain check line is read without building the parser
    "typing",  # guardlint imports typing's names for type checkers only (tests/unit/test_runtime_typing.py)
    "contextlib",  # cli's two context managers are classes
    "importlib", "warnings",  # rule modules are imported with __import__ (rules/catalog.py)
    "fractions", "decimal", "numbers",  # quantities are whole nano-units (model/quantity.Amount)
    # guardlint modules for other commands, options or formats
    "guardlint.report.sarif", "guardlint.report.junit", "guardlint.report.github", "guardlint.report.gitlab",
    "guardlint.fix", "guardlint.fix_values", "guardlint.baseline", "guardlint.diffbase", "guardlint.docs",
    "guardlint.render.run", "guardlint.render.helm", "guardlint.render.kustomize", "guardlint.rules.packs",
    "guardlint.input_errors", "guardlint.plugin",
    "guardlint.source.directives",  # only a document whose text names guardlint can hold a suppression comment
    "guardlint.model.embedded",  # structural pod detection: only for kinds outside Kubernetes' own groups
)


def _modules_after(tmp_path: Path, *argv: str) -> set[str]:
    code = (
        "import json, sys, io\n"
        "from guardlint.cli import main\n"
        f"code = main({list(argv)!r}, out=io.StringIO(), err=io.StringIO())\n"
        "print(json.dumps([code, sorted(sys.modules)]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    code_and_modules: list[Any] = json.loads(done.stdout)
    assert code_and_modules[0] in (0, 1)
    return set(code_and_modules[1])


def _under(modules: set[str], name: str) -> set[str]:
    return {m for m in modules if m == name or m.startswith(name + ".")}


@pytest.mark.parametrize("configured", [False, True])
def test_one_small_file_imports_only_what_it_uses(tmp_path: Path, configured: bool) -> None:
    (tmp_path / "m.yaml").write_text(MANIFEST, encoding="utf-8")
    if configured:
        (tmp_path / ".guardlint.yaml").write_text(CONFIG, encoding="utf-8")
    modules = _modules_after(tmp_path, "check", "m.yaml", *([] if configured else ["--no-config"]))
    for name in NEVER:
        if configured and name in ("pathlib", "urllib", "warnings"):
            continue  # the configuration loader works with pathlib (which imports urllib.parse and warnings)
        assert not _under(modules, name), f"{name} imported by a plain check of one file"
    assert "guardlint.report.text" in modules
    assert "guardlint.report.json" not in modules
    assert ("guardlint.config.loader" in modules) is configured
    # rule modules: only those of rules that run on a Deployment or a Service (no DaemonSet-only, Ingress-only ...)
    assert "guardlint.rules.resources.missing_cpu_request" in modules
    assert not _under(modules, "guardlint.rules.core.rule_error")


def test_the_json_format_imports_its_reporter_and_no_other(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(MANIFEST, encoding="utf-8")
    modules = _modules_after(tmp_path, "check", "m.yaml", "--no-config", "--format", "json")
    assert "guardlint.report.json" in modules
    for name in ("guardlint.report.sarif", "guardlint.report.junit", "jsonschema", "hashlib"):
        assert not _under(modules, name)


def test_the_terminal_is_measured_once_per_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """argparse measures the terminal for every option it declares unless the formatter has a width."""
    import os

    (tmp_path / "m.yaml").write_text(MANIFEST, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COLUMNS", raising=False)
    calls = 0

    def measure(fd: int) -> os.terminal_size:
        nonlocal calls
        calls += 1
        return os.terminal_size((100, 40))

    monkeypatch.setattr(os, "get_terminal_size", measure)
    assert cli.main(["check", "m.yaml", "--no-config", "--fail-on=never"], out=io.StringIO(),
                    err=io.StringIO()) == 0  # "=": a line for the parser
    assert calls == 1
    calls = 0
    assert cli.main(["check", "m.yaml", "--no-config", "--fail-on", "never"], out=io.StringIO(),
                    err=io.StringIO()) == 0  # a plain line, read without the parser (and its terminal width)
    assert calls == 0


@pytest.mark.parametrize("columns", [None, "", "0", "-3", "abc", "57", "200"])
@pytest.mark.parametrize("terminal", [None, 0, 91])
def test_the_width_is_what_shutil_gives(columns: str | None, terminal: int | None,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import shutil

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)

    def measure(fd: int) -> os.terminal_size:
        if terminal is None:
            raise OSError("not a terminal")
        return os.terminal_size((terminal, 30))

    monkeypatch.setattr(os, "get_terminal_size", measure)
    assert cli._terminal_columns() == shutil.get_terminal_size().columns


ARGVS = [
    ["check", "a.yaml", "--no-config", "--format", "json", "-o", "r.json", "--select", "SEC,RES", "--partial"],
    ["check", "--config", "c.yaml", "--policy", "p.yaml", "--fail-on", "warning", "x", "--", "-y"],
    ["rules", "--format", "json", "--config", "c.yaml"],
    ["explain", "privileged-container"],
    ["docs", "--check", "--out", "d"],
    ["config", "validate", "a.yaml", "b.yaml", "--allow-local-plugins"],
    ["config", "schema"],
    ["config"],
]


@pytest.mark.parametrize("argv", ARGVS)
def test_the_subcommand_parser_alone_parses_as_the_full_one(argv: list[str]) -> None:
    full = cli._parse_intermixed(cli._parser(), list(argv))
    alone = cli._parse_intermixed(cli._parser(argv[0]), list(argv))
    assert vars(alone) == vars(full)


@pytest.mark.parametrize("argv", [["--help"], ["check", "--help"], ["rules", "--help"], ["config", "--help"],
                                  ["config", "validate", "--help"], ["explain", "--help"], ["check", "--nope"]])
def test_help_and_usage_errors_read_as_with_every_option_declared(argv: list[str],
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    outputs = []
    for parser in (cli._parser(), cli._parser(argv[0] if argv[0] in cli.SUBCOMMANDS else None)):
        with pytest.raises(SystemExit):
            parser.parse_args(argv)
        outputs.append(capsys.readouterr())
    assert outputs[0] == outputs[1]
    assert outputs[0].out or outputs[0].err


def test_a_plain_check_dedents_no_rule_documentation(tmp_path: Path) -> None:
    """``@rule`` leaves a docstring as it is until ``Rule.meta`` is read (docs, explain, SARIF, the JSON
    rationale): a text check of one file reads none, so none is dedented."""
    (tmp_path / "m.yaml").write_text(MANIFEST, encoding="utf-8")
    code = (
        "import io, sys\n"
        "import guardlint.rules.api as api\n"
        "calls = []\n"
        "dedent = api._dedent_doc\n"
        "api._dedent_doc = lambda doc: calls.append(doc) or dedent(doc)\n"
        "from guardlint.cli import main\n"
        "main(['check', 'm.yaml', '--no-config'], out=io.StringIO(), err=io.StringIO())\n"
        "before = len(calls)\n"
        "loaded = [m for m in sys.modules if m.startswith('guardlint.rules.security.')]\n"
        "from guardlint.api import make_registry\n"
        "doc = make_registry().get('privileged-container').meta.doc\n"
        "print(before, len(loaded), doc.startswith('## What it does'), len(calls))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    before, loaded, dedented, after = done.stdout.split()
    assert before == "0" and int(loaded) >= 3  # security rules ran (4 modules since the probe and port gates)
    assert dedented == "True" and after == "1"


def test_lazily_dedented_documentation_is_what_the_decorator_gave() -> None:
    from guardlint.rules.api import _dedent_doc
    from guardlint.rules.packs import builtin_rules

    for r in builtin_rules():
        raw = r._doc
        meta = r.meta
        if raw is not None:
            assert meta.doc == _dedent_doc(raw)
        assert r._doc is None and r.meta is meta


COUNTING = """\
import io, json, re, sys
try:
    from re import _compiler as compiler
except ImportError:  # Python 3.10
    import sre_compile as compiler
compiled = []
real = compiler.compile


def counting(pattern, flags=0):
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.endswith(
            ("re/__init__.py", "re.py", "_lazyre.py", "sre_compile.py")):
        frame = frame.f_back
    where = frame.f_code.co_filename if frame is not None else "?"
    compiled.append([where.replace("\\\\", "/").rsplit("/guardlint/", 1)[-1] if "/guardlint/" in where else "",
                     str(pattern)])
    return real(pattern, flags)


compiler.compile = counting
before = set(sys.modules)
from guardlint.cli import main
code = main(ARGV, out=io.StringIO(), err=io.StringIO())
print(json.dumps([code, sorted(set(sys.modules) - before), compiled]))
"""

MAX_MODULES = 207
"""What a plain check of a Deployment and a Service imports, counted from ``from guardlint.cli import main``
on (``re`` already loaded, as the console script has it): 205 in December 2026 (95 of them rule modules,
26 PyYAML's; 210 before ``heapq``, ``fnmatch`` and argparse's ``locale`` were left out, 207 before argparse and
gettext were). Import on first use, and check the count with ``scripts/startup_profile.py`` before raising
this."""

MAX_GUARDLINT_PATTERNS = 8
"""Regular expressions guardlint's own code compiles for that check: 5 in December 2026, against 28 when
every module compiled its patterns at import (``guardlint._lazyre``)."""


def _counted(tmp_path: Path, *argv: str) -> tuple[int, list[str], list[tuple[str, str]]]:
    done = subprocess.run([sys.executable, "-c", COUNTING.replace("ARGV", repr(list(argv)))], capture_output=True,
                          text=True, check=True, cwd=tmp_path)
    code, modules, compiled = json.loads(done.stdout)
    return code, modules, [(where, pattern) for where, pattern in compiled]


def test_a_small_file_check_compiles_few_patterns_and_imports_few_modules(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(MANIFEST, encoding="utf-8")
    code, modules, compiled = _counted(tmp_path, "check", "m.yaml", "--no-config")
    assert code in (0, 1)
    ours = [(where, pattern) for where, pattern in compiled if where]
    assert len(ours) <= MAX_GUARDLINT_PATTERNS, ours
    files = {where for where, _ in ours}
    for lazy_module in ("source/directives.py", "source/loader.py", "_printable.py", "rules/api.py", "suppress.py",
                        "model/quantity.py", "model/ports.py", "rules/registry.py"):
        assert lazy_module not in files, f"{lazy_module} compiled a pattern that a plain check does not use"
    assert len(modules) <= MAX_MODULES, f"{len(modules)} modules imported"
    assert sum(m.startswith("guardlint.rules.") and m.count(".") >= 3 for m in modules) >= 30  # rules still run (36)


def test_a_comment_directive_still_compiles_the_directive_patterns(tmp_path: Path) -> None:
    """The patterns compiled on first use are compiled, and work, when the input needs them."""
    (tmp_path / "m.yaml").write_text(MANIFEST.replace(
        "kind: Service\n", "kind: Service  # guardlint: ignore-document missing-network-policy -- test\n"),
        encoding="utf-8")
    code, _modules, compiled = _counted(tmp_path, "check", "m.yaml", "--no-config", "--format", "json")
    assert code in (0, 1)
    assert "source/directives.py" in {where for where, _ in compiled}


def test_the_check_parser_declares_no_other_subcommand() -> None:
    choices = next(a.choices for a in cli._parser("check")._actions if a.dest == "command")
    assert list(choices or ()) == ["check"]
    full = next(a.choices for a in cli._parser()._actions if a.dest == "command")
    assert list(full or ()) == list(cli.SUBCOMMANDS)


def _by_argparse(argv: list[str]) -> dict[str, Any] | None:
    try:
        return vars(cli._parse_intermixed(cli._parser("check"), list(argv)))
    except SystemExit:
        return None


PLAIN_LINES = [
    ["check"],
    ["check", "m.yaml", "--no-config"],
    ["check", "--partial", "--allow-no-objects", "--no-config", "--fail-on", "never", "a.yaml", "b.yml", "c.json"],
    ["check", "a", "--format", "json", "b", "-o", "r.json", "--select", "SEC", "--select", "RES,GPU", "c"],
    ["check", "-f", "sarif", "--output-format", "junit", "--color", "never", "-v", "-q", "-j", "2", "-"],
    ["check", "--output-file", "sarif:x.sarif", "--output-file", "json:y", "--context", "ctx", "--ignore", "x"],
    ["check", "--config", "c.yaml", "--policy", "p.yaml", "--allow-local-plugins", "--kubernetes-version", "1.30",
     "--baseline", "b", "--write-baseline", "w", "--diff-base", "main", "--fix", "--unsafe-fixes", "--diff",
     "--no-render", "--allow-input-errors", "--max-file-size", "3", "--stdin-filename", "s.yaml",
     "--show-suppressed", "--profile-rules", "--show-files", "--show-settings", "--statistics",
     "--extend-select", "all", "--jobs", "auto", "check", ""],
    ["check", "--config", "", "a=b.yaml", "--format", "text", "--format", "concise"],
]

NOT_PLAIN = [
    ["check", "--format=json", "a"], ["check", "-fjson"], ["check", "-vq"], ["check", "--no-conf"],
    ["check", "--", "-x.yaml"], ["check", "-h"], ["check", "--help"], ["check", "--nope"], ["check", "--format"],
    ["check", "--format", "yaml"], ["check", "-o", "-"], ["check", "--max-file-size", "-1"],
    ["check", "--select", "--no-config"], ["check", "-x y"], ["rules"], ["explain", "x"], ["check", "--version"],
]


@pytest.mark.parametrize("argv", PLAIN_LINES)
def test_a_plain_check_line_reads_as_argparse_reads_it(argv: list[str]) -> None:
    fast = cli._plain_check(argv)
    assert fast is not None
    assert vars(fast) == _by_argparse(argv)


@pytest.mark.parametrize("argv", NOT_PLAIN)
def test_other_lines_go_to_argparse(argv: list[str]) -> None:
    assert cli._plain_check(argv) is None


def test_generated_lines_read_as_argparse_reads_them() -> None:
    """Lines drawn from the options, their abbreviations and spellings with ``=``, values, paths and odd
    tokens: whatever ``_plain_check`` reads, argparse reads the same (and accepts)."""
    import random

    words: list[str] = ["a.yaml", "b", "-", "--", "", "x=y", "-x", "--no-conf", "--format=json", "-fjson", "-vq",
                        "json", "never", "auto", "2", "-1", "RES", "--select", "check"]
    for flags, spec in cli._CHECK_OPTIONS:
        words.extend(flags)
        words.extend(spec.get("choices") or ())
    chooser = random.Random(14)
    plain = 0
    for _ in range(3000):
        argv = ["check", *(chooser.choice(words) for _ in range(chooser.randint(0, 7)))]
        fast = cli._plain_check(argv)
        if fast is not None:
            plain += 1
            assert vars(fast) == _by_argparse(argv), argv
    assert plain > 300  # the comparison covers many lines, not only refusals


def test_the_fast_reading_knows_every_check_option() -> None:
    """Every option of the ``check`` parser is in ``_CHECK_OPTIONS`` with an action ``_plain_check`` reads."""
    parser = cli._parser("check")
    check = next(a for a in parser._actions if a.dest == "command").choices["check"]  # type: ignore[index]
    declared = {s for a in check._actions for s in a.option_strings} - {"-h", "--help"}
    assert declared == {f for flags, _spec in cli._CHECK_OPTIONS for f in flags}
    for _flags, spec in cli._CHECK_OPTIONS:
        assert spec.get("action", "store") in ("store", "store_true", "append")
        assert set(spec) <= {"action", "metavar", "help", "choices", "dest", "default"}


def test_importing_the_package_or_the_console_script_imports_no_guardlint_module_yet() -> None:
    """``import guardlint`` and the console script's ``from guardlint.cli import entry`` import guardlint's
    modules only when used, so that ``entry`` relaxes the garbage collector before the bulk of the imports."""
    code = (
        "import json, sys\n"
        "import guardlint\n"
        "package = sorted(m for m in sys.modules if m.startswith('guardlint'))\n"
        "from guardlint.cli import entry\n"
        "script = sorted(m for m in sys.modules if m.startswith('guardlint'))\n"
        "print(json.dumps([package, script, 'yaml' in sys.modules]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    package, script, yaml_loaded = json.loads(done.stdout)
    assert package == ["guardlint", "guardlint._version"]
    assert script == ["guardlint", "guardlint._version", "guardlint.cli"]
    assert not yaml_loaded


def test_the_public_names_are_those_of_their_modules() -> None:
    import importlib

    import guardlint

    exported = guardlint._EXPORTED_FROM  # type: ignore[attr-defined]
    assert set(guardlint.__all__) == {*exported, "__version__"}
    for name, module in exported.items():
        assert getattr(guardlint, name) is getattr(importlib.import_module(module), name), name
    namespace: dict[str, Any] = {}
    exec("from guardlint import *", namespace)
    assert set(guardlint.__all__) <= set(namespace)
    assert set(guardlint.__all__) <= set(dir(guardlint))
    assert guardlint.api.lint_text is guardlint.lint_text  # a submodule read as an attribute still works
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        guardlint.no_such_name  # type: ignore[attr-defined]  # noqa: B018


def test_an_unknown_field_with_no_close_name_does_not_import_difflib(tmp_path: Path) -> None:
    """``unknown-field`` reports the field either way; difflib comes in only when a known field may be close
    (``guardlint._similar``)."""
    far = MANIFEST.replace("      containers:", "      podGroupTemplateRef: {name: g}\n      containers:")
    near = MANIFEST.replace("      containers:", "      hostNetwrk: true\n      containers:")
    for text, suggested in ((far, False), (near, True)):
        (tmp_path / "m.yaml").write_text(text, encoding="utf-8")
        code = (
            "import io, sys\n"
            "from guardlint.cli import main\n"
            "out = io.StringIO()\n"
            "main(['check', 'm.yaml', '--no-config', '--select', 'unknown-field'], out=out, err=io.StringIO())\n"
            "print('difflib' in sys.modules, 'did you mean' in out.getvalue(), 'unknown-field' in out.getvalue())\n"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
        assert done.stdout.split() == [str(suggested), str(suggested), "True"]
