"""Property-based tests (Hypothesis) of the loader, the rules and --fix, with a small example budget.

The generators and the properties live in tests/fuzzing.py, shared with scripts/fuzz.py, which runs the
same properties for as long as one likes. Examples are derandomized so that CI is reproducible; set
GUARDLINT_FUZZ_EXAMPLES to run more (and random) examples locally.
"""

from __future__ import annotations

import os
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import fuzzing

_MORE = int(os.environ.get("GUARDLINT_FUZZ_EXAMPLES", "0"))


def budget(n: int) -> settings:
    return settings(max_examples=_MORE or n, deadline=None, database=None, derandomize=not _MORE,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


YAMLISH = st.text(alphabet=st.sampled_from([*list("ab1-:#&*!|>'\"{}[],.?%@` \t\n\\"), "\u2028", "\x85", "ü"]),
                  max_size=120)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
                    st.sampled_from(fuzzing.WRONG_VALUES))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=8)


@budget(150)
@given(YAMLISH)
def test_the_loader_never_raises(text: str) -> None:
    from guardlint.source.loader import load_text

    loaded = load_text(text, "x.yaml")
    for err in loaded.errors:
        assert err.line >= 1 and err.column >= 1 and err.message


@budget(25)
@given(st.sampled_from(fuzzing.workload_kinds()), st.randoms(use_true_random=False), st.data())
def test_rules_take_a_value_of_any_type_anywhere_in_every_kind(
    kind: fuzzing.Kind, rng: random.Random, data: st.DataObject
) -> None:
    obj = fuzzing.workload(rng, kind)
    nodes = fuzzing._nodes(obj)
    parent, key = nodes[data.draw(st.integers(0, len(nodes) - 1), label="field")]
    parent[key] = data.draw(VALUES, label="value")
    text = fuzzing.dump(rng, [obj])
    assert fuzzing.check(text) == []


@budget(40)
@given(st.randoms(use_true_random=False))
def test_fixes_through_anchors_aliases_merges_quotes_and_tags_keep_their_promises(rng: random.Random) -> None:
    text = fuzzing.fixable_yaml(rng)
    assert fuzzing.check(text, select=fuzzing.FIXABLE_RULES) == []


@budget(25)
@given(st.sampled_from(fuzzing.workload_kinds()), st.randoms(use_true_random=False), st.booleans())
def test_fixes_of_generated_workloads_keep_their_promises(kind: fuzzing.Kind, rng: random.Random,
                                                          as_json: bool) -> None:
    text = fuzzing.dump(rng, [fuzzing.workload(rng, kind)], as_json=as_json)
    assert fuzzing.check(text, "x.json" if as_json else "x.yaml", select=fuzzing.FIXABLE_RULES) == []


@pytest.mark.parametrize("seed", range(3))
def test_the_checks_catch_a_fix_that_changes_more_than_it_says(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The property checks are not vacuous: a planner that skips verification and writes a wrong value is
    reported."""
    from guardlint import fix as fixmod

    def no_verify(*_: Any, **__: Any) -> None:
        return None

    real = fixmod._scalar_edit

    def wrong(occ: Any, body: str, value: Any, *, json_doc: bool) -> Any:
        edit = real(occ, body, value, json_doc=json_doc)
        return edit if isinstance(edit, str) else edit._replace(text="null")

    monkeypatch.setattr(fixmod, "verify", no_verify)
    monkeypatch.setattr(fixmod, "_scalar_edit", wrong)
    text = fuzzing.fixable_yaml(random.Random(seed)).replace("&flag", "").replace("*flag", "true")
    text = text.replace("*sc", "{}").replace("&sc", "").replace("&one", "").replace("*one", "1")
    problems = fuzzing.check(text.replace("# guardlint:", "#"), select=fuzzing.FIXABLE_RULES)
    assert any("fix wrote None" in p for p in problems), problems
