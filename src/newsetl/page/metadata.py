"""What a page says about itself: JSON-LD, meta tags, microdata, `<title>`, `<h1>`.

`read_head` gathers every structured source from the parsed tree once; the
`pick_*` functions (one per field, here and in `authors` and `dates`) then
choose from it and say which source they used. Publishers declare their
article in JSON-LD (often inside an `@graph`) far more reliably than any
layout heuristic can find it, so structured data is read first and page
text is the fallback.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from newsetl.page.clean import match_key, normalise_paragraph

# schema.org types whose object describes the article itself (lower-cased).
ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "backgroundnewsarticle", "reviewnewsarticle",
    "askpublicnewsarticle", "satiricalarticle", "blogposting", "liveblogposting",
    "socialmediaposting", "report", "techarticle", "scholarlyarticle", "medicalscholarlyarticle",
})
_PAGE_TYPES = frozenset({"webpage", "itempage", "collectionpage", "aboutpage"})
# Control characters that make strict JSON parsers refuse a publisher's blob.
_JSON_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class Head:
    """Every self-description a page carries, gathered in one pass over the tree."""

    ld: list[dict[str, Any]] = field(default_factory=list)  # all JSON-LD objects, page order
    article: dict[str, Any] = field(default_factory=dict)  # the main article object (or {})
    meta: dict[str, list[str]] = field(default_factory=dict)  # lower-cased key -> contents
    microdata: dict[str, list[str]] = field(default_factory=dict)  # itemprop -> values
    canonical: str | None = None
    html_lang: str | None = None
    title: str | None = None  # the <title> text
    h1: list[str] = field(default_factory=list)
    # match_keys of <h1>s in a navigation bar or breadcrumb trail, or logos linking home: they
    # repeat a title or name the site rather than show the article's headline.
    nav_h1: set[str] = field(default_factory=set)
    logos: set[str] = field(default_factory=set)  # those logos' texts, casefolded
    # (kicker, headline) of each <h1> that opens with a topic line in its own element
    kickers: list[tuple[str, str]] = field(default_factory=list)
    tree: HtmlElement | None = field(default=None, repr=False, compare=False)
    _shown: set[str] | None = field(default=None, repr=False, compare=False)

    @property
    def shown(self) -> set[str]:
        """match_keys of the headings the page shows (`shown_headings`), read on first use:
        most pages never need them, and the search visits every element."""
        if self._shown is None:
            self._shown = shown_headings(self.tree) if self.tree is not None else set()
        return self._shown

    def first_meta(self, *keys: str) -> str | None:
        """The first non-empty content among `keys`, in the order given."""
        for key in keys:
            for value in self.meta.get(key, ()):
                if value := normalise_paragraph(value):
                    return value
        return None


def ld_types(obj: dict[str, Any]) -> set[str]:
    """An object's schema.org types, lower-cased, with any URL prefix dropped."""
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.rsplit("/", 1)[-1].lower() for k in kinds if isinstance(k, str)}


def _flatten_ld(value: Any, out: list[dict[str, Any]], depth: int = 0) -> None:
    """Collect dict objects from lists and `@graph`s (bounded depth: hostile blobs nest)."""
    if depth > 8:
        return
    if isinstance(value, list):
        for item in value:
            _flatten_ld(item, out, depth + 1)
    elif isinstance(value, dict):
        out.append(value)
        if "@graph" in value:
            _flatten_ld(value["@graph"], out, depth + 1)


def parse_json_ld(texts: list[str]) -> list[dict[str, Any]]:
    """Every JSON-LD object in the script texts; malformed scripts are skipped."""
    objects: list[dict[str, Any]] = []
    for text in texts:
        text = text.strip()
        if text.startswith("<!--") or text.startswith("<![CDATA["):
            text = text.split("[", 2)[-1] if text.startswith("<![") else text[4:]
            text = text.rstrip().removesuffix("-->").removesuffix("]]>")
        try:
            data = json.loads(_JSON_CONTROL.sub(" ", text), strict=False)
        except (ValueError, RecursionError):
            continue
        _flatten_ld(data, objects)
    return objects


def main_article(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """The object describing the page's article: an Article type with a headline wins.

    Pages list related articles too (as `ItemList` members, not top-level
    objects), so the first top-level article object is the page's own; a
    WebPage object stands in when no article type is declared.
    """
    articles = [o for o in objects if ld_types(o) & ARTICLE_TYPES]
    with_headline = [o for o in articles if o.get("headline")]
    if with_headline:
        return with_headline[0]
    if articles:
        return articles[0]
    pages = [o for o in objects if ld_types(o) & _PAGE_TYPES]
    return pages[0] if pages else {}


def _element_value(el: HtmlElement) -> str:
    """A microdata property's value: its content/datetime attribute, else its text."""
    for attr in ("content", "datetime"):
        if el.get(attr):
            return el.get(attr)
    if el.get("itemscope") is not None:
        names = el.xpath(".//*[@itemprop='name']")
        if names:
            return _element_value(names[0])
    return el.text_content()


def read_head(tree: HtmlElement) -> Head:
    """Gather JSON-LD, meta tags, microdata, canonical link, lang, <title> and <h1>s."""
    head = Head()
    scripts = tree.xpath("//script[contains(translate(@type,'LDJSON','ldjson'),'ld+json')]")
    head.ld = parse_json_ld([s.text or "" for s in scripts])
    head.article = main_article(head.ld)
    for el in tree.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        content = el.get("content")
        if key and content:
            head.meta.setdefault(key.strip().lower(), []).append(content)
    for el in tree.xpath("//*[@itemprop][not(self::meta)]"):
        for prop in el.get("itemprop").split():
            head.microdata.setdefault(prop, []).append(_element_value(el))
    canonical = tree.xpath("//link[contains(concat(' ',normalize-space(@rel),' '),' canonical ')]"
                           "/@href")
    head.canonical = canonical[0].strip() if canonical else None
    lang = tree.get("lang") or tree.get("xml:lang")
    head.html_lang = lang.strip() if lang else None
    titles = tree.xpath("//head/title|//title")
    head.title = normalise_paragraph(titles[0].text_content()) if titles else None
    head.h1 = [t for t in (normalise_paragraph(h.text_content()) for h in tree.iter("h1")) if t]
    head.tree = tree
    for h1 in tree.iter("h1"):
        if kicker := h1_kicker(h1):
            head.kickers.append(kicker)
        text = h1.text_content()
        if len(text) > _MAX_HEADING or not (key := match_key(text)):
            continue
        if is_home_link(h1, key):
            head.nav_h1.add(key)
            head.logos.add(normalise_paragraph(text).casefold())
        elif h1.xpath(_IN_NAV):
            head.nav_h1.add(key)
    return head


def h1_kicker(h1: HtmlElement) -> tuple[str, str] | None:
    """(kicker, headline) when the <h1> opens with a topic line in an element of its own.

    "<h1><span class=kicker>Climate</span> Drilling until it gets hot</h1>":
    the reader sees two lines, a topic label and the headline; the text of the
    whole element runs them together ("ClimateDrilling ..."). A wrapper
    holding everything (a link, a span) is looked through. A first element
    that is part of a word (a drop capital) is not a kicker.
    """
    el = h1
    while len(el) == 1 and not (el.text or "").strip() and not (el[0].tail or "").strip():
        el = el[0]
    children = [c for c in el if isinstance(c.tag, str)]
    if (el.text or "").strip() or not children:
        return None
    first = children[0]
    kicker = normalise_paragraph(first.text_content())
    rest = normalise_paragraph((first.tail or "") + "".join(
        c.text_content() + (c.tail or "") for c in children[1:]))
    rest = rest.lstrip(_RULE_MARKS).strip()
    if len(kicker) < 3 or not rest or not match_key(rest):
        return None
    after = children[1].tag if len(children) > 1 and not (first.tail or "").strip() else None
    glued = not (first.tail or "")[:1].isspace() and after not in ("br", "div", "p")
    if glued and rest[:1].islower():
        return None
    return kicker, rest


# Elements that display a headline: heading tags, and elements whose class names a title.
_HEADING_XPATH = ("//body//*[self::h1 or self::h2 or self::h3 or self::h4 or "
                  "contains(@class,'itle') or contains(@class,'eadline') or "
                  "contains(@class,'eading')]")
_IN_NAV = "ancestor::nav|ancestor::*[contains(@class,'breadcrumb')]"
# A heading longer than this is a container that happens to carry a heading class.
_MAX_HEADING = 400


def shown_headings(tree: HtmlElement) -> set[str]:
    """match_keys of the headings shown on the page.

    Metadata titles are written for search engines and social cards; a
    wording that also stands as a heading in the page body is the one a
    reader sees. Not counted: a link (as teasers of other stories are), a
    breadcrumb trail or navigation (whose <h1> often repeats og:title while
    the displayed headline is an <h2> below it), the site's logo.
    """
    shown: set[str] = set()
    for el in tree.xpath(_HEADING_XPATH):
        text = el.text_content()
        if len(text) > _MAX_HEADING or not (key := match_key(text)):
            continue
        if el.xpath("ancestor-or-self::a|" + _IN_NAV):
            continue
        if (el.tag == "h1" and not is_home_link(el, key)) or not any(
                match_key(a.text_content()) == key for a in el.iter("a")):
            shown.add(key)
    return shown


def is_home_link(h1: HtmlElement, key: str) -> bool:
    """Is this <h1> the site's logo: all its text a link to the site's front page?"""
    for link in h1.xpath("ancestor-or-self::a|.//a"):
        try:
            href = urlsplit((link.get("href") or "").strip())
        except ValueError:  # a malformed address ("http://[x") links nowhere
            continue
        if href.path.strip("/") in ("", "index.html", "index.php") and not href.fragment \
                and (href.path or href.netloc) and match_key(link.text_content()) == key:
            return True
    return False


# What joins a headline to its site name: " | ", " - ", en/em dashes, fullwidth bars,
# the Korean letter used as a bar, "--", " :: ".
_BARS = "|\uff5c\u3163"
_DASHES = "\\-\u2013\u2014\u00b7\u2022\u00bb/:"
_TITLE_SEPARATOR = re.compile(rf"(\s+[|{_DASHES}]{{1,2}}\s+|\s*[{_BARS}]\s*|\s*-{{2,}}\s*)")
# How a site or section tail may start right after the headline ("...?-Politics", "... | AP").
_TAIL_START = re.compile(rf"\s*[{_BARS}{_DASHES}]")
# A kicker (topic line) and the headline after it: "Kicker: headline", "Kicker - headline".
_KICKER = re.compile(r"(.+?(?:\s*[:|]|\s+[\-\u2013\u2014]))\s+(.+)$")
_DATE_LIKE = re.compile(r"^[\d.\-/ ]+$")
_DOMAIN_LIKE = re.compile(r"^[\w-]+(?:\.[\w-]+)+$")
# Words this long are content words (names, nouns, verbs), not "the", "and", "für".
_CONTENT_WORD = 4
# Words a title segment may add around the site's name and still be the site's name.
_SITE_EXTRA_WORDS = 2
# A site name glued to the headline with no separator ("...InfantaUltima Hora Mallorca") is cut
# only when this much headline is left before it.
_MIN_HEADLINE = 12
# Punctuation a kicker's hidden separator leaves before the headline.
_RULE_MARKS = ":|-\u2013\u2014\u00b7 \u00a0"
# Only the first few <h1>s are headline candidates; the rest are box and teaser headings.
_MAX_H1 = 8


def clean_text(value: Any) -> str | None:
    """A JSON-LD or meta string as a reader sees it: entities decoded, whitespace collapsed."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    if not isinstance(value, str):
        return None
    return normalise_paragraph(html.unescape(value)) or None


def site_names(head: Head) -> set[str]:
    """The names a page uses for its site (casefolded): og:site_name, JSON-LD publisher, ..."""
    names = {head.first_meta("og:site_name"), head.first_meta("application-name"),
             head.first_meta("apple-mobile-web-app-title"), head.first_meta("twitter:site")}
    publisher = head.article.get("publisher")
    if isinstance(publisher, dict):
        names.add(clean_text(publisher.get("name")))
    sites = {"website", "organization", "newsmediaorganization"}
    names |= {clean_text(o.get("name")) for o in head.ld if ld_types(o) & sites}
    # Some pages put the headline in application-name: a headline is not the site's name.
    headlines = {t.casefold() for t in [*head.h1, head.title] if t}
    declared = {n.casefold().lstrip("@") for n in names if n and n.casefold() not in headlines}
    return declared | head.logos  # (a logo <h1> is the site's name, though it is an <h1>)


def is_site_part(part: str, sites: set[str]) -> bool:
    """Is this title segment the site's name, a domain or a date, rather than headline words?"""
    folded = part.casefold().strip()
    if not folded or _DATE_LIKE.match(folded) or _DOMAIN_LIKE.match(folded):
        return True
    # A segment holding the site's name among more words ("Snow maps on Example.com") is
    # headline; a site name with a word or two around it ("London Evening Standard") is not.
    return any(folded == s or (len(folded) > 2 and (folded in s or (
        s in folded and len(folded.split()) - len(s.split()) <= _SITE_EXTRA_WORDS)))
        for s in sites)


def is_site_name(part: str, sites: set[str]) -> bool:
    """Is this segment exactly the site's name or a domain (stricter than `is_site_part`)?"""
    folded = part.casefold().strip()
    return folded in sites or bool(_DOMAIN_LIKE.match(folded))


def strip_site_suffix(title: str, sites: set[str]) -> str:
    """Drop trailing segments naming the site, with any section or date beside it.

    "Storm hits coast | News | Coast Gazette" -> "Storm hits coast". Only a
    tail that ends in the site's name (or a domain or date) is cut, and a
    short section segment only when the same separator repeats, so a
    headline with a dash or colon of its own keeps it.
    """
    pieces = _TITLE_SEPARATOR.split(title)  # [part, sep, part, sep, part ...]
    parts, seps = pieces[0::2], [s.strip() for s in pieces[1::2]]
    if len(parts) < 2:
        return strip_glued_site(title, sites)
    if not is_site_part(parts[-1], sites):
        # "Headline : Site | slogan | founded 2005": the site's exact name in the middle
        # starts its tail as well.
        middle = next((i for i in range(1, len(parts) - 1) if is_site_name(parts[i], sites)), 0)
        if not middle:
            return strip_site_prefix(parts, seps, pieces, sites)
        parts = parts[: middle + 1]
    keep = len(parts) - 1
    while keep > 1 and (is_site_part(parts[keep - 1], sites) or (
            len(parts[keep - 1].split()) <= 2 and seps[keep - 1] == seps[keep - 2])):
        keep -= 1
    return "".join(pieces[: 2 * keep - 1]).strip()


def strip_site_prefix(parts: list[str], seps: list[str], pieces: list[str],
                      sites: set[str]) -> str:
    """Drop leading segments naming the site: "Coast Gazette | Storm hits coast".

    Blog engines write the site first ("Site » Blog Archive » Post"): after the
    site's name, short segments joined by the same separator go too.
    """
    if not is_site_name(parts[0], sites):
        return "".join(pieces).strip()
    start = 1
    while start < len(parts) - 1 and (is_site_name(parts[start], sites) or (
            len(parts[start].split()) <= 2 and seps[start] == seps[start - 1])):
        start += 1
    return "".join(pieces[2 * start:]).strip()


def strip_glued_site(title: str, sites: set[str]) -> str:
    """Cut a site name glued on without a separator: "...the InfantaUltima Hora Mallorca".

    Only where nothing but a word or punctuation precedes the name and the
    name starts with a capital or an uncased letter: "...storm hits Mallorca",
    with a space before the name, ends in an ordinary headline word.
    """
    folded = title.casefold()
    if len(folded) != len(title):  # casefolding changed lengths ("ß"): offsets would not match
        return title
    for site in sorted(sites, key=len, reverse=True):
        cut = len(title) - len(site)
        if (cut >= _MIN_HEADLINE and folded.endswith(site) and not title[cut - 1].isspace()
                and not title[cut].islower()):
            return title[:cut].rstrip(" " + _BARS + _DASHES.replace("\\", ""))
    return title


def _segments(title: str) -> list[str]:
    return [p.strip() for p in _TITLE_SEPARATOR.split(title)[0::2] if p.strip()]


def byline_names(head: Head) -> set[str]:
    """The authors' names the page declares (JSON-LD `author`, meta author), casefolded."""
    authors = head.article.get("author")
    values = [*(authors if isinstance(authors, list) else [authors]), *head.meta.get("author", ())]
    names = {clean_text(v.get("name") if isinstance(v, dict) else v) for v in values}
    return {n.casefold() for n in names if n and len(n) > 3}


def h1_site_names(head: Head, sites: set[str]) -> set[str]:
    """Site names a page gives away without declaring them: an `<h1>` that is the site's part
    of its own `<title>`.

    That is a short last segment ("Basic muffins : Muffin Recipes" with
    `<h1>Muffin Recipes</h1>`; a headline in last place is the longer part, as
    in "News - <headline>"), or the first segment of a blog engine's
    "Site » Blog Archive » Post" (one separator throughout, short middle
    segments, a longer last one, no other segment naming the site).
    """
    pieces = _TITLE_SEPARATOR.split(head.title or "")
    parts, seps = [p.strip() for p in pieces[0::2]], {p.strip() for p in pieces[1::2]}
    if len(parts) < 2 or not all(parts):
        return set()
    h1s = {match_key(h): h.casefold() for h in head.h1[:_MAX_H1]}
    out = set()
    if (match_key(parts[-1]) in h1s and len(parts[-1]) < len(parts[0])
            and not is_site_part(parts[0], sites)):
        out.add(h1s[match_key(parts[-1])])
    if (len(parts) >= 3 and len(seps) == 1 and match_key(parts[0]) in h1s
            and len(parts[0]) < len(parts[-1])
            and all(len(p.split()) <= 2 for p in parts[1:-1])
            and not any(is_site_part(p, sites) for p in parts[1:])):
        out.add(h1s[match_key(parts[0])])
    return out


def main_h1(head: Head, sites: set[str], others: list[str]) -> str | None:
    """The `<h1>` that is the article's headline, not the logo or a box heading.

    Pages often have several `<h1>`s (site logo, "Menu", section label, the
    headline). The first that another source confirms (same words as og:title,
    JSON-LD or a `<title>` segment) wins; failing that, the first that shares
    a content word with them; with no other source, the first that is not the
    site's name.
    """
    h1s = [h for h in head.h1[:_MAX_H1] if h.casefold() not in sites and not is_site_part(h, set())
           and not (match_key(h) in head.nav_h1 and match_key(h) not in head.shown)]
    if not h1s:
        return None
    if not others:
        return h1s[0]
    keys = {match_key(t) for t in others} | {match_key(p) for t in others for p in _segments(t)}
    keys |= {match_key(p) for p in _segments(head.title or "")}
    if confirmed := next((h for h in h1s if match_key(h) in keys), None):
        return confirmed
    words = set().union(*(_content_words(t) for t in others))
    return next((h for h in h1s if _content_words(h) & words), None)


def title_candidates(head: Head) -> list[tuple[str, str]]:
    """(source, headline) pairs in order of trust, site names removed.

    Site names come from what the page declares (`site_names`), from an
    `<h1>` that is the site's part of the `<title>` (`h1_site_names`) and, for
    a tail, the declared authors; a candidate that is nothing but the site's
    name is dropped. The `<h1>` is the one the other sources confirm
    (`main_h1`), not necessarily the first.
    """
    sites = site_names(head)
    sites |= h1_site_names(head, sites)
    # An author's name closing a title ("Storm hits coast - Ann Lee") is cut like a site's.
    sites |= byline_names(head) - {t.casefold() for t in head.h1}
    raw = [("json-ld", head.article.get("headline")), ("opengraph", head.meta.get("og:title")),
           # itemprop or name="headline" on a <meta> lands among the meta tags
           ("microdata", head.microdata.get("headline") or head.meta.get("headline")),
           ("meta", head.meta.get("twitter:title")), ("title", head.title)]
    whole = [(src, text) for src, value in raw if (text := clean_text(value))]
    found = [(src, stripped) for src, text in whole
             if (stripped := strip_site_suffix(text, sites)) and stripped.casefold() not in sites]
    if whole and not found:  # every source is the site's name: keep what they say
        found = whole
    if h1 := main_h1(head, sites, [t for _, t in found]):
        # Soft hyphens in a heading are hyphenation hints the reader never sees.
        found.append(("h1", strip_site_suffix(h1.replace("\u00ad", ""), sites)))
    order = ("json-ld", "opengraph", "microdata", "h1", "meta", "title")
    return sorted(found, key=lambda c: order.index(c[0]))


def _prefix_core(text: str, others: list[str]) -> str:
    """`text` cut to another source's headline when only a separator-led tail differs.

    Catches site and section suffixes no site name gives away ("… - Daily News"
    when og:site_name is absent): the JSON-LD or <h1> headline shows where the
    headline ends.
    """
    for other in others:
        rest = text[len(other):] if len(other) < len(text) and text.startswith(other) else ""
        if rest and _TAIL_START.match(rest):
            return other
    return text


def shared_headline(text: str, others: list[str]) -> str:
    """The headline two sources share after different kickers, else `text`.

    "Iran attack: Restraint has to do with the US" beside "Escalation - Restraint
    has to do with the US": each source puts its own topic line (kicker) in
    front; the part both give is the headline. Kickers that share a word are
    variants of one kicker ("MSV coach Ott:" / "Coach Ott:") and stay.
    """
    mine = _KICKER.match(text)
    if not mine:
        return text
    for other in others:
        theirs = _KICKER.match(other)
        if theirs and theirs[2] == mine[2] and not (
                set(mine[1].casefold().split()) & set(theirs[1].casefold().split())):
            return mine[2]
    return text


def confirmed_headline(text: str, candidates: dict[str, str]) -> str | None:
    """The headline JSON-LD and the visible <h1> agree on, when `text` only pads it.

    An og:title such as "Topic: <headline> | Section" is the headline with
    search words around it; two other sources giving exactly the inner part
    show where the headline starts and ends.
    """
    h1 = candidates.get("h1")
    if h1 and h1 == candidates.get("json-ld") and h1 != text and h1 in text:
        return h1
    return None


def visible_headline(candidates: dict[str, str]) -> str | None:
    """The `<h1>`, when og:title and JSON-LD disagree and it is a third wording of the story.

    og:title is written for social cards and JSON-LD `headline` for search
    engines; when the two differ, and the page's own `<h1>` matches neither
    but speaks of the same things (a content word in common), the `<h1>` is
    the headline the reader sees on the page.
    """
    og, ld, h1 = candidates.get("opengraph"), candidates.get("json-ld"), candidates.get("h1")
    if not (og and ld and h1):
        return None
    keys = {match_key(og), match_key(ld)}
    if len(keys) < 2 or match_key(h1) in keys:
        return None
    if (title := candidates.get("title")) and match_key(title) == match_key(ld):
        return None  # the <title> sides with JSON-LD: two sources give that wording
    return h1 if _content_words(h1) & (_content_words(og) | _content_words(ld)) else None


def title_backed_ld(candidates: dict[str, str]) -> str | None:
    """JSON-LD's headline, when og:title, JSON-LD and the `<h1>` give three wordings and the
    `<title>` repeats JSON-LD's: the one wording two sources share is the article's headline."""
    og, ld, h1, title = (candidates.get(k) for k in ("opengraph", "json-ld", "h1", "title"))
    if not (og and ld and h1 and title) or len({match_key(og), match_key(ld), match_key(h1)}) < 3:
        return None
    return ld if match_key(title) == match_key(ld) else None


def _content_words(text: str) -> set[str]:
    return {w for w in match_key(text).split() if len(w) >= _CONTENT_WORD}


def pick_title(head: Head) -> tuple[str | None, str | None]:
    """(headline, source): og:title first, then JSON-LD, microdata, <h1>, twitter, <title>.

    og:title is the headline the publisher chose to show with the article;
    JSON-LD `headline` is more often a search-engine variant (longer, with a
    topic prefix), and <title> carries the site name. Measured over many
    publishers, this order picks the displayed headline most often; the site
    suffix is removed from whichever wins, and so is padding that the other
    sources give away (a section tail, search words, kickers they disagree on).
    When og:title and JSON-LD disagree and the <h1> is a third wording, the
    <h1> is the one on the page (`visible_headline`), unless the <title>
    repeats JSON-LD's wording (`title_backed_ld`). Where the metadata is thin
    or outvoted, the visible <h1> replaces og:title (`shown_headline`).
    Site names (declared, or given away by an <h1> and the <title>, see
    `title_candidates`) are cut at either end of each candidate. The page's
    own layout has the last word: og:title that no heading shows gives way to
    a JSON-LD headline that one does (`shown_instead`), and an <h1> that wins
    loses the topic line it sets apart (`unkicked`).
    """
    text, source = _metadata_title(head)
    if source == "h1" and text and (headline := unkicked(text, head)):
        return headline, "h1"
    return text, source


def _metadata_title(head: Head) -> tuple[str | None, str | None]:
    """`pick_title` before the kicker of a winning <h1> is cut."""
    candidates = title_candidates(head)
    if not candidates:
        return None, None
    order = ("opengraph", "json-ld", "microdata", "h1", "meta", "title")
    source, text = min(candidates, key=lambda c: order.index(c[0]))
    by_source = dict(candidates)
    if shown := visible_headline(by_source):
        return shown, "h1"
    if ld_backed := title_backed_ld(by_source):
        return ld_backed, "json-ld"
    if core := confirmed_headline(text, by_source):
        return core, "h1"
    others = [t for _, t in candidates]
    text = shared_headline(_prefix_core(text, others), others)
    if source != "h1" and (shown := shown_headline(text, candidates)):
        return shown, "h1"
    if ld := shown_instead(text, by_source, lambda: head.shown):
        return ld, "json-ld"
    if source != "h1" and (h1 := abridged_h1(text, by_source.get("h1"))):
        return h1, "h1"
    return text, source


def unkicked(text: str, head: Head) -> str | None:
    """The headline without the topic line the `<h1>` sets apart (see `h1_kicker`).

    When the `<h1>` won and its whole text, kicker included, is the title, the
    page shows the kicker as a label above the headline, not as part of it;
    unless the JSON-LD headline, the article's own declaration, includes it.
    (A metadata title "Kicker: headline" that wins stands: publishers write
    the kicker into og:title on purpose, with its separator.)
    """
    def squeezed(value: str) -> str:
        return match_key(value).replace(" ", "")

    key = squeezed(text)
    declared = clean_text(head.article.get("headline"))
    for kicker, rest in head.kickers:
        if key == squeezed(kicker + rest) != squeezed(rest) and not (
                declared and squeezed(declared) == key):
            return rest
    return None


def abridged_h1(text: str, h1: str | None) -> str | None:
    """The `<h1>`, when `text` is it with words left out inside (not a kicker or tail cut).

    A search title that drops the <h1>'s topic line or its last words
    ("Cells plant expands" for "Cells plant expands in Tennessee") is written
    so on purpose and stands. But words dropped from the middle only ("Plot in
    R | Axis" for "Plot in R (5 Examples) | Axis") make a shortened copy of
    the visible headline, and the <h1> is the headline in full.
    """
    if not h1:
        return None
    mine, theirs = match_key(text).split(), match_key(h1).split()
    if len(mine) >= len(theirs) or theirs[: len(mine)] == mine or theirs[-len(mine):] == mine:
        return None
    if theirs[0] != mine[0] or theirs[-1] != mine[-1]:
        return None  # a kicker or a tail as well
    words = iter(theirs)
    return h1 if all(w in words for w in mine) else None


def shown_instead(text: str, candidates: dict[str, str],
                  shown: Callable[[], set[str]]) -> str | None:
    """JSON-LD's headline, when the page shows it as a heading and does not show og:title.

    og:title is often a social-card wording that appears nowhere on the page;
    when the JSON-LD headline is a different wording that stands as a heading
    in the body, the page itself says which one is its headline.
    """
    ld = candidates.get("json-ld")
    # og:title that is JSON-LD's headline without its topic line or tail is the same headline,
    # shortened for the card: it stands.
    if not ld or match_key(text) in match_key(ld):
        return None
    return ld if match_key(text) not in shown() and match_key(ld) in shown() else None


def shown_headline(text: str, candidates: list[tuple[str, str]]) -> str | None:
    """The `<h1>`, when the page's metadata gives no reason to trust `text` over it.

    Publishers with full structured data write og:title as the social-card
    headline on purpose, and it stands. But a page with no JSON-LD headline
    has only template metadata (og:title and `<title>` filled from one CMS
    field, often an older or search-tuned wording, padded with a site name,
    section or topic line), so the headline the reader sees, the `<h1>`,
    wins when it tells the same story (a content word in common) in no more
    words, typography included (curly quotes, dashes). And when
    JSON-LD sides with the `<h1>` while the `<title>` sides with og:title, the
    article's own declaration and its visible headline outvote the two
    head-of-page strings.
    """
    by_source = dict(candidates)
    h1, ld, title = by_source.get("h1"), by_source.get("json-ld"), by_source.get("title")
    if not h1 or h1 == text or match_key(h1).endswith(" " + match_key(text)):
        return None  # (an <h1> that is the headline after a topic line keeps the headline)
    if ld is None:
        if len(match_key(h1)) > len(match_key(text)):
            return None  # a longer <h1> carries a subtitle, dateline or kicker: metadata cut it
        same = match_key(h1) == match_key(text)
        return h1 if same or _content_words(h1) & _content_words(text) else None
    if (match_key(ld) == match_key(h1) != match_key(text)
            and title is not None and match_key(title) == match_key(text)):
        return h1
    return None


def _ld_name(value: Any) -> str | None:
    """A JSON-LD value that may be a string, an object with a name, or a list of either."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return clean_text(value)


def _ld_url(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl") or value.get("@id")
    return value.strip() if isinstance(value, str) and value.strip() else None


def pick_description(head: Head) -> tuple[str | None, str | None]:
    if text := clean_text(head.article.get("description")):
        return text, "json-ld"
    if text := head.first_meta("og:description"):
        return clean_text(text), "opengraph"
    if text := head.first_meta("description", "twitter:description"):
        return clean_text(text), "meta"
    return None, None


def pick_site_name(head: Head) -> tuple[str | None, str | None]:
    if text := head.first_meta("og:site_name"):
        return clean_text(text), "opengraph"
    if text := _ld_name(head.article.get("publisher")):
        return text, "json-ld"
    if text := head.first_meta("application-name"):
        return clean_text(text), "meta"
    return None, None


def pick_canonical(head: Head, url: str | None) -> tuple[str | None, str | None]:
    if head.canonical and head.canonical.startswith("http"):
        return head.canonical, "link"
    if (text := head.first_meta("og:url")) and text.startswith("http"):
        return text, "opengraph"
    if (text := _ld_url(head.article.get("mainEntityOfPage")) or _ld_url(
            head.article.get("url"))) and text.startswith("http"):
        return text, "json-ld"
    return (url, "url") if url else (None, None)


def pick_section(head: Head) -> tuple[str | None, str | None]:
    if text := _ld_name(head.article.get("articleSection")):
        return text, "json-ld"
    if text := head.first_meta("article:section", "section", "parsely-section"):
        return clean_text(text), "meta"
    return None, None


def split_keywords(values: list[Any]) -> list[str]:
    """Keywords from lists or comma-separated strings, de-duplicated, order kept."""
    out: dict[str, str] = {}
    for value in values:
        items = value if isinstance(value, list) else str(value or "").split(",")
        for item in items:
            if isinstance(item, str) and (text := clean_text(item)):
                out.setdefault(text.casefold(), text)
    return list(out.values())


def pick_topics(head: Head) -> tuple[list[str], str | None]:
    if topics := split_keywords([head.article.get("keywords")]):
        return topics, "json-ld"
    for key in ("news_keywords", "keywords", "article:tag", "parsely-tags"):
        if topics := split_keywords(head.meta.get(key, [])):
            return topics, "meta"
    return [], None


def pick_top_image(head: Head) -> tuple[str | None, str | None]:
    if text := head.first_meta("og:image", "og:image:url", "og:image:secure_url"):
        return text, "opengraph"
    if text := _ld_url(head.article.get("image")):
        return text, "json-ld"
    if text := head.first_meta("twitter:image", "twitter:image:src"):
        return text, "meta"
    return None, None


def _free(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def pick_paywalled(head: Head) -> tuple[bool | None, str | None]:
    """True when JSON-LD (or a meta tag) declares the article not free to read, else as declared."""
    parts = head.article.get("hasPart")
    flags = [_free(head.article.get("isAccessibleForFree"))] + [
        _free(p.get("isAccessibleForFree")) for p in (parts if isinstance(parts, list) else [parts])
        if isinstance(p, dict)]
    flags = [f for f in flags if f is not None]
    if flags:
        return not all(flags), "json-ld"
    if (text := head.first_meta("article:content_tier")) and text.lower() in ("free", "locked",
                                                                               "metered"):
        return text.lower() != "free", "meta"
    return None, None


def declared_language(head: Head) -> tuple[str | None, str | None]:
    """The page's own language claim as an ISO 639-1 code: JSON-LD, <html lang>, og:locale."""
    for source, value in (("json-ld", _ld_name(head.article.get("inLanguage"))),
                          ("html", head.html_lang), ("opengraph", head.first_meta("og:locale")),
                          ("meta", head.first_meta("content-language", "language"))):
        if value and (code := re.split(r"[-_]", value.strip())[0].lower()) and \
                len(code) == 2 and code.isalpha():
            return code, source
    return None, None
