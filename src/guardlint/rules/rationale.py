"""A rule's rationale in one sentence: the first sentence of the "Why is this bad?" section of its documentation.

Reports for agents carry it next to each finding (``rationale`` in the JSON report), so that the reason to fix a
finding travels with it without a second call to ``guardlint explain``.
"""

from __future__ import annotations

import functools
import re

from guardlint._lazyre import LazyPattern

_SECTION = LazyPattern(r"^## Why is this bad\?[ \t]*$(.*?)(?=^## |\Z)", re.MULTILINE | re.DOTALL)
_URL_ONLY = LazyPattern(r"\s*\(<?https?://[^\s()]+(?:\([^\s()]*\)[^\s()]*)*>?\)")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "cf.", "approx.")
_MAX = 400
_SHORT = 100


def _sentence_end(text: str, start: int) -> int:
    """The index just past the sentence that starts at ``start`` (the end of ``text`` when it is the last)."""
    in_code = False
    for i in range(start, len(text)):
        if text[i] == "`":
            in_code = not in_code
        if in_code or text[i] not in ".!?" or i + 2 >= len(text) or text[i + 1] != " ":
            continue
        nxt = text[i + 2]
        if not (nxt.isupper() or nxt in "`(\"'"):
            continue
        if text[:i + 1].rsplit(" ", 1)[-1].lower() in _ABBREVIATIONS:
            continue
        return i + 1
    return len(text)


@functools.lru_cache(maxsize=1024)
def rationale(doc: str) -> str | None:
    """The first sentence of the ``## Why is this bad?`` section of ``doc`` (two when the first is under 100
    characters: it then only sets the scene), whitespace collapsed and a parenthesised bare URL dropped; None
    when the documentation has no such section. A sentence ends at ``.``, ``!`` or ``?`` followed by a space and
    a capital, a backquote, a quote or a parenthesis, outside code spans and abbreviations (``e.g.``); a rationale
    longer than 400 characters is cut at a word, with an ellipsis."""
    m = _SECTION.search(doc)
    if m is None:
        return None
    text = " ".join(m.group(1).split())
    if not text:
        return None
    end = _sentence_end(text, 0)
    if end < _SHORT:  # a short opening sentence sets the scene; the next one says why
        end = _sentence_end(text, end)
    sentence = _URL_ONLY.sub("", text[:end]).strip()
    if len(sentence) > _MAX:
        sentence = sentence[:_MAX].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return sentence or None
