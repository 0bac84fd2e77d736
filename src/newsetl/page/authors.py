"""Author names from a page's structured data, cleaned to person (or agency) names.

JSON-LD `author` is the most reliable source (a list of Person objects, or
`@id` references into the page's `@graph`); meta tags come next, then the
byline on the page itself (trafilatura's search, then ours: author markup,
"Autor: ..." labels, "von ..." lines). Bylines arrive in many shapes --
"By A and B", "Lastname, Firstname", "Name (abc)", "Name, Agency" -- and are
cut into one name each.
"""

from __future__ import annotations

import re
from typing import Any

from lxml.html import HtmlElement
from trafilatura.metadata import extract_author

from newsetl.page.clean import normalise_paragraph
from newsetl.page.metadata import Head, clean_text, is_site_part, site_names

# Between two names in one byline string: commas, semicolons, bars, a spaced slash,
# "&" and the word "and" in English, German, Scandinavian and Spanish.
_NAME_SPLIT = re.compile(r"\s*(?:[,;|]|\s/\s|\s(?:and|und|og|y)\s|&)\s*", re.IGNORECASE)
# Leading "By", "Von", "Por", "View all posts by" ... (repeated: "Post author By Ann Lee").
_BY = re.compile(r"^(?:(?:(?:view|see) all posts by|(?:zeige )?alle beiträge von|posted by|"
                 r"written by|post author|beitrag von|by|von|vom|por|par|door|af|av|di|text|texte|"
                 r"autor(?:in)?|author|interview)\b[:\s]+)+", re.IGNORECASE)
# Page furniture a byline search glues after the name: a date label, a reading time.
_LABEL_AFTER = re.compile(r"\s+(?:stand|aktualisiert|updated|lesezeit|reading time|"
                          r"tiempo de lectura|temps de lecture)\b.*$", re.IGNORECASE)
# Words a byline search picks up from the page's furniture instead of a name (labels, buttons).
_NOT_NAMES = frozenset({"posted", "follow", "name", "datum", "date", "auteurs", "authors", "author",
                        "autor", "autoren", "admin", "share", "comments"})
# A job title written after the name, as Korean, Japanese and Chinese bylines do
# ("홍길동 기자", "山田太郎記者"): reporter, correspondent, senior reporter.
_ROLE_AFTER = re.compile(r"\s*(?:선임기자|기자|특파원|記者|记者|特派員|特派员)$")
# A section or kicker label before the byline word: "Capital Von Jemima Kelly". The byline
# word is capitalised there, unlike the particle of a name ("Ursula von der Leyen").
_LABEL_BY = re.compile(r"^(?:\S+\s+){1,2}(?:By|Von|Vom|Par|Por)\s+(?=\S)")
_BRACKETS = re.compile(r"\s*[(\[][^)\]]*[)\]]")
_NOT_A_NAME = re.compile(r"https?://|www\.|@|^\d+$")
_DOMAIN = re.compile(r"^\S+\.[a-z]{2,}$", re.IGNORECASE)


def _by_id(head: Head) -> dict[str, dict[str, Any]]:
    return {o["@id"]: o for o in head.ld if isinstance(o.get("@id"), str) and o.get("name")}


def _ld_names(value: Any, ids: dict[str, dict[str, Any]]) -> list[str]:
    """The name of each author object (person or organisation), resolving `@id` references.

    Lists nested one level deep (seen in the wild) are flattened; deeper
    nesting is not authorship data.
    """
    items = value if isinstance(value, list) else [value]
    items = [x for item in items for x in (item if isinstance(item, list) else [item])]
    out: list[str] = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            if "name" not in item and isinstance(item.get("@id"), str):
                item = ids.get(item["@id"], item)
            name = item.get("name") or " ".join(
                x for x in (item.get("givenName"), item.get("familyName")) if isinstance(x, str))
            if isinstance(name, str) and name.strip():
                out.append(name)
    return out


def split_byline(text: str) -> list[str]:
    """'By Ann Lee and Bo Chan (Reuters)' -> ['Ann Lee', 'Bo Chan']."""
    text = _BRACKETS.sub("", normalise_paragraph(text))
    if "://" in text:  # a profile link, not a name
        return []
    names = []
    for part in _NAME_SPLIT.split(text):
        part = _LABEL_BY.sub("", part.strip(" .:-\u2013\u2014"))
        part = _LABEL_AFTER.sub("", _ROLE_AFTER.sub("", _BY.sub("", part))).strip()
        if (part and not _NOT_A_NAME.search(part) and len(part) < 80
                and part.casefold() not in _NOT_NAMES):
            names.append(part)
    return names


def citation_name(text: str) -> str:
    """'Lastname, Firstname' (citation_author style) -> 'Firstname Lastname'."""
    last, _, first = text.partition(",")
    return normalise_paragraph(f"{first} {last}") if first.strip() else normalise_paragraph(text)


def dedupe(names: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for name in names:
        key = name.casefold()
        if key not in seen:
            seen.add(key)
            out.append(name)
    return out


def is_site_author(name: str, sites: set[str]) -> bool:
    """Is this "author" the site or its publisher (its name, acronym or domain, or an
    organisation's name) rather than a writer?

    Publishers put their own name in `author` when a CMS field is empty; the
    person (or agency) who wrote the piece is then in the byline, so such a
    name is set aside while the later sources are asked (`pick_authors`).
    """
    return (bool(_DOMAIN.match(name)) or is_site_part(name, sites) or _acronym_of(name, sites)
            or bool(_ORGANISATION.search(name)))


# Words that make a credit an organisation's, not a writer's: legal forms, "editorial team".
_ORGANISATION = re.compile(r"(?:\be\.\s?V\b|\bGmbH\b|\bAG$|\bInc\b|\bLtd\b|\bLLC\b|"
                           r"\bVerlag\b|\bStiftung\b|\bVerband\b|Redaktion\b|\bMagazin\b|"
                           r"\bMagazine\b|\bEditorial\b|\bNewsroom\b)", re.IGNORECASE)


def _acronym_of(name: str, sites: set[str]) -> bool:
    """Is `name` the site's name as an acronym or spelled out ("LTO" for "Legal Tribune
    Online", "Deutsche Welle" for "dw.com")?"""
    words = [w for w in re.split(r"[\W_]+", name.casefold()) if w]
    if not words:
        return False
    short = "".join(words) if len(words) == 1 else "".join(w[0] for w in words)
    if len(short) < 2:
        return False
    for site in sites:
        parts = [w for w in re.split(r"[\W_]+", site) if w]
        if len(words) == 1 and len(parts) > 1 and "".join(p[0] for p in parts) == short:
            return True
        if len(words) > 1 and parts and parts[0] == short:
            return True
    return False


def ld_authors(head: Head) -> list[str]:
    """JSON-LD authors, agencies and organisations included (publishers credit them so)."""
    names = _ld_names(head.article.get("author"), _by_id(head))
    return dedupe([x for n in names for x in split_byline(clean_text(n) or "")])


def meta_authors(head: Head) -> tuple[list[str], str | None]:
    """Authors from meta tags (author, article:author, citation_author, ...), site names dropped.

    Bibliographic tags (citation_author, dc.creator) hold one person each in
    "Lastname, Firstname" form; the others hold free-form bylines. Microdata
    counts only its first author: later ones belong to teasers of other articles.
    """
    for key in ("citation_author", "dc.creator"):
        if cited := [citation_name(c) for c in head.meta.get(key, ()) if c.strip()]:
            return dedupe(cited), "meta"
    sites = site_names(head)
    for key in ("author", "article:author", "parsely-author", "sailthru.author", "byl"):
        names = [n for value in head.meta.get(key, ()) for n in split_byline(value)]
        names = [n for n in names if n.casefold() not in sites and not _DOMAIN.match(n)]
        if names:
            return dedupe(names), "meta"
    names = [n for value in head.microdata.get("author", [])[:1] for n in split_byline(value)]
    return (dedupe(names), "microdata") if names else ([], None)


def byline_guess(tree: HtmlElement) -> str | None:
    """trafilatura's search of the page's byline elements (costly: run only as a fallback)."""
    try:
        return extract_author(tree)
    except (ValueError, RecursionError):
        return None


def pick_authors(head: Head, tree: HtmlElement) -> tuple[list[str], str | None]:
    """(authors, source): JSON-LD, then meta tags, then trafilatura's byline search, then the
    page's own byline markup (`page_bylines`, source "byline").

    A source whose only "author" is the site itself (see `is_site_author`)
    is kept only when no later source names someone else: publishers fill
    an empty author field with their own name while the byline names the
    writer, yet a piece with no byline is credited to the site.
    """
    sites = site_names(head)
    site_only: tuple[list[str], str | None] = ([], None)
    for read in (lambda: (ld_authors(head), "json-ld"), lambda: meta_authors(head),
                 lambda: (guessed_authors(tree), "trafilatura"),
                 lambda: (page_bylines(tree), "byline")):
        names, source = read()
        if not names:
            continue
        if all(is_site_author(n, sites) for n in names):
            site_only = site_only if site_only[0] else (names, source)
        elif not site_only[0] or any(map(_full_name, names)):
            # A later source replaces the site's name only when it reads as a person's full
            # name ("Ann Lee"): one-word finds are often place or label words.
            return names, source
    return site_only


def _full_name(name: str) -> bool:
    words = name.split()
    return len(words) >= 2 and all(w[:1].isupper() and not any(c.isdigit() for c in w)
                                   for w in words)


# Class names that mark a byline: WordPress "author vcard", "byline", "post-author",
# "author-name", German "autor", French "auteurs" (substrings of one class token).
_BYLINE_CLASS = re.compile(r"(?:^|\s)(?:author|[\w-]*(?:byline|author[-_]+name|author__name|"
                           r"post-author|entry-author|autor|auteur)[\w-]*)(?:\s|$)",
                           re.IGNORECASE)
# Where names are not the article's: reader comments, related-article teasers, footers,
# sidebars and navigation.
_ELSEWHERE_CLASS = re.compile(r"(?:^|[\s_-])(?:comment|related|teaser)", re.IGNORECASE)
_ELSEWHERE_TAGS = frozenset({"footer", "aside", "nav"})
# A byline is short: a few names, not a sentence.
_MAX_BYLINE = 80
# A label naming the field that follows it: "Autor: Ann Lee", "Autorin/Autor Ann Lee".
_AUTHOR_LABEL = re.compile(r"^(?:autor(?:in)?(?:/autor(?:in)?)?|autorin/autor|author|authors|"
                           r"autoren|verfasser(?:in)?|written by|text|von|by|par|por|auteur)"
                           r"\s*:?$", re.IGNORECASE)
_LABEL_TAGS = frozenset({"strong", "b", "span", "dt", "th", "label", "h4", "h5", "em"})
# A byline written out: "von Ann Lee", "Text von Ann Lee", "Ein Artikel von Ann Lee | 27.01.",
# "Posted on May 3, 2020 by Ann Lee", "Autorin: Ann Lee, project lead".
_BY_LINE = re.compile(r"^(?:(?:(?:text|ein artikel|ein beitrag|posted|geschrieben|published)\s+"
                      r"(?:on\s+[^|]*?\s+|am\s+[^|]*?\s+)?)?(?:von|by|par|por|door)\s+|"
                      r"(?:autor(?:in)?|author|auteur)\s*:\s*)(.+)$", re.IGNORECASE)
_BY_LINE_TAGS = frozenset({"p", "span", "div", "em", "i", "small", "address"})
# The first word of an element's own text that may open a byline or its label. The search
# runs over the whole page, so it is done in XPath (in C): the text nodes whose first word,
# lower-cased and without a colon, is one of these; and the elements whose class may name
# an author (the exact test, `_BYLINE_CLASS`, is then run on those few).
_BY_WORDS = ("von", "by", "par", "por", "door", "text", "ein", "posted", "geschrieben",
             "published", "autor", "autorin", "autorin/autor", "autor/in", "author", "authors",
             "autoren", "auteur", "verfasser", "verfasserin", "written")
_FIRST_WORD = ("translate(substring-before(concat(normalize-space(.), ' '), ' '), "
               "'ABCDEFGHIJKLMNOPQRSTUVWXYZ:', 'abcdefghijklmnopqrstuvwxyz')")
_BY_START_XPATH = (f".//text()[contains('|{'|'.join(_BY_WORDS)}|', "
                   f"concat('|', {_FIRST_WORD}, '|'))]")
_MARKED_XPATH = (".//*[@rel='author' or contains(@class,'uthor') or contains(@class,'yline') "
                 "or contains(@class,'utor') or contains(@class,'uteur')]")
# What follows the names in such a line: a date, a separator and more.
_AFTER_NAMES = re.compile(r"\s*(?:[|\u2022\u00b7]|\s-\s|,?\s+\d|,?\s+(?:am|on|le|el)\s).*$")


def _names_in(text: str, handles: bool = False) -> list[str]:
    """The names in a byline found on the page; `handles` admits one-word user names
    ("freeman1984"), which only markup that says "author" vouches for."""
    if not 0 < len(text) <= _MAX_BYLINE or _CREDIT.match(text):
        return []
    names = [_AGENCY_AFTER.sub("", n) for n in split_byline(text)]
    return [n for n in names if _name_like(n) or (handles and _HANDLE.match(n))]


# A picture credit under an author-like class: "Bild: SN/APA", "Foto: ...", "© ...".
_CREDIT = re.compile(r"^(?:bild|foto|photo|fotos|image|credit|quelle|source)\b\s*:|^[©(]",
                     re.IGNORECASE)
# An agency glued to a name with a slash: "Peter Maahn/SP-X".
_AGENCY_AFTER = re.compile(r"(?<=[a-z\u00e0-\u00ff])/[\w-]+$")
_HANDLE = re.compile(r"^[\w.-]{3,30}$")
_SENTENCE = re.compile(r"[!?:|\u2022\u00b7@]|\d")
# Lower-case words inside names: "Walter von Aachen", "Ursula von der Leyen".
_PARTICLES = frozenset({"von", "van", "der", "den", "de", "del", "da", "di", "du", "la", "le",
                        "zu", "y", "bin", "al", "ten", "ter"})


def _name_like(name: str) -> bool:
    """A person's or agency's name: 1-5 words, capitalised, no digits or sentence punctuation."""
    words = name.split()
    return (0 < len(words) <= 5 and not _SENTENCE.search(name)
            and all(w[:1].isupper() or w in _PARTICLES for w in words))


def _elsewhere(el: HtmlElement) -> bool:
    """Is the element inside comments, teasers, a footer, a sidebar or navigation?"""
    return any(a.tag in _ELSEWHERE_TAGS or _ELSEWHERE_CLASS.search(
        (a.get("class") or "") + " " + (a.get("id") or "")) for a in el.iterancestors())


def page_bylines(tree: HtmlElement) -> list[str]:
    """Names from the page's byline markup, for pages that declare no author.

    The first of: an element marked as the author (rel="author", a class naming
    the author or byline); a label and its value ("Autor: Ann Lee"); a byline
    written out ("von Ann Lee | 27.01.2022"); outside comments, teasers,
    footers, sidebars and navigation. Each candidate must read as a byline
    (`split_byline`, a few capitalised words), so a date or a button label
    under the same class is passed over. Two XPath searches (in C) find the
    few elements worth reading: those whose class may name the author, and
    those whose own text opens with a byline word ("von", "By", "Autor:").
    """
    body = tree.find("body")
    if body is None:
        return []
    marked = [el for el in body.xpath(_MARKED_XPATH)
              if el.get("rel") == "author" or _BYLINE_CLASS.search(el.get("class") or "")]
    labels: list[HtmlElement] = []
    written: list[HtmlElement] = []
    for node in body.xpath(_BY_START_XPATH):
        el = node.getparent()
        if el is None or not node.is_text:
            continue
        owners = [el]
        parent = el.getparent()
        if parent is not None and parent[0] is el and not (parent.text or "").strip():
            owners.append(parent)  # "<p><b>Autor:</b> Ann Lee</p>": the <p> opens with it too
        for owner in owners:
            if owner.tag in _LABEL_TAGS:
                labels.append(owner)
            if owner.tag in _BY_LINE_TAGS:
                written.append(owner)
    for el in marked:
        if not _elsewhere(el) and (
                names := _names_in(normalise_paragraph(el.text_content()), handles=True)):
            return dedupe(names)
    for el in labels:
        label = normalise_paragraph(el.text_content())
        if len(label) > 20 or not _AUTHOR_LABEL.match(label) or _elsewhere(el):
            continue
        after = normalise_paragraph(el.tail or "")
        if not after and (sibling := el.getnext()) is not None and isinstance(sibling.tag, str):
            after = normalise_paragraph(sibling.text_content())
        if names := _names_in(after):
            return dedupe(names)
    for el in written:
        text = normalise_paragraph(el.text_content())
        if len(text) > _MAX_BYLINE or not (match := _BY_LINE.match(text)) or _elsewhere(el):
            continue
        if names := _names_in(_AFTER_NAMES.sub("", match[1])):
            return dedupe(_drop_dateline(names))
    return []


def _drop_dateline(names: list[str]) -> list[str]:
    """"Von Ann Lee, Washington": a lone word after full names is the dateline's place."""
    if len(names) > 1 and len(names[-1].split()) == 1 and all(map(_full_name, names[:-1])):
        return names[:-1]
    return names


def guessed_authors(tree: HtmlElement) -> list[str]:
    """Names from trafilatura's byline search, cut and cleaned like any byline."""
    fallback = byline_guess(tree)
    if not fallback:
        return []
    return dedupe([n for part in fallback.split(";") for n in split_byline(part)])
