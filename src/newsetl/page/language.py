"""Language identification of article text (ISO 639-1).

py3langid ships its model inside the package (nothing is downloaded), is
fast (~0.1 ms per article) and covers 97 languages.
"""

from __future__ import annotations

# Below this many letters the guess is noise; report no language instead.
_MIN_LETTERS = 20


def detect_language(text: str) -> str | None:
    """The most likely language of `text`, or None when there is too little text."""
    if sum(ch.isalpha() for ch in text[:2000]) < _MIN_LETTERS:
        return None
    import py3langid  # loads its model on first use; imported late to keep start-up fast

    lang, _score = py3langid.classify(text[:20_000])
    return lang
