"""Positions and spans in source text (1-based lines and columns, columns in Unicode code points)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Position:
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Span:
    start: Position
    end: Position
    start_index: int = -1
    end_index: int = -1
