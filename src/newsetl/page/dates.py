"""Publication and modification dates, as the page writes them.

JSON-LD `datePublished` and the `article:published_time` family of meta tags
carry the publisher's own timestamp with its time-zone offset; htmldate (via
trafilatura) is the fallback that reads the page text. Dates keep the
offset as written (no conversion), so the calendar day is the publisher's.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from htmldate import find_date
from lxml.html import HtmlElement

from newsetl.page.metadata import Head

_PUBLISHED_META = ("article:published_time", "og:article:published_time", "datepublished",
                   "date.available", "date", "dc.date.issued", "dc.date", "dcterms.date",
                   "citation_publication_date", "prism.publicationdate", "publishdate",
                   "pubdate", "parsely-pub-date", "sailthru.date", "cxenseparse:publishtime",
                   "date.created")
_MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "date.modified",
                  "dcterms.modified")
# "+0100" -> "+01:00"; "2024-05-01 10:00:00 +02:00" -> "2024-05-01T10:00:00+02:00"
_COMPACT_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")
_SPACE_OFFSET = re.compile(r"\s+(?=[+-]\d{2}:?\d{2}$)")
_EPOCH_MS = re.compile(r"^\d{12,13}$")
# A date closing a page title ("Headline | Site | 28.04.2023"): day.month.year or ISO.
_TITLE_DATE = re.compile(r"[|\-\u2013\u2014]\s*"
                         r"(?:(\d{1,2})\.(\d{1,2})\.(\d{4})|(\d{4})-(\d\d)-(\d\d))\s*$")
# A full date in an address path: /2020/02/24/ or /2017/7/12/.
_URL_DATE = re.compile(r"/((?:19|20)\d\d)/(\d{1,2})/(\d{1,2})/")
# A UTC stamp in the first hours of a day is the previous evening for a publisher at
# UTC-3 or further west (the Americas); later hours are the same day in Europe and Asia.
_UTC_EVENING_HOURS = 3
# A declared stamp this much later than the dated address was re-stamped (migration, reissue).
_RESTAMPED = timedelta(days=365)


def parse_datetime(value: Any) -> datetime | None:
    """An ISO-8601-ish timestamp (or epoch milliseconds) as a datetime; None if unreadable."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if _EPOCH_MS.match(text):
        return datetime.fromtimestamp(int(text) / 1000, tz=UTC)
    text = _SPACE_OFFSET.sub("", text).replace("/", "-")
    text = _COMPACT_OFFSET.sub(r"\1:\2", text) if re.search(r"T|\d:\d", text) else text
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if 1990 <= parsed.year <= 2100 else None


def _first(values: list[Any]) -> datetime | None:
    for value in values:
        if (parsed := parse_datetime(value)) is not None:
            return parsed
    return None


def title_date(head: Head) -> datetime | None:
    """The date some sites append to the page title, after the site name.

    Read before htmldate because htmldate, given no metadata, often takes the
    first date in the page text, which on such pages belongs to a teaser.
    """
    for title in (head.first_meta("og:title"), head.title):
        match = _TITLE_DATE.search(title or "")
        if match:
            day, month, year = match.group(1, 2, 3) if match.group(3) else match.group(6, 5, 4)
            try:
                return datetime(int(year), int(month), int(day))
            except ValueError:
                return None
    return None


def url_date(head: Head, url: str | None) -> datetime | None:
    """The day written in the article's address path (page URL, canonical link or og:url).

    The CMS fixes this path when the article first goes out, so it survives later
    re-stamping of the metadata (site migrations, republishing).
    """
    for address in (url, head.canonical, head.first_meta("og:url")):
        if address and (match := _URL_DATE.search(address)):
            try:
                return datetime(*(int(part) for part in match.groups()))
            except ValueError:
                continue
    return None


def _is_utc(value: datetime) -> bool:
    return value.tzinfo is not None and value.utcoffset() == timedelta(0)


def _earlier_day(found: datetime, head: Head, tree: HtmlElement,
                 url: str | None) -> tuple[datetime, str] | None:
    """The publisher's own day when a declared stamp is later than the page's evidence.

    Three kinds: (1) a UTC stamp one day after the day in the address path (the
    publisher's local evening, written in UTC); (2) a stamp more than a year after
    the address day (metadata re-stamped by a migration or reissue); (3) a UTC stamp
    in the first hours of a day, with no dated address, that htmldate reads on the
    page as the day before. A local-offset stamp a few days after the address day
    is kept: the address then records when the draft was made, not published.
    """
    day_before = found.date() - timedelta(days=1)
    if (in_url := url_date(head, url)) is not None:
        if (_is_utc(found) and in_url.date() == day_before) or (
                found.replace(tzinfo=None) - in_url > _RESTAMPED):
            return in_url, "url"
        return None
    if _is_utc(found) and found.hour < _UTC_EVENING_HOURS:
        guess = htmldate_guess(tree, url)
        if guess is not None and guess.date() == day_before:
            return guess, "htmldate"
    return None


def htmldate_guess(tree: HtmlElement, url: str | None) -> datetime | None:
    """htmldate's reading of the page (costly: run only when nothing is declared)."""
    try:
        found = find_date(tree, url=url, original_date=True, extensive_search=True,
                          max_date=datetime.now().strftime("%Y-%m-%d"))
    except (ValueError, RecursionError):
        return None
    return parse_datetime(found)


def pick_published(head: Head, tree: HtmlElement,
                   url: str | None) -> tuple[datetime | None, str | None]:
    """(published, source): JSON-LD, microdata, meta tags, then htmldate's guess."""
    ordered = [("json-ld", [head.article.get("datePublished"), head.article.get("dateCreated")]),
               ("microdata", head.microdata.get("datePublished", [])),
               ("meta", [v for key in _PUBLISHED_META for v in head.meta.get(key, ())])]
    for source, values in ordered:
        if (found := _first(values)) is not None:
            return _earlier_day(found, head, tree, url) or (found, source)
    if (found := title_date(head)) is not None:
        return found, "title"
    found = htmldate_guess(tree, url)
    return (found, "htmldate") if found else (None, None)


def pick_modified(head: Head) -> tuple[datetime | None, str | None]:
    """(modified, source) from JSON-LD `dateModified` or the modified-time meta tags."""
    ordered = [("json-ld", [head.article.get("dateModified")]),
               ("microdata", head.microdata.get("dateModified", [])),
               ("meta", [v for key in _MODIFIED_META for v in head.meta.get(key, ())])]
    for source, values in ordered:
        if (found := _first(values)) is not None:
            return found, source
    return None, None
