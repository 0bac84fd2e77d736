"""Finding article URLs: RSS/Atom feeds, sitemaps (news, index) and URL lists.

Parsing works on bytes that `fetch.py` already fetched, so the address
checks, robots.txt and the size cap apply to every document; neither
feedparser nor the XML parser ever touches the network.

XML is hostile input. Sitemaps are parsed with defusedxml, which refuses
DTDs, entity declarations and external references, incrementally
(`iterparse`) and only up to `max_entries`, so no document can make us build
a huge tree or expand a billion laughs. Feeds are first checked with
defusedxml for the same declarations (feedparser would otherwise decide on
its own which entities are "safe") and only then handed to feedparser,
whose loose parser copes with the malformed feeds found in the wild.

Problems come back as `newsetl.models.Rejected` (reason `xml-entities`,
`bad-feed`, `bad-sitemap`, `too-large`).

A configured URL that is not a usable http(s) URL (`file://`, `ftp://`, no
host, ...) is one bad entry of its source: it is never requested and comes
back as a `bad-url` `FetchResult` among `Discovery.fetches`, so the ingest
records it like any failed fetch (a `fetches` row and a `rejects` row) and the
source's other entries still run.
"""

from __future__ import annotations

import calendar
import io
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
import feedparser
from defusedxml import DefusedXmlException

from newsetl.models import BAD_URL, Rejected
from newsetl.urls import canonical_url, is_http_url
from newsetl.web.fetch import FetchResult, Kind
from newsetl.web.sources import Source, bad_url_reason

NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
MAX_ENTRIES = 50_000  # the sitemap protocol's own limit per file
MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the protocol's limit, uncompressed
MAX_SITEMAPS = 100  # sitemap documents fetched per discovery (index + children)


@dataclass(frozen=True)
class Discovered:
    """A page to fetch, with what the feed or sitemap said about it.

    `url` is canonical (see `newsetl.urls`), so the same article listed twice,
    with different tracking parameters, is one entry.
    """

    url: str
    title: str | None
    published_at: datetime | None
    source: str


@dataclass(frozen=True)
class Sitemap:
    """A parsed sitemap: pages (from a urlset) or child sitemaps (from an index)."""

    pages: tuple[Discovered, ...] = ()
    sitemaps: tuple[str, ...] = ()
    truncated: bool = False  # stopped at max_entries


@dataclass(frozen=True)
class Problem:
    """A feed or sitemap that was fetched but could not be used."""

    url: str
    reason: str
    detail: str


@dataclass
class Discovery:
    """Everything one source's discovery produced, for the caller to record."""

    pages: list[Discovered] = field(default_factory=list)
    # every feed/sitemap fetch, and each configured URL refused as `bad-url` (never requested)
    fetches: list[FetchResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # parse failures


class FetchFn(Protocol):
    """What discovery needs from a fetcher: `Fetcher.fetch` fits."""

    def __call__(self, url: str, kind: Kind, *, rate_limit: float | None = None) -> FetchResult: ...


def parse_feed(
    data: bytes, source: str, *, base_url: str | None = None, max_items: int | None = None
) -> list[Discovered]:
    """The entries of an RSS or Atom feed, in feed order.

    Relative links are resolved against `base_url` (the feed's final URL);
    entries without an http(s) link are skipped. Raises Rejected.
    """
    _refuse_entities(data)
    headers = {"content-location": base_url} if base_url else {}
    # A file object, never a str: feedparser fetches anything that looks like a URL.
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    if not parsed.get("version") and not parsed.entries:
        raise Rejected(
            "bad-feed", f"not an RSS or Atom feed: {parsed.get('bozo_exception', 'no entries')}"
        )
    found = []
    for entry in parsed.entries:
        url = _canonical(entry.get("link"))
        if url is None:
            continue
        found.append(Discovered(url, _text(entry.get("title")), _feed_time(entry), source))
    return _first(_unique(found), max_items)


def parse_sitemap(data: bytes, source: str, *, max_entries: int = MAX_ENTRIES) -> Sitemap:
    """A urlset (incl. Google News fields) or a sitemap index. Raises Rejected.

    Gzipped sitemaps (`sitemap.xml.gz`) are unpacked, up to the protocol's
    50 MB. `published_at` comes from `news:publication_date` only: `lastmod`
    is when the page last changed, not when the article was published.
    """
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, MAX_SITEMAP_BYTES)
    pages: list[Discovered] = []
    children: list[str] = []
    truncated = False
    try:
        for kind, element in _sitemap_entries(data):
            if len(pages) + len(children) >= max_entries:
                truncated = True
                break
            if kind == "sitemap":
                child = _canonical(_child_text(element, "loc"))
                if child:
                    children.append(child)
            else:
                page = _sitemap_page(element, source)
                if page:
                    pages.append(page)
    except DefusedXmlException as err:
        raise Rejected("xml-entities", f"sitemap declares a DTD or entities: {err!r}") from err
    except ParseError as err:
        raise Rejected("bad-sitemap", f"not well-formed XML: {err}") from err
    return Sitemap(tuple(_unique(pages)), tuple(dict.fromkeys(children)), truncated)


def discover_source(
    source: Source, fetch: FetchFn, *, max_sitemaps: int = MAX_SITEMAPS
) -> Discovery:
    """Walk one source: fetch its feed or sitemaps and list the pages found.

    Sitemap indexes are followed breadth-first (each sitemap once, at most
    `max_sitemaps` fetches). `fetch` is usually `Fetcher.fetch`; wrap it to
    pass stored validators for conditional GETs. The source's `rate_limit`
    is passed on. Configured URLs that cannot be fetched become `bad-url`
    results (see the module docstring); a source with nothing else yields
    only those.
    """
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
    if source.kind == "urls":
        found.pages = _first(
            _unique(Discovered(u, None, None, source.name) for u in map(_canonical, usable) if u),
            source.max_items,
        )
        return found
    queue = deque(usable)
    seen = {_canonical(u) or u for u in usable}  # children are listed canonically
    requests = 0
    while queue and requests < max_sitemaps:
        if source.max_items is not None and len(found.pages) >= source.max_items:
            break
        url = queue.popleft()
        result = fetch(url, source.kind, rate_limit=source.rate_limit)
        requests += 1
        found.fetches.append(result)
        if not result.ok or result.body is None:
            continue
        try:
            if source.kind == "feed":
                found.pages.extend(parse_feed(result.body, source.name, base_url=result.final_url))
                continue
            sitemap = parse_sitemap(result.body, source.name)
        except Rejected as err:
            found.problems.append(Problem(url, err.reason, err.detail))
            continue
        found.pages.extend(sitemap.pages)
        for child in sitemap.sitemaps:
            if child not in seen:
                seen.add(child)
                queue.append(child)
    found.pages = _first(_unique(found.pages), source.max_items)
    return found


# -- feeds ----------------------------------------------------------------------


def _refuse_entities(data: bytes) -> None:
    """Reject DTD entity declarations and external references up front."""
    try:
        SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as err:
        raise Rejected("xml-entities", f"feed declares entities: {err!r}") from err
    except ParseError:
        pass  # malformed but entity-free: feedparser's loose parser may still read it


def _feed_time(entry: Any) -> datetime | None:
    # feedparser normalises dates to UTC struct_time.
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC)


# -- sitemaps ---------------------------------------------------------------------


def _sitemap_entries(data: bytes) -> Iterator[tuple[str, Element]]:
    """Yield ("url" | "sitemap", element) as each entry closes, then free it."""
    root: Element | None = None
    events = SafeET.iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=True)
    for event, element in events:
        if root is None:
            root = element
            if _local(root.tag) not in ("urlset", "sitemapindex"):
                raise Rejected(
                    "bad-sitemap",
                    f"root element is <{_local(root.tag)}>, not <urlset> or <sitemapindex>",
                )
            continue
        if event == "end" and _local(element.tag) in ("url", "sitemap") and element in root:
            yield _local(element.tag), element
            root.remove(element)  # processed: keep memory flat on big sitemaps


def _sitemap_page(element: Element, source: str) -> Discovered | None:
    url = _canonical(_child_text(element, "loc"))
    if url is None:
        return None
    title = published = None
    for news in element:
        if news.tag == f"{{{NEWS_NS}}}news":
            title = _child_text(news, "title")
            published = _w3c_datetime(_child_text(news, "publication_date"))
    return Discovered(url, title, published, source)


def _child_text(element: Element, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name and child.text:
            return child.text.strip() or None
    return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _w3c_datetime(text: str | None) -> datetime | None:
    """`2024-05-01`, `2024-05-01T09:30:00Z`, `2024-05-01T09:30+02:00`; naive means UTC."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _gunzip(data: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as err:
        raise Rejected("bad-sitemap", f"broken gzip: {err}") from err
    if len(out) > limit:
        raise Rejected("too-large", f"sitemap unpacks to more than {limit} bytes")
    return out


# -- shared -------------------------------------------------------------------------


def _canonical(url: Any) -> str | None:
    if not isinstance(url, str) or not is_http_url(url):
        return None
    try:
        return canonical_url(url)
    except ValueError:
        return None


def _text(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _unique(items: Iterable[Discovered]) -> list[Discovered]:
    """First occurrence of each URL, in order."""
    first: dict[str, Discovered] = {}
    for item in items:
        first.setdefault(item.url, item)
    return list(first.values())


def _first(items: list[Discovered], limit: int | None) -> list[Discovered]:
    return items if limit is None else items[:limit]
