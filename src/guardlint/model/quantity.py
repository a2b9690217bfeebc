"""Kubernetes resource quantities, parsed exactly as k8s.io/apimachinery's ``resource.ParseQuantity``.

Grammar (from the API's quantity.go)::

    <quantity>        ::= <signedNumber><suffix>
    <signedNumber>    ::= <number> | <sign><number>
    <sign>            ::= "+" | "-"
    <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
    <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
    <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
    <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
    <decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber>

The scanner is more lenient than the grammar in one way the API keeps: the number may be empty
(``"."``, ``"+"``, ``"Gi"`` parse as zero; ``"Pi"``, ``"Ei"`` and ``"e-10"`` do not, see below).
Suffixes are case-sensitive (``1K``, ``1mi`` are rejected). Non-zero values are rounded up, away from
zero, to nano precision (``0.1n`` is ``1n``); BinarySI values are capped at 2^63-1. Surrounding
whitespace is trimmed as the API's JSON decoder does (Go's ``TrimSpace``); inner whitespace is rejected.

Values are exact ``Fraction``s, so ``1000m == 1`` and ``0.5 == 500m``. A YAML number (``cpu: 0.5``,
``memory: 1024``) is read through its decimal text, as the API's JSON decoder does.
"""

from __future__ import annotations

import math
from fractions import Fraction

from guardlint._lazyre import lazy
from guardlint._record import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint.model.index import ResourceIndex

_QUANTITY = lazy(
    r"(?P<sign>[+-]?)(?P<whole>[0-9]*)(?:\.(?P<frac>[0-9]*))?"
    r"(?:(?P<bin>Ki|Mi|Gi|Ti|Pi|Ei)|(?P<exp>[eE][+-]?[0-9]+)|(?P<dec>[numkMGTPE]?))"
)
_DECIMAL = {"": 0, "n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_NANO = Fraction(1, 10**9)
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_MAX_BINARY = 2**63 - 1
"""BinarySI values are capped here (``8Ei`` reads as 2^63-1)."""
_MAX_SCALE = 10_000
"""Values above 10^10000 are not represented (the API accepts ``1e100000``; no resource is that large)."""
_MAX_DIGITS = 10_000
"""Numbers written with more significant digits than this are not represented either (None)."""
_INT_CHUNK = 4_000
"""Digit strings are converted in pieces below Python's int/str conversion limit (4300 digits)."""
_GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
"""What Go's ``strings.TrimSpace`` (used by ``Quantity.UnmarshalJSON``) strips; Python's strip() strips more."""


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


def _int32(value: int) -> int:
    """Go's ``int32(x)`` conversion of an int64: wrap around."""
    return (value + 2**31) % 2**32 - 2**31


_PLAIN_DIGITS = 18
"""The fast path takes at most this many digits (below 2^63, far below ``_MAX_DIGITS`` and ``_MAX_SCALE``)."""
_PLAIN_FACTORS: dict[str, tuple[int, int]] = {
    **{suffix: (10**exp, 1) if exp >= 0 else (1, 10**-exp) for suffix, exp in _DECIMAL.items()},
    **{suffix: (2**bits, 1) for suffix, bits in _BINARY.items()},
}
"""Suffix -> (multiplier, divisor) of the value of a plain quantity."""


def parse_quantity(raw: Any) -> Quantity | None:
    """Parse a quantity from a YAML value; None when the API would reject it.

    ``null`` (None) is None here although the API decodes it as zero: a rule cannot tell a null from a
    missing field, and a missing quantity is not zero.
    """
    if type(raw) is int and -(10**_PLAIN_DIGITS) < raw < 10**_PLAIN_DIGITS:
        return Quantity(Fraction(raw), str(raw))  # what the general path makes of str(raw)
    text = _text_of(raw)
    if not text:
        return None
    return _parse_plain(text) or _parse_text(text)


def is_quantity(raw: Any) -> bool:
    """Whether ``parse_quantity(raw)`` is not None, without computing the value where the text alone answers:
    a plain quantity (``_plain_parts``) always parses, so only other texts go through the grammar."""
    if type(raw) is int and -(10**_PLAIN_DIGITS) < raw < 10**_PLAIN_DIGITS:
        return True
    text = _text_of(raw)
    if not text:
        return False
    return _plain_parts(text) is not None or _parse_text(text) is not None


def _plain_parts(text: str) -> tuple[str, str, tuple[int, int]] | None:
    """The digits, suffix and suffix factor of a plain quantity (see ``_parse_plain``); None for any other text."""
    if text[-1] in _DIGIT_CHARS:
        digits, suffix = text, ""
    elif text[-2:] in _BINARY:
        digits, suffix = text[:-2], text[-2:]
    else:
        digits, suffix = text[:-1], text[-1]
    factor = _PLAIN_FACTORS.get(suffix)
    if factor is None or not 0 < len(digits) <= _PLAIN_DIGITS or digits.strip(_DIGIT_CHARS):
        return None
    return digits, suffix, factor


def _parse_plain(text: str) -> Quantity | None:
    """The quantities manifests mostly write (``2``, ``500m``, ``512Mi``, ``1G``: ASCII digits, no sign, point
    or exponent, then a suffix or nothing) without the grammar's regex; None sends every other text to
    ``_parse_text``. Exact: such a value is an integer times a power of ten or of two, which needs neither the
    rounding to nano precision (the smallest suffix is ``n``) nor the number checks; only the BinarySI cap
    applies. ``tests/unit/test_quantity.py`` compares it with the general path on a table of tricky texts."""
    parts = _plain_parts(text)
    if parts is None:
        return None
    digits, suffix, (multiplier, divisor) = parts
    number = int(digits) * multiplier
    if suffix in _BINARY and number > _MAX_BINARY:
        number = _MAX_BINARY
    return Quantity(Fraction(number, divisor), text)


_DIGIT_CHARS = "0123456789"


def _parse_text(text: str) -> Quantity | None:
    """The general path: any text the grammar allows (``text`` is trimmed and not empty)."""
    m = _QUANTITY.fullmatch(text)
    if m is None:
        return None
    whole, frac = m.group("whole"), m.group("frac") or ""
    # The API's scanner accepts a number without digits ("", ".", "+", "-."): it counts as zero, except
    # where the API's slow path re-reads the number text and finds no digits there (ErrNumeric): with
    # Pi and Ei, and with an exponent below -9.
    has_digits = bool(whole or frac)
    digits = (whole + frac).lstrip("0")
    if len(digits) > _MAX_DIGITS:
        return None
    numerator = _int(digits)
    scale = -len(frac)  # value = numerator * 10**scale (* 2**bits)
    bits = 0
    if m.group("bin"):
        bits = _BINARY[m.group("bin")]
        if not has_digits and bits >= 50:
            return None
    elif m.group("exp"):
        exponent = int(m.group("exp")[1:])
        if not -(2**63) <= exponent < 2**63:  # the API parses the exponent as an int64 ...
            return None
        exponent = _int32(exponent)  # ... and then keeps it as an int32
        if not has_digits and exponent < -9:
            return None
        scale += exponent
    else:
        scale += _DECIMAL[m.group("dec") or ""]
    if numerator == 0:
        return Quantity(Fraction(0), text)
    if scale > _MAX_SCALE:
        return None
    if not bits and scale < -9 - len(digits):
        value = _NANO  # far below one nano (and perhaps too small to compute): rounds up to it
    else:
        value = Fraction(numerator * 2**bits) * Fraction(10) ** scale
        if (value / _NANO).denominator != 1:
            # Non-zero values are rounded up, away from zero, to nano precision.
            value = -((-value) // _NANO) * _NANO
    if bits and value > _MAX_BINARY:
        value = Fraction(_MAX_BINARY)
    return Quantity(-value if m.group("sign") == "-" else value, text)


def _int(digits: str) -> int:
    """``int(digits)`` for a string of decimal digits of any length ("" is 0), without tripping Python's
    limit on int/str conversions (halves are converted separately and joined)."""
    if len(digits) <= _INT_CHUNK:
        return int(digits or "0")
    half = len(digits) // 2
    shift: int = 10 ** (len(digits) - half)
    return _int(digits[:half]) * shift + _int(digits[half:])


def exact_number(value: Any) -> Fraction | None:
    """An int or float (a rule parameter, a YAML number) as an exact Fraction, through its decimal text as
    written (``0.1`` is 1/10); None for booleans, NaN, infinities and other types."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float) and math.isfinite(value):
        text = repr(value)
        whole, point, frac = text.partition(".")
        if point and "e" not in frac:  # "-12.5": the digits over a power of ten, without Fraction's text parser
            return Fraction(int(whole + frac), 10 ** len(frac))
        return Fraction(text)  # an exponent ("1e-05", "1e+16")
    return None


_FLOAT_SAFE_HIGH = Fraction(10) ** 300
_FLOAT_SAFE_LOW = Fraction(1, 10**300)


def format_number(value: Fraction) -> str:
    """An exact value in ``%g`` style (6 significant digits) for messages, at any magnitude.

    Within the range of floats this is exactly ``f"{float(value):g}"``; beyond it (``1e400`` parses to an
    exact value that no float holds) the digits are computed with decimal arithmetic instead, so a message
    never overflows.
    """
    size = abs(value)
    if value == 0 or _FLOAT_SAFE_LOW < size < _FLOAT_SAFE_HIGH:
        return f"{float(value):g}"
    from decimal import Decimal, localcontext

    with localcontext() as context:
        context.prec = 6
        context.Emax = 10**9
        context.Emin = -(10**9)
        decimal = (Decimal(value.numerator) / Decimal(value.denominator)).normalize()
    return format(decimal, "g").replace("E", "e")


def quantity_value(raw: Any) -> Fraction | None:
    q = parse_quantity(raw)
    return q.value if q is not None else None


QuantityMemo = dict[str, "Fraction | None"]
"""A run's memo of ``quantity_value`` by text (``run_quantities``)."""

RUN_QUANTITIES = "model:quantity-values"
"""The key of that memo among the run index's object memos (``ResourceIndex.object_memo``)."""


def remembered_value(raw: Any, memo: QuantityMemo) -> Fraction | None:
    """``quantity_value(raw)``, parsed once per text in ``memo`` (a run's, ``run_quantities``): the rules that
    compare requests with limits read the same few texts (``100m``, ``128Mi``) on every container of every
    object, each rule for itself. Exact: the value of a text is a function of the text alone (a ``str``; any
    other type is parsed every time, so ``True`` never meets ``1``), and the value, an immutable ``Fraction``,
    may be shared."""
    if type(raw) is not str:
        return quantity_value(raw)
    value: Fraction | None = memo.get(raw, _UNPARSED)
    if value is _UNPARSED:
        value = memo[raw] = quantity_value(raw)
    return value


_UNPARSED: Any = object()


def run_quantities(index: ResourceIndex) -> QuantityMemo:
    """The run's memo for ``remembered_value``: one of the run index's object memos, which a share of a ``--jobs``
    pool keeps for itself (a value depends on its text alone, never on the run's other objects)."""
    memo: QuantityMemo = index.object_memo(RUN_QUANTITIES, dict)
    return memo


def format_quantity(value: Fraction) -> str:
    """Render an exact value compactly (whole numbers as integers, fractions in milli-units when exact)."""
    if abs(value) >= _FLOAT_SAFE_HIGH:  # beyond what str() of an int or float() can render
        return format_number(value)
    if value.denominator == 1:
        return str(value.numerator)
    milli = value * 1000
    if milli.denominator == 1:
        return f"{milli.numerator}m"
    return format_number(value)


def quantity_text(raw: Any) -> str:
    """A quantity as written in the manifest, for messages (``" 2Gi "`` -> ``2Gi``; ``true`` and null as YAML
    writes them; an empty string as ``''``)."""
    if isinstance(raw, str):
        return raw.strip() or repr(raw)
    return str(raw).lower() if isinstance(raw, bool) or raw is None else str(raw)
