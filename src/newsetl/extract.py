"""One item's bytes to one `Article`: the extraction entry point.

Dispatches on the item's type (plain text or HTML), fills the language when
the page did not settle it, and runs enrichment over the body. Raises
`Rejected` for inputs that hold no article; anything else is a bug.
"""

from __future__ import annotations

from pathlib import Path

from newsetl.clean import split_plain_text
from newsetl.decode import decode
from newsetl.language import detect_language
from newsetl.models import Article, Item, Reject, Rejected

# Bump when a change to extraction or enrichment changes what is stored:
# the next backfill then re-extracts every item and versions the old rows.
EXTRACTOR_VERSION = "3"

_HTML_SNIFF = (b"<!doctype html", b"<html", b"<head", b"<body", b"<p>", b"<div", b"<meta")


def looks_binary(data: bytes) -> bool:
    """NUL bytes in the first 8 KiB mean this is not text (UTF-16 has a BOM and is decoded)."""
    head = data[:8192]
    return b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))


def is_html(item: Item) -> bool:
    """HTML by declared type, else by sniffing the first KiB like a browser."""
    if item.content_type:
        return "html" in item.content_type
    head = item.data[:1024].lstrip().lower()
    return any(marker in head for marker in _HTML_SNIFF)


def parse_plain_text(data: bytes, http_charset: str | None = None) -> Article:
    """The plain-text format: headline line, body paragraphs, bracketed notes."""
    decoded = decode(data, http_charset=http_charset)
    title, body, notes = split_plain_text(decoded.text)
    return Article(title=title, body="\n\n".join(body), notes=notes,
                   encoding=decoded.encoding, encoding_source=decoded.source,
                   provenance={"title": "text", "body": "text"})


def extract_item(item: Item, enrich_text: bool = True) -> Article:
    """Extract every field of `item`; raises `Rejected` when it holds no article."""
    if not item.data.strip():
        raise Rejected("empty", "the input has no bytes (or only whitespace)")
    if looks_binary(item.data):
        raise Rejected("binary", "NUL bytes in the first 8 KiB: not a text or HTML document")
    if is_html(item):
        from newsetl.webpage import parse_html

        article = parse_html(item.data, url=item.url, http_charset=item.http_charset)
    else:
        article = parse_plain_text(item.data, http_charset=item.http_charset)
    if not article.body:
        raise Rejected("no-text", "no article text found")
    if article.language is None:
        article.language = detect_language(article.body)
        article.provenance["language"] = "text"
    if enrich_text:
        from newsetl.enrich import enrich

        article.entities, article.quotes, article.dates = enrich(
            article.title, article.body, article.published_at)
    return article


def extract_path(path: str | Path) -> Article | Reject:
    """Read and extract one archive file (what `newsetl extract` does per input)."""
    from newsetl.archive import read_file

    item = read_file(Path(path))
    if isinstance(item, Reject):
        return item
    try:
        return extract_item(item)
    except Rejected as exc:
        return Reject(input=str(path), reason=exc.reason, detail=exc.detail,
                      source=item.source, key=item.key)
