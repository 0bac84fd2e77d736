"""`kind = "feed"`: one RSS or Atom feed, whose entries are the pages.

XML is hostile input. The feed is first checked with defusedxml for DTD
entity declarations and external references (feedparser would otherwise
decide on its own which entities are "safe") and only then handed to
feedparser, whose loose parser copes with the malformed feeds found in the
wild. feedparser is given a file object, never a string, so it never touches
the network: the bytes were fetched by `newsetl.web.fetch`, with its address
checks, robots.txt and size cap.

Problems come back as `newsetl.models.Rejected` (`xml-entities`, `bad-feed`).
"""

from __future__ import annotations

import calendar
import io
from datetime import UTC, datetime
from typing import Any, ClassVar
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as SafeET
import feedparser
from defusedxml import DefusedXmlException

from newsetl.models import Rejected
from newsetl.web.kinds.base import (
    Discovered,
    Found,
    SourceKind,
    canonical_or_none,
    first,
    text_or_none,
    unique,
)


class FeedKind(SourceKind):
    """An RSS or Atom feed at one `url`, fetched as a feed; nothing to follow."""

    name: ClassVar[str] = "feed"
    fetch_as = "feed"
    url_key = "url"

    def read(self, body: bytes, *, source: str, url: str) -> Found:
        """The feed's entries, relative links resolved against `url`."""
        return Found(pages=tuple(parse_feed(body, source, base_url=url)))


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
        url = canonical_or_none(entry.get("link"))
        if url is None:
            continue
        found.append(Discovered(url, text_or_none(entry.get("title")), _feed_time(entry), source))
    return first(unique(found), max_items)


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
