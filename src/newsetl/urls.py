"""One spelling per web page, so the same article found twice is stored once.

`canonical_url` only makes changes that cannot change which resource a
server returns (or that only strip analytics noise):

* scheme and host are lowercased, the host is IDNA-encoded (punycode) and
  loses a trailing dot; default ports (80 for http, 443 for https) go;
* a host that is an IPv4 address in any spelling that `inet_aton` (and so
  `socket.getaddrinfo`, which the HTTP library connects with) accepts -
  `2130706433`, `0x7f000001`, `127.1`, `0177.0.0.1`, `127.000.000.001` -
  becomes dotted decimal (`127.0.0.1`), as WHATWG URL parsing in browsers
  does; an IPv4-mapped IPv6 address (`[::ffff:127.0.0.1]`) reaches the same
  peer and becomes the IPv4 address; other IPv6 addresses are compressed;
* `localhost` stays a name: a name's addresses are the resolver's business
  (the hosts file may say 127.0.0.1, ::1 or 127.0.1.1), a server may answer
  `Host: localhost` differently from `Host: 127.0.0.1`, and a pure function
  of the string cannot know either. The fetcher resolves it and blocks it
  like any name that resolves to loopback;
* user info (`user:password@`) is dropped: credentials must never end up
  in the warehouse, and news pages do not need them (the fetcher refuses
  such URLs outright);
* a URL whose authority HTTP libraries would split differently is no URL
  here: a backslash in the authority (`http://a\\@b/` is host `b` to
  `urllib.parse` but host `a` to urllib3 and browsers), a control character
  anywhere, or a `%` or space in the host;
* the fragment is dropped: it is never sent to the server;
* an empty path becomes `/`, and `.`/`..` segments are resolved;
* percent-escapes are normalised (RFC 3986 6.2.2): non-ASCII characters
  and spaces are UTF-8 escaped, escapes of unreserved characters are
  decoded, the others get uppercase hex;
* tracking parameters (see `TRACKING_PARAMS` and `TRACKING_PREFIXES`) are
  removed, matched case-insensitively;
* the remaining query parameters are sorted by name; parameters with the
  same name keep their relative order, since some servers read repeated
  parameters as an ordered list.

Deliberately *not* done: a trailing `index.html` (or `index.php`) is kept and
a trailing slash is neither added nor removed. `/news/` and
`/news/index.html` are the same file on many static servers but not on
application servers, and a wrong merge loses an article while a missed
merge only stores it twice (which the content hash later reveals).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import quote, urlsplit, urlunsplit

import idna

# Parameter names whose only job is attribution or analytics.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",  # Facebook
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "_ga",
        "_gl",  # Google Ads / Analytics
        "msclkid",  # Microsoft Ads
        "yclid",  # Yandex
        "igshid",  # Instagram
        "mc_cid",
        "mc_eid",  # Mailchimp
        "mkt_tok",  # Marketo
        "_hsenc",
        "_hsmi",
        "__hstc",
        "__hssc",
        "__hsfp",
        "hsctatracking",  # HubSpot
        "oly_anon_id",
        "oly_enc_id",  # Omeda
        "vero_id",
        "vero_conv",  # Vero
        "wt.mc_id",  # Webtrends
        "ref",
        "ref_src",
        "ref_url",  # referral tags (Twitter and many CMSs)
    }
)
# Any parameter starting with one of these is tracking (utm_source, utm_medium, ...).
TRACKING_PREFIXES = ("utm_",)

_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_SAFE = "%/:@!$&'()*+,;=?-._~"
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# One part of an inet_aton address: C-style hex (`0x7f`), octal (`0177`) or decimal.
_IPV4_PART = re.compile(r"0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*")


def is_http_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host: the only URLs we fetch."""
    try:
        return _authority_problem(url) is None
    except ValueError:  # an unbalanced IPv6 bracket, a bad or out-of-range port
        return False


def authority_problem(url: str) -> str | None:
    """Why `url` is not an http(s) URL whose host every HTTP library reads alike, or None.

    Checked before anything connects: `urllib.parse` ends the authority at
    the first `/?#`, urllib3 (and browsers) also at a backslash, so in
    `http://127.0.0.2\\@127.0.0.1/` one sees host 127.0.0.1 and the other
    connects to 127.0.0.2. User info is not refused here (`canonical_url`
    drops it); the fetcher refuses it on its own.
    """
    try:
        return _authority_problem(url)
    except ValueError as err:
        return f"{url!r}: {err}"


def _authority_problem(url: str) -> str | None:
    url = url.strip()
    if _CONTROL.search(url):
        return f"control character in {url!r}"
    parts = urlsplit(url)
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        return f"only http(s) URLs with a host are fetched: {url!r}"
    if "\\" in parts.netloc:
        return f"backslash in the authority of {url!r}: HTTP libraries disagree on its host"
    if "%" in parts.hostname or " " in parts.hostname:
        return f"'%' or space in the host of {url!r}"
    if parts.port == 0:  # reading .port validates it: raises when not a number
        return f"port 0 in {url!r}"
    return None


def parse_ipv4_number(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address `host` denotes as a number, in every spelling `inet_aton` accepts.

    `socket.getaddrinfo` (and so every HTTP connection) reads `127.1`,
    `2130706433`, `0x7f000001`, `0177.0.0.1` and `127.000.000.001` as
    127.0.0.1: one to four parts, each C-style decimal, octal (leading 0) or
    hex (0x), the last part filling the remaining bytes. None for anything
    else, which the resolver treats as a name. Trailing dots are ignored
    (WHATWG URL parsing ignores one; `inet_aton` does not, and then resolves the
    name, so reading it as the address errs on the side of the check).
    """
    parts = host.rstrip(".").split(".")
    if not 1 <= len(parts) <= 4 or not all(_IPV4_PART.fullmatch(p) for p in parts):
        return None
    values = [
        int(p, 16) if p[:2] in ("0x", "0X") else int(p, 8) if p.startswith("0") else int(p)
        for p in parts
    ]
    *leading, last = values
    if any(v > 0xFF for v in leading) or last >= 1 << (8 * (5 - len(values))):
        return None
    number = last
    for i, value in enumerate(leading):
        number |= value << (24 - 8 * i)
    return ipaddress.IPv4Address(number)


def canonical_url(url: str) -> str:
    """The canonical spelling of an http(s) URL (see the module docstring).

    Raises ValueError for anything `is_http_url` rejects, or a host that is not
    a valid internationalised domain name.
    """
    problem = authority_problem(url)
    if problem is not None:
        raise ValueError(f"not an http(s) URL: {problem}")
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    netloc = _host(parts.hostname or "")
    if parts.port is not None and parts.port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{parts.port}"
    # Escapes first: `%2E` is a dot and must be removed like one.
    path = _remove_dot_segments(_normalise_escapes(parts.path or "/"))
    return urlunsplit((scheme, netloc, path, _clean_query(parts.query), ""))


def _host(hostname: str) -> str:
    host = hostname.rstrip(".").lower()
    if ":" in host:  # IPv6 literal: urlsplit removed the brackets
        ip = ipaddress.IPv6Address(host)  # ValueError for a bad one
        return str(ip.ipv4_mapped) if ip.ipv4_mapped is not None else f"[{ip.compressed}]"
    if not host.isascii():
        # Before the number check: IDNA maps fullwidth digits and dots to ASCII.
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError as err:
            raise ValueError(f"invalid host name {hostname!r}: {err}") from err
    ip = parse_ipv4_number(host)
    return host if ip is None else str(ip)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4 for an absolute path: `/a/./b/../c` -> `/a/c`."""
    if "." not in path:
        return path
    segments = path.split("/")[1:]
    kept: list[str] = []
    for segment in segments:
        if segment == "..":
            if kept:
                kept.pop()
        elif segment != ".":
            kept.append(segment)
    trailing = "/" if kept and segments[-1] in (".", "..") else ""
    return "/" + "/".join(kept) + trailing


def _normalise_escapes(text: str) -> str:
    # Non-ASCII and other unsafe characters become UTF-8 escapes (as browsers
    # send them); existing escapes and reserved characters are left alone.
    text = quote(text, safe=_SAFE)

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    return _ESCAPE.sub(fix, text)


def _is_tracking(name: str) -> bool:
    name = _normalise_escapes(name).lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def _clean_query(query: str) -> str:
    # Work on the raw `name=value` text: decoding and re-encoding could turn
    # `+` into `%20` or similar, which some servers treat differently.
    pairs = [p for p in query.split("&") if p and not _is_tracking(p.split("=", 1)[0])]
    pairs.sort(key=lambda p: _normalise_escapes(p.split("=", 1)[0]))
    return "&".join(_normalise_escapes(p) for p in pairs)
