"""Text normalisation and the plain-text article format.

Every text that reaches the warehouse goes through `normalise_paragraph`, so
the same article always yields the same bytes (and the same content hash):
NFC, whitespace collapsed, typography (curly quotes, accents) untouched.
"""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
_NON_WORD = re.compile(r"\W+")
# Soft hyphens are invisible and split words only in some renderings.
_SOFT_HYPHEN = str.maketrans({"\u00ad": ""})
# A trailing editor's note or photo caption: a whole paragraph in brackets.
_NOTE = re.compile(r"^\[.*\]$", re.DOTALL)


def normalise_paragraph(text: str) -> str:
    """NFC-normalise and collapse every run of whitespace to one space."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def match_key(text: str) -> str:
    """Text folded for comparing two renderings of the same words (case, punctuation, width)."""
    folded = unicodedata.normalize("NFKC", text).translate(_SOFT_HYPHEN).casefold()
    return _NON_WORD.sub(" ", folded).strip()


def paragraphs(text: str) -> list[str]:
    """Split text on line breaks into normalised, non-empty paragraphs."""
    return [p for p in (normalise_paragraph(line) for line in text.splitlines()) if p]


def split_plain_text(text: str) -> tuple[str | None, list[str], list[str]]:
    """Headline, body paragraphs and trailing bracketed notes of a plain-text article.

    The format: the first non-empty line is the headline, then one paragraph
    per line; bracketed paragraphs at the end (`[For background ...]`,
    `[Photo on top is of ...]`) are editor notes, kept apart from the body.
    """
    paras = paragraphs(text)
    if not paras:
        return None, [], []
    title, body = paras[0], paras[1:]
    notes: list[str] = []
    while body and _NOTE.match(body[-1]):
        notes.insert(0, body.pop())
    return title, body, notes
