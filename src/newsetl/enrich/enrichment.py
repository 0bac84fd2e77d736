"""Rule-based enrichment of one article: entities, quotes with speakers, dates.

`enrich` is the entry point. Each part lives in its own module
(`entities`, `quotes`, `datementions`) so it can be read and tested alone;
this module only wires them together. Everything is pure: no I/O beyond the
gazetteers that `entities` loads from installed packages on first use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from newsetl.enrich.datementions import find_dates
from newsetl.enrich.entities import find_mentions, group_entities
from newsetl.enrich.quotes import find_quotes
from newsetl.models import DateMention, Entity, Quote


@dataclass
class Enrichment:
    """What enrichment found in one body; every offset is into that body."""

    entities: list[Entity] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)


def enrich(title: str | None, body: str, published_at: datetime | None) -> Enrichment:
    """Entities, quotes and date mentions of one article.

    `title` only helps resolve short names (a body saying just "Lavrov" under a
    headline naming "Sergei Lavrov"); `published_at` only resolves year-less dates.
    """
    mentions = find_mentions(body, title)
    return Enrichment(entities=group_entities(mentions), quotes=find_quotes(body, mentions),
                      dates=find_dates(body, published_at))
