"""Quantities as ``Amount``s (whole nano-units) answer exactly as the ``Fraction``s they replaced.

The oracle below is the Fraction arithmetic of ``model/quantity.py`` as it was before (``_ref_parse``,
``_ref_format_number``, ``_ref_format_quantity``, ``_ref_exact_number``: the same code, kept here unchanged),
compared with the integer arithmetic on generated quantities (every suffix, exponents, signs, huge and tiny
values, padded and invalid texts), on every operation the rules apply to amounts, on the messages' numbers,
and a run over quantities of every shape that must import neither ``fractions`` nor ``decimal``."""

from __future__ import annotations

import math
import operator
import pickle
import re
import subprocess
import sys
from decimal import Decimal, localcontext
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from guardlint.model.quantity import (
    NANO,
    ZERO,
    Amount,
    Quantity,
    exact_number,
    exact_ratio,
    format_number,
    format_quantity,
    format_ratio,
    is_quantity,
    parse_quantity,
    quantity_amount,
    quantity_value,
)

# ---- the Fraction arithmetic before (the oracle) ---------------------------------------------------------------

_QUANTITY = re.compile(
    r"(?P<sign>[+-]?)(?P<whole>[0-9]*)(?:\.(?P<frac>[0-9]*))?"
    r"(?:(?P<bin>Ki|Mi|Gi|Ti|Pi|Ei)|(?P<exp>[eE][+-]?[0-9]+)|(?P<dec>[numkMGTPE]?))"
)
_DECIMAL = {"": 0, "n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_NANO = Fraction(1, 10**9)
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_MAX_BINARY = 2**63 - 1
_GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
_FLOAT_SAFE_HIGH = Fraction(10) ** 300
_FLOAT_SAFE_LOW = Fraction(1, 10**300)


def _ref_text_of(raw: Any) -> str | None:
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, str):
        return raw.strip(_GO_SPACE)
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return None
        text = repr(raw)
        if "e" in text or "E" in text:
            mantissa, _, exponent = text.lower().partition("e")
            return f"{mantissa}e{int(exponent)}"
        return text
    return None


def _ref_int(digits: str) -> int:
    if len(digits) <= 4000:
        return int(digits or "0")
    half = len(digits) // 2
    return _ref_int(digits[:half]) * 10 ** (len(digits) - half) + _ref_int(digits[half:])


def _ref_parse(raw: Any) -> Quantity | None:
    """The general path of the Fraction code (its fast paths were checked equal to it)."""
    text = _ref_text_of(raw)
    if not text:
        return None
    m = _QUANTITY.fullmatch(text)
    if m is None:
        return None
    whole, frac = m.group("whole"), m.group("frac") or ""
    has_digits = bool(whole or frac)
    digits = (whole + frac).lstrip("0")
    if len(digits) > 10_000:
        return None
    numerator = _ref_int(digits)
    scale = -len(frac)
    bits = 0
    if m.group("bin"):
        bits = _BINARY[m.group("bin")]
        if not has_digits and bits >= 50:
            return None
    elif m.group("exp"):
        exponent = int(m.group("exp")[1:])
        if not -(2**63) <= exponent < 2**63:
            return None
        exponent = (exponent + 2**31) % 2**32 - 2**31
        if not has_digits and exponent < -9:
            return None
        scale += exponent
    else:
        scale += _DECIMAL[m.group("dec") or ""]
    if numerator == 0:
        return Quantity(Fraction(0), text)
    if scale > 10_000:
        return None
    if not bits and scale < -9 - len(digits):
        value = _NANO
    else:
        value = Fraction(numerator * 2**bits) * Fraction(10) ** scale
        if (value / _NANO).denominator != 1:
            value = -((-value) // _NANO) * _NANO
    if bits and value > _MAX_BINARY:
        value = Fraction(_MAX_BINARY)
    return Quantity(-value if m.group("sign") == "-" else value, text)


def _ref_exact_number(value: Any) -> Fraction | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float) and math.isfinite(value):
        text = repr(value)
        whole, point, frac = text.partition(".")
        if point and "e" not in frac:
            return Fraction(int(whole + frac), 10 ** len(frac))
        return Fraction(text)
    return None


def _ref_format_number(value: Fraction) -> str:
    size = abs(value)
    if value == 0 or _FLOAT_SAFE_LOW < size < _FLOAT_SAFE_HIGH:
        return f"{float(value):g}"
    with localcontext() as context:
        context.prec = 6
        context.Emax = 10**9
        context.Emin = -(10**9)
        decimal = (Decimal(value.numerator) / Decimal(value.denominator)).normalize()
    return format(decimal, "g").replace("E", "e")


def _ref_format_quantity(value: Fraction) -> str:
    if abs(value) >= _FLOAT_SAFE_HIGH:
        return _ref_format_number(value)
    if value.denominator == 1:
        return str(value.numerator)
    milli = value * 1000
    if milli.denominator == 1:
        return f"{milli.numerator}m"
    return _ref_format_number(value)


# ---- generated quantities ---------------------------------------------------------------------------------------

_SUFFIXES = ["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
_digits = st.one_of(
    st.text("0123456789", max_size=4),
    st.text("0123456789", min_size=5, max_size=40),
    st.sampled_from(["0", "1", "9" * 19, "1" + "0" * 30, "0" * 25 + "7", "9" * 300, "1" * 4500]),
)
_exponent = st.one_of(
    st.integers(-40, 40), st.integers(-400, 400),
    st.sampled_from([2**31 - 1, -(2**31), 2**31, 2**32 + 3, -(2**32) - 12, 2**63 - 1, 2**63, -(2**63), 10_000,
                     10_001, -10_000]),
)


@st.composite
def _texts(draw: st.DrawFn) -> str:
    sign = draw(st.sampled_from(["", "", "+", "-"]))
    whole = draw(_digits)
    frac = draw(st.one_of(st.none(), _digits))
    number = whole if frac is None else f"{whole}.{frac}"
    kind = draw(st.sampled_from(["suffix", "suffix", "exp"]))
    if kind == "suffix":
        suffix = draw(st.sampled_from(_SUFFIXES))
    else:
        suffix = draw(st.sampled_from("eE")) + draw(st.sampled_from(["", "+"])) + str(draw(_exponent))
    text = sign + number + suffix
    mangle = draw(st.integers(0, 9))
    if mangle == 0:
        text = draw(st.sampled_from([" ", "\t", "\u3000", "\x85"])) + text + draw(st.sampled_from(["", " ", "\n"]))
    elif mangle == 1 and text:
        i = draw(st.integers(0, len(text)))
        text = text[:i] + draw(st.sampled_from(list(" .+-eEiKk_x\u0663mn0"))) + text[i:]
    return text


_raws = st.one_of(
    _texts(),
    st.text(max_size=8),
    st.integers(), st.integers(-(10**40), 10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([None, True, False, [], {}, b"1"]),
)


@settings(max_examples=3000, deadline=None)
@given(_raws)
@example("1" * 4500 + "e-4400")
@example("0.000000000000000000000000001")
@example("-0.0000000001Ki")
@example("8Ei")
@example("-9Ei")
@example("1e-2147483648")
@example(".")
@example("-.e5")
@example("1e10000")
@example("1e" + "7" * 5000)
@example("1e-" + "0" * 5000 + "2")
@example("9" * 10_000 + "e0")
@example("1" * 10_001)
def test_parsing_gives_the_fraction_code_s_value(raw: Any) -> None:
    try:
        want = _ref_parse(raw)
    except ValueError:  # an exponent of more than 4300 digits: the reference fails, the API's reading is exact
        amount = quantity_amount(raw)
        text = str(raw).strip()
        exponent = text[text.lower().index("e") + 1:].lstrip("+-").lstrip("0")
        assert amount is None if len(exponent) > 19 else amount is not None
        return
    amount = quantity_amount(raw)
    assert (amount is None) == (want is None)
    assert is_quantity(raw) == (want is not None)
    got = parse_quantity(raw)
    assert got == want
    if want is None:
        assert quantity_value(raw) is None
        return
    assert amount is not None and got is not None
    assert type(got.value) is Fraction and type(amount) is Amount
    assert amount.fraction() == want.value and amount == want.value and want.value == amount
    assert (amount.nanos * _NANO) == want.value
    assert format_quantity(amount) == _ref_format_quantity(want.value) == format_quantity(want.value)
    assert format_number(amount) == _ref_format_number(want.value) == format_number(want.value)


# ---- operations ------------------------------------------------------------------------------------------------

_nanos = st.one_of(
    st.integers(-(10**12), 10**12),
    st.integers(-(10**30), 10**30).map(lambda n: n - n % NANO),  # whole values
    st.integers(-(10**6), 10**6).map(lambda n: n * 10**6),  # milli values
    st.integers(-(10**330), 10**330),
    st.sampled_from([0, 1, -1, NANO, -NANO, NANO - 1, NANO + 1, 10**309, -(10**309), 10**309 - 1]),
)
_ints = st.one_of(st.integers(-50, 50), st.integers(-(10**25), 10**25), st.sampled_from([2**63, 1024**4, True, False]))
_others = st.one_of(
    st.floats(allow_nan=False, allow_infinity=True, width=64), st.fractions(), st.integers(-(10**20), 10**20),
)

_COMPARE = [operator.eq, operator.ne, operator.lt, operator.le, operator.gt, operator.ge]
_ARITHMETIC = [operator.add, operator.sub, operator.mul, operator.floordiv, operator.mod, divmod, operator.truediv]


def _same(got: Any, want: Any) -> None:
    """The same value, and an amount where the Fraction code gave a Fraction that is one of them."""
    if isinstance(got, tuple):
        assert isinstance(want, tuple) and len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            _same(g, w)
        return
    if isinstance(want, float) and math.isnan(want):
        assert isinstance(got, float) and math.isnan(got)
        return
    assert got == want and want == got
    if type(want) is Fraction and type(got) is Amount:
        assert got.fraction() == want
    elif type(want) is bool:
        assert type(got) is bool
    elif type(want) is int:
        assert type(got) is int


def _outcome(op: Any, *args: Any) -> Any:
    try:
        return ("ok", op(*args))
    except (ZeroDivisionError, OverflowError, TypeError, ValueError) as e:
        return ("raises", type(e))


@settings(max_examples=3000, deadline=None)
@given(_nanos, st.one_of(_nanos.map(Amount), _ints, _others))
def test_every_operation_answers_as_the_fraction(nanos: int, other: Any) -> None:
    a, f = Amount(nanos), Fraction(nanos, NANO)
    f_other = other.fraction() if type(other) is Amount else other
    for op in _COMPARE + _ARITHMETIC:
        for got, want in ((_outcome(op, a, other), _outcome(op, f, f_other)),
                          (_outcome(op, other, a), _outcome(op, f_other, f))):
            assert got[0] == want[0], (op, nanos, other, got, want)
            if got[0] == "ok":
                _same(got[1], want[1])
            else:
                assert got[1] == want[1]


@settings(max_examples=2000, deadline=None)
@given(_nanos)
def test_conversions_answer_as_the_fraction(nanos: int) -> None:
    a, f = Amount(nanos), Fraction(nanos, NANO)
    for op in (bool, str, hash, abs, operator.neg, operator.pos, int, math.floor, math.ceil, math.trunc, round,
               float, lambda x: round(x, 3), lambda x: x.numerator, lambda x: x.denominator, lambda x: x**2,
               lambda x: sum([x, x, 1]), lambda x: max(x, 0), format_quantity, format_number):
        got, want = _outcome(op, a), _outcome(op, f)
        assert got[0] == want[0]
        if got[0] == "ok":
            assert got[1] == want[1] and (type(got[1]) is Amount or type(got[1]) is type(want[1])), op
    assert pickle.loads(pickle.dumps(a)) == a
    assert {a: 1}[Fraction(nanos, NANO)] == 1  # the same hash as the equal Fraction (and int)


def test_an_amount_is_immutable() -> None:
    a = Amount(5)
    with pytest.raises(AttributeError):
        a.nanos = 6  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del a.nanos
    assert a.nanos == 5 and ZERO.nanos == 0 and not ZERO


@settings(max_examples=2000, deadline=None)
@given(st.one_of(st.floats(), st.integers(), st.integers(-(10**40), 10**40), st.sampled_from([True, False, None, "1"])))
def test_exact_ratio_is_the_exact_number_of_before(value: Any) -> None:
    want = _ref_exact_number(value)
    ratio = exact_ratio(value)
    assert (ratio is None) == (want is None)
    if want is not None:
        assert ratio is not None and ratio[1] > 0
        assert Fraction(*ratio) == want == exact_number(value)
        assert format_ratio(*ratio) == _ref_format_number(want)


@settings(max_examples=2000, deadline=None)
@given(st.integers(-(10**330), 10**330), st.integers(1, 10**330))
@example(1, 10**301)
@example(10**301, 1)
@example(10**300 + 1, 1)
@example(1, 10**300 - 1)
def test_format_ratio_is_format_number_of_the_fraction(numerator: int, denominator: int) -> None:
    assert format_ratio(numerator, denominator) == _ref_format_number(Fraction(numerator, denominator))


# ---- a run over every shape imports neither fractions nor decimal -----------------------------------------------

_SHAPES = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      resources: {requests: {cpu: 100m, memory: 1Gi}, limits: {cpu: "2", memory: 1Gi}}
      initContainers:
        - name: init
          image: ghcr.io/example/init:1.0
          resources: {requests: {cpu: "4", memory: 2Gi, nvidia.com/gpu: 2}, limits: {nvidia.com/gpu: 2}}
      containers:
        - name: web
          image: ghcr.io/example/web:2.8.1
          resources:
            requests: {cpu: 10m, memory: 1.5Mi, ephemeral-storage: 1e3, nvidia.com/gpu: "1"}
            limits: {cpu: 1.5, memory: 3e9, ephemeral-storage: 1Ki, nvidia.com/gpu: "1", hugepages-2Mi: 4Mi}
        - name: side
          image: ghcr.io/example/side:2.8.1
          resources:
            requests: {cpu: 0.001, memory: 100M, nvidia.com/gpu: 0.5, example.com/dev: "-1"}
            limits: {cpu: 200m, memory: 64Mi, nvidia.com/gpu: 1500m, example.com/dev: 2}
---
apiVersion: batch/v1
kind: Job
metadata: {name: train, namespace: shop}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: t
          image: ghcr.io/example/t:1
          command: [torchrun, --nproc-per-node=4, train.py]
          resources: {requests: {nvidia.com/gpu: 9, nvidia.com/mig-1g.5gb: 1, cpu: 1e-12}, limits: {nvidia.com/gpu: 9}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 3
  metrics:
    - type: Pods
      pods: {metric: {name: rps}, target: {type: AverageValue, averageValue: -0.5m}}
"""


def test_a_run_over_every_shape_imports_neither_fractions_nor_decimal(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(_SHAPES, encoding="utf-8")
    code = (
        "import io, json, sys\n"
        "from guardlint.cli import main\n"
        "out = io.StringIO()\n"
        "main(['check', 'm.yaml', '--no-config', '--select', 'all', '--format', 'json', '--fail-on', 'never'],"
        " out=out, err=io.StringIO())\n"
        "print(json.dumps([json.loads(out.getvalue()), sorted(sys.modules)]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    report, modules = __import__("json").loads(done.stdout)
    rules = {f["rule"] for f in report["findings"]}
    # the rules that compare, sum and print amounts all reported
    assert {"limit-far-above-request", "request-exceeds-limit", "gpu-fractional-quantity", "gpu-negative-quantity",
            "gpu-exceeds-node-capacity", "invalid-pod-resources", "invalid-hpa"} <= rules, rules
    for name in ("fractions", "decimal", "_decimal", "numbers"):
        assert name not in modules, f"{name} imported"
