"""``guardlint._similar.close_matches`` answers what ``difflib.get_close_matches`` answers, and spares the import of
difflib when no candidate can reach the cutoff."""

from __future__ import annotations

import difflib
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guardlint import _similar
from guardlint._similar import close_matches

# small alphabets make near matches (and ties) frequent; the cutoffs are the ones guardlint uses and the edges
WORDS = st.text(alphabet="abcAB-./ é", max_size=12)
CUTOFFS = st.sampled_from([0.0, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 1.0])


@settings(max_examples=600, deadline=None)
@given(WORDS, st.lists(WORDS, max_size=8), st.integers(min_value=1, max_value=3), CUTOFFS)
def test_the_same_answer_as_difflib(word: str, candidates: list[str], n: int, cutoff: float) -> None:
    assert close_matches(word, candidates, n, cutoff) == difflib.get_close_matches(word, candidates, n, cutoff)


@settings(max_examples=600, deadline=None)
@given(WORDS, WORDS, CUTOFFS)
def test_the_prefilter_rejects_only_what_difflib_rejects(word: str, candidate: str, cutoff: float) -> None:
    """A candidate the cheap bounds reject has a ratio below the cutoff (the shortcut can skip nothing difflib
    would keep); one they keep passes difflib's own two bounds."""
    matcher = difflib.SequenceMatcher(None, candidate, word)
    if _similar._may_reach(word, candidate, cutoff):
        assert matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff
    else:
        assert matcher.ratio() < cutoff
        assert difflib.get_close_matches(word, [candidate], 1, cutoff) == []


@pytest.mark.parametrize(("word", "candidates", "n", "cutoff"), [
    ("podGroupTemplateRef", ["containers", "volumes", "nodeSelector", "schedulerName", "tolerations"], 1, 0.7),
    ("contaners", ["containers", "initContainers", "volumes"], 1, 0.7),
    ("", ["", "a"], 3, 0.6),  # two empty strings: ratio 1.0
    ("", ["a"], 3, 0.0),  # cutoff 0: everything passes
    ("abc", ["cba", "bca", "abc"], 2, 0.6),  # ties: difflib's order
    ("Deploymnet", ["Deployment", "DaemonSet", "StatefulSet"], 1, 0.7),
    ("nvidia.com/gpus", ["nvidia.com/gpu", "amd.com/gpu"], 1, 0.8),
])
def test_a_table_of_cases(word: str, candidates: list[str], n: int, cutoff: float) -> None:
    assert close_matches(word, candidates, n, cutoff) == difflib.get_close_matches(word, candidates, n, cutoff)
    assert close_matches(word, iter(candidates), n, cutoff) == difflib.get_close_matches(word, candidates, n, cutoff)


@pytest.mark.parametrize(("n", "cutoff"), [(0, 0.6), (-1, 0.6), (1, 1.5), (1, -0.1), (1, float("nan"))])
def test_bad_arguments_fail_as_in_difflib(n: int, cutoff: float) -> None:
    with pytest.raises(ValueError) as reference:
        difflib.get_close_matches("a", ["b"], n, cutoff)
    with pytest.raises(ValueError) as ours:
        close_matches("a", ["b"], n, cutoff)
    assert str(ours.value) == str(reference.value)


def test_difflib_is_imported_only_when_a_candidate_may_be_close() -> None:
    code = (
        "import sys\n"
        "from guardlint._similar import close_matches\n"
        "assert close_matches('podGroupTemplateRef', ['containers', 'volumes', 'hostNetwork'], 1, 0.7) == []\n"
        "print('difflib' in sys.modules)\n"
        "assert close_matches('contaners', ['containers', 'volumes'], 1, 0.7) == ['containers']\n"
        "print('difflib' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True"]
