"""Plain data passed between the pipeline's stages.

Every stage is a plain function over these dataclasses, so each can be
tested without Prefect, DuckDB or the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Item:
    """One archived input: raw bytes plus what the archive knows about them.

    `key` identifies the item inside its archive (a path relative to the
    archive root, or a WARC record's URL) and, with `url` when known, is what
    the stable `article_id` is derived from.
    """

    key: str
    data: bytes
    archive_path: str
    source: str
    url: str | None = None
    fetched_at: datetime | None = None
    content_type: str | None = None  # "text/plain" or "text/html" (HTTP header or file suffix)
    http_charset: str | None = None  # charset from the HTTP Content-Type header, when known


@dataclass
class Entity:
    """A person, place or organisation named in one article's body."""

    name: str  # canonical form: the longest form seen in the article
    kind: str  # person | place | organisation
    mentions: int
    first_offset: int  # character offset in `Article.body`
    offsets: list[int] = field(default_factory=list)


@dataclass
class Quote:
    """A direct quotation with who said it."""

    ordinal: int
    text: str  # without the outer quote marks
    speaker: str | None  # canonical person name, or a non-person source ("the document")
    speaker_kind: str | None  # person | organisation | document | unnamed | unknown
    verb: str | None  # reporting verb as written ("said", "cautioned")
    start: int  # character offsets of `text` in `Article.body`
    end: int


@dataclass
class DateMention:
    """A date written in the body, resolved only when its year is known."""

    text: str  # as written: "Wednesday (Oct. 8)"
    context: str  # the sentence around it
    start: int
    date: str | None  # ISO date when the year is known, else None
    year_known: bool


@dataclass
class Article:
    """Everything extracted from one item; what the warehouse stores."""

    title: str | None
    body: str  # paragraphs joined by blank lines
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    modified_at: datetime | None = None
    language: str | None = None
    notes: list[str] = field(default_factory=list)
    description: str | None = None
    site_name: str | None = None
    canonical_url: str | None = None
    section: str | None = None
    topics: list[str] = field(default_factory=list)
    top_image: str | None = None
    image_captions: list[str] = field(default_factory=list)
    is_paywalled: bool | None = None
    encoding: str | None = None  # the charset the bytes were decoded with
    encoding_source: str | None = None  # bom | http | meta | utf-8 | detector | fallback
    provenance: dict[str, str] = field(default_factory=dict)  # field -> where it came from
    entities: list[Entity] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    # Which enrichment method ran, so a reader can tell an article with no entities from one
    # whose language has no method good enough: 'full', 'people+quotes+organisations (language de)',
    # 'none (language xx)', 'failed'; None when enrichment was not run.
    enrichment: str | None = None

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.body.split("\n\n") if p]

    @property
    def word_count(self) -> int:
        return len(self.body.split())


@dataclass(frozen=True)
class Reject:
    """An input quarantined with the reason; becomes a `rejects` row.

    `source`, `key` and `item_hash` are set when the input could be read far
    enough to know them, so the run ledger can skip it next time.
    """

    input: str  # the archive path (or URL) of what was rejected
    reason: str
    detail: str
    source: str | None = None
    key: str | None = None
    item_hash: str | None = None


class Rejected(Exception):
    """An input that cannot be read or extracted; becomes a `rejects` row.

    `reason` is a short machine-friendly code (empty, binary, bad-gzip,
    no-text, ...); `detail` is the human explanation.
    """

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


# What one HTTP request ended in: written by `web.fetch`, archived and read back by
# `archive.warc`, logged in the `fetches` table.
OK = "ok"
NOT_MODIFIED = "not-modified"
ROBOTS_DISALLOWED = "robots-disallowed"
TOO_LARGE = "too-large"
BAD_CONTENT_TYPE = "bad-content-type"
REDIRECT_LOOP = "redirect-loop"
TOO_MANY_REDIRECTS = "too-many-redirects"
BLOCKED_ADDRESS = "blocked-address"
BAD_URL = "bad-url"  # not http(s), or no host
HTTP_ERROR = "http-error"  # a final 4xx/5xx (after retries), or a 3xx without Location
CONNECTION_ERROR = "connection-error"  # DNS, connect, TLS, read timeouts, broken body
BUDGET_EXHAUSTED = "budget-exhausted"

PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
    }
)
# Sitemaps may be served gzipped as a file (sitemap.xml.gz), not just content-encoded.
SITEMAP_TYPES = FEED_TYPES | {"application/gzip", "application/x-gzip"}


@dataclass(frozen=True)
class FetchResult:
    """What happened when fetching one URL; `body` is set only when it was read."""

    url: str  # as requested
    final_url: str  # the last URL requested (after redirects)
    outcome: str  # ok | not-modified | one of the rejection reasons above
    detail: str = ""  # human explanation of the outcome
    status: int | None = None  # HTTP status of the last response, if any
    reason: str = ""  # HTTP reason phrase
    headers: tuple[tuple[str, str], ...] = ()  # response headers, in order, repeats kept
    request_headers: tuple[tuple[str, str], ...] = ()  # what we sent for the last request
    body: bytes | None = None  # content-decoded body
    elapsed: float = 0.0  # seconds from the first request to the end, waits included
    redirects: tuple[str, ...] = ()  # each URL that answered with a redirect, in order
    fetched_at: datetime | None = None  # when the last response arrived (UTC)

    @property
    def ok(self) -> bool:
        return self.outcome == OK

    def header(self, name: str) -> str | None:
        """The first response header called `name` (case-insensitive)."""
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)

    @property
    def content_type(self) -> str | None:
        """Media type without parameters, lowercased: `text/html`."""
        return media_type(self.header("Content-Type"))

    @property
    def etag(self) -> str | None:
        return self.header("ETag")

    @property
    def last_modified(self) -> str | None:
        return self.header("Last-Modified")


def media_type(content_type: str | None) -> str | None:
    """`text/html; charset=utf-8` -> `text/html`."""
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None
