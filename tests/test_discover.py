"""Feeds and sitemaps: parsing hostile and normal XML, and walking a source over HTTP."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import duckdb
import pytest
from pytest_httpserver import HTTPServer

from newsetl.models import Rejected
from newsetl.pipeline.ingest import fetch_source
from newsetl.store.warehouse import Warehouse
from newsetl.web.discover import Discovered, discover_source, parse_feed, parse_sitemap
from newsetl.web.fetch import Fetcher
from newsetl.web.kinds import KINDS, Found, SourceKind, register
from newsetl.web.kinds.base import canonical_or_none
from newsetl.web.sources import (
    FetchSettings,
    Schedule,
    Source,
    SourcesError,
    load_sources,
    parse_sources,
)

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Coast Gazette</title>
<item><title>Harbour reopens</title>
  <link>https://Gazette.example/news/harbour?utm_source=rss&amp;id=7#top</link>
  <pubDate>Wed, 01 May 2024 09:30:00 +0200</pubDate></item>
<item><title>Pier repairs</title><link>/news/pier</link></item>
<item><title>Harbour reopens (again)</title>
  <link>https://gazette.example/news/harbour?id=7&amp;fbclid=abc</link></item>
<item><title>No link here</title></item>
<item><title>Mail</title><link>mailto:desk@gazette.example</link></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Harbour News</title>
<entry><title>Ferries back</title><link href="https://harbour.example/ferries"/>
<updated>2024-05-02T08:00:00Z</updated><id>urn:1</id></entry>
</feed>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<ROOT><item><title>&lol9;</title><link>https://x.example/&lol9;</link></item></ROOT>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><title>&secret;</title><link>https://x.example/a</link></item>
</channel></rss>"""

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:video="http://www.google.com/schemas/sitemap-video/1.1">
 <url><loc>https://harbour.example/news/ferries?utm_medium=sitemap</loc>
  <lastmod>2024-05-03</lastmod>
  <news:news><news:publication><news:name>Harbour News</news:name><news:language>en</news:language>
   </news:publication><news:publication_date>2024-05-02T08:00:00+01:00</news:publication_date>
   <news:title>Ferries are back</news:title></news:news></url>
 <url><loc>https://harbour.example/news/pier</loc>
  <video:video><video:title>Not the article title</video:title></video:video>
  <news:news><news:publication_date>2024-05-01</news:publication_date></news:news></url>
 <url><loc>https://harbour.example/about</loc><lastmod>2024-01-01</lastmod></url>
 <url><loc>javascript:alert(1)</loc></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
 <sitemap><loc>https://harbour.example/sitemap-news.xml</loc></sitemap>
 <sitemap><loc>https://harbour.example/sitemap-2024.xml.gz</loc><lastmod>2024-05-01</lastmod></sitemap>
</sitemapindex>"""


# -- feeds ------------------------------------------------------------------------


def test_rss_entries_are_canonical_unique_and_dated() -> None:
    found = parse_feed(RSS, "gazette", base_url="https://gazette.example/rss.xml")
    assert [d.url for d in found] == [
        "https://gazette.example/news/harbour?id=7",
        "https://gazette.example/news/pier",
    ]
    assert found[0] == Discovered(
        "https://gazette.example/news/harbour?id=7",
        "Harbour reopens",
        datetime(2024, 5, 1, 7, 30, tzinfo=UTC),
        "gazette",
    )
    assert found[1].published_at is None


def test_feed_max_items() -> None:
    assert len(parse_feed(RSS, "gazette", base_url="https://gazette.example/", max_items=1)) == 1


def test_atom_feed() -> None:
    (entry,) = parse_feed(ATOM, "harbour")
    assert entry.url == "https://harbour.example/ferries"
    assert entry.title == "Ferries back"
    assert entry.published_at == datetime(2024, 5, 2, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("document", [BILLION_LAUGHS, XXE])
def test_entity_declarations_are_refused(document: bytes) -> None:
    with pytest.raises(Rejected) as feed:
        parse_feed(document, "evil")
    assert feed.value.reason == "xml-entities"
    with pytest.raises(Rejected) as sitemap:
        parse_sitemap(document, "evil")
    assert sitemap.value.reason == "xml-entities"


def test_not_a_feed() -> None:
    with pytest.raises(Rejected) as err:
        parse_feed(b"<html><body>hello</body></html>", "x")
    assert err.value.reason == "bad-feed"


# -- sitemaps ----------------------------------------------------------------------


def test_news_sitemap_fields() -> None:
    sitemap = parse_sitemap(NEWS_SITEMAP, "harbour")
    assert sitemap.sitemaps == () and not sitemap.truncated
    ferries, pier, about = sitemap.pages
    assert ferries == Discovered(
        "https://harbour.example/news/ferries",
        "Ferries are back",
        datetime(2024, 5, 2, 7, 0, tzinfo=UTC),
        "harbour",
    )
    assert pier.title is None  # a video:title is not the article's title
    assert pier.published_at == datetime(2024, 5, 1, tzinfo=UTC)
    assert about.published_at is None  # lastmod is not a publication date


def test_sitemap_index_lists_children() -> None:
    sitemap = parse_sitemap(INDEX, "harbour")
    assert sitemap.pages == ()
    assert sitemap.sitemaps == (
        "https://harbour.example/sitemap-news.xml",
        "https://harbour.example/sitemap-2024.xml.gz",
    )


def test_gzipped_sitemap() -> None:
    assert len(parse_sitemap(gzip.compress(NEWS_SITEMAP), "harbour").pages) == 3


def test_sitemap_entries_are_capped() -> None:
    urls = b"".join(b"<url><loc>https://h.example/%d</loc></url>" % i for i in range(100))
    big = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + urls + b"</urlset>"
    sitemap = parse_sitemap(big, "h", max_entries=10)
    assert len(sitemap.pages) == 10 and sitemap.truncated


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (b"<html><body/></html>", "bad-sitemap"),
        (b"<urlset><url><loc>https://h.example/a</loc>", "bad-sitemap"),
        (b"\x1f\x8b\x08not really gzip", "bad-sitemap"),
    ],
)
def test_broken_sitemaps_are_rejected(document: bytes, reason: str) -> None:
    with pytest.raises(Rejected) as err:
        parse_sitemap(document, "h")
    assert err.value.reason == reason


# -- walking a source over HTTP ------------------------------------------------------


@pytest.fixture
def fetcher() -> Fetcher:
    settings = FetchSettings(allow_hosts=("127.0.0.1", "localhost"), rate_limit=0.0, retries=0)
    with Fetcher(settings) as f:
        yield f


def source(kind: str, *urls: str, max_items: int | None = None) -> Source:
    return Source("test", kind, urls, Schedule(interval_seconds=60), max_items=max_items)


def test_feed_source(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/rss.xml").respond_with_data(RSS, content_type="application/rss+xml")
    found = discover_source(source("feed", httpserver.url_for("/rss.xml")), fetcher.fetch)
    assert [p.url for p in found.pages] == [
        "https://gazette.example/news/harbour?id=7",
        httpserver.url_for("/news/pier"),  # relative link resolved against the feed's URL
    ]
    assert [f.outcome for f in found.fetches] == ["ok"]


def test_sitemap_index_with_child_news_sitemap(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    base = httpserver.url_for("")
    index = INDEX.replace(b"https://harbour.example/", base.encode())
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/sitemap_index.xml").respond_with_data(
        index, content_type="application/xml"
    )
    httpserver.expect_request("/sitemap-news.xml").respond_with_data(
        NEWS_SITEMAP, content_type="text/xml"
    )
    httpserver.expect_request("/sitemap-2024.xml.gz").respond_with_data(
        b"<not-a-sitemap/>", content_type="application/x-gzip"
    )
    found = discover_source(
        source("sitemap", httpserver.url_for("/sitemap_index.xml")), fetcher.fetch
    )
    assert [p.url for p in found.pages] == [
        "https://harbour.example/news/ferries",
        "https://harbour.example/news/pier",
        "https://harbour.example/about",
    ]
    assert found.pages[0].title == "Ferries are back"
    assert [f.final_url for f in found.fetches] == [
        httpserver.url_for("/sitemap_index.xml"),
        httpserver.url_for("/sitemap-news.xml"),
        httpserver.url_for("/sitemap-2024.xml.gz"),
    ]
    assert [(p.url, p.reason) for p in found.problems] == [
        (httpserver.url_for("/sitemap-2024.xml.gz"), "bad-sitemap")
    ]


def test_sitemap_index_that_lists_itself_is_fetched_once(
    httpserver: HTTPServer, fetcher: Fetcher
) -> None:
    url = httpserver.url_for("/sitemap.xml")
    loop = INDEX.replace(b"https://harbour.example/sitemap-news.xml", url.encode())
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/sitemap.xml").respond_with_data(
        loop, content_type="application/xml"
    )
    found = discover_source(source("sitemap", url), fetcher.fetch, max_sitemaps=5)
    assert [f.final_url for f in found.fetches].count(url) == 1


def test_source_max_items_and_failed_fetch(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/news.xml").respond_with_data(
        NEWS_SITEMAP, content_type="application/xml"
    )
    found = discover_source(
        source("sitemap", httpserver.url_for("/news.xml"), max_items=2), fetcher.fetch
    )
    assert len(found.pages) == 2
    httpserver.expect_request("/gone.xml").respond_with_data("", status=404)
    gone = discover_source(source("sitemap", httpserver.url_for("/gone.xml")), fetcher.fetch)
    assert gone.pages == [] and gone.fetches[0].outcome == "http-error"


def test_urls_source_needs_no_fetch() -> None:
    def no_fetch(*args, **kwargs):
        raise AssertionError("a urls source is not fetched during discovery")

    found = discover_source(
        source(
            "urls",
            "https://A.example/x?utm_campaign=1",
            "https://a.example/x",
            "https://a.example/y",
        ),
        no_fetch,
    )
    assert [p.url for p in found.pages] == ["https://a.example/x", "https://a.example/y"]


# -- bad entries in the sources config ------------------------------------------------

BAD_URLS = (
    "file:///etc/passwd",
    "ftp://127.0.0.1/news",
    "javascript:alert(1)",
    "https://",
    "not a url",
)


def test_bad_urls_of_a_urls_source_are_bad_url_entries() -> None:
    def no_fetch(*args, **kwargs):
        raise AssertionError("a bad URL must never be requested")

    found = discover_source(
        source("urls", BAD_URLS[0], "https://a.example/x", *BAD_URLS[1:]), no_fetch
    )
    assert [p.url for p in found.pages] == ["https://a.example/x"]
    assert [(f.url, f.outcome, f.status, f.body) for f in found.fetches] == [
        (url, "bad-url", None, None) for url in BAD_URLS
    ]
    assert all(url in f.detail for url, f in zip(BAD_URLS, found.fetches, strict=True))
    assert found.problems == []


@pytest.mark.parametrize("kind", ["feed", "sitemap"])
def test_a_feed_or_sitemap_with_a_bad_url_yields_only_its_bad_url_entry(kind: str) -> None:
    def no_fetch(*args, **kwargs):
        raise AssertionError("a bad URL must never be requested")

    found = discover_source(source(kind, "file:///etc/passwd"), no_fetch)
    assert found.pages == [] and found.problems == []
    assert [(f.url, f.outcome) for f in found.fetches] == [("file:///etc/passwd", "bad-url")]


def test_bad_url_entries_do_not_use_up_the_sitemap_budget(
    httpserver: HTTPServer, fetcher: Fetcher
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/news.xml").respond_with_data(
        NEWS_SITEMAP, content_type="application/xml"
    )
    found = discover_source(
        source("sitemap", *BAD_URLS, httpserver.url_for("/news.xml")),
        fetcher.fetch,
        max_sitemaps=1,
    )
    assert [f.outcome for f in found.fetches] == ["bad-url"] * len(BAD_URLS) + ["ok"]
    assert len(found.pages) == 3


def test_ingest_records_bad_entries_and_fetches_the_good_ones(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    """The issue's case: a file:// URL in one source no longer fails every source."""
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    for name in ("one", "two"):
        httpserver.expect_request(f"/news/{name}").respond_with_data(
            f"<html><body><p>{name}</p></body></html>", content_type="text/html"
        )
    sitemap = NEWS_SITEMAP.replace(
        b"https://harbour.example/news/ferries?utm_medium=sitemap",
        httpserver.url_for("/news/two").encode(),
    )
    sitemap = sitemap.replace(b"<url><loc>https://harbour.example/news/pier", b"<url><loc>x")
    sitemap = sitemap.replace(b"https://harbour.example/about", b"javascript:void(0)")
    httpserver.expect_request("/sitemap.xml").respond_with_data(
        sitemap, content_type="application/xml"
    )
    good = httpserver.url_for("/news/one")
    config_file = tmp_path / "sources.toml"
    config_file.write_text(
        f"""[fetch]
allow_hosts = ["127.0.0.1", "localhost"]
rate_limit = 0.0
retries = 0

[sources.pages]
kind = "urls"
urls = ["file:///etc/passwd", "{good}", "ftp://127.0.0.1/news"]
schedule = "1h"

[sources.broken]
kind = "feed"
url = "javascript:alert(1)"
schedule = "1h"

[sources.map]
kind = "sitemap"
url = "{httpserver.url_for("/sitemap.xml")}"
schedule = "1h"
""",
        encoding="utf-8",
    )
    config = load_sources(config_file)
    warehouse = tmp_path / "w.duckdb"
    counts = {
        s.name: fetch_source(Warehouse(warehouse), config, s, f"run-{s.name}").counts
        for s in config.sources
    }
    with duckdb.connect(str(warehouse), read_only=True) as con:
        fetches = con.execute("SELECT run_id, kind, url, outcome FROM fetches").fetchall()
        rejects = con.execute(
            "SELECT run_id, input, reason FROM rejects ORDER BY run_id, input"
        ).fetchall()
    assert sorted(fetches) == sorted(
        [
            ("run-broken", "feed", "javascript:alert(1)", "bad-url"),
            ("run-map", "page", httpserver.url_for("/news/two"), "ok"),
            ("run-map", "sitemap", httpserver.url_for("/sitemap.xml"), "ok"),
            ("run-pages", "page", good, "ok"),
            ("run-pages", "urls", "file:///etc/passwd", "bad-url"),
            ("run-pages", "urls", "ftp://127.0.0.1/news", "bad-url"),
        ]
    )
    assert rejects == [
        ("run-broken", "javascript:alert(1)", "bad-url"),
        ("run-pages", "file:///etc/passwd", "bad-url"),
        ("run-pages", "ftp://127.0.0.1/news", "bad-url"),
    ]
    assert (counts["pages"].rejected, counts["pages"].reasons) == (2, {"bad-url": 2})
    assert counts["map"].rejected == 0
    requested = {request.path for request, _ in httpserver.log}
    assert {"/news/one", "/news/two", "/sitemap.xml"} <= requested


# -- a new kind, registered by the test alone ----------------------------------------


class _Links(HTMLParser):
    """Every `<a href>` (pages) and `<link rel="next" href>` (the next listing page)."""

    def __init__(self) -> None:
        super().__init__()
        self.pages: list[str] = []
        self.next: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "a" and attr.get("href"):
            self.pages.append(attr["href"])
        elif tag == "link" and attr.get("rel") == "next" and attr.get("href"):
            self.next.append(attr["href"])


class LinkListKind(SourceKind):
    """A section page whose links are the articles, paginated with rel="next"."""

    name = "links"
    fetch_as = "page"
    url_key = "url"

    def read(self, body: bytes, *, source: str, url: str) -> Found:
        parser = _Links()
        parser.feed(body.decode("utf-8"))
        pages = (canonical_or_none(urljoin(url, href)) for href in parser.pages)
        return Found(
            pages=tuple(Discovered(p, None, None, source) for p in pages if p),
            follow=tuple(urljoin(url, href) for href in parser.next),
        )


@pytest.fixture
def links_kind() -> Iterator[SourceKind]:
    kind = register(LinkListKind())
    yield kind
    KINDS.pop(kind.name)


SECTION = """<html><head>{next}</head><body>
<a href="/news/a?utm_source=section">A</a> <a href="{base}news/b">B</a>
<a href="mailto:desk@example.org">mail</a>
</body></html>"""


def test_a_registered_kind_is_configured_and_walked_without_other_changes(
    httpserver: HTTPServer, fetcher: Fetcher, links_kind: SourceKind
) -> None:
    base = httpserver.url_for("/")
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/section").respond_with_data(
        SECTION.format(next='<link rel="next" href="/section/2">', base=base),
        content_type="text/html",
    )
    httpserver.expect_request("/section/2").respond_with_data(
        SECTION.format(next='<link rel="next" href="/section">', base=base).replace(
            "news/b", "news/c"
        ),
        content_type="text/html",
    )
    config = parse_sources(
        {"sources": {"front": {"kind": "links", "url": base + "section", "schedule": "1h"}}}
    )
    (front,) = config.sources
    assert front.kind == "links"
    found = discover_source(front, fetcher.fetch)
    assert [p.url for p in found.pages] == [base + "news/a", base + "news/b", base + "news/c"]
    # the first page is listed again by the second one, and is not fetched twice
    assert [(f.final_url, f.outcome) for f in found.fetches] == [
        (base + "section", "ok"),
        (base + "section/2", "ok"),
    ]
    with pytest.raises(SourcesError, match="not used by kind 'links'; use 'url'"):
        parse_sources({"sources": {"front": {"kind": "links", "urls": [base], "schedule": "1h"}}})


def test_kinds_are_known_only_once_registered() -> None:
    raw = {"sources": {"front": {"kind": "links", "url": "https://a.example/", "schedule": "1h"}}}
    with pytest.raises(SourcesError, match="must be one of feed, sitemap, urls, got 'links'"):
        parse_sources(raw)
    register(LinkListKind())
    try:
        assert parse_sources(raw).sources[0].kind == "links"
        with pytest.raises(ValueError, match="already registered"):
            register(LinkListKind())
    finally:
        KINDS.pop("links")


def test_a_fetched_kind_must_read_what_it_fetches() -> None:
    class Unreadable(SourceKind):
        name = "unreadable"
        fetch_as = "feed"

    with pytest.raises(ValueError, match="does not override read"):
        register(Unreadable())
    assert "unreadable" not in KINDS
