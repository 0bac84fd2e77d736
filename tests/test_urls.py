"""Canonical URLs: each rule, and that canonicalising twice changes nothing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsetl.urls import canonical_url, is_http_url


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
    ],
)
def test_is_http_url(url: str, ok: bool) -> None:
    assert is_http_url(url) is ok


def test_non_http_url_is_an_error() -> None:
    with pytest.raises(ValueError, match="not an http"):
        canonical_url("mailto:desk@example.com")


_part = st.text(alphabet="abcXYZ019-._~%+=é", min_size=0, max_size=8)


@given(
    host=st.sampled_from(["Example.com", "news.example.ORG", "bücher.example", "127.0.0.1"]),
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
