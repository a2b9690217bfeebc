"""Quantities at the edges of what parses (huge, tiny, very long) never crash a rule: values are exact
Fractions, never floats, and messages format them without overflowing (float) or hitting Python's limit on
int/str conversions (4300 digits)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from guardlint.api import lint_text
from guardlint.model.quantity import exact_number, format_number, format_quantity, parse_quantity

HUGE = ["1e400", "1" * 5000, "-1e400", "1e9999", "9" * 4400 + "Ei", "1" * 4000 + "." + "1" * 4000 + "m"]
TINY = ["1e-9000", "0." + "0" * 5000 + "1", "0.5", "3"]

# Every kind of place a quantity is read from: LimitRange defaults and bounds, ResourceQuota, pod-level
# resources and overhead, init and app containers, core and extended resources, emptyDir size limits.
OBJECTS = """apiVersion: v1
kind: LimitRange
metadata: {name: lr, namespace: n}
spec:
  limits: [{type: Container, default: {cpu: %(a)r, memory: %(b)r, nvidia.com/gpu: %(a)r},
            defaultRequest: {cpu: %(b)r, memory: %(a)r}, max: {cpu: %(a)r}, min: {memory: %(b)r}}]
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: q, namespace: n}
spec: {hard: {requests.nvidia.com/gpu: %(a)r, limits.cpu: %(b)r, requests.memory: %(a)r}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: j, namespace: n}
spec:
  template:
    spec:
      overhead: {cpu: %(a)r}
      resources: {requests: {cpu: %(a)r, memory: %(b)r}, limits: {cpu: %(b)r, nvidia.com/gpu: %(a)r}}
      nodeSelector: {nvidia.com/gpu.product: A100}
      initContainers: [{name: i, image: x, resources: {requests: {nvidia.com/gpu: %(b)r,
                        ephemeral-storage: %(a)r}, limits: {nvidia.com/gpu: %(a)r}}}]
      containers:
        - name: c
          image: x
          resources:
            requests: {memory: %(a)r, cpu: %(b)r, ephemeral-storage: %(b)r, nvidia.com/gpu: %(a)r,
                       nvidia.com/mig-1g.5gb: %(b)r}
            limits: {memory: %(b)r, cpu: %(a)r, nvidia.com/gpu: %(b)r, ephemeral-storage: %(a)r,
                     amd.com/gpu: %(a)r}
      volumes: [{name: shm, emptyDir: {medium: Memory, sizeLimit: %(a)r}}]
"""


PAIRS = [(h, t) for h in HUGE for t in TINY[:2]] + [(t, h) for h in HUGE[:3] for t in TINY]


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_no_rule_fails_on_extreme_quantities(a: str, b: str) -> None:
    report = lint_text(OBJECTS % {"a": a, "b": b}, select=["all"])
    assert not report.errors
    assert [f.message for f in report.findings if f.rule == "rule-error"] == []


def test_limit_far_above_request_on_1e400_memory() -> None:
    pod = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: x\n"
           "      resources: {requests: {memory: 1Mi}, limits: {memory: 1e400}}\n")
    report = lint_text(pod, select=["limit-far-above-request"])
    assert [f.message for f in report.findings] == [
        "container 'c' limits memory to 1e400, 9.53674e+393 times its request of 1Mi (at most 4 allowed)"
    ]


def test_non_finite_ratio_parameters_never_fail(tmp_path: object) -> None:
    pod = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: x\n"
           "      resources: {requests: {memory: 1Mi}, limits: {memory: 1e400}}\n")
    from guardlint.api import resolve_settings
    from guardlint.config.model import RuleSettings

    settings = resolve_settings(use_config_file=False, select=["limit-far-above-request"])
    for ratio in (float("inf"), float("nan")):
        rules = {"limit-far-above-request": RuleSettings(params={"memory-ratio": ratio})}
        cfg = settings.config._replace(rules=rules)
        from guardlint.config.model import make_plan
        from guardlint.model.workloads import default_table

        plan = make_plan(settings.registry, cfg, workloads=default_table())
        report = lint_text(pod, settings=settings._replace(plan=plan))
        assert [f.rule for f in report.findings] == []


def test_parsing_is_exact_at_any_length() -> None:
    q = parse_quantity("1" * 5000)
    assert q is not None and q.value == Fraction(int("1" * 4000) * 10**1000 + int("1" * 1000))
    assert parse_quantity("1e400") is not None and parse_quantity("1e400").value == 10**400  # type: ignore[union-attr]
    assert parse_quantity("1" * 10_001) is None  # more significant digits than are represented
    assert parse_quantity("0" * 20_000 + "1") is not None  # leading zeros do not count


def test_formatting_never_overflows() -> None:
    assert format_number(Fraction(5, 2)) == "2.5" and format_number(Fraction(10**6)) == "1e+06"
    assert format_number(Fraction(10**400)) == "1e+400"
    assert format_number(Fraction(-(10**400), 3)) == "-3.33333e+399"
    assert format_number(Fraction(1, 10**400)) == "1e-400"
    assert format_quantity(Fraction(10**5000)) == "1e+5000"
    assert format_quantity(Fraction(3, 2)) == "1500m"
    assert exact_number(0.1) == Fraction(1, 10) and exact_number(4) == 4
    assert exact_number(float("inf")) is None and exact_number(float("nan")) is None and exact_number(True) is None
