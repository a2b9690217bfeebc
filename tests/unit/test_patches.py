"""Strategic-merge fragments are recognised by their directives, whichever way the text spells the ``$``."""

from __future__ import annotations

import pytest

from guardlint.model.index import ResourceIndex
from guardlint.model.patches import is_patch
from guardlint.model.resource import resources_of
from guardlint.source.loader import load_text

HEAD = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n"


@pytest.mark.parametrize(("body", "patch"), [
    ("      containers:\n      - name: a\n        image: x\n", False),
    ("      containers:\n      - name: a\n        $patch: delete\n", True),
    ('      containers:\n      - name: a\n        "\\x24patch": delete\n', True),  # an escaped '$'
    ('      containers:\n      - {"\\u0024retainKeys": [name], name: a}\n', True),
    ("      $setElementOrder/containers: [{name: a}]\n      containers: [{name: a}]\n", True),
    ("      containers:\n      - name: a\n        image: 'costs $5'\n", False),  # '$' in a value only
])
def test_directives_found_in_any_spelling(body: str, patch: bool) -> None:
    for nodes in (True, False):
        doc = load_text(HEAD + body, "web.yaml", nodes=nodes).documents[0]
        resource = next(resources_of(doc))
        assert is_patch(resource, ResourceIndex((resource,))) is patch, (body, nodes)


def test_text_without_dollar_or_escape_rules_directives_out() -> None:
    plain = load_text(HEAD + "      containers: []\n", "web.yaml", nodes=False).documents[0]
    assert plain.dollar is False
    # Composed documents (node trees) are screened by their text: an escape could spell a '$'.
    escaped = load_text(HEAD + '      x: "\\t"\n', "web.yaml").documents[0]
    assert escaped.dollar is True


@pytest.mark.parametrize(("body", "dollar"), [
    ('      x: "\\t"\n', False),  # an escape in a value
    ("      x: 'costs $5'\n", False),  # a '$' in a value
    ("      containers:\n      - name: a\n        $patch: delete\n", True),
    ('      containers:\n      - {"\\x24retainKeys": [name], name: a}\n', True),
    ("      containers: [{name: a, $notADirective: 1}]\n", True),
])
def test_documents_built_from_events_know_their_dollar_keys(body: str, dollar: bool) -> None:
    doc = load_text(HEAD + body, "web.yaml", nodes=False).documents[0]
    assert doc.root is None  # built from events
    assert doc.dollar is dollar
