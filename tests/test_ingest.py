"""Web ingestion end to end against a real HTTP server on 127.0.0.1, through the ingest flow
itself (real Prefect, real DuckDB)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from newsetl.pipeline.backfill import backfill_files
from newsetl.store.warehouse import Counts, Warehouse
from newsetl.web.sources import SourcesConfig, load_sources

PARAGRAPH = ("<p>The {topic} council met on Monday and agreed a plan after a long debate, "
             "the mayor of {town} said, adding that work would start in spring.</p>")


def page(title: str, topic: str, canonical: str | None = None) -> str:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    paragraphs = "".join(PARAGRAPH.format(topic=f"{topic} {i}", town=topic.title())
                         for i in range(6))
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title>"
            f"{link}</head><body><article><h1>{title}</h1>{paragraphs}</article></body></html>")


def rss(base: str, paths: list[str]) -> str:
    items = "".join(f"<item><title>{p}</title><link>{base}{p}</link></item>" for p in paths)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}'
            "</channel></rss>")


def write_config(tmp_path: Path, sources: str) -> SourcesConfig:
    path = tmp_path / "sources.toml"
    path.write_text('[fetch]\nallow_hosts = ["127.0.0.1"]\nrate_limit = 0.0\nbackoff = 0.05\n'
                    'retries = 2\nmax_wait = 2.0\nmax_bytes = 2000000\n' + sources,
                    encoding="utf-8")
    return load_sources(path)


@pytest.fixture
def site(httpserver: HTTPServer) -> HTTPServer:
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    for name in ("harbour", "ferry", "pier"):
        httpserver.expect_request(f"/news/{name}").respond_with_data(
            page(f"{name.title()} news", name), content_type="text/html; charset=utf-8")
    return httpserver


@dataclass
class Ingested(Counts):
    run_id: str = ""


@pytest.fixture
def ingest(prefect_server, tmp_path: Path) -> Callable[..., Ingested]:
    """Run the ingest flow on `<tmp_path>/sources.toml` (see `write_config`) for one source;
    its run id and counts."""
    from newsetl.cli import load_flow

    flow = load_flow("ingest", "ingest")

    def run(config: SourcesConfig, warehouse: Path, source: str | None = None) -> Ingested:
        name = source or config.sources[0].name
        result = flow(sources_file=str(tmp_path / "sources.toml"), source=name,
                      warehouse=str(warehouse), workers=1)[name]
        return Ingested(**result)

    return run


def _rows(warehouse: Path, query: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(query).fetchall()


def test_feed_articles_load_once_and_a_second_run_fetches_nothing(site: HTTPServer,
        tmp_path: Path, ingest: Callable[..., Ingested]) -> None:
    base = site.url_for("")[:-1]
    site.expect_request("/feed.xml").respond_with_data(
        rss(base, ["/news/harbour", "/news/ferry?utm_source=rss"]),
        content_type="application/rss+xml")
    config = write_config(tmp_path, f'[sources.gazette]\nkind = "feed"\nurl = "{base}/feed.xml"'
                                    '\nschedule = "15m"\n')
    warehouse = tmp_path / "wh" / "n.duckdb"
    first = ingest(config, warehouse)
    assert (first.loaded, first.rejected) == (2, 0)
    pages_fetched = len([r for r in site.log if r[0].path.startswith("/news/")])
    second = ingest(config, warehouse)
    assert (second.loaded, second.skipped) == (0, 2)
    assert len([r for r in site.log if r[0].path.startswith("/news/")]) == pages_fetched
    assert _rows(warehouse, "SELECT count(*) FROM articles") == [(2,)]
    # Tracking parameters are stripped before fetching and storing.
    assert _rows(warehouse, "SELECT count(*) FROM fetches WHERE url LIKE '%utm_%'") == [(0,)]
    (warc,) = _rows(warehouse, "SELECT DISTINCT warc_path FROM fetches "
                               f"WHERE run_id = '{first.run_id}' AND kind = 'page'")
    assert Path(warc[0]).is_file()
    assert Path(warc[0]).parent == Warehouse(warehouse).archive_dir / "gazette"


def test_sitemap_index_and_feed_reaching_one_article_store_it_once(site: HTTPServer,
        tmp_path: Path, ingest: Callable[..., Ingested]) -> None:
    base = site.url_for("")[:-1]
    site.expect_request("/sitemap_index.xml").respond_with_data(
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{base}/news-sitemap.xml</loc></sitemap></sitemapindex>",
        content_type="application/xml")
    site.expect_request("/news-sitemap.xml").respond_with_data(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"<url><loc>{base}/news/pier</loc><news:news><news:publication_date>2024-05-01"
        "</news:publication_date><news:title>Pier</news:title></news:news></url>"
        f"<url><loc>{base}/news/harbour</loc></url></urlset>", content_type="application/xml")
    site.expect_request("/feed.xml").respond_with_data(rss(base, ["/news/harbour"]),
                                                       content_type="application/rss+xml")
    config = write_config(
        tmp_path, f'[sources.maps]\nkind = "sitemap"\nurl = "{base}/sitemap_index.xml"\n'
                  f'schedule = "1h"\n[sources.wire]\nkind = "feed"\nurl = "{base}/feed.xml"\n'
                  'schedule = "1h"\n')
    warehouse = tmp_path / "n.duckdb"
    assert ingest(config, warehouse, "maps").loaded == 2
    assert ingest(config, warehouse, "wire").skipped == 1
    assert _rows(warehouse, "SELECT count(*), count(DISTINCT url) FROM articles") == [(2, 2)]


def _stream_50_mb() -> Iterator[bytes]:
    chunk = b"<p>" + b"x" * 65_536 + b"</p>"
    for _ in range(800):
        yield chunk


def test_bad_pages_are_recorded_with_their_reason_and_the_rest_loads(site: HTTPServer,
        tmp_path: Path, ingest: Callable[..., Ingested]) -> None:
    site.expect_request("/loop").respond_with_data("", status=302,
                                                   headers={"Location": "/loop"})
    site.expect_request("/huge").respond_with_handler(
        lambda request: Response(_stream_50_mb(), content_type="text/html"))
    site.expect_request("/report.pdf").respond_with_data(b"%PDF-1.4",
                                                         content_type="application/pdf")
    site.expect_request("/private/memo").respond_with_data(page("Memo", "memo"),
                                                           content_type="text/html")
    site.expect_request("/to-intranet").respond_with_data(
        "", status=302, headers={"Location": "http://10.0.0.1/admin"})
    site.expect_oneshot_request("/flaky").respond_with_data("busy", status=500)
    site.expect_request("/flaky").respond_with_data(page("Flaky news", "flaky"),
                                                    content_type="text/html")
    site.expect_oneshot_request("/slow-down").respond_with_data(
        "later", status=429, headers={"Retry-After": "1"})
    site.expect_request("/slow-down").respond_with_data(page("Patient news", "patient"),
                                                        content_type="text/html")
    paths = ["/news/harbour", "/loop", "/huge", "/report.pdf", "/private/memo", "/to-intranet",
             "/flaky", "/slow-down"]
    urls = ", ".join(f'"{site.url_for(p)}"' for p in paths)
    config = write_config(tmp_path, f'[sources.list]\nkind = "urls"\nurls = [{urls}]\n'
                                    'schedule = "1d"\n')
    warehouse = tmp_path / "n.duckdb"
    counts = ingest(config, warehouse)
    reasons = dict(_rows(warehouse, "SELECT regexp_extract(input, '/[^/]+$'), reason "
                                    "FROM rejects"))
    assert reasons == {"/loop": "redirect-loop", "/huge": "too-large",
                       "/report.pdf": "bad-content-type", "/memo": "robots-disallowed",
                       "/to-intranet": "blocked-address"}
    assert counts.loaded == 3 and counts.rejected == 5
    titles = {t for (t,) in _rows(warehouse, "SELECT title FROM articles")}
    assert titles == {"Harbour news", "Flaky news", "Patient news"}
    outcomes = dict(_rows(warehouse, "SELECT regexp_extract(url, '/[^/]+$'), outcome "
                                     "FROM fetches WHERE kind = 'page'"))
    assert outcomes["/flaky"] == outcomes["/slow-down"] == "ok"
    assert not any(r[0].host.startswith("10.") for r in site.log)


def test_refresh_revalidates_with_a_conditional_get(httpserver: HTTPServer,
        tmp_path: Path, ingest: Callable[..., Ingested]) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/live", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304)
    httpserver.expect_request("/live").respond_with_data(
        page("Live blog", "live"), content_type="text/html", headers={"ETag": '"v1"'})
    config = write_config(tmp_path, f'[sources.live]\nkind = "urls"\nurls = '
                                    f'["{httpserver.url_for("/live")}"]\nschedule = "5m"\n'
                                    'refresh = true\n')
    warehouse = tmp_path / "n.duckdb"
    first = ingest(config, warehouse)
    assert first.loaded == 1
    again = ingest(config, warehouse)
    assert (again.loaded, again.skipped) == (0, 1)
    assert _rows(warehouse, "SELECT run_id, status, outcome FROM fetches ORDER BY run_id") == [
        (first.run_id, 200, "ok"), (again.run_id, 304, "not-modified")]


def test_a_backfill_of_the_raw_archive_reproduces_the_ingest(site: HTTPServer,
        tmp_path: Path, ingest: Callable[..., Ingested]) -> None:
    urls = ", ".join(f'"{site.url_for(p)}"' for p in ("/news/harbour", "/news/pier"))
    config = write_config(tmp_path, f'[sources.list]\nkind = "urls"\nurls = [{urls}]\n'
                                    'schedule = "1d"\n')
    warehouse = tmp_path / "live" / "n.duckdb"
    ingest(config, warehouse)
    raw = Warehouse(warehouse).archive_dir
    assert backfill_files(warehouse, [str(raw)], "run-2").skipped == 2
    offline = tmp_path / "offline.duckdb"
    assert backfill_files(offline, [str(raw)], "run-3").loaded == 2
    query = ("SELECT article_id, source, url, title, body, content_hash FROM articles "
             "ORDER BY article_id")
    assert _rows(offline, query) == _rows(warehouse, query)
