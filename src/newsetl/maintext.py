"""The article's main text, paragraph by paragraph, from the parsed page.

trafilatura extracts from the tree we already parsed, without its metadata
pass (our structured readers cover that), in precision mode: it drops whole
boilerplate blocks (newsletter boxes, related-story lists, metadata dumps)
that the balanced mode keeps, at the cost of some linked paragraphs, which
is a net gain in measured F1. Around it:

* the headline and byline, which trafilatura keeps at the top, are dropped;
* lines that are data, not prose (bare URLs, timestamps, lone punctuation);
* short paragraphs that are (mostly) the text of one link on the page:
  related-article teasers, "Get our app", "Subscribe" -- prose is not a link;
* image captions and credit lines ("Photo: AFP", "Quelle: dpa");
* a second opinion from the page's own JSON-LD `articleBody`: when that is
  much longer than what was extracted, the extractor missed part of the
  article, and the page's paragraphs that the publisher lists in
  `articleBody` are taken instead;
* when trafilatura finds nothing, recall mode (paragraphs of 20+ characters),
  then `articleBody`, then the page's plain `<p>` paragraphs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from lxml.html import HtmlElement
from trafilatura import bare_extraction

from newsetl.clean import normalise_paragraph
from newsetl.metadata import Head, title_candidates

# A paragraph that is data rather than prose: a URL, an ISO timestamp, no letters at all.
_DATA_LINE = re.compile(r"^(?:https?://\S+|[\W\d_]*|\d{4}-\d\d-\d\d[T ][\d:.+\-Z]*)$")
_NON_WORD = re.compile(r"\W+")
# A picture credit: "Photo: AFP", "Foto: dpa", "Quelle: Reuters", "Source: ...".
_CREDIT = re.compile(r"^(?:photo|foto|bild|image|picture|credit|quelle|source|grafik|video)s?\s*:",
                     re.IGNORECASE)
_CREDIT_CHARS = 80
# Soft hyphens are invisible and split words only in some renderings.
_SOFT_HYPHEN = str.maketrans({"\u00ad": ""})
# A byline paragraph ("By Ann Lee | 3 May 2024") is short and names the author up front.
_BYLINE_WORDS = 12
_BYLINE_LEAD_WORDS = 2
# Headlines repeated by the extractor sit among the first paragraphs.
_HEAD_PARAGRAPHS = 3
# articleBody this much longer than the extraction means text was missed.
_MISSED_RATIO = 1.3
_MIN_LD_BODY = 500
# The page's blocks found in articleBody must cover this share of it to be trusted.
_LD_COVERED = 0.8
_MIN_BLOCK = 20
# A paragraph this short whose words are at least this share one link's text is a link.
_LINK_PARAGRAPH_CHARS = 250
_LINK_SHARE = 0.7
_MIN_LINK_CHARS = 10
_BLOCK_TAGS = ("p", "h2", "h3", "h4", "li", "blockquote")


@dataclass
class MainText:
    body: str  # paragraphs joined by blank lines; "" when none found
    source: str  # trafilatura | json-ld | paragraphs
    captions: list[str] = field(default_factory=list)


def match_key(text: str) -> str:
    """Text folded for comparing two renderings of the same words (case, punctuation, width)."""
    folded = unicodedata.normalize("NFKC", text).translate(_SOFT_HYPHEN).casefold()
    return _NON_WORD.sub(" ", folded).strip()


def _trafilatura(tree: HtmlElement, url: str | None, **options: bool) -> list[str]:
    try:
        doc = bare_extraction(tree, url=url, include_comments=False, **options)
    except (ValueError, RecursionError):
        return []
    if doc is None or not doc.text:
        return []
    return [p for p in map(normalise_paragraph, doc.text.splitlines()) if p]


def link_texts(tree: HtmlElement) -> set[str]:
    """The folded text of every link on the page long enough to be a headline or a call."""
    texts = {match_key(a.text_content()) for a in tree.iter("a")}
    return {t for t in texts if len(t) >= _MIN_LINK_CHARS}


def is_link_paragraph(key: str, links: set[str]) -> bool:
    """Is this (folded, short) paragraph one link's text, give or take a date or a dash?"""
    return key in links or any(len(link) >= _LINK_SHARE * len(key) and link in key
                               for link in links)


def is_byline(key: str, name: str) -> bool:
    """Does this folded paragraph open with the author's name ("by ann lee", "ann lee reuters")?"""
    words = key.split()
    return name in " ".join(words[: len(name.split()) + _BYLINE_LEAD_WORDS])


def drop_furniture(paras: list[str], head: Head, authors: list[str], links: set[str],
                   captions: list[str]) -> list[str]:
    """Remove the repeated headline, bylines, data lines, link-only paragraphs and captions."""
    titles = {match_key(t) for _, t in title_candidates(head)} | {match_key(h) for h in head.h1}
    caption_keys = {match_key(c) for c in captions}
    names = [k for k in map(match_key, authors) if k]
    kept = []
    for i, para in enumerate(paras):
        key = match_key(para)
        if i < _HEAD_PARAGRAPHS and key in titles:
            continue
        if _DATA_LINE.match(para) or key in caption_keys:
            continue
        if len(para) < _CREDIT_CHARS and _CREDIT.match(para):
            continue
        if len(para.split()) <= _BYLINE_WORDS and any(is_byline(key, n) for n in names):
            continue
        if len(para) < _LINK_PARAGRAPH_CHARS and is_link_paragraph(key, links):
            continue
        kept.append(para)
    return kept


def blocks_in(tree: HtmlElement, reference: str) -> list[str]:
    """The page's paragraphs (p, h2-h4, li, blockquote) whose text occurs in `reference`.

    Nested blocks are taken once (the outermost match), in document order.
    """
    ref = match_key(reference)
    taken: set[HtmlElement] = set()
    out = []
    for el in tree.iter(*_BLOCK_TAGS):
        if any(a in taken for a in el.iterancestors()):
            continue
        text = normalise_paragraph(el.text_content())
        if len(text) >= _MIN_BLOCK and match_key(text) in ref:
            taken.add(el)
            out.append(text)
    return out


def rescue_with_ld(tree: HtmlElement, paras: list[str], head: Head) -> tuple[list[str], str]:
    """Paragraphs from the page as listed in JSON-LD `articleBody`, when that is clearly longer.

    `articleBody` is the publisher's own statement of the article's text, but
    often flattened into one string and sometimes padded; the page's own
    blocks found in it keep the paragraphing and drop the padding. When the
    page shows only part of it (the rest loaded by script), `articleBody`'s
    own lines are used if it has any.
    """
    raw = head.article.get("articleBody")
    if not isinstance(raw, str):
        return paras, "trafilatura"
    reference = normalise_paragraph(raw)
    extracted = sum(len(p) for p in paras)
    if len(reference) < _MIN_LD_BODY or len(reference) < _MISSED_RATIO * extracted:
        return paras, "trafilatura"
    blocks = blocks_in(tree, reference)
    covered = sum(len(b) for b in blocks)
    if covered >= _LD_COVERED * len(reference):
        return blocks, "json-ld"
    lines = [p for p in map(normalise_paragraph, raw.splitlines()) if p]
    if len(lines) > 1:
        return lines, "json-ld"
    return (blocks, "json-ld") if covered > extracted else (paras, "trafilatura")


def plain_paragraphs(tree: HtmlElement) -> list[str]:
    """Every `<p>` of the page with some length: the last resort for odd markup."""
    return [t for t in (normalise_paragraph(p.text_content()) for p in tree.iter("p"))
            if len(t) >= _MIN_BLOCK]


def figure_captions(tree: HtmlElement) -> list[str]:
    return [t for t in (normalise_paragraph(c.text_content()) for c in tree.iter("figcaption"))
            if t]


def has_prose(paras: list[str]) -> bool:
    """At least one real paragraph: menu words and labels alone are not an article."""
    return any(len(p) >= _MIN_BLOCK for p in paras)


def extract_main_text(tree: HtmlElement, url: str | None, head: Head,
                      authors: list[str]) -> MainText:
    """Main text of the page (never raises; an empty body means none was found)."""
    paras = _trafilatura(tree, url, favor_precision=True)
    if not has_prose(paras):
        # Recall mode, the fallback, also picks up menu words: keep only real paragraphs.
        paras = [p for p in _trafilatura(tree, url, favor_recall=True) if len(p) >= _MIN_BLOCK]
    paras, source = rescue_with_ld(tree, paras, head)
    if not paras:
        paras, source = plain_paragraphs(tree), "paragraphs"
    captions = figure_captions(tree)
    paras = drop_furniture(paras, head, authors, link_texts(tree), captions)
    if not has_prose(paras):
        paras = []
    return MainText(body="\n\n".join(paras), source=source, captions=captions)
