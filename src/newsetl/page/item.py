"""One item's bytes to one `Article`'s page fields: the page package's entry point.

Dispatches on the item's type (plain text or HTML) and fills the language
when the page did not settle it. Raises `Rejected` for inputs that hold no
article.
"""

from __future__ import annotations

from newsetl.models import Article, Item, Rejected
from newsetl.page.clean import split_plain_text
from newsetl.page.decode import decode
from newsetl.page.language import detect_language

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


def parse_item(item: Item) -> Article:
    """Every page field of `item` (no enrichment); raises `Rejected` when it holds no article."""
    if not item.data.strip():
        raise Rejected("empty", "the input has no bytes (or only whitespace)")
    if looks_binary(item.data):
        raise Rejected("binary", "NUL bytes in the first 8 KiB: not a text or HTML document")
    if is_html(item):
        from newsetl.page.webpage import parse_html

        article = parse_html(item.data, url=item.url, http_charset=item.http_charset)
    else:
        article = parse_plain_text(item.data, http_charset=item.http_charset)
    if not article.body:
        raise Rejected("no-text", "no article text found")
    if article.language is None:
        article.language = detect_language(article.body)
        article.provenance["language"] = "text"
    return article
