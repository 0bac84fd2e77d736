"""Rule-based enrichment of one article: entities, quotes with speakers, dates.

The pipeline's entry point is `enrich`. Each part lives in its own module
(`entities`, `quotes`, `datementions`) so it can be read and tested alone;
this module only wires them together. Everything is pure: no I/O beyond the
gazetteers that `entities` loads from installed packages on first use.
"""

from __future__ import annotations

from datetime import datetime

from newsetl.datementions import find_dates
from newsetl.entities import find_mentions, group_entities
from newsetl.models import DateMention, Entity, Quote
from newsetl.quotes import find_quotes


def enrich(
    title: str | None, body: str, published_at: datetime | None
) -> tuple[list[Entity], list[Quote], list[DateMention]]:
    """Entities, quotes and date mentions of one article; offsets are into `body`.

    `title` only helps resolve short names (a body saying just "Lavrov" under a
    headline naming "Sergei Lavrov"); `published_at` only resolves year-less dates.
    """
    mentions = find_mentions(body, title)
    return group_entities(mentions), find_quotes(body, mentions), find_dates(body, published_at)
