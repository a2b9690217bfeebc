"""What a plain (unquoted, untagged) YAML scalar means to Kubernetes.

kubectl, Helm, Argo CD, Flux and the API server turn YAML into JSON with sigs.k8s.io/yaml, whose decoder is
go-yaml v2: YAML 1.1 as Go implements it. PyYAML's YAML 1.1 resolver differs from it in ways that change what
a manifest means, so guardlint resolves plain scalars the way go-yaml v2 does (its ``resolve``, as of v2.4.0,
the version sigs.k8s.io/yaml forks):

* ``y``, ``Y``, ``n``, ``N`` are booleans (as are ``yes``/``no``/``on``/``off``/``true``/``false`` in three
  spellings each); PyYAML reads the one-letter forms as strings;
* numbers are what Go's ``strconv`` reads, after dropping every ``_``: integers in any base Go's base-0
  parsing knows (``0x1F``, ``0o17``, ``0b101``, ``0755`` octal; up to 64 bits, signed or unsigned), then
  floats of the form ``[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?`` that do not overflow. So
  ``1e3``, ``1.5e3``, ``+.5`` and ``08`` are numbers (PyYAML: strings), and ``12:30`` is the string it looks
  like (PyYAML reads base-60 integers and floats: 750);
* ``.inf``/``.nan`` in the spellings YAML 1.1 lists, ``~``/``null``/empty as null, ``<<`` as a merge key;
* everything else is a string. go-yaml also reads timestamps (``2024-01-31``); guardlint keeps their text,
  as it always did: a timestamp is neither an integer nor a float in either reading.

Values that a schema walker must judge come out as Python values of the same kind as Go's: ``bool``, ``int``
(Go's int64 and uint64), ``float`` or ``None``.
"""

from __future__ import annotations

import math

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
MERGE = "tag:yaml.org,2002:merge"

_WORDS: dict[str, tuple[str, Any]] = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), (BOOL, True)),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), (BOOL, False)),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), (NULL, None)),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), (FLOAT, math.nan)),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), (FLOAT, math.inf)),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), (FLOAT, -math.inf)),
    "<<": (MERGE, "<<"),
}
"""go-yaml's table of words (its ``resolveMap``), looked up before anything else."""

_NUMBER_START = frozenset("+-0123456789")
WORDS = frozenset(_WORDS)
"""The texts go-yaml reads as a boolean, null, a special float or the merge key (its ``resolveMap``)."""
NUMBER_FIRST = frozenset("+-.0123456789")
"""The first characters of every other plain text go-yaml may read as something else than a string (a number)."""
_DIGITS = {2: frozenset("01"), 8: frozenset("01234567"), 10: frozenset("0123456789"),
           16: frozenset("0123456789abcdefABCDEF")}
_PREFIXES = {"b": 2, "o": 8, "x": 16}
_DECIMAL = frozenset("0123456789")
_UINT64 = 1 << 64
_INT64 = 1 << 63


def resolve_plain(text: str) -> tuple[str, Any]:
    """The tag and value go-yaml v2 gives the plain scalar ``text`` (timestamps: the text, tagged str)."""
    word = _WORDS.get(text)
    if word is not None:
        return word
    first = text[0]
    if first == ".":
        # go-yaml: strconv.ParseFloat of the text as written, which takes ".5" and ".5e3", and a '_' only
        # between two digits (".5_5").
        if "_" in text and not _separators_ok(text):
            return STR, text
        number = _go_float(text.replace("_", ""))
        return (FLOAT, number) if number is not None else (STR, text)
    if first not in _NUMBER_START:
        return STR, text
    plain = text.replace("_", "")
    integer = _parse_int(plain, 0)
    if integer is None and plain[:1] != "+" and plain[:1] != "-":
        integer = _parse_uint(plain, 0)  # strconv.ParseUint: 2**63 .. 2**64-1
    if integer is not None:
        return INT, integer
    number = _go_float(plain)
    if number is not None:
        return FLOAT, number
    # go-yaml's last try: a binary number after "0b" or "-0b" read with an explicit base 2 (which, unlike
    # base 0, takes a sign after the prefix: "0b-11" is -3).
    if plain.startswith("0b"):
        integer = _parse_int(plain[2:], 2)
        if integer is None:
            integer = _parse_uint(plain[2:], 2)
    elif plain.startswith("-0b"):
        integer = _parse_int("-" + plain[3:], 2)
    if integer is not None:
        return INT, integer
    return STR, text


def _parse_uint(s: str, base: int) -> int | None:
    """Go's ``strconv.ParseUint(s, base, 64)`` (``s`` without '_'), or None where it fails."""
    if not s:
        return None
    if base == 0:
        base = 10
        if s[0] == "0":
            prefix = _PREFIXES.get(s[1:2].lower()) if len(s) >= 3 else None
            if prefix is not None:
                base, s = prefix, s[2:]
            else:
                base, s = 8, s[1:]  # "0" alone is 0: no digits left
    digits = _DIGITS[base]
    for c in s:
        if c not in digits:
            return None
    value = int(s, base) if s else 0
    return value if value < _UINT64 else None


def _parse_int(s: str, base: int) -> int | None:
    """Go's ``strconv.ParseInt(s, base, 64)`` (``s`` without '_'), or None where it fails."""
    if not s:
        return None
    negative = s[0] == "-"
    if s[0] in "+-":
        s = s[1:]
    magnitude = _parse_uint(s, base)
    if magnitude is None:
        return None
    if negative:
        return -magnitude if magnitude <= _INT64 else None
    return magnitude if magnitude < _INT64 else None


def _separators_ok(s: str) -> bool:
    """Go's rule for '_' in a number without a base prefix: each one between two digits."""
    return all(
        0 < i < len(s) - 1 and s[i - 1] in _DECIMAL and s[i + 1] in _DECIMAL
        for i, c in enumerate(s) if c == "_"
    )


def _go_float(s: str) -> float | None:
    """``s`` as a float when it has go-yaml's float form ``[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?``
    and Go's ``strconv.ParseFloat`` reads it without overflow (an overflow is an error there, and the scalar
    stays a string); None otherwise. For text of this form Python's ``float`` rounds as Go's does."""
    i, n = 0, len(s)
    if i < n and s[i] in "+-":
        i += 1
    start = i
    while i < n and s[i] in _DECIMAL:
        i += 1
    whole = i > start
    if i < n and s[i] == ".":
        i += 1
        fraction_start = i
        while i < n and s[i] in _DECIMAL:
            i += 1
        if not whole and i == fraction_start:
            return None  # "." or "-." : a dot needs digits on one side (".5" or "5.")
    elif not whole:
        return None
    if i < n and s[i] in "eE":
        i += 1
        if i < n and s[i] in "+-":
            i += 1
        exponent_start = i
        while i < n and s[i] in _DECIMAL:
            i += 1
        if i == exponent_start:
            return None
    if i != n:
        return None
    value = float(s)
    return value if math.isfinite(value) else None


def plain_key_kept(text: str) -> bool:
    """Whether kubectl reads ``text`` as a plain mapping key as the text itself: go-yaml reads it as a string, or
    as a value that sigs.k8s.io/yaml spells as the text (``true``, ``1``), and it is not the merge key ``<<``."""
    tag, value = resolve_plain(text)
    return tag == STR or (tag != MERGE and key_text(value) == text)


_FLOAT32_MAX = 3.4028234663852886e38


def key_text(value: Any) -> str | None:
    """The mapping key kubectl makes of a key that go-yaml v2 read as ``value`` (what ``resolve_plain`` gives a
    plain key), or None where kubectl fails on it.

    sigs.k8s.io/yaml turns go-yaml's ``map[interface{}]interface{}`` into JSON objects (``convertToJSONableObject``):
    a string key stays itself, a bool becomes ``"true"``/``"false"``, an int its decimal (``010`` -> ``"8"``,
    ``0x10`` -> ``"16"``), a float ``strconv.FormatFloat(f, 'g', -1, 32)`` (``1.50`` -> ``"1.5"``, ``1e3`` ->
    ``"1000"``, with ``.inf``, ``-.inf`` and ``.nan`` for the infinities and NaN); any other key type is an error
    ("Unsupported map key of type"): a null key (``~``, ``null``, an empty key) and an integer of 2**63 or more,
    which go-yaml reads as a uint64."""
    if type(value) is str:
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return str(value) if -_INT64 <= value < _INT64 else None
    if type(value) is float:
        return go_float32_text(value)
    return None


def _shortest_float32(value: float) -> tuple[str, int]:
    """The digits (no trailing zeros) and decimal exponent of Go's shortest spelling of ``value``, a positive float32
    held in a float: at the fewest digits where the number cut there, or that plus one in its last digit, reads
    back as the same float32 (it lies within half a float32 step of ``value`` on its side, a tie going to the even
    float32: strconv's ``roundShortest``), the one of the two that fits, the nearer if both do. The steps below
    and above a power of two differ, so the nearest decimal of a length is not always one that fits (2**87 is
    ``1.5474251e+26`` in Go: its nearest 8-digit neighbour ``1.5474250e+26`` is below, where the step is half as
    wide). Exact arithmetic; only float map keys come here."""
    import struct
    from fractions import Fraction

    bits: int = struct.unpack("<I", struct.pack("<f", value))[0]
    exact = Fraction(value)
    below = Fraction(struct.unpack("<f", struct.pack("<I", bits - 1))[0])
    above = (Fraction(struct.unpack("<f", struct.pack("<I", bits + 1))[0]) if bits + 1 < 0x7F800000
             else 2 * exact - below)
    low, high = (below + exact) / 2, (exact + above) / 2
    even = bits % 2 == 0

    def fits(candidate: Fraction) -> bool:
        return low < candidate < high or (even and candidate in (low, high))

    for precision in range(9):
        mantissa, _, exponent_text = f"{value:.{precision}e}".partition("e")
        nearest = int(mantissa.replace(".", ""))
        scale = int(exponent_text) - precision  # the value shown is nearest * 10**scale
        unit = Fraction(10) ** scale
        chosen: tuple[Fraction, int] | None = None
        for number in (nearest, nearest - 1, nearest + 1):
            candidate = number * unit
            if number > 0 and fits(candidate) and (
                    chosen is None or abs(candidate - exact) < abs(chosen[0] - exact)):
                chosen = (candidate, number)
        if chosen is not None:
            text = str(chosen[1])
            return text.rstrip("0") or "0", scale + len(text) - 1
    raise AssertionError("nine digits always read back as the same float32")  # pragma: no cover


def go_float32_text(value: float) -> str:
    """Go's ``strconv.FormatFloat(value, 'g', -1, 32)`` as sigs.k8s.io/yaml spells a float key: the value rounded to
    a float32, in the fewest digits that read back as that float32; ``%e`` form (``1e+06``) when the decimal
    exponent is below -4 or 6 and above (Go's rule for the shortest precision), else ``%f`` form."""
    import struct

    if math.isnan(value):
        return ".nan"
    try:
        single = struct.unpack("f", struct.pack("f", value))[0]
    except OverflowError:
        single = math.copysign(math.inf, value)
    if math.isinf(single) or abs(single) > _FLOAT32_MAX:
        return ".inf" if single > 0 else "-.inf"
    if single == 0:
        return "-0" if math.copysign(1.0, single) < 0 else "0"
    digits, exponent = _shortest_float32(abs(single))
    sign = "-" if single < 0 else ""
    if exponent < -4 or exponent >= 6:
        fraction = f".{digits[1:]}" if len(digits) > 1 else ""
        return f"{sign}{digits[0]}{fraction}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    point = exponent + 1  # digits before the decimal point
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{sign}{digits}{'0' * (point - len(digits))}"
    return f"{sign}{digits[:point]}.{digits[point:]}"
