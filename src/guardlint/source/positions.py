"""Positions and spans in source text (1-based lines and columns, columns in Unicode code points)."""

from __future__ import annotations

from guardlint._record import NamedTuple


class Position(NamedTuple):
    line: int
    column: int


class Span(NamedTuple):
    start: Position
    end: Position
    start_index: int = -1
    end_index: int = -1
