"""An ingest killed with SIGKILL at any moment loses nothing.

A real ingest process (the flow, against a real HTTP server on 127.0.0.1)
is killed at each phase boundary (`newsetl.pipeline.failpoints`) and at
random moments; the next, uninterrupted run must end with the warehouse an
uninterrupted run builds: every article exactly once, and a search index
that finds them.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer

from newsetl.pipeline.failpoints import FAILPOINT

PAGES = 6
_PARAGRAPH = ("<p>The {topic} committee met on Monday and agreed a plan after a long debate, "
              "the chair of the {topic} board said, adding that work starts in spring.</p>")

# Runs the ingest flow in a process of its own, which the test can kill.
_RUNNER = """
import sys
from newsetl.cli import load_flow
flow = load_flow("ingest", "ingest")
flow(sources_file=sys.argv[1], warehouse=sys.argv[2], workers=1, batch_size=2)
"""


def _page(i: int) -> str:
    topic = f"topic{i}"
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>Story {i}</title>"
            f"</head><body><article><h1>Story {i}</h1>"
            + "".join(_PARAGRAPH.format(topic=f"{topic} {j}") for j in range(5))
            + "</article></body></html>")


@pytest.fixture
def site(httpserver: HTTPServer) -> HTTPServer:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    base = httpserver.url_for("")[:-1]
    items = "".join(f"<item><title>s{i}</title><link>{base}/story/{i}</link></item>"
                    for i in range(PAGES))
    httpserver.expect_request("/feed.xml").respond_with_data(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}'
        "</channel></rss>", content_type="application/rss+xml")

    def slow_page(request):  # slow enough that a random kill can land mid-fetch
        from werkzeug import Response

        time.sleep(0.15)
        return Response(_page(int(request.path.rsplit("/", 1)[1])), content_type="text/html")

    for i in range(PAGES):
        httpserver.expect_request(f"/story/{i}").respond_with_handler(slow_page)
    return httpserver


def _config(tmp_path: Path, site: HTTPServer) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text('[fetch]\nallow_hosts = ["127.0.0.1"]\nrate_limit = 0.0\n'
                    f'[sources.wire]\nkind = "feed"\nurl = "{site.url_for("/feed.xml")}"\n'
                    'schedule = "15m"\n', encoding="utf-8")
    return path


def _start(config: Path, warehouse: Path, failpoint: str | None = None) -> subprocess.Popen:
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}  # the tests' server
    env.pop(FAILPOINT, None)
    if failpoint:
        env[FAILPOINT] = failpoint
    return subprocess.Popen([sys.executable, "-c", _RUNNER, str(config), str(warehouse)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _articles(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("SELECT url, title, body, content_hash FROM articles "
                           "ORDER BY url").fetchall()


def _finds(warehouse: Path, word: str) -> int:
    from newsetl.store.search import search

    with duckdb.connect(str(warehouse), read_only=True) as con:
        return len(search(con, word, limit=50))


def _ingest(config: Path, warehouse: Path) -> None:
    """An uninterrupted ingest, in this process."""
    from newsetl.cli import load_flow

    load_flow("ingest", "ingest")(sources_file=str(config), warehouse=str(warehouse),
                                  workers=1, batch_size=2)


_REFERENCE: dict[str, list[tuple]] = {}  # site address -> what an uninterrupted ingest stores


@pytest.fixture
def reference(prefect_server, site: HTTPServer, tmp_path: Path) -> list[tuple]:
    """What an uninterrupted ingest stores (built once per site address)."""
    if site.url_for("/") not in _REFERENCE:
        warehouse = tmp_path / "reference" / "w.duckdb"
        _ingest(_config(tmp_path, site), warehouse)
        _REFERENCE[site.url_for("/")] = _articles(warehouse)
    rows = _REFERENCE[site.url_for("/")]
    assert len(rows) == PAGES
    return rows


def _recover_and_check(config: Path, warehouse: Path, reference: list[tuple]) -> None:
    _ingest(config, warehouse)
    assert _articles(warehouse) == reference  # every article, exactly once
    assert _finds(warehouse, "committee") == PAGES


@pytest.mark.parametrize("point", ["page-fetched@3", "fetches-recorded", "batch-loaded@1",
                                   "index-refresh"])
def test_a_kill_at_each_phase_boundary_loses_nothing(point: str, site: HTTPServer,
                                                     tmp_path: Path, reference: list[tuple]):
    config, warehouse = _config(tmp_path, site), tmp_path / "wh" / "w.duckdb"
    killed = _start(config, warehouse, point)
    killed.communicate(timeout=300)
    assert killed.returncode == -signal.SIGKILL, f"{point} was never reached"
    _recover_and_check(config, warehouse, reference)


def test_kills_at_random_moments_lose_nothing(site: HTTPServer, tmp_path: Path,
                                              reference: list[tuple]):
    config, warehouse = _config(tmp_path, site), tmp_path / "wh" / "w.duckdb"
    rng = random.Random(13)
    for _ in range(2):
        run = _start(config, warehouse)
        try:  # the process needs ~3 s to import Prefect before it fetches
            run.wait(timeout=rng.uniform(3.0, 7.0))
        except subprocess.TimeoutExpired:
            run.send_signal(signal.SIGKILL)
            run.wait()
    _recover_and_check(config, warehouse, reference)
