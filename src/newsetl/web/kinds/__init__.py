"""Source kinds: one class per kind, one file each, and the registry of them.

A source's `kind = "..."` in sources.toml names a registered kind object,
which says everything the rest of the code needs about that kind:

* `name`: the config value;
* `url_key`: which config key holds its URLs (`url`: one document,
  `urls`: a list), used by `newsetl.web.sources` to validate the config;
* `fetch_as`: what `Fetcher.fetch` is asked for (`"feed"`, `"sitemap"`,
  `"page"`: that picks the accepted content types and the Accept header),
  or None when the kind is not fetched during discovery (`urls`);
* `listed(urls, source)`: what the configured URLs give (documents to fetch,
  or, for an unfetched kind, the pages themselves);
* `read(body, source=, url=)`: how one fetched body becomes pages and
  further documents of the same kind to follow (a sitemap index's
  children); raises `newsetl.models.Rejected` for a body it cannot use.

`newsetl.web.discover.discover_source` is one loop over those; no code
branches on the kind's name.

Built in: `feed` (`feed.py`, RSS/Atom), `sitemap` (`sitemap.py`, urlsets,
Google News sitemaps, indexes, gzip) and `urls` (`urls.py`, listed pages).

Adding a kind, say a JSON Feed: write `kinds/jsonfeed.py` with one class,
`class JsonFeedKind(SourceKind)` setting `name = "jsonfeed"`, `fetch_as`
(an existing fetcher kind whose content types fit; a new content type
means a new `Kind` in `newsetl.web.fetch`), `url_key = "url"`, and a `read`
that returns `Found(pages=...)`; then add `JsonFeedKind()` to `_BUILT_IN`
below. Code outside the package (a plugin, a test) calls
`register(JsonFeedKind())` instead. Nothing else changes: the config accepts
`kind = "jsonfeed"` and discovery walks it.

Kinds must not import `newsetl.web.fetch` or `newsetl.web.sources` at run
time (`sources.py` imports this package, and `fetch.py` imports
`sources.py`); the shared shapes are in `base.py`.
"""

from __future__ import annotations

import re

from newsetl.web.kinds.base import Discovered, Found, SourceKind
from newsetl.web.kinds.feed import FeedKind
from newsetl.web.kinds.sitemap import SitemapKind
from newsetl.web.kinds.urls import UrlListKind

__all__ = [
    "KINDS",
    "Discovered",
    "FeedKind",
    "Found",
    "SitemapKind",
    "SourceKind",
    "UrlListKind",
    "kind_named",
    "register",
]

# name -> kind object, in registration order (the order errors list them in)
KINDS: dict[str, SourceKind] = {}

_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")


def register(kind: SourceKind) -> SourceKind:
    """Make `kind` usable as `kind = "<kind.name>"` in sources.toml; returns it.

    Refuses a name already taken (two kinds cannot share a config value)
    and a kind that is fetched but cannot read what it fetches, so a broken
    kind fails at import, not in the middle of a run.
    """
    name = getattr(kind, "name", None)
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(
            f"source kind name must be lowercase letters, digits, '-' or '_': {name!r}"
        )
    if name in KINDS:
        raise ValueError(f"source kind {name!r} is already registered")
    if kind.url_key not in ("url", "urls"):
        raise ValueError(f"source kind {name!r}: url_key must be 'url' or 'urls'")
    if kind.fetched and type(kind).read is SourceKind.read:
        raise ValueError(f"source kind {name!r} is fetched but does not override read()")
    KINDS[name] = kind
    return kind


def kind_named(name: object) -> SourceKind:
    """The registered kind called `name`; ValueError naming the known kinds if none is."""
    kind = KINDS.get(name) if isinstance(name, str) else None
    if kind is None:
        raise ValueError(f"must be one of {', '.join(KINDS)}, got {name!r}")
    return kind


_BUILT_IN: tuple[SourceKind, ...] = (FeedKind(), SitemapKind(), UrlListKind())
for _kind in _BUILT_IN:
    register(_kind)
