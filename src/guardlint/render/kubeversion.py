"""A chart's ``kubeVersion`` range, checked against the target Kubernetes version as ``helm template`` does.

``helm template --kube-version`` refuses a chart whose ``Chart.yaml`` ``kubeVersion`` does not admit the
target ("chart requires kubeVersion: ... which is incompatible with Kubernetes ..."). The in-process renderer
(helm-python-sdk's render call) skips that check, so guardlint makes it itself, with the range syntax Helm uses
(Masterminds semver v3 constraints): ``||`` between alternatives; within one, constraints separated by commas or
spaces that must all hold; the operators ``=``, ``!=``, ``>``, ``<``, ``>=``, ``<=``, ``~``, ``~>``, ``^``;
``x``, ``X`` or ``*`` wildcards, partial versions (``1.20``) and hyphen ranges (``1.19 - 1.30``).

The target is a release version (``X.Y.0``, no pre-release part), which keeps the comparisons simple. A range
this module cannot read is not judged (None): Helm would refuse it too, but an error here must never be wrong.
"""

from __future__ import annotations

import re

from guardlint._record import NamedTuple

_VERSION = r"v?(?:[0-9]+|[xX*])(?:\.(?:[0-9]+|[xX*]))?(?:\.(?:[0-9]+|[xX*]))?(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?"
_ONE = re.compile(rf"\s*(?P<op>!=|>=|=>|<=|=<|~>|[=><~^])?\s*(?P<version>{_VERSION})\s*,?")
_HYPHEN = re.compile(rf"\s*(?P<low>{_VERSION})\s+-\s+(?P<high>{_VERSION})\s*")


_ANY_OPS = frozenset({"", "=", "~", "~>", ">=", "=>"})
"""The operators with which a wildcard major version (``*``, ``x``) admits every version."""


class _Bound(NamedTuple):
    op: str
    core: tuple[int, int, int]
    pre: str
    major_dirty: bool
    minor_dirty: bool
    patch_dirty: bool


def _bound(op: str, text: str) -> _Bound:
    text = text.lstrip("v").split("+", 1)[0]
    core, _, pre = text.partition("-")
    parts = core.split(".")
    wild = [p in ("x", "X", "*") for p in parts] + [True] * (3 - len(parts))
    numbers = [0 if w or i >= len(parts) else int(parts[i]) for i, w in enumerate(wild)]
    minor_dirty = wild[0] or wild[1]
    return _Bound(op, (numbers[0], numbers[1], numbers[2]), pre, wild[0], minor_dirty, minor_dirty or wild[2])


def _compare(version: tuple[int, int, int], bound: _Bound) -> int:
    """-1, 0 or 1 as the release ``version`` sorts before, with or after the bound's version (a pre-release
    sorts before its release)."""
    if version != bound.core:
        return -1 if version < bound.core else 1
    return 1 if bound.pre else 0


def _holds(version: tuple[int, int, int], b: _Bound) -> bool:
    major, minor, _ = version
    dirty = b.minor_dirty or b.patch_dirty
    op = {"=>": ">=", "=<": "<=", "~>": "~", "": "="}.get(b.op, b.op)
    if op == "=" and dirty:
        op = "~"
    if b.major_dirty:  # "*", "x": any version (and nothing is below or above it)
        return op not in ("<", ">", "!=")
    if op == "=":
        return _compare(version, b) == 0
    if op == "!=":
        if not dirty:
            return _compare(version, b) != 0
        return major != b.core[0] or (not b.minor_dirty and minor != b.core[1])
    if op == ">":
        if not dirty:
            return _compare(version, b) > 0
        if major != b.core[0]:
            return major > b.core[0]
        return not b.minor_dirty and minor > b.core[1]
    if op == "<":
        return _compare(version, b) < 0
    if op == ">=":
        return _compare(version, b) >= 0
    if op == "<=":
        if not dirty:
            return _compare(version, b) <= 0
        if major != b.core[0]:
            return major < b.core[0]
        return b.minor_dirty or minor <= b.core[1]
    if op == "~":
        if b.core == (0, 0, 0) and not b.patch_dirty:  # Masterminds: "~0.0.0 is a special case", any version
            return True
        return _compare(version, b) >= 0 and major == b.core[0] and (b.minor_dirty or minor == b.core[1])
    # "^": the same major (for 1.x and later, which is every Kubernetes version); for 0.x the same minor.
    if _compare(version, b) < 0 or major != b.core[0]:
        return False
    return b.core[0] > 0 or b.minor_dirty or minor == b.core[1]


def admits(constraint: str, version: tuple[int, int]) -> bool | None:
    """Whether the range ``constraint`` admits Kubernetes ``version`` (major, minor) as ``vX.Y.0``; None when
    the range cannot be read."""
    target = (version[0], version[1], 0)
    alternatives: list[list[_Bound]] = []
    for part in constraint.split("||"):
        hyphen = _HYPHEN.fullmatch(part)
        if hyphen is not None:
            alternatives.append([_bound(">=", hyphen.group("low")), _bound("<=", hyphen.group("high"))])
            continue
        bounds: list[_Bound] = []
        pos = 0
        text = part.strip()
        while pos < len(text):
            m = _ONE.match(text, pos)
            if m is None or m.end() == pos:
                return None
            bounds.append(_bound(m.group("op") or "", m.group("version")))
            pos = m.end()
        if not bounds:
            return None
        if any(b.major_dirty and b.op not in _ANY_OPS for b in bounds):
            # "*" with another operator: Masterminds reads it as 0.0.0 with its own rules per operator (">*"
            # admits 1.x, "<=*" does not); not judged, so that a refusal here is never wrong.
            return None
        alternatives.append(bounds)
    return any(all(_holds(target, b) for b in bounds) for bounds in alternatives)
