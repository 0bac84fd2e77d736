"""Polite, bounded, SSRF-safe HTTP fetching of pages, feeds and sitemaps.

`Fetcher.fetch` never raises for a bad page: every problem comes back as a
`FetchResult` whose `outcome` says what happened (`ok`, `not-modified`, or
a rejection reason) so the caller can record it in the `fetches` table.

What protects whom:

* the *sites* we crawl: robots.txt (cached per origin, `Crawl-delay`
  honoured), a minimum interval between two requests to one host, a request
  budget per run, retries only with exponential backoff and jitter, and
  `Retry-After` obeyed (capped by `max_wait` so one server cannot stall a run);
* *us*: only http/https, a body size cap enforced while streaming, a
  total body read time, a content-type check before the body is read, and
  manual redirects so every hop is checked;
* the *network we run in* (SSRF): one guard, `_check_target`, runs before
  every request - the first URL, robots.txt and each redirect hop alike. It
  refuses an authority that HTTP libraries could split differently (a
  backslash: `http://127.0.0.2\\@127.0.0.1/` is host 127.0.0.1 to
  `urllib.parse` but 127.0.0.2 to urllib3) or that carries user info
  (`user@`), as `bad-url`. It then takes the host the way requests and
  urllib3 will connect to it (`PreparedRequest.prepare_url`, then the
  adapter's parse), reads a numeric host in every spelling `getaddrinfo`
  accepts (`2130706433`, `0x7f000001`, `127.1`, `0177.0.0.1`,
  `[::ffff:127.0.0.1]`) as the address it is, resolves a name, and requires
  *every* address to be public (not loopback, private, link-local,
  multicast, reserved, unspecified or a cloud metadata address, nor an IPv6
  address that embeds such an IPv4 one), else `blocked-address`. Redirect
  targets are canonicalised (`canonical_url`) before the guard sees them,
  so a redirect loop is found whatever the spelling. `allow_hosts` /
  `allow_private` relax the address rule: a name in `allow_hosts` allows
  that name, an address or network allows every spelling of those
  addresses. Residual risk: requests resolves the name again when it
  connects, so a DNS server that answers a public address to us and a
  private one a moment later (DNS rebinding) can still get a request through.
  Pinning the checked address would need a custom transport adapter (and SNI
  handling for https); for a crawler of news sites, configured by us, this
  is an accepted risk.

Waiting goes through an injectable `Clock`, so tests can observe every wait
(backoff, Retry-After, politeness, crawl-delay) without sleeping.
"""

from __future__ import annotations

import ipaddress
import random
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal, Protocol
from urllib.parse import urljoin, urlsplit

import requests
from protego import Protego
from urllib3.util import parse_url

from newsetl.models import (  # the vocabulary of a fetch, shared with the WARC reader
    BAD_CONTENT_TYPE,
    BAD_URL,
    BLOCKED_ADDRESS,
    BUDGET_EXHAUSTED,
    CONNECTION_ERROR,
    FEED_TYPES,
    HTTP_ERROR,
    NOT_MODIFIED,
    OK,
    PAGE_TYPES,
    REDIRECT_LOOP,
    ROBOTS_DISALLOWED,
    SITEMAP_TYPES,
    TOO_LARGE,
    TOO_MANY_REDIRECTS,
    FetchResult,
    media_type,
)
from newsetl.urls import authority_problem, canonical_url, parse_ipv4_number
from newsetl.web.sources import FetchSettings

Kind = Literal["page", "feed", "sitemap"]

_ACCEPTED_TYPES: dict[str, frozenset[str]] = {
    "page": PAGE_TYPES,
    "feed": FEED_TYPES,
    "sitemap": SITEMAP_TYPES,
}
_ACCEPT_HEADER = {
    "page": "text/html,application/xhtml+xml;q=0.9",
    "feed": "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.8",
    "sitemap": "application/xml,text/xml;q=0.9,application/x-gzip;q=0.8",
    "robots": "text/plain",
}
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309: parse at least 500 KiB, ignore the rest
_CHUNK = 64 * 1024
# Cloud instance-metadata endpoints; most are link-local or private anyway, but
# `allow_private` must never open them.
_METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
# IPv6 ranges whose last 32 bits are an IPv4 address a packet may end up at:
# IPv4-compatible (deprecated) and the NAT64 well-known prefix.
_LAST_32_BITS_IPV4 = (ipaddress.ip_network("::/96"), ipaddress.ip_network("64:ff9b::/96"))

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

Resolver = Callable[[str, int], list[str]]


class Clock(Protocol):
    """Time as the fetcher sees it; tests pass a fake one that records sleeps."""

    def monotonic(self) -> float: ...
    def sleep(self, seconds: float) -> None: ...
    def now(self) -> datetime: ...  # aware UTC, for Retry-After dates and fetched_at


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def now(self) -> datetime:
        return datetime.now(UTC)


def resolve_host(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (what a connection could end up using)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def connect_target(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) that requests and urllib3 will connect to for `url`.

    `Session.get` first rewrites the URL (`PreparedRequest.prepare_url`:
    urllib3's `parse_url`, IDNA, requoting); the adapter then takes the
    pool's host and port from `urlparse` of that result, and urllib3 hands
    the host to `getaddrinfo` as it is (trailing dot kept, brackets gone).
    urllib3's own parse of the prepared URL must agree, or the URL is
    refused. Raises ValueError (requests' InvalidURL is one) for a URL that
    cannot be sent.
    """
    prepared = requests.PreparedRequest()
    prepared.prepare_url(url, None)
    sent = urlsplit(prepared.url or "")
    scheme, host = sent.scheme.lower(), sent.hostname or ""
    port = sent.port or (443 if scheme == "https" else 80)
    again = parse_url(prepared.url or "")
    if (again.host or "").strip("[]").lower() != host or (again.port or port) != port:
        raise ValueError(f"urllib.parse and urllib3 disagree on the host of {prepared.url!r}")
    if not host:
        raise ValueError(f"no host in {url!r}")
    return scheme, host, port


def literal_address(host: str) -> IPAddress | None:
    """The address a numeric `host` is, in any spelling getaddrinfo accepts; None for a name."""
    if ":" in host:
        return ipaddress.IPv6Address(host)  # ValueError for a bad one (or a zone id)
    return parse_ipv4_number(host)


def _unmapped(ip: IPAddress) -> IPAddress:
    """::ffff:10.0.0.1 reaches 10.0.0.1: check (and allow-list) it as that."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def address_allowed(ip: IPAddress, allow_private: bool) -> bool:
    """Whether a resolved address may be connected to without an allow-list entry."""
    ip = _unmapped(ip)
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv6 address that carries an IPv4 one (6to4, NAT64, IPv4-compatible)
        # may be translated to it: that one must pass too.
        embedded = [ip.sixtofour] if ip.sixtofour is not None else []
        if any(ip in net for net in _LAST_32_BITS_IPV4) and int(ip) > 1:
            embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if not all(address_allowed(v4, allow_private) for v4 in embedded):
            return False
    if ip in _METADATA or ip.is_multicast:
        return False
    if ip.is_global:
        return True
    if not allow_private:
        return False
    never = ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_unspecified
    return not never and (ip.is_private or ip in _CGNAT)


@dataclass(frozen=True)
class _Failure:
    outcome: str
    detail: str


@dataclass(frozen=True)
class _Target:
    """A URL that passed the guard, and where its request will connect."""

    host: str  # as urllib3 passes it to getaddrinfo: lowercase, no brackets
    origin: str  # scheme://host[:port], where its robots.txt is


class _AllowAll:
    """robots.txt missing (4xx): everything may be fetched."""

    def can_fetch(self, url: str, user_agent: str) -> bool:
        return True

    def crawl_delay(self, user_agent: str) -> float | None:
        return None


class _DisallowAll:
    """robots.txt unreachable (5xx, network): RFC 9309 says assume complete disallow."""

    def __init__(self, why: str) -> None:
        self.why = why

    def can_fetch(self, url: str, user_agent: str) -> bool:
        return False

    def crawl_delay(self, user_agent: str) -> float | None:
        return None


class Fetcher:
    """One run's HTTP client: a pooled session plus per-host politeness state.

    Create one per run (the budget, robots cache and politeness clocks are per
    instance) and close it, or use it as a context manager. Not thread-safe:
    concurrent workers each need their own (and then share no politeness
    state, so give them disjoint hosts). `requests_made` counts every HTTP
    request sent, robots.txt, retries and redirect hops included.
    """

    def __init__(
        self,
        settings: FetchSettings,
        *,
        clock: Clock | None = None,
        resolve: Resolver = resolve_host,
        rng: random.Random | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self._resolve = resolve
        self._rng = rng or random.Random()
        self._session = session or requests.Session()
        # Proxies and .netrc from the environment would bypass the address
        # check (the proxy connects, not us) and leak credentials.
        self._session.trust_env = False
        self._allow_names, self._allow_networks = _split_allow_list(settings.allow_hosts)
        self._robots: dict[str, Protego | _AllowAll | _DisallowAll | _Failure] = {}
        self._crawl_delay: dict[str, float] = {}
        self._last_request: dict[str, float] = {}
        self.requests_made = 0

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()

    def fetch(
        self,
        url: str,
        kind: Kind = "page",
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        rate_limit: float | None = None,
    ) -> FetchResult:
        """Fetch `url` as a `kind` document; never raises for a bad page.

        `etag` / `last_modified` are the validators stored from the previous
        fetch of this URL; they are sent on every hop, and a 304 is reported
        as `not-modified`. `rate_limit` (seconds between requests to one
        host) overrides the run's default, e.g. with a source's own setting.
        """
        headers = {"User-Agent": self.settings.user_agent, "Accept": _ACCEPT_HEADER[kind]}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        interval = self.settings.rate_limit if rate_limit is None else rate_limit
        return self._follow(url, kind, headers, interval, check_robots=True)

    # -- the redirect loop -------------------------------------------------

    def _follow(
        self, url: str, kind: str, headers: dict[str, str], interval: float, *, check_robots: bool
    ) -> FetchResult:
        start = self.clock.monotonic()
        current, redirects = url, []

        def done(
            outcome: str,
            detail: str,
            body: bytes | None = None,
            response: requests.Response | None = None,
        ) -> FetchResult:
            return self._result(url, current, outcome, detail, response, body, start, redirects)

        while True:
            target = self._check_target(current)
            if isinstance(target, _Failure):
                return done(target.outcome, target.detail)
            if check_robots:
                failure = self._check_robots(current, target, interval)
                if failure is not None:
                    return done(failure.outcome, failure.detail)
            sent = self._send(current, target.host, headers, interval)
            if isinstance(sent, _Failure):
                return done(sent.outcome, sent.detail)
            with sent as response:
                location = response.headers.get("Location")
                if response.status_code in _REDIRECTS and location:
                    redirects.append(current)
                    joined = urljoin(current, location.strip())
                    canonical = _redirect_target(joined)
                    if isinstance(canonical, _Failure):
                        current = joined
                        return done(canonical.outcome, canonical.detail, None, response)
                    target_url = canonical
                    if target_url in redirects:
                        return done(
                            REDIRECT_LOOP,
                            f"{current} redirects back to {target_url}",
                            None,
                            response,
                        )
                    if len(redirects) > self.settings.max_redirects:
                        return done(
                            TOO_MANY_REDIRECTS,
                            f"more than {self.settings.max_redirects} redirects",
                            None,
                            response,
                        )
                    current = target_url
                    continue
                return done(*self._finish(response, kind), response)

    def _finish(self, response: requests.Response, kind: str) -> tuple[str, str, bytes | None]:
        """Outcome, detail and body of a final (non-redirect) response."""
        status = response.status_code
        if status == 304:
            return NOT_MODIFIED, "304 Not Modified", None
        if status >= 300:
            # Kept for the archive (a 404 or 410 says an article is gone);
            # an unreadable error body is simply dropped.
            error_body = self._read(response, self.settings.max_bytes, truncate=False)
            kept = None if isinstance(error_body, _Failure) else error_body
            return HTTP_ERROR, f"HTTP {status} {response.reason}", kept
        if kind == "robots":
            limit, truncate = _ROBOTS_MAX_BYTES, True
        else:
            content_type = media_type(response.headers.get("Content-Type"))
            if content_type not in _ACCEPTED_TYPES[kind]:
                return (
                    BAD_CONTENT_TYPE,
                    f"{content_type or 'no content type'} is not a {kind} type",
                    None,
                )
            limit, truncate = self.settings.max_bytes, False
        body = self._read(response, limit, truncate=truncate)
        if isinstance(body, _Failure):
            return body.outcome, body.detail, None
        return OK, f"HTTP {status}", body

    def _result(
        self,
        url: str,
        final_url: str,
        outcome: str,
        detail: str,
        response: requests.Response | None,
        body: bytes | None,
        start: float,
        redirects: list[str],
    ) -> FetchResult:
        return FetchResult(
            url=url,
            final_url=final_url,
            outcome=outcome,
            detail=detail,
            status=response.status_code if response is not None else None,
            reason=(response.reason or "") if response is not None else "",
            headers=tuple(response.raw.headers.items()) if response is not None else (),
            request_headers=tuple(response.request.headers.items()) if response is not None else (),
            body=body,
            elapsed=self.clock.monotonic() - start,
            redirects=tuple(redirects),
            fetched_at=self.clock.now() if response is not None else None,
        )

    # -- safety --------------------------------------------------------------

    def _check_target(self, url: str) -> _Target | _Failure:
        """The one guard before every request: first URL, robots.txt, each redirect hop.

        Checks the host that requests/urllib3 will really connect to (see
        `connect_target`), never a host read by another parser, and every
        address it stands for (see the module docstring).
        """
        problem = _authority_refusal(url)
        if problem is not None:
            return _Failure(BAD_URL, problem)
        try:
            scheme, host, port = connect_target(url)
            literal = literal_address(host)
        except ValueError as err:
            return _Failure(BAD_URL, f"{url!r}: {err}")
        netloc = f"[{host}]" if ":" in host else host
        default = 443 if scheme == "https" else 80
        target = _Target(host, f"{scheme}://{netloc}" + ("" if port == default else f":{port}"))
        if literal is not None:
            addresses: list[IPAddress] = [literal]
        elif host.rstrip(".") in self._allow_names:
            return target
        else:
            try:
                resolved = self._resolve(host, port)
            except (OSError, UnicodeError) as err:
                return _Failure(CONNECTION_ERROR, f"cannot resolve {host}: {err}")
            if not resolved:
                return _Failure(CONNECTION_ERROR, f"{host} has no address")
            # An IPv6 zone id (fe80::1%eth0) is dropped: the address is what counts.
            addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in resolved]
        for address in addresses:
            ip = _unmapped(address)
            if any(ip in net for net in self._allow_networks):
                continue
            if not address_allowed(ip, self.settings.allow_private):
                how = "is" if literal is not None else "resolves to"
                return _Failure(BLOCKED_ADDRESS, f"{host} {how} non-public address {ip}")
        return target

    def _check_robots(self, url: str, target: _Target, interval: float) -> _Failure | None:
        origin = target.origin
        if origin not in self._robots:
            self._robots[origin] = self._load_robots(origin, target.host, interval)
        rules = self._robots[origin]
        if isinstance(rules, _Failure):
            return rules
        if rules.can_fetch(url, self.settings.user_agent):
            return None
        why = (
            rules.why if isinstance(rules, _DisallowAll) else f"{origin}/robots.txt disallows {url}"
        )
        return _Failure(ROBOTS_DISALLOWED, why)

    def _load_robots(
        self, origin: str, host: str, interval: float
    ) -> Protego | _AllowAll | _DisallowAll | _Failure:
        headers = {"User-Agent": self.settings.user_agent, "Accept": _ACCEPT_HEADER["robots"]}
        result = self._follow(
            f"{origin}/robots.txt", "robots", headers, interval, check_robots=False
        )
        if result.outcome == BUDGET_EXHAUSTED:
            return _Failure(BUDGET_EXHAUSTED, result.detail)
        if result.outcome == OK and result.body is not None:
            rules = Protego.parse(result.body.decode("utf-8", errors="replace"))
            delay = rules.crawl_delay(self.settings.user_agent)
            if delay:
                self._crawl_delay[host] = max(self._crawl_delay.get(host, 0.0), float(delay))
            return rules
        if result.status is not None and 400 <= result.status < 500:
            return _AllowAll()
        return _DisallowAll(f"{origin}/robots.txt unreachable ({result.outcome}: {result.detail})")

    # -- sending and reading -------------------------------------------------

    def _send(
        self, url: str, host: str, headers: dict[str, str], interval: float
    ) -> requests.Response | _Failure:
        """One request with retries; the response is streamed, not yet read."""
        attempt = 0
        while True:
            if self.requests_made >= self.settings.max_requests:
                return _Failure(
                    BUDGET_EXHAUSTED, f"run budget of {self.settings.max_requests} requests used"
                )
            self._wait_for_host(host, interval)
            self.requests_made += 1
            last_attempt = attempt == self.settings.retries
            try:
                response = self._session.get(
                    url,
                    headers=headers,
                    stream=True,
                    allow_redirects=False,
                    timeout=(self.settings.connect_timeout, self.settings.read_timeout),
                )
            except (requests.ConnectionError, requests.Timeout) as err:
                if last_attempt:
                    return _Failure(CONNECTION_ERROR, f"{type(err).__name__}: {err}")
                self._sleep(self._backoff(attempt))
                attempt += 1
                continue
            except requests.RequestException as err:  # invalid URL, header, ...
                return _Failure(BAD_URL, f"{type(err).__name__}: {err}")
            if last_attempt or not (response.status_code == 429 or response.status_code >= 500):
                return response
            wait = parse_retry_after(response.headers.get("Retry-After"), self.clock.now())
            response.close()
            self._sleep(self._backoff(attempt) if wait is None else wait)
            attempt += 1

    def _read(self, response: requests.Response, limit: int, *, truncate: bool) -> bytes | _Failure:
        """Read at most `limit` decoded bytes; past that stop reading (too-large) or cut."""
        declared = response.headers.get("Content-Length", "")
        if not truncate and declared.isdigit() and int(declared) > limit:
            return _Failure(TOO_LARGE, f"Content-Length {declared} exceeds max_bytes {limit}")
        deadline = self.clock.monotonic() + self.settings.body_timeout
        body = bytearray()
        try:
            for chunk in response.iter_content(_CHUNK):
                body += chunk
                if len(body) > limit:
                    if truncate:
                        return bytes(body[:limit])
                    return _Failure(TOO_LARGE, f"body exceeds max_bytes {limit}; stopped reading")
                if self.clock.monotonic() > deadline:
                    return _Failure(
                        CONNECTION_ERROR, f"body not read within {self.settings.body_timeout}s"
                    )
        except requests.RequestException as err:
            return _Failure(CONNECTION_ERROR, f"while reading body: {type(err).__name__}: {err}")
        return bytes(body)

    # -- waiting ----------------------------------------------------------------

    def _wait_for_host(self, host: str, interval: float) -> None:
        """Keep at least max(interval, Crawl-delay) seconds between requests to `host`."""
        gap = min(max(interval, self._crawl_delay.get(host, 0.0)), self.settings.max_wait)
        last = self._last_request.get(host)
        if last is not None:
            remaining = last + gap - self.clock.monotonic()
            if remaining > 0:
                self.clock.sleep(remaining)
        self._last_request[host] = self.clock.monotonic()

    def _backoff(self, attempt: int) -> float:
        # "Equal jitter": half fixed, half random, so waits still grow.
        ceiling = min(self.settings.max_wait, self.settings.backoff * 2**attempt)
        return ceiling * self._rng.uniform(0.5, 1.0)

    def _sleep(self, seconds: float) -> None:
        self.clock.sleep(min(seconds, self.settings.max_wait))


def _authority_refusal(url: str) -> str | None:
    """Why the guard refuses `url` outright, before looking at any address, or None.

    On top of `authority_problem` (not http(s), a backslash or control
    character, a `%` in the host), user info: `http://public.example@10.0.0.1/`
    shows a reader a host it does not connect to, and credentials in a URL
    would be sent (and archived) with every request.
    """
    problem = authority_problem(url)
    if problem is None and "@" in urlsplit(url.strip()).netloc:
        problem = f"user info (user@) in the authority of {url!r}: refused"
    return problem


def _redirect_target(url: str) -> str | _Failure:
    """The canonical spelling of a redirect target, which is what gets fetched.

    Refused first (`_authority_refusal`), as `canonical_url` would silently
    drop user info and the hop would look harmless.
    """
    problem = _authority_refusal(url)
    if problem is not None:
        return _Failure(BAD_URL, problem)
    try:
        return canonical_url(url)
    except ValueError as err:
        return _Failure(BAD_URL, f"redirect target {url!r}: {err}")


def _split_allow_list(
    entries: tuple[str, ...],
) -> tuple[frozenset[str], tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]]:
    """Names (matched as spelled) and networks (matched by address, so every spelling)."""
    names, networks = set(), []
    for entry in entries:
        number = parse_ipv4_number(entry.strip())
        try:
            networks.append(
                ipaddress.ip_network(number if number is not None else entry, strict=False)
            )
        except ValueError:
            names.add(entry.rstrip(".").lower())
    return frozenset(names), tuple(networks)
