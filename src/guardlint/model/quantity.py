"""Kubernetes resource quantities, parsed exactly as k8s.io/apimachinery's ``resource.ParseQuantity``.

Grammar (from the API's quantity.go)::

    <quantity>        ::= <signedNumber><suffix>
    <signedNumber>    ::= <number> | <sign><number>
    <sign>            ::= "+" | "-"
    <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
    <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
    <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
    <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E

The scanner is more lenient than the grammar in one way the API keeps: the number may be empty
(``"."``, ``"+"``, ``"Gi"`` parse as zero). Non-zero values are rounded up to nano precision.
    <decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber>

Values are exact ``Fraction``s, so ``1000m == 1`` and ``0.5 == 500m``. A YAML number (``cpu: 0.5``,
``memory: 1024``) is read through its decimal text, as the API's JSON decoder does.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any, NamedTuple

_QUANTITY = re.compile(
    r"^(?P<sign>[+-]?)(?P<num>[0-9]*(?:\.[0-9]*)?)"
    r"(?:(?P<bin>Ki|Mi|Gi|Ti|Pi|Ei)|(?P<exp>[eE][+-]?[0-9]+)|(?P<dec>[numkMGTPE]?))$"
)
_DECIMAL = {"": 0, "n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_NANO = Fraction(1, 10**9)
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}


class Quantity(NamedTuple):
    """A parsed quantity: its exact value and the text it came from."""

    value: Fraction
    text: str

    def is_integer(self) -> bool:
        return self.value.denominator == 1

    def __str__(self) -> str:
        return self.text


def _text_of(raw: Any) -> str | None:
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):
        if math.isnan(raw) or math.isinf(raw):
            return None
        text = repr(raw)
        if "e" in text or "E" in text:
            mantissa, _, exponent = text.lower().partition("e")
            return f"{mantissa}e{int(exponent)}"
        return text
    return None


def parse_quantity(raw: Any) -> Quantity | None:
    """Parse a quantity from a YAML value; None when the API would reject it."""
    text = _text_of(raw)
    if not text:
        return None
    m = _QUANTITY.match(text)
    if m is None:
        return None
    digits = m.group("num")
    whole, _, frac = digits.partition(".")
    # The API's scanner accepts an empty number ("", ".", "5.", ".5"): missing digits count as zero.
    number = Fraction(int(whole or "0")) + (Fraction(int(frac), 10 ** len(frac)) if frac else Fraction(0))
    if m.group("sign") == "-":
        number = -number
    if m.group("bin"):
        value = number * (2 ** _BINARY[m.group("bin")])
    elif m.group("exp"):
        exponent = int(m.group("exp")[1:])
        if abs(exponent) > 1000:  # the API rejects exponents it cannot represent
            return None
        value = number * Fraction(10) ** exponent
    else:
        value = number * Fraction(10) ** _DECIMAL[m.group("dec") or ""]
    if (value / _NANO).denominator != 1:
        # Non-zero values are rounded up, away from zero, to nano precision.
        units = -((-abs(value)) // _NANO)
        value = units * _NANO * (1 if value > 0 else -1)
    return Quantity(value, text)


def quantity_value(raw: Any) -> Fraction | None:
    q = parse_quantity(raw)
    return q.value if q is not None else None


def format_quantity(value: Fraction) -> str:
    """Render an exact value compactly (whole numbers as integers, fractions in milli-units when exact)."""
    if value.denominator == 1:
        return str(value.numerator)
    milli = value * 1000
    if milli.denominator == 1:
        return f"{milli.numerator}m"
    return f"{float(value):g}"
