"""Values files: merging them as Helm does, and finding the line that sets a values path."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from guardlint._record import NamedTuple
from guardlint.findings import Location
from guardlint.model.paths import FieldPath
from guardlint.source.loader import Document, LoadMemo

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Helm's rule for ``-f a.yaml -f b.yaml``: mappings merge key by key, any other value replaces."""
    out = dict(base)
    for key, value in over.items():
        current = out.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            out[key] = deep_merge(current, value)
        else:
            out[key] = value
    return out


class ValuesFile(NamedTuple):
    display: str
    document: Document | None
    prefix: FieldPath
    """Where this file's keys sit in the parent chart's values (a subchart's own values.yaml: its name)."""


def _get(data: Any, path: FieldPath) -> tuple[bool, Any]:
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or not 0 <= part < len(data):
                return False, None
            data = data[part]
        else:
            if not isinstance(data, Mapping) or part not in data:
                return False, None
            data = data[part]
    return True, data


GLOBAL_KEY = "global"


def find_value(files: Sequence[ValuesFile], path: FieldPath, rendered: Any, overridden: Sequence[FieldPath] = (),
               subchart: FieldPath = ()) -> tuple[str, Location, FieldPath] | None:
    """The values file and line that give ``path`` (in the parent chart's values) its value: the last file
    in ``files`` that sets it, when the value it sets is the one that was rendered (see ``_emitted``); with
    the path of that entry in the file (``path`` without a subchart's prefix). None when a ``--set``-style
    expression of the chart (``overridden``: the paths they assign, see ``set_paths``) assigns ``path``, a
    parent of it or a field inside it: the value then does not come from a file alone, whatever it is.

    ``subchart`` is the prefix of the subchart whose template reads the value (``path`` starts with it). A
    subchart's ``.Values.global`` is not only its own: Helm copies each chart's globals into its subcharts'
    values, the parent's winning key by key (chartutil's coalesceGlobals, applied before the subchart's own
    values.yaml is merged under them). So ``sub.global.x`` comes from the first of ``global.x`` (the top chart's
    values), ``sub.global.x`` (what the parent's values give the subchart, and the subchart's own values.yaml),
    and so on down a chain of subcharts: the first of those paths that a file sets is the one looked up."""
    local = path[len(subchart):]
    if subchart and local[:1] == (GLOBAL_KEY,):
        candidates = [(*subchart[:depth], *local) for depth in range(len(subchart) + 1)]
        if any(_overlap(c, p) for c in candidates for p in overridden):
            return None
        for candidate in candidates:
            if any(_sets(vf, candidate) for vf in files):
                return _find_value(files, candidate, rendered)
        return None
    if any(_overlap(path, p) for p in overridden):
        return None
    return _find_value(files, path, rendered)


def _sets(vf: ValuesFile, path: FieldPath) -> bool:
    """Whether the values file sets ``path`` (in the parent chart's values)."""
    if vf.document is None or tuple(path[: len(vf.prefix)]) != vf.prefix:
        return False
    return _get(vf.document.data, path[len(vf.prefix):])[0]


def _find_value(files: Sequence[ValuesFile], path: FieldPath, rendered: Any) -> tuple[str, Location, FieldPath] | None:
    memo: LoadMemo | None = None
    for vf in reversed(files):
        doc = vf.document
        if doc is None:
            continue
        if vf.prefix:
            if tuple(path[: len(vf.prefix)]) != vf.prefix:
                continue
            local = path[len(vf.prefix):]
        else:
            local = path
        found, value = _get(doc.data, local)
        if not found:
            continue
        if not isinstance(value, (Mapping, list)) and rendered is not _UNKNOWN:
            memo = memo if memo is not None else LoadMemo()
            if not _emitted(value, rendered, memo):
                return None  # the template changed the value (a default, a function): not straight from values
        loc, exact = doc.locate(local)
        return (vf.display, loc, tuple(local)) if exact else None
    return None


def _overlap(a: FieldPath, b: FieldPath) -> bool:
    """Whether one path is ``b`` or starts with the other."""
    n = min(len(a), len(b))
    return tuple(a[:n]) == tuple(b[:n])


def _emitted(value: Any, rendered: Any, memo: LoadMemo) -> bool:
    """Whether ``rendered`` (a scalar of the rendered document, as the loader read it) is what a template that
    writes the values scalar ``value`` straight (``{{ .Values.x }}``, quoted or not) renders.

    Helm prints the value as Go's template engine does: it reads values files into JSON types, so a number is
    a float64 printed as ``%v`` prints it (``1000000`` becomes ``1e+06``), a boolean is ``true``/``false``,
    null is empty. The printed text is then read back as the loader reads a plain scalar, or kept as a string
    when the template quoted it; either must equal ``rendered`` with its type (``True`` is not ``1``). The
    comparison is exact: a function that changes only the case (``lower``) changes the value."""
    printed = _go_printed(value)
    if printed is None:
        return False
    if type(rendered) is str and rendered == printed:
        return True
    read = memo.plain_value(printed)
    return type(read) is type(rendered) and read == rendered


def _go_printed(value: Any) -> str | None:
    """The text Helm's template engine prints for a values scalar (None: one it does not print as itself)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return _go_float(float(value))
    return None  # dates, binary: the YAML libraries differ; never attributed


def _go_float(x: float) -> str | None:
    """``x`` as Go's ``%v`` prints a float64: the shortest digits that read back as ``x`` (Python's ``repr``
    finds the same ones), in ``%e`` form (``1e+06``, ``1.5e-05``) when the decimal exponent is below -4 or at
    least 6, otherwise in plain decimal form without a trailing ``.0``."""
    if math.isnan(x) or math.isinf(x):
        return None
    text = repr(x)
    sign = "-" if text.startswith("-") else ""
    mantissa, _, exponent = text.lstrip("-").partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + int(exponent or 0)  # the value is 0.DIGITS x 10**point
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    if not digits:
        return sign + "0"
    exp = point - 1
    if exp < -4 or exp >= 6:
        tail = f".{digits[1:]}" if len(digits) > 1 else ""
        return f"{sign}{digits[0]}{tail}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


def set_paths(expressions: Sequence[str]) -> tuple[FieldPath, ...]:
    """The values paths that ``--set``-style expressions assign, in Helm's syntax (``a.b=c,d[0].e=f``; a
    backslash escapes the next character, and a value's commas inside ``{...}`` belong to the value).

    An expression that does not parse as Helm reads it can only give more paths than it assigns (a value's
    fragment read as a key), never fewer: ``find_value`` then declines more often, and never attributes a
    value that an expression sets to a file."""
    out: list[FieldPath] = []
    for expression in expressions:
        i, n = 0, len(expression)
        while i < n:
            parts: list[str | int] = []
            current: list[str] = []
            while i < n and expression[i] not in "=,":  # the key
                c = expression[i]
                if c == "\\" and i + 1 < n:
                    current.append(expression[i + 1])
                    i += 2
                    continue
                if c == ".":
                    parts.append("".join(current))
                    current = []
                elif c == "[":
                    close = expression.find("]", i)
                    if current:
                        parts.append("".join(current))
                        current = []
                    index = expression[i + 1:close] if close > i else ""
                    if index.isdigit():
                        parts.append(int(index))
                    i = close if close > i else n
                else:
                    current.append(c)
                i += 1
            if current:
                parts.append("".join(current))
            if parts:
                out.append(tuple(p for p in parts if p != ""))
            depth = 0
            while i < n:  # the value, up to a comma outside braces
                c = expression[i]
                if c == "\\":
                    i += 2
                    continue
                if c == "{":
                    depth += 1
                elif c == "}":
                    depth = max(0, depth - 1)
                elif c == "," and depth == 0:
                    i += 1
                    break
                i += 1
    return tuple(out)


_UNKNOWN = object()
UNKNOWN = _UNKNOWN
"""``rendered`` when the rendered value is not known (then any value matches)."""
