"""What a new user meets walking through the README and docs: each test failed before its fix."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

PRIVILEGED_POD = """apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
    - name: web
      image: nginx:1.27
      securityContext: {privileged: true}
"""


def test_fix_of_standard_input_reports_what_is_left_in_the_text_it_writes(tmp_path: Path) -> None:
    """README: ``--fix`` applies the fixes, "then report[s] what is left"; with standard input the fixed text
    goes to standard output and the report to standard error. The report (and the exit code) used to be the
    one of the text before the fixes: the fixed finding was listed and failed the run."""
    args = [sys.executable, "-m", "guardlint", "check", "-", "--no-config", "--select",
            "privileged-container,missing-liveness-probe", "--fix", "--unsafe-fixes"]
    proc = subprocess.run(args, input=PRIVILEGED_POD.encode(), capture_output=True, cwd=tmp_path, check=False)
    stderr = proc.stderr.decode()
    assert proc.stdout.decode() == PRIVILEGED_POD.replace("{privileged: true}", "{}")
    assert "-:8:25: fixed privileged-container" in stderr
    report = stderr.split("guardlint: applied 1 fix\n", 1)[1]
    assert "privileged-container" not in report and "missing-liveness-probe" in report  # what is left
    assert "Found 1 problem (1 info)" in report
    assert proc.returncode == 0  # the error was fixed: only an info is left
    # Nothing to fix (the fix is unsafe and --unsafe-fixes is not given): the report is the input's, exit 1.
    proc = subprocess.run(args[:-1], input=PRIVILEGED_POD.encode(), capture_output=True, cwd=tmp_path, check=False)
    assert proc.stdout.decode() == PRIVILEGED_POD
    assert "error privileged-container" in proc.stderr.decode() and proc.returncode == 1


def test_sarif_describes_each_input_error_as_its_documentation_does(tmp_path: Path) -> None:
    """The SARIF descriptor of every input error said "guardlint could not read or parse the file, so none of it
    was linted", which is false for a YAML syntax error (the file's other documents are linted, and reported in
    the same log) and for an incomplete object; ``incomplete-object`` had no title but its name."""
    import json

    from guardlint.cli import main
    from guardlint.input_errors import INPUT_ERRORS

    broken = tmp_path / "two.yaml"
    broken.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: x\n---\n" + PRIVILEGED_POD)
    incomplete = tmp_path / "half.yaml"
    incomplete.write_text("kind: ConfigMap\nmetadata: {name: c}\n")
    out, err = io.StringIO(), io.StringIO()
    code = main([str(broken), str(incomplete), "--no-config", "--select", "privileged-container", "--format",
                 "sarif"], out=out, err=err)
    assert code == 2, err.getvalue()
    run = json.loads(out.getvalue())["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert {r["ruleId"] for r in run["results"]} == {"GL001", "GL012", "SEC003"}  # the other document is linted
    for code_, kind in (("GL001", "yaml-syntax-error"), ("GL012", "incomplete-object")):
        doc = next(d for d in INPUT_ERRORS.values() if d.kind.code == code_)
        descriptor = rules[code_]
        assert descriptor["name"] == kind
        assert descriptor["shortDescription"]["text"] == doc.title
        assert "none of it was linted" not in json.dumps(descriptor)
        assert descriptor["helpUri"].endswith(f"/docs/rules/{kind}.md")
        assert "How to fix" in descriptor["help"]["markdown"] and "How to fix" in descriptor["help"]["text"]
    assert "other documents and every other file are still linted" in rules["GL001"]["fullDescription"]["text"]


def test_a_duplicate_key_in_a_configuration_is_a_located_problem(tmp_path: Path, monkeypatch: object) -> None:
    """YAML keeps the last of two equal keys, so a second ``rules:`` silently dropped the first one's settings
    and ``guardlint config validate`` said "valid"; in a policy a second ``locked:`` would drop locks."""
    import pytest

    from guardlint.api import resolve_settings
    from guardlint.cli import main
    from guardlint.errors import ConfigError

    config = tmp_path / ".guardlint.yaml"
    config.write_text("rules:\n  privileged-container: {severity: warning}\nfail-on: error\n"
                      "exemptions:\n  - {rules: [privileged-container], reason: CNI, kinds: [Pod], kinds: [Job]}\n"
                      "rules: {}\n")
    out, err = io.StringIO(), io.StringIO()
    assert main(["config", "validate", str(config)], out=out, err=err) == 2
    why = "YAML keeps only the last one and drops the other's settings; merge them into one"
    assert err.getvalue().splitlines()[1:] == [
        f"  {config}:5:64: at exemptions[0].kinds: duplicate key 'kinds' (first at line 5): {why}",
        f"  {config}:6:1: at rules: duplicate key 'rules' (first at line 1): {why}",
    ], err.getvalue()
    pod = tmp_path / "pod.yaml"
    pod.write_text(PRIVILEGED_POD)
    assert main(["check", str(pod), "--config", str(config)], out=io.StringIO(), err=io.StringIO()) == 2
    policy = tmp_path / "policy.yaml"
    policy.write_text("locked: [privileged-container]\nfail-on: error\nlocked: []\n")
    with pytest.raises(ConfigError) as raised:
        resolve_settings(use_config_file=False, policy=str(policy))
    assert [(p.line, p.column, p.path) for p in raised.value.problems] == [(3, 1, "locked")]
    config.write_text("rules:\n  privileged-container: {severity: warning}\n")  # without duplicates: valid
    assert main(["config", "validate", str(config)], out=io.StringIO(), err=io.StringIO()) == 0


def test_guardlint_docs_replaces_and_deletes_only_the_pages_it_writes(tmp_path: Path, monkeypatch: object) -> None:
    """``guardlint docs`` (listed by ``guardlint --help``) writes into ``docs/rules`` of the working directory and
    deleted every other ``*.md`` there: run in a repository that keeps its own notes in ``docs/rules/``, it
    removed them. Now only pages it wrote are replaced or deleted; a page name taken by another file is refused
    before anything is written."""
    import pytest

    from guardlint.cli import main

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "docs" / "rules"
    folder.mkdir(parents=True)
    notes = folder / "our-review-notes.md"
    notes.write_text("# Our review notes\n\nKeep me.\n")
    old = folder / "removed-rule.md"
    old.write_text("# removed-rule (ACME999)\n\nA page of a rule that no longer exists.\n")
    out, err = io.StringIO(), io.StringIO()
    assert main(["docs", "--check"], out=out, err=err) == 1
    assert "removed-rule.md (no such rule)" in err.getvalue() and "our-review-notes" not in err.getvalue()
    assert main(["docs"], out=out, err=err) == 0, err.getvalue()
    assert notes.read_text() == "# Our review notes\n\nKeep me.\n"
    assert not old.exists()
    assert (folder / "privileged-container.md").read_text().startswith("# privileged-container (SEC003)\n")
    assert main(["docs", "--check"], out=out, err=err) == 0  # the notes are not a stale page
    index = folder / "README.md"
    index.write_text("# Rules we follow\n")  # the user's own index: not overwritten
    page = folder / "privileged-container.md"
    page.write_text("stale text of a generated page is replaced\n# privileged-container (SEC003)\n")
    err = io.StringIO()
    assert main(["docs"], out=out, err=err) == 2
    assert "refusing to write over files that guardlint docs did not write: README.md, privileged-container.md" \
        in err.getvalue()
    assert index.read_text() == "# Rules we follow\n"
    assert main(["docs", "--out", str(tmp_path / "elsewhere")], out=out, err=io.StringIO()) == 0


DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      hostNetwork: true
      containers:
        - name: web
          image: docker.io/nginx:1.27
"""


def _doc_blocks(language: str) -> list[str]:
    import re

    text = (Path(__file__).parents[2] / "docs" / "writing-rules.md").read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


def test_the_documented_python_rule_works_as_a_local_plugin_with_parameters(tmp_path: Path) -> None:
    """docs/writing-rules.md's Python rule, saved as ``tools/guardlint_rules.py`` and named under ``plugins:``
    as the page says, failed with an internal error (exit 3, NameError: 'Annotated') as soon as the
    configuration set its parameters or ``guardlint explain`` showed it: the parameter annotations were resolved
    in ``sys.modules``, where a plugin loaded from its file is not."""
    from guardlint.cli import main

    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "guardlint_rules.py").write_text(_doc_blocks("python")[0])
    (tmp_path / "deploy.yaml").write_text(DEPLOYMENT)
    config = tmp_path / ".guardlint.yaml"
    config.write_text("plugins: [tools/guardlint_rules.py]\n")
    common = [str(tmp_path / "deploy.yaml"), "--config", str(config), "--allow-local-plugins", "--select", "acme",
              "--format", "concise"]
    out, err = io.StringIO(), io.StringIO()
    assert main(common, out=out, err=err) == 1, err.getvalue()
    assert "ACME001 [error] container 'web' uses 'docker.io/nginx:1.27'" in out.getvalue()
    config.write_text("plugins: [tools/guardlint_rules.py]\nrules:\n  untrusted-registry:\n"
                      "    params: {registries: [docker.io/]}\n")
    out, err = io.StringIO(), io.StringIO()
    assert main(common, out=out, err=err) == 0, err.getvalue()
    assert "ACME001" not in out.getvalue()
    config.write_text("plugins: [tools/guardlint_rules.py]\nrules:\n  untrusted-registry:\n"
                      "    params: {registries: []}\n")  # min_items=1 of the documented declaration
    err = io.StringIO()
    assert main(["config", "validate", str(config), "--allow-local-plugins"], out=io.StringIO(), err=err) == 2
    assert "rules.untrusted-registry.params.registries" in err.getvalue()
    config.write_text("plugins: [tools/guardlint_rules.py]\n")
    out = io.StringIO()
    assert main(["explain", "untrusted-registry", "--config", str(config), "--allow-local-plugins"], out=out,
                err=io.StringIO()) == 0
    assert "| `registries` | list of string |" in out.getvalue()


def test_explain_shows_the_rules_a_configuration_adds(tmp_path: Path) -> None:
    """``guardlint explain`` read no configuration, so a declarative rule from ``rule-dirs`` (the README's first
    way of writing rules) had no page: "no rule named ...". ``--config`` (and ``--policy``) add their rules, as
    for ``guardlint rules``."""
    from guardlint.cli import main

    (tmp_path / "acme-rules").mkdir()
    (tmp_path / "acme-rules" / "host.yaml").write_text(_doc_blocks("yaml")[0])
    config = tmp_path / ".guardlint.yaml"
    config.write_text("rule-dirs: [acme-rules]\n")
    err = io.StringIO()
    assert main(["explain", "ACME010"], out=io.StringIO(), err=err) == 2
    assert "no rule named 'ACME010'" in err.getvalue()
    for args in (["--config", str(config)], ["--policy", str(config)]):
        out, err = io.StringIO(), io.StringIO()
        assert main(["explain", "host-network-outside-system", *args], out=out, err=err) == 0, err.getvalue()
        assert out.getvalue().startswith("# host-network-outside-system (ACME010)\n")
    config.write_text("plugins: [tools/rules.py]\n")  # explaining must not import a local plugin either
    err = io.StringIO()
    assert main(["explain", "privileged-container", "--config", str(config)], out=io.StringIO(), err=err) == 2
    assert "--allow-local-plugins" in err.getvalue()


def test_quiet_fix_prints_nothing_and_still_fixes(tmp_path: Path) -> None:
    """``--quiet``: "print nothing; only the exit code tells". With ``--fix`` each fixed (and not fixed) finding
    was still printed on standard error, while ``--diff --quiet`` printed none of them."""
    from guardlint.cli import main

    pod = tmp_path / "pod.yaml"
    pod.write_text(PRIVILEGED_POD)
    linked = tmp_path / "linked.yaml"
    linked.write_text(PRIVILEGED_POD)
    os.link(linked, tmp_path / "other-name.yaml")  # refused: "not fixed" would be printed
    out, err = io.StringIO(), io.StringIO()
    args = [str(pod), str(linked), "--no-config", "--select", "privileged-container", "--fix", "--unsafe-fixes"]
    assert main([*args, "--quiet"], out=out, err=err) == 1  # linked.yaml is left with its error
    assert (out.getvalue(), err.getvalue()) == ("", "")
    assert pod.read_text() == PRIVILEGED_POD.replace("{privileged: true}", "{}")
    assert linked.read_text() == PRIVILEGED_POD
    pod.write_text(PRIVILEGED_POD)
    err = io.StringIO()
    assert main(args, out=io.StringIO(), err=err) == 1  # without --quiet each outcome is said
    assert "pod.yaml:8:25: fixed privileged-container" in err.getvalue()
    assert "linked.yaml: not fixed: it has 2 hard links" in err.getvalue()
    proc = subprocess.run([sys.executable, "-m", "guardlint", "check", "-", "--no-config", "--select",
                           "privileged-container", "--fix", "--unsafe-fixes", "--quiet"],
                          input=PRIVILEGED_POD.encode(), capture_output=True, cwd=tmp_path, check=False)
    assert (proc.returncode, proc.stderr) == (0, b"")  # standard input: the fixed text is the output
    assert proc.stdout.decode() == PRIVILEGED_POD.replace("{privileged: true}", "{}")


def test_quiet_still_writes_the_report_named_with_output(tmp_path: Path) -> None:
    """``-q -f sarif -o guardlint.sarif`` wrote no file at all (only ``--output-file`` survived ``--quiet``), so a
    CI job that keeps its log clean with ``-q`` had no SARIF to upload. ``--quiet`` prints nothing; a report asked
    for as a file is written, and checked like one (never over an input)."""
    import json

    from guardlint.cli import main

    pod = tmp_path / "pod.yaml"
    pod.write_text(PRIVILEGED_POD)
    target = tmp_path / "guardlint.sarif"
    out, err = io.StringIO(), io.StringIO()
    args = [str(pod), "--no-config", "--select", "privileged-container", "--quiet"]
    assert main([*args, "--format", "sarif", "--output", str(target)], out=out, err=err) == 1
    assert (out.getvalue(), err.getvalue()) == ("", "")
    assert [r["ruleId"] for r in json.loads(target.read_text())["runs"][0]["results"]] == ["SEC003"]
    err = io.StringIO()
    assert main([*args, "--output", str(pod)], out=io.StringIO(), err=err) == 2
    assert "refusing to write the report over" in err.getvalue() and pod.read_text() == PRIVILEGED_POD
    err = io.StringIO()
    assert main([*args, "-o", str(target), "--output-file", f"json:{target}"], out=io.StringIO(), err=err) == 2
    assert "already the target of another report" in err.getvalue()


def test_a_context_path_that_does_not_exist_is_an_input_error(tmp_path: Path, monkeypatch: object) -> None:
    """``path-not-found`` (GL009) documents "a path given on the command line (or as ``--context``) does not
    exist"; a misspelt ``--context`` folder was silently ignored, so a pre-commit hook's references went
    unjudged without a word."""
    import pytest

    from guardlint.cli import main

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  containers:\n"
        "    - {name: web, image: 'nginx:1.27', envFrom: [{secretRef: {name: nosuch}}]}\n")
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "secret.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: other, namespace: shop}\n")
    args = ["app/pod.yaml", "--partial", "--no-config", "--select", "missing-secret", "--format", "concise"]
    out = io.StringIO()
    assert main([*args, "--context", "deploy"], out=out, err=io.StringIO()) == 0
    assert "RES069" in out.getvalue()  # judged: the context holds namespace shop
    out = io.StringIO()
    assert main([*args, "--context", "deplyo"], out=out, err=io.StringIO()) == 2
    assert "deplyo:1:1: GL009 [error] no such file or directory" in out.getvalue()
    out = io.StringIO()
    assert main([*args, "--context", "deplyo", "--allow-input-errors"], out=out, err=io.StringIO()) == 0


def test_show_files_names_the_overlay_a_kustomize_base_is_built_through(tmp_path: Path, monkeypatch: object) -> None:
    """``--show-files`` said every file of a base was "built with the kustomize folder base", while the run
    builds a base only through the overlays that use it (README: "Bases are linted through their overlays")."""
    import pytest

    from guardlint.cli import main

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    for folder, files in {
        "base": {"kustomization.yaml": "resources: [deployment.yaml]\n", "deployment.yaml": PRIVILEGED_POD},
        "prod": {"kustomization.yaml": "resources: [../base]\npatches: [{path: patch.yaml}]\n",
                 "patch.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\n"},
        "staging": {"kustomization.yaml": "resources: [../base]\n"},
        "alone": {"kustomization.yaml": "resources: [cm.yaml]\n", "cm.yaml": "apiVersion: v1\nkind: ConfigMap\n"},
    }.items():
        (tmp_path / folder).mkdir()
        for name, text in files.items():
            (tmp_path / folder / name).write_text(text)

    def show(*args: str) -> list[str]:
        out = io.StringIO()
        assert main(["check", *args, "--no-config", "--show-files"], out=out, err=io.StringIO()) == 0
        return out.getvalue().splitlines()

    lines = show(".")
    assert "lint  base/deployment.yaml  (in the kustomize folder base, built through the overlays prod, staging)" \
        in lines, lines
    assert "lint  prod/patch.yaml  (built with the kustomize folder prod)" in lines
    assert "lint  alone/cm.yaml  (built with the kustomize folder alone)" in lines
    # Named one by one, as pre-commit does: the overlays of the repository that use the base.
    assert show("base/deployment.yaml") == [
        "lint  base/deployment.yaml  (in the kustomize folder base, built through the overlays prod, staging)",
        "1 file to lint, 0 passed over."]
    assert show("base") == ["lint  base/deployment.yaml  (built with the kustomize folder base)",
                            "lint  base/kustomization.yaml  (built with the kustomize folder base)",
                            "2 files to lint, 0 passed over."]  # alone, the base is built by itself
    assert "lint  base/deployment.yaml  (in the kustomize folder base, linted as it is (not built))" \
        in show(".", "--no-render")


def test_an_empty_select_is_a_usage_error_not_a_run_without_rules(tmp_path: Path) -> None:
    """``--select "$RULES"`` with RULES unset or empty selected no rule at all: "No problems found", exit 0, on
    a privileged pod. The README's table has no empty entry; nothing would be checked, so it is a usage error."""
    from guardlint.cli import main

    pod = tmp_path / "pod.yaml"
    pod.write_text(PRIVILEGED_POD)
    for empty in ("", ",", " , "):
        out, err = io.StringIO(), io.StringIO()
        assert main([str(pod), "--no-config", "--select", empty], out=out, err=err) == 2, out.getvalue()
        assert "--select names no rule, so nothing would be checked" in err.getvalue()
    out = io.StringIO()
    assert main([str(pod), "--no-config", "--select", "SEC003,", "--ignore", ""], out=out, err=io.StringIO()) == 1
    assert "privileged-container" in out.getvalue()  # empty items next to real ones, an empty --ignore: as before


def test_write_baseline_exit_code_is_the_documented_one(tmp_path: Path) -> None:
    """The README now says what ``--write-baseline`` exits with (the exit-code table did not): 0 once written,
    whatever the findings; 2 when an input could not be read, whose findings the baseline cannot hold."""
    from guardlint.cli import main

    pod = tmp_path / "pod.yaml"
    pod.write_text(PRIVILEGED_POD)
    baseline = tmp_path / "baseline.json"
    args = [str(pod), "--no-config", "--select", "privileged-container", "--write-baseline", str(baseline)]
    assert main(args, out=io.StringIO(), err=io.StringIO()) == 0
    assert baseline.exists()
    broken = tmp_path / "broken.yaml"
    broken.write_text("a: [\n")
    assert main([*args, str(broken)], out=io.StringIO(), err=io.StringIO()) == 2
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert "and exits 0 whatever the findings (2 when an input could not be\nread or parsed" in readme


def test_a_misspelt_command_gets_a_hint_in_its_path_not_found_error(tmp_path: Path, monkeypatch: object) -> None:
    """``check`` is the default command, so ``guardlint explian privileged-container`` lints two paths that do
    not exist and said only "no such file or directory" for each."""
    import pytest

    from guardlint.cli import main

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    assert main(["explian", "privileged-container"], out=out, err=io.StringIO()) == 2
    assert out.getvalue().splitlines()[:3] == [
        "explian:1:1: error path-not-found no such file or directory",
        ("    help: did you mean the command 'explain'? ('guardlint explain --help'; a first word that is not a "
         "command is a path to check)"),
        "privileged-container:1:1: error path-not-found no such file or directory",  # no hint: not the first
    ]
    out = io.StringIO()
    assert main(["deploy.yaml", "--format", "json"], out=out, err=io.StringIO()) == 2
    assert '"hint": ""' in out.getvalue()  # a path unlike any command: no hint


def test_a_missing_path_given_also_as_context_is_reported_once(tmp_path: Path, monkeypatch: object) -> None:
    """The context's discovery errors join the run's (``--context`` that does not exist is GL009), but an error
    the linted paths already reported is not repeated: one missing file is one input error, not two."""
    import pytest

    from guardlint.cli import main

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: [{name: web, image: 'nginx:1.27'}]\n")
    out = io.StringIO()
    code = main(["pod.yaml", "gone.yaml", "--context", "gone.yaml", "--context", "gone2.yaml", "--no-config",
                 "--fail-on", "never", "--format", "concise"], out=out, err=io.StringIO())
    assert code == 2
    text = out.getvalue()
    assert text.count("gone.yaml:1:1: GL009") == 1
    assert text.count("gone2.yaml:1:1: GL009") == 1
    assert "2 inputs could not be read" in text
