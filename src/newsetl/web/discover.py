"""Finding article URLs: one generic walk over a source's kind.

What a kind of source is - which documents to fetch, how to read them, what
to follow - lives in its class in `newsetl.web.kinds` (`feed`, `sitemap`,
`urls`, or any registered kind). `discover_source` only walks: the
configured URLs, then each fetched document read by the kind, following
what the kind says to follow (a sitemap index's children) breadth-first,
each document once, within a budget of fetches. Adding a kind changes
nothing here.

Parsing works on bytes that `fetch.py` already fetched, so the address
checks, robots.txt and the size cap apply to every document; no parser ever
touches the network (see `kinds/feed.py` and `kinds/sitemap.py` for how
hostile XML is handled). A document a kind cannot read (it raises
`newsetl.models.Rejected`) becomes a `Problem`; the walk goes on.

A configured URL that is not a usable http(s) URL (`file://`, `ftp://`, no
host, ...) is one bad entry of its source: it is never requested and comes
back as a `bad-url` `FetchResult` among `Discovery.fetches`, so the ingest
records it like any failed fetch (a `fetches` row and a `rejects` row) and the
source's other entries still run.

`Discovered`, `parse_feed`, `parse_sitemap` and `Sitemap` are re-exported
from their kind modules for callers that know them from here.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

from newsetl.models import BAD_URL, FetchResult, Rejected
from newsetl.web.fetch import Kind
from newsetl.web.kinds import kind_named
from newsetl.web.kinds.base import Discovered, canonical_or_none, first, unique
from newsetl.web.kinds.feed import parse_feed
from newsetl.web.kinds.sitemap import Sitemap, parse_sitemap
from newsetl.web.sources import Source, bad_url_reason

__all__ = [
    "MAX_SITEMAPS",
    "Discovered",
    "Discovery",
    "FetchFn",
    "Problem",
    "Sitemap",
    "discover_source",
    "parse_feed",
    "parse_sitemap",
]

# documents fetched per discovery (a sitemap index + children, a feed, ...);
# the name is from when sitemaps were the only kind that followed anything
MAX_SITEMAPS = 100


@dataclass(frozen=True)
class Problem:
    """A document that was fetched but could not be used."""

    url: str
    reason: str
    detail: str


@dataclass
class Discovery:
    """Everything one source's discovery produced, for the caller to record."""

    pages: list[Discovered] = field(default_factory=list)
    # every document fetch, and each configured URL refused as `bad-url` (never requested)
    fetches: list[FetchResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # documents the kind could not read


class FetchFn(Protocol):
    """What discovery needs from a fetcher: `Fetcher.fetch` fits."""

    def __call__(self, url: str, kind: Kind, *, rate_limit: float | None = None) -> FetchResult: ...


def discover_source(
    source: Source, fetch: FetchFn, *, max_sitemaps: int = MAX_SITEMAPS
) -> Discovery:
    """Walk one source: fetch its documents as its kind says and list the pages found.

    Documents to follow (a sitemap index's children) are fetched
    breadth-first, each once, at most `max_sitemaps` fetches in all. The walk
    stops early once `max_items` pages are found. `fetch` is usually
    `Fetcher.fetch`; wrap it to pass stored validators for conditional GETs.
    The source's `rate_limit` is passed on. Configured URLs that cannot be
    fetched become `bad-url` results (see the module docstring); a source
    with nothing else yields only those. Raises ValueError for a `source.kind`
    that is not registered (a loaded config never has one).
    """
    kind = kind_named(source.kind)
    found = Discovery()
    usable = []
    for url in source.urls:
        reason = bad_url_reason(url)
        if reason is None:
            usable.append(url)
        else:
            found.fetches.append(
                FetchResult(
                    url=url,
                    final_url=url,
                    outcome=BAD_URL,
                    detail=f"not fetched (sources config): {reason}",
                )
            )
    start = kind.listed(usable, source.name)
    found.pages.extend(start.pages)
    fetch_as = kind.fetch_as
    queue = deque(start.follow if fetch_as is not None else ())
    seen = {canonical_or_none(u) or u for u in queue}  # followed URLs are compared canonically
    requests = 0
    while fetch_as is not None and queue and requests < max_sitemaps:
        if source.max_items is not None and len(found.pages) >= source.max_items:
            break
        url = queue.popleft()
        result = fetch(url, fetch_as, rate_limit=source.rate_limit)
        requests += 1
        found.fetches.append(result)
        if not result.ok or result.body is None:
            continue
        try:
            read = kind.read(result.body, source=source.name, url=result.final_url)
        except Rejected as err:
            found.problems.append(Problem(url, err.reason, err.detail))
            continue
        found.pages.extend(read.pages)
        for child in read.follow:
            canonical = canonical_or_none(child)
            if canonical is not None and canonical not in seen:
                seen.add(canonical)
                queue.append(canonical)
    found.pages = first(unique(found.pages), source.max_items)
    return found
