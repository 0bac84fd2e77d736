# ruff: noqa: RUF001
# (curly quotation marks and apostrophes are the subject matter of this module)
"""Paragraph and sentence boundaries, by punctuation rules.

Entities need "is this word sentence-initial?", quotes need "where does the
current sentence start?", and date mentions need "the sentence around it".
One small splitter serves all three so they agree on what a sentence is.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache

from newsetl.enrich.lexicon import ABBREVIATIONS

_PARAGRAPH = re.compile(r"[^\n]+")
# A sentence ends at . ! ? (plus closing quotes/brackets) followed by space.
_BOUNDARY = re.compile(r"[.!?]+[\"”’)\]]*(?=\s)")
_WORD_BEFORE = re.compile(r"([\w.]+)$")


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty line; the body joins paragraphs with blank lines."""
    return [(m.start(), m.end()) for m in _PARAGRAPH.finditer(text)]


def _is_real_boundary(text: str, dot: int) -> bool:
    """A period after an abbreviation ("Mr.", "Oct.") or an initial ("J.") ends nothing."""
    if text[dot] != ".":
        return True
    m = _WORD_BEFORE.search(text, max(0, dot - 40), dot)
    if not m:
        return True
    word = m.group(1).lower().strip(".")
    if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return False
    return "." not in word  # dotted acronyms ("U.S.") end a sentence only rarely


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; never crosses a paragraph break."""
    spans: list[tuple[int, int]] = []
    for p_start, p_end in paragraph_spans(text):
        start = p_start
        for m in _BOUNDARY.finditer(text, p_start, p_end):
            if _is_real_boundary(text, m.start()):
                spans.append((start, m.end()))
                start = m.end()
                while start < p_end and text[start].isspace():
                    start += 1
        if start < p_end:
            spans.append((start, p_end))
    return spans


def sentence_start_before(text: str, pos: int, floor: int = 0) -> int:
    """Offset where the sentence containing `pos` begins (not before `floor`).

    A short stretch is scanned. Callers also ask for many offsets of one text from its
    start, which made this quadratic: for a long stretch the text's sentence ends are
    found once (`_sentence_ends`) and bisected. A boundary is a whole run of marks
    followed by a space, so the ones inside [floor, pos) are the text's own, unless
    `floor` cuts a run of marks; that case is scanned too.
    """
    start = floor
    if pos - floor <= _SCAN_REACH or (floor and text[floor - 1] in ".!?"):
        for m in _BOUNDARY.finditer(text, floor, pos):
            if _is_real_boundary(text, m.start()):
                start = m.end()
    else:
        starts, ends = _sentence_ends(text)
        last = bisect_left(ends, pos) - 1  # the last boundary followed by a space before pos
        if last >= 0 and starts[last] >= floor:
            start = ends[last]
    while start < pos and text[start].isspace():
        start += 1
    return start


_SCAN_REACH = 2000  # characters: a stretch this short is scanned rather than bisected


@lru_cache(maxsize=16)
def _sentence_ends(text: str) -> tuple[list[int], list[int]]:
    """Starts and ends of every real sentence boundary in `text`, in order."""
    real = [m for m in _BOUNDARY.finditer(text) if _is_real_boundary(text, m.start())]
    return [m.start() for m in real], [m.end() for m in real]


def sentence_end_after(text: str, pos: int, limit: int) -> int:
    """Offset where the sentence containing `pos` ends (at most `limit`)."""
    for m in _BOUNDARY.finditer(text, pos, limit):
        if _is_real_boundary(text, m.start()):
            return m.end()
    return limit
