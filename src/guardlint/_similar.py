"""``difflib.get_close_matches`` without importing ``difflib`` when no candidate can be close enough.

A check suggests a close name for an unknown field, kind or accelerator resource. ``difflib`` (with the ``heapq``
it imports and the pattern it compiles) costs about 1.3 ms of CPU to import, and most unknown names have no
close candidate: ``guardlint check --partial`` on the benchmark's 50 sampled files imported it for one unknown
field with nothing close.

Why this is exact: ``get_close_matches`` keeps a candidate only if ``real_quick_ratio()``, ``quick_ratio()`` and
``ratio()`` all reach the cutoff, testing them in that order. The first two depend only on the lengths and on
the characters counted as multisets; ``close_matches`` computes them here with the same arithmetic
(``2.0 * matches / length``, 1.0 for two empty strings) and the same comparison, and when no candidate passes
both, ``get_close_matches`` returns ``[]`` without a ratio ever reaching the cutoff. When one passes, the call goes
to ``difflib`` itself with the same arguments, so the result (order, ties, ``n``) is difflib's.
``tests/unit/test_similar.py`` compares the two on generated words and candidates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable


def _ratio(matches: int, length: int) -> float:
    """``difflib._calculate_ratio``."""
    return 2.0 * matches / length if length else 1.0


def _may_reach(word: str, candidate: str, cutoff: float) -> bool:
    """Whether ``candidate`` passes the two cheap upper bounds ``get_close_matches`` tests before ``ratio()``."""
    length = len(word) + len(candidate)
    if _ratio(min(len(word), len(candidate)), length) < cutoff:  # real_quick_ratio
        return False
    return _ratio(sum((Counter(candidate) & Counter(word)).values()), length) >= cutoff  # quick_ratio


def close_matches(word: str, possibilities: Iterable[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """``difflib.get_close_matches(word, possibilities, n, cutoff)``, importing difflib only when a candidate
    may reach ``cutoff``."""
    candidates = list(possibilities)
    if n > 0 and 0.0 <= cutoff <= 1.0 and not any(_may_reach(word, c, cutoff) for c in candidates):
        return []
    import difflib

    return difflib.get_close_matches(word, candidates, n, cutoff)
