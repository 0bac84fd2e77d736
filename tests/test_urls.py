"""Canonical URLs: each rule, and that canonicalising twice changes nothing."""

from __future__ import annotations

import ipaddress
import socket
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsetl.urls import authority_problem, canonical_url, is_http_url, parse_ipv4_number


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM/News", "http://example.com/News"),  # path case is kept
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://user:secret@example.com/a", "https://example.com/a"),
        ("https://example.com./a", "https://example.com/a"),
        ("https://bücher.example/a", "https://xn--bcher-kva.example/a"),
        ("https://[2001:DB8::1]:8443/a", "https://[2001:db8::1]:8443/a"),
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("https://example.com/a/b/..", "https://example.com/a/"),
        ("https://example.com/../%2e/a", "https://example.com/a"),
        ("https://example.com/%7euser/%c3%a9", "https://example.com/~user/%C3%A9"),
        ("https://example.com/é b?q=é", "https://example.com/%C3%A9%20b?q=%C3%A9"),
        ("https://example.com/news/index.html", "https://example.com/news/index.html"),  # kept
        ("https://example.com/news/", "https://example.com/news/"),  # trailing slash kept
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        (
            "https://example.com/a?tag=z&x=1&tag=a",
            "https://example.com/a?tag=z&tag=a&x=1",
        ),  # repeats keep order
        ("https://example.com/a?q=a+b&empty=", "https://example.com/a?empty=&q=a+b"),
        (
            "https://example.com/a?utm_source=x&UTM_Medium=y&id=3&fbclid=f&gclid=g&mc_cid=1&mc_eid=2&ref=tw",
            "https://example.com/a?id=3",
        ),
        ("https://example.com/a?utm_source=x", "https://example.com/a"),
        ("https://example.com/a?referrer=kept", "https://example.com/a?referrer=kept"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.com/a", True),
        ("HTTP://example.com", True),
        ("ftp://example.com/a", False),
        ("file:///etc/passwd", False),
        ("javascript:alert(1)", False),
        ("/relative/path", False),
        ("https://", False),
        ("http://[::1", False),
        ("http://example.com:notaport/", False),
        ("http://127.0.0.2:80\\@127.0.0.1/x", False),  # urllib3 connects to 127.0.0.2
        ("http://a\\b.example/", False),
        ("http://127.0.0.1%2f/", False),
        ("http://[::1%25lo]/", False),  # IPv6 zone id
        ("http://exa\tmple.com/", False),  # urllib.parse drops the tab, urllib3 refuses it
        ("http://example.com/a\\b", True),  # a backslash in the path splits nothing
        ("http://user@example.com/", True),  # user info: canonical_url drops it
    ],
)
def test_is_http_url(url: str, ok: bool) -> None:
    assert is_http_url(url) is ok


# One host, many spellings: each is canonicalised to one, so the same page is
# stored once (and the fetcher's guard sees the same address).
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/a",
        "http://2130706433/a",
        "http://0x7f000001/a",
        "http://0X7F000001/a",
        "http://0x7f.1/a",
        "http://127.1/a",
        "http://127.0.1/a",
        "http://0177.0.0.1/a",
        "http://0177.0.0.01/a",
        "http://127.000.000.001/a",
        "http://017700000001/a",
        "http://127.0.0.1./a",
        "http://[::ffff:127.0.0.1]/a",
        "http://[::FFFF:7F00:1]:80/a",
        "http://[0:0:0:0:0:ffff:7f00:0001]/a",
        "http://\uff11\uff12\uff17\uff0e\uff10\uff0e\uff10\uff0e\uff11/a",  # fullwidth
        "HTTP://127.0.0.1:80/a#top",
    ],
)
def test_spellings_of_an_ipv4_address_are_one(url: str) -> None:
    assert canonical_url(url) == "http://127.0.0.1/a"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # localhost is a name: kept (the fetcher resolves it and blocks loopback).
        ("http://LOCALHOST./a", "http://localhost/a"),
        ("http://localhost:8080/a", "http://localhost:8080/a"),
        ("https://Example.COM./a", "https://example.com/a"),
        ("https://B\u00fccher.Example./a", "https://xn--bcher-kva.example/a"),
        ("https://xn--bcher-kva.example/a", "https://xn--bcher-kva.example/a"),
        ("http://[2001:db8:0:0:0:0:0:1]/a", "http://[2001:db8::1]/a"),
        ("http://[::1]/a", "http://[::1]/a"),
        # Not IPv4 numbers to inet_aton, so names to the resolver: kept.
        ("http://127.0.0.08/a", "http://127.0.0.08/a"),
        ("http://1.2.3.4.5/a", "http://1.2.3.4.5/a"),
        ("http://4294967296/a", "http://4294967296/a"),
        ("http://0x/a", "http://0x/a"),
        ("http://4294967295/a", "http://255.255.255.255/a"),
        ("http://10.1/a", "http://10.0.0.1/a"),
    ],
)
def test_host_spellings(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://127.0.0.2:80\\@127.0.0.1/x", "backslash in the authority"),
        ("http://x.example\\@127.0.0.1/x", "backslash in the authority"),
        ("http://127.0.0.1\n.example/", "control character"),
        ("http://127.0.0.1%00/", "'%' or space in the host"),
    ],
)
def test_ambiguous_authority_is_no_url(url: str, words: str) -> None:
    assert words in (authority_problem(url) or "")
    with pytest.raises(ValueError, match=words):
        canonical_url(url)


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.000.000.001", "127.0.0.1"),
        ("169.254.43518", "169.254.169.254"),
        ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254"),
        ("0", "0.0.0.0"),
        ("example.com", None),
        ("127.0.0.256", None),
        ("256.0.0.1", None),
        ("0x100.0.0.1", None),
        ("1.2.65536", None),
        ("08", None),
        ("1_0", None),
        ("", None),
    ],
)
def test_parse_ipv4_number(host: str, address: str | None) -> None:
    ip = parse_ipv4_number(host)
    assert (str(ip) if ip is not None else None) == address


def _inet_aton(host: str) -> ipaddress.IPv4Address | None:
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


_number = st.integers(0, 2**33)
_ipv4_part = st.one_of(
    _number.map(str),
    _number.map(lambda n: f"0{n:o}"),
    _number.map(lambda n: f"0{'xX'[n % 2]}{n:x}"),
    st.text(alphabet="0123456789abcdefxX", max_size=4),  # junk
)
_ipv4_host = st.one_of(
    st.lists(_ipv4_part, min_size=1, max_size=5).map(".".join),
    st.text(alphabet="0123456789abcdefxX.", max_size=20),
)


@pytest.mark.skipif(sys.platform != "linux", reason="compares with glibc's inet_aton")
@settings(max_examples=500)
@given(_ipv4_host)
def test_parse_ipv4_number_agrees_with_inet_aton(host: str) -> None:
    """What getaddrinfo reads as an address, we read as the same address.

    Trailing dots are the one difference, on purpose: we read `127.0.0.1.`
    as the address (WHATWG does), where inet_aton fails and the resolver
    tries it as a name.
    """
    if host.endswith("."):
        assert parse_ipv4_number(host) == parse_ipv4_number(host.rstrip("."))
    else:
        assert parse_ipv4_number(host) == _inet_aton(host)


def test_non_http_url_is_an_error() -> None:
    with pytest.raises(ValueError, match="not an http"):
        canonical_url("mailto:desk@example.com")


_part = st.text(alphabet="abcXYZ019-._~%+=é", min_size=0, max_size=8)


@given(
    host=st.sampled_from(
        [
            "Example.com",
            "news.example.ORG",
            "bücher.example",
            "127.0.0.1",
            "0x7f.1",
            "[::ffff:a00:1]",
        ]
    ),
    port=st.sampled_from(["", ":80", ":443", ":8080"]),
    path=st.lists(_part, max_size=4),
    query=st.lists(st.tuples(st.sampled_from(["a", "B", "utm_x", "id", "ref"]), _part), max_size=4),
    fragment=_part,
)
def test_canonical_url_is_idempotent(host, port, path, query, fragment) -> None:
    url = (
        f"https://{host}{port}/{'/'.join(path)}?{'&'.join(f'{k}={v}' for k, v in query)}#{fragment}"
    )
    once = canonical_url(url)
    assert canonical_url(once) == once
    assert "#" not in once and "utm_" not in once
