"""Rule-based enrichment of one article: entities, quotes with speakers, dates.

`enrich` is the entry point. Each part lives in its own module
(`entities`, `quotes`, `datementions`) so it can be read and tested alone;
this module only wires them together and chooses, by the article's
language, which of them may run (`method_for`). Everything is pure: no I/O
beyond the gazetteers that `entities` loads from installed packages on first use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from newsetl.enrich.datementions import find_dates
from newsetl.enrich.entities import find_mentions, group_entities
from newsetl.enrich.multiquotes import find_quotes_multilingual
from newsetl.enrich.people import find_people
from newsetl.enrich.quotes import find_quotes
from newsetl.models import DateMention, Entity, Quote

FULL = "full"
# Languages with word lists for people (`people`: a known first name is the evidence)
# and quotations (`multiquotes`), measured on hand-annotated news
# (tests/gold/enrich_multilingual.json, scored by bench/enrich_eval.py): people
# precision 0.95-1.00, F1 0.82-0.97 per language. They get people and quotes, but no
# places, organisations or dates: the English capitalisation rules make mostly wrong
# entities there (people precision 0.12 in German), and nothing else was measured.
PEOPLE_LANGUAGES = frozenset({"de", "fr", "es"})
# Languages with quotation rules only (none at present: a language moves here, or to
# PEOPLE_LANGUAGES, when its gold says its method meets the precision bar).
QUOTES_ONLY_LANGUAGES: frozenset[str] = frozenset()


def method_for(language: str | None) -> str:
    """The `articles.enrichment` value for an article in `language` (ISO 639-1).

    English gets every rule; a language listed above gets what was measured good
    enough for it; any other (or none detected) gets nothing: an empty answer a
    user can see as such is better than entities wrong for half of the warehouse.
    """
    if language == "en":
        return FULL
    if language in PEOPLE_LANGUAGES:
        return f"people+quotes (language {language})"
    if language in QUOTES_ONLY_LANGUAGES:
        return f"quotes-only (language {language})"
    return f"none (language {language or 'unknown'})"


@dataclass
class Enrichment:
    """What enrichment found in one body; every offset is into that body.

    `method` is what `method_for` chose: empty lists under a method that does
    not produce them mean "not looked for", not "none there".
    """

    entities: list[Entity] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    method: str = FULL


def enrich(title: str | None, body: str, published_at: datetime | None,
           language: str | None = "en") -> Enrichment:
    """Entities, quotes and date mentions of one article, as its language allows.

    `title` only helps resolve short names (a body saying just "Lavrov" under a
    headline naming "Sergei Lavrov"); `published_at` only resolves year-less dates.
    `language` chooses the method (`method_for`); it defaults to English, the
    language every rule was written for, for callers that enrich known-English text.
    """
    method = method_for(language)
    if method == FULL:
        mentions = find_mentions(body, title)
        return Enrichment(entities=group_entities(mentions), quotes=find_quotes(body, mentions),
                          dates=find_dates(body, published_at), method=method)
    if method.startswith("people"):
        return Enrichment(entities=find_people(body, language or ""),
                          quotes=find_quotes_multilingual(body, language or ""), method=method)
    if method.startswith("quotes-only"):
        return Enrichment(quotes=find_quotes_multilingual(body, language or ""), method=method)
    return Enrichment(method=method)
