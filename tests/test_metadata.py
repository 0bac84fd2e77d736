import json
from datetime import UTC, datetime, timedelta, timezone

import lxml.html
import pytest

from newsetl.page.authors import citation_name, pick_authors, split_byline
from newsetl.page.dates import parse_datetime, pick_modified, pick_published
from newsetl.page.metadata import (
    declared_language,
    main_article,
    parse_json_ld,
    pick_canonical,
    pick_paywalled,
    pick_title,
    pick_topics,
    read_head,
    shared_headline,
    site_names,
    strip_site_suffix,
)


def page(head: str = "", body: str = "", lang: str = "") -> lxml.html.HtmlElement:
    lang_attr = f' lang="{lang}"' if lang else ""
    return lxml.html.document_fromstring(
        f"<html{lang_attr}><head>{head}</head><body>{body}</body></html>")


def ld(obj: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


GRAPH = {"@context": "https://schema.org", "@graph": [
    {"@type": "WebSite", "name": "Coast Gazette", "url": "https://gazette.example/"},
    {"@type": "Person", "@id": "#ann", "name": "Ann Smith"},
    {"@type": "NewsArticle", "headline": "Harbour reopens &amp; ferries return",
     "author": [{"@id": "#ann"}, {"@type": "Person", "name": "Bo Chan"}],
     "datePublished": "2024-05-03T07:30:00+0200", "dateModified": "2024-05-03 09:00:00 +02:00",
     "keywords": "harbour, storms, Harbour", "isAccessibleForFree": "False",
     "inLanguage": "en-GB"},
]}


def test_json_ld_graph_yields_the_news_article():
    head = read_head(page(ld(GRAPH)))
    assert head.article["@type"] == "NewsArticle"
    assert len(head.ld) == 4  # the graph container and its three members


def test_malformed_and_commented_json_ld_are_tolerated():
    objects = parse_json_ld(["{not json", '<!--{"@type": "Article", "headline": "x"}-->', "[1, 2]"])
    assert objects == [{"@type": "Article", "headline": "x"}]


def test_article_with_headline_beats_an_earlier_bare_article():
    objects = [{"@type": "WebPage", "name": "p"}, {"@type": "Article"},
               {"@type": ["NewsArticle"], "headline": "h"}]
    assert main_article(objects)["headline"] == "h"


@pytest.mark.parametrize(("title", "expected"), [
    ("Storm hits coast | Coast Gazette", "Storm hits coast"),
    ("Storm hits coast | News | Coast Gazette", "Storm hits coast"),
    ("Storm hits coast - gazette.example", "Storm hits coast"),
    ("Storm hits coast | 28.04.2023", "Storm hits coast"),
    ("Storm - and floods - hit the coast", "Storm - and floods - hit the coast"),
    ("Q&A: what the storm means", "Q&A: what the storm means"),
])
def test_site_suffix_is_stripped_only_when_it_names_the_site(title, expected):
    assert strip_site_suffix(title, {"coast gazette"}) == expected


def test_title_prefers_og_title_and_decodes_entities():
    head = read_head(page('<meta property="og:title" content="Harbour reopens | Coast Gazette">'
                          '<meta property="og:site_name" content="Coast Gazette">' + ld(GRAPH),
                          "<h1>Harbour reopens</h1>"))
    assert pick_title(head) == ("Harbour reopens", "opengraph")
    head = read_head(page(ld(GRAPH)))
    assert pick_title(head) == ("Harbour reopens & ferries return", "json-ld")


def test_title_tail_is_cut_where_another_source_ends():
    head = read_head(page('<meta property="og:title" content="Harbour reopens - Daily Gazette">',
                          "<h1>Harbour reopens</h1>"))
    assert pick_title(head) == ("Harbour reopens", "opengraph")


def test_meta_headline_shows_where_a_section_tail_starts():
    head = read_head(page('<meta property="og:title" content="Harbour reopens-Local">'
                          '<meta name="headline" content="Harbour reopens">'))
    assert pick_title(head) == ("Harbour reopens", "opengraph")


def test_headline_shared_after_different_kickers_loses_the_kicker():
    others = ["Storm damage - Harbour reopens after three days"]
    assert shared_headline("Port Ellen: Harbour reopens after three days",
                           others) == "Harbour reopens after three days"
    # Kickers sharing a word are one kicker written two ways: the headline keeps it.
    assert shared_headline("Coach Ott: We have little to lose",
                           ["Club coach Ott: We have little to lose"]) == \
        "Coach Ott: We have little to lose"


def test_og_title_padded_around_the_headline_of_h1_and_json_ld_is_cut():
    head = read_head(page('<meta property="og:title" '
                          'content="Storm news: Harbour reopens after three days | Local">'
                          + ld({"@type": "NewsArticle",
                                "headline": "Harbour reopens after three days"}),
                          "<h1>Harbour reopens after three days</h1>"))
    assert pick_title(head) == ("Harbour reopens after three days", "h1")


OG_LD = ('<meta property="og:title" content="Ferries are back, and so are the queues">'
         + ld({"@type": "NewsArticle", "headline": "Coast Gazette harbour reopening: ferries, "
               "timetable and queues"}))


def test_h1_is_the_headline_when_og_title_and_json_ld_disagree():
    head = read_head(page(OG_LD, "<h1>Harbour reopens, and the ferries bring queues</h1>"))
    assert pick_title(head) == ("Harbour reopens, and the ferries bring queues", "h1")


@pytest.mark.parametrize("h1", [
    "Ferries are back, and so are the queues!",  # agrees with og:title: og:title stands
    "Most read",  # shares no word with either: a box heading, not the headline
])
def test_h1_stays_out_when_it_agrees_with_og_title_or_is_about_something_else(h1):
    head = read_head(page(OG_LD, f"<h1>{h1}</h1>"))
    assert pick_title(head) == ("Ferries are back, and so are the queues", "opengraph")


def test_a_site_name_that_is_the_headline_is_ignored():
    head = read_head(page('<meta name="application-name" content="Harbour reopens - Ferries '
                          'return"><meta property="og:site_name" content="Coast Gazette">',
                          "<h1>Harbour reopens - Ferries return</h1>"))
    assert site_names(head) == {"coast gazette"}
    assert pick_title(head) == ("Harbour reopens - Ferries return", "h1")


def test_title_falls_back_to_h1_then_none():
    assert pick_title(read_head(page(body="<h1> Only  the h1 </h1>"))) == ("Only the h1", "h1")
    assert pick_title(read_head(page())) == (None, None)


def test_authors_resolve_graph_references():
    head = read_head(page(ld(GRAPH)))
    assert pick_authors(head, page()) == (["Ann Smith", "Bo Chan"], "json-ld")


@pytest.mark.parametrize(("byline", "names"), [
    ("By Ann Smith and Bo Chan", ["Ann Smith", "Bo Chan"]),
    ("Von Felix Roth und Jo Pohl, dpa", ["Felix Roth", "Jo Pohl", "dpa"]),
    ("Elena Ober (obe)", ["Elena Ober"]),
    ("\ud64d\uae38\ub3d9 \uae30\uc790", ["\ud64d\uae38\ub3d9"]),  # Korean: "<name> reporter"
    ("\u5c71\u7530\u592a\u90ce\u8a18\u8005", ["\u5c71\u7530\u592a\u90ce"]),  # Japanese
    ("https://example.com/author/ann", []),
])
def test_bylines_are_split_into_names(byline, names):
    assert split_byline(byline) == names


def test_citation_authors_are_reordered():
    assert citation_name("Lenharo, Mariana") == "Mariana Lenharo"
    head = read_head(page('<meta name="citation_author" content="You, Xiaoying">'
                          '<meta name="citation_author" content="Basu, Mohana">'))
    assert pick_authors(head, page()) == (["Xiaoying You", "Mohana Basu"], "meta")


def test_meta_author_that_is_the_site_is_not_a_name():
    head = read_head(page('<meta name="author" content="Coast Gazette">'
                          '<meta property="og:site_name" content="Coast Gazette">'))
    assert pick_authors(head, page())[0] == []


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-05-03T07:30:00+0200", datetime(2024, 5, 3, 7, 30, tzinfo=timezone(timedelta(hours=2)))),
    ("2024-05-03T07:30:00.000Z", datetime(2024, 5, 3, 7, 30, tzinfo=UTC)),
    ("2024-04-30 16:17:29 +02:00", datetime(2024, 4, 30, 16, 17, 29,
                                            tzinfo=timezone(timedelta(hours=2)))),
    ("1750680000000", datetime(2025, 6, 23, 12, 0, tzinfo=UTC)),
    ("2025-10-20", datetime(2025, 10, 20)),
    ("next Tuesday", None),
    ("0001-01-01", None),
])
def test_timestamps_keep_the_offset_as_written(text, expected):
    assert parse_datetime(text) == expected


def test_published_and_modified_come_from_json_ld_first():
    tree = page('<meta property="article:published_time" content="2020-01-01">' + ld(GRAPH))
    head = read_head(tree)
    published, source = pick_published(head, tree, None)
    assert (published.date().isoformat(), source) == ("2024-05-03", "json-ld")
    assert published.utcoffset() == timedelta(hours=2)
    assert pick_modified(head)[0].hour == 9


def test_published_falls_back_to_meta():
    tree = page('<meta property="article:published_time" content="2020-01-02T10:00:00Z">')
    published, source = pick_published(read_head(tree), tree, None)
    assert (published.day, source) == (2, "meta")


def test_topics_paywall_language_and_canonical():
    tree = page('<link rel="canonical" href="https://gazette.example/a">' + ld(GRAPH), lang="de")
    head = read_head(tree)
    assert pick_topics(head) == (["harbour", "storms"], "json-ld")
    assert pick_paywalled(head) == (True, "json-ld")
    assert declared_language(head) == ("en", "json-ld")
    assert pick_canonical(head, None) == ("https://gazette.example/a", "link")
    assert pick_paywalled(read_head(page())) == (None, None)


def test_a_date_closing_the_page_title_is_used_when_nothing_is_declared():
    tree = page("<title>Storm hits coast | Europe | Gazette | 28.04.2023</title>",
                "<p>Earlier: 24.04.2023</p>")
    published, source = pick_published(read_head(tree), tree, None)
    assert (published, source) == (datetime(2023, 4, 28), "title")
