"""The article's main text, paragraph by paragraph, from the parsed page.

trafilatura extracts from the tree we already parsed, without its metadata
pass (our structured readers cover that). On a page that declares itself an
article (a JSON-LD Article type, or `og:type` article) it runs in precision
mode: it drops whole boilerplate blocks (newsletter boxes, related-story
lists, metadata dumps) that the balanced mode keeps, at the cost of some
linked paragraphs, which is a net gain in measured F1 on articles. Its fast
pass runs first; its readability and jusText comparison only when that pass
looks incomplete, and when even that stays short, the balanced mode, whose
text replaces a precision result it outweighs several times (precision mode
sometimes keeps a stray line or the first half of an article:
`precise_paragraphs`). On any other page (shops, services, forums, docs)
precision mode drops the short and linked items that are that page's
content, so the balanced mode runs instead (`balanced_paragraphs`). Around
it:

* site notices (outdated browser, JavaScript, cookies, comment rules, ad
  blockers), calls to subscribe or follow (newsletter boxes, app and channel
  promotions), advertising disclosures ("contains affiliate links") and
  copyright notices (multilingual phrase lists) are not text: a page where
  precision mode kept only such a notice counts as empty and falls back;

* the headline and byline, which trafilatura keeps at the top, are dropped;
* lines that are data, not prose (timestamps, lone punctuation);
* short paragraphs that are (mostly) the text of one link on the page:
  related-article teasers, "Get our app", "Subscribe" -- prose is not a link;
  and sentences that one link holds whole: the summary on a teaser card.
  Links to the page itself (a table of contents, a teaser of this very
  article) and links whose text is a web address are no teasers; nor is a
  table row;
* the headings of related-story boxes ("Mehr zum Thema:", "Related Posts");
* image captions and credit lines ("Photo: AFP", "Quelle: dpa", "© Getty"),
  captions that end in a credit, numbered figure labels ("Figure 2: ...");
* a second opinion from the page's own JSON-LD `articleBody`: when that is
  much longer than what was extracted, the extractor missed part of the
  article, and the page's paragraphs that the publisher lists in
  `articleBody` are taken instead;
* the standfirst (the page's description), when `articleBody` opens with it,
  or when an article page shows it as a block above the extracted text
  (precision mode drops a lede set apart under the headline);
* when trafilatura finds nothing, recall mode (paragraphs of 20+ characters),
  then `articleBody`, then the article HTML a script-rendered page carries
  in a JSON string, then the page's plain `<p>` paragraphs; and the same
  later sources when all it found was furniture (a caption, a notice).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree
from lxml.html import HtmlElement
from trafilatura import bare_extraction

from newsetl.page.clean import match_key, normalise_paragraph
from newsetl.page.metadata import (
    ARTICLE_TYPES,
    Head,
    ld_types,
    pick_description,
    read_head,
    title_candidates,
)

# A paragraph that is data rather than prose: an ISO timestamp, no letters at all. (A bare
# URL is kept: in the text it is a reference or a source the article gives.)
_DATA_LINE = re.compile(r"^(?:[\W\d_]*|\d{4}-\d\d-\d\d[T ][\d:.+\-Z]*)$")
# A line that only dates the page: "Last updated: 13 July 2020", "Publicado el 03/05/2022 a
# las 22h03", "April 21, 2022", "19.10.2019 07:49 Uhr"; or a date label left without its value.
_DATELINE = re.compile(
    r"^(?:(?:updated|published|posted|last updated|aktualisiert|veröffentlicht|erstellt|stand"
    r"|publié|mis à jour|publicado|actualizado|pubblicato|aggiornato|release date|news date|date)"
    r"\b[^.!?]{0,40}(?:\d|uhr|[ap]m|gmt|utc)"
    r"|\d{1,2}[./]\d{1,2}[./]\d{2,4},? (?:\d\d?[:.]\d\d)? ?(?:uhr|h)?"
    r"|[^\W\d_]{3,} \d{1,2},? \d{4}(?: at [\d:]+ ?[ap]m)?)[.:]?$", re.IGNORECASE)
_DATE_LABEL = re.compile(r"^(?:release date|news date|date|datum|fecha)\s*:?$", re.IGNORECASE)
_DATELINE_CHARS = 60
# A link whose text is an address ("http://...", "www..."), folded: a reference, never a teaser.
_URL_KEY = re.compile(r"^(?:https?|www) ")
# A table row as trafilatura writes it ("| 1 Pck. | Vanillin-Zucker |"): the table's data.
_TABLE_ROW = re.compile(r"^\|.*\|$")
# A picture credit: "Photo: AFP", "Foto: dpa", "Quelle: Reuters", "Fot. ...", "Titelbild: ...",
# "Crédits photos : ...", "© Getty Images".
_CREDIT = re.compile(
    r"^(?:(?:photo|foto|bild|image|picture|credit|quelle|source|grafik|video|fot|titelbild"
    r"|beitragsbild|bildnachweis|bildquelle|crédits?(?: photos?)?|credits? photos?)s?\s*[:.]"
    r"|©|\(c\)\s)", re.IGNORECASE)
_CREDIT_CHARS = 80
# A caption: one that ends in its picture's credit ("Ski star Marco Odermatt. © AFP / X",
# "... Photo: Jane Doe"), or a numbered figure label ("Abbildung 4: ...", "Figure 2: ...").
_TRAILING_CREDIT = re.compile(r"(?:©|\(c\)|foto:|photo:|bild:)\s*[^.!?©]{1,60}$", re.IGNORECASE)
_FIGURE_LABEL = re.compile(
    r"^(?:abbildung|abb|figure|fig|grafik|bild|image|foto|photo)\.? ?\d+\s*[:.]", re.IGNORECASE)
_CAPTION_CHARS = 200
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
# A paragraph of this many words is a sentence, not a label that a link may contain by chance.
_SENTENCE_WORDS = 5
# A teaser card (headline, date, summary, byline) holds at most this much text.
_CARD_CHARS = 2000
# A fast extraction shorter than this, or this many times shorter than the page's <p>
# text, may be beaten by trafilatura's readability/jusText comparison: run it then.
_SHORT_EXTRACTION = 1000
_COMPARE_RATIO = 2
# A standfirst is a real paragraph; the block showing it holds at most this much more text
# (a box holding the description and more is not the lede); the first extracted paragraph
# is recognised by this many characters of its folded text. A sub-heading (h2) showing the
# description is left out: benchmarks' golds disagree on sub-headings (Zyte's leaves them
# out, Fundus's and trafilatura's keep them), and with h2 zyte-dev lost 0.003, without 0.001.
_MIN_LEDE = 60
_LEDE_SPAN = 1.5
_LEDE_PREFIX = 60
_LEDE_SLACK = 200
_LEDE_TAGS = ("p", "div", "span")
# Precision mode sometimes keeps a fragment: when the balanced mode finds this many times
# more text, precision lost the article (balanced is only run when the fast pass looked short).
_LOST_RATIO = 4
# ... and balanced mode is asked only when the full precision pass is still short, or the
# page's `<p>` text is this many times longer (it costs a whole extraction).
_SUSPECT_RATIO = 3
# Site notices, not article text: outdated browser, JavaScript, cookies, comment rules,
# ad blockers -- in the languages of the pages we meet. Matched on folded text
# (`match_key`: casefolded, punctuation as spaces) of short paragraphs only.
_NOTICE = re.compile(
    r"\b(?:(?:outdated|old|unsupported|out of date|older) (?:web )?browser|update your browser"
    r"|browser (?:is|wird) (?:not supported|no longer supported|nicht unterstützt|veraltet)"
    r"|veraltete[nmr]? (?:web)?browser|navigateur (?:obsolète|n est plus|pas à jour)"
    r"|navegador (?:desactualizado|obsoleto|no compatible)|browser (?:obsoleto|non supportato)"
    r"|przestarzał\w* przeglądar\w*|verouderde browser"
    r"|enable javascript|javascript (?:is )?(?:disabled|deaktiviert|désactivé|desactivado)"
    r"|javascript (?:aktivieren|einschalten)|activer javascript|activ\w+ (?:el )?javascript"
    r"|habilit\w+ (?:el )?javascript|włącz\w* javascript"
    r"|(?:we|this (?:web)?site) uses? cookies|(?:verwendet|nutzt|verwenden|nutzen) cookies"
    r"|utilis\w+ des cookies|(?:usa|usamos|utiliza|utilizamos) cookies|używa\w* (?:plików )?cookie"
    r"|accept (?:all )?cookies|cookies akzeptieren"
    r"|cookie (?:policy|settings|einstellungen|richtlinie)"
    r"|(?:politique|política) (?:de|relative aux) cookies"
    r"|comment policy|comments (?:are|will be) (?:\w+ ){0,3}(?:moderated|closed|reviewed)"
    r"|kommentare werden (?:\w+ ){0,4}(?:moderiert|freigeschaltet|geprüft)|netiquette"
    r"|(?:log|sign) in to (?:comment|post)|to post a comment|um (?:zu )?kommentieren"
    r"|kommentarfunktion (?:ist )?(?:deaktiviert|geschlossen)|commentaires sont modérés"
    r"|comentarios (?:son|están) moderados|disable your ad ?blocker|werbeblocker|ad ?blocker)\b")
# Calls to subscribe, sign up or follow (newsletter boxes, app and channel promotions):
# not text either, matched the same way. Each names what is offered (a newsletter, the
# e-mails, an app, a channel) so that an article about signing up for a service is not one.
_CALL = re.compile(
    r"\b(?:(?:subscribe|subscribing|sign up|signing up|register) (?:to|for) (?:\w+ ){0,4}"
    r"(?:newsletters?|e ?mails?|edition)|sign up here|subscribe now|(?:newsletter|jetzt) abonnieren"
    r"|abonnieren sie (?:\w+ ){0,2}newsletter|(?:mit|in) unserem newsletter"
    r"|(?:suscríbete|suscribirse|suscribirte) (?:\w+ ){0,3}(?:newsletter|boletín)"
    r"|abonnez vous (?:\w+ ){0,3}(?:newsletter|lettre)"
    r"|follow (?:us|the [\w ]{1,30}) on (?:twitter|facebook|instagram|x)|folgen sie uns|síguenos"
    r"|suivez nous|download (?:the|our) [\w ]{0,30}apps?|canal de (?:youtube|telegram|whatsapp)"
    r"|(?:youtube|telegram|whatsapp) kanal)\b")
# Advertising disclosures ("Dieser Artikel enthält Affiliate-Links", "This post contains
# references to products from our advertisers", "*Werbung"): the site's, not the article's.
_DISCLOSURE = re.compile(
    r"\b(?:affiliate (?:links?|partner)|(?:enthält|beinhaltet) (?:\w+ )?(?:werbung|affiliate)"
    r"|unbezahlte werbung|bezahlte partnerschaft|(?:contains|includes) (?:\w+ ){0,3}"
    r"(?:affiliate|sponsored|references to products)"
    r"|(?:from|by) (?:one or more of )?our advertisers|advertisers do not influence"
    r"|sponsored (?:post|content)|enlaces de afiliados|liens affiliés)\b"
    r"|^(?:werbung|anzeige|advertisement|sponsored)\b")
# Copyright and reprint notices ("© 2022 ...", "All rights reserved", "without written
# permission"): the site's footer, not the article.
_COPYRIGHT = re.compile(
    r"\b(?:all rights reserved|alle rechte vorbehalten|tous droits réservés"
    r"|todos los derechos reservados|tutti i diritti riservati|wszelkie prawa zastrzeżone"
    r"|copyrighted property|without (?:the )?(?:prior )?written permission"
    r"|ohne (?:vorherige )?(?:schriftliche )?genehmigung)\b")
_NOTICE_CHARS = 300
# The heading of a box of links to other stories or pages ("Mehr zum Thema:", "Related
# Posts", "Lire aussi ...", "Czytaj też: ..."), matched at the start of a short folded
# paragraph: the box's links go as teasers, its heading should go with them.
_RELATED = re.compile(
    r"^(?:weitere (?:artikel|themen|beiträge|informationen|infos|nachrichten)"
    r"|mehr (?:zum thema|zu diesem thema|themen)"
    r"|(?:das|dies) (?:\w+ ){0,2}(?:könnte|dürfte) (?:dich|sie|euch) (?:\w+ )?(?:auch )?"
    r"interessieren"
    r"|zum weiterlesen|schon gelesen|auch interessant|lesen sie auch|kommentierte artikel"
    r"|verwandte (?:artikel|themen|beiträge)|ähnliche (?:artikel|beiträge)"
    r"|related (?:articles?|stories|posts|content|news|reading)|read more|read also"
    r"|you (?:may|might) (?:also )?like|more stories|see also|further reading"
    r"|recommended (?:for you|videos|articles|stories|reading)"
    r"|(?:à )?lire aussi|sur le même sujet|à voir aussi|leer más|lee también|te puede interesar"
    r"|más sobre|noticias relacionadas|temas relacionados"
    r"|czytaj (?:też|także|więcej)|zobacz (?:też|także)|leggi anche|lees ook)\b")
_RELATED_CHARS = 60
_BLOCK_TAGS = ("p", "h2", "h3", "h4", "li", "blockquote")
# A JSON string literal (unrolled loop: linear time on long scripts).
_STRING_LITERAL = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
# How a paragraph tag looks inside such a literal: raw, or escaped as `\u003cp`.
_P_TAG = re.compile(r"<p[\s>]|\\u003cp[\s\\]", re.IGNORECASE)
# Elements of an embedded article that hold captions, not text.
_CAPTION_XPATH = "ancestor::*[self::figure or self::figcaption or contains(@class, 'caption')]"


@dataclass
class MainText:
    body: str  # paragraphs joined by blank lines; "" when none found
    source: str  # trafilatura | json-ld | script | paragraphs
    captions: list[str] = field(default_factory=list)


def _trafilatura(tree: HtmlElement, url: str | None, **options: bool) -> list[str]:
    try:
        doc = bare_extraction(tree, url=url, include_comments=False, **options)
    except (ValueError, RecursionError):
        return []
    if doc is None or not doc.text:
        return []
    return [p for p in map(normalise_paragraph, doc.text.splitlines()) if p]


def is_notice(para: str) -> bool:
    """Is this short paragraph a site notice (outdated browser, cookies, comment rules), a
    call to subscribe or follow, an advertising disclosure or a copyright notice?"""
    if len(para) >= _NOTICE_CHARS:
        return False
    if para.startswith("©"):
        return True
    key = match_key(para)
    return any(pattern.search(key) is not None
               for pattern in (_NOTICE, _CALL, _DISCLOSURE, _COPYRIGHT))


def declares_article(head: Head) -> bool:
    """Does the page say it is an article: a JSON-LD Article type, or `og:type` article?

    Precision mode is tuned for articles: on a shop, service, forum or
    documentation page it drops the linked lines, short items and boxes that
    are that page's main content. A page that does not declare itself an
    article gets the balanced mode instead.
    """
    if ld_types(head.article) & ARTICLE_TYPES:
        return True
    return any(v.strip().lower() == "article" for v in head.meta.get("og:type", ()))


def balanced_paragraphs(tree: HtmlElement, url: str | None) -> list[str]:
    """trafilatura's balanced mode (its default), for pages that are not articles.

    The full pass at once: on such pages its fast pass misses more than it
    saves (the readability/jusText comparison often finds the larger block).
    """
    return [p for p in _trafilatura(tree, url) if not is_notice(p)]


def precise_paragraphs(tree: HtmlElement, url: str | None) -> list[str]:
    """trafilatura in precision mode, with second opinions only when it looks short.

    The readability/jusText comparison costs about a fifth of a page's
    extraction and changes the result only when trafilatura's own pass
    under-delivers: its text is short, or the page's `<p>` text is well over
    twice as long (readability replaces a result it more than doubles). The
    fast pass decides which. In that case the balanced mode runs too: precision
    mode sometimes keeps a fragment (one stray line, a notice, the first half)
    of an article that balanced mode finds whole, and when balanced finds
    `_LOST_RATIO` times more text the fragment is not the article. Site
    notices are left out before measuring, so a page whose "article" is an
    outdated-browser notice counts as empty.
    """
    paras = [p for p in _trafilatura(tree, url, favor_precision=True, fast=True)
             if not is_notice(p)]
    extracted, page_chars = sum(map(len, paras)), paragraph_chars(tree)
    if extracted >= _SHORT_EXTRACTION and _COMPARE_RATIO * extracted >= page_chars:
        return paras
    paras = [p for p in _trafilatura(tree, url, favor_precision=True) if not is_notice(p)]
    extracted = sum(map(len, paras))
    if extracted < _SHORT_EXTRACTION or _SUSPECT_RATIO * extracted < page_chars:
        balanced = [p for p in _trafilatura(tree, url) if not is_notice(p)]
        if sum(map(len, balanced)) >= _LOST_RATIO * extracted:
            paras = balanced
    return paras


def paragraph_chars(tree: HtmlElement) -> int:
    """How much text the page holds in `<p>` elements: what a second extractor could find."""
    return sum(len(p.text_content()) for p in tree.iter("p"))


def page_addresses(url: str | None, head: Head) -> list[str]:
    """The page's own addresses: the URL it was fetched from and those it declares."""
    found = [url, head.canonical, head.first_meta("og:url")]
    return list(dict.fromkeys(a for a in found if a))


def _last_segment(url: str) -> str:
    """The last path segment of a URL or href, without query or fragment (cheap string work)."""
    return url.split("#", 1)[0].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def points_here(href: str, addresses: list[str]) -> bool:
    """Does this link lead to the page itself (an in-page anchor, or one of its own URLs)?

    Pages carry hundreds of links: only those whose last path segment is the
    page's own are resolved against its address and compared in full.
    """
    href = href.strip()
    if href.startswith("#"):
        return True
    tail = _last_segment(href)
    for address in addresses:
        if not tail or _last_segment(address) != tail:
            continue
        try:
            here, there = urlsplit(address), urlsplit(urljoin(address, href))
        except ValueError:  # a malformed href or address (bad IPv6 host): no evidence
            continue
        if (there.path.rstrip("/") == here.path.rstrip("/")
                and there.netloc.removeprefix("www.") == here.netloc.removeprefix("www.")):
            return True
    return False


def link_texts(tree: HtmlElement, addresses: list[str] | None = None) -> set[str]:
    """The folded text of every link to elsewhere long enough to be a headline or a call.

    A link to the page itself (`href="#..."`, or the page's own address with
    or without an anchor) is a table of contents, a "skip to" link or a
    teaser of this very article: its text is the article's own subheading or
    lede, not another story's teaser. A link whose text is a web address is
    a reference the text gives, not a teaser either.
    """
    texts = {match_key(a.text_content()) for a in tree.iter("a")
             if not points_here(a.get("href") or "", addresses or [])}
    return {t for t in texts if len(t) >= _MIN_LINK_CHARS and not _URL_KEY.match(t)}


def is_link_paragraph(key: str, links: set[str]) -> bool:
    """Is this (folded, short) paragraph one link's text, give or take a date or a dash?"""
    return key in links or any(len(link) >= _LINK_SHARE * len(key) and link in key
                               for link in links)


def inside_link(key: str, links: set[str]) -> bool:
    """Is this folded paragraph a sentence that one link's text holds whole?

    A teaser card is one link around a headline, a date and a summary; the
    summary is a paragraph that no article prints inside a link. Labels
    shorter than a sentence ("Ankara", "Pre-workout meal") turn up inside
    long link texts by chance, so they are left to `is_link_paragraph`; and
    a link longer than a card may wrap a whole article, so it is no evidence.
    """
    if len(key.split()) < _SENTENCE_WORDS:
        return False
    return any(key in link for link in links if len(key) < len(link) <= _CARD_CHARS)


def is_byline(key: str, name: str) -> bool:
    """Does this folded paragraph open with the author's name ("by ann lee", "ann lee reuters")?

    Compared word by word: a one-letter or short "name" (a handle the page
    gives as author) must not match inside the words of a sentence.
    """
    words, name_words = key.split(), name.split()
    lead = words[: len(name_words) + _BYLINE_LEAD_WORDS]
    return any(lead[i:i + len(name_words)] == name_words
               for i in range(len(lead) - len(name_words) + 1))


def is_dateline(para: str) -> bool:
    """Is this short line only the page's date ("Updated: 3 May 2024"), or a bare date label?"""
    if len(para) >= _DATELINE_CHARS:
        return False
    return bool(_DATE_LABEL.match(para)) or (
        any(c.isdigit() for c in para) and _DATELINE.match(para) is not None)


def drop_furniture(paras: list[str], head: Head, authors: list[str], links: set[str],
                   captions: list[str]) -> list[str]:
    """Remove the repeated headline, bylines, data lines, link-only paragraphs, the headings
    of related-story boxes, captions and credits."""
    titles = {match_key(t) for _, t in title_candidates(head)} | {match_key(h) for h in head.h1}
    caption_keys = {match_key(c) for c in captions}
    names = [k for k in map(match_key, authors) if k]
    kept = []
    for i, para in enumerate(paras):
        key = match_key(para)
        if i < _HEAD_PARAGRAPHS and key in titles:
            continue
        if _DATA_LINE.match(para) or key in caption_keys or is_dateline(para):
            continue
        if len(para) < _CREDIT_CHARS and _CREDIT.match(para):
            continue
        if len(para) < _CAPTION_CHARS and (_TRAILING_CREDIT.search(para)
                                           or _FIGURE_LABEL.match(para)):
            continue
        if len(para) < _RELATED_CHARS and _RELATED.match(key):
            continue
        if _TABLE_ROW.match(para):  # a row of a table: neither a byline nor a teaser
            kept.append(para)
            continue
        # A question that opens with the author's name is an interview question, not a byline.
        if (len(para.split()) <= _BYLINE_WORDS and not para.endswith("?")
                and any(is_byline(key, n) for n in names)):
            continue
        if len(para) < _LINK_PARAGRAPH_CHARS and is_link_paragraph(key, links):
            continue
        if inside_link(key, links):
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


def with_ld_lede(paras: list[str], head: Head) -> list[str]:
    """The standfirst put in front when the publisher's `articleBody` opens with it.

    Pages set the lede (the description) apart from the text, above it, where
    extractors leave it out; when the page's own JSON-LD `articleBody` starts
    with that description, the publisher counts it as the article's first
    paragraph, and so do we.
    """
    lede, _ = pick_description(head)
    raw = head.article.get("articleBody")
    if not lede or len(lede) < _MIN_BLOCK or not isinstance(raw, str):
        return paras
    key = match_key(lede)
    if not match_key(raw).startswith(key) or key in match_key(" ".join(paras)):
        return paras
    return [lede, *paras]


def visible_lede(tree: HtmlElement, paras: list[str], head: Head) -> list[str]:
    """The standfirst put in front when the page shows its description above the text.

    Precision mode keeps the article's body but often drops the standfirst:
    it sits apart from the text, under the headline, in its own box. A page
    that shows its own description (JSON-LD, `og:` or meta; often cut short
    with an ellipsis) as a block before the first extracted paragraph, not
    as a picture's caption, shows the article's lede there. A description met
    only after the text starts is a teaser or a share box, not the lede, and
    is left out.
    """
    lede, _ = pick_description(head)
    if not lede or not paras or len(lede) < _MIN_LEDE:
        return paras
    key = match_key(lede.rstrip(". …"))
    if key[:_LEDE_PREFIX] in match_key(" ".join(paras)):
        return paras  # already there, perhaps worded a little differently
    first = match_key(paras[0])[:_LEDE_PREFIX]
    body = tree.find("body")
    for el in (body if body is not None else tree).iter(*_LEDE_TAGS):
        text = el.text_content()
        if len(text) > _LEDE_SPAN * len(lede) + _LEDE_SLACK:  # a container: its start only
            if match_key(text[:_LEDE_SLACK]).startswith(first):
                return paras  # the text starts first: no standfirst above it
            continue
        text = normalise_paragraph(text)
        found = match_key(text)
        if found.startswith(first):
            return paras
        if (len(text) <= _LEDE_SPAN * len(lede) and found.startswith(key)
                and not el.xpath(_CAPTION_XPATH)):  # a picture's caption is no standfirst
            return [text, *paras]
    return paras


def plain_paragraphs(tree: HtmlElement) -> list[str]:
    """Every `<p>` of the page with some length: the last resort for odd markup."""
    return [t for t in (normalise_paragraph(p.text_content()) for p in tree.iter("p"))
            if len(t) >= _MIN_BLOCK]


def _html_paragraphs(fragment: str) -> list[str]:
    """The `<p>` texts of an HTML fragment, captions left out ([] when it does not parse)."""
    try:
        tree = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return []
    texts = (normalise_paragraph(p.text_content()) for p in tree.iter("p")
             if not p.xpath(_CAPTION_XPATH))
    return [t for t in texts if len(t) >= _MIN_BLOCK]


def script_paragraphs(tree: HtmlElement) -> list[str]:
    """Paragraphs of the article HTML that a script-rendered page ships inside its scripts.

    Single-page apps (Next.js, Nuxt, React Query state) send the article as
    an HTML string in a JSON blob and build the DOM in the browser, so the
    page itself has no text. The string literal holding the most paragraph
    text is the article; its own `<p>` elements give the paragraphs.
    """
    best: list[str] = []
    for script in tree.iter("script"):
        for literal in _STRING_LITERAL.findall(script.text or ""):
            if not _P_TAG.search(literal):
                continue
            try:
                fragment = json.loads(literal)
            except ValueError:
                continue
            paras = _html_paragraphs(fragment)
            if sum(map(len, paras)) > sum(map(len, best)):
                best = paras
    return best


def figure_captions(tree: HtmlElement) -> list[str]:
    return [t for t in (normalise_paragraph(c.text_content()) for c in tree.iter("figcaption"))
            if t]


def has_prose(paras: list[str]) -> bool:
    """At least one real paragraph: menu words and labels alone are not an article."""
    return any(len(p) >= _MIN_BLOCK for p in paras)


def trafilatura_paragraphs(tree: HtmlElement, url: str | None,
                           head: Head | None = None) -> list[str]:
    """trafilatura's paragraphs: precision mode on an article, balanced mode on another page,
    recall mode when that finds no prose (`head` is read from the tree when not given)."""
    if declares_article(head if head is not None else read_head(tree)):
        paras = precise_paragraphs(tree, url)
    else:
        paras = balanced_paragraphs(tree, url)
    if not has_prose(paras):
        # Recall mode, the fallback, also picks up menu words: keep only real paragraphs.
        paras = [p for p in _trafilatura(tree, url, favor_recall=True)
                 if len(p) >= _MIN_BLOCK and not is_notice(p)]
    return paras


def extract_main_text(tree: HtmlElement, url: str | None, head: Head,
                      authors: list[str]) -> MainText:
    """Main text of the page (never raises; an empty body means none was found).

    When what the extractor kept is all furniture (a photo caption, a notice),
    the later sources get their turn: the script-rendered article, then the
    page's plain paragraphs.
    """
    paras = trafilatura_paragraphs(tree, url, head)
    paras, source = rescue_with_ld(tree, paras, head)
    paras = with_ld_lede(paras, head)
    if declares_article(head):
        paras = visible_lede(tree, paras, head)
    captions = figure_captions(tree)
    links = link_texts(tree, page_addresses(url, head))
    fallbacks = [("script", script_paragraphs), ("paragraphs", plain_paragraphs)]
    while True:
        paras = drop_furniture(paras, head, authors, links, captions)
        if has_prose(paras) or not fallbacks:
            break
        source, read = fallbacks.pop(0)
        paras = read(tree)
    if not has_prose(paras):
        paras = []
    return MainText(body="\n\n".join(paras), source=source, captions=captions)
