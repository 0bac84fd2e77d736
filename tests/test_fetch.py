"""The fetcher against a real HTTP server on 127.0.0.1 (pytest-httpserver).

Waits are observed through a fake clock, never measured. A guard on
urllib3's connect refuses any connection that is not to the loopback
interface, so a safety bug fails a test instead of sending traffic out.
"""

from __future__ import annotations

import gzip
import ipaddress
import socket
import threading
from datetime import UTC, datetime, timedelta

import pytest
import urllib3.util.connection
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from newsetl.urls import canonical_url
from newsetl.web.fetch import Fetcher, address_allowed, connect_target, parse_retry_after
from newsetl.web.sources import FetchSettings

PAGE = b"<!doctype html><html><head><title>Harbour</title></head><body><p>Hi</p></body></html>"
HTML = "text/html; charset=utf-8"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class FakeClock:
    """Time stands still except when the fetcher sleeps; every sleep is recorded."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.sleeps: list[float] = []
        self.start = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

    def monotonic(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.t - 1000.0)


@pytest.fixture(autouse=True)
def connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every host urllib3 tries to connect to; anything but loopback fails the test."""
    seen: list[str] = []
    real = urllib3.util.connection.create_connection

    def guarded(address, *args, **kwargs):
        seen.append(address[0])
        if address[0] not in LOOPBACK:
            pytest.fail(f"connection attempted to {address[0]}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", guarded)
    return seen


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def robots_404(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)


def make_fetcher(clock: FakeClock, **overrides) -> Fetcher:
    settings = {
        "allow_hosts": ("127.0.0.1", "localhost"),
        "rate_limit": 0.0,
        "retries": 2,
        "backoff": 1.0,
        "max_wait": 60.0,
        "user_agent": "newsetl-test/1.0",
        **overrides,
    }
    return Fetcher(FetchSettings(**settings), clock=clock)


def paths(server: HTTPServer) -> list[str]:
    return [request.path for request, _ in server.log]


# -- the happy paths ---------------------------------------------------------


def test_new_page_is_fetched(httpserver: HTTPServer, robots_404: None, clock: FakeClock) -> None:
    httpserver.expect_request("/news/1").respond_with_data(
        PAGE,
        content_type=HTML,
        headers={"ETag": '"v1"', "Last-Modified": "Wed, 01 May 2024 10:00:00 GMT"},
    )
    with make_fetcher(clock) as fetcher:
        result = fetcher.fetch(httpserver.url_for("/news/1"))
    assert result.outcome == "ok", result.detail
    assert result.body == PAGE
    assert result.status == 200
    assert result.content_type == "text/html"
    assert result.etag == '"v1"'
    assert result.last_modified == "Wed, 01 May 2024 10:00:00 GMT"
    assert result.final_url == result.url and result.redirects == ()
    assert result.fetched_at == clock.now()
    request = httpserver.log[-1][0]
    assert request.headers["User-Agent"] == "newsetl-test/1.0"
    assert "If-None-Match" not in request.headers
    assert paths(httpserver) == ["/robots.txt", "/news/1"]


def test_gzip_encoded_page_is_decoded(
    httpserver: HTTPServer, robots_404: None, clock: FakeClock
) -> None:
    httpserver.expect_request("/gz").respond_with_data(
        gzip.compress(PAGE), content_type=HTML, headers={"Content-Encoding": "gzip"}
    )
    result = make_fetcher(clock).fetch(httpserver.url_for("/gz"))
    assert result.outcome == "ok" and result.body == PAGE


def test_conditional_get_gives_not_modified(
    httpserver: HTTPServer, robots_404: None, clock: FakeClock
) -> None:
    stamp = "Wed, 01 May 2024 10:00:00 GMT"
    httpserver.expect_request(
        "/news/1", headers={"If-None-Match": '"v1"', "If-Modified-Since": stamp}
    ).respond_with_data("", status=304)
    result = make_fetcher(clock).fetch(
        httpserver.url_for("/news/1"), etag='"v1"', last_modified=stamp
    )
    assert result.outcome == "not-modified"
    assert result.status == 304 and result.body is None


def test_redirect_is_followed_and_recorded(
    httpserver: HTTPServer, robots_404: None, clock: FakeClock
) -> None:
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": "/new"}
    )
    httpserver.expect_request("/new").respond_with_data(PAGE, content_type=HTML)
    result = make_fetcher(clock).fetch(httpserver.url_for("/old"))
    assert result.outcome == "ok"
    assert result.final_url == httpserver.url_for("/new")
    assert result.redirects == (httpserver.url_for("/old"),)


# -- retries and waiting ---------------------------------------------------------


def test_500_then_200_is_retried_after_backoff(
    httpserver: HTTPServer, robots_404: None, clock: FakeClock
) -> None:
    httpserver.expect_oneshot_request("/flaky").respond_with_data("oops", status=500)
    httpserver.expect_oneshot_request("/flaky").respond_with_data(PAGE, content_type=HTML)
    result = make_fetcher(clock).fetch(httpserver.url_for("/flaky"))
    assert result.outcome == "ok" and result.body == PAGE
    assert paths(httpserver).count("/flaky") == 2
    assert len(clock.sleeps) == 1 and 0.5 <= clock.sleeps[0] <= 1.0  # backoff 1s with jitter


def test_backoff_doubles_then_gives_up_with_http_error(
    httpserver: HTTPServer, robots_404: None, clock: FakeClock
) -> None:
    httpserver.expect_request("/down").respond_with_data("busy", status=503)
    result = make_fetcher(clock, retries=2, backoff=2.0).fetch(httpserver.url_for("/down"))
    assert result.outcome == "http-error" and result.status == 503
    assert result.body == b"busy"  # kept: the archive may want it
    assert paths(httpserver).count("/down") == 3
    assert 1.0 <= clock.sleeps[0] <= 2.0 and 2.0 <= clock.sleeps[1] <= 4.0


def test_429_waits_for_retry_after(
    httpserver: HTTPServer, robots_404: None, clock: FakeClock
) -> None:
    httpserver.expect_oneshot_request("/busy").respond_with_data(
        "", status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_oneshot_request("/busy").respond_with_data(PAGE, content_type=HTML)
    result = make_fetcher(clock).fetch(httpserver.url_for("/busy"))
    assert result.outcome == "ok"
    assert clock.sleeps == [7.0]


def test_retry_after_is_capped_by_max_wait(
    httpserver: HTTPServer, robots_404: None, clock: FakeClock
) -> None:
    httpserver.expect_oneshot_request("/busy").respond_with_data(
        "", status=429, headers={"Retry-After": "86400"}
    )
    httpserver.expect_oneshot_request("/busy").respond_with_data(PAGE, content_type=HTML)
    result = make_fetcher(clock, max_wait=30.0).fetch(httpserver.url_for("/busy"))
    assert result.outcome == "ok"
    assert clock.sleeps == [30.0]


def test_parse_retry_after() -> None:
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after("Wed, 01 May 2024 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Wed, 01 May 2024 11:00:00 GMT", now) == 0.0  # in the past
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_connection_error_is_retried_then_reported(clock: FakeClock) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fetcher = make_fetcher(clock, retries=1)
    # robots.txt is unreachable first: RFC 9309 says assume complete disallow.
    result = fetcher.fetch(f"http://127.0.0.1:{port}/page")
    assert result.outcome == "robots-disallowed"
    assert "connection-error" in result.detail
    assert len(clock.sleeps) == 1  # one retry of the robots.txt request


def test_politeness_delay_between_requests_to_one_host(
    httpserver: HTTPServer, robots_404: None, clock: FakeClock
) -> None:
    httpserver.expect_request("/a").respond_with_data(PAGE, content_type=HTML)
    fetcher = make_fetcher(clock)
    fetcher.fetch(httpserver.url_for("/a"), rate_limit=3.0)  # robots.txt, then /a
    fetcher.fetch(httpserver.url_for("/a"), rate_limit=3.0)
    assert clock.sleeps == [3.0, 3.0]


def test_budget_is_enforced(httpserver: HTTPServer, robots_404: None, clock: FakeClock) -> None:
    httpserver.expect_request("/a").respond_with_data(PAGE, content_type=HTML)
    fetcher = make_fetcher(clock, max_requests=2)
    assert fetcher.fetch(httpserver.url_for("/a")).outcome == "ok"  # robots.txt + /a
    result = fetcher.fetch(httpserver.url_for("/a"))
    assert result.outcome == "budget-exhausted"
    assert len(httpserver.log) == 2


# -- what is refused ----------------------------------------------------------------


def test_redirect_loop(httpserver: HTTPServer, robots_404: None, clock: FakeClock) -> None:
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    result = make_fetcher(clock).fetch(httpserver.url_for("/a"))
    assert result.outcome == "redirect-loop"
    assert result.redirects == (httpserver.url_for("/a"), httpserver.url_for("/b"))
    assert paths(httpserver).count("/a") == 1


def test_too_many_redirects(httpserver: HTTPServer, robots_404: None, clock: FakeClock) -> None:
    for i in range(5):
        httpserver.expect_request(f"/r{i}").respond_with_data(
            "", status=307, headers={"Location": f"/r{i + 1}"}
        )
    result = make_fetcher(clock, max_redirects=2).fetch(httpserver.url_for("/r0"))
    assert result.outcome == "too-many-redirects"
    assert "/r3" not in paths(httpserver)


def test_streamed_50mb_body_is_rejected_without_reading_it(
    httpserver: HTTPServer, robots_404: None, clock: FakeClock
) -> None:
    total = 50 * 1024 * 1024
    chunk = b"<p>" + b"x" * (64 * 1024 - 3)
    sent = [0]
    finished = threading.Event()

    def body():
        try:
            while sent[0] < total:
                sent[0] += len(chunk)
                yield chunk
        finally:
            finished.set()

    def handler(request: Request) -> Response:
        return Response(body(), content_type=HTML)  # chunked: no Content-Length to trust

    httpserver.expect_request("/huge").respond_with_handler(handler)
    result = make_fetcher(clock, max_bytes=1024 * 1024).fetch(httpserver.url_for("/huge"))
    assert result.outcome == "too-large"
    assert result.body is None
    assert "stopped reading" in result.detail
    assert finished.wait(20), "the server kept sending"
    assert sent[0] < total // 2  # the connection was dropped, not drained


def test_declared_content_length_over_the_cap_is_rejected_up_front(
    httpserver: HTTPServer, robots_404: None, clock: FakeClock
) -> None:
    httpserver.expect_request("/big").respond_with_data(b"x" * 5000, content_type=HTML)
    result = make_fetcher(clock, max_bytes=1000).fetch(httpserver.url_for("/big"))
    assert result.outcome == "too-large"
    assert "Content-Length 5000" in result.detail


def test_non_html_page_is_rejected(
    httpserver: HTTPServer, robots_404: None, clock: FakeClock
) -> None:
    httpserver.expect_request("/doc.pdf").respond_with_data(
        b"%PDF-1.7", content_type="application/pdf"
    )
    result = make_fetcher(clock).fetch(httpserver.url_for("/doc.pdf"))
    assert result.outcome == "bad-content-type"
    assert result.body is None
    assert "application/pdf" in result.detail


def test_content_type_depends_on_kind(
    httpserver: HTTPServer, robots_404: None, clock: FakeClock
) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        b"<rss/>", content_type="application/rss+xml"
    )
    fetcher = make_fetcher(clock)
    assert fetcher.fetch(httpserver.url_for("/feed"), "feed").outcome == "ok"
    assert fetcher.fetch(httpserver.url_for("/feed"), "page").outcome == "bad-content-type"


def test_robots_disallow_is_obeyed_and_cached(httpserver: HTTPServer, clock: FakeClock) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private\n", content_type="text/plain"
    )
    httpserver.expect_request("/public").respond_with_data(PAGE, content_type=HTML)
    fetcher = make_fetcher(clock)
    blocked = fetcher.fetch(httpserver.url_for("/private/story"))
    assert blocked.outcome == "robots-disallowed"
    assert fetcher.fetch(httpserver.url_for("/public")).outcome == "ok"
    assert paths(httpserver) == ["/robots.txt", "/public"]  # robots.txt read once


def test_robots_rules_for_our_user_agent(httpserver: HTTPServer, clock: FakeClock) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: newsetl-test\nDisallow: /\n\nUser-agent: *\nAllow: /\n",
        content_type="text/plain",
    )
    result = make_fetcher(clock).fetch(httpserver.url_for("/anything"))
    assert result.outcome == "robots-disallowed"


def test_robots_crawl_delay_is_honoured(httpserver: HTTPServer, clock: FakeClock) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nCrawl-delay: 5\n", content_type="text/plain"
    )
    httpserver.expect_request("/a").respond_with_data(PAGE, content_type=HTML)
    fetcher = make_fetcher(clock)
    fetcher.fetch(httpserver.url_for("/a"))
    fetcher.fetch(httpserver.url_for("/a"))
    assert clock.sleeps == [5.0, 5.0]


def test_robots_server_error_means_disallow_all(httpserver: HTTPServer, clock: FakeClock) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=500)
    result = make_fetcher(clock, retries=0).fetch(httpserver.url_for("/a"))
    assert result.outcome == "robots-disallowed"
    assert "unreachable" in result.detail
    assert "/a" not in paths(httpserver)


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:192.168.0.1]/",
        "http://0.0.0.0/",
    ],
)
def test_redirect_to_private_address_is_refused_before_connecting(
    httpserver: HTTPServer, robots_404: None, clock: FakeClock, connections: list[str], target: str
) -> None:
    httpserver.expect_request("/go").respond_with_data("", status=302, headers={"Location": target})
    result = make_fetcher(clock).fetch(httpserver.url_for("/go"))
    assert result.outcome == "blocked-address"
    assert result.final_url == canonical_url(target)  # [::ffff:a.b.c.d] becomes a.b.c.d
    assert set(connections) <= LOOPBACK


def test_name_resolving_to_a_private_address_is_refused(
    clock: FakeClock, connections: list[str]
) -> None:
    asked: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        return {"intranet.example": ["10.1.2.3"], "mixed.example": ["127.0.0.1", "10.1.2.3"]}[host]

    fetcher = Fetcher(FetchSettings(allow_hosts=("127.0.0.1",)), clock=clock, resolve=resolve)
    assert fetcher.fetch("http://intranet.example/news").outcome == "blocked-address"
    mixed = fetcher.fetch("http://mixed.example/news")  # every address must pass
    assert mixed.outcome == "blocked-address" and "10.1.2.3" in mixed.detail
    assert asked == ["intranet.example", "mixed.example"]
    assert connections == []


def test_resolver_is_asked_the_host_urllib3_connects_to(
    clock: FakeClock, connections: list[str]
) -> None:
    """Trailing dot kept (`intranet.` skips the resolver's search domains,
    `intranet` does not), IDNA applied; numeric hosts are never resolved."""
    asked: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["10.1.2.3"]

    fetcher = Fetcher(FetchSettings(), clock=clock, resolve=resolve)
    for url in ("http://Intranet./a", "http://b\u00fccher.example/a", "http://0x0a010203/a"):
        result = fetcher.fetch(url)
        assert result.outcome == "blocked-address", result.detail
        assert "10.1.2.3" in result.detail
    assert asked == ["intranet.", "xn--bcher-kva.example"]
    assert connections == []


@pytest.mark.parametrize(
    ("url", "host", "port"),
    [
        ("http://127.0.0.2:81\\@127.0.0.1:80/x", "127.0.0.2", 81),  # what urllib.parse misreads
        ("HTTPS://Example.COM./a", "example.com.", 443),
        ("http://[::FFFF:127.0.0.1]/", "::ffff:127.0.0.1", 80),
        ("  http://2130706433:8080/", "2130706433", 8080),
    ],
)
def test_connect_target_is_what_requests_connects_to(url: str, host: str, port: int) -> None:
    assert connect_target(url)[1:] == (host, port)


def test_loopback_is_blocked_by_default(
    httpserver: HTTPServer, clock: FakeClock, connections: list[str]
) -> None:
    result = Fetcher(FetchSettings(), clock=clock).fetch(httpserver.url_for("/a"))
    assert result.outcome == "blocked-address"
    assert connections == [] and httpserver.log == []


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1/", "http:///nohost"]
)
def test_only_http_urls_are_fetched(clock: FakeClock, connections: list[str], url: str) -> None:
    assert make_fetcher(clock).fetch(url).outcome == "bad-url"
    assert connections == []


def test_redirect_to_another_scheme_is_refused(
    httpserver: HTTPServer, robots_404: None, clock: FakeClock
) -> None:
    httpserver.expect_request("/go").respond_with_data(
        "", status=302, headers={"Location": "file:///etc/passwd"}
    )
    assert make_fetcher(clock).fetch(httpserver.url_for("/go")).outcome == "bad-url"


@pytest.mark.parametrize(
    ("address", "allow_private", "allowed"),
    [
        ("93.184.216.34", False, True),
        ("2606:2800:220:1:248:1893:25c8:1946", False, True),
        ("127.0.0.1", False, False),
        ("10.0.0.1", False, False),
        ("172.16.5.4", False, False),
        ("192.168.1.1", False, False),
        ("169.254.169.254", False, False),
        ("100.100.100.200", False, False),
        ("224.0.0.1", False, False),
        ("0.0.0.0", False, False),
        ("::1", False, False),
        ("fd00:ec2::254", False, False),
        ("::ffff:10.0.0.1", False, False),
        ("::127.0.0.1", False, False),  # IPv4-compatible
        ("64:ff9b::a9fe:a9fe", False, False),  # NAT64 of 169.254.169.254
        ("64:ff9b::5db8:d822", False, True),  # NAT64 of 93.184.216.34
        ("2002:a9fe:a9fe::1", False, False),  # 6to4 of 169.254.169.254
        ("2002:0a00:0001::1", True, True),  # 6to4 of 10.0.0.1, private allowed
        ("10.0.0.1", True, True),
        ("fd12:3456::1", True, True),
        ("127.0.0.1", True, False),
        ("169.254.169.254", True, False),
        ("fd00:ec2::254", True, False),
    ],
)
def test_address_allowed(address: str, allow_private: bool, allowed: bool) -> None:
    assert address_allowed(ipaddress.ip_address(address), allow_private) is allowed
