"""Making untrusted text safe to print in human-readable output.

File names, object names, field names, messages quoting input and Helm ``# Source:`` comments all come from
the repository being linted. Printed as they are, a control character can rewrite a terminal line (``\\r``,
ANSI escapes), forge a line of output, or, in CI, start a workflow command (a file named
``x\\n::error file=...::`` in a GitHub Actions log). ``printable`` spells every such character as a
backslash escape, so each piece of untrusted text stays on its own line, visibly. A byte of a file name that is
not UTF-8 (a lone surrogate once decoded, ``os.fsdecode``) is spelled as the byte, ``\\xff``, in every format but
SARIF, whose URIs percent-encode the name's bytes exactly (``%FF``).
"""

from __future__ import annotations

import re

from guardlint._lazyre import lazy

_UNSAFE = lazy(
    "[\x00-\x1f\x7f-\x9f"  # C0 controls (newline, carriage return, escape, ...), DEL, C1 controls
    "\u2028\u2029"  # line and paragraph separators
    "\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidirectional marks and overrides ("Trojan Source")
    "\ufeff\ud800-\udfff]"  # byte-order mark, lone surrogates
)
"""Compiled on first use (half a millisecond, for a class this wide): most texts are printable ASCII."""
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8 (``os.fsdecode``): spelled as the byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with control, separator and bidirectional-override characters spelled as escapes."""
    if text.isascii() and text.isprintable():
        return text  # only " " to "~": none of them is in _UNSAFE
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


_SURROGATE = lazy("[\ud800-\udfff]")


def spell_surrogates(text: str) -> str:
    """``text`` with each lone surrogate spelled as ``printable`` spells it (``\\xff`` for the byte of a file
    name that is not UTF-8, which ``os.fsdecode`` turns into U+DCFF) and nothing else changed: for the JSON
    formats, which escape control characters themselves but must stay valid UTF-8 (RFC 8259, section 8.2: a
    lone surrogate escape is rejected or replaced by many parsers)."""
    if text.isascii():
        return text
    return _SURROGATE.sub(_escape, text) if _SURROGATE.search(text) else text


def printable_lines(text: str) -> str:
    """Like ``printable`` but keeping line breaks: for messages built of several lines on purpose whose
    untrusted parts were escaped where they were put in (see ``printable``)."""
    return "\n".join(printable(line) for line in text.split("\n"))
