"""What every source kind shares: the base class, its results, and URL helpers.

Kept apart from the registry (`newsetl.web.kinds`) and from
`newsetl.web.discover` so that both, and every kind module, can import these
shapes without an import cycle. This module imports nothing from `web` at
run time: `sources.py` imports the registry while `fetch.py` imports
`sources.py`, so a kind that imported `fetch.py` would close a loop. The
fetcher's `Kind` is imported for type checking only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from newsetl.urls import canonical_url, is_http_url

if TYPE_CHECKING:
    from newsetl.web.fetch import Kind as FetchKind

UrlKey = Literal["url", "urls"]


@dataclass(frozen=True)
class Discovered:
    """A page to fetch, with what the feed or sitemap said about it.

    `url` is canonical (see `newsetl.urls`), so the same article listed twice,
    with different tracking parameters, is one entry.
    """

    url: str
    title: str | None
    published_at: datetime | None
    source: str


@dataclass(frozen=True)
class Found:
    """What a kind read: pages, and further documents of the same kind to fetch.

    `follow` is how a sitemap index hands over its child sitemaps; discovery
    fetches each followed URL once, breadth-first, within its document budget.
    """

    pages: tuple[Discovered, ...] = ()
    follow: tuple[str, ...] = ()


class SourceKind:
    """One kind of source: what its config looks like and how its documents are read.

    A subclass sets the class attributes and, if it is fetched, overrides
    `read`; `listed` has a default that fits both fetched kinds (the
    configured URLs are the documents to fetch) and unfetched ones (the
    configured URLs are the pages). Instances are stateless and shared by
    every source of the kind, so a kind must not keep per-source state.
    """

    name: ClassVar[str]  # the `kind = "..."` value in sources.toml
    # what `Fetcher.fetch` is asked for (its content types and Accept header);
    # None: the kind is never fetched during discovery
    fetch_as: ClassVar[FetchKind | None]
    url_key: ClassVar[UrlKey] = "url"  # `url`: one document; `urls`: a list

    @property
    def fetched(self) -> bool:
        """Whether discovery fetches this kind's configured URLs at all."""
        return self.fetch_as is not None

    def listed(self, urls: Sequence[str], source: str) -> Found:
        """What the configured URLs (already checked to be usable http(s)) give.

        For a fetched kind they are documents to fetch; for an unfetched one
        they are the pages themselves, canonical and unique.
        """
        if self.fetched:
            return Found(follow=tuple(urls))
        pages = (Discovered(u, None, None, source) for u in map(canonical_or_none, urls) if u)
        return Found(pages=tuple(unique(pages)))

    def read(self, body: bytes, *, source: str, url: str) -> Found:
        """The pages (and documents to follow) in one fetched body; raises Rejected.

        `url` is the document's final URL (after redirects), to resolve
        relative links against.
        """
        raise NotImplementedError(f"source kind {self.name!r} reads no fetched documents")


def canonical_or_none(url: Any) -> str | None:
    """`url` canonicalised, or None when it is not a usable http(s) URL."""
    if not isinstance(url, str) or not is_http_url(url):
        return None
    try:
        return canonical_url(url)
    except ValueError:
        return None


def text_or_none(value: Any) -> str | None:
    """A stripped non-empty string, or None for anything else."""
    return (value.strip() or None) if isinstance(value, str) else None


def unique(items: Iterable[Discovered]) -> list[Discovered]:
    """First occurrence of each URL, in order."""
    first: dict[str, Discovered] = {}
    for item in items:
        first.setdefault(item.url, item)
    return list(first.values())


def first(items: list[Discovered], limit: int | None) -> list[Discovered]:
    """At most `limit` items (all of them for None)."""
    return items if limit is None else items[:limit]
