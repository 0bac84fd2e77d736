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
from newsetl.page.metadata import Head, clean_text, site_names

# Between two names in one byline string: commas, semicolons, bars, a spaced slash,
# "&" and the word "and" in English, German, Scandinavian and Spanish.
_NAME_SPLIT = re.compile(r"\s*(?:[,;|]|\s/\s|\s(?:and|und|og|y)\s|&)\s*", re.IGNORECASE)
# Leading "By", "Von", "Por" ... and trailing job titles/initials in brackets.
_BY = re.compile(r"^(?:by|von|por|par|door|af|av|di|text|texte|autor(?:in)?|author)\b[:\s]+",
                 re.IGNORECASE)
# A job title written after the name, as Korean, Japanese and Chinese bylines do
# ("홍길동 기자", "山田太郎記者"): reporter, correspondent, senior reporter.
_ROLE_AFTER = re.compile(r"\s*(?:선임기자|기자|특파원|記者|记者|特派員|特派员)$")
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
        part = _ROLE_AFTER.sub("", _BY.sub("", part.strip(" .:-\u2013\u2014"))).strip()
        if part and not _NOT_A_NAME.search(part) and len(part) < 80:
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
    """(authors, source): JSON-LD, then meta tags, then trafilatura's byline search."""
    if names := ld_authors(head):
        return names, "json-ld"
    names, source = meta_authors(head)
    if names:
        return names, source
    if fallback := byline_guess(tree):
        names = dedupe([n for part in fallback.split(";") for n in split_byline(part)])
        return names, "trafilatura" if names else None
    return [], None
