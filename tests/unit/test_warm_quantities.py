"""The run's memo of parsed quantities (``model.quantity.remembered_value``): each text is parsed once per run,
and what the rules that read quantities report is what they report parsing every value themselves."""

from __future__ import annotations

from typing import Any

import pytest

from guardlint.api import lint_text
from guardlint.model import quantity
from guardlint.model.quantity import Amount, QuantityMemo, quantity_amount, remembered_value
from guardlint.rules.gpu import _support as gpu_support
from guardlint.rules.resources import limit_far_above_request, request_exceeds_limit, resource_out_of_bounds

_RAWS: list[Any] = [
    "1", "1000m", "100m", "0.1", " 2Gi ", "2Gi", "2048Mi", "1e3", "1E3", "-1", "+1", ".5", "Ki", "Pi", "1K", "",
    "  ", "abc", "1_000", "\u0663", 1, 0, -3, 10**30, True, False, None, 1.5, 0.1, float("nan"), [], {},
]


@pytest.mark.parametrize("raw", _RAWS, ids=[repr(r) for r in _RAWS])
def test_remembered_value_is_quantity_amount(raw: Any) -> None:
    memo: QuantityMemo = {}
    first = remembered_value(raw, memo)
    again = remembered_value(raw, memo)
    want = quantity_amount(raw)
    assert first == want and again == want
    assert type(first) is type(want)
    # only texts are remembered: True == 1 == 1.0 must never share an entry
    assert list(memo) == ([raw] if type(raw) is str else [])


def test_a_memo_keeps_each_text_apart() -> None:
    memo: QuantityMemo = {}
    texts = ["1", "1.0", "1000m", " 1", "1 ", "1Ki", "1k", "nope"]
    got = [remembered_value(t, memo) for t in texts * 3]
    assert got == [quantity_amount(t) for t in texts * 3]
    assert sorted(memo) == sorted(texts)


def _unit(i: int, cpu_request: str, cpu_limit: str, memory_request: str, memory_limit: str, gpu: str) -> str:
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d{i}, namespace: n}}\nspec:\n"
        f"  selector: {{matchLabels: {{app: d{i}}}}}\n  template:\n    metadata: {{labels: {{app: d{i}}}}}\n"
        f"    spec:\n      containers:\n      - name: c\n        image: 'x@sha256:{'a' * 64}'\n"
        f"        resources:\n          requests: {{cpu: '{cpu_request}', memory: '{memory_request}', "
        f"nvidia.com/gpu: '{gpu}'}}\n"
        f"          limits: {{cpu: '{cpu_limit}', memory: '{memory_limit}', nvidia.com/gpu: '{gpu}'}}\n"
    )


# Requests above limits, limits far above requests, equal values written differently, texts that do not parse
_UNITS = [
    ("100m", "200m", "64Mi", "128Mi", "1"),
    ("2", "1500m", "1Gi", "1024Mi", "1"),
    ("100m", "4", "64Mi", "8Gi", "2"),
    ("1000m", "1", "1Gi", "1Gi", "1"),
    ("100m", "200m", "64Mi", "128Mi", "1"),
    ("abc", "1", "64Mi", "1Ki", "0"),
    ("0", "1", "0.5Gi", "512Mi", "1"),
] * 4
_TEXT = "---\n".join(_unit(i, *u) for i, u in enumerate(_UNITS))
_RULES = ["request-exceeds-limit", "limit-far-above-request", "gpu"]


def _findings(report: Any) -> list[tuple[Any, ...]]:
    return [(f.rule, f.path, f.message, f.location) for f in report.findings]


def test_each_text_is_parsed_once_per_run(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[Any] = []
    real = quantity.quantity_amount

    def counting(raw: Any) -> Any:
        parsed.append(raw)
        return real(raw)

    monkeypatch.setattr(quantity, "quantity_amount", counting)  # what remembered_value calls on a miss
    report = lint_text(_TEXT, select=_RULES, raise_errors=True)
    assert {f.rule for f in report.findings} >= {"request-exceeds-limit", "limit-far-above-request"}
    assert len(parsed) == len(set(parsed))  # one parse per distinct text in the run
    parsed.clear()
    lint_text(_TEXT, select=_RULES, raise_errors=True)
    assert parsed  # a new run has a new memo: nothing is carried over from the last


def test_the_memo_changes_no_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rules with the memo against the same rules parsing every value (the memo switched off)."""
    with_memo = _findings(lint_text(_TEXT + "---\n" + _TEXT, select=[*_RULES, "resource-out-of-bounds"]))

    def unremembered(raw: Any, memo: QuantityMemo) -> Any:
        return quantity_amount(raw)

    for module in (request_exceeds_limit, limit_far_above_request, resource_out_of_bounds, gpu_support):
        monkeypatch.setattr(module, "remembered_value", unremembered)
    without = _findings(lint_text(_TEXT + "---\n" + _TEXT, select=[*_RULES, "resource-out-of-bounds"]))
    assert with_memo == without
    assert len(with_memo) > 20
    assert {r for r, *_ in with_memo} >= {"request-exceeds-limit", "limit-far-above-request", "resource-out-of-bounds"}


def test_gpu_facts_read_each_value() -> None:
    """The facts' amounts are ``SiteValue.value`` of each value of each site, in order (now read through the memo)."""
    from guardlint.api import resolve_settings
    from guardlint.engine import Run
    from guardlint.source.loader import load_text

    settings = resolve_settings(select=["gpu"])
    run = Run([load_text(_TEXT, "t.yaml")], settings.plan)
    for resource in run.resources:
        facts = gpu_support.gpu_facts(resource, run.ctx)
        assert facts.sites
        for site in facts.sites:
            assert site.amounts == tuple(v.value for v in site.site.values)
            assert all(a is None or type(a) is Amount for a in site.amounts)
