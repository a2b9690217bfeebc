"""Plain YAML scalars as Kubernetes (go-yaml v2 behind sigs.k8s.io/yaml) reads them."""

from __future__ import annotations

import decimal
import math
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guardlint.source.scalars import BOOL, FLOAT, INT, MERGE, NULL, STR, go_float32_text, resolve_plain

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@pytest.mark.parametrize(("text", "tag", "value"), [
    # go-yaml's words, in every spelling it lists (and not in others)
    ("y", BOOL, True), ("Y", BOOL, True), ("yes", BOOL, True), ("On", BOOL, True), ("TRUE", BOOL, True),
    ("n", BOOL, False), ("N", BOOL, False), ("No", BOOL, False), ("OFF", BOOL, False), ("false", BOOL, False),
    ("yEs", STR, "yEs"), ("oN", STR, "oN"), ("t", STR, "t"),
    ("", NULL, None), ("~", NULL, None), ("Null", NULL, None), ("nULL", STR, "nULL"),
    (".inf", FLOAT, math.inf), ("+.INF", FLOAT, math.inf), ("-.Inf", FLOAT, -math.inf), (".iNf", STR, ".iNf"),
    ("<<", MERGE, "<<"),
    # integers: Go's base-0 ParseInt / ParseUint after dropping every "_"
    ("0", INT, 0), ("00", INT, 0), ("0755", INT, 493), ("0o17", INT, 15), ("0O17", INT, 15),
    ("0x1F", INT, 31), ("0X1f", INT, 31), ("0b101", INT, 5), ("-0b101", INT, -5), ("+12", INT, 12),
    ("1_000", INT, 1000), ("0x_1F", INT, 31), ("0b-11", INT, -3),
    ("9223372036854775807", INT, 2**63 - 1), ("-9223372036854775808", INT, -(2**63)),
    ("9223372036854775808", INT, 2**63), ("18446744073709551615", INT, 2**64 - 1),
    # floats: go-yaml's form, read by ParseFloat
    ("1e3", FLOAT, 1000.0), ("1.5e3", FLOAT, 1500.0), ("1.0e+3", FLOAT, 1000.0), ("5.", FLOAT, 5.0),
    (".5", FLOAT, 0.5), ("+.5", FLOAT, 0.5), ("-.5", FLOAT, -0.5), (".5e1", FLOAT, 5.0), (".5_5", FLOAT, 0.55),
    ("08", FLOAT, 8.0), ("1_0e3", FLOAT, 10000.0), ("18446744073709551616", FLOAT, 2.0**64),
    ("-9223372036854775809", FLOAT, -(2.0**63)), ("+9223372036854775808", FLOAT, 2.0**63),
    # strings
    ("12:30", STR, "12:30"), ("1:30:00", STR, "1:30:00"), ("1e999", STR, "1e999"), (".5e999", STR, ".5e999"),
    ("0x", STR, "0x"), ("0xg", STR, "0xg"), ("09x", STR, "09x"), (".", STR, "."), ("-", STR, "-"),
    ("+", STR, "+"), ("._5", STR, "._5"), (".5_", STR, ".5_"), ("1e", STR, "1e"), ("1.2.3", STR, "1.2.3"),
    ("2024-01-31", STR, "2024-01-31"), ("nginx", STR, "nginx"), ("-.NaN", STR, "-.NaN"),
    ("\u0661\u0662", STR, "\u0661\u0662"),  # digits of another script are no number to Go
])
def test_resolve_plain(text: str, tag: str, value: Any) -> None:
    got_tag, got = resolve_plain(text)
    assert got_tag == tag and got == value and type(got) is type(value)


def test_nan() -> None:
    tag, value = resolve_plain(".NaN")
    assert tag == FLOAT and math.isnan(value)


@given(st.integers(min_value=-(2**63), max_value=2**64 - 1))
def test_every_64_bit_integer_reads_back(n: int) -> None:
    assert resolve_plain(str(n)) == (INT, n)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_finite_float_reads_back(x: float) -> None:
    text = repr(x)
    tag, value = resolve_plain(text)
    if "e" not in text and "." not in text:  # pragma: no cover - repr of a float always has one
        return
    assert tag == FLOAT and value == x


@given(st.text(alphabet="0123456789_.eE+-xXoObB", max_size=8))
def test_what_is_not_a_number_stays_the_text(text: str) -> None:
    tag, value = resolve_plain(text)
    if tag == STR:
        assert value == text
    else:
        assert tag in (INT, FLOAT, NULL)


def test_a_fix_quotes_what_kubernetes_would_not_read_as_that_string() -> None:
    from guardlint.fix import _plain_string

    assert _plain_string("nginx", False) == "nginx"
    for text in ("y", "N", "1e3", "0o17", "+.5", "yes", "0755"):
        assert _plain_string(text, False) is None, text


@pytest.mark.parametrize(("text", "key"), [
    ("on", "true"), ("Y", "true"), ("OFF", "false"), ("n", "false"), ("true", "true"), ("010", "8"),
    ("0x10", "16"), ("0o17", "15"), ("1_000", "1000"), ("+1", "1"), ("-0", "0"), ("1", "1"),
    ("9223372036854775807", "9223372036854775807"), ("9223372036854775808", None), ("~", None), ("", None),
    ("1.50", "1.5"), ("1.0", "1"), ("1e3", "1000"), ("1e6", "1e+06"), ("123456.5", "123456.5"),
    ("1234567.0", "1.234567e+06"), ("0.0001", "0.0001"), ("0.00001", "1e-05"), ("3.14159265358979", "3.1415927"),
    ("-0.0", "-0"), (".inf", ".inf"), ("-.Inf", "-.inf"), (".nan", ".nan"), ("1e39", ".inf"),
    ("name", "name"), ("2024-01-31", "2024-01-31"), ("12:30", "12:30"),
])
def test_key_text_is_what_kubectl_makes_of_a_plain_key(text: str, key: str | None) -> None:
    """sigs.k8s.io/yaml's convertToJSONableObject: bools as true/false, ints in decimal, floats as
    strconv.FormatFloat(f, 'g', -1, 32) with .inf/-.inf/.nan, and an error (None) for other key types."""
    from guardlint.source.scalars import key_text

    assert key_text(resolve_plain(text)[1]) == key



_FLOAT32_MAX = (2**24 - 1) * 2.0**104


def _float32(value: float) -> float:
    """``value`` rounded to the nearest float32 (ties to even; beyond the largest float32's half step: infinity)."""
    if abs(value) > _FLOAT32_MAX:  # struct refuses these, though those below the half step round to the largest
        return math.copysign(_FLOAT32_MAX if abs(value) < _FLOAT32_MAX + 2.0**103 else math.inf, value)
    return float(struct.unpack("<f", struct.pack("<f", value))[0])


def _from_bits(bits: int) -> float:
    return float(struct.unpack("<f", struct.pack("<I", bits))[0])


def _reads_back(text: str, single: float) -> bool:
    return _float32(float(text)) == single


def _cut(exact: decimal.Decimal, digits: int, rounding: str) -> decimal.Decimal:
    """``exact`` cut to ``digits`` significant digits, down or up."""
    return exact.quantize(decimal.Decimal(1).scaleb(exact.adjusted() - digits + 1), rounding=rounding)


def _significant_digits(number: decimal.Decimal) -> int:
    return len(str(int("".join(map(str, number.as_tuple().digits)))).rstrip("0"))


_POWERS_OF_TWO = [_float32(2.0 ** k) for k in range(-149, 128)]


@settings(max_examples=600, deadline=None)
@given(st.one_of(st.sampled_from(_POWERS_OF_TWO), st.integers(1, 0x7F7FFFFF).map(_from_bits)))
def test_float_keys_are_spelled_in_go_s_shortest_digits(single: float) -> None:
    """The spelling reads back as the same float32; no decimal with fewer digits does (neither cut of the exact
    value down nor up); of the two cuts at its own length that read back, it is the nearer (strconv's
    roundShortest, whose answers sigs.k8s.io/yaml writes as keys)."""
    text = go_float32_text(single)
    assert _reads_back(text, single)
    with decimal.localcontext() as context:
        context.prec = 400
        exact = decimal.Decimal(single)
        shown = decimal.Decimal(text)
        length = _significant_digits(shown)
        for digits in range(1, length):
            for rounding in (decimal.ROUND_FLOOR, decimal.ROUND_CEILING):
                assert not _reads_back(str(_cut(exact, digits, rounding)), single)
        fitting = [cut for cut in (_cut(exact, length, decimal.ROUND_FLOOR), _cut(exact, length, decimal.ROUND_CEILING))
                   if _reads_back(str(cut), single)]
        # the nearer; on a tie (an exact value halfway) the even last digit, as strconv's decimal rounding does
        assert shown == min(fitting, key=lambda cut: (abs(cut - exact), cut.as_tuple().digits[-1] % 2))


@pytest.mark.parametrize(("value", "text"), [
    (2.0 ** 87, "1.5474251e+26"),  # the nearest 8-digit decimal lies below, outside the narrower lower half-step
    (3.4028234663852886e38, "3.4028235e+38"),  # the largest float32
    (2.0 ** -149, "1e-45"),  # the smallest
    (16777216.0, "1.6777216e+07"),
    (2308585.75, "2.3085858e+06"),  # halfway between two 8-digit decimals that both read back: the even one
    (0.1, "0.1"),
    (123456.0, "123456"),
    (1234567.0, "1.234567e+06"),
    (-2.5, "-2.5"),
])
def test_float_key_spellings(value: float, text: str) -> None:
    assert go_float32_text(value) == text
