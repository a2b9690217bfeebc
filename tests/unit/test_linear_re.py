"""guardlint._linear_re: the same answers as ``re.search``, in time linear in the text (counted, not timed)."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

import guardlint._linear_re as linear
from guardlint._linear_re import compile_linear

ATOMS = ["a", "b", ".", "[ab]", "[^a]", "\\d", "\\w", "\\s", "\\W", "[a-c]", "A", "\\n", "(?i:a)", "\\b", "\\B",
         "^", "$", "\\A", "\\Z", "[\\w-]", "é", "K", "\\."]
QUANTIFIERS = ["*", "+", "?", "*?", "{2}", "{0,3}", "{1,}", "+?", "{2,3}"]
FLAGS = ["", "(?i)", "(?m)", "(?s)", "(?a)"]
ALPHABET = "abAK\n é1-_."


def _pattern(rng: random.Random, depth: int = 0) -> str:
    r = rng.random()
    if depth > 3 or r < 0.35:
        return rng.choice(ATOMS)
    if r < 0.55:
        return _pattern(rng, depth + 1) + _pattern(rng, depth + 1)
    if r < 0.7:
        return f"({_pattern(rng, depth + 1)}|{_pattern(rng, depth + 1)})"
    return f"(?:{_pattern(rng, depth + 1)}){rng.choice(QUANTIFIERS)}"


@pytest.mark.parametrize("automaton_only", [False, True])
def test_same_answers_as_re_search(monkeypatch: pytest.MonkeyPatch, automaton_only: bool) -> None:
    """Random patterns (classes, anchors, word boundaries, case folding, scoped and global flags, nested and
    lazy repeats, alternation) on random texts: the truth value of ``search`` is ``re.search``'s. With
    ``automaton_only`` the ``re`` shortcut for simple patterns is off, so every pattern runs on the automaton."""
    if automaton_only:
        monkeypatch.setattr(linear, "_simple", lambda parsed, constants: False)
    rng = random.Random(14)
    checked = 0
    for _ in range(1500):
        body = _pattern(rng)
        for flags in FLAGS:
            try:
                expected = re.compile(flags + body)
            except re.error:
                continue
            compiled = compile_linear(flags + body)
            assert compiled is not None, flags + body
            for _ in range(4):
                text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 9)))
                assert (compiled.search(text) is not None) == (expected.search(text) is not None), (body, text)
                checked += 1
    assert checked > 20_000


def _counted(compiled: Any) -> list[int]:
    """Wrap each step of the automaton that looks at the text with a counter."""
    calls = [0]

    def wrap(check: Any) -> Any:
        def counted(text: str, i: int) -> Any:
            calls[0] += 1
            return check(text, i)
        return counted

    compiled._program[:] = [(op, wrap(arg) if callable(arg) else arg) for op, arg in compiled._program]
    return calls


@pytest.mark.parametrize(("pattern", "text", "found"), [
    ("^(a+)+$", "a" * 2000 + "b", False),       # exponential under backtracking
    ("^(a|a)*c$", "a" * 2000, False),
    ("(a*)*b", "a" * 2000, False),
    ("a*b", "a" * 2000, False),                 # quadratic under backtracking: a search from every position
    ("^" + "a?" * 30 + "a" * 30 + "$", "a" * 30, True),
    ("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", "a" * 2000 + "-", False),
])
def test_pathological_patterns_take_linear_work(pattern: str, text: str, found: bool) -> None:
    compiled = compile_linear(pattern)
    assert compiled is not None and compiled._simple is None  # the automaton, not re
    calls = _counted(compiled)
    assert (compiled.search(text) is not None) is found
    assert calls[0] <= (len(text) + 1) * len(compiled._program)


@pytest.mark.parametrize("pattern", ["(a)\\1", "a(?=b)", "a(?!b)", "(?<=a)b", "(?<!a)b", "(a)?(?(1)b|c)"])
def test_patterns_only_backtracking_can_search_are_not_compiled(pattern: str) -> None:
    assert compile_linear(pattern) is None


def test_a_pattern_that_unfolds_too_far_is_not_compiled() -> None:
    assert compile_linear("(?:a{1000}){100}") is None
    assert compile_linear("a{1000}") is not None


def test_simple_patterns_are_left_to_re() -> None:
    """Anchored, at most one repeat, no alternation inside it: ``re`` backtracks at most once per character."""
    for pattern in ("^[a-z]+$", "^(foo|bar)-[0-9]*$", "^release-[0-9]+\\.x$"):
        compiled = compile_linear(pattern)
        assert compiled is not None and compiled._simple is not None, pattern
    for pattern in ("[a-z]+$", "^[a-z]+[0-9]+$", "^(ab|a)*$", "(?m)^a*$"):
        compiled = compile_linear(pattern)
        assert compiled is not None and compiled._simple is None, pattern


DANGEROUS = ["^(a+)+$", "^(a|a)*$", "^(ab|ab)(ab|ab)(ab|ab)(ab|ab)c$", "^a*a*b$", "^(a*)\\1$", "a*b", "^(?:a+)+$",
             "^a?a?a?aaa$", "(?m)^a*a*$"]


@pytest.mark.parametrize("pattern", DANGEROUS)
def test_backtracking_prone_patterns_are_never_left_to_re(pattern: str) -> None:
    """Neither shortcut (``_simple`` on the parse, ``schema._one_plain_repeat`` on the text) hands ``re`` a
    pattern whose backtracking can grow with the text or the pattern; the schema validator's ``_regex`` gives the
    linear search (or, for a backreference, ``re``: a declarative rule file with one is refused at load)."""
    from guardlint import schema

    assert not schema._one_plain_repeat(pattern)
    compiled = compile_linear(pattern)
    assert compiled is None or compiled._simple is None
    if compiled is not None:
        assert isinstance(schema._regex(pattern), linear.LinearPattern)


def test_the_text_shortcut_takes_the_shipped_patterns() -> None:
    """The shipped declarative rules' patterns are searched by ``re`` without parsing them twice or importing
    the linear search (the pre-commit path pays nothing for it)."""
    import yaml

    from guardlint import schema
    from guardlint.data import data_dir
    from guardlint.rules.declarative import backtracking_patterns

    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                found.append(node["pattern"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted((data_dir("rules") / "declarative").glob("*.yaml")):
        rules = yaml.safe_load(path.read_text())["rules"]
        walk([r["schema"] for r in rules])
        assert backtracking_patterns([r["schema"] for r in rules]) == []
    assert found and all(schema._one_plain_repeat(p) for p in found), found
