"""One item's bytes to one enriched `Article`: the extraction entry point.

Page fields come from `newsetl.page`, entities, quotes and dates from
`newsetl.enrich`. Raises `Rejected` for inputs that hold no article.

Any other exception is a bug in our code, not a property of the input; the
callers (`backfill.process_item`, and `extract_or_reject` for one item) turn it
into an "extractor-error" reject with `error_detail`, so one bad page costs
that page only. Enrichment failing alone costs less: the article keeps its
page fields and says why it has no entities (`provenance["enrichment"]`).
"""

from __future__ import annotations

import traceback
from dataclasses import replace
from pathlib import Path

from newsetl.enrich import enrich
from newsetl.models import Article, Item, Reject, Rejected
from newsetl.page.item import parse_item

# Bump when a change to extraction or enrichment changes what is stored:
# the next backfill then re-extracts every item and versions the old rows.
# `tests/test_extractor_version.py` fails when the output changes without a bump.
EXTRACTOR_VERSION = "9"

# The reject reason of an input on which extraction raised something other than `Rejected`.
EXTRACTOR_ERROR = "extractor-error"
_PACKAGE = Path(__file__).resolve().parents[1]  # src/newsetl: "our code" in a traceback
_MESSAGE_MAX = 300  # characters of an exception's message kept in a reject's detail


def error_detail(exc: BaseException) -> str:
    """`ValueError: max() arg is an empty sequence (enrich/entities.py:123 in _classify_org)`.

    The innermost frame inside this package, not the innermost frame overall:
    a crash deep in lxml or `re` is caused by what our code passed it, and
    the reject row should say where to look.
    """
    message = " ".join(str(exc).split())
    if len(message) > _MESSAGE_MAX:
        message = message[: _MESSAGE_MAX - 3] + "..."
    detail = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    ours = None
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename).resolve()
        if path.is_relative_to(_PACKAGE):
            ours = f"{path.relative_to(_PACKAGE).as_posix()}:{frame.lineno} in {frame.name}"
    return f"{detail} ({ours})" if ours else detail


def extract_item(item: Item, enrich_text: bool = True) -> Article:
    """Extract every field of `item`; raises `Rejected` when it holds no article.

    An exception inside enrichment leaves entities, quotes and dates empty and
    is recorded as `provenance["enrichment"] = "failed: <detail>"`: the page
    fields were extracted, and losing the article for its entities would be worse.
    The detected language chooses the enrichment method, and `article.enrichment`
    records which ran ('full', 'people+quotes+organisations (language de)', 'none (language xx)',
    'failed'), so an article without entities says why.
    """
    article = parse_item(item)
    if enrich_text:
        try:
            found = enrich(article.title, article.body, article.published_at, article.language)
        except MemoryError:
            raise
        except Exception as exc:  # a bug in enrichment: keep the article, say why it is bare
            article.provenance["enrichment"] = f"failed: {error_detail(exc)}"
            article.enrichment = "failed"
        else:
            article.entities, article.quotes = found.entities, found.quotes
            article.dates = found.dates
            article.enrichment = found.method
    return article


def extract_or_reject(item: Item) -> Article | Reject:
    """`extract_item` behind the fault barrier: never raises for what the item holds.

    An item with no article, and one our extraction fails on
    ("extractor-error"), come back as a `Reject`; `MemoryError` (the process
    is in trouble, not the item) is raised.
    """
    try:
        return extract_item(item)
    except Rejected as exc:
        reason, detail = exc.reason, exc.detail
    except MemoryError:
        raise
    except Exception as exc:  # the fault barrier, as in `backfill.process_item`
        reason, detail = EXTRACTOR_ERROR, error_detail(exc)
    return Reject(input=item.archive_path, reason=reason, detail=detail, source=item.source,
                  key=item.key)


def extract_path(path: str | Path) -> Article | Reject:
    """Read and extract one archive file (what `newsetl extract` does per input)."""
    from newsetl.archive.files import read_file

    item = read_file(Path(path))
    if isinstance(item, Reject):
        return item
    result = extract_or_reject(item)
    return replace(result, input=str(path)) if isinstance(result, Reject) else result
