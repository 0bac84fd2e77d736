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
from newsetl.enrich.orgs_multilingual import find_organisations
from newsetl.enrich.people import find_people
from newsetl.enrich.quotes import find_quotes
from newsetl.models import DateMention, Entity, Quote

FULL = "full"
PEOPLE, QUOTES, ORGANISATIONS = "people", "quotes", "organisations"
# What each language other than English gets, each part measured on hand-annotated
# news (tests/gold/enrich_multilingual*.json, scored per language by
# bench/enrich_eval.py) before it was listed here:
# - people (`people`: a known first name is the evidence, capitalisation alone is not):
#   precision 0.92-1.00 in de, fr, es and pl;
# - quotes (`multiquotes`: each convention's quotation marks and reporting verbs):
#   de, fr, es. Polish dash-opened quotations are read, but only 1 of 2 attributions on
#   its held-out pages was right, so Polish gets none yet;
# - organisations from explicit cues only (`orgs_multilingual`: legal forms, acronyms
#   defined in the text, institution keywords): precision 1.00 on the de and pl gold.
# No places or dates outside English: the English capitalisation rules make mostly wrong
# entities there (people precision 0.12 in German). Any language not listed gets nothing.
LANGUAGE_PARTS: dict[str, tuple[str, ...]] = {
    "de": (PEOPLE, QUOTES, ORGANISATIONS),
    "fr": (PEOPLE, QUOTES),
    "es": (PEOPLE, QUOTES),
    "pl": (PEOPLE, ORGANISATIONS),
}


def method_for(language: str | None) -> str:
    """The `articles.enrichment` value for an article in `language` (ISO 639-1).

    English gets every rule (`full`); a language in `LANGUAGE_PARTS` the parts
    measured good enough for it ('people+quotes (language fr)'); any other, or none
    detected, nothing ('none (language xx)'): an empty answer a user can see as such
    is better than entities wrong for half of the warehouse.
    """
    if language == "en":
        return FULL
    parts = LANGUAGE_PARTS.get(language or "")
    return f"{'+'.join(parts) if parts else 'none'} (language {language or 'unknown'})"


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
    lang = language or ""
    parts = LANGUAGE_PARTS.get(lang, ())
    entities = find_people(body, lang) if PEOPLE in parts else []
    if ORGANISATIONS in parts:
        entities = sorted(entities + find_organisations(body, lang), key=lambda e: e.first_offset)
    quotes = find_quotes_multilingual(body, lang) if QUOTES in parts else []
    return Enrichment(entities=entities, quotes=quotes, method=method)
