"""One item's bytes to one enriched `Article`: the extraction entry point.

Page fields come from `newsetl.page`, entities, quotes and dates from
`newsetl.enrich`. Raises `Rejected` for inputs that hold no article.
"""

from __future__ import annotations

from pathlib import Path

from newsetl.enrich import enrich
from newsetl.models import Article, Item, Reject, Rejected
from newsetl.page.item import parse_item

# Bump when a change to extraction or enrichment changes what is stored:
# the next backfill then re-extracts every item and versions the old rows.
# `tests/test_extractor_version.py` fails when the output changes without a bump.
EXTRACTOR_VERSION = "3"


def extract_item(item: Item, enrich_text: bool = True) -> Article:
    """Extract every field of `item`; raises `Rejected` when it holds no article."""
    article = parse_item(item)
    if enrich_text:
        found = enrich(article.title, article.body, article.published_at)
        article.entities, article.quotes, article.dates = found.entities, found.quotes, found.dates
    return article


def extract_path(path: str | Path) -> Article | Reject:
    """Read and extract one archive file (what `newsetl extract` does per input)."""
    from newsetl.archive.files import read_file

    item = read_file(Path(path))
    if isinstance(item, Reject):
        return item
    try:
        return extract_item(item)
    except Rejected as exc:
        return Reject(input=str(path), reason=exc.reason, detail=exc.detail,
                      source=item.source, key=item.key)
