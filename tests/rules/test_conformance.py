"""Registry-wide checks that every rule is complete: metadata, docs, examples, fixtures, schema, purity."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from guardlint.docs import stale_docs
from guardlint.rules.api import Rule, RuleInfo, param_names
from guardlint.rules.packs import BUILTIN_PACKS
from guardlint.rules.params import ParamsSchema
from guardlint.schema import check_schema
from tests.helpers import FIXTURES, ROOT, iter_fixtures, registry, run_fixture, settings_for

RULES = registry().rules
IDS = [r.name for r in RULES]
PACK_PREFIX = {p.name: p.prefix for p in BUILTIN_PACKS}
# Rules whose findings cannot come from a manifest: they report guardlint's own failures.
NO_FAIL_FIXTURE = {"rule-error"}
REQUIRED_SECTIONS = ("## What it does", "## Why is this bad?")
EXAMPLE_SECTIONS = ("## Example", "## Use instead")


def _yaml_block(doc: str, heading: str) -> str | None:
    start = doc.find(heading)
    if start < 0:
        return None
    m = re.search(r"```ya?ml\n(.*?)```", doc[start:], re.S)
    return m.group(1) if m else None


@pytest.mark.parametrize("r", RULES, ids=IDS)
def test_code_matches_pack(r: Rule[Any]) -> None:
    prefix = PACK_PREFIX.get(r.meta.pack)
    if prefix is not None:
        assert r.code.startswith(prefix), f"{r.code} is in pack {r.meta.pack!r} whose prefix is {prefix}"


@pytest.mark.parametrize("r", RULES, ids=IDS)
def test_module_named_after_rule(r: Rule[Any]) -> None:
    if "declarative" in r.meta.tags or r.meta.engine:
        return
    module = r.check.__module__.rsplit(".", 1)[-1]
    assert module == r.name.replace("-", "_"), f"rule {r.name} lives in module {module}"


@pytest.mark.parametrize("r", RULES, ids=IDS)
def test_docs_have_sections(r: Rule[Any]) -> None:
    doc = r.meta.doc
    for heading in REQUIRED_SECTIONS:
        assert heading in doc, f"{r.name}: missing {heading!r}"
    if r.name in NO_FAIL_FIXTURE:
        return
    for heading in EXAMPLE_SECTIONS:
        assert _yaml_block(doc, heading) is not None, f"{r.name}: {heading!r} needs a ```yaml block"
    order = [doc.find(h) for h in (*REQUIRED_SECTIONS, *EXAMPLE_SECTIONS)]
    assert order == sorted(order), f"{r.name}: sections out of order"


@pytest.mark.parametrize("r", [r for r in RULES if r.name not in NO_FAIL_FIXTURE],
                         ids=[r.name for r in RULES if r.name not in NO_FAIL_FIXTURE])
def test_doc_examples_behave(r: Rule[Any]) -> None:
    import guardlint
    from guardlint.engine import lint_loaded
    from guardlint.source.loader import load_text

    select = [r.name]
    if r.meta.pack == "core" and r.name != "duplicate-key":
        select.append("privileged-container")
    bad = _yaml_block(r.meta.doc, "## Example")
    good = _yaml_block(r.meta.doc, "## Use instead")
    assert bad is not None and good is not None
    version = re.match(r"# kubernetes-version: (\S+)\n", bad)  # an example about one Kubernetes release
    extra = None
    if r.name == "suppression-not-allowed":  # its Example says: with a policy locking privileged-container
        from guardlint.config.model import Lock

        extra = {"locked": (Lock("privileged-container", "policy.yaml"),)}
    plan = settings_for(select, kubernetes_version=version.group(1) if version else None, extra=extra).plan
    bad_report = lint_loaded([load_text(bad, "example.yaml")], plan, raise_errors=True)
    good_report = lint_loaded([load_text(good, "use-instead.yaml")], plan, raise_errors=True)
    assert not bad_report.errors and not good_report.errors
    assert any(f.rule == r.name for f in bad_report.active), f"{r.name}: the Example is not reported"
    assert not [f for f in good_report.active if f.rule == r.name], f"{r.name}: 'Use instead' is reported"
    assert isinstance(guardlint.Report, type)


@pytest.mark.parametrize("r", RULES, ids=IDS)
def test_fixture_folders_exist(r: Rule[Any]) -> None:
    folder = FIXTURES / r.name
    passes = list((folder / "pass").glob("*.y*ml")) + list((folder / "pass").glob("*.json"))
    assert passes, f"{r.name}: needs at least one fixture in {folder / 'pass'}"
    if r.name in NO_FAIL_FIXTURE:
        return
    fails = list((folder / "fail").glob("*.y*ml")) + list((folder / "fail").glob("*.json"))
    assert fails, f"{r.name}: needs at least one fixture in {folder / 'fail'}"


def test_no_fixture_folder_without_rule() -> None:
    names = {r.name for r in RULES}
    orphans = [p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name not in names]
    assert not orphans, f"fixture folders for unknown rules: {orphans}"


@pytest.mark.parametrize("r", RULES, ids=IDS)
def test_params_are_declared_once(r: Rule[Any]) -> None:
    """Every built-in rule with parameters declares them once (the schema is derived from the NamedTuple), and
    what is derived is a valid schema whose every property is documented and defaults to the field's default."""
    schema = r.meta.params_schema
    fields = set(param_names(r.params_type))
    if not fields:
        assert not schema, f"{r.name}: a parameter schema without parameters"
        return
    assert isinstance(schema, ParamsSchema), f"{r.name}: a hand-written params_schema; declare the parameters once"
    assert check_schema(dict(schema)) is None
    assert schema.get("type") == "object" and schema.get("additionalProperties") is False
    props = schema.get("properties", {})
    assert {k.replace("-", "_") for k in props} == set(fields), f"{r.name}: schema and dataclass differ"
    defaults = r.default_params()
    for key, prop in props.items():
        assert prop.get("description"), f"{r.name}: parameter {key} has no description"
        assert "default" in prop, f"{r.name}: parameter {key} has no default"
        assert r.make_params({key: prop["default"]}) == defaults, f"{r.name}: default of {key} differs"


@pytest.mark.parametrize("r", RULES, ids=IDS)
def test_metadata_style(r: Rule[Any]) -> None:
    m = r.meta
    assert not m.title.endswith("."), "title ends with a period"
    assert m.title[0].isupper(), "title is sentence case"
    assert m.remediation.endswith("."), "remediation ends with a period"
    for ref in m.references:
        assert ref.url.startswith("https://"), f"reference {ref.title!r} is not https"


FAIL_FIXTURES = [f for f in iter_fixtures() if f.verdict == "fail"]


@pytest.mark.parametrize("fx", FAIL_FIXTURES, ids=[f.id for f in FAIL_FIXTURES])
def test_rules_are_pure(fx: Any) -> None:
    """Running twice gives the same findings and leaves the data untouched."""
    from guardlint.engine import lint_loaded
    from guardlint.source.loader import load_text

    loaded = load_text(fx.text, fx.path.name)
    before = [copy.deepcopy(d.data) for d in loaded.documents]
    plan = settings_for(fx.select, {fx.rule: fx.params} if fx.params else None, fx.kubernetes_version).plan
    first = lint_loaded([loaded], plan, raise_errors=True)
    second = lint_loaded([loaded], plan, raise_errors=True)
    assert first.findings == second.findings
    assert [d.data for d in loaded.documents] == before
    assert run_fixture(fx).findings == first.findings or fx.extra_config


def test_generated_docs_are_current() -> None:
    stale = stale_docs(registry(), ROOT / "docs" / "rules")
    assert not stale, "run 'guardlint docs' to regenerate: " + ", ".join(stale)


def test_rule_catalog_is_current() -> None:
    from guardlint.rules.catalog import catalog_is_current
    from guardlint.rules.packs import builtin_rules

    assert catalog_is_current(builtin_rules()), "run 'guardlint docs' to regenerate src/guardlint/rules/_catalog.json"


def test_lazy_registry_matches_eager_registry() -> None:
    from guardlint.api import make_registry

    lazy = make_registry(entry_points=False)
    eager = registry()
    def light(info: RuleInfo) -> RuleInfo:
        return info._replace(extra={k: v for k, v in info.extra.items() if k != "source"})

    assert [(r.code, r.name, light(r.info)) for r in lazy.rules] == [
        (r.code, r.name, light(r.meta.light())) for r in eager.rules
    ]
    for r in lazy.rules:  # every catalog entry loads the rule it names
        assert r.load().meta == eager.get(r.name).meta  # type: ignore[union-attr]


@pytest.mark.parametrize("r", RULES, ids=IDS)
def test_lifecycle_is_declared(r: Rule[Any]) -> None:
    from guardlint.rules.api import STATUSES

    assert r.meta.status in STATUSES
    assert r.meta.since, f"{r.name}: a built-in rule says which version it arrived in (since=...)"
