"""Author names from a page's structured data, cleaned to person (or agency) names.

JSON-LD `author` is the most reliable source (a list of Person objects, or
`@id` references into the page's `@graph`); meta tags come next. Bylines
arrive in many shapes -- "By A and B", "Lastname, Firstname", "Name (abc)",
"Name, Agency" -- and are cut into one name each.
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
    """Is this "author" the site or its publisher (its name or domain) rather than a writer?

    Publishers put their own name in `author` when a CMS field is empty; the
    person (or agency) who wrote the piece is then in the byline, so such a
    name is set aside while the later sources are asked (`pick_authors`).
    """
    return bool(_DOMAIN.match(name)) or is_site_part(name, sites)


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
    """(authors, source): JSON-LD, then meta tags, then trafilatura's byline search.

    A source whose only "author" is the site itself (see `is_site_author`)
    is kept only when no later source names someone else: publishers fill
    an empty author field with their own name while the byline names the
    writer, yet a piece with no byline is credited to the site.
    """
    sites = site_names(head)
    site_only: tuple[list[str], str | None] = ([], None)
    for read in (lambda: (ld_authors(head), "json-ld"), lambda: meta_authors(head),
                 lambda: (guessed_authors(tree), "trafilatura")):
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


def guessed_authors(tree: HtmlElement) -> list[str]:
    """Names from trafilatura's byline search, cut and cleaned like any byline."""
    fallback = byline_guess(tree)
    if not fallback:
        return []
    return dedupe([n for part in fallback.split(";") for n in split_byline(part)])
