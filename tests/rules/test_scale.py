"""No single rule or option is driven quadratic by input size alone. Work is counted, not timed (CI shares
two noisy cores), and each bound is far below what the quadratic code did."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from guardlint.api import lint_text, make_registry, resolve_settings
from guardlint.config.model import Config, make_plan
from guardlint.model import index as index_module
from guardlint.model.workloads import default_table
from guardlint.rules.registry import Registry


@pytest.fixture
def yields(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many objects ``ResourceIndex.of_kind`` hands out (the unit of work of cross-object rules)."""
    count = [0]
    original = index_module.ResourceIndex.of_kind

    def counting(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        for r in original(self, *args, **kwargs):
            count[0] += 1
            yield r

    monkeypatch.setattr(index_module.ResourceIndex, "of_kind", counting)
    return count


def _config_maps(n: int, duplicates: int = 0) -> str:
    docs = [f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i}, namespace: ns}}\n" for i in range(n)]
    docs += [f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i}, namespace: ns}}\n" for i in range(duplicates)]
    return "---\n".join(docs)


def test_duplicate_object_is_linear(yields: list[int]) -> None:
    n = 3000  # the quadratic rule handed out n*(n-1)/2 = 4.5 million objects here
    report = lint_text(_config_maps(n, duplicates=5), "many.yaml", select=["duplicate-object"])
    assert [f.line for f in report.findings] == [4 * (n + i) + 3 for i in range(5)]  # 3 lines and ---
    assert all("already defined earlier in this file" in f.message for f in report.findings)
    assert yields[0] <= 2 * (n + 5)


@pytest.mark.parametrize("scope", ["file", "directory", "run"])
def test_duplicate_object_scopes_still_apply(scope: str) -> None:
    settings = resolve_settings(use_config_file=False, select=["duplicate-object"])
    from guardlint.config.model import RuleSettings

    cfg = settings.config._replace(rules={"duplicate-object": RuleSettings(params={"scope": scope})})
    plan = make_plan(settings.registry, cfg, workloads=default_table())
    from guardlint.engine import lint_loaded
    from guardlint.source.loader import load_text

    one = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: ns}\n"
    loaded = [load_text(one, "a/x.yaml"), load_text(one, "a/y.yaml"), load_text(one, "b/z.yaml")]
    report = lint_loaded(loaded, plan)
    expected = {"file": [], "directory": ["a/y.yaml"], "run": ["a/y.yaml", "b/z.yaml"]}[scope]
    assert [f.file for f in report.findings if f.rule == "duplicate-object"] == expected


def _counting_registry(monkeypatch: pytest.MonkeyPatch) -> tuple[Registry, list[int]]:
    registry = make_registry()
    calls = [0]
    for method in ("selects", "specificity"):
        original = getattr(Registry, method)

        def counted(self: Registry, selector: str, r: Any, _original: Any = original) -> int:
            calls[0] += 1
            result: int = _original(self, selector, r)
            return result

        monkeypatch.setattr(Registry, method, counted)
    return registry, calls


def test_a_long_select_list_resolves_in_linear_time(monkeypatch: pytest.MonkeyPatch) -> None:
    registry, calls = _counting_registry(monkeypatch)
    vocabulary = [*registry.names(), *(r.code for r in registry.rules), *sorted(registry.packs()),
                  *sorted(registry.tags()), "all", "RES", "gp", "sec0"]
    long = [vocabulary[i % len(vocabulary)] for i in range(20_000)]
    plan = make_plan(registry, Config(select=tuple(long), ignore=tuple(long[:5000])), workloads=default_table())
    short = make_plan(registry, Config(select=tuple(vocabulary), ignore=tuple(vocabulary)), workloads=default_table())
    assert [a.rule.name for a in plan.active] == [a.rule.name for a in short.active]
    # Testing every entry against every rule took 25,000 * rules calls (about 5 million).
    assert calls[0] <= 20 * len(vocabulary) * 10


def test_long_selector_lists_from_the_command_line_and_config(tmp_path: Any) -> None:
    registry = make_registry()
    names = registry.names()
    long = [names[i % len(names)] for i in range(50_000)]
    settings = resolve_settings(use_config_file=False, select=long)
    assert len(settings.plan.active) >= len(names) - 5
    config = tmp_path / ".guardlint.yaml"
    config.write_text("select:\n" + "".join(f"  - {n}\n" for n in long))
    from_config = resolve_settings(config=config).plan.active
    assert [a.rule.name for a in from_config] == [a.rule.name for a in settings.plan.active]
