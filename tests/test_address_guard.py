"""The address guard checks the host the HTTP library really connects to (issue 13).

Two real servers on the loopback interface: the `site` on 127.0.0.2, the only
allowed address, and a `trap` on 127.0.0.1, which the fetcher may not reach.
A page on the site redirects to some spelling of the trap; the fetch must be
refused before connecting, and the trap's log must stay empty. A control
runs every spelling once more with 127.0.0.1 allowed and shows that it does
reach the trap, so an empty log means the guard refused the spelling, not
that the spelling went nowhere.

A guard on urllib3's connect records every host connected to and refuses
anything outside 127.0.0.0/8, so a safety bug fails a test instead of
sending traffic out.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import urllib3.util.connection
from pytest_httpserver import HTTPServer

from newsetl.pipeline.ingest import fetch_source
from newsetl.store.warehouse import Warehouse
from newsetl.web.fetch import Fetcher
from newsetl.web.sources import FetchSettings, load_sources

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="needs 127.0.0.2, which only Linux routes to loopback"
)

PAGE = b"<!doctype html><html><head><title>Trap</title></head><body><p>x</p></body></html>"
HTML = "text/html; charset=utf-8"

# Spellings of 127.0.0.1 (the trap) that a URL parser, socket.getaddrinfo or
# IDNA turn into 127.0.0.1; `{trap}` is the trap's port.
SPELLINGS = [
    "http://127.0.0.1:{trap}/x",
    "http://localhost:{trap}/x",
    "http://LOCALHOST.:{trap}/x",
    "http://2130706433:{trap}/x",
    "http://0x7f000001:{trap}/x",
    "http://0X7F.1:{trap}/x",
    "http://127.1:{trap}/x",
    "http://0177.0.0.1:{trap}/x",
    "http://127.000.000.001:{trap}/x",
    "http://127.0.0.1.:{trap}/x",
    "http://[::ffff:127.0.0.1]:{trap}/x",
    "http://[::FFFF:7F00:1]:{trap}/x",
    # Fullwidth digits and dots: IDNA maps them to 127.0.0.1.
    "http://\uff11\uff12\uff17\uff0e\uff10\uff0e\uff10\uff0e\uff11:{trap}/x",
    "//127.1:{trap}/x",  # scheme-relative
]

# Authorities that one parser reads as the allowed site and urllib3 as the
# trap (the bypass), or that carry user info: refused outright.
AMBIGUOUS = [
    "http://127.0.0.1:{trap}\\@127.0.0.2:{site}/x",
    "http://127.0.0.1:{trap}\\\\@127.0.0.2:{site}/x",
    "http://user@127.0.0.1:{trap}/x",
    "http://127.0.0.2:{site}@127.0.0.1:{trap}/x",
    "http://user:secret@127.0.0.2:{site}/x",  # even to the allowed site: credentials
]


@pytest.fixture(autouse=True)
def connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every host urllib3 connects to; anything outside 127.0.0.0/8 is refused."""
    seen: list[str] = []
    real = urllib3.util.connection.create_connection

    def guarded(address, *args, **kwargs):
        seen.append(address[0])
        host = address[0].strip("[]")
        # Numeric spellings and the hosts file only: no DNS query for these.
        resolved = {info[4][0] for info in socket.getaddrinfo(host, address[1])}
        if not all(ipaddress.ip_address(ip).is_loopback for ip in resolved):
            raise OSError(f"test guard: connection to {address[0]} ({resolved}) refused")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", guarded)
    return seen


@pytest.fixture
def site() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.2")
    server.start()
    server.expect_request("/robots.txt").respond_with_data("", status=404)
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def trap() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1")
    server.start()
    server.expect_request("/robots.txt").respond_with_data("", status=404)
    server.expect_request("/x").respond_with_data(PAGE, content_type=HTML)
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def redirect_to(site: HTTPServer, trap: HTTPServer, spelling: str) -> str:
    """The site's URL of a page that redirects to `spelling` of the trap."""
    location = spelling.format(trap=trap.port, site=site.port)
    site.expect_request("/go").respond_with_data("", status=302, headers={"Location": location})
    return f"http://127.0.0.2:{site.port}/go"


def fetcher(*allowed: str) -> Fetcher:
    return Fetcher(FetchSettings(allow_hosts=allowed, rate_limit=0.0, retries=0))


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_redirect_to_a_forbidden_spelling_never_reaches_it(
    site: HTTPServer, trap: HTTPServer, connections: list[str], spelling: str
) -> None:
    result = fetcher("127.0.0.2").fetch(redirect_to(site, trap, spelling))
    assert result.outcome == "blocked-address", result.detail
    assert "127.0.0.1" in result.detail
    assert trap.log == []
    assert set(connections) == {"127.0.0.2"}
    assert result.redirects == (f"http://127.0.0.2:{site.port}/go",)


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_control_the_same_spelling_reaches_the_trap_when_allowed(
    site: HTTPServer, trap: HTTPServer, spelling: str
) -> None:
    result = fetcher("127.0.0.2", "127.0.0.1", "localhost").fetch(redirect_to(site, trap, spelling))
    assert result.outcome == "ok", result.detail
    assert [request.path for request, _ in trap.log] == ["/robots.txt", "/x"]


@pytest.mark.parametrize("spelling", AMBIGUOUS)
def test_redirect_with_backslash_or_user_info_is_refused(
    site: HTTPServer, trap: HTTPServer, connections: list[str], spelling: str
) -> None:
    result = fetcher("127.0.0.2").fetch(redirect_to(site, trap, spelling))
    assert result.outcome == "bad-url", result.detail
    assert ("backslash" in result.detail) or ("user info" in result.detail)
    assert trap.log == []
    assert set(connections) == {"127.0.0.2"}
    assert [request.path for request, _ in site.log] == ["/robots.txt", "/go"]


# The first URL is fetched as given (callers canonicalise it), and urllib3
# resolves `localhost.` with its dot, which this machine's hosts file may not
# know: that spelling gets its own test with a resolver.
FIRST_URLS = [s for s in AMBIGUOUS + SPELLINGS if not s.startswith(("//", "http://LOCALHOST."))]


@pytest.mark.parametrize("spelling", FIRST_URLS)
def test_first_url_goes_through_the_same_guard(
    site: HTTPServer, trap: HTTPServer, connections: list[str], spelling: str
) -> None:
    url = spelling.format(trap=trap.port, site=site.port)
    result = fetcher("127.0.0.2").fetch(url)
    assert result.outcome in ("bad-url", "blocked-address"), result.detail
    assert trap.log == [] and site.log == []
    assert connections == []


def test_first_url_with_a_trailing_dot_name_is_resolved_as_sent(
    trap: HTTPServer, connections: list[str]
) -> None:
    asked: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["127.0.0.1"]

    settings = FetchSettings(allow_hosts=("127.0.0.2",), rate_limit=0.0, retries=0)
    result = Fetcher(settings, resolve=resolve).fetch(f"http://LOCALHOST.:{trap.port}/x")
    assert result.outcome == "blocked-address", result.detail
    assert asked == ["localhost."]
    assert trap.log == [] and connections == []


def test_name_allowed_by_the_allow_list_is_not_confused_with_its_spellings(
    trap: HTTPServer, connections: list[str]
) -> None:
    """`localhost` allowed by name does not open 127.0.0.1's other spellings."""
    only_the_name = fetcher("localhost")
    assert only_the_name.fetch(f"http://localhost:{trap.port}/x").outcome == "ok"
    for spelling in ("http://2130706433:{trap}/x", "http://[::ffff:127.0.0.1]:{trap}/x"):
        result = only_the_name.fetch(spelling.format(trap=trap.port))
        assert result.outcome == "blocked-address", result.detail
    assert [request.path for request, _ in trap.log] == ["/robots.txt", "/x"]


def test_ingest_records_blocked_address_in_fetches(
    site: HTTPServer, trap: HTTPServer, tmp_path: Path
) -> None:
    """End to end: the redirect to a numeric spelling of loopback is a `fetches` row."""
    base = f"http://127.0.0.2:{site.port}"
    site.expect_request("/feed.xml").respond_with_data(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        f"<item><title>a</title><link>{base}/go</link></item></channel></rss>",
        content_type="application/rss+xml",
    )
    redirect_to(site, trap, "http://2130706433:{trap}/x")
    config_file = tmp_path / "sources.toml"
    config_file.write_text(
        '[fetch]\nallow_hosts = ["127.0.0.2"]\nrate_limit = 0.0\nretries = 0\n'
        f'[sources.wire]\nkind = "feed"\nurl = "{base}/feed.xml"\nschedule = "1h"\n',
        encoding="utf-8",
    )
    config = load_sources(config_file)
    warehouse = tmp_path / "n.duckdb"
    fetched = fetch_source(Warehouse(warehouse), config, config.sources[0], "run-1")
    assert fetched.counts.reasons == {"blocked-address": 1}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("SELECT kind, outcome, final_url FROM fetches ORDER BY kind").fetchall()
    assert rows == [
        ("feed", "ok", f"{base}/feed.xml"),
        ("page", "blocked-address", f"http://127.0.0.1:{trap.port}/x"),
    ]
    assert trap.log == []
