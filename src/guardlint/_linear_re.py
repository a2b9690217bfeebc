"""Regular expressions from untrusted input, searched in time linear in the text.

A CustomResourceDefinition's ``pattern`` (and a declarative rule's) comes from the repository being linted.
Kubernetes matches it with Go's RE2, whose time is linear in the text; Python's ``re`` backtracks, so a pattern
such as ``^(a+)+$`` against a value of 40 characters takes hours, and ``a*b`` searched in a long value takes
quadratic time. ``compile_linear`` gives an object whose ``search`` answers what ``re.search`` answers, in time
proportional to (length of the text) x (size of the pattern):

- the pattern is parsed by Python's own parser (``re._parser``), so it means exactly what ``re`` makes of it;
- each single-character atom (a literal, a class, ``.``) and each assertion (``^``, ``$``, ``\\A``, ``\\Z``,
  ``\\b``, ``\\B``) is compiled by ``re`` alone, with the flags in effect where it stands, and asked at one
  position (``match(text, i)``): a one-character pattern cannot backtrack, and ``re`` decides case folding,
  Unicode classes and line ends itself;
- repetition, alternation and groups become a Thompson automaton that is run over the text once, all
  alternatives at the same time (a search needs no captures, so greedy and lazy repeats find the same answer).

Patterns that only backtracking can answer (backreferences, lookaround, atomic groups, possessive repeats: Go's
RE2 has none of them, so the API server refuses such a CRD) and patterns that would unfold into more than
``MAX_PROGRAM`` steps (``(?:x{1000}){100}``) give None: the caller leaves them unchecked. A pattern that cannot
backtrack badly (anchored at the start, at most one repetition and one alternation, not one inside the other)
is searched by ``re`` itself, which is faster and gives the same answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MAX_PROGRAM = 20_000
"""The most automaton steps a pattern may unfold into (counted repeats are written out)."""

# Steps of the automaton: (op, argument).
_CHAR, _ASSERT, _SPLIT, _JMP, _MATCH = range(5)


class _Unsupported(Exception):
    """The pattern needs backtracking, or unfolds into too many steps."""


def _sre() -> tuple[Any, Any, Any]:
    try:  # Python 3.11+
        from re import _compiler, _constants, _parser  # type: ignore[attr-defined]
    except ImportError:  # Python 3.10
        import sre_compile as _compiler
        import sre_constants as _constants
        import sre_parse as _parser
    return _parser, _compiler, _constants


class LinearPattern:
    """A compiled pattern whose ``search`` runs in linear time; ``pattern`` is the source, as ``re``'s."""

    __slots__ = ("_anchored", "_program", "_simple", "pattern")

    def __init__(self, pattern: str, program: list[tuple[int, Any]], anchored: bool,
                 simple: re.Pattern[str] | None) -> None:
        self.pattern = pattern
        self._program = program
        self._anchored = anchored
        self._simple = simple

    def search(self, text: str) -> bool | None:
        """True when the pattern matches somewhere in ``text``, else None (``re.search``'s truth value)."""
        if self._simple is not None:
            return True if self._simple.search(text) is not None else None
        return True if self._run(text) else None

    def _run(self, text: str) -> bool:
        program = self._program
        seen = [-1] * len(program)
        n = len(text)

        def closure(start: int, i: int, out: list[int]) -> bool:
            """Follow the steps that consume nothing from ``start`` at position ``i``; the character steps
            reached go to ``out``. True when the match step is reached."""
            stack = [start]
            while stack:
                pc = stack.pop()
                if seen[pc] == i:
                    continue
                seen[pc] = i
                op, arg = program[pc]
                if op == _CHAR:
                    out.append(pc)
                elif op == _JMP:
                    stack.append(arg)
                elif op == _SPLIT:
                    stack.append(arg[1])
                    stack.append(arg[0])
                elif op == _ASSERT:
                    if arg(text, i) is not None:
                        stack.append(pc + 1)
                else:  # _MATCH
                    return True
            return False

        current: list[int] = []
        for i in range(n + 1):
            # A search may start at any position; an anchored pattern only at the first.
            if (i == 0 or not self._anchored) and closure(0, i, current):
                return True
            if i == n or (not current and self._anchored):
                return False
            following: list[int] = []
            for pc in current:
                if program[pc][1](text, i) is not None and closure(pc + 1, i + 1, following):
                    return True
            current = following
        return False


def compile_linear(pattern: str, flags: int = 0) -> LinearPattern | None:
    """``pattern`` (Python syntax) searched in linear time, or None when that cannot be done (see the module).
    Raises ``re.error`` for a pattern ``re`` refuses, as ``re.compile`` does."""
    parser, compiler, constants = _sre()
    parsed = parser.parse(pattern, flags)
    base = parsed.state.flags
    try:
        if _simple(parsed, constants):  # compiled from the parse at hand: the text is not parsed twice
            return LinearPattern(pattern, [], True, compiler.compile(parsed, flags))
        program: list[tuple[int, Any]] = []
        _Builder(parser, compiler, constants, program).emit(parsed, base)
        program.append((_MATCH, None))
    except (_Unsupported, RecursionError):
        return None
    return LinearPattern(pattern, program, _anchored(parsed, base, constants), None)


def _anchored(parsed: Any, flags: int, c: Any) -> bool:
    """Whether the pattern can match only at the start of the text (``^`` without MULTILINE, or ``\\A``)."""
    items = list(parsed)
    if not items or items[0][0] is not c.AT:
        return False
    at = items[0][1]
    return at is c.AT_BEGINNING_STRING or (at is c.AT_BEGINNING and not flags & c.SRE_FLAG_MULTILINE)


def _simple(parsed: Any, c: Any) -> bool:
    """A pattern ``re`` searches without bad backtracking: anchored at the start, with at most one repetition and
    at most one alternation in all, the alternation not inside the repetition (each backtracks once per
    alternative or character; two alternations multiply, so ``^(ab|ab)(ab|ab)...`` is exponential in the
    pattern's length)."""
    if not _anchored(parsed, parsed.state.flags, c):
        return False
    repeats = branches = 0

    def walk(items: Any, in_repeat: bool) -> bool:
        nonlocal repeats, branches
        for op, av in items:
            if op in (c.MAX_REPEAT, c.MIN_REPEAT):
                repeats += 1
                if repeats > 1 or not walk(av[2], True):
                    return False
            elif op is c.BRANCH:
                branches += 1
                if in_repeat or branches > 1 or not all(walk(alt, in_repeat) for alt in av[1]):
                    return False
            elif op is c.SUBPATTERN:
                if not walk(av[3], in_repeat):
                    return False
            elif op not in (c.LITERAL, c.NOT_LITERAL, c.ANY, c.IN, c.AT):
                return False
        return True

    return walk(parsed, False)


class _Builder:
    """Writes a parsed pattern as automaton steps."""

    def __init__(self, parser: Any, compiler: Any, constants: Any, program: list[tuple[int, Any]]) -> None:
        self.parser, self.compiler, self.c, self.program = parser, compiler, constants, program

    def _add(self, op: int, arg: Any) -> int:
        if len(self.program) >= MAX_PROGRAM:
            raise _Unsupported
        self.program.append((op, arg))
        return len(self.program) - 1

    def _atom(self, item: tuple[Any, Any], flags: int) -> Callable[[str, int], Any]:
        """``re``'s own matcher of one atom (a character or an assertion) with the flags in effect there."""
        state = self.parser.State()
        state.flags = flags
        compiled: re.Pattern[str] = self.compiler.compile(self.parser.SubPattern(state, [item]), flags)
        return compiled.match

    def emit(self, items: Any, flags: int) -> None:
        c = self.c
        for item in items:
            op, av = item
            if op in (c.LITERAL, c.NOT_LITERAL, c.ANY, c.IN):
                self._add(_CHAR, self._atom(item, flags))
            elif op is c.AT:
                self._add(_ASSERT, self._atom(item, flags))
            elif op is c.SUBPATTERN:
                _group, add, remove, sub = av
                self.emit(sub, (flags | add) & ~remove)
            elif op is c.BRANCH:
                self._branch(av[1], flags)
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
                self._repeat(av[0], av[1], av[2], flags)
            else:  # GROUPREF, ASSERT, ASSERT_NOT, GROUPREF_EXISTS, ATOMIC_GROUP, POSSESSIVE_REPEAT, ...
                raise _Unsupported

    def _branch(self, alternatives: list[Any], flags: int) -> None:
        jumps: list[int] = []
        for k, alt in enumerate(alternatives):
            if k < len(alternatives) - 1:
                split = self._add(_SPLIT, None)
                self.emit(alt, flags)
                jumps.append(self._add(_JMP, None))
                self.program[split] = (_SPLIT, (split + 1, len(self.program)))
            else:
                self.emit(alt, flags)
        for j in jumps:
            self.program[j] = (_JMP, len(self.program))

    def _repeat(self, low: int, high: int, body: Any, flags: int) -> None:
        for _ in range(low):
            self.emit(body, flags)
        if high == self.c.MAXREPEAT:
            loop = self._add(_SPLIT, None)
            self.emit(body, flags)
            self._add(_JMP, loop)
            self.program[loop] = (_SPLIT, (loop + 1, len(self.program)))
            return
        splits: list[int] = []
        for _ in range(high - low):
            splits.append(self._add(_SPLIT, None))
            self.emit(body, flags)
        for s in splits:
            self.program[s] = (_SPLIT, (s + 1, len(self.program)))
