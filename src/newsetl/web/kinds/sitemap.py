"""`kind = "sitemap"`: a urlset (incl. Google News fields) or a sitemap index.

A urlset's entries are the pages; an index's entries are child sitemaps,
which discovery follows breadth-first. Gzipped sitemaps (`sitemap.xml.gz`)
are unpacked up to the protocol's 50 MB.

XML is hostile input. Sitemaps are parsed with defusedxml, which refuses
DTDs, entity declarations and external references, incrementally
(`iterparse`) and only up to `max_entries`, so no document can make us build
a huge tree or expand a billion laughs.

Problems come back as `newsetl.models.Rejected` (`xml-entities`,
`bad-sitemap`, `too-large`).
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from newsetl.models import Rejected
from newsetl.web.kinds.base import Discovered, Found, SourceKind, canonical_or_none, unique

NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
MAX_ENTRIES = 50_000  # the sitemap protocol's own limit per file
MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the protocol's limit, uncompressed


@dataclass(frozen=True)
class Sitemap:
    """A parsed sitemap: pages (from a urlset) or child sitemaps (from an index)."""

    pages: tuple[Discovered, ...] = ()
    sitemaps: tuple[str, ...] = ()
    truncated: bool = False  # stopped at max_entries


class SitemapKind(SourceKind):
    """A sitemap or sitemap index at one `url`, fetched as a sitemap; follows children."""

    name: ClassVar[str] = "sitemap"
    fetch_as = "sitemap"
    url_key = "url"

    def read(self, body: bytes, *, source: str, url: str) -> Found:
        """A urlset's pages, or an index's child sitemaps to follow."""
        sitemap = parse_sitemap(body, source)
        return Found(pages=sitemap.pages, follow=sitemap.sitemaps)


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
        for entry, element in _sitemap_entries(data):
            if len(pages) + len(children) >= max_entries:
                truncated = True
                break
            if entry == "sitemap":
                child = canonical_or_none(_child_text(element, "loc"))
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
    return Sitemap(tuple(unique(pages)), tuple(dict.fromkeys(children)), truncated)


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
    url = canonical_or_none(_child_text(element, "loc"))
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
