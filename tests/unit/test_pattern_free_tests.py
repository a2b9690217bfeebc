"""String tests that replace regular expressions on the resources pack's paths, exactly: ``model.ports.is_port_name``
is ``PORT_NAME.match`` (an IANA service name), ``invalid_rolling_update._is_percent`` is the API's ``^[0-9]+%$``
(Go's ``$`` ends the text: Python's end of string)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guardlint.model.ports import PORT_NAME, is_port_name

_REGEX = re.compile(PORT_NAME.pattern)


@pytest.mark.parametrize("text", [
    "http", "h", "1a", "a1", "8080", "-http", "http-", "ht--tp", "h-t-t-p", "a" * 15, "a" * 16, "", "\n", "http\n",
    "http\n\n", "\nhttp", "HTTP", "http ", "ht.tp", "é", "a" * 15 + "\n", "a" * 16 + "\n", "-\n", "a-\n", "web-1",
])
def test_examples(text: str) -> None:
    assert is_port_name(text) == bool(_REGEX.match(text))


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="abz09-\nA. é", max_size=18))
def test_generated(text: str) -> None:
    assert is_port_name(text) == bool(_REGEX.match(text))


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="019%\n a٣", max_size=6))
def test_rolling_update_percent_is_the_pattern(text: str) -> None:
    from guardlint.rules.resources.invalid_rolling_update import _is_percent

    # The API's pattern is Go's ^[0-9]+%$, whose $ is the end of the text (Python's \Z): "5%\n" is not a percentage.
    assert _is_percent(text) == bool(re.match(r"^[0-9]+%\Z", text))
    for example in ("5%", "100%", "%", "5", "5%\n", "5%\n\n", " 5%", "٣%", "05%", ""):
        assert _is_percent(example) == bool(re.match(r"^[0-9]+%\Z", example)), example
    assert not _is_percent("0%\n")
