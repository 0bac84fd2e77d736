"""HTML page bytes to one `Article`: the entry point for web pages.

The page is decoded once (browser order, see `decode`) and parsed once with
lxml; the same tree feeds our structured-metadata readers (`metadata`,
`authors`, `dates`) and trafilatura (main text, and the fallback for fields
the page does not declare). Every field records where it came from.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from newsetl.models import Article, Rejected
from newsetl.page.authors import pick_authors
from newsetl.page.dates import pick_modified, pick_published
from newsetl.page.decode import decode
from newsetl.page.language import detect_language
from newsetl.page.maintext import extract_main_text
from newsetl.page.metadata import (
    Head,
    declared_language,
    pick_canonical,
    pick_description,
    pick_paywalled,
    pick_section,
    pick_site_name,
    pick_title,
    pick_top_image,
    pick_topics,
    read_head,
)

# libxml2 caps nesting at 256 levels unless `huge_tree` is set: keeping that cap
# bounds the recursion of every tree walk below, so a 10,000-deep page cannot
# overflow the stack. But past the cap libxml2 drops the rest of the document,
# so such a page is parsed again with its layout-only tags removed.
_PARSER = lxml.html.HTMLParser(collect_ids=False, remove_comments=True, remove_pis=True)
_TOO_DEEP = "Excessive depth"
# Tags that only lay text out: dropping them (not their text) flattens the nesting.
_LAYOUT_TAGS = re.compile(
    r"</?(?:div|span|section|aside|header|footer|font|center|table|tbody|thead|tr|td|th|"
    r"b|i|u|em|strong|small|big|a|ul|ol|li|dl|dt|dd|form|label|nav|main|article|figure|"
    r"blockquote|q|cite|abbr|sup|sub|mark|time|[a-z]+-[a-z-]+)\b[^>]*>",
    re.IGNORECASE)
# Below this many characters of body, a page's declared language beats detection.
_MIN_DETECT_CHARS = 200
# Language identification reads this much of the body: more costs time, not accuracy.
_DETECT_SAMPLE = 3000


def _parse(text: str) -> tuple[lxml.html.HtmlElement | None, bool]:
    """(tree, whether libxml2 hit its nesting cap and dropped content)."""
    try:
        tree = lxml.html.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None, False
    return tree, any(_TOO_DEEP in e.message for e in _PARSER.error_log)


def parse_tree(text: str) -> lxml.html.HtmlElement | None:
    """The page's lxml tree, or None when there is nothing to parse."""
    text = text.lstrip("\ufeff")
    # lxml refuses str input that starts with an XML encoding declaration.
    if text.lstrip()[:5].lower() == "<?xml":
        text = text[text.find("?>") + 2:]
    if not text.strip():
        return None
    tree, truncated = _parse(text)
    if truncated:
        tree, _ = _parse(_LAYOUT_TAGS.sub(" ", text))
    return tree


def pick_language(head: Head, body: str) -> tuple[str | None, str | None]:
    """The declared language unless the body text clearly says otherwise.

    Templates often carry a site-wide `lang` (an English shell around a
    German article), so with enough text the detector wins a disagreement;
    on short bodies detection is noisy and the declaration stands.
    """
    declared, source = declared_language(head)
    detected = detect_language(body[:_DETECT_SAMPLE])
    if detected and (declared is None or (detected != declared and
                                          len(body) >= _MIN_DETECT_CHARS)):
        return detected, "text"
    return declared, source


def parse_html(data: bytes, url: str | None = None, http_charset: str | None = None) -> Article:
    """Extract every field of one HTML page; raises only `Rejected` ("no-text")."""
    decoded = decode(data, http_charset=http_charset, html=True)
    tree = parse_tree(decoded.text)
    if tree is None:
        raise Rejected("no-text", "the page has no HTML content")
    head = read_head(tree)
    authors = pick_authors(head, tree)
    main = extract_main_text(tree, url, head, authors[0])
    if not main.body:
        raise Rejected("no-text", "no main text found in the page")
    provenance = {"body": main.source}
    article = Article(title=None, body=main.body, image_captions=main.captions,
                      encoding=decoded.encoding, encoding_source=decoded.source)
    picks = {
        "title": pick_title(head),
        "authors": authors,
        "published_at": pick_published(head, tree, url),
        "modified_at": pick_modified(head),
        "language": pick_language(head, main.body),
        "description": pick_description(head),
        "site_name": pick_site_name(head),
        "canonical_url": pick_canonical(head, url),
        "section": pick_section(head),
        "topics": pick_topics(head),
        "top_image": pick_top_image(head),
        "is_paywalled": pick_paywalled(head),
    }
    for name, (value, source) in picks.items():
        if source is not None:
            setattr(article, name, value)
            provenance[name] = source
    article.provenance = provenance
    return article
