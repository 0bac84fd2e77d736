"""One spelling per web page, so the same article found twice is stored once.

`canonical_url` only makes changes that cannot change which resource a
server returns (or that only strip analytics noise):

* scheme and host are lowercased, the host is IDNA-encoded (punycode) and
  loses a trailing dot; default ports (80 for http, 443 for https) go;
* user info (`user:password@`) is dropped: credentials must never end up
  in the warehouse, and news pages do not need them;
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


def is_http_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host: the only URLs we fetch."""
    try:
        parts = urlsplit(url.strip())
        port_ok = parts.port != 0  # reading .port validates it: raises when not a number
        return parts.scheme.lower() in _DEFAULT_PORTS and bool(parts.hostname) and port_ok
    except ValueError:  # an unbalanced IPv6 bracket, a bad or out-of-range port
        return False


def canonical_url(url: str) -> str:
    """The canonical spelling of an http(s) URL (see the module docstring).

    Raises ValueError for anything `is_http_url` rejects, or a host that is not
    a valid internationalised domain name.
    """
    if not is_http_url(url):
        raise ValueError(f"not an http(s) URL: {url!r}")
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
        return f"[{host}]"
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as err:
        raise ValueError(f"invalid host name {hostname!r}: {err}") from err


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
