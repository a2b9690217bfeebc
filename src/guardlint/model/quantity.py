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

Values are exact, so ``1000m == 1`` and ``0.5 == 500m``. A YAML number (``cpu: 0.5``, ``memory: 1024``) is
read through its decimal text, as the API's JSON decoder does. The rules work on ``Amount``s: the value as a
whole number of nano-units, which it always is (the API rounds up to nano precision), so that a run needs
neither ``fractions`` nor ``decimal`` (about 9.6 M instructions to import: 1.8% of a pre-commit run). The
library's functions (``parse_quantity``, ``quantity_value``) still give ``Fraction``s, made from the same
integers on demand.
"""

from __future__ import annotations

import math

from guardlint._lazyre import lazy
from guardlint._record import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from fractions import Fraction
    from typing import Any

    from guardlint.model.index import ResourceIndex

_QUANTITY = lazy(
    r"(?P<sign>[+-]?)(?P<whole>[0-9]*)(?:\.(?P<frac>[0-9]*))?"
    r"(?:(?P<bin>Ki|Mi|Gi|Ti|Pi|Ei)|(?P<exp>[eE][+-]?[0-9]+)|(?P<dec>[numkMGTPE]?))"
)
_DECIMAL = {"": 0, "n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
NANO = 10**9
"""Nano-units in one unit: every parsed quantity is a whole number of them (``Amount.nanos``)."""
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_MAX_BINARY = 2**63 - 1
"""BinarySI values are capped here (``8Ei`` reads as 2^63-1)."""
_MAX_BINARY_NANOS = _MAX_BINARY * NANO
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
_FLOAT_SAFE = 10**300
"""Messages print values whose size is within (1/_FLOAT_SAFE, _FLOAT_SAFE) through a float."""


class Amount:
    """An exact quantity value as a whole number of nano-units (``nanos``): every value ``ParseQuantity``
    gives is one, since it rounds non-zero values up, away from zero, to nano precision.

    It answers every operation as the ``Fraction`` ``nanos / 10**9`` (``fraction()``), which the rules used
    before: comparisons, sums, differences, products, floor divisions and remainders with other amounts and
    with ints (and bools, as a Fraction takes them) are computed on the integers; any other operand (a float,
    a Fraction, a product or quotient of two amounts) is given to that Fraction, made on demand, so nothing
    answers differently, only the common cases do not import ``fractions``. ``tests/unit/test_amount.py``
    compares every operation with the Fraction on generated values."""

    __slots__ = ("nanos",)
    nanos: int

    def __init__(self, nanos: int) -> None:
        object.__setattr__(self, "nanos", nanos)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Amount is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Amount is immutable: cannot delete {name!r}")

    def __reduce__(self) -> tuple[type[Amount], tuple[int]]:
        return Amount, (self.nanos,)

    def fraction(self) -> Fraction:
        """The value as a ``Fraction`` (imports ``fractions``)."""
        from fractions import Fraction

        return Fraction(self.nanos, NANO)

    @property
    def numerator(self) -> int:
        return self.nanos // math.gcd(self.nanos, NANO)

    @property
    def denominator(self) -> int:
        return NANO // math.gcd(self.nanos, NANO)

    def __repr__(self) -> str:
        return f"Amount({self.nanos})"

    def __str__(self) -> str:  # as a Fraction prints: "3/2", "-7"
        g = math.gcd(self.nanos, NANO)
        return str(self.nanos // g) if g == NANO else f"{self.nanos // g}/{NANO // g}"

    def __hash__(self) -> int:
        n = self.nanos
        return hash(n // NANO) if n % NANO == 0 else hash(self.fraction())

    def __bool__(self) -> bool:
        return self.nanos != 0

    def __float__(self) -> float:
        return self.nanos / NANO  # int division is correctly rounded, as Fraction.__float__'s is

    def __int__(self) -> int:
        n = self.nanos
        return -(-n // NANO) if n < 0 else n // NANO

    __trunc__ = __int__

    def __floor__(self) -> int:
        return self.nanos // NANO

    def __ceil__(self) -> int:
        return -(-self.nanos // NANO)

    def __round__(self, ndigits: int | None = None) -> Any:
        return round(self.fraction(), ndigits)

    def __neg__(self) -> Amount:
        return Amount(-self.nanos)

    def __pos__(self) -> Amount:
        return self

    def __abs__(self) -> Amount:
        return Amount(abs(self.nanos))

    def __eq__(self, other: object) -> bool:
        n = _nanos_of(other)
        if n is None:
            return self.fraction() == other
        return self.nanos == n

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __lt__(self, other: Any) -> bool:
        n = _nanos_of(other)
        if n is None:
            return bool(self.fraction() < other)
        return self.nanos < n

    def __le__(self, other: Any) -> bool:
        n = _nanos_of(other)
        if n is None:
            return bool(self.fraction() <= other)
        return self.nanos <= n

    def __gt__(self, other: Any) -> bool:
        n = _nanos_of(other)
        if n is None:
            return bool(self.fraction() > other)
        return self.nanos > n

    def __ge__(self, other: Any) -> bool:
        n = _nanos_of(other)
        if n is None:
            return bool(self.fraction() >= other)
        return self.nanos >= n

    def __add__(self, other: Amount | int) -> Amount:
        n = _nanos_of(other)
        if n is None:
            return self.fraction() + _operand(other)  # type: ignore[no-any-return]
        return Amount(self.nanos + n)

    __radd__ = __add__

    def __sub__(self, other: Amount | int) -> Amount:
        n = _nanos_of(other)
        if n is None:
            return self.fraction() - _operand(other)  # type: ignore[no-any-return]
        return Amount(self.nanos - n)

    def __rsub__(self, other: int) -> Amount:
        n = _nanos_of(other)
        if n is None:
            return _operand(other) - self.fraction()  # type: ignore[no-any-return]
        return Amount(n - self.nanos)

    def __mul__(self, other: Any) -> Amount:
        if isinstance(other, int):  # an int times a whole number of nano-units is one
            return Amount(self.nanos * other)
        return self.fraction() * _operand(other)  # type: ignore[no-any-return]

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Any:
        return self.fraction() / _operand(other)

    def __rtruediv__(self, other: Any) -> Any:
        return _operand(other) / self.fraction()

    def __floordiv__(self, other: Amount | int) -> int:
        n = _nanos_of(other)
        if n is None:
            return self.fraction() // _operand(other)  # type: ignore[no-any-return]
        return self.nanos // n

    def __rfloordiv__(self, other: int) -> int:
        n = _nanos_of(other)
        if n is None:
            return _operand(other) // self.fraction()  # type: ignore[no-any-return]
        return n // self.nanos

    def __mod__(self, other: Amount | int) -> Amount:
        n = _nanos_of(other)
        if n is None:
            return self.fraction() % _operand(other)  # type: ignore[no-any-return]
        return Amount(self.nanos % n)

    def __rmod__(self, other: int) -> Amount:
        n = _nanos_of(other)
        if n is None:
            return _operand(other) % self.fraction()  # type: ignore[no-any-return]
        return Amount(n % self.nanos)

    def __divmod__(self, other: Amount | int) -> tuple[int, Amount]:
        return self // other, self % other

    def __rdivmod__(self, other: int) -> tuple[int, Amount]:
        return other // self, other % self

    def __pow__(self, other: Any) -> Any:
        return self.fraction() ** _operand(other)

    def __rpow__(self, other: Any) -> Any:
        return _operand(other) ** self.fraction()


def _nanos_of(other: object) -> int | None:
    """An amount's or an int's value in nano-units; None for any other operand."""
    if type(other) is Amount:
        return other.nanos
    if isinstance(other, int):
        return other * NANO
    return None


def _operand(other: Any) -> Any:
    """``other`` for an operation with a Fraction: an amount as its Fraction, anything else as it is."""
    return other.fraction() if type(other) is Amount else other


ZERO = Amount(0)


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
_PLAIN_LIMIT = 10**_PLAIN_DIGITS
_PLAIN_DECIMAL: dict[str, int] = {suffix: 10 ** (exp + 9) for suffix, exp in _DECIMAL.items()}
"""Decimal suffix -> nano-units of one unit of a plain quantity."""


def quantity_amount(raw: Any) -> Amount | None:
    """The value of a quantity from a YAML value (``quantity_value`` as an ``Amount``); None when the API would
    reject it.

    ``null`` (None) is None here although the API decodes it as zero: a rule cannot tell a null from a
    missing field, and a missing quantity is not zero.
    """
    if type(raw) is int and -_PLAIN_LIMIT < raw < _PLAIN_LIMIT:
        return Amount(raw * NANO)  # what the general path makes of str(raw)
    text = _text_of(raw)
    if not text:
        return None
    nanos = _plain_nanos(text)
    if nanos is None:
        nanos = _text_nanos(text)
        if nanos is None:
            return None
    return Amount(nanos)


def parse_quantity(raw: Any) -> Quantity | None:
    """Parse a quantity from a YAML value; None when the API would reject it.

    ``null`` (None) is None here although the API decodes it as zero: a rule cannot tell a null from a
    missing field, and a missing quantity is not zero.
    """
    amount = quantity_amount(raw)
    if amount is None:
        return None
    text = _text_of(raw)
    assert text is not None  # a value that parses has a text
    return Quantity(amount.fraction(), text)


def is_quantity(raw: Any) -> bool:
    """Whether ``parse_quantity(raw)`` is not None, without computing the value where the text alone answers:
    a plain quantity (``_plain_parts``) always parses, so only other texts go through the grammar."""
    if type(raw) is int and -_PLAIN_LIMIT < raw < _PLAIN_LIMIT:
        return True
    text = _text_of(raw)
    if not text:
        return False
    return _plain_parts(text) is not None or _text_nanos(text) is not None


def _plain_parts(text: str) -> tuple[str, str] | None:
    """The digits and suffix of a plain quantity (see ``_plain_nanos``); None for any other text."""
    if text[-1] in _DIGIT_CHARS:
        digits, suffix = text, ""
    elif text[-2:] in _BINARY:
        digits, suffix = text[:-2], text[-2:]
    else:
        digits, suffix = text[:-1], text[-1]
        if suffix not in _DECIMAL:
            return None
    if not 0 < len(digits) <= _PLAIN_DIGITS or digits.strip(_DIGIT_CHARS):
        return None
    return digits, suffix


def _plain_nanos(text: str) -> int | None:
    """The quantities manifests mostly write (``2``, ``500m``, ``512Mi``, ``1G``: ASCII digits, no sign, point
    or exponent, then a suffix or nothing) without the grammar's regex; None sends every other text to
    ``_text_nanos``. Exact: such a value is an integer times a power of ten or of two, which needs neither the
    rounding to nano precision (the smallest suffix is ``n``) nor the number checks; only the BinarySI cap
    applies. ``tests/unit/test_quantity.py`` compares it with the general path on a table of tricky texts."""
    parts = _plain_parts(text)
    if parts is None:
        return None
    digits, suffix = parts
    bits = _BINARY.get(suffix)
    if bits is None:
        return int(digits) * _PLAIN_DECIMAL[suffix]
    return min(int(digits) << bits, _MAX_BINARY) * NANO


_DIGIT_CHARS = "0123456789"


def _text_nanos(text: str) -> int | None:
    """The general path: the value in nano-units of any text the grammar allows (``text`` is trimmed and not
    empty); None when the API rejects it."""
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
        # The API parses the exponent with strconv.ParseInt(text, 10, 64): a sign, then digits, leading zeros
        # allowed; more than 19 digits after them is out of an int64's range (and Python's int() refuses a text
        # of more than 4,300 digits, so the length is judged before converting).
        exp_text = m.group("exp")[1:]
        exp_digits = exp_text.lstrip("+-").lstrip("0")
        if len(exp_digits) > 19:
            return None
        exponent = int(exp_digits or "0")
        if exp_text[:1] == "-":
            exponent = -exponent
        if not -(2**63) <= exponent < 2**63:  # the API parses the exponent as an int64 ...
            return None
        exponent = _int32(exponent)  # ... and then keeps it as an int32
        if not has_digits and exponent < -9:
            return None
        scale += exponent
    else:
        scale += _DECIMAL[m.group("dec") or ""]
    if numerator == 0:
        return 0
    if scale > _MAX_SCALE:
        return None
    if not bits and scale < -9 - len(digits):
        nanos = 1  # far below one nano (and perhaps too small to compute): rounds up to it
    elif scale >= -9:
        nanos = (numerator << bits) * 10 ** (scale + 9)
    else:
        # Non-zero values are rounded up, away from zero, to nano precision (the sign is applied below).
        nanos = -(-(numerator << bits) // 10 ** (-9 - scale))
    if bits and nanos > _MAX_BINARY_NANOS:
        nanos = _MAX_BINARY_NANOS
    return -nanos if m.group("sign") == "-" else nanos


def _int(digits: str) -> int:
    """``int(digits)`` for a string of decimal digits of any length ("" is 0), without tripping Python's
    limit on int/str conversions (halves are converted separately and joined)."""
    if len(digits) <= _INT_CHUNK:
        return int(digits or "0")
    half = len(digits) // 2
    shift: int = 10 ** (len(digits) - half)
    return _int(digits[:half]) * shift + _int(digits[half:])


def exact_ratio(value: Any) -> tuple[int, int] | None:
    """An int or float (a rule parameter, a YAML number) as an exact ratio of integers (numerator, denominator
    > 0, not reduced), through its decimal text as written (``0.1`` is 1/10); None for booleans, NaN,
    infinities and other types."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value, 1
    if isinstance(value, float) and math.isfinite(value):
        mantissa, _, exponent = repr(value).partition("e")  # "-12.5", "1e-05", "1.5e+16"
        whole, _, frac = mantissa.partition(".")
        numerator, denominator = int(whole + frac), 10 ** len(frac)
        power = int(exponent or "0")
        if power >= 0:
            return numerator * 10**power, denominator
        return numerator, denominator * 10**-power
    return None


def exact_number(value: Any) -> Fraction | None:
    """``exact_ratio`` as a Fraction (imports ``fractions``)."""
    ratio = exact_ratio(value)
    if ratio is None:
        return None
    from fractions import Fraction

    return Fraction(*ratio)


def format_ratio(numerator: int, denominator: int) -> str:
    """The exact value ``numerator / denominator`` (``denominator`` > 0) in ``%g`` style (6 significant
    digits) for messages, at any magnitude.

    Within the range of floats this is exactly ``f"{float(Fraction(numerator, denominator)):g}"`` (the int
    division is correctly rounded, as the Fraction's is); beyond it (``1e400`` parses to an exact value that
    no float holds) the digits are computed with decimal arithmetic instead, so a message never overflows.
    """
    size = abs(numerator)
    if size == 0 or (denominator < size * _FLOAT_SAFE and size < denominator * _FLOAT_SAFE):
        return f"{numerator / denominator:g}"
    from decimal import Decimal, localcontext

    with localcontext() as context:
        context.prec = 6
        context.Emax = 10**9
        context.Emin = -(10**9)
        decimal = (Decimal(numerator) / Decimal(denominator)).normalize()
    return format(decimal, "g").replace("E", "e")


def format_number(value: Fraction | Amount) -> str:
    """An exact value in ``%g`` style (6 significant digits) for messages, at any magnitude (``format_ratio``)."""
    if type(value) is Amount:
        return format_ratio(value.nanos, NANO)
    return format_ratio(value.numerator, value.denominator)


def quantity_value(raw: Any) -> Fraction | None:
    """The exact value of a quantity as a Fraction (``quantity_amount`` for the rules: no ``fractions``)."""
    amount = quantity_amount(raw)
    return amount.fraction() if amount is not None else None


QuantityMemo = dict[str, "Amount | None"]
"""A run's memo of ``quantity_amount`` by text (``run_quantities``)."""

RUN_QUANTITIES = "model:quantity-values"
"""The key of that memo among the run index's object memos (``ResourceIndex.object_memo``)."""


def remembered_value(raw: Any, memo: QuantityMemo) -> Amount | None:
    """``quantity_amount(raw)``, parsed once per text in ``memo`` (a run's, ``run_quantities``): the rules that
    compare requests with limits read the same few texts (``100m``, ``128Mi``) on every container of every
    object, each rule for itself. Exact: the value of a text is a function of the text alone (a ``str``; any
    other type is parsed every time, so ``True`` never meets ``1``), and the value, an immutable ``Amount``,
    may be shared."""
    if type(raw) is not str:
        return quantity_amount(raw)
    value: Amount | None = memo.get(raw, _UNPARSED)
    if value is _UNPARSED:
        value = memo[raw] = quantity_amount(raw)
    return value


_UNPARSED: Any = object()


def run_quantities(index: ResourceIndex) -> QuantityMemo:
    """The run's memo for ``remembered_value``: one of the run index's object memos, which a share of a ``--jobs``
    pool keeps for itself (a value depends on its text alone, never on the run's other objects)."""
    memo: QuantityMemo = index.object_memo(RUN_QUANTITIES, dict)
    return memo


def format_quantity(value: Fraction | Amount) -> str:
    """Render an exact value compactly (whole numbers as integers, fractions in milli-units when exact)."""
    if type(value) is Amount:
        n = value.nanos
        if abs(n) >= _FLOAT_SAFE * NANO:  # beyond what str() of an int or float() can render
            return format_ratio(n, NANO)
        if n % NANO == 0:
            return str(n // NANO)
        if n % 1_000_000 == 0:
            return f"{n // 1_000_000}m"
        return format_ratio(n, NANO)
    numerator, denominator = value.numerator, value.denominator
    if abs(numerator) >= denominator * _FLOAT_SAFE:
        return format_ratio(numerator, denominator)
    if denominator == 1:
        return str(numerator)
    if 1000 % denominator == 0:  # the value in milli-units is whole
        return f"{numerator * (1000 // denominator)}m"
    return format_ratio(numerator, denominator)


def quantity_text(raw: Any) -> str:
    """A quantity as written in the manifest, for messages (``" 2Gi "`` -> ``2Gi``; ``true`` and null as YAML
    writes them; an empty string as ``''``)."""
    if isinstance(raw, str):
        return raw.strip() or repr(raw)
    return str(raw).lower() if isinstance(raw, bool) or raw is None else str(raw)
