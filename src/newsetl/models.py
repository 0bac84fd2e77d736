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
    speaker_kind: str | None  # person | organisation | document | unknown
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
