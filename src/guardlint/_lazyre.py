"""Regular expressions compiled on first use.

Compiling a pattern costs tens to hundreds of microseconds (over a millisecond for some with ``\\w`` or wide
character classes); rule modules are imported on every pre-commit run, and many of their patterns serve rare
cases (credential formats, names that are not in a table, comment directives).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_METHODS = ("findall", "finditer", "fullmatch", "match", "scanner", "search", "split", "sub", "subn")
_ATTRIBUTES = ("flags", "groupindex", "groups")
"""``re.Pattern``'s other attributes, read from the compiled pattern (``pattern`` is the stand-in's own)."""


class LazyPattern:
    """A stand-in for ``re.Pattern`` that compiles itself the first time one of its methods is looked up.

    The methods are empty slots until then: looking one up fails over to ``__getattr__``, which compiles the
    pattern and fills every slot with the compiled pattern's own bound method, so from then on a call costs
    what it costs on an ``re.Pattern`` (no wrapper in between).
    """

    __slots__ = ("_flags", *_METHODS, "pattern")

    pattern: str
    findall: Callable[..., list[Any]]
    finditer: Callable[..., Iterator[re.Match[str]]]
    fullmatch: Callable[..., re.Match[str] | None]
    match: Callable[..., re.Match[str] | None]
    scanner: Callable[..., Any]
    search: Callable[..., re.Match[str] | None]
    split: Callable[..., list[str | Any]]
    sub: Callable[..., str]
    subn: Callable[..., tuple[str, int]]

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self._flags = flags

    @property
    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.pattern, self._flags)  # re's own cache makes a second call a lookup

    def __getattr__(self, name: str) -> Any:
        if name not in _METHODS:
            if name in _ATTRIBUTES:
                return getattr(self.compiled, name)
            raise AttributeError(name)
        compiled = self.compiled
        for method in _METHODS:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy({self.pattern!r})"


def lazy(pattern: str, flags: int = 0) -> LazyPattern:
    return LazyPattern(pattern, flags)
