"""Kubernetes quantities: every edge case of the API's ``ParseQuantity`` (gpu-spec.md §1.5)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from guardlint.model.quantity import Quantity, format_quantity, parse_quantity, quantity_value
from guardlint.source.loader import load_text

F = Fraction
NANO = F(1, 10**9)


def value(raw: Any) -> Fraction | None:
    q = parse_quantity(raw)
    return q.value if q is not None else None


ACCEPTED = [
    # spec table, left column
    ("1.5Ki", F(1536)),
    ("0.1Ki", F(1024, 10)),
    ("1e3", F(1000)),
    ("1E3", F(1000)),
    ("1e+3", F(1000)),
    ("1e-3", F(1, 1000)),
    ("1E", F(10**18)),  # exa, not an exponent
    ("+1", F(1)),
    ("-1", F(-1)),
    (".5", F(1, 2)),
    ("5.", F(5)),
    ("1.", F(1)),
    ("1.G", F(10**9)),
    (".", F(0)),
    ("+", F(0)),
    ("-", F(0)),
    ("Gi", F(0)),
    ("m", F(0)),
    ("00", F(0)),
    ("3.0", F(3)),
    ("2e0", F(2)),
    ("1n", NANO),
    ("0.0001", F(1, 10**4)),
    ("1.0001", F(10001, 10**4)),
    (" 1 ", F(1)),  # UnmarshalJSON trims
    ("0", F(0)),
    # every suffix
    ("1n", F(1, 10**9)), ("1u", F(1, 10**6)), ("1m", F(1, 1000)), ("1k", F(1000)), ("1M", F(10**6)),
    ("1G", F(10**9)), ("1T", F(10**12)), ("1P", F(10**15)), ("1E", F(10**18)),
    ("1Ki", F(2**10)), ("1Mi", F(2**20)), ("1Gi", F(2**30)), ("1Ti", F(2**40)), ("1Pi", F(2**50)),
    ("1Ei", F(2**60)),
    # rounding up, away from zero, to nano precision
    ("0.1n", NANO),
    ("1.5n", 2 * NANO),
    ("-0.1n", -NANO),
    ("1e-10", NANO),
    ("1e-1000000", NANO),  # far too small to compute exactly: still rounds up to 1n
    ("0.0000000001", NANO),
    ("0.000000000001Ei", F(1152921504606847, 10**9)),  # 2^60 / 10^12 = 1152921.504606846976 -> up
    # zero stays zero whatever the suffix or exponent
    ("0e-10", F(0)),
    ("0Ei", F(0)),
    ("0e999999", F(0)),
    ("e5", F(0)),
    ("Ti", F(0)),  # the fast path takes Ti with an empty number (Pi and Ei go the slow path: see below)
    # BinarySI is capped at 2^63-1; decimal values are not
    ("8Ei", F(2**63 - 1)),
    ("-8Ei", F(-(2**63 - 1))),
    ("7Ei", F(7 * 2**60)),
    ("10E", F(10**19)),
    ("1e1000", F(10**1000)),
    # the exponent is an int64 that the API keeps as an int32
    ("1e4294967296", F(1)),
    ("1e9223372036854775807", F(1, 10)),
    # leading zeros of the exponent do not count (strconv.ParseInt), however many
    ("1e" + "0" * 5000 + "5", F(10**5)),
    ("1e-" + "0" * 5000 + "3", F(1, 1000)),
    ("1e+0009", F(10**9)),
    # Go's TrimSpace
    ("\t1Gi\n", F(2**30)),
    ("\u00a01\u3000", F(1)),
    # Kubernetes canonical examples
    ("1000m", F(1)),
    ("500m", F(1, 2)),
    ("1536Mi", F(3 * 2**29)),
]

REJECTED = [
    "1K", "1mi", "1i", "1e", "1Ki5", "1.5.5", "1 Gi", "1 000", "0x10", "1_000", "Inf", "NaN", "true", "",
    "   ", "Pi", "Ei", ".Pi", "+Ei", "e-10", ".e-10", "-e-10", "1e+", "1Ee3", "1e3e", "1ee3", "1KI", "1ki", "+-1",
    "--1", "1e9223372036854775808", "1e-9223372036854775809", "1e100001",
    "1e" + "1" * 5000, "1e-" + "1" * 5000, "١", "1\x1c", "1\u200b",
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED, ids=[repr(t) for t, _ in ACCEPTED])
def test_accepted(text: str, expected: Fraction) -> None:
    q = parse_quantity(text)
    assert q is not None
    assert q.value == expected
    assert q.text == text.strip("\t\n\u00a0\u3000 ")


@pytest.mark.parametrize("text", REJECTED, ids=[repr(t) for t in REJECTED])
def test_rejected(text: str) -> None:
    assert parse_quantity(text) is None


@pytest.mark.parametrize(
    ("yaml_text", "expected", "python_type"),
    [
        ("0.5", F(1, 2), float),
        ("1024", F(1024), int),
        ("1e3", F(1000), float),  # a number to Kubernetes' YAML decoder (go-yaml v2; PyYAML: a string)
        ("1.0e3", F(1000), float),  # the same (PyYAML: a string, its floats need a signed exponent)
        ("1.0e+3", F(1000), float),
        ("0.1", F(1, 10), float),  # through its decimal text, never the binary float
        ("1e-7", F(1, 10**7), float),
        ("1.0e-7", F(1, 10**7), float),
        ("0755", F(493), int),  # YAML 1.1 octal, as go-yaml v2 reads it too
        ("-0.0", F(0), float),
        ('"2Gi"', F(2**31), str),
        ("'  3 '", F(3), str),
    ],
    ids=["half", "int", "1e3", "1.0e3", "1.0e+3", "tenth", "1e-7", "1.0e-7", "octal", "negative-zero",
         "string", "padded-string"],
)
def test_yaml_numbers(yaml_text: str, expected: Fraction, python_type: type) -> None:
    (doc,) = load_text(f"cpu: {yaml_text}\n", "q.yaml").documents
    raw = doc.data["cpu"]
    assert type(raw) is python_type
    assert value(raw) == expected


@pytest.mark.parametrize(
    "raw", [None, True, False, float("nan"), float("inf"), float("-inf"), [], {}, b"1"],
    ids=["none", "true", "false", "nan", "inf", "-inf", "list", "dict", "bytes"],
)
def test_non_quantities(raw: Any) -> None:
    assert parse_quantity(raw) is None
    assert quantity_value(raw) is None


@pytest.mark.parametrize(
    ("raw", "text"),
    [(1e21, "1e21"), (1e-05, "1e-5"), (0.1, "0.1"), (1.5e300, "1.5e300"), (10, "10"), (-3, "-3")],
    ids=["1e21", "1e-05", "0.1", "1.5e300", "int", "negative-int"],
)
def test_numbers_are_read_through_their_decimal_text(raw: float, text: str) -> None:
    q = parse_quantity(raw)
    assert q is not None
    assert (q.text, q.value) == (text, Fraction(text))


@pytest.mark.parametrize(
    ("a", "b"),
    [("1000m", "1"), ("1000m", 1), ("0.5", "500m"), (0.5, "500m"), ("1e0", 1), ("1", "1.0"), ("1Ki", 1024),
     ("1k", "1000"), ("2Gi", "2048Mi"), ("1.5Gi", "1536Mi"), ("1E", "1e18"), ("0", "-0")],
    ids=repr,
)
def test_equal_values(a: Any, b: Any) -> None:
    assert quantity_value(a) == quantity_value(b)


def test_ordering() -> None:
    ordered = ["1n", "1u", "1m", "0.5", "1", "1k", "1Ki", "1M", "1Mi", "1G", "1Gi"]
    values = [quantity_value(q) for q in ordered]
    assert values == sorted(v for v in values if v is not None)
    assert quantity_value("1Ki") != quantity_value("1k")  # binary vs decimal


def test_quantity_is_a_value_with_its_text() -> None:
    q = parse_quantity("1.5Gi")
    assert q == Quantity(F(3 * 2**29), "1.5Gi")
    assert str(q) == "1.5Gi"
    assert q is not None and q.is_integer()
    half = parse_quantity("500m")
    assert half is not None and not half.is_integer()


@pytest.mark.parametrize(
    ("value_", "text"),
    [(F(1), "1"), (F(1, 2), "500m"), (F(3, 2), "1500m"), (F(1, 3), "0.333333"), (F(1536), "1536"), (F(0), "0")],
    ids=["one", "half", "one-and-half", "third", "integer", "zero"],
)
def test_format_quantity(value_: Fraction, text: str) -> None:
    assert format_quantity(value_) == text


# The fast path for plain quantities (``_parse_plain``) must give what the general path gives, value (of the
# same type) and text, and leave every other text to it.
_SUFFIXES = ["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
_PLAIN_NUMBERS = ["0", "00", "1", "007", "10", "512", "999999999999999999", "100000000000000000"]
_OTHER_TEXTS = [
    # numbers the fast path does not take: signs, points, exponents, too many digits, non-ASCII digits
    "+1", "-1", "+0", "-0", ".5", "1.", "1.5", "0.5Gi", "1e3", "1E3", "1e+3", "1e-3", "1e", "1E3Ki",
    "1234567890123456789", "12345678901234567890Ei", "\u0663", "1\u0663", "\u00b2", "\uff11Gi", "1\u00b2m",
    # suffixes without digits (zero, or rejected for Pi and Ei), wrong case, unknown or doubled suffixes
    "Ki", "Pi", "Ei", "m", "E", "1K", "1mi", "1KI", "1i", "1Kii", "1mm", "1kM", "1 Gi", "1_000", "0x10",
    "1,5", "--1", "1-", "Gi1", "i", "e", "e3",
]


def _quantity_texts() -> list[str]:
    return [n + s for n in _PLAIN_NUMBERS for s in _SUFFIXES] + _OTHER_TEXTS


@pytest.mark.parametrize("text", _quantity_texts())
def test_plain_fast_path_equals_the_general_path(text: str) -> None:
    from guardlint.model.quantity import NANO, _plain_nanos, _text_nanos

    general = _text_nanos(text)
    fast = _plain_nanos(text)
    if fast is not None:
        assert general is not None
        assert (type(fast), fast) == (int, general)
    got = parse_quantity(text)
    assert (got is None) == (general is None)
    if got is not None:
        assert general is not None
        assert type(got.value) is Fraction and got == Quantity(Fraction(general, NANO), text)


def test_plain_fast_path_takes_what_it_is_for() -> None:
    from guardlint.model.quantity import NANO, _plain_nanos

    taken = [n + s for n in _PLAIN_NUMBERS for s in _SUFFIXES]
    assert all(_plain_nanos(t) is not None for t in taken)
    assert [t for t in _OTHER_TEXTS if _plain_nanos(t) is not None] == []
    assert _plain_nanos("8Ei") == (2**63 - 1) * NANO  # the BinarySI cap applies on the fast path too
    assert _plain_nanos(" 1 ") is None  # surrounding space is trimmed before: parse_quantity(" 1 ") is 1


@pytest.mark.parametrize(
    "number", [0, 1, -1, 7, 1024, -(2**31), 10**17, 10**18 - 1, 10**18, -(10**18) + 1, -(10**18), 2**63, -(2**63)],
)
def test_integer_fast_path_equals_the_general_path(number: int) -> None:
    from guardlint.model.quantity import NANO, _text_nanos

    got = parse_quantity(number)
    general = _text_nanos(str(number))
    assert got is not None and general is not None
    assert (type(got.value), got.value, got.text) == (Fraction, Fraction(general, NANO), str(number))


@pytest.mark.parametrize(
    "number",
    [0.0, -0.0, 0.1, -0.1, 1.0, 2.5, -12.5, 0.3333333333333333, 1e-05, 1.5e-07, 1e16, 1.2345e20, 123456789.125,
     5e-324, 1.7976931348623157e308, -2.0],
)
def test_exact_number_of_a_float_is_its_decimal_text(number: float) -> None:
    from guardlint.model.quantity import exact_number

    got = exact_number(number)
    assert type(got) is Fraction and got == Fraction(repr(number))


def test_is_quantity_answers_as_parse_quantity() -> None:
    """``is_quantity`` (schema validation asks only whether a value parses) equals ``parse_quantity(x) is not
    None`` on every text and value of this module's tables, padded or not."""
    from guardlint.model.quantity import is_quantity

    values: list[Any] = [t for t, _ in ACCEPTED] + REJECTED + _quantity_texts()
    values += [f" {t}\t" for t in list(values)]
    values += [None, True, False, float("nan"), float("inf"), 1e21, 1e-05, 0.1, -0.0, [], {}, b"1",
               0, -1, 10**18 - 1, 10**18, -(10**18), 2**63, 2**200]
    for raw in values:
        assert is_quantity(raw) == (parse_quantity(raw) is not None), repr(raw)
