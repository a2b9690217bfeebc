"""SARIF describes built-in rules that did not run from the catalog (``_catalog.json`` and ``_catalog_docs.json``)
without importing their modules, and the descriptors are the ones the imported rules give."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from guardlint.report.sarif import _Describe, _descriptor
from guardlint.rules.catalog import DECLARATIVE, lazy_builtin_rules, read_catalog, read_docs
from guardlint.rules.packs import builtin_rules

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: app
      image: nginx:1.27
      securityContext:
        privileged: true
"""


def test_every_builtin_rule_module_has_its_documentation_in_the_docs_file() -> None:
    records = read_catalog()
    assert records is not None
    python_rules = {rec["code"]: rec["name"] for rec in records if rec["module"] != DECLARATIVE}
    docs = read_docs()
    assert {code: entry["name"] for code, entry in docs.items()} == python_rules
    assert len(python_rules) > 100  # the fast path covers the rule modules, not a handful of them


def test_catalog_descriptor_equals_the_imported_rules_descriptor() -> None:
    """For every built-in rule the docs file names, the descriptor made from the catalog (nothing imported) is
    the descriptor made from the loaded rule's full metadata: the shortcut is exact."""
    lazy = {r.code: r for r in lazy_builtin_rules() or ()}
    loaded = {r.code: r for r in builtin_rules()}
    assert lazy.keys() == loaded.keys()
    describe = _Describe()
    compared = 0
    for code, rule in lazy.items():
        meta = loaded[code].meta
        from_catalog = describe(rule)
        assert from_catalog == _descriptor(meta, meta.doc), code
        if code in read_docs():
            assert not rule.loaded, code  # described without importing its module
            compared += 1
        else:  # a shipped declarative rule: made from its catalog entry (its metadata names its file)
            assert rule.loaded, code
    assert compared > 100


def test_a_rule_the_docs_file_does_not_name_is_described_from_its_own_metadata() -> None:
    rule = next(r for r in lazy_builtin_rules() or () if r.code in read_docs())
    describe = _Describe()
    assert describe.catalog_doc(rule.info._replace(name="other-name")) is None
    assert describe.catalog_doc(rule.info._replace(code="ZZ999")) is None
    assert describe.catalog_doc(rule.info) == rule.meta.doc


def _rule_modules_after(args: list[str], cwd: Path) -> set[str]:
    """The rule modules (``guardlint.rules.<pack>.<rule>``) imported by a ``guardlint`` run in a fresh process."""
    code = (
        "import io, json, sys\n"
        "from guardlint.cli import main\n"
        "main(sys.argv[1:], out=io.StringIO(), err=io.StringIO())\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=cwd,
                          check=True)
    modules: list[str] = json.loads(done.stdout)
    packs = ("guardlint.rules.core.", "guardlint.rules.security.", "guardlint.rules.resources.",
             "guardlint.rules.gpu.", "guardlint.rules.schema.")
    return {m for m in modules if m.startswith(packs)}


def test_sarif_imports_no_rule_module_a_plain_check_does_not(tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text(POD)
    base = ["check", "pod.yaml", "--no-config", "--fail-on", "never"]
    plain = _rule_modules_after(base, tmp_path)
    sarif = _rule_modules_after([*base, "--format", "sarif"], tmp_path)
    assert plain  # the rules that judge a pod were imported: the count is of something
    assert sarif - plain == set()
    everything = _rule_modules_after([*base, "--format", "sarif", "--select", "all"], tmp_path)
    assert everything - _rule_modules_after([*base, "--select", "all"], tmp_path) == set()

